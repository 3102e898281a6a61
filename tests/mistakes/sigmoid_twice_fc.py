# Student passed o to a sigmoid-derivative helper expecting a pre-activation.
import numpy as np

EXPECT = {"2.1": ["sigmoid to it again"], "2.2": ["sigmoid to it again"]}


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def dsigmoid(a):
    return sigmoid(a) * (1 - sigmoid(a))


def grad_fc_weights(z, o, target):
    o, t = np.asarray(o), np.asarray(target)
    return np.asarray(z)[..., None] * ((o - t) * dsigmoid(o))


def grad_pool_output(v, o, target):
    o, t = np.asarray(o), np.asarray(target)
    return np.asarray(v) @ ((o - t) * dsigmoid(o))
