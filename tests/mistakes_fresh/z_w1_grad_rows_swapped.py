# mlp 2.5: X and dZ swapped in the product, then transposed back: dZ^T X, transposed.
# (correct)  -- a control: no finding may appear; the question must pass.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {}
EXPECT = {}


def grad_W1(X, dZ):
    return (dZ.T @ X).T
