# Student stores channel k's feature map at position (k + 1) % 3.
import numpy as np

EXPECT = {"1.2": ["wrong places", "k=1"]}


def conv_forward(x, w):
    x, w = np.asarray(x), np.asarray(w)
    y = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(3):
            for j in range(3):
                y[i, j, (k + 1) % 3] = 1 / (1 + np.exp(-(x[i:i + 2, j:j + 2] * w[:, :, k]).sum()))
    return y
