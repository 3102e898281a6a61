# Student kept the square of the error.
import numpy as np

EXPECT = {"2.1": ["square"]}


def grad_fc_weights(z, o, target):
    z = np.asarray(z)
    out = np.zeros((2, 2, 3, 2))
    for m in range(2):
        out[..., m] = (o[m] - target[m]) ** 2 * o[m] * (1 - o[m]) * z
    return out
