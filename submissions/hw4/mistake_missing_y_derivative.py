# cnn-grader example submission: mistake_missing_y_derivative
# Otherwise correct (NumPy with loops), except one classic mistake:
# Q2.4 forgets the sigmoid derivative y(1 - y) of the convolution layer.
#
# HW4 mini CNN

import numpy as np


def sig(t):
    return 1.0 / (1.0 + np.exp(-t))


def dsig_out(o):
    return o * (1 - o)


# ===== Part 1 =====

def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    cw = int(np.floor((width - filter_size) / stride)) + 1
    ch = int(np.floor((height - filter_size) / stride)) + 1
    pw = int(np.floor((cw - pool_size) / stride)) + 1
    ph = int(np.floor((ch - pool_size) / stride)) + 1
    return cw, ch, pw, ph


def conv_forward(x, w):
    x = np.array(x)
    y = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(3):
            for j in range(3):
                y[i, j, k] = sig(np.sum(x[i:i + 2, j:j + 2] * w[:, :, k]))
    return y


def sum_pool(y):
    y = np.array(y)
    z = np.zeros((2, 2, 3))
    for i in range(2):
        for j in range(2):
            z[i, j, :] = np.sum(y[i:i + 2, j:j + 2, :], axis=(0, 1))
    return z


def fc_forward(z, v):
    z = np.array(z)
    return np.array([sig(np.sum(z * v[..., m])) for m in range(2)])


# ===== Part 2 =====

def grad_fc_weights(z, o, target):
    o = np.array(o)
    err = (o - np.array(target)) * dsig_out(o)
    dv = np.zeros((2, 2, 3, 2))
    for m in range(2):
        dv[..., m] = err[m] * np.array(z)
    return dv


def grad_pool_output(v, o, target):
    o = np.array(o)
    err = (o - np.array(target)) * dsig_out(o)
    v = np.array(v)
    return err[0] * v[..., 0] + err[1] * v[..., 1]


def grad_conv_sum_pool(dE_dz):
    dy = np.zeros((3, 3, 3))
    for i in range(2):
        for j in range(2):
            dy[i:i + 2, j:j + 2, :] += dE_dz[i, j, :]
    return dy


def grad_filters(x, y, dE_dy):
    x = np.array(x)
    d = np.array(dE_dy)
    dw = np.zeros((2, 2, 3))
    for k in range(3):
        for fi in range(2):
            for fj in range(2):
                dw[fi, fj, k] = np.sum(d[:, :, k] * x[fi:fi + 3, fj:fj + 3])
    return dw


def grad_conv_max_pool(y, dE_dz):
    y = np.array(y)
    dy = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(2):
            for j in range(2):
                r, c = np.unravel_index(np.argmax(y[i:i + 2, j:j + 2, k]), (2, 2))
                dy[i + r, j + c, k] += dE_dz[i, j, k]
    return dy
