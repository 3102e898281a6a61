# cnn-grader example submission: correct_float32
# Correct maths everywhere, but the student works in single precision: every
# input is cast to float32 and every array returned is float32.
#
# HW4 mini CNN  -- "float32 is what the GPU uses anyway"

import numpy as np

DT = np.float32


def sigmoid(a):
    a = np.asarray(a, dtype=DT)
    return (DT(1) / (DT(1) + np.exp(-a))).astype(DT)


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    cw = (width - filter_size) // stride + 1
    ch = (height - filter_size) // stride + 1
    pw = (cw - pool_size) // stride + 1
    ph = (ch - pool_size) // stride + 1
    return (cw, ch, pw, ph)


def conv_forward(x, w):
    x = np.asarray(x, dtype=DT)
    w = np.asarray(w, dtype=DT)
    pre = np.zeros((3, 3, 3), dtype=DT)
    for fi in range(2):
        for fj in range(2):
            pre += x[fi:fi + 3, fj:fj + 3, None] * w[fi, fj, :]
    return sigmoid(pre)


def sum_pool(y):
    y = np.asarray(y, dtype=DT)
    z = np.zeros((2, 2, 3), dtype=DT)
    for i in range(2):
        for j in range(2):
            z[i, j, :] = y[i:i + 2, j:j + 2, :].sum(axis=(0, 1))
    return z


def fc_forward(z, v):
    z = np.asarray(z, dtype=DT)
    v = np.asarray(v, dtype=DT)
    return sigmoid(np.tensordot(z, v, axes=3))


def output_delta(o, target):
    o = np.asarray(o, dtype=DT)
    t = np.asarray(target, dtype=DT)
    return (o - t) * o * (DT(1) - o)


def grad_fc_weights(z, o, target):
    z = np.asarray(z, dtype=DT)
    return (z[..., None] * output_delta(o, target)).astype(DT)


def grad_pool_output(v, o, target):
    v = np.asarray(v, dtype=DT)
    return (v * output_delta(o, target)).sum(axis=-1).astype(DT)


def grad_conv_sum_pool(dE_dz):
    dz = np.asarray(dE_dz, dtype=DT)
    dy = np.zeros((3, 3, 3), dtype=DT)
    for i in range(2):
        for j in range(2):
            dy[i:i + 2, j:j + 2, :] += dz[i, j, :]
    return dy


def grad_filters(x, y, dE_dy):
    x = np.asarray(x, dtype=DT)
    y = np.asarray(y, dtype=DT)
    delta = np.asarray(dE_dy, dtype=DT) * y * (DT(1) - y)
    dw = np.zeros((2, 2, 3), dtype=DT)
    for fi in range(2):
        for fj in range(2):
            dw[fi, fj, :] = (delta * x[fi:fi + 3, fj:fj + 3, None]).sum(axis=(0, 1))
    return dw


def grad_conv_max_pool(y, dE_dz):
    y = np.asarray(y, dtype=DT)
    dz = np.asarray(dE_dz, dtype=DT)
    dy = np.zeros((3, 3, 3), dtype=DT)
    for i in range(2):
        for j in range(2):
            for k in range(3):
                a, b = np.unravel_index(np.argmax(y[i:i + 2, j:j + 2, k]), (2, 2))
                dy[i + a, j + b, k] += dz[i, j, k]
    return dy
