# hw4 2.1: the pooled layer z taken from the module-level forward pass of a demo, not the argument.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.1": "ignores z (module-level z)"}
EXPECT = {"2.1": ["does not change when z changes"]}

Z = np.linspace(-1, 1, 12).reshape(2, 2, 3)


def grad_fc_weights(z, o, target):
    o, t = np.asarray(o), np.asarray(target)
    delta = (o - t) * o * (1 - o)
    return np.einsum("ijk,m->ijkm", Z, delta)
