# hw4 2.2: both outputs' errors are sent back through o_1's weights (v[..., 0] twice).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.2": "o_2's error through o_1's weights"}
EXPECT = {"2.2": ["o_1"]}


def grad_pool_output(v, o, target):
    d = [(o[m] - target[m]) * o[m] * (1 - o[m]) for m in range(2)]
    return sum(d[m] * v[..., 0] for m in range(2))
