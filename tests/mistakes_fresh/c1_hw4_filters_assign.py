# hw4 2.4: the filter gradient's loop over the convolution positions assigns where it should add:
# dw[fi, fj, k] = ... keeps only the last position's term.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.4": "= instead of += in the loop over positions (last term only)"}
EXPECT = {"2.4": ["+=", "last"]}


def grad_filters(x, y, dE_dy):
    x, y, g = np.asarray(x, float), np.asarray(y, float), np.asarray(dE_dy, float)
    d = g * y * (1 - y)
    dw = np.zeros((2, 2, y.shape[2]))
    for ci in range(y.shape[0]):
        for cj in range(y.shape[1]):
            for fi in range(2):
                for fj in range(2):
                    dw[fi, fj, :] = x[ci + fi, cj + fj] * d[ci, cj, :]
    return dw
