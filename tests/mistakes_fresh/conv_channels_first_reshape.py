# hw4 2.4: the filter gradient computed channels-first, shape (3, 2, 2), then reshaped to
# (2, 2, 3) instead of transposed.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.4": "channels-first reshaped, not transposed"}
EXPECT = {"2.4": ["reshape"]}


def grad_filters(x, y, dE_dy):
    x, y, g = np.asarray(x), np.asarray(y), np.asarray(dE_dy)
    d = g * y * (1 - y)
    out = np.zeros((3, 2, 2))
    for k in range(3):
        for a in range(2):
            for b in range(2):
                out[k, a, b] = np.sum(d[:, :, k] * x[a:a + 3, b:b + 3])
    return out.reshape(2, 2, 3)
