"""Homework 5: a two-layer perceptron with softmax and cross-entropy (see docs/mlp_homework.md)."""
from __future__ import annotations

import numpy as np

from grader.assignment import Assignment, Question
from grader.feedback.probes import Activation, Scores
from . import model as m
from . import questions as g
from .mistakes import MISTAKES


def _name(template: str):
    """Element namer: index (0-based, like the arrays and the homework) -> its name."""
    def name(idx: tuple[int, ...]) -> str:
        return template.format(*idx)
    return name


# what feedback may try on the hidden layer: which activation of X W1 + b1 the student applied
HIDDEN_ACT = Activation(pre=lambda a: np.einsum("tnd,tdm->tnm", a["X"], a["W1"]) + a["b1"][:, None, :],
                        name="ReLU", what="H", inputs="each hidden unit's weighted sum plus its bias")

# what feedback may compare predicted labels with: the logits each label should be the arg-max of
SCORES = Scores(scores=lambda a: m.logits(m.hidden_forward(a["X"], a["W1"], a["b1"]), a["W2"], a["b2"]),
                what="logits S")

QUESTIONS = (
    # --- Part 1: forward pass
    Question("1.1", "hidden_forward", ("X", "W1", "b1"), "Hidden layer H = ReLU(X W1 + b1)",
             "H, shape (N, M)", points=2, generate=g.gen_hidden_forward,
             mistakes=MISTAKES["1.1"], element=_name("H[{},{}]"), probes=(HIDDEN_ACT,),
             doc="X: (N, D) inputs, one sample per row; W1: (D, M); b1: (M,).\n"
                 "Return the hidden activations H: the ReLU of each hidden unit's weighted\n"
                 "sum of the sample's inputs plus the unit's bias."),
    Question("1.2", "logits", ("H", "W2", "b2"), "Output scores S = H W2 + b2",
             "S, shape (N, K)", points=1, generate=g.gen_logits,
             mistakes=MISTAKES["1.2"], element=_name("S[{},{}]"),
             doc="H: (N, M) hidden activations; W2: (M, K); b2: (K,).\n"
                 "Return the logits S (one score per sample and class, before any softmax)."),
    Question("1.3", "softmax", ("S",), "Row-wise softmax P, numerically stable",
             "P, shape (N, K)", points=3, generate=g.gen_softmax,
             mistakes=MISTAKES["1.3"], element=_name("P[{},{}]"),
             doc="S: (N, K) logits. Return P with P[n, k] = exp(S[n, k]) / sum_j exp(S[n, j]):\n"
                 "each row is a probability distribution over the K classes.\n"
                 "Logits may be as large as +-1000 (exp(1000) overflows float64): the answer\n"
                 "must still be finite and accurate."),
    Question("1.4", "cross_entropy", ("P", "y"), "Mean cross-entropy loss L of the batch",
             "L, a scalar (a float or a 0-d array)", points=2, generate=g.gen_cross_entropy,
             mistakes=MISTAKES["1.4"], element=lambda idx: "L",
             doc="P: (N, K) probabilities (rows sum to 1, no zeros); y: (N,) integer labels\n"
                 "in 0..K-1. Return L = -(1/N) sum_n log P[n, y[n]], one number."),
    Question("1.5", "predict", ("X", "W1", "b1", "W2", "b2"), "Predicted labels",
             "labels, shape (N,), integers in 0..K-1", points=2, generate=g.gen_predict, exact=True,
             mistakes=MISTAKES["1.5"], element=_name("label[{}]"), probes=(SCORES,),
             doc="X: (N, D); W1: (D, M); b1: (M,); W2: (M, K); b2: (K,).\n"
                 "Return each sample's predicted class: the class with the highest probability\n"
                 "(0-based, like the labels y). The inputs have no ties."),
    # --- Part 2: backward pass
    Question("2.1", "grad_logits", ("P", "y"), "dL/dS, the gradient of the loss with respect to the logits",
             "dL/dS, shape (N, K)", points=2, generate=g.gen_grad_logits,
             mistakes=MISTAKES["2.1"], element=_name("∂L/∂S[{},{}]"),
             doc="P: (N, K) = softmax(S); y: (N,) integer labels in 0..K-1.\n"
                 "L is the MEAN cross-entropy of Q1.4. Return dL/dS with S's shape."),
    Question("2.2", "grad_W2", ("H", "dS"), "dL/dW2, the output layer's weight gradient",
             "dL/dW2, shape (M, K)", points=2, generate=g.gen_grad_W2,
             mistakes=MISTAKES["2.2"], element=_name("∂L/∂W2[{},{}]"),
             doc="H: (N, M) hidden activations; dS: (N, K) = dL/dS (any upstream gradient,\n"
                 "already including the mean's 1/N). Return dL/dW2 with W2's shape."),
    Question("2.3", "grad_b2", ("dS",), "dL/db2, the output layer's bias gradient",
             "dL/db2, shape (K,)", points=1, generate=g.gen_grad_b2,
             mistakes=MISTAKES["2.3"], element=_name("∂L/∂b2[{}]"),
             doc="dS: (N, K) = dL/dS (any upstream gradient). Return dL/db2 with b2's shape."),
    Question("2.4", "grad_hidden", ("dS", "W2", "Z"), "dL/dZ, back through the output layer and the ReLU",
             "dL/dZ, shape (N, M)", points=3, generate=g.gen_grad_hidden,
             mistakes=MISTAKES["2.4"], element=_name("∂L/∂Z[{},{}]"),
             doc="dS: (N, K) = dL/dS (any upstream gradient); W2: (M, K);\n"
                 "Z: (N, M) hidden PRE-activations (H = ReLU(Z); no Z is 0).\n"
                 "Return dL/dZ with Z's shape."),
    Question("2.5", "grad_W1", ("X", "dZ"), "dL/dW1, the hidden layer's weight gradient",
             "dL/dW1, shape (D, M)", points=2, generate=g.gen_grad_W1,
             mistakes=MISTAKES["2.5"], element=_name("∂L/∂W1[{},{}]"),
             doc="X: (N, D) inputs; dZ: (N, M) = dL/dZ (any upstream gradient).\n"
                 "Return dL/dW1 with W1's shape."),
)

PREAMBLE = """The network, for a batch of N samples (one sample per row), D inputs, M hidden
units and K classes:
    Z = X W1 + b1      (N, M)   hidden pre-activations
    H = ReLU(Z)        (N, M)   hidden activations, ReLU(z) = max(0, z)
    S = H W2 + b2      (N, K)   logits
    P = softmax(S)     (N, K)   row by row
    L = -(1/N) sum_n log P[n, y[n]]    the mean cross-entropy, a scalar
Arrays are NumPy float64 arrays (labels y: int64), indexed from 0 like the
homework; biases are 1-D and broadcast over the batch.  Shapes vary from
call to call (N in 3..8, D in 2..5, M in 2..6, K in 2..4; each function is
graded on three different shapes): never hard-code them.  You may return
NumPy arrays (any float dtype), lists or numbers.
Each call gets fresh arrays, so modifying an argument is harmless."""

ASSIGNMENT = Assignment(name="mlp", title="Homework 5: a two-layer perceptron with softmax and cross-entropy",
                        version="2", questions=QUESTIONS, preamble=PREAMBLE, filename="hw5.py",
                        edge_cases="logits of +-1000 (a softmax that does not subtract the row's maximum overflows)")
