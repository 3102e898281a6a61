# mlp 1.3: softmax normalised over the whole array (every sample and class together).
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.3": "normalised over the whole array"}
EXPECT = {"1.3": ["whole"]}


def softmax(S):
    e = np.exp(S - S.max())
    return e / e.sum()
