# hw4 2.4: the filter gradient summed over the channels as well (axis 2 included in the sum),
# the same number for every channel.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.4": "summed over the channel axis too"}
EXPECT = {"2.4": ["sum", "axis 2"]}


def grad_filters(x, y, dE_dy):
    d = dE_dy * y * (1 - y)
    g = np.zeros((2, 2, 3))
    for a in range(2):
        for b in range(2):
            g[a, b, :] = np.sum(d * x[a:a + 3, b:b + 3, None])
    return g
