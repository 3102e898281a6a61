# hw4 1.4: the weighted sum's accumulator is set to 0 once, before the loop over the outputs,
# so o_2's sum carries o_1's on top of its own.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.4": "accumulator not reset between outputs"}
EXPECT = {"1.4": ["running total", "for o_2 includes o_1"]}


def fc_forward(z, v):
    out = np.zeros(2)
    total = 0.0
    for m in range(2):
        for i in range(2):
            for j in range(2):
                for k in range(3):
                    total += z[i, j, k] * v[i, j, k, m]
        out[m] = 1 / (1 + np.exp(-total))
    return out
