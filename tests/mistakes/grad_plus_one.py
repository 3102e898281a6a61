# Student initialised the accumulator with ones instead of zeros.
import numpy as np

EXPECT = {"2.3": ["plus a constant 1"]}


def grad_conv_sum_pool(dE_dz):
    dz = np.asarray(dE_dz)
    dy = np.ones((3, 3, 3))
    for i in range(2):
        for j in range(2):
            dy[i:i + 2, j:j + 2, :] += dz[i, j, :]
    return dy
