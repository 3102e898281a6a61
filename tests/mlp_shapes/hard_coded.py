"""Homework 5 with one shape hard-coded, or read from the wrong axis, in every function: each
is right only when the dimensions it assumes happen to hold (the grader must catch them all)."""
import numpy as np


def hidden_forward(X, W1, b1):  # M hard-coded: 4 hidden units
    return np.maximum(0.0, X @ W1 + b1.reshape(1, 4))


def logits(H, W2, b2):
    return H @ W2 + b2


def softmax(S):  # the batch size read from the class axis (right when N == K)
    P = np.zeros(S.shape)
    for n in range(S.shape[1]):
        e = np.exp(S[n] - S[n].max())
        P[n] = e / e.sum()
    return P


def cross_entropy(P, y):  # N hard-coded: divides by 5
    return -np.sum(np.log(P[np.arange(len(y)), y])) / 5


def predict(X, W1, b1, W2, b2):  # the batch size read from the input axis (right when N == D)
    out = np.zeros(X.shape[0], dtype=int)
    for n in range(X.shape[1]):
        out[n] = np.argmax(np.maximum(0.0, X[n] @ W1 + b1) @ W2 + b2)
    return out


def grad_logits(P, y):  # K hard-coded: 3 classes
    return (P - np.eye(3)[y]) / len(y)


def grad_W2(H, dS):  # reshape instead of transpose
    return (dS.T @ H).reshape(H.shape[1], dS.shape[1])


def grad_b2(dS):  # K hard-coded: 3 classes
    out = np.zeros(3)
    for k in range(3):
        out[k] = dS[:, k].sum()
    return out


def grad_hidden(dS, W2, Z):  # M read from W2's class axis (right when M == K)
    out = np.zeros(Z.shape)
    for n in range(Z.shape[0]):
        for j in range(W2.shape[1]):
            out[n, j] = (dS[n] @ W2[j]) * (Z[n, j] > 0)
    return out


def grad_W1(X, dZ):  # D hard-coded: 4 inputs
    out = np.zeros((4, dZ.shape[1]))
    for i in range(4):
        out[i] = X[:, i] @ dZ
    return out
