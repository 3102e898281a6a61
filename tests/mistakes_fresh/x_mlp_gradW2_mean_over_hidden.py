# mlp 2.2: H averaged over the hidden units first (a (N, 1) column), outer with dS.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.2": "H averaged over its hidden axis"}
EXPECT = {"2.2": ["mean", "H"]}


def grad_W2(H, dS):
    h = H.mean(axis=1, keepdims=True) * np.ones_like(H)
    return h.T @ dS
