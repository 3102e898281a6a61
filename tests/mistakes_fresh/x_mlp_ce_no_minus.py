# mlp 1.4: the minus sign of the cross-entropy left out.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.4": "sign missing"}
EXPECT = {"1.4": ["sign"]}


def cross_entropy(P, y):
    return np.mean(np.log(P[np.arange(len(y)), y]))
