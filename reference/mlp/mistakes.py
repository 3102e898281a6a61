"""Catalogue of known wrong answers to Homework 5, one tuple of :class:`Mistake` per question.

Each ``compute(args)`` receives the question's batched trial arguments (``Trials.args``: name ->
array with a leading trial axis) and returns what a student making that mistake would return,
batched the same way -- possibly with another shape than the right answer (a bias gradient
summed over the wrong axis has shape (N,) instead of (K,)).  The grader names a mistake only
when it reproduces *every* trial of a failed question, so an entry never has to be "probably
right".  Mistakes that overflow (a softmax without the shift) return exactly what NumPy gives,
NaN included.

Explanations say what went wrong and why; hints point at where to look.  Neither spells out
the full correct formula: the student should still have to write it.

Ids used by the example submissions (submissions/mlp/) must not change.
"""
from __future__ import annotations

import numpy as np

from grader.assignment import Mistake
from . import model as m


# ----------------------------------------------------------------------------- helpers

def _T(a: np.ndarray) -> np.ndarray:
    """Transpose of each trial's matrix (the last two axes)."""
    return np.swapaxes(a, -1, -2)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", under="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _naive_softmax(S: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        e = np.exp(S)
        return e / e.sum(axis=-1, keepdims=True)


def _global_shift_softmax(S: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore", invalid="ignore"):
        e = np.exp(S - S.max(axis=(-2, -1), keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)


def _column_softmax(S: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore"):
        e = np.exp(S - S.max(axis=-2, keepdims=True))
        return e / e.sum(axis=-2, keepdims=True)


def _whole_batch_softmax(S: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore"):
        e = np.exp(S - S.max(axis=(-2, -1), keepdims=True))
        return e / e.sum(axis=(-2, -1), keepdims=True)


def _all_pairs(P: np.ndarray, y: np.ndarray) -> np.ndarray:
    """P[t][:, y[t]] for every trial: element (a, b) is sample a's probability of label y_b."""
    t, n, _ = P.shape
    return np.take_along_axis(P, np.broadcast_to(y[:, None, :], (t, n, n)), axis=-1)


def _upstream_hidden(a) -> np.ndarray:
    """The gradient reaching H (before the ReLU's derivative)."""
    return a["dS"] @ _T(a["W2"])


def _last_sample(A: np.ndarray, B: np.ndarray, which: int = -1) -> np.ndarray:
    """The outer product of one sample's rows: a loop over the batch that assigns instead of adds."""
    return A[:, which, :, None] * B[:, which, None, :]


def _predict_from(S: np.ndarray, axis: int = -1) -> np.ndarray:
    return S.argmax(axis=axis).astype(np.int64)


def _bias_trick_ends(A: np.ndarray, W: np.ndarray, b: np.ndarray, ones_last: bool) -> np.ndarray:
    """[A, 1] @ [b; W] (ones appended last, the bias row stacked first) or [1, A] @ [W; b]:
    the bias trick with the ones column and the bias row at opposite ends."""
    ones = np.ones(A.shape[:-1] + (1,))
    if ones_last:
        return np.concatenate([A, ones], -1) @ np.concatenate([b[:, None, :], W], -2)
    return np.concatenate([ones, A], -1) @ np.concatenate([W, b[:, None, :]], -2)


def _bias_in_weights(A: str, W: str, b: str, act) -> Mistake:
    """{A} ({W} + {b}): the bias added to every row of the weights inside the product (it
    broadcasts), so each unit gets its bias times the sum of the sample's inputs."""
    return Mistake(
        "bias_in_weights", "Added the bias to the weights",
        f"You added {b} to {W} before the product ({A} @ ({W} + {b}): NumPy broadcasts it onto every "
        f"row of {W}), so each unit receives its bias once per input, weighted by the inputs, instead "
        "of once. The bias is added to the weighted sum, after the product.",
        f"Where do your parentheses put {b}? For a sample whose inputs are all 0, what should a unit receive?",
        lambda a: act(a[A] @ (a[W] + a[b][:, None, :])))


def _bias_trick_mistakes(A: str, W: str, b: str, act) -> tuple[Mistake, ...]:
    explanation = (f"You folded the bias into the weights (a column of ones beside {A}, the bias as an extra row "
                   f"of {W}), but put the column of ones and the bias row at opposite ends: each weight row "
                   f"meets the input column next to its own, and the bias meets an input column.")
    hint = (f"In [{A}, 1] @ [{W}; {b}] the ones column is last, so the bias row must be last too. Which row of "
            f"your stacked matrix meets the column of ones?")
    return tuple(Mistake(f"bias_trick_ends_{'last' if last else 'first'}", "Bias trick with the ones and the bias "
                         "row at opposite ends", explanation, hint,
                         lambda a, last=last: act(_bias_trick_ends(a[A], a[W], a[b], last)))
                 for last in (True, False))


# ----------------------------------------------------------------------------- Part 1

_NO_RELU = ("Your hidden layer returns the weighted sums themselves: the activation is missing, so "
            "negative values come through. H is the ReLU of the pre-activation.")

Q11 = (
    Mistake(
        "no_activation", "Forgot the ReLU", _NO_RELU,
        "Every entry of H should be 0 or positive. Are yours?",
        lambda a: m.preactivation(a["X"], a["W1"], a["b1"])),
    Mistake(
        "no_bias", "Forgot the bias b1",
        "Each hidden unit j has its own bias b1[j], added to its weighted sum before the "
        "activation. Yours is left out, so a unit's output is 0 whenever its weighted sum is.",
        "Check the trial where a sample's input row is all zero: what should its hidden units "
        "receive?",
        lambda a: m.relu(a["X"] @ a["W1"])),
    Mistake(
        "sigmoid_activation", "Sigmoid instead of ReLU",
        "Your hidden units squash their input into (0, 1) with the logistic sigmoid. This network's "
        "hidden layer uses the ReLU, which passes positive values unchanged and zeroes negative "
        "ones.",
        "A hidden unit whose pre-activation is 2 should output exactly 2. What does yours give?",
        lambda a: _sigmoid(m.preactivation(a["X"], a["W1"], a["b1"]))),
    Mistake(
        "bias_after_relu", "Added the bias after the ReLU",
        "The bias belongs to the unit's weighted sum: it is added before the activation decides "
        "whether the unit is active. Added afterwards, it shifts inactive units away from 0 and "
        "can make H negative.",
        "Can an entry of your H be negative? The ReLU's output never is.",
        lambda a: m.relu(a["X"] @ a["W1"]) + a["b1"][:, None, :]),
)

Q11 += _bias_trick_mistakes("X", "W1", "b1", m.relu) + (_bias_in_weights("X", "W1", "b1", m.relu),)

Q12 = (
    Mistake(
        "no_bias", "Forgot the bias b2",
        "Each class k has its own bias b2[k], added to its weighted sum of the hidden units. "
        "Yours is left out.",
        "Look at the trial whose first row of H is zero: what should that sample's logits be "
        "then?",
        lambda a: a["H"] @ a["W2"]),
    Mistake(
        "relu_on_logits", "Applied the ReLU to the logits",
        "The output layer has no ReLU: logits are raw scores and may be negative. Clipping them at "
        "0 loses information the softmax needs (two classes both clipped to 0 look equally "
        "likely).",
        "Only the hidden layer has an activation. Should a logit ever be clipped?",
        lambda a: m.relu(m.logits(a["H"], a["W2"], a["b2"]))),
    Mistake(
        "softmax_in_logits", "Returned probabilities instead of logits",
        "You applied the softmax already: each of your rows sums to 1. This function returns the "
        "logits, the scores before the softmax (Q1.3 turns them into probabilities).",
        "Logits are unbounded and their rows need not sum to 1. Do yours?",
        lambda a: m.softmax(m.logits(a["H"], a["W2"], a["b2"]))),
)

Q12 += _bias_trick_mistakes("H", "W2", "b2", lambda s: s) + (_bias_in_weights("H", "W2", "b2", lambda s: s),)

Q13 = (
    Mistake(
        "no_max_shift", "Exponentials overflow: the logits are not shifted",
        "exp of a large logit overflows to infinity (float64 tops out near exp(709)), and exp of "
        "very negative logits underflows to 0, so your probabilities become NaN (inf/inf, 0/0) or "
        "lose their precision. A row's softmax does not change when the same number is subtracted "
        "from all its logits, and a well-chosen number keeps every exponential in range.",
        "Evaluate your softmax on the rows [1000, 0] and [-740, -745] (the right probabilities "
        "are about [1, 0] and [0.993, 0.007]) and print the exponentials on the way.",
        lambda a: _naive_softmax(a["S"])),
    Mistake(
        "global_max_shift", "Shifted every row by the batch's largest logit",
        "Subtracting one constant from the whole batch protects the largest row, but a row far "
        "below it then underflows entirely: all its exponentials become 0 and its probabilities "
        "0/0 = NaN. The constant must be chosen row by row.",
        "Try a batch whose two rows are [800, 799] and [-800, -801]: the second row's "
        "probabilities should be the same as the first's.",
        lambda a: _global_shift_softmax(a["S"])),
    Mistake(
        "wrong_axis", "Normalised over the wrong axis",
        "Your probabilities sum to 1 down each column (over the samples) instead of across each "
        "row (over the classes). Each sample gets its own distribution over the K classes.",
        "Check P.sum(axis=1): every entry should be 1. Which axis did you reduce over?",
        lambda a: _column_softmax(a["S"])),
    Mistake(
        "whole_batch", "Normalised over the whole batch",
        "You divided by the sum of the exponentials of the entire matrix, so all N*K entries sum "
        "to 1 together. Each sample's row must sum to 1 on its own.",
        "A sum without an axis adds up everything. Which entries should share a denominator?",
        lambda a: _whole_batch_softmax(a["S"])),
)

Q14 = (
    Mistake(
        "sum_not_mean", "Summed over the batch instead of averaging",
        "L is the mean loss of the batch: with the sum, the loss (and every gradient after it) "
        "grows with the batch size N.",
        "Compare your loss for a batch and for the same batch repeated twice: should it change?",
        lambda a: -np.log(m.picked(a["P"], a["y"])).sum(axis=-1)),
    Mistake(
        "no_minus_sign", "Forgot the minus sign",
        "Probabilities are at most 1, so their logarithms are at most 0: without the minus sign "
        "your loss is negative and grows as the predictions get better.",
        "A loss should be 0 or positive, and smaller for better predictions. Is yours?",
        lambda a: np.log(m.picked(a["P"], a["y"])).mean(axis=-1)),
    Mistake(
        "all_pairs", "Indexed P[:, y]: every sample with every label",
        "P[:, y] is an N x N matrix: each sample's probability of every sample's label. The loss "
        "needs one probability per sample, that of its own label.",
        "Print the shape of the probabilities you take the logarithm of. It should be (N,).",
        lambda a: -np.log(_all_pairs(a["P"], a["y"])).mean(axis=(-2, -1))),
    Mistake(
        "all_pairs_sum", "Indexed P[:, y]: every sample with every label, summed",
        "P[:, y] is an N x N matrix: each sample's probability of every sample's label. Summed and "
        "divided by N, it adds N times as many log-probabilities as the loss has, most of them of "
        "other samples' labels. The loss needs one probability per sample, that of its own label.",
        "Print the shape of the probabilities you take the logarithm of. It should be (N,).",
        lambda a: -np.log(_all_pairs(a["P"], a["y"])).sum(axis=(-2, -1)) / a["P"].shape[-2]),
    Mistake(
        "labels_one_based", "Labels read as 1-based",
        "The labels are 0-based: y_n = 0 is the first class, column 0 of P. You picked column "
        "y_n - 1, the class before each sample's own (and column -1, the last class, for label "
        "0).",
        "For a sample with label 0, which column of P should you read?",
        lambda a: -np.log(m.picked(a["P"], (a["y"] - 1) % a["P"].shape[-1])).mean(axis=-1)),
)

Q15 = (
    Mistake(
        "argmax_wrong_axis", "Arg-max over the wrong axis",
        "You took the arg-max down each column: for each class, the sample that scores it "
        "highest. A prediction is, for each sample, the class with the highest score.",
        "Your answer should have one label per sample: shape (N,).",
        lambda a: _predict_from(m.logits(m.hidden_forward(a["X"], a["W1"], a["b1"]), a["W2"], a["b2"]), axis=-2)),
    Mistake(
        "no_hidden_relu", "Forgot the hidden layer's ReLU",
        "Your prediction uses the hidden pre-activations directly, so units that should be "
        "switched off still vote. Predict with the same forward pass as Q1.1 and Q1.2.",
        "Reuse your hidden_forward from Q1.1 rather than writing the forward pass again.",
        lambda a: _predict_from(m.logits(m.preactivation(a["X"], a["W1"], a["b1"]), a["W2"], a["b2"]))),
    Mistake(
        "one_based_labels", "Predicted labels shifted by one",
        "Your labels run from 1 to K. The labels are 0-based, like the columns of P: the first "
        "class is label 0.",
        "np.argmax already returns a 0-based column index; does anything get added to it?",
        lambda a: m.predict(a["X"], a["W1"], a["b1"], a["W2"], a["b2"]) + 1),
)

# ----------------------------------------------------------------------------- Part 2

Q21 = (
    Mistake(
        "no_mean", "Forgot the 1/N of the mean",
        "L averages the N samples' losses, so each sample's contribution to dL/dS carries the "
        "mean's factor. Yours is N times too large.",
        "Differentiate the mean, not one sample's loss: what does averaging do to each term's "
        "derivative?",
        lambda a: m.grad_logits(a["P"], a["y"]) * a["P"].shape[-2]),
    Mistake(
        "sign_flipped", "Gradient with the wrong sign",
        "Raising the logit of a sample's true class lowers the loss, so that entry of dL/dS must "
        "be negative (and the other classes' entries positive). Yours are the other way round.",
        "Sanity check: a gradient descent step S - lr * dS should raise the true class's "
        "probability. Does yours?",
        lambda a: -m.grad_logits(a["P"], a["y"])),
    Mistake(
        "label_value", "Subtracted the label's value instead of its one-hot vector",
        "You subtracted the integer y_n from every entry of row n. The label stands for a class, "
        "not a number: it must become a vector with one entry per class before it can be compared "
        "with a row of P.",
        "Look at a sample with label 2: which of its K entries should the label affect?",
        lambda a: (a["P"] - a["y"][..., None]) / a["P"].shape[-2]),
    Mistake(
        "one_hot_shifted", "One-hot vector in the wrong column",
        "Your one-hot vectors have their 1 in column y_n - 1 (the last column for label 0), as if "
        "the labels were 1-based. Labels are 0-based: label k is column k.",
        "Print your one-hot matrix next to y and check the column of each 1.",
        lambda a: (a["P"] - m.one_hot((a["y"] - 1) % a["P"].shape[-1], a["P"].shape[-1])) / a["P"].shape[-2]),
)

Q22 = (
    Mistake(
        "transposed", "Gradient transposed",
        "Your dW2 has shape (K, M), W2's transpose. A gradient has the shape of the parameter it "
        "belongs to, (M, K), so that W2 - lr * dW2 makes sense.",
        "Write the shapes of H (N, M) and dS (N, K): which product of them has shape (M, K)?",
        lambda a: _T(m.grad_W2(a["H"], a["dS"]))),
    Mistake(
        "divided_by_n", "Divided by N a second time",
        "dS is already the gradient of the mean loss: the 1/N is inside it. Averaging over the "
        "batch again makes dW2 N times too small.",
        "Where did the 1/N go in Q2.1? Count how many times your code divides by N from the loss "
        "to dW2.",
        lambda a: m.grad_W2(a["H"], a["dS"]) / a["H"].shape[-2]),
    Mistake(
        "last_sample_only", "Only one sample's contribution",
        "W2 is shared by every sample of the batch, so its gradient adds up the contributions of "
        "all N samples. Yours holds one sample's only: a loop that assigns (=) instead of "
        "accumulating (+=).",
        "If you loop over the samples, check that each one is added to the total.",
        lambda a: _last_sample(a["H"], a["dS"]),
        variants=(lambda a: _last_sample(a["H"], a["dS"], 0),)),
)

Q23 = (
    Mistake(
        "wrong_axis", "Summed over the wrong axis",
        "You summed each sample's row (over the classes), which gives one number per sample. b2 "
        "has one entry per class, and each is used by every sample: its gradient collects the "
        "batch's contributions.",
        "Your result should have shape (K,), like b2. Which axis of dS indexes the samples?",
        lambda a: a["dS"].sum(axis=-1)),
    Mistake(
        "mean_not_sum", "Averaged over the batch",
        "dS already carries the mean's 1/N, so averaging its rows divides by N a second time: "
        "your db2 is N times too small.",
        "Count how many times your code divides by N between the loss and db2.",
        lambda a: a["dS"].mean(axis=-2)),
    Mistake(
        "not_reduced", "Returned dS unchanged",
        "dS has one row per sample, but b2 has one entry per class. Every sample uses the same b2, "
        "so the samples' contributions must be combined into one vector of shape (K,).",
        "Your result should have the shape of b2.",
        lambda a: a["dS"]),
)

_DRELU = ("The ReLU's derivative is not a smooth factor: it can only pass a unit's gradient on "
          "unchanged or block it entirely; it never scales it.")

Q24 = (
    Mistake(
        "no_relu_derivative", "Forgot the ReLU's derivative",
        "The gradient you return is the one reaching H, after the ReLU. To reach Z the chain rule "
        "also passes through the ReLU, and an inactive unit passes no gradient back.",
        "Look at the trial where every Z is negative: no hidden unit is active. What should the "
        "gradient be there?",
        lambda a: _upstream_hidden(a)),
    Mistake(
        "activation_as_derivative", "Multiplied by ReLU(Z) instead of its derivative",
        "You scaled the gradient by the activation's value rather than by its derivative. "
        + _DRELU,
        "The derivative of max(0, z) takes only two values. Which?",
        lambda a: _upstream_hidden(a) * m.relu(a["Z"])),
    Mistake(
        "sigmoid_derivative", "Used the sigmoid's derivative",
        "Your factor is the logistic sigmoid's derivative, which belongs to sigmoid units. This "
        "hidden layer uses the ReLU. " + _DRELU,
        "Differentiate max(0, z) on each side of 0.",
        lambda a: _upstream_hidden(a) * _sigmoid(a["Z"]) * (1.0 - _sigmoid(a["Z"]))),
    Mistake(
        "mask_wrong_side", "Passed the gradient through the inactive units",
        "Your gradient flows through the units whose pre-activation is negative and is blocked at "
        "the active ones: the ReLU's derivative is reversed.",
        "For which sign of Z does the ReLU's output change when Z changes a little?",
        lambda a: _upstream_hidden(a) * (a["Z"] < 0)),
)

Q25 = (
    Mistake(
        "transposed", "Gradient transposed",
        "Your dW1 has shape (M, D), W1's transpose. A gradient has the shape of the parameter it "
        "belongs to, (D, M).",
        "Write the shapes of X (N, D) and dZ (N, M): which product of them has shape (D, M)?",
        lambda a: _T(m.grad_W1(a["X"], a["dZ"]))),
    Mistake(
        "divided_by_n", "Divided by N a second time",
        "dZ descends from dS, which already carries the mean's 1/N. Averaging over the batch again "
        "makes dW1 N times too small.",
        "Count how many times your code divides by N from the loss to dW1.",
        lambda a: m.grad_W1(a["X"], a["dZ"]) / a["X"].shape[-2]),
    Mistake(
        "last_sample_only", "Only one sample's contribution",
        "W1 is shared by every sample of the batch, so its gradient adds up the contributions of "
        "all N samples. Yours holds one sample's only: a loop that assigns (=) instead of "
        "accumulating (+=).",
        "If you loop over the samples, check that each one is added to the total.",
        lambda a: _last_sample(a["X"], a["dZ"]),
        variants=(lambda a: _last_sample(a["X"], a["dZ"], 0),)),
)

MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "1.1": Q11, "1.2": Q12, "1.3": Q13, "1.4": Q14, "1.5": Q15,
    "2.1": Q21, "2.2": Q22, "2.3": Q23, "2.4": Q24, "2.5": Q25,
}
