# Student sorts each window descending but takes index 1 (an off-by-one): the second largest.
import numpy as np

EXPECT = {"2.5": ["second largest"]}


def grad_conv_max_pool(y, dE_dz):
    y = np.asarray(y)
    dy = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(2):
            for j in range(2):
                cells = sorted(((y[i + a, j + b, k], a, b) for a in range(2) for b in range(2)), reverse=True)
                _, a, b = cells[1]
                dy[i + a, j + b, k] += dE_dz[i][j][k]
    return dy
