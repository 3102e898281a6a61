# cnn-grader example submission: mistake_average_pool_grad
# Otherwise correct (vectorized NumPy), except one classic mistake:
# Q2.3 divides the error by 4 as if the layer were average pooling.
#
# HW4 mini CNN

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def delta_out(o, target):
    o, target = np.asarray(o, float), np.asarray(target, float)
    return (o - target) * o * (1 - o)


# ===== Part 1 =====

def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    cw, ch = [(n - filter_size) // stride + 1 for n in (width, height)]
    pw, ph = [(c - pool_size) // stride + 1 for c in (cw, ch)]
    return cw, ch, pw, ph


def conv_forward(x, w):
    patches = sliding_window_view(np.asarray(x, float), (2, 2))   # (3, 3, 2, 2)
    return sigmoid(np.einsum('abij,ijk->abk', patches, w))


def sum_pool(y):
    return sliding_window_view(np.asarray(y, float), (2, 2), axis=(0, 1)).sum(axis=(-2, -1))


def fc_forward(z, v):
    return sigmoid(np.einsum('ijk,ijkm->m', z, v))


# ===== Part 2 =====

def grad_fc_weights(z, o, target):
    return np.einsum('ijk,m->ijkm', z, delta_out(o, target))


def grad_pool_output(v, o, target):
    return np.einsum('ijkm,m->ijk', v, delta_out(o, target))


def grad_conv_sum_pool(dE_dz):
    dz = np.asarray(dE_dz, float)
    dy = np.zeros((3, 3, 3))
    for a in range(2):
        for b in range(2):
            dy[a:a + 2, b:b + 2] += dz / 4     # each of the 4 neurons gets its share
    return dy


def grad_filters(x, y, dE_dy):
    y = np.asarray(y, float)
    patches = sliding_window_view(np.asarray(x, float), (2, 2))   # (3, 3, 2, 2)
    return np.einsum('abij,abk->ijk', patches, dE_dy * y * (1 - y))


def grad_conv_max_pool(y, dE_dz):
    y = np.asarray(y, float)
    win = sliding_window_view(y, (2, 2), axis=(0, 1))              # (2, 2, 3, 2, 2)
    idx = win.reshape(2, 2, 3, 4).argmax(axis=-1)
    dy = np.zeros_like(y)
    for a in range(2):
        for b in range(2):
            dy[a:a + 2, b:b + 2] += np.where(idx == 2 * a + b, dE_dz, 0.0)
    return dy
