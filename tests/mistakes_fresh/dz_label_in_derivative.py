# hw4 2.2: the sigmoid's derivative written o(1 - y) (the label where the output belongs).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.2": "o_m(1 - y_m) for o_m(1 - o_m)"}
EXPECT = {"2.2": ["o_m(1 − y_m)", "the label y_m in place of one o_m"]}


def grad_pool_output(v, o, target):
    d = (o - target) * o * (1 - target)
    return np.asarray(v, float) @ d
