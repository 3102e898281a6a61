# hw4 2.2: both outputs' error terms summed first and sent back through the summed weights:
# every element mixes both outputs' errors with both weights.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.2": "error terms mixed: (d1 + d2)(w1 + w2)"}
EXPECT = {"2.2": ["sum of its entries along axis 3"]}


def grad_pool_output(v, o, target):
    delta = sum((o[m] - target[m]) * o[m] * (1 - o[m]) for m in range(2))
    return delta * (v[..., 0] + v[..., 1])
