"""Helper functions for my HW4 solution (imported by hw4.py).

cnn-grader example submission: correct_package (helper module of a folder submission).
"""
import numpy as np


def sigmoid(a):
    """Logistic function, works on scalars and arrays."""
    a = np.asarray(a, dtype=np.float64)
    # split by sign so exp never sees a large positive argument
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def out_size(n, window, stride=1):
    """Number of valid window positions along an axis of length n (no padding)."""
    return (n - window) // stride + 1


def windows(a, size):
    """Yield (i, j, a[i:i+size, j:j+size]) for every stride-1 window over the first two axes."""
    rows = out_size(a.shape[0], size)
    cols = out_size(a.shape[1], size)
    for i in range(rows):
        for j in range(cols):
            yield i, j, a[i:i + size, j:j + size]
