# Student reads dE/dz with the indices swapped and the window positions as written.
import numpy as np

EXPECT = {"2.5": ["dE_dz", "transposed"]}


def grad_conv_max_pool(y, dE_dz):
    y, dz = np.asarray(y), np.asarray(dE_dz)
    dy = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(2):
            for j in range(2):
                win = y[i:i + 2, j:j + 2, k]
                r, c = np.unravel_index(np.argmax(win), (2, 2))
                dy[i + r, j + c, k] += dz[j, i, k]
    return dy
