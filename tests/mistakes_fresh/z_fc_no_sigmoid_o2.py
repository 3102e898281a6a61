# hw4 1.4: the sigmoid applied to o_1 only; o_2 left as the weighted sum.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.4": "sigmoid missing on o_2 only"}
EXPECT = {"1.4": ["o_2"]}


def fc_forward(z, v):
    s = np.tensordot(np.asarray(z), np.asarray(v), axes=3)
    return np.array([1 / (1 + np.exp(-s[0])), s[1]])
