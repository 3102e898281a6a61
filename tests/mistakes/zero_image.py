# Student short-circuits a blank image to zeros.
import numpy as np

EXPECT = {"1.2": ["all-zero", "zeros"]}


def conv_forward(x, w):
    x, w = np.asarray(x), np.asarray(w)
    if not x.any():
        return np.zeros((3, 3, 3))
    y = np.zeros((3, 3, 3))
    for i in range(3):
        for j in range(3):
            y[i, j] = 1 / (1 + np.exp(-(x[i:i + 2, j:j + 2, None] * w).sum(axis=(0, 1))))
    return y
