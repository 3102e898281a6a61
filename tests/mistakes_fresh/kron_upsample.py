# hw4 2.3: the pooling error upsampled with np.kron (each z error copied to a 2x2 block) and
# cropped to 3x3: every y gets the error of one window only.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.3": "np.kron upsampling then cropping (each y gets one window's error)"}
EXPECT = {"2.3": ["kron", "assigned"]}


def grad_conv_sum_pool(dE_dz):
    dz = np.asarray(dE_dz)
    up = np.stack([np.kron(dz[:, :, k], np.ones((2, 2))) for k in range(dz.shape[2])], axis=-1)
    return up[:3, :3, :]
