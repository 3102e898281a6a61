# mlp 1.3: a "temperature" of 2 left in from an experiment: exp(S / 2).
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.3": "logits divided by 2 (temperature)"}
EXPECT = {"1.3": ["1/2"]}


def softmax(S):
    T = 2.0
    z = S / T
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
