# Student's filter gradient reads the image as x[j][i].
import numpy as np

EXPECT = {"2.4": ["transposed"]}


def grad_filters(x, y, dE_dy):
    y, g = np.asarray(y), np.asarray(dE_dy)
    dw = np.zeros((2, 2, 3))
    for k in range(3):
        for fi in range(2):
            for fj in range(2):
                for ci in range(3):
                    for cj in range(3):
                        dw[fi, fj, k] += g[ci, cj, k] * y[ci, cj, k] * (1 - y[ci, cj, k]) * x[cj + fj][ci + fi]
    return dw
