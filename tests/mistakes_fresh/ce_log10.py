# mlp 1.4: cross-entropy with log10 instead of the natural log.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.4": "log10 instead of ln"}
EXPECT = {"1.4": ["log"]}


def cross_entropy(P, y):
    return -np.mean(np.log10(P[np.arange(len(y)), y]))
