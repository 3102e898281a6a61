# hw4 2.2: the result summed over the channels (np.sum(..., axis=2, keepdims=True)) and broadcast.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.2": "summed over the channel axis"}
EXPECT = {"2.2": ["sum", "axis 2"]}


def grad_pool_output(v, o, target):
    d = (np.asarray(o) - np.asarray(target)) * np.asarray(o) * (1 - np.asarray(o))
    g = np.einsum("ijkm,m->ijk", np.asarray(v), d)
    return np.broadcast_to(g.sum(axis=2, keepdims=True), g.shape).copy()
