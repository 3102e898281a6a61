# hw4 2.4: the image used transposed (x.T) in the filter gradient.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.4": "x transposed"}
EXPECT = {"2.4": ["x", "transposed"]}


def grad_filters(x, y, dE_dy):
    xt = np.asarray(x).T
    d = np.asarray(dE_dy) * y * (1 - y)
    return np.array([[[np.sum(d[:, :, k] * xt[a:a + 3, b:b + 3]) for k in range(3)] for b in range(2)]
                     for a in range(2)])
