# mlp 2.4: the ReLU mask is recomputed from the back-propagated gradient itself, not from Z
# (the argument Z is ignored).
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.4": "ignores the argument Z (mask recomputed from the gradient)"}
EXPECT = {"2.4": ["does not change when Z changes"]}


def grad_hidden(dS, W2, Z):
    back = dS @ W2.T
    return back * (back > 0)
