# cnn-grader example submission: correct_loops
# Fully correct answer to all nine questions, written with plain Python loops.
# The sigmoid uses math.exp (fine for pre-activations within +-30); the forward
# functions return nested lists, the backward ones numpy arrays filled in loops.
#
# 50.021 AI Theory - Homework 4 (mini CNN)

import math

import numpy as np


def sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a))


# ---------------------------------------------------------------- Part 1

def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    c_w = math.floor((width - filter_size) / stride) + 1
    c_h = math.floor((height - filter_size) / stride) + 1
    p_w = math.floor((c_w - pool_size) / stride) + 1
    p_h = math.floor((c_h - pool_size) / stride) + 1
    return c_w, c_h, p_w, p_h


def conv_forward(x, w):
    y = [[[0.0 for k in range(3)] for cj in range(3)] for ci in range(3)]
    for k in range(3):
        for ci in range(3):
            for cj in range(3):
                total = 0.0
                for fi in range(2):
                    for fj in range(2):
                        total += x[ci + fi][cj + fj] * w[fi][fj][k]
                y[ci][cj][k] = sigmoid(total)
    return y


def sum_pool(y):
    z = [[[0.0 for k in range(3)] for pj in range(2)] for pi in range(2)]
    for k in range(3):
        for pi in range(2):
            for pj in range(2):
                s = 0.0
                for a in range(2):
                    for b in range(2):
                        s += y[pi + a][pj + b][k]
                z[pi][pj][k] = s
    return z


def fc_forward(z, v):
    o = []
    for m in range(2):
        total = 0.0
        for pi in range(2):
            for pj in range(2):
                for k in range(3):
                    total += z[pi][pj][k] * v[pi][pj][k][m]
        o.append(sigmoid(total))
    return o


# ---------------------------------------------------------------- Part 2

def grad_fc_weights(z, o, target):
    dv = np.zeros((2, 2, 3, 2))
    for m in range(2):
        delta = (o[m] - target[m]) * o[m] * (1 - o[m])
        for pi in range(2):
            for pj in range(2):
                for k in range(3):
                    dv[pi, pj, k, m] = delta * z[pi][pj][k]
    return dv


def grad_pool_output(v, o, target):
    dz = np.zeros((2, 2, 3))
    for pi in range(2):
        for pj in range(2):
            for k in range(3):
                for m in range(2):
                    delta = (o[m] - target[m]) * o[m] * (1 - o[m])
                    dz[pi, pj, k] += delta * v[pi][pj][k][m]
    return dz


def grad_conv_sum_pool(dE_dz):
    dy = np.zeros((3, 3, 3))
    for k in range(3):
        for pi in range(2):
            for pj in range(2):
                # every neuron of the window gets the whole error (d(sum)/dy = 1)
                for a in range(2):
                    for b in range(2):
                        dy[pi + a, pj + b, k] += dE_dz[pi][pj][k]
    return dy


def grad_filters(x, y, dE_dy):
    dw = np.zeros((2, 2, 3))
    for k in range(3):
        for fi in range(2):
            for fj in range(2):
                total = 0.0
                for ci in range(3):
                    for cj in range(3):
                        yy = y[ci][cj][k]
                        total += dE_dy[ci][cj][k] * yy * (1 - yy) * x[ci + fi][cj + fj]
                dw[fi, fj, k] = total
    return dw


def grad_conv_max_pool(y, dE_dz):
    dy = np.zeros((3, 3, 3))
    for k in range(3):
        for pi in range(2):
            for pj in range(2):
                # find the max of the window
                best_i, best_j = pi, pj
                for a in range(2):
                    for b in range(2):
                        if y[pi + a][pj + b][k] > y[best_i][best_j][k]:
                            best_i, best_j = pi + a, pj + b
                dy[best_i, best_j, k] += dE_dz[pi][pj][k]
    return dy
