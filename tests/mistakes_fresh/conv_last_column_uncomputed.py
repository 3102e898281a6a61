# hw4 1.2: the column loop runs over the filter's width (2) instead of the output's (3): the last
# column's weighted sums stay at 0, so those neurons are sigmoid(0) = 0.5.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.2": "a column never computed, left at the sigmoid of 0"}
EXPECT = {"1.2": ["exactly 0.5 in every trial", "the sigmoid of 0", "never computed"]}


def conv_forward(x, w):
    s = np.zeros((3, 3, 3))
    for i in range(3):
        for j in range(2):
            for k in range(3):
                s[i, j, k] = (x[i:i + 2, j:j + 2] * w[:, :, k]).sum()
    return 1 / (1 + np.exp(-s))
