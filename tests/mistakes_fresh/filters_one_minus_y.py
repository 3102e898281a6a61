# hw4 2.4: the sigmoid's derivative written as (1 - y) only.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.4": "(1 - y) instead of y(1 - y)"}
EXPECT = {"2.4": ["(1 − y"]}


def grad_filters(x, y, dE_dy):
    d = dE_dy * (1 - y)
    return np.stack([np.stack([np.sum(d * x[a:a + 3, b:b + 3, None], axis=(0, 1)) for b in range(2)])
                     for a in range(2)])
