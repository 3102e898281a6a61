# Student forgot the z factor in the fully connected weight gradient.
import numpy as np

EXPECT = {"2.1": ["z_{p_i,p_j,k} is missing"]}


def grad_fc_weights(z, o, target):
    out = np.zeros((2, 2, 3, 2))
    for m in range(2):
        out[..., m] = (o[m] - target[m]) * o[m] * (1 - o[m])
    return out
