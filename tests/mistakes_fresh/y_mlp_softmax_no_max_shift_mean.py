# mlp 1.3: subtracts the row mean instead of the row max (fine mathematically) but divides by
# the row count N as well ("normalising").
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.3": "an extra division by N"}
EXPECT = {"1.3": ["times"]}


def softmax(S):
    e = np.exp(S - S.mean(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True) / S.shape[0]
