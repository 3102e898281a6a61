# Student used a softmax over the two outputs.
import numpy as np

EXPECT = {"1.4": ["softmax"]}


def fc_forward(z, v):
    a = np.einsum("ijk,ijkm->m", np.asarray(z), np.asarray(v))
    e = np.exp(a - a.max())
    return e / e.sum()
