# mlp 1.2: a module-level bias total that every call adds b2 into (state kept between calls).
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.2": "state kept between calls (a running bias)"}
EXPECT = {"1.2": ["called twice"]}
_bias = {}


def logits(H, W2, b2):
    K = len(b2)
    _bias[K] = _bias.get(K, 0.0) + np.asarray(b2, float)
    return np.asarray(H) @ np.asarray(W2) + _bias[K]
