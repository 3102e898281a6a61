# Student wrote (y_2 - o_2) for the second output only.
import numpy as np

EXPECT = {"2.1": ["o_2", "wrong sign"], "2.2": ["o_2", "-1"]}


def grad_fc_weights(z, o, target):
    z = np.asarray(z)
    out = np.zeros((2, 2, 3, 2))
    out[..., 0] = (o[0] - target[0]) * o[0] * (1 - o[0]) * z
    out[..., 1] = (target[1] - o[1]) * o[1] * (1 - o[1]) * z
    return out


def grad_pool_output(v, o, target):
    v = np.asarray(v)
    d1 = (o[0] - target[0]) * o[0] * (1 - o[0])
    d2 = (target[1] - o[1]) * o[1] * (1 - o[1])
    return d1 * v[..., 0] + d2 * v[..., 1]
