# mlp 2.4: W2 taken from a module-level model dictionary filled by a demo run.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.4": "ignores W2 (module-level)"}
EXPECT = {"2.4": ["does not change when W2 changes"]}

model = {"W2": np.random.default_rng(3).normal(size=(64,))}


def grad_hidden(dS, W2, Z):
    W = model["W2"][:W2.size].reshape(W2.shape)
    return (dS @ W.T) * (Z > 0)
