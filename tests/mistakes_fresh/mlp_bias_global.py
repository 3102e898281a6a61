# mlp 1.2: logits adds the bias b2 of a demo run kept at module level, not the argument.
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"1.2": "ignores the argument b2 (module-level b2)"}
EXPECT = {"1.2": ["does not change when b2 changes"]}

b2_demo = np.array([0.3])  # (the demo had one class column to test broadcasting)


def logits(H, W2, bias):
    return np.dot(H, W2) + b2_demo
