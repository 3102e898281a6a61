# Student clipped the sigmoid's input to +-10 "to avoid overflow".
import numpy as np

EXPECT = {"1.2": ["clips", "±10"], "1.4": ["clips", "±10"]}


def sigmoid(a):
    return 1 / (1 + np.exp(-np.clip(a, -10, 10)))


def conv_forward(x, w):
    x, w = np.asarray(x), np.asarray(w)
    y = np.zeros((3, 3, 3))
    for i in range(3):
        for j in range(3):
            y[i, j] = sigmoid((x[i:i + 2, j:j + 2, None] * w).sum(axis=(0, 1)))
    return y


def fc_forward(z, v):
    return sigmoid(np.einsum("ijk,ijkm->m", np.asarray(z), np.asarray(v)))
