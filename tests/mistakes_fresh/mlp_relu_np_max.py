# mlp 1.1: np.max(Z, 0) -- a maximum along axis 0, one number per column -- where the
# element-wise np.maximum(Z, 0) belongs: the answer lacks the batch axis.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.1": "np.max(Z, 0) for np.maximum(Z, 0)"}
EXPECT = {"1.1": ["without its axis 0", "np.maximum(x, 0)"]}


def hidden_forward(X, W1, b1):
    return np.max(X @ W1 + b1, 0)
