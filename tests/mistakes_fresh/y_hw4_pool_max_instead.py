# hw4 1.3: max pooling where sum pooling is asked.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.3": "max instead of sum"}
EXPECT = {"1.3": ["max"]}


def sum_pool(y):
    y = np.asarray(y)
    return np.array([[y[i:i + 2, j:j + 2].max(axis=(0, 1)) for j in range(2)] for i in range(2)])
