# hw4 2.1: the sigmoid applied to the pooled layer before the fully connected weights' gradient.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.1": "sigmoid applied to z (activation a layer too early)"}
EXPECT = {"2.1": ["sigmoid", "z"]}


def grad_fc_weights(z, o, target):
    a = 1 / (1 + np.exp(-np.asarray(z)))
    d = (np.asarray(o) - np.asarray(target)) * np.asarray(o) * (1 - np.asarray(o))
    return a[..., None] * d
