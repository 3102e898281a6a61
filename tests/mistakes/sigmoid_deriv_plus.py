# Student wrote the sigmoid derivative as s(1 + s).
import numpy as np

EXPECT = {"2.1": ["o_m(1 + o_m)"], "2.2": ["o_m(1 + o_m)"], "2.4": ["(1 + y_{c_i,c_j,k})"]}


def grad_fc_weights(z, o, target):
    o, t, z = np.asarray(o), np.asarray(target), np.asarray(z)
    delta = (o - t) * o * (1 + o)
    return z[..., None] * delta


def grad_pool_output(v, o, target):
    o, t = np.asarray(o), np.asarray(target)
    delta = (o - t) * o * (1 + o)
    return np.asarray(v) @ delta


def grad_filters(x, y, dE_dy):
    x, y = np.asarray(x), np.asarray(y)
    delta = np.asarray(dE_dy) * y * (1 + y)
    dw = np.zeros((2, 2, 3))
    for fi in range(2):
        for fj in range(2):
            dw[fi, fj] = (x[fi:fi + 3, fj:fj + 3, None] * delta).sum(axis=(0, 1))
    return dw
