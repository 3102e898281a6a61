# mlp 2.3: the bias gradient summed over the classes (axis 1) instead of over the batch.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.3": "sum over the wrong axis"}
EXPECT = {"2.3": ["axis"]}


def grad_b2(dS):
    return np.sum(dS, axis=1)
