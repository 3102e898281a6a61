# Student's window loop runs over the first row of windows only (range(1)).
import numpy as np

EXPECT = {"2.3": ["without its last entry along axis 0", "stops one short"]}


def grad_conv_sum_pool(dE_dz):
    dz = np.asarray(dE_dz)
    dy = np.zeros((3, 3, 3))
    for i in range(1):
        for j in range(2):
            dy[i:i + 2, j:j + 2, :] += dz[i, j, :]
    return dy
