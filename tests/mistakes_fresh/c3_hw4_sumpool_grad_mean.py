# hw4 2.3: each neuron's error averaged over the windows that contain it instead of summed.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.3": "divided by the number of windows containing each neuron"}
EXPECT = {"2.3": ["windows"]}


def grad_conv_sum_pool(dE_dz):
    dz = np.asarray(dE_dz, dtype=float)
    dy = np.zeros((3, 3, dz.shape[2]))
    count = np.zeros((3, 3, 1))
    for p in range(2):
        for q in range(2):
            dy[p:p + 2, q:q + 2] += dz[p, q]
            count[p:p + 2, q:q + 2] += 1
    return dy / count
