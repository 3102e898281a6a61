# hw4 2.5: `return dy` indented inside the loop over channels: only the first channel is
# filled, the others stay at their initial 0.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.5": "return inside the channel loop"}
EXPECT = {"2.5": ["never written", "a return or a break inside it"]}


def grad_conv_max_pool(y, dE_dz):
    dy = np.zeros((3, 3, 3))
    for k in range(3):
        for i in range(2):
            for j in range(2):
                win = y[i:i + 2, j:j + 2, k]
                a, b = np.unravel_index(np.argmax(win), (2, 2))
                dy[i + a, j + b, k] += dE_dz[i, j, k]
        return dy
