# mlp 2.4: the ReLU derivative taken of the gradient instead of Z (lambda style).
import numpy as np

ASSIGNMENT = "mlp"
CAUSE = {"2.4": "derivative mask from the gradient (Z unused)"}
EXPECT = {"2.4": ["does not change when Z changes"]}

relu_grad = lambda a: (a > 0).astype(float)  # noqa: E731
grad_hidden = lambda dS, W2, Z: (dS @ W2.T) * relu_grad(dS @ W2.T)  # noqa: E731
