"""Homework 5 -- written with explicit loops and the math module, one number at a time."""
import math

import numpy as np


def hidden_forward(X, W1, b1):
    N, D = X.shape
    M = W1.shape[1]
    H = np.zeros((N, M))
    for n in range(N):
        for j in range(M):
            total = b1[j]
            for i in range(D):
                total += X[n, i] * W1[i, j]
            H[n, j] = max(0.0, total)
    return H


def logits(H, W2, b2):
    N, M = H.shape
    K = W2.shape[1]
    S = np.zeros((N, K))
    for n in range(N):
        for k in range(K):
            total = b2[k]
            for j in range(M):
                total += H[n, j] * W2[j, k]
            S[n, k] = total
    return S


def softmax(S):
    N, K = S.shape
    P = np.zeros((N, K))
    for n in range(N):
        top = max(S[n])  # shift each row by its largest logit: no overflow
        exps = [math.exp(S[n, k] - top) for k in range(K)]
        total = sum(exps)
        for k in range(K):
            P[n, k] = exps[k] / total
    return P


def cross_entropy(P, y):
    N = len(y)
    loss = 0.0
    for n in range(N):
        loss -= math.log(P[n, y[n]])
    return loss / N


def predict(X, W1, b1, W2, b2):
    S = logits(hidden_forward(X, W1, b1), W2, b2)
    labels = []
    for row in S:
        best = 0
        for k in range(1, len(row)):
            if row[k] > row[best]:
                best = k
        labels.append(best)
    return labels


def grad_logits(P, y):
    N, K = P.shape
    dS = np.zeros((N, K))
    for n in range(N):
        for k in range(K):
            dS[n, k] = (P[n, k] - (1.0 if y[n] == k else 0.0)) / N
    return dS


def grad_W2(H, dS):
    N, M = H.shape
    K = dS.shape[1]
    dW2 = np.zeros((M, K))
    for n in range(N):
        for j in range(M):
            for k in range(K):
                dW2[j, k] += H[n, j] * dS[n, k]
    return dW2


def grad_b2(dS):
    N, K = dS.shape
    db2 = np.zeros(K)
    for n in range(N):
        for k in range(K):
            db2[k] += dS[n, k]
    return db2


def grad_hidden(dS, W2, Z):
    N, K = dS.shape
    M = W2.shape[0]
    dZ = np.zeros((N, M))
    for n in range(N):
        for j in range(M):
            if Z[n, j] > 0:
                for k in range(K):
                    dZ[n, j] += dS[n, k] * W2[j, k]
    return dZ


def grad_W1(X, dZ):
    N, D = X.shape
    M = dZ.shape[1]
    dW1 = np.zeros((D, M))
    for n in range(N):
        for i in range(D):
            for j in range(M):
                dW1[i, j] += X[n, i] * dZ[n, j]
    return dW1
