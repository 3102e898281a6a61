# Student indexed the labels the wrong way round: y_1 with o_2 and y_2 with o_1.
import numpy as np

EXPECT = {"2.1": ["target", "y_2"], "2.2": ["target", "y_2"]}


def grad_fc_weights(z, o, target):
    out = np.zeros((2, 2, 3, 2))
    for m in range(2):
        delta = (o[m] - target[1 - m]) * o[m] * (1 - o[m])
        out[:, :, :, m] = delta * np.asarray(z)
    return out


def grad_pool_output(v, o, target):
    v = np.asarray(v)
    dz = np.zeros((2, 2, 3))
    for m in range(2):
        dz += (o[m] - target[1 - m]) * o[m] * (1 - o[m]) * v[:, :, :, m]
    return dz
