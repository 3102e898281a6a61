# mlp 2.1: the identity matrix for the one-hot labels is built once, on the first call, and kept
# in a default argument: a later shape group with another number of classes raises.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.1": "state kept between calls (a default-argument cache sized by the first call)"}
EXPECT = {"2.1": ["fresh start", "earlier calls"]}
STATUS = "error"


def grad_logits(P, y, _cache={}):
    n, k = P.shape
    if "eye" not in _cache:
        _cache["eye"] = np.eye(k)  # build the identity only once
    Y = _cache["eye"][y]
    return (P - Y) / n
