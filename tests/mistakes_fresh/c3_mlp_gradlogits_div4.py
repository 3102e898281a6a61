# mlp 2.1: the batch size of the handout's example (4) typed in as a number.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.1": "batch size hard-coded as 4"}
EXPECT = {"2.1": ["hard-coded as 4", "len(P)"]}


def grad_logits(P, y):
    P = np.array(P, dtype=float)
    P[np.arange(len(y)), y] -= 1.0
    return P / 4
