"""Reference NumPy model of the homework's mini CNN, vectorized over a leading batch axis.

Every function takes arrays whose axis 0 indexes independent trials, so the grader computes
all expected answers of a student in one call per question.  Indices follow the homework:
``x[t, i-1, j-1]`` is x_{i,j}; ``w[t, fi-1, fj-1, k-1]`` is w_{fi,fj,k};
``v[t, pi-1, pj-1, k-1, m-1]`` is w_{pi,pj,k,o_m}.

Derived from the network's definition, not from the answer key (see docs/errata.md), and
checked against finite differences and sympy in tests/test_reference_model.py.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

FILTER = 2  # filter side
POOL = 2  # pooling window side


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function, accurate to a few ulps relative on both sides and never overflowing:
    exp only ever sees -|a| (the tanh form loses relative precision for very negative a)."""
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(under="ignore"):  # exp(-1000) -> 0 is exactly right here
        e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0, e) / (1.0 + e)


def out_size(n: int, window: int, stride: int) -> int:
    """Valid (no padding) output length of a sliding window: floor((n - f) / s) + 1."""
    return (n - window) // stride + 1


def layer_sizes(width: int = 4, height: int = 4, filter_size: int = 2, pool_size: int = 2,
                stride: int = 1) -> tuple[int, int, int, int]:
    """(c_w, c_h, p_w, p_h): convolution then pooling, both with the same stride, no padding."""
    c_w, c_h = out_size(width, filter_size, stride), out_size(height, filter_size, stride)
    return c_w, c_h, out_size(c_w, pool_size, stride), out_size(c_h, pool_size, stride)


def _windows(a: np.ndarray, size: int) -> np.ndarray:
    """Stride-1 windows over axes 1 and 2: shape (T, n-size+1, m-size+1, ..., size, size)."""
    return sliding_window_view(a, (size, size), axis=(1, 2))


def conv_preactivation(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """a[t, ci, cj, k] = sum_{fi, fj} x[t, ci+fi, cj+fj] * w[t, fi, fj, k] (correlation).

    Written as a sum of shifted slices: for these tiny arrays that is several times faster
    than building window views, and the grader computes it for every student.
    """
    f = w.shape[1]
    cw, ch = x.shape[1] - f + 1, x.shape[2] - w.shape[2] + 1
    a = np.zeros((x.shape[0], cw, ch, w.shape[3]))
    for fi in range(f):
        for fj in range(w.shape[2]):
            a += x[:, fi:fi + cw, fj:fj + ch, None] * w[:, None, None, fi, fj, :]
    return a


def conv_forward(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Q1.2: y = sigmoid(correlation of x with each filter), shape (T, 3, 3, 3)."""
    return sigmoid(conv_preactivation(x, w))


def sum_pool(y: np.ndarray) -> np.ndarray:
    """Q1.3: z[t, pi, pj, k] = sum of the 2x2 stride-1 window of y starting at (pi, pj)."""
    pw, ph = y.shape[1] - POOL + 1, y.shape[2] - POOL + 1
    return sum(y[:, a:a + pw, b:b + ph] for a in range(POOL) for b in range(POOL))


def fc_forward(z: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Q1.4: o[t, m] = sigmoid(sum_{pi, pj, k} z[t, pi, pj, k] * v[t, pi, pj, k, m])."""
    return sigmoid(np.einsum("tijk,tijkm->tm", z, v))


def output_delta(o: np.ndarray, target: np.ndarray) -> np.ndarray:
    """dE/d(pre-activation of o_m) = (o_m - y_m) * o_m * (1 - o_m), shape (T, 2)."""
    return (o - target) * o * (1.0 - o)


def grad_fc_weights(z: np.ndarray, o: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Q2.1: dE/dv[t, pi, pj, k, m] = delta_m * z[t, pi, pj, k]."""
    return np.einsum("tijk,tm->tijkm", z, output_delta(o, target))


def grad_pool_output(v: np.ndarray, o: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Q2.2: dE/dz[t, pi, pj, k] = sum_m delta_m * v[t, pi, pj, k, m]."""
    return np.einsum("tijkm,tm->tijk", v, output_delta(o, target))


def grad_conv_sum_pool(dE_dz: np.ndarray) -> np.ndarray:
    """Q2.3: dE/dy[ci, cj] = sum of dE/dz over every pooling window that contains (ci, cj).

    Sum pooling has derivative 1, so the error passes unchanged (no 1/4 anywhere) and a neuron
    shared by several overlapping windows receives the sum of their errors.
    """
    t, p_w, p_h, k = dE_dz.shape
    dy = np.zeros((t, p_w + POOL - 1, p_h + POOL - 1, k))
    for a in range(POOL):
        for b in range(POOL):
            dy[:, a:a + p_w, b:b + p_h, :] += dE_dz
    return dy


def grad_filters(x: np.ndarray, y: np.ndarray, dE_dy: np.ndarray) -> np.ndarray:
    """Q2.4: dE/dw[fi, fj, k] = sum_{ci, cj} dE/dy[ci, cj, k] * y(1 - y)[ci, cj, k] * x[ci+fi, cj+fj]."""
    delta = dE_dy * y * (1.0 - y)  # error at the convolution's pre-activation
    cw, ch = y.shape[1], y.shape[2]
    f = x.shape[1] - cw + 1
    dw = np.empty((x.shape[0], f, x.shape[2] - ch + 1, y.shape[3]))
    for fi in range(f):
        for fj in range(dw.shape[2]):
            dw[:, fi, fj, :] = np.einsum("tab,tabk->tk", x[:, fi:fi + cw, fj:fj + ch], delta)
    return dw


def max_pool_argmax(y: np.ndarray) -> np.ndarray:
    """Flat index (0..3, row-major in the window) of each 2x2 window's maximum: (T, p, p, K)."""
    win = _windows(y, POOL)  # (T, p, p, K, 2, 2)
    return win.reshape(*win.shape[:4], POOL * POOL).argmax(axis=-1)


def max_pool(y: np.ndarray) -> np.ndarray:
    """2x2 stride-1 max pooling (the forward pass behind Q2.5)."""
    return _windows(y, POOL).max(axis=(-2, -1))


def grad_conv_max_pool(y: np.ndarray, dE_dz: np.ndarray) -> np.ndarray:
    """Q2.5: each window routes its error to its arg-max neuron; a neuron that is the maximum of
    several overlapping windows receives the sum of their errors (stride 1 makes this common)."""
    t, p_w, p_h, k = dE_dz.shape
    arg = max_pool_argmax(y)
    dy = np.zeros_like(y, dtype=np.float64)
    for a in range(POOL):
        for b in range(POOL):
            dy[:, a:a + p_w, b:b + p_h, :] += np.where(arg == a * POOL + b, dE_dz, 0.0)
    return dy


def forward(x: np.ndarray, w: np.ndarray, v: np.ndarray) -> dict[str, np.ndarray]:
    """The whole forward pass: y, z, o."""
    y = conv_forward(x, w)
    z = sum_pool(y)
    return {"y": y, "z": z, "o": fc_forward(z, v)}


def loss(o: np.ndarray, target: np.ndarray) -> np.ndarray:
    """E = 1/2 sum_m (o_m - y_m)^2 per trial."""
    return 0.5 * ((o - target) ** 2).sum(axis=-1)
