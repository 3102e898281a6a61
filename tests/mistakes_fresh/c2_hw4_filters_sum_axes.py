# hw4 2.4: patches summed over (row, channel) instead of (row, column): shapes agree by chance (3 = 3).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.4": "sum over the wrong axes (the channel instead of the column)"}
EXPECT = {"2.4": ["axis"]}


def grad_filters(x, y, dE_dy):
    x, y, g = np.asarray(x, float), np.asarray(y, float), np.asarray(dE_dy, float)
    delta = g * y * (1.0 - y)
    dw = np.zeros((2, 2, 3))
    for fi in range(2):
        for fj in range(2):
            patch = x[fi:fi + 3, fj:fj + 3]
            dw[fi, fj] = (patch[:, :, None] * delta).sum(axis=(0, 2))
    return dw
