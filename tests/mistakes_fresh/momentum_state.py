# hw4 2.2: optimiser code mixed into the gradient: a module-level velocity that every call updates.
import numpy as np

ASSIGNMENT = "hw4"
CAUSE = {"2.2": "state kept between calls (momentum)"}
EXPECT = {"2.2": ["called twice"]}
velocity = 0.0


def grad_pool_output(v, o, target):
    global velocity
    g = sum((o[m] - target[m]) * o[m] * (1 - o[m]) * v[..., m] for m in range(2))
    velocity = 0.9 * velocity + g
    return velocity
