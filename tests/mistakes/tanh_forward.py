# Student used tanh as the activation in the forward pass.
import math

EXPECT = {"1.2": ["tanh"], "1.4": ["tanh"]}


def conv_forward(x, w):
    y = [[[0.0] * 3 for _ in range(3)] for _ in range(3)]
    for k in range(3):
        for i in range(3):
            for j in range(3):
                s = 0.0
                for a in range(2):
                    for b in range(2):
                        s += x[i + a][j + b] * w[a][b][k]
                y[i][j][k] = math.tanh(s)
    return y


def fc_forward(z, v):
    out = []
    for m in range(2):
        s = 0.0
        for i in range(2):
            for j in range(2):
                for k in range(3):
                    s += z[i][j][k] * v[i][j][k][m]
        out.append(math.tanh(s))
    return out
