# Student multiplied by y instead of y(1 - y) in the filter gradient.
import numpy as np

EXPECT = {"2.4": ["y alone"]}


def grad_filters(x, y, dE_dy):
    x, y = np.asarray(x), np.asarray(y)
    delta = np.asarray(dE_dy) * y
    dw = np.zeros((2, 2, 3))
    for fi in range(2):
        for fj in range(2):
            dw[fi, fj] = (x[fi:fi + 3, fj:fj + 3, None] * delta).sum(axis=(0, 1))
    return dw
