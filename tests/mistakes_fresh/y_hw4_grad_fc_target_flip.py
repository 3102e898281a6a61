# hw4 2.1: error written as (y - o) (target minus output).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.1": "sign flipped (y - o)"}
EXPECT = {"2.1": ["sign"]}


def grad_fc_weights(z, o, target):
    err = [(target[m] - o[m]) * o[m] * (1 - o[m]) for m in range(2)]
    return np.stack([np.asarray(z) * e for e in err], axis=-1)
