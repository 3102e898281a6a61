# hw4 2.5: ties aside, the window's max found with a strict '>' scan from the end (same as argmax),
# but the gradient assigned (=) instead of added where windows share their max.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.5": "assigned instead of added at a shared max"}
EXPECT = {"2.5": ["assign"]}


def grad_conv_max_pool(y, dE_dz):
    out = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(2):
            for j in range(2):
                a, b = divmod(int(np.argmax(y[i:i + 2, j:j + 2, k])), 2)
                out[i + a, j + b, k] = dE_dz[i, j, k]
    return out
