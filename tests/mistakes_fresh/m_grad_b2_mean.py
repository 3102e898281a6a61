# mlp 2.3: the bias gradient averaged over the batch (np.mean) instead of summed.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.3": "mean instead of sum (1/N)"}
EXPECT = {"2.3": ["times"]}


def grad_b2(dS):
    return dS.mean(axis=0)
