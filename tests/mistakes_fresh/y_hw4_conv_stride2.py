# hw4 1.2: the filter moved 2 pixels at a time (range(0, 3, 2)), zeros elsewhere.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.2": "stride 2, the entries between left at 0"}
EXPECT = {"1.2": ["every 2nd index", "steps by 2"]}


def conv_forward(x, w):
    out = np.zeros((3, 3, 3))
    for i in range(0, 3, 2):
        for j in range(0, 3, 2):
            for k in range(3):
                out[i, j, k] = 1 / (1 + np.exp(-np.sum(x[i:i + 2, j:j + 2] * w[:, :, k])))
    return out
