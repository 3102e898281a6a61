"""50.021 AI Theory, Homework 4: a mini CNN -- starter file.

cnn-grader example submission: starter (untouched).  Every function still raises
NotImplementedError, so every question should be reported as missing.

Fill in the nine functions below.  Arrays are NumPy float64 arrays, 0-based and
indexed in the homework's order:
    x[i-1, j-1]              is x_{i,j}
    w[fi-1, fj-1, k-1]       is w_{fi,fj,k}
    v[pi-1, pj-1, k-1, m-1]  is the fully connected weight w_{pi,pj,k,o_m}
    target                   holds the true labels y_1, y_2
There is no batch axis: each call handles one sample.  You may return NumPy
arrays (any float dtype), lists or tuples.

Error function: E = 1/2 ((o_1 - y_1)^2 + (o_2 - y_2)^2).
Leave `raise NotImplementedError` in any function you do not answer.
"""
import numpy as np


# ---------------------------------------------------------------------------
# Part 1. Forward pass
# ---------------------------------------------------------------------------

def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    """Q1.1: sizes of the convolution and pooling layers.

    Return (c_w, c_h, p_w, p_h), four integers.  No padding.
    Convolution: c = floor((n - filter_size) / stride) + 1 for n = width, height.
    Pooling: the same rule applied to c_w, c_h with pool_size and the same stride.
    Must work for any valid arguments; the defaults are the homework's network.
    """
    raise NotImplementedError


def conv_forward(x, w):
    """Q1.2: convolution layer output y, shape (3, 3, 3).

    x: (4, 4) image, w: (2, 2, 3) filters.
    y[ci, cj, k] = sigmoid(sum over fi, fj of x[ci+fi, cj+fj] * w[fi, fj, k]):
    a 2x2 stride-1 correlation (the filter is not flipped), no padding.
    """
    raise NotImplementedError


def sum_pool(y):
    """Q1.3: sum-pooling layer output z, shape (2, 2, 3).

    y: (3, 3, 3).  z[pi, pj, k] = sum of the 2x2 window of y starting at (pi, pj),
    stride 1.
    """
    raise NotImplementedError


def fc_forward(z, v):
    """Q1.4: output layer o, shape (2,).

    z: (2, 2, 3), v: (2, 2, 3, 2).
    o[m] = sigmoid(sum over pi, pj, k of z[pi, pj, k] * v[pi, pj, k, m]).
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Part 2. Backpropagation
# ---------------------------------------------------------------------------

def grad_fc_weights(z, o, target):
    """Q2.1: dE/dv for the fully connected weights, shape (2, 2, 3, 2).

    z: (2, 2, 3), o: (2,) outputs, target: (2,) true labels y_1, y_2.
    Return dE/dv with v's shape: [pi, pj, k, m] is dE/dw_{pi,pj,k,o_m}.
    """
    raise NotImplementedError


def grad_pool_output(v, o, target):
    """Q2.2: dE/dz, the pooling layer's error, shape (2, 2, 3).

    v: (2, 2, 3, 2), o: (2,), target: (2,).  Return dE/dz with z's shape.
    """
    raise NotImplementedError


def grad_conv_sum_pool(dE_dz):
    """Q2.3: dE/dy through the sum-pooling layer, shape (3, 3, 3).

    dE_dz: (2, 2, 3), the pooling layer's error.  Return dE/dy, the error of the
    convolution layer's outputs y, when z is the 2x2 stride-1 SUM pooling of y.
    """
    raise NotImplementedError


def grad_filters(x, y, dE_dy):
    """Q2.4: dE/dw for the 12 filter weights, shape (2, 2, 3).

    x: (4, 4) image, y: (3, 3, 3) convolution outputs (after the sigmoid),
    dE_dy: (3, 3, 3) their error.  Return dE/dw with w's shape.
    """
    raise NotImplementedError


def grad_conv_max_pool(y, dE_dz):
    """Q2.5: dE/dy through a max-pooling layer, shape (3, 3, 3).

    y: (3, 3, 3) convolution outputs, dE_dz: (2, 2, 3).  Return dE/dy when z is
    the 2x2 stride-1 MAX pooling of y (inputs have no ties within a window).
    """
    raise NotImplementedError
