# hw4 1.2: a bias of 0.1 added inside the sigmoid "as in the lecture".
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.2": "an extra constant 0.1 inside the sigmoid"}
EXPECT = {"1.2": ["plus a constant 1/10"]}


def conv_forward(x, w):
    def window(i, j, k):
        return np.sum(x[i:i + 2, j:j + 2] * w[:, :, k]) + 0.1
    return np.array([[[1 / (1 + np.exp(-window(i, j, k))) for k in range(3)] for j in range(3)] for i in range(3)])
