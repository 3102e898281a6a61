# Student counted o_2's path twice.
import numpy as np

EXPECT = {"2.2": ["o_2"]}


def grad_pool_output(v, o, target):
    v = np.asarray(v)
    d = [(o[m] - target[m]) * o[m] * (1 - o[m]) for m in range(2)]
    return d[0] * v[..., 0] + 2 * d[1] * v[..., 1]
