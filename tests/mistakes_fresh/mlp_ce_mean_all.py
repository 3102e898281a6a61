# mlp 1.4: the one-hot cross-entropy averaged over all N*K entries instead of over the N samples.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.4": "mean over N*K entries (a factor 1/K)"}
EXPECT = {"1.4": ["times"]}


def cross_entropy(P, y):
    Y = np.eye(P.shape[1])[y]
    return -np.mean(Y * np.log(P))
