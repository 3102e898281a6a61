# mlp 2.3: the bias gradient's accumulator starts at the first sample's row and then adds every
# row, the first included: the first sample counted twice.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.3": "sum initialised with dS[0], then every row added"}
EXPECT = {"2.3": ["first entry along axis 0 counted twice"]}


def grad_b2(dS):
    total = dS[0].copy()
    for row in dS:
        total = total + row
    return total
