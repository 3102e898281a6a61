# hw4 1.4: o_2 computed with o_1's weights (the output index left out of v).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.4": "o_1's weights used for both outputs"}
EXPECT = {"1.4": ["stuck at 0"]}


def fc_forward(z, v):
    outs = []
    for m in range(2):
        s = 0.0
        for i in range(2):
            for j in range(2):
                for k in range(3):
                    s += z[i][j][k] * v[i][j][k][0]
        outs.append(1 / (1 + np.exp(-s)))
    return np.array(outs)
