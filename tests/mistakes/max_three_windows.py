# Student's max-pool backward skips the last window.
import numpy as np

EXPECT = {"2.5": ["no ∂E/∂z_{2,2,k}"]}


def grad_conv_max_pool(y, dE_dz):
    y, dz = np.asarray(y), np.asarray(dE_dz)
    dy = np.zeros((3, 3, 3))
    for k in range(3):
        for (i, j) in ((0, 0), (0, 1), (1, 0)):
            win = y[i:i + 2, j:j + 2, k]
            r, c = divmod(int(np.argmax(win)), 2)
            dy[i + r, j + c, k] += dz[i, j, k]
    return dy
