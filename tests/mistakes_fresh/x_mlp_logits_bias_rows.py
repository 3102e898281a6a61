# mlp 1.2: the bias added to each sample (row) by index: b2[n % K] added to row n.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.2": "bias indexed by the sample, not the class"}
EXPECT = {"1.2": ["b2"]}


def logits(H, W2, b2):
    S = H @ W2
    for n in range(S.shape[0]):
        S[n] += b2[n % len(b2)]
    return S
