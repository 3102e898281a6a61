# mlp 2.4: multiplied by Z itself instead of the ReLU's derivative 1[Z > 0].
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.4": "times Z instead of the indicator 1[Z > 0]"}
EXPECT = {"2.4": ["Z"]}


def grad_hidden(dS, W2, Z):
    return (dS @ W2.T) * np.maximum(Z, 0)
