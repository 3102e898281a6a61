# hw4 2.5: the error routed to each window's smallest neuron (argmin typed for argmax).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.5": "routed to the window's minimum"}
EXPECT = {"2.5": ["min"]}


def grad_conv_max_pool(y, dE_dz):
    y, g = np.asarray(y, float), np.asarray(dE_dz, float)
    dy = np.zeros_like(y)
    for k in range(y.shape[2]):
        for p in range(2):
            for q in range(2):
                win = y[p:p + 2, q:q + 2, k]
                a, b = np.unravel_index(np.argmin(win), (2, 2))
                dy[p + a, q + b, k] += g[p, q, k]
    return dy
