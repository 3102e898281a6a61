"""50.021 AI Theory, Homework 4: a mini CNN -- starter file.

Fill in the functions below, one per sub-question; leave `raise NotImplementedError`
in any you do not answer (it is reported as missing, not as an error).

Arrays are NumPy float64 arrays, 0-based and indexed in the homework's order:
    x[i-1, j-1]              is x_{i,j}
    w[fi-1, fj-1, k-1]       is w_{fi,fj,k}
    v[pi-1, pj-1, k-1, m-1]  is the fully connected weight w_{pi,pj,k,o_m}
    target                   holds the true labels y_1, y_2
There is no batch axis: each call handles one sample.  You may return NumPy
arrays (any float dtype), lists or tuples.  Each call gets fresh arrays, so
modifying an argument is harmless.

Error function: E = 1/2 ((o_1 - y_1)^2 + (o_2 - y_2)^2).
Sum pooling and max pooling are 2x2 windows with stride 1; no padding anywhere.

Check your work:  grader check starter.py
"""
import numpy as np


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    """Q1.1: Sizes of the convolution and pooling layers.

    Returns (c_w, c_h, p_w, p_h), four integers.
    Convolution: c = floor((n - filter_size) / stride) + 1 for n = width, height.
    Pooling: the same rule on c_w, c_h with pool_size and the same stride.
    No padding. Must work for any valid arguments; the defaults are the homework's.
    """
    raise NotImplementedError


def conv_forward(x, w):
    """Q1.2: Convolution layer output y.

    Returns y, shape (3, 3, 3).
    x: (4, 4) image, w: (2, 2, 3) filters.
    y[:, :, k] is the sigmoid of the 2x2 stride-1 correlation of x with the
    filter w[:, :, k] (correlation: the filter is not flipped), no padding.
    """
    raise NotImplementedError


def sum_pool(y):
    """Q1.3: Sum-pooling layer output z.

    Returns z, shape (2, 2, 3).
    y: (3, 3, 3). 2x2 sum pooling with stride 1, channel by channel.
    """
    raise NotImplementedError


def fc_forward(z, v):
    """Q1.4: Output layer o.

    Returns o, shape (2,).
    z: (2, 2, 3), v: (2, 2, 3, 2).
    o[m] is output neuron o_{m+1}: the sigmoid of its weighted sum of all of z.
    """
    raise NotImplementedError


def grad_fc_weights(z, o, target):
    """Q2.1: dE/dw for the fully connected weights.

    Returns dE/dv, shape (2, 2, 3, 2).
    z: (2, 2, 3), o: (2,) outputs, target: (2,) true labels y_1, y_2.
    E = 1/2 ((o_1 - y_1)^2 + (o_2 - y_2)^2). Return dE/dv with v's shape.
    """
    raise NotImplementedError


def grad_pool_output(v, o, target):
    """Q2.2: dE/dz, the pooling layer's error.

    Returns dE/dz, shape (2, 2, 3).
    v: (2, 2, 3, 2), o: (2,), target: (2,). Return dE/dz with z's shape.
    """
    raise NotImplementedError


def grad_conv_sum_pool(dE_dz):
    """Q2.3: dE/dy through the sum-pooling layer.

    Returns dE/dy, shape (3, 3, 3).
    dE_dz: (2, 2, 3), the pooling layer's error. Return dE/dy, the error of the
    convolution layer's outputs y, when z is the 2x2 stride-1 SUM pooling of y.
    """
    raise NotImplementedError


def grad_filters(x, y, dE_dy):
    """Q2.4: dE/dw for the 12 filter weights.

    Returns dE/dw, shape (2, 2, 3).
    x: (4, 4) image, y: (3, 3, 3) convolution outputs (after the sigmoid),
    dE_dy: (3, 3, 3) their error. Return dE/dw with w's shape (2, 2, 3).
    """
    raise NotImplementedError


def grad_conv_max_pool(y, dE_dz):
    """Q2.5: dE/dy through a max-pooling layer.

    Returns dE/dy, shape (3, 3, 3).
    y: (3, 3, 3) convolution outputs, dE_dz: (2, 2, 3). Return dE/dy when z is the
    2x2 stride-1 MAX pooling of y (inputs have no ties within a window).
    """
    raise NotImplementedError
