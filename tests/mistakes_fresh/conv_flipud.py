# hw4 1.2: the image flipped upside down first (np.flipud, "to match the figure").
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.2": "image flipped vertically"}
EXPECT = {"1.2": ["reverse", "x"]}


def conv_forward(x, w):
    x = np.flipud(np.asarray(x))
    y = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(3):
            for j in range(3):
                y[i, j, k] = 1 / (1 + np.exp(-(x[i:i + 2, j:j + 2] * w[:, :, k]).sum()))
    return y
