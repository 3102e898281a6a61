# mlp 1.1: b1 turned into a column: the bias is added along the samples (b1[n % M] to row n).
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.1": "bias broadcast along the samples (per row) instead of per hidden unit"}
EXPECT = {"1.1": ["b1"]}


def hidden_forward(X, W1, b1):
    Z = np.dot(X, W1)
    col = np.resize(b1, Z.shape[0]).reshape(-1, 1)
    return np.maximum(0, Z + col)
