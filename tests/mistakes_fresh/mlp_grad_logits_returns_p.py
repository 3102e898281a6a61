# mlp 2.1: the softmax output returned as the gradient (the one-hot labels never subtracted,
# the mean's 1/N forgotten): the answer is an argument as it is.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.1": "returned P itself"}
EXPECT = {"2.1": ["exactly the argument p itself", "y never enters it"]}


def grad_logits(P, y):
    dS = np.array(P, dtype=float)
    return dS
