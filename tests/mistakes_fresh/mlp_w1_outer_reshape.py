# mlp 2.5: sum of np.outer(dZ[n], X[n]) (the wrong order: shape (M, D)), then reshaped to (D, M).
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.5": "np.outer in the wrong order, then reshape"}
EXPECT = {"2.5": ["reshape"]}
STUDENT = "s1"


def grad_W1(X, dZ):
    total = 0
    for n in range(X.shape[0]):
        total = total + np.outer(dZ[n], X[n])
    return total.reshape(X.shape[1], dZ.shape[1])
