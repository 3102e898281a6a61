# Student's filter gradient picks the pixel with fj in both offsets.
import numpy as np

EXPECT = {"2.4": ["x_{c_i+f_j−1,c_j+f_j−1}"]}


def grad_filters(x, y, dE_dy):
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(dE_dy)
    dw = np.zeros((2, 2, 3))
    for k in range(3):
        for fi in range(2):
            for fj in range(2):
                for ci in range(3):
                    for cj in range(3):
                        dw[fi, fj, k] += g[ci, cj, k] * y[ci, cj, k] * (1 - y[ci, cj, k]) * x[ci + fj, cj + fj]
    return dw
