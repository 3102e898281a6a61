# hw4 2.5: the gradient accumulated into np.zeros_like of the argmax index array (integers).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.5": "integer accumulator"}
EXPECT = {"2.5": ["integer"]}


def grad_conv_max_pool(y, dE_dz):
    idx = np.zeros((3, 3, 3), dtype=int)
    out = np.zeros_like(idx)
    for k in range(3):
        for i in range(2):
            for j in range(2):
                a, b = divmod(int(np.argmax(y[i:i + 2, j:j + 2, k])), 2)
                out[i + a, j + b, k] += dE_dz[i, j, k]
    return out
