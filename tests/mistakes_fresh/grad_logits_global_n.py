# mlp 2.1: divides by the batch size of the demo (a module-level N = 10), not the batch's own.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.1": "divides by a module-level N instead of the batch size"}
EXPECT = {"2.1": ["times"]}
N = 10


def grad_logits(P, y):
    Y = np.zeros_like(P)
    Y[np.arange(len(y)), y] = 1.0
    return (P - Y) / N
