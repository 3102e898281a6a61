# hw4 2.5: the flat arg-max index decoded column-major (row = idx % 2, col = idx // 2).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.5": "flat index decoded column-major: the mirror (transposed) position in the window"}
EXPECT = {"2.5": ["position"]}


def grad_conv_max_pool(y, dE_dz):
    y, g = np.asarray(y, float), np.asarray(dE_dz, float)
    dy = np.zeros_like(y)
    for p in range(2):
        for q in range(2):
            for k in range(3):
                idx = int(np.argmax(y[p:p + 2, q:q + 2, k]))
                dy[p + idx % 2, q + idx // 2, k] += g[p, q, k]
    return dy
