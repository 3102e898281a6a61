# mlp 2.2: per-sample outer products, but the running total is overwritten: only sample 0 is kept
# (the loop runs backwards).
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.2": "= instead of += in the loop over samples (first sample's term only)"}
EXPECT = {"2.2": ["+=", "first"]}


def grad_W2(H, dS):
    H = np.asarray(H, dtype=float)
    dS = np.asarray(dS, dtype=float)
    out = np.zeros((H.shape[1], dS.shape[1]))
    for n in reversed(range(H.shape[0])):
        out = np.outer(H[n], dS[n])
    return out
