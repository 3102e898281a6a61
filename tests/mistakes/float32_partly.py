# Student computed the output error in float32, then multiplied by z in float64.
import numpy as np

EXPECT = {}  # float32 work is right: compare rounds the inputs whatever the container


def grad_fc_weights(z, o, target):
    o32, t32 = np.float32(o[0]), np.float32(target[0])
    o32b, t32b = np.float32(o[1]), np.float32(target[1])
    d = [float((o32 - t32) * o32 * (np.float32(1) - o32)), float((o32b - t32b) * o32b * (np.float32(1) - o32b))]
    z = np.asarray(z)
    return np.stack([z * d[0], z * d[1]], axis=-1)
