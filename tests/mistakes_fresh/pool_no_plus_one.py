# hw4 1.3: the pooled size computed as (3 - 2) without the +1: only the first window.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.3": "size without +1 (same numbers as stride 2: both must be named)"}
EXPECT = {"1.3": ["+1", "stride"]}


def sum_pool(y):
    y = np.asarray(y)
    n = y.shape[0] - 2
    out = np.zeros((n, n, y.shape[2]))
    for i in range(n):
        for j in range(n):
            out[i, j] = y[i:i + 2, j:j + 2].sum(axis=(0, 1))
    return out
