# Student used tanh's derivative 1 - s^2 everywhere in the backward pass.
import numpy as np

EXPECT = {"2.1": ["tanh"], "2.2": ["tanh"], "2.4": ["tanh"]}


def grad_fc_weights(z, o, target):
    z = np.asarray(z)
    out = np.zeros((2, 2, 3, 2))
    for m in range(2):
        out[..., m] = (o[m] - target[m]) * (1 - o[m] ** 2) * z
    return out


def grad_pool_output(v, o, target):
    v = np.asarray(v)
    d = [(o[m] - target[m]) * (1 - o[m] ** 2) for m in range(2)]
    return v[..., 0] * d[0] + v[..., 1] * d[1]


def grad_filters(x, y, dE_dy):
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(dE_dy)
    dw = np.zeros((2, 2, 3))
    for k in range(3):
        for fi in range(2):
            for fj in range(2):
                for ci in range(3):
                    for cj in range(3):
                        dw[fi, fj, k] += g[ci, cj, k] * (1 - y[ci, cj, k] ** 2) * x[ci + fi, cj + fj]
    return dw
