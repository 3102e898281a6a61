"""A small assignment of the engine's own tests: one sigmoid neuron.

Nothing here is hw4's: a scalar output (0-d), a scalar loss, a vector gradient, integer labels
and a boolean mask, so that compare, diagnose, probes and every output are exercised on answers
of other shapes and kinds than hw4's, from a folder outside the grader's source tree.  The
labels question is graded on three shape groups (grader.assignment.trial_groups): batches of
6, 3 and 9 inputs of 4, 2 and 5 numbers.
"""
from __future__ import annotations

import numpy as np

from grader.assignment import Assignment, Mistake, Question, Trials, share
from grader.feedback.probes import Activation

D = 4  # inputs of the neuron


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def forward(x, w, b):
    return sigmoid(np.einsum("ti,ti->t", x, w) + b)


def loss(o, y):
    return 0.5 * (o - y) ** 2


def grad_w(x, o, y):
    return ((o - y) * o * (1 - o))[:, None] * x


def predict(X, w, b):
    return (np.einsum("tni,ti->tn", X, w) + b[:, None] > 0).astype(np.int64)


def positive(x):
    return x > 0


def _draw(rng, n):
    x = rng.uniform(-1, 1, (n, D))
    w = rng.normal(0, 1, (n, D))
    b = rng.normal(0, 0.5, n)
    return x, w, b


def gen_forward(rng, n):
    x, w, b = _draw(rng, n)
    args = {"x": x, "w": w, "b": b}
    return Trials(args=args, expected=forward(x, w, b), labels=["random"] * n,
                  reference=lambda a: forward(a["x"], a["w"], a["b"]))


def gen_loss(rng, n):
    o, y = rng.uniform(0.05, 0.95, n), rng.uniform(0, 1, n)
    return Trials(args={"o": o, "y": y}, expected=loss(o, y), labels=["random"] * n,
                  reference=lambda a: loss(a["o"], a["y"]))


def gen_grad_w(rng, n):
    x, w, b = _draw(rng, n)
    o, y = forward(x, w, b), rng.uniform(0, 1, n)
    return Trials(args={"x": x, "o": o, "y": y}, expected=grad_w(x, o, y), labels=["random"] * n,
                  reference=lambda a: grad_w(a["x"], a["o"], a["y"]))


PREDICT_SHAPES = ((6, D), (3, 2), (9, 5))  # (inputs, numbers each) of the labels question's groups


def gen_predict(rng, n):
    """Three shape groups, the n random trials shared out over them."""
    groups = []
    for (rows, d), k in zip(PREDICT_SHAPES, share(n, len(PREDICT_SHAPES))):
        w, b = rng.normal(0, 1, (k, d)), rng.normal(0, 0.5, k)
        X = rng.uniform(-1, 1, (k, rows, d))
        pre = np.einsum("tni,ti->tn", X, w) + b[:, None]
        X[np.abs(pre) < 1e-3] += 0.01  # no input on the boundary: the label is never a rounding matter
        groups.append(Trials(args={"X": X, "w": w, "b": b}, expected=predict(X, w, b), labels=["random"] * k))
    return tuple(groups)


def gen_positive(rng, n):
    x = rng.uniform(-1, 1, (n, 5))
    x[np.abs(x) < 1e-3] = 0.5
    return Trials(args={"x": x}, expected=positive(x), labels=["random"] * n)


QUESTIONS = (
    Question("1.1", "forward", ("x", "w", "b"), "The neuron's output", "o, a number",
             points=2, generate=gen_forward, doc="o = sigmoid(w . x + b); x, w: (4,), b: a number.",
             probes=(Activation(pre=lambda a: np.einsum("ti,ti->t", a["x"], a["w"]) + a["b"], name="the sigmoid",
                                what="o", inputs="the weighted sum w . x + b", range=(0.0, 1.0)),),
             mistakes=(Mistake("no-sigmoid", "the sigmoid left out", "Your output is the weighted sum itself.",
                               "Apply the activation to the weighted sum.",
                               lambda a: np.einsum("ti,ti->t", a["x"], a["w"]) + a["b"]),)),
    Question("1.2", "loss", ("o", "y"), "The squared error", "E, a number",
             points=1, generate=gen_loss, doc="E = 1/2 (o - y)^2."),
    Question("2.1", "grad_w", ("x", "o", "y"), "dE/dw", "dE/dw, shape (4,)",
             points=3, generate=gen_grad_w, element=lambda idx: f"dE/dw_{idx[0] + 1}",
             doc="x: (4,), o and y numbers. The gradient of E = 1/2 (o - y)^2 with respect to w."),
    Question("2.2", "predict", ("X", "w", "b"), "Predicted labels", "labels, one integer 0 or 1 a row of X",
             points=2, generate=gen_predict, exact=True,
             doc="X: (n, d) inputs, one a row; w: (d,); b: a number (n and d change from call to call).\n"
                 "Label 1 where w . x + b > 0, else 0."),
    Question("2.3", "positive", ("x",), "Which inputs are positive", "a boolean array of shape (5,)",
             points=1, generate=gen_positive, exact=True, doc="x: (5,). True where x > 0."),
)

ASSIGNMENT = Assignment(name="neuron", title="The engine's test assignment: one sigmoid neuron", version="2",
                        questions=QUESTIONS, n_random=12, index_base=1,
                        preamble="Arrays are NumPy float64 arrays; numbers are Python floats.")
