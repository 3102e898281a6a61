# mlp 1.1: the ReLU applied to the inputs X as well (an activation a layer too early).
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.1": "ReLU applied to X before the layer"}
EXPECT = {"1.1": ["ReLU", "X"]}


def hidden_forward(X, W1, b1):
    A = np.where(X > 0, X, 0.0)
    return np.where(A @ W1 + b1 > 0, A @ W1 + b1, 0.0)
