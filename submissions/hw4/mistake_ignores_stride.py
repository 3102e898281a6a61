# cnn-grader example submission: mistake_ignores_stride
# Otherwise correct (plain Python loops), except one classic mistake:
# Q1.1 ignores the stride argument (always slides by 1).
#
# HW4 mini CNN

import math

import numpy as np


def sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a))


# ===== Part 1 =====

def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    c_w = width - filter_size + 1
    c_h = height - filter_size + 1
    p_w = c_w - pool_size + 1
    p_h = c_h - pool_size + 1
    return c_w, c_h, p_w, p_h


def conv_forward(x, w):
    y = np.zeros((3, 3, 3))
    for ci in range(3):
        for cj in range(3):
            for k in range(3):
                s = 0.0
                for fi in range(2):
                    for fj in range(2):
                        s += x[ci + fi][cj + fj] * w[fi][fj][k]
                y[ci][cj][k] = sigmoid(s)
    return y


def sum_pool(y):
    z = np.zeros((2, 2, 3))
    for pi in range(2):
        for pj in range(2):
            for k in range(3):
                z[pi][pj][k] = (y[pi][pj][k] + y[pi][pj + 1][k]
                                + y[pi + 1][pj][k] + y[pi + 1][pj + 1][k])
    return z


def fc_forward(z, v):
    o = [0.0, 0.0]
    for m in range(2):
        net = 0.0
        for pi in range(2):
            for pj in range(2):
                for k in range(3):
                    net += z[pi][pj][k] * v[pi][pj][k][m]
        o[m] = sigmoid(net)
    return o


# ===== Part 2 =====

def grad_fc_weights(z, o, target):
    g = np.zeros((2, 2, 3, 2))
    for m in range(2):
        d = (o[m] - target[m]) * o[m] * (1 - o[m])
        for pi in range(2):
            for pj in range(2):
                for k in range(3):
                    g[pi][pj][k][m] = d * z[pi][pj][k]
    return g


def grad_pool_output(v, o, target):
    d = [(o[m] - target[m]) * o[m] * (1 - o[m]) for m in range(2)]
    g = np.zeros((2, 2, 3))
    for pi in range(2):
        for pj in range(2):
            for k in range(3):
                g[pi][pj][k] = d[0] * v[pi][pj][k][0] + d[1] * v[pi][pj][k][1]
    return g


def grad_conv_sum_pool(dE_dz):
    dy = np.zeros((3, 3, 3))
    for pi in range(2):
        for pj in range(2):
            for k in range(3):
                dy[pi][pj][k] += dE_dz[pi][pj][k]
                dy[pi][pj + 1][k] += dE_dz[pi][pj][k]
                dy[pi + 1][pj][k] += dE_dz[pi][pj][k]
                dy[pi + 1][pj + 1][k] += dE_dz[pi][pj][k]
    return dy


def grad_filters(x, y, dE_dy):
    dw = np.zeros((2, 2, 3))
    for fi in range(2):
        for fj in range(2):
            for k in range(3):
                for ci in range(3):
                    for cj in range(3):
                        dw[fi][fj][k] += (dE_dy[ci][cj][k] * y[ci][cj][k] * (1 - y[ci][cj][k])
                                          * x[ci + fi][cj + fj])
    return dw


def grad_conv_max_pool(y, dE_dz):
    dy = np.zeros((3, 3, 3))
    for pi in range(2):
        for pj in range(2):
            for k in range(3):
                # position of the largest y in this window
                mi, mj = pi, pj
                for ci in range(pi, pi + 2):
                    for cj in range(pj, pj + 2):
                        if y[ci][cj][k] > y[mi][mj][k]:
                            mi, mj = ci, cj
                dy[mi][mj][k] += dE_dz[pi][pj][k]
    return dy
