# hw4 2.1: np.outer(delta, z.ravel()) (output index first), reshaped straight to (2, 2, 3, 2).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.1": "np.outer in the wrong order, then reshape"}
EXPECT = {"2.1": ["reshape"]}


def grad_fc_weights(z, o, target):
    o, t = np.asarray(o), np.asarray(target)
    delta = (o - t) * o * (1 - o)
    return np.outer(delta, np.asarray(z).ravel()).reshape(2, 2, 3, 2)
