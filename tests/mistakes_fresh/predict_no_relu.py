# mlp 1.5: predictions from a network without the hidden ReLU.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.5": "hidden ReLU left out"}
EXPECT = {"1.5": ["ReLU"]}


def predict(X, W1, b1, W2, b2):
    return np.argmax((X @ W1 + b1) @ W2 + b2, axis=1)
