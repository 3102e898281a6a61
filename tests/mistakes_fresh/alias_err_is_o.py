# hw4 2.2: `err = o` names the same array, so `err -= target` changes o itself; the sigmoid's
# derivative is then taken of o - target instead of o (an aliasing mistake: no copy was made).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.2": "o changed in place through an alias before o(1 - o) is computed"}
EXPECT = {"2.2": ["changes the array o", "in place"]}


def grad_pool_output(v, o, target):
    err = o
    err -= target
    delta = err * o * (1 - o)
    return np.asarray(v, float) @ delta
