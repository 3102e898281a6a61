"""Homework 5: a two-layer perceptron with softmax and cross-entropy -- starter file.

Fill in the functions below, one per sub-question; leave `raise NotImplementedError`
in any you do not answer (it is reported as missing, not as an error).

The network, for a batch of N samples (one sample per row), D inputs, M hidden
units and K classes:
    Z = X W1 + b1      (N, M)   hidden pre-activations
    H = ReLU(Z)        (N, M)   hidden activations, ReLU(z) = max(0, z)
    S = H W2 + b2      (N, K)   logits
    P = softmax(S)     (N, K)   row by row
    L = -(1/N) sum_n log P[n, y[n]]    the mean cross-entropy, a scalar
Arrays are NumPy float64 arrays (labels y: int64), indexed from 0 like the
homework; biases are 1-D and broadcast over the batch.  Shapes vary from
call to call (N in 3..8, D in 2..5, M in 2..6, K in 2..4): never hard-code
them.  You may return NumPy arrays (any float dtype), lists or numbers.
Each call gets fresh arrays, so modifying an argument is harmless.

Check your work:  grader check hw5.py
"""
import numpy as np


def hidden_forward(X, W1, b1):
    """Q1.1: Hidden layer H = ReLU(X W1 + b1).

    Returns H, shape (N, M).
    X: (N, D) inputs, one sample per row; W1: (D, M); b1: (M,).
    Return the hidden activations H: the ReLU of each hidden unit's weighted
    sum of the sample's inputs plus the unit's bias.
    """
    raise NotImplementedError


def logits(H, W2, b2):
    """Q1.2: Output scores S = H W2 + b2.

    Returns S, shape (N, K).
    H: (N, M) hidden activations; W2: (M, K); b2: (K,).
    Return the logits S (one score per sample and class, before any softmax).
    """
    raise NotImplementedError


def softmax(S):
    """Q1.3: Row-wise softmax P, numerically stable.

    Returns P, shape (N, K).
    S: (N, K) logits. Return P with P[n, k] = exp(S[n, k]) / sum_j exp(S[n, j]):
    each row is a probability distribution over the K classes.
    Logits may be as large as +-1000 (exp(1000) overflows float64): the answer
    must still be finite and accurate.
    """
    raise NotImplementedError


def cross_entropy(P, y):
    """Q1.4: Mean cross-entropy loss L of the batch.

    Returns L, a scalar (a float or a 0-d array).
    P: (N, K) probabilities (rows sum to 1, no zeros); y: (N,) integer labels
    in 0..K-1. Return L = -(1/N) sum_n log P[n, y[n]], one number.
    """
    raise NotImplementedError


def predict(X, W1, b1, W2, b2):
    """Q1.5: Predicted labels.

    Returns labels, shape (N,), integers in 0..K-1.
    X: (N, D); W1: (D, M); b1: (M,); W2: (M, K); b2: (K,).
    Return each sample's predicted class: the class with the highest probability
    (0-based, like the labels y). The inputs have no ties.
    """
    raise NotImplementedError


def grad_logits(P, y):
    """Q2.1: dL/dS, the gradient of the loss with respect to the logits.

    Returns dL/dS, shape (N, K).
    P: (N, K) = softmax(S); y: (N,) integer labels in 0..K-1.
    L is the MEAN cross-entropy of Q1.4. Return dL/dS with S's shape.
    """
    raise NotImplementedError


def grad_W2(H, dS):
    """Q2.2: dL/dW2, the output layer's weight gradient.

    Returns dL/dW2, shape (M, K).
    H: (N, M) hidden activations; dS: (N, K) = dL/dS (any upstream gradient,
    already including the mean's 1/N). Return dL/dW2 with W2's shape.
    """
    raise NotImplementedError


def grad_b2(dS):
    """Q2.3: dL/db2, the output layer's bias gradient.

    Returns dL/db2, shape (K,).
    dS: (N, K) = dL/dS (any upstream gradient). Return dL/db2 with b2's shape.
    """
    raise NotImplementedError


def grad_hidden(dS, W2, Z):
    """Q2.4: dL/dZ, back through the output layer and the ReLU.

    Returns dL/dZ, shape (N, M).
    dS: (N, K) = dL/dS (any upstream gradient); W2: (M, K);
    Z: (N, M) hidden PRE-activations (H = ReLU(Z); no Z is 0).
    Return dL/dZ with Z's shape.
    """
    raise NotImplementedError


def grad_W1(X, dZ):
    """Q2.5: dL/dW1, the hidden layer's weight gradient.

    Returns dL/dW1, shape (D, M).
    X: (N, D) inputs; dZ: (N, M) = dL/dZ (any upstream gradient).
    Return dL/dW1 with W1's shape.
    """
    raise NotImplementedError
