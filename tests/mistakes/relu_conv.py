# Student used ReLU in the convolution layer.
import numpy as np

EXPECT = {"1.2": ["ReLU"]}


def conv_forward(x, w):
    x, w = np.asarray(x), np.asarray(w)
    y = np.zeros((3, 3, 3))
    for i in range(3):
        for j in range(3):
            y[i, j] = np.maximum(0, (x[i:i + 2, j:j + 2, None] * w).sum(axis=(0, 1)))
    return y
