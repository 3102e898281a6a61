# Student typed fi for fj in the pixel's column index.
import math

EXPECT = {"1.2": ["x_{c_i+f_i−1,c_j+f_i−1}", "typo"]}


def conv_forward(x, w):
    y = [[[0.0] * 3 for _ in range(3)] for _ in range(3)]
    for k in range(3):
        for i in range(3):
            for j in range(3):
                s = 0.0
                for fi in range(2):
                    for fj in range(2):
                        s += x[i + fi][j + fi] * w[fi][fj][k]
                y[i][j][k] = 1 / (1 + math.exp(-s))
    return y
