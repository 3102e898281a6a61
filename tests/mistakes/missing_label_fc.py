# Student forgot to subtract the label.
import numpy as np

EXPECT = {"2.1": ["label y_m is missing"]}


def grad_fc_weights(z, o, target):
    o = np.asarray(o)
    return np.asarray(z)[..., None] * (o * o * (1 - o))
