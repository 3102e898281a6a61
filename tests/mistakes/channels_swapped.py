# Student mixed up filters 1 and 2 (an off-by-one in a channel lookup table).
import numpy as np

EXPECT = {"1.2": ["where y_{*,*,k=1} should be, you return y_{*,*,k=2}"]}

ORDER = [1, 0, 2]


def conv_forward(x, w):
    x, w = np.asarray(x), np.asarray(w)
    y = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(3):
            for j in range(3):
                y[i, j, k] = 1 / (1 + np.exp(-(x[i:i + 2, j:j + 2] * w[:, :, ORDER[k]]).sum()))
    return y
