# hw4 1.2: the filters taken in reverse channel order (w[:, :, ::-1]).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.2": "filters in reverse channel order"}
EXPECT = {"1.2": ["reverse"]}


def conv_forward(x, w):
    w = w[:, :, ::-1]
    return np.stack([[[1 / (1 + np.exp(-(x[i:i + 2, j:j + 2] * w[:, :, k]).sum())) for k in range(3)]
                      for j in range(3)] for i in range(3)])
