# mlp 1.4: the summed loss divided by the number of classes (P.shape[1]) instead of the batch
# size: a factor N/K that differs between shape groups, a ratio of two sizes.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.4": "divided by K (P.shape[1]) where N belongs"}
EXPECT = {"1.4": ["division by P.shape[1]", "len(P)"]}


def cross_entropy(P, y):
    picked = P[np.arange(len(y)), y]
    return -np.log(picked).sum() / P.shape[1]
