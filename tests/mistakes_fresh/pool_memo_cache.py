# hw4 1.3: "optimised" with a module-level cache keyed on the input's shape: every call after
# the first returns the first answer.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.3": "a module-level cache returns the first call's answer"}
EXPECT = {"1.3": ["does not change when y changes"]}
_cache = {}


def sum_pool(y):
    y = np.asarray(y)
    if y.shape not in _cache:
        _cache[y.shape] = y[:-1, :-1] + y[1:, :-1] + y[:-1, 1:] + y[1:, 1:]
    return _cache[y.shape]
