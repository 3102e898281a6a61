# hw4 2.3: each y collects the errors of the windows beside it in its row only (the windows
# above and below are forgotten).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.3": "only the windows in the same row"}
EXPECT = {"2.3": ["term"]}


def grad_conv_sum_pool(dE_dz):
    dz = np.asarray(dE_dz)
    dy = np.zeros((3, 3, 3))
    for i in range(3):
        for j in range(3):
            pi = min(i, 1)
            for pj in (j - 1, j):
                if 0 <= pj < 2:
                    dy[i, j] += dz[pi, pj]
    return dy
