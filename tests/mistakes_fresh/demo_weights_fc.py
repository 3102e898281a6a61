# hw4 1.4: fc_forward uses demo weights V created at import instead of the argument v.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.4": "ignores v (module-level weights)"}
EXPECT = {"1.4": ["does not change when v changes"]}

rng = np.random.default_rng(42)
V = rng.normal(size=(2, 2, 3, 2))


def fc_forward(z, v):
    flat = np.asarray(z).reshape(-1)
    s = flat @ V.reshape(-1, 2)
    return 1.0 / (1.0 + np.exp(-s))
