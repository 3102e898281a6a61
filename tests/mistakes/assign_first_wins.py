# Student fills each neuron once: the first window that reaches it wins.
import numpy as np

EXPECT = {"2.3": ["assign_not_accumulate"]}


def grad_conv_sum_pool(dE_dz):
    dy = np.zeros((3, 3, 3))
    done = np.zeros((3, 3), dtype=bool)
    for i in range(2):
        for j in range(2):
            for a in range(2):
                for b in range(2):
                    if not done[i + a, j + b]:
                        dy[i + a, j + b, :] = dE_dz[i][j]
                        done[i + a, j + b] = True
    return dy
