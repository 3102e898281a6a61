# mlp 2.1: the gradient is accumulated into np.zeros_like of the integer label array's one-hot.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.1": "integer accumulator (zeros_like of an int array)"}
EXPECT = {"2.1": ["integer"]}


def grad_logits(P, y):
    n, k = P.shape
    onehot = np.zeros((n, k), dtype=int)
    onehot[np.arange(n), y] = 1
    g = np.zeros_like(onehot)
    for i in range(n):
        for c in range(k):
            g[i, c] = (P[i, c] - onehot[i, c]) / n
    return g
