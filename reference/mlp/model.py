"""Reference NumPy model of Homework 5's two-layer perceptron, vectorized over a leading trial axis.

Every function takes arrays whose axis 0 indexes independent trials (one mini-batch each), so
the grader computes all expected answers of a student in one call per question.  Within a
trial the homework's shapes apply (indices 0-based, as in NumPy and in the homework):

    X  (N, D)   inputs, one sample per row         W1 (D, M)  b1 (M,)
    Z  (N, M)   hidden pre-activations             H  (N, M)  hidden activations, ReLU(Z)
    W2 (M, K)   b2 (K,)                            S  (N, K)  logits
    P  (N, K)   softmax probabilities              y  (N,)    integer labels in 0..K-1
    L           mean cross-entropy, a scalar per trial

Derived from the network's definition, not from any answer key, and checked against central
finite differences of the loss (and naive formulas) in tests/test_mlp_reference.py.
"""
from __future__ import annotations

import numpy as np


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def preactivation(X: np.ndarray, W1: np.ndarray, b1: np.ndarray) -> np.ndarray:
    """Z[t] = X[t] @ W1[t] + b1[t]."""
    return X @ W1 + b1[:, None, :]


def hidden_forward(X: np.ndarray, W1: np.ndarray, b1: np.ndarray) -> np.ndarray:
    """Q1.1: H = ReLU(X W1 + b1), shape (T, N, M)."""
    return relu(preactivation(X, W1, b1))


def logits(H: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """Q1.2: S = H W2 + b2, shape (T, N, K)."""
    return H @ W2 + b2[:, None, :]


def softmax(S: np.ndarray) -> np.ndarray:
    """Q1.3: row-wise softmax, shape (T, N, K).

    Each row is shifted by its own maximum first: the largest exponent is then exp(0) = 1, so
    nothing overflows and the denominator is at least 1 (no 0/0), whatever the logits' size.
    """
    e = np.exp(S - S.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(S: np.ndarray) -> np.ndarray:
    """log P, computed without forming P (used by the tests' loss, never underflows to -inf)."""
    shifted = S - S.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def picked(P: np.ndarray, y: np.ndarray) -> np.ndarray:
    """P[t, n, y[t, n]]: each sample's probability of its true label, shape (T, N)."""
    return np.take_along_axis(P, y[..., None], axis=-1)[..., 0]


def cross_entropy(P: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Q1.4: L = -(1/N) sum_n log P[n, y_n], one scalar per trial: shape (T,)."""
    return -np.log(picked(P, y)).mean(axis=-1)


def predict(X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """Q1.5: the predicted label of each sample, argmax_k S[n, k]: int64, shape (T, N).

    The softmax is monotonic, so the arg-max of the logits is the arg-max of the probabilities.
    """
    return logits(hidden_forward(X, W1, b1), W2, b2).argmax(axis=-1).astype(np.int64)


def one_hot(y: np.ndarray, K: int) -> np.ndarray:
    """Y[t, n, k] = 1 if y[t, n] == k else 0, shape (T, N, K)."""
    return (y[..., None] == np.arange(K)).astype(np.float64)


def grad_logits(P: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Q2.1: dL/dS = (P - onehot(y)) / N, shape (T, N, K)."""
    return (P - one_hot(y, P.shape[-1])) / P.shape[-2]


def grad_W2(H: np.ndarray, dS: np.ndarray) -> np.ndarray:
    """Q2.2: dL/dW2 = H^T dS, shape (T, M, K) (dS already carries the 1/N)."""
    return np.swapaxes(H, -1, -2) @ dS


def grad_b2(dS: np.ndarray) -> np.ndarray:
    """Q2.3: dL/db2 = sum over the batch of dS, shape (T, K)."""
    return dS.sum(axis=-2)


def grad_hidden(dS: np.ndarray, W2: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Q2.4: dL/dZ = (dS W2^T) * 1[Z > 0], shape (T, N, M)."""
    return (dS @ np.swapaxes(W2, -1, -2)) * (Z > 0)


def grad_W1(X: np.ndarray, dZ: np.ndarray) -> np.ndarray:
    """Q2.5: dL/dW1 = X^T dZ, shape (T, D, M)."""
    return np.swapaxes(X, -1, -2) @ dZ


def grad_b1(dZ: np.ndarray) -> np.ndarray:
    """dL/db1 = sum over the batch of dZ (not a question; used by the tests)."""
    return dZ.sum(axis=-2)


def forward(X, W1, b1, W2, b2) -> dict[str, np.ndarray]:
    """The whole forward pass: Z, H, S, P."""
    Z = preactivation(X, W1, b1)
    H = relu(Z)
    S = logits(H, W2, b2)
    return {"Z": Z, "H": H, "S": S, "P": softmax(S)}


def backward(X, W1, b1, W2, b2, y) -> dict[str, np.ndarray]:
    """Every gradient of the mean cross-entropy, chained from the questions' functions."""
    f = forward(X, W1, b1, W2, b2)
    dS = grad_logits(f["P"], y)
    dZ = grad_hidden(dS, W2, f["Z"])
    return {"S": dS, "W2": grad_W2(f["H"], dS), "b2": grad_b2(dS), "Z": dZ,
            "W1": grad_W1(X, dZ), "b1": grad_b1(dZ)}


def loss(X, W1, b1, W2, b2, y) -> np.ndarray:
    """L per trial, through log-softmax (accurate even where P underflows)."""
    S = logits(hidden_forward(X, W1, b1), W2, b2)
    return -np.take_along_axis(log_softmax(S), y[..., None], axis=-1)[..., 0].mean(axis=-1)
