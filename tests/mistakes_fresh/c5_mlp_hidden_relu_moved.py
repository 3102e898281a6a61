# mlp 1.1: the ReLU put on the weights' input side: relu(W1) used, and the result left linear.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.1": "ReLU applied to W1 and missing on the result"}
EXPECT = {"1.1": ["ReLU", "W1"]}


def hidden_forward(X, W1, b1):
    W = np.where(W1 > 0, W1, 0.0)
    return X @ W + b1
