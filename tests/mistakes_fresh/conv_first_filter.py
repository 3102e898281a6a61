# hw4 1.2: every channel convolved with the first channel's filter (w[:, :, 0]).
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"1.2": "first filter used for every channel"}
EXPECT = {"1.2": ["stuck at 0"]}


def conv_forward(x, w):
    from numpy.lib.stride_tricks import sliding_window_view
    win = sliding_window_view(np.asarray(x), (2, 2))
    a = np.einsum("ijab,ab->ij", win, w[:, :, 0])
    s = 1 / (1 + np.exp(-a))
    return np.repeat(s[:, :, None], w.shape[2], axis=2)
