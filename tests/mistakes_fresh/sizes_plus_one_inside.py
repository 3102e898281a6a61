# hw4 1.1: (n - f + 1) // s instead of (n - f) // s + 1.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.1": "(n - f + 1) // s"}
EXPECT = {"1.1": ["stride"]}


def layer_sizes(width, height, filter_size, pool_size, stride):
    cw = (width - filter_size + 1) // stride
    ch = (height - filter_size + 1) // stride
    return cw, ch, cw - pool_size + 1, ch - pool_size + 1
