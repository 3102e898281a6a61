# hw4 2.3: the error is padded with np.pad(dE_dz, 1), which pads the channel axis too: the
# answer has 5 channels, the right ones in the middle and zeros around them.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.3": "np.pad over every axis, the channel axis included"}
EXPECT = {"2.3": ["holds the right one", "np.pad pads every axis"]}


def grad_conv_sum_pool(dE_dz):
    p = np.pad(np.asarray(dE_dz, float), 1)
    out = np.zeros((3, 3, p.shape[2]))
    for i in range(3):
        for j in range(3):
            out[i, j] = p[i:i + 2, j:j + 2].sum(axis=(0, 1))
    return out
