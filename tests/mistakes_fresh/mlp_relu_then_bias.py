# mlp 1.1: the ReLU applied before the bias is added.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.1": "ReLU before adding b1"}
EXPECT = {"1.1": ["bias after the ReLU"]}


def hidden_forward(X, W1, b1):
    return np.maximum(X @ W1, 0) + b1
