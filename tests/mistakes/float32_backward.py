# Student computed in float32 and returned a float64 copy.
import numpy as np

EXPECT = {}  # float32 work is right: compare rounds the inputs whatever the container


def grad_fc_weights(z, o, target):
    z, o, t = (np.asarray(a, dtype=np.float32) for a in (z, o, target))
    delta = (o - t) * o * (np.float32(1) - o)
    return (z[..., None] * delta).astype(np.float64)


def grad_pool_output(v, o, target):
    v, o, t = (np.asarray(a, dtype=np.float32) for a in (v, o, target))
    delta = (o - t) * o * (np.float32(1) - o)
    return (v @ delta).tolist()
