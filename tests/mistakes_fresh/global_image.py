# hw4 1.2: the student tested conv_forward on a demo image at module level and the function
# reads that global instead of its argument x (x is ignored).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.2": "does not use its argument x (a module-level image)"}
EXPECT = {"1.2": ["does not change when x changes"]}

img = np.arange(16, dtype=float).reshape(4, 4) / 16.0


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def conv_forward(x, w):
    out = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(3):
            for j in range(3):
                out[i, j, k] = sigmoid(np.sum(img[i:i + 2, j:j + 2] * w[:, :, k]))
    return out
