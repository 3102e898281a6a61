# mlp 1.1: the forward pass in float16 to "save memory", cast back to float64.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.1": "half precision"}
EXPECT = {"1.1": ["float16"]}


def hidden_forward(X, W1, b1):
    Z = X.astype(np.float16) @ W1.astype(np.float16) + b1.astype(np.float16)
    return np.maximum(Z, 0).astype(np.float64)
