# hw4 1.4: v flattened as (2, 12) and transposed, instead of (12, 2): the weights are read in
# the wrong order.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.4": "v reshaped in the wrong order"}
EXPECT = {"1.4": ["reshape"]}


def fc_forward(z, v):
    s = np.asarray(z).ravel() @ np.asarray(v).reshape(2, 12).T
    return 1 / (1 + np.exp(-s))
