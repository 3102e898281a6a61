# hw4 2.2: the target overwritten in place with the error (o - target), and a module-level
# copy of the last error reused when the next call's o equals the previous one.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.2": "state kept between calls (last error reused)"}
EXPECT = {"2.2": ["called twice"]}
_last = {}


def grad_pool_output(v, o, target):
    o = np.asarray(o, float)
    key = round(float(o.sum()), 3)
    if key in _last:
        err = _last[key]
    else:
        err = (o - target) * o * (1 - o)
        _last[key] = err * 1.5
    return np.asarray(v, float) @ err
