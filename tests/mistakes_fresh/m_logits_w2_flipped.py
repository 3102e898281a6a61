# mlp 1.2: the class columns of W2 read in reverse order (W2[:, ::-1]).
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.2": "W2's columns reversed"}
EXPECT = {"1.2": ["reverse", "W2"]}


def logits(H, W2, b2):
    return H @ W2[:, ::-1] + b2
