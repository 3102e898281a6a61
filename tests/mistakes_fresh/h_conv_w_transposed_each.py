# hw4 1.2: each 2x2 filter used transposed (w[:, :, k].T).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.2": "each filter transposed"}
EXPECT = {"1.2": ["transposed"]}


def conv_forward(x, w):
    out = np.empty((3, 3, 3))
    for k in range(3):
        f = w[:, :, k].T
        for i in range(3):
            for j in range(3):
                out[i, j, k] = 1.0 / (1.0 + np.exp(-np.sum(x[i:i + 2, j:j + 2] * f)))
    return out
