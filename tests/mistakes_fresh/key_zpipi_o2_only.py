# hw4 2.1: o_2's gradient copies the answer key's typo z_{p_i,p_i,k} (o_1's is right): one part
# of the answer computed from a misread argument.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.1": "z[i, i, k] for z[i, j, k] in o_2's branch only"}
EXPECT = {"2.1": ["∂e/∂w_{*,*,*,o_1} is right", "axis-1 index equal to its axis-0 index"]}


def grad_fc_weights(z, o, target):
    d = (o - target) * o * (1 - o)
    g = np.zeros((2, 2, 3, 2))
    for i in range(2):
        for j in range(2):
            for k in range(3):
                g[i, j, k, 0] = d[0] * z[i, j, k]
                g[i, j, k, 1] = d[1] * z[i, i, k]
    return g
