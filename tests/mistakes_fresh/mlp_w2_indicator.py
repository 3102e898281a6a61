# mlp 2.2: the hidden activations replaced by their indicator (H > 0) in the weight gradient.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.2": "H replaced by the indicator H > 0"}
EXPECT = {"2.2": ["H", "> 0"]}


def grad_W2(H, dS):
    return (H > 0).astype(float).T @ dS
