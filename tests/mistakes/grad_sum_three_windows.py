# Student loops over only three of the four pooling windows.
import numpy as np

EXPECT = {"2.3": ["no ∂E/∂z_{2,2,k} term"]}


def grad_conv_sum_pool(dE_dz):
    dz = np.asarray(dE_dz)
    dy = np.zeros((3, 3, 3))
    for (i, j) in [(0, 0), (0, 1), (1, 0)]:
        dy[i:i + 2, j:j + 2, :] += dz[i, j, :]
    return dy
