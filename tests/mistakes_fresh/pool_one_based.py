# hw4 1.3: the sum-pooling formula written with (p-1) indices (1-based) on 0-based arrays:
# for p = 0 the index -1 wraps to the last row.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.3": "1-based indices on 0-based arrays (shifted by one, wrapping)"}
EXPECT = {"1.3": ["shifted by one"]}


def sum_pool(y):
    z = np.zeros((2, 2, 3))
    for p in range(2):
        for q in range(2):
            z[p, q, :] = y[p - 1, q - 1, :] + y[p - 1, q, :] + y[p, q - 1, :] + y[p, q, :]
    return z
