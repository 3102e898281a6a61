# hw4 1.4: the weighted sum accumulated in a float16 array.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.4": "float16 accumulator"}
EXPECT = {"1.4": ["float16"]}


def fc_forward(z, v):
    s = np.zeros(2, dtype=np.float16)
    for m in range(2):
        s[m] = np.sum(np.asarray(z) * np.asarray(v)[..., m])
    return 1 / (1 + np.exp(-s.astype(float)))
