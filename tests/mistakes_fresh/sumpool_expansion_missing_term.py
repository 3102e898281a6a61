# hw4 2.3 written out by hand, window by window: y_{3,2} gets only the window (2,1)'s error,
# the term of window (2,2) is missing.  Each element's own terms say it; a catalogued mistake
# made in one row only is the other reading of the same numbers, said after them.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.3": "one term missing from one element of a hand expansion"}
EXPECT = {"2.3": ["your ∂e/∂y_{3,2,k=1} is exactly ∂e/∂z_{2,1,1}'s term", "written out term by term"]}


def grad_conv_sum_pool(d):
    d = np.asarray(d, float)
    g = np.zeros((3, 3, 3))
    g[0, 0] = d[0, 0]
    g[0, 1] = d[0, 0] + d[0, 1]
    g[0, 2] = d[0, 1]
    g[1, 0] = d[0, 0] + d[1, 0]
    g[1, 1] = d[0, 0] + d[0, 1] + d[1, 0] + d[1, 1]
    g[1, 2] = d[0, 1] + d[1, 1]
    g[2, 0] = d[1, 0]
    g[2, 1] = d[1, 0]
    g[2, 2] = d[1, 1]
    return g
