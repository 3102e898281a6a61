# mlp 1.5: returns the probability of the predicted class instead of its label.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.5": "max probability instead of argmax"}
EXPECT = {"1.5": ["fractional numbers"]}


def predict(X, W1, b1, W2, b2):
    S = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P = P / P.sum(axis=1, keepdims=True)
    return P.max(axis=1)
