# mlp 1.2: a ReLU applied to the logits too (the activation at the wrong layer).
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.2": "ReLU applied to the output layer"}
EXPECT = {"1.2": ["ReLU"]}


def logits(H, W2, b2):
    return np.maximum(H @ W2 + b2, 0)
