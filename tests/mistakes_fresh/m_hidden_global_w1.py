# mlp 1.1: W1 from a module-level "trained" model (same shape only by luck of a reshape).
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.1": "ignores W1 (module-level weights)"}
EXPECT = {"1.1": ["does not change when W1 changes"]}

_rng = np.random.default_rng(1)
W_TRAINED = _rng.normal(size=64)


def hidden_forward(X, W1, b1):
    W = W_TRAINED[:W1.size].reshape(W1.shape)
    return np.maximum(X @ W + b1, 0)
