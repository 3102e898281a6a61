# Student pools channel 0 and copies it to every channel.
import numpy as np

EXPECT = {"1.3": ["repeated", "where z_{*,*,k=2} should be, you return z_{*,*,k=1}"]}


def sum_pool(y):
    y = np.asarray(y)
    z = np.zeros((2, 2, 3))
    for i in range(2):
        for j in range(2):
            z[i, j, :] = y[i:i + 2, j:j + 2, 0].sum()
    return z
