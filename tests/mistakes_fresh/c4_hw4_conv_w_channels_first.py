# hw4 1.2: the filters read as if stored channels-first: w.reshape(3, 2, 2)[k] taken as filter k.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.2": "w's numbers read in another arrangement (reshape instead of transpose)"}
EXPECT = {"1.2": ["w"]}


def conv_forward(x, w):
    x = np.asarray(x, dtype=float)
    filt = np.asarray(w, dtype=float).reshape(3, 2, 2)
    y = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(3):
            for j in range(3):
                y[i, j, k] = np.sum(x[i:i + 2, j:j + 2] * filt[k])
    return 1 / (1 + np.exp(-y))
