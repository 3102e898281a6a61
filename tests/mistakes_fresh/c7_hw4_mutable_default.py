# hw4 2.2: a mutable default argument used as a cache: every call's error is appended and the
# sum of all errors so far is sent back (state kept between calls).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.2": "state kept between calls (mutable default list)"}
EXPECT = {"2.2": ["called twice"]}


def grad_pool_output(v, o, target, _errs=[]):
    o = np.asarray(o, float)
    _errs.append((o - np.asarray(target, float)) * o * (1 - o))
    delta = np.sum(_errs, axis=0)
    return np.asarray(v, float) @ delta
