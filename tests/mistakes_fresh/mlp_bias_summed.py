# mlp 1.2: the bias vector summed to one number and added to every logit.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.2": "b2 summed to a scalar"}
EXPECT = {"1.2": ["b2"]}


def logits(H, W2, b2):
    return H @ W2 + np.sum(b2)
