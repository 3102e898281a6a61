# Student reads dE/dz as dE_dz[j][i] in the sum-pooling backward pass.
import numpy as np

EXPECT = {"2.3": ["transposed"]}


def grad_conv_sum_pool(dE_dz):
    dy = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(2):
            for j in range(2):
                for a in range(2):
                    for b in range(2):
                        dy[i + a, j + b, k] += dE_dz[j][i][k]
    return dy
