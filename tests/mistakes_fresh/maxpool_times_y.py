# hw4 2.5: the error routed to each window's max, but multiplied by the max value y as well.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.5": "routed error multiplied by y"}
EXPECT = {"2.5": ["multiplied element by element by y"]}


def grad_conv_max_pool(y, dE_dz):
    out = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(2):
            for j in range(2):
                w = y[i:i + 2, j:j + 2, k]
                a, b = np.unravel_index(np.argmax(w), (2, 2))
                out[i + a, j + b, k] += dE_dz[i, j, k] * w[a, b]
    return out
