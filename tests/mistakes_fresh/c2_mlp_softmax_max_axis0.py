# mlp 1.3: the stabilising shift takes the maximum over the batch (axis 0, per class) instead of per row.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.3": "max taken along axis 0 instead of per row"}
EXPECT = {"1.3": ["axis 0"]}


def softmax(S):
    S = np.asarray(S, dtype=float)
    shifted = S - np.max(S, axis=0)
    e = np.exp(shifted)
    return e / np.sum(e, axis=1, keepdims=True)
