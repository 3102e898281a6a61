# hw4 2.4: y used where dE/dy belongs (two arguments of one shape mixed up): the error term is
# y * y(1 - y) instead of dE/dy * y(1 - y).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.4": "y used in place of dE_dy"}
EXPECT = {"2.4": ["de_dy is replaced by the argument y"]}


def grad_filters(x, y, dE_dy):
    g = y * y * (1 - y)
    dw = np.zeros((2, 2, 3))
    for a in range(2):
        for b in range(2):
            dw[a, b] = (x[a:a + 3, b:b + 3, None] * g).sum(axis=(0, 1))
    return dw
