# mlp 2.5: the absolute value of dZ taken ("gradient magnitudes").
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.5": "|dZ| instead of dZ"}
EXPECT = {"2.5": ["dZ", "absolute"]}


def grad_W1(X, dZ):
    return X.T @ np.abs(dZ)
