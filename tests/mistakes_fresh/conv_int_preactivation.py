# hw4 1.2: the weighted sums are stored in an integer array before the sigmoid: every sum is
# truncated toward 0 (the returned array is float, so its dtype says nothing).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.2": "pre-activations kept in an int array"}
EXPECT = {"1.2": ["truncated toward 0 to whole numbers", "kept as integers before the sigmoid"]}


def conv_forward(x, w):
    s = np.zeros((3, 3, 3), dtype=int)
    for i in range(3):
        for j in range(3):
            for k in range(3):
                s[i, j, k] = (x[i:i + 2, j:j + 2] * w[:, :, k]).sum()
    return 1 / (1 + np.exp(-s))
