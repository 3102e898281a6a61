# Student assigns the max-pool error (=), columns outer loop, rows in reverse.
import numpy as np

EXPECT = {"2.5": ["max_assign"]}


def grad_conv_max_pool(y, dE_dz):
    y, dz = np.asarray(y), np.asarray(dE_dz)
    dy = np.zeros((3, 3, 3))
    for k in range(3):
        for j in range(2):
            for i in (1, 0):
                win = y[i:i + 2, j:j + 2, k]
                r, c = divmod(int(np.argmax(win)), 2)
                dy[i + r, j + c, k] = dz[i, j, k]
    return dy
