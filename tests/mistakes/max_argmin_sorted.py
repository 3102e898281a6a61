# Student takes the first element of the ascending sort as the "max".
import numpy as np

EXPECT = {"2.5": ["max_argmin"]}


def grad_conv_max_pool(y, dE_dz):
    y, dz = np.asarray(y), np.asarray(dE_dz)
    dy = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(2):
            for j in range(2):
                cells = sorted(((y[i + a, j + b, k], a, b) for a in range(2) for b in range(2)))
                _, a, b = cells[0]
                dy[i + a, j + b, k] += dz[i, j, k]
    return dy
