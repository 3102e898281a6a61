# mlp 2.5: the loop over the samples runs to len(X[0]), the number of features D, instead of
# len(X), the number of samples N: only the first D samples are summed (this student's shapes
# all have D < N; a larger D raises an IndexError).
import numpy as np

ASSIGNMENT = "mlp"
STUDENT = "x"
CAUSE = {"2.5": "a loop bound taken from another axis (D for N)"}
EXPECT = {"2.5": ["only its first", "the length of another axis (x.shape[1]"]}


def grad_W1(X, dZ):
    G = np.zeros((X.shape[1], dZ.shape[1]))
    for n in range(len(X[0])):
        G += np.outer(X[n], dZ[n])
    return G
