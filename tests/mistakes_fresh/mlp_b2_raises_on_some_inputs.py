# mlp 2.3: right wherever it returns, but it raises for some inputs (a check the student added
# that valid inputs fail): the calls that raise are retried with the others, which are all right.
import numpy as np

ASSIGNMENT = "mlp"
STATUS = "error"
CAUSE = {"2.3": "raises on valid inputs, right elsewhere"}
EXPECT = {"2.3": ["where your function returned an answer", "every answer is right"]}


def grad_b2(dS):
    if dS[0, 0] > 0:
        raise ValueError("expected a negative first gradient")
    return dS.sum(axis=0)
