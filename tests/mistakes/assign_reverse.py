# Student assigns instead of adding, looping over the windows in reverse.
import numpy as np

EXPECT = {"2.3": ["assign_not_accumulate"]}


def grad_conv_sum_pool(dE_dz):
    dz = np.asarray(dE_dz)
    dy = np.zeros((3, 3, 3))
    for i in reversed(range(2)):
        for j in reversed(range(2)):
            dy[i:i + 2, j:j + 2, :] = dz[i, j, :]
    return dy
