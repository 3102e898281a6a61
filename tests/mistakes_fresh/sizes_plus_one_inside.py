# hw4 1.1: (n - f + 1) // s instead of (n - f) // s + 1.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.1": "(n - f + 1) // s"}
EXPECT = {"1.1": ["stride"]}


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    cw = (width - filter_size + 1) // stride
    ch = (height - filter_size + 1) // stride
    return cw, ch, cw - pool_size + 1, ch - pool_size + 1
