# hw4 2.2: the outputs and targets paired crosswise: (o_1 - y_2) and (o_2 - y_1).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.2": "labels paired with the other output"}
EXPECT = {"2.2": ["y_"]}


def grad_pool_output(v, o, target):
    d = [(o[m] - target[1 - m]) * o[m] * (1 - o[m]) for m in range(2)]
    return d[0] * v[..., 0] + d[1] * v[..., 1]
