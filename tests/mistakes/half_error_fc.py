# Student kept the 1/2 of E in front of the gradient.
import numpy as np

EXPECT = {"2.2": ["1/2 times"]}


def grad_pool_output(v, o, target):
    o, t = np.asarray(o), np.asarray(target)
    return 0.5 * (np.asarray(v) @ ((o - t) * o * (1 - o)))
