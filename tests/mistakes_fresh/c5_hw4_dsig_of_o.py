# hw4 2.1: the sigmoid derivative evaluated at the output o (sigma'(o)) instead of o(1 - o).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.1": "sigma'(o) instead of o(1-o)"}
EXPECT = {"2.1": ["o"]}


def sig(a):
    return 1 / (1 + np.exp(-a))


def grad_fc_weights(z, o, target):
    z, o, t = (np.asarray(a, float) for a in (z, o, target))
    delta = (o - t) * sig(o) * (1 - sig(o))
    return z[..., None] * delta
