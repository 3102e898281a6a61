# hw4 2.1: o_1's error term is right; o_2's lacks the sigmoid's derivative o(1-o).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.1": "o_2's error lacks the sigmoid derivative"}
EXPECT = {"2.1": ["o_2", "derivative"]}


def grad_fc_weights(z, o, target):
    delta1 = (o[0] - target[0]) * o[0] * (1 - o[0])
    delta2 = (o[1] - target[1])
    g = np.empty(np.shape(z) + (2,))
    g[..., 0] = delta1 * np.asarray(z)
    g[..., 1] = delta2 * np.asarray(z)
    return g
