# mlp 1.3: softmax normalised over the batch (axis 0) instead of over each row.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.3": "normalised over the wrong axis (the batch)"}
EXPECT = {"1.3": ["axis"]}


def softmax(S):
    e = np.exp(S - np.max(S))
    return e / np.sum(e, axis=0)
