# Student back-propagated only o_2's error to the pooling layer.
import numpy as np

EXPECT = {"2.2": ["o_1 term is missing"]}


def grad_pool_output(v, o, target):
    v = np.asarray(v)
    return (o[1] - target[1]) * o[1] * (1 - o[1]) * v[:, :, :, 1]
