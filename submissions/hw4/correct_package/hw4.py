"""HW4 - mini CNN, forward pass and backprop.

cnn-grader example submission: correct_package.  A folder submission: this main
file defines all nine functions and imports its helpers from the sibling module
cnn_utils.py.  Fully correct.
"""
import numpy as np

from cnn_utils import sigmoid, windows, out_size

FILTER = 2
POOL = 2


# Part 1 ---------------------------------------------------------------

def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    c_w = out_size(width, filter_size, stride)
    c_h = out_size(height, filter_size, stride)
    p_w = out_size(c_w, pool_size, stride)
    p_h = out_size(c_h, pool_size, stride)
    return c_w, c_h, p_w, p_h


def conv_forward(x, w):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    n = out_size(x.shape[0], FILTER)
    pre = np.zeros((n, n, w.shape[2]))
    for i, j, patch in windows(x, FILTER):
        # correlation: patch[fi, fj] * w[fi, fj, k]
        pre[i, j, :] = np.tensordot(patch, w, axes=([0, 1], [0, 1]))
    return sigmoid(pre)


def sum_pool(y):
    y = np.asarray(y, dtype=np.float64)
    n = out_size(y.shape[0], POOL)
    z = np.zeros((n, n, y.shape[2]))
    for i, j, win in windows(y, POOL):
        z[i, j, :] = win.sum(axis=(0, 1))
    return z


def fc_forward(z, v):
    z = np.asarray(z, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    flat_z = z.reshape(-1)            # the FC layer is just z stacked into a vector
    flat_v = v.reshape(-1, v.shape[-1])
    return sigmoid(flat_z @ flat_v)


# Part 2 ---------------------------------------------------------------

def _output_error(o, target):
    o = np.asarray(o, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    return (o - target) * o * (1.0 - o)   # dE/do * do/d(net)


def grad_fc_weights(z, o, target):
    z = np.asarray(z, dtype=np.float64)
    return np.multiply.outer(z, _output_error(o, target))


def grad_pool_output(v, o, target):
    v = np.asarray(v, dtype=np.float64)
    return np.tensordot(v, _output_error(o, target), axes=([3], [0]))


def grad_conv_sum_pool(dE_dz):
    dE_dz = np.asarray(dE_dz, dtype=np.float64)
    p = dE_dz.shape[0]
    dy = np.zeros((p + POOL - 1, p + POOL - 1, dE_dz.shape[2]))
    for i in range(p):
        for j in range(p):
            dy[i:i + POOL, j:j + POOL, :] += dE_dz[i, j, :]
    return dy


def grad_filters(x, y, dE_dy):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    d_pre = np.asarray(dE_dy, dtype=np.float64) * y * (1.0 - y)
    dw = np.zeros((FILTER, FILTER, y.shape[2]))
    for i, j, patch in windows(x, FILTER):
        dw += patch[:, :, None] * d_pre[i, j, :]
    return dw


def grad_conv_max_pool(y, dE_dz):
    y = np.asarray(y, dtype=np.float64)
    dE_dz = np.asarray(dE_dz, dtype=np.float64)
    dy = np.zeros_like(y)
    for i, j, win in windows(y, POOL):
        for k in range(y.shape[2]):
            a, b = divmod(int(np.argmax(win[:, :, k])), POOL)
            dy[i + a, j + b, k] += dE_dz[i, j, k]
    return dy
