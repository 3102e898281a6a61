# mlp 2.2: computed dS^T H (shape K x M), then reshaped to (M, K) instead of transposed.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.2": "reshape instead of transpose"}
EXPECT = {"2.2": ["reshape"]}


def grad_W2(H, dS):
    g = np.matmul(np.transpose(dS), H)
    return g.reshape(H.shape[1], dS.shape[1])
