# mlp 2.1: labels treated as 1-based (y - 1): label 0 wraps to the last class.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.1": "1-based labels (y - 1), wrapping"}
EXPECT = {"2.1": ["y"]}


def grad_logits(P, y):
    G = P.copy()
    G[np.arange(len(y)), y - 1] -= 1
    return G / len(y)
