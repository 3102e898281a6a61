"""Catalogue of known wrong answers to Homework 4, one tuple of :class:`Mistake` per question.

Each ``compute(args)`` receives the question's batched trial arguments (``Trials.args``: name ->
array with a leading trial axis) and returns what a student making that mistake would return,
batched the same way -- possibly with another shape than the right answer (stride-2 pooling
returns ``(T, 1, 1, 3)``).  :func:`grader.feedback.diagnose.diagnose` names a mistake only when it
reproduces *every* trial of a failed question, so an entry never has to be "probably right".

Explanations say what went wrong and why; hints point at where to look.  Neither spells out
the full correct formula: the student should still have to write it.

Ids used by the example submissions (``tests/example_verdicts.py``) must not change.
"""
from __future__ import annotations

import itertools
import threading

import numpy as np

from grader.assignment import Mistake
from . import model as m

# ----------------------------------------------------------------------------- helpers


def _stack(*cols) -> np.ndarray:
    return np.stack([np.asarray(c) for c in cols], axis=-1)


def _sizes(a, conv, pool, pool_input=None):
    """(c_w, c_h, p_w, p_h) with the given size rules, batched over trials."""
    w, h, f, p, s = (a[k] for k in ("width", "height", "filter_size", "pool_size", "stride"))
    cw, ch = conv(w, f, s), conv(h, f, s)
    src_w, src_h = (cw, ch) if pool_input is None else (w, h)
    return _stack(cw, ch, pool(src_w, p, s), pool(src_h, p, s))


def _right(n, f, s):
    return (n - f) // s + 1


def _delta(a):
    return m.output_delta(a["o"], a["target"])


def _fc_grad(z, d):
    return np.einsum("tijk,tm->tijkm", z, d)


def _pool_err(v, d):
    return np.einsum("tijkm,tm->tijk", v, d)


def _filter_grad(x, delta):
    """sum over positions of delta[c] * (the x pixel that w[fi, fj] meets at position c)."""
    win = m._windows(x, x.shape[1] - delta.shape[1] + 1)
    return np.einsum("tabij,tabk->tijk", win, delta)


# Every order in which a loop can visit the 2x2 pooling windows (row- or column-major, forwards
# or backwards, ...): with "=" instead of "+=", the order decides which window's error a shared
# neuron keeps, so an assign mistake is recognised whichever window wins.
WINDOW_ORDERS = tuple(itertools.permutations([(a, b) for a in range(2) for b in range(2)]))


def _route_max(y, dz, pick=np.argmax, place=lambda a, b, r, c: (a + r, b + c), accumulate=True,
               order=None):
    """Max-pool backward with pluggable mistakes: which neuron is picked, where it lands, += or =,
    and the order the windows are visited in."""
    masks, parts = _route_parts(y, dz, pick, place)
    if accumulate:
        return parts.sum(axis=(0, 1))
    dy = np.zeros(y.shape)
    for a, b in order or [(a, b) for a in range(dz.shape[1]) for b in range(dz.shape[2])]:
        dy = np.where(masks[a, b], parts[a, b], dy)
    return dy


_ROUTE_CACHE = threading.local()  # per thread: the variants of one diagnosis share the work


def _route_parts(y, dz, pick, place):
    """Per window (a, b): where its error lands (a mask over y) and the error there, each
    (p_w, p_h, T, 3, 3, K).  Cached for the last (y, dz, pick, place): a mistake's variants
    differ only in how these parts are combined."""
    key = (id(y), id(dz), y.shape, dz.shape, float(y.sum()), float(dz.sum()), pick, place)
    last = getattr(_ROUTE_CACHE, "last", None)
    if last is not None and last[0] == key and last[1] is y and last[2] is dz:
        return last[3]
    t, pw, ph, k = dz.shape
    win = m._windows(y, m.POOL)
    arg = pick(win.reshape(*win.shape[:4], m.POOL * m.POOL), axis=-1)
    masks = np.zeros((pw, ph) + y.shape, dtype=bool)
    for a in range(pw):
        for b in range(ph):
            for r in range(m.POOL):
                for c in range(m.POOL):
                    i, j = place(a, b, r, c)
                    masks[a, b, :, i, j, :] |= arg[:, a, b, :] == r * m.POOL + c
    parts = np.where(masks, dz.transpose(1, 2, 0, 3)[:, :, :, None, None, :], 0.0)
    _ROUTE_CACHE.last = (key, y, dz, (masks, parts))
    return masks, parts


# The answer key's Part 2 Q4, literally: for each y_{ci,cj} (0-based), {window (pi, pj): coefficient}.
_Q = 0.25
ANSWER_KEY_Q24 = {
    (0, 0): {(0, 0): 1},
    (0, 1): {(0, 0): 1, (0, 1): _Q},
    (0, 2): {(0, 1): 1},
    (1, 0): {(0, 0): 1, (1, 1): _Q},
    (1, 1): {(0, 0): 1, (0, 1): 1, (1, 0): 1, (1, 1): 1},
    (1, 2): {(0, 1): 1, (1, 1): _Q},
    (2, 0): {(1, 0): 1, (1, 1): _Q},
    (2, 1): {(1, 0): 1, (1, 1): _Q},
    (2, 2): {(1, 1): 1},
}


def _answer_key(a):
    dz = a["dE_dz"]
    dy = np.zeros((dz.shape[0], 3, 3, dz.shape[3]))
    for (ci, cj), coefs in ANSWER_KEY_Q24.items():
        for (pi, pj), c in coefs.items():
            dy[:, ci, cj, :] += c * dz[:, pi, pj, :]
    return dy


def _assign_sum_pool(a, order=WINDOW_ORDERS[0]):
    dz = a["dE_dz"]
    dy = np.zeros((dz.shape[0], 3, 3, dz.shape[3]))
    for i, j in order:
        dy[:, i:i + 2, j:j + 2, :] = dz[:, i, j, None, None, :]
    return dy


def _orders(f, **kw):
    """``f`` with the windows visited in every other order (a Mistake's variants)."""
    return tuple(lambda a, o=o: f(a, order=o, **kw) for o in WINDOW_ORDERS[1:])


# How many 2x2 stride-1 pooling windows contain each neuron of the 3x3 convolution layer.
WINDOWS_PER_NEURON = m.grad_conv_sum_pool(np.ones((1, 2, 2, 1)))[0, :, :, 0]


def _no_spread(a):
    dz = a["dE_dz"]
    dy = np.zeros((dz.shape[0], 3, 3, dz.shape[3]))
    dy[:, :2, :2, :] = dz
    return dy


# ----------------------------------------------------------------------------- Part 1

Q11 = (
    Mistake(
        "no_plus_one", "Forgot to count the window's first position",
        "(n - f) / stride counts how many steps the window can move, not how many places it can "
        "sit: the starting position, before any step, is a position too. The pooling sizes inherit "
        "the error.",
        "Try the smallest case by hand: a filter exactly as wide as the input fits once. What "
        "does your formula give?",
        lambda a: _sizes(a, lambda n, f, s: (n - f) // s, lambda n, f, s: (n - f) // s)),
    Mistake(
        "pool_no_plus_one", "Forgot to count the pooling window's first position",
        "Your convolution sizes are right, but the pooling sizes count only how many steps the "
        "pooling window can move, (c - p) / stride, not how many places it can sit: the starting "
        "position is one too.",
        "Use the same rule for the pooling layer as for the convolution layer, with the pooling "
        "window's size: a window exactly as wide as its input fits once.",
        lambda a: _sizes(a, _right, lambda n, f, s: (n - f) // s)),
    Mistake(
        "ignores_stride", "Ignored the stride",
        "Your sizes are those of a window that always moves one pixel at a time. With a larger "
        "stride the window skips positions, so fewer outputs fit (in both layers).",
        "Take width 7, filter 3, stride 2 and list by hand the columns where the window can "
        "start. Does your function agree?",
        lambda a: _sizes(a, lambda n, f, s: n - f + 1, lambda n, f, s: n - f + 1)),
    Mistake(
        "swapped_width_height", "Width and height swapped",
        "Your c_w is computed from the height and c_h from the width (likewise p_w and p_h). The "
        "homework's layers are square so it never shows there, but the function must also work "
        "for non-square inputs.",
        "Check which argument each returned number comes from, and the order of the returned "
        "tuple: (c_w, c_h, p_w, p_h).",
        lambda a: _sizes(a, _right, _right)[:, [1, 0, 3, 2]]),
    Mistake(
        "hardcoded_sizes", "Hard-coded the homework's sizes",
        "You return (3, 3, 2, 2), which is right only for the homework's own 4x4 network. The "
        "function must compute the sizes from its arguments.",
        "Express each size with width, height, filter_size, pool_size and stride, and test it on "
        "a geometry that is not the homework's.",
        lambda a: np.tile(np.array([3, 3, 2, 2], dtype=np.int64), (len(a["width"]), 1))),
    Mistake(
        "pool_stride_one", "Pooling layer ignores the stride",
        "Your convolution sizes use the stride but your pooling sizes assume the pooling window "
        "moves one step at a time. In this function both layers slide with the same stride.",
        "The pooling layer follows the same size rule as the convolution layer, with its own "
        "window size -- including the stride.",
        lambda a: _sizes(a, _right, lambda n, f, s: n - f + 1)),
    Mistake(
        "pool_stride_is_size", "Pooling stride taken as the pooling window's size",
        "Your pooling sizes use a stride equal to the pooling window (non-overlapping windows, the "
        "default of pooling layers in libraries such as nn.MaxPool2d), but in this function the "
        "pooling layer slides with the same stride as the convolution.",
        "Pass the function's stride to the pooling size rule instead of relying on a default.",
        lambda a: _sizes(a, _right, lambda n, f, s: (n - f) // f + 1)),
    Mistake(
        "pool_from_input", "Pooling sized from the input image",
        "The pooling layer slides over the convolution layer's output (c_w x c_h), not over the "
        "original image, so its size must be computed from c_w and c_h.",
        "Which layer feeds the pooling layer? Use that layer's size as the pooling input.",
        lambda a: _sizes(a, _right, _right, pool_input="image")),
    Mistake(
        "no_floor", "True division instead of rounding down",
        "When the stride does not divide the distance evenly, the last partial step does not "
        "fit: a window cannot sit at a fractional position. Your sizes come out as fractions then.",
        "Count only whole steps (integer division) and check with a stride that doesn't divide "
        "the distance, e.g. width 6, filter 3, stride 2.",
        lambda a: _sizes(a, lambda n, f, s: (n - f) / s + 1, lambda n, f, s: (n - f) / s + 1)),
)

Q12 = (
    Mistake(
        "no_sigmoid_conv", "Forgot the sigmoid on the convolution layer",
        "You return the weighted sums of each window (the pre-activations). The homework's "
        "y_{c_i,c_j,k} is the activation: the sigmoid applied to that weighted sum.",
        "Every y should lie strictly between 0 and 1. Do yours?",
        lambda a: m.conv_preactivation(a["x"], a["w"])),
    Mistake(
        "true_convolution", "Flipped the filter (a true convolution)",
        "You rotated the filter by 180 degrees before sliding it, as in the mathematical "
        "convolution. The homework (like CNN libraries) uses correlation: the filter is laid on "
        "the window as it is.",
        "In the homework's expression for y, which pixel of the window does w_{1,1,k} multiply, "
        "and which one does w_{2,2,k}?",
        lambda a: m.conv_forward(a["x"], a["w"][:, ::-1, ::-1, :])),
    Mistake(
        "transposed_filter", "Transposed the filter",
        "Inside each window you paired the pixel at row offset f_i, column offset f_j with "
        "w_{f_j,f_i,k}: the filter's rows and columns are swapped, so w_{1,2,k} and w_{2,1,k} "
        "trade places.",
        "The first filter index goes with the pixel's row offset, the second with its column "
        "offset. Check the order of indices where you read w.",
        lambda a: m.conv_forward(a["x"], a["w"].transpose(0, 2, 1, 3))),
    Mistake(
        "channels_first", "Channel axis first",
        "Your array holds the right numbers, but with the channel k on the first axis. The "
        "contract asks for y[c_i-1, c_j-1, k-1]: channel last. (The shape is (3, 3, 3) either "
        "way, so the shape check can't tell.)",
        "Look at where you write the result for channel k, and compare your y[0, 1, 2] with "
        "y_{1,2,3}.",
        lambda a: m.conv_forward(a["x"], a["w"]).transpose(0, 3, 1, 2)),
    Mistake(
        "swapped_output_indices", "Rows and columns of y swapped",
        "The window that starts at row c_i, column c_j was stored at row c_j, column c_i: your "
        "y_{c_i,c_j,k} holds the value that belongs to y_{c_j,c_i,k}.",
        "When you store a window's result, use its position indices in the same order as you "
        "used them to read x.",
        lambda a: m.conv_forward(a["x"], a["w"]).transpose(0, 2, 1, 3)),
    Mistake(
        "sigmoid_wrong_sign", "Sigmoid with the wrong sign in the exponent",
        "Your activation decreases as the weighted sum grows, so every y is one minus the right "
        "value: the sign inside the exponential is flipped.",
        "The sigmoid must approach 1 for large positive inputs. Evaluate your sigmoid at 5.",
        lambda a: 1.0 - m.conv_forward(a["x"], a["w"])),
)

Q13 = (
    Mistake(
        "average_pool", "Averaged instead of summed",
        "You divided each window's total by the number of neurons in it: that is average "
        "pooling. This network uses sum pooling.",
        "Re-read the layer's definition in the homework: how is z made from the four y's?",
        lambda a: m.sum_pool(a["y"]) / 4.0),
    Mistake(
        "stride2_pool", "Non-overlapping pooling windows (stride 2)",
        "You moved the 2x2 window by 2, so windows never overlap and only one fits in the 3x3 "
        "layer. The homework's pooling has stride 1: neighbouring windows share neurons.",
        "On a 3x3 grid, how many positions can a 2x2 window take when it moves one step at a "
        "time? That is the size z must have.",
        lambda a: a["y"][:, :2, :2, :].sum(axis=(1, 2))[:, None, None, :]),
    Mistake(
        "max_pool", "Max pooling instead of sum pooling",
        "You kept the largest value of each window. This layer is sum pooling (max pooling only "
        "appears in Part 2 Q5).",
        "Re-read the layer's definition in the homework: how is z made from the four y's?",
        lambda a: m.max_pool(a["y"])),
    Mistake(
        "sum_over_channels", "Summed across the channels too",
        "Each of your z values adds up the window in all three channels, so every channel gets "
        "the same number. Pooling works channel by channel: z_{p_i,p_j,k} uses only channel k.",
        "When you sum a window, sum over the two position axes only (NumPy's sum takes an "
        "axis argument).",
        lambda a: np.repeat(m.sum_pool(a["y"]).sum(axis=-1, keepdims=True), a["y"].shape[-1], axis=-1)),
)

Q14 = (
    Mistake(
        "no_output_sigmoid", "Forgot the sigmoid on the output layer",
        "You return the weighted sums feeding o_1 and o_2. The outputs are the sigmoid of those "
        "sums.",
        "o_1 and o_2 should lie strictly between 0 and 1. Do yours?",
        lambda a: np.einsum("tijk,tijkm->tm", a["z"], a["v"])),
    Mistake(
        "outputs_swapped", "o_1 and o_2 swapped",
        "Your o_1 is computed with the weights of o_2 and vice versa. The last index of v says "
        "which output neuron a weight feeds: v[..., 0] holds the w_{p_i,p_j,k,o_1}.",
        "Check which slice of v you use for each output, and the order you return them in.",
        lambda a: m.fc_forward(a["z"], a["v"])[:, ::-1]),
    Mistake(
        "sigmoid_wrong_sign", "Sigmoid with the wrong sign in the exponent",
        "Your outputs decrease as their weighted sums grow, so each is one minus the right "
        "value: the sign inside the exponential is flipped.",
        "The sigmoid must approach 1 for large positive inputs. Evaluate your sigmoid at 5.",
        lambda a: 1.0 - m.fc_forward(a["z"], a["v"])),
)

# ----------------------------------------------------------------------------- Part 2

_NO_DSIG = ("The output o is the sigmoid of a weighted sum, so the chain rule also passes through "
            "the sigmoid: its derivative is missing from your error term.")
_NO_DSIG_HINT = ("Write o_m = sigma(a_m) and differentiate E with respect to a_m first. The "
                 "sigmoid's derivative can be written using o_m itself.")
_SIGN = ("The derivative of 1/2 (o - y)^2 with respect to o has the opposite sign to yours: "
         "every gradient points the wrong way, so a gradient step would increase the error.")
_SIGN_HINT = ("Sanity check: if o_1 is above its label, increasing o_1 must increase E, so "
              "dE/do_1 must be positive.")

Q21 = (
    Mistake("no_sigmoid_derivative", "Missing the output sigmoid's derivative", _NO_DSIG,
            _NO_DSIG_HINT,
            lambda a: _fc_grad(a["z"], a["o"] - a["target"])),
    Mistake("sign_flipped", "Gradient with the wrong sign", _SIGN, _SIGN_HINT,
            lambda a: -m.grad_fc_weights(a["z"], a["o"], a["target"])),
    Mistake(
        "outputs_swapped", "Each weight paired with the other output's error",
        "The weight w_{p_i,p_j,k,o_1} feeds only o_1, so its gradient involves only o_1's error "
        "(and likewise for o_2). Yours uses the error of the other output.",
        "The last index of your result must select the same output in the weight and in the "
        "error term.",
        lambda a: _fc_grad(a["z"], _delta(a)[:, ::-1])),
)

Q22 = (
    Mistake("no_sigmoid_derivative", "Missing the output sigmoid's derivative", _NO_DSIG,
            _NO_DSIG_HINT,
            lambda a: _pool_err(a["v"], a["o"] - a["target"])),
    Mistake("sign_flipped", "Gradient with the wrong sign", _SIGN, _SIGN_HINT,
            lambda a: -m.grad_pool_output(a["v"], a["o"], a["target"])),
    Mistake(
        "one_output_only", "Only one output's contribution",
        "Every z_{p_i,p_j,k} feeds both o_1 and o_2, so E depends on it along two paths and its "
        "error collects one term per path. You kept only the path through o_1.",
        "Count the paths from a pooling neuron to E in the network's figure.",
        lambda a: a["v"][..., 0] * _delta(a)[:, None, None, None, 0]),
    Mistake(
        "weights_swapped", "Each output's error sent back along the other output's weight",
        "The error of o_1 reaches z through the weight that connects z to o_1, and likewise for "
        "o_2. Your terms pair each output's error with the other output's weight.",
        "In each term, check that the output index of the error and of the weight agree.",
        lambda a: _pool_err(a["v"][..., ::-1], _delta(a))),
)

Q23 = (
    Mistake(
        "answer_key_quarter", "Copied the answer key's Part 2 Q4 coefficients",
        "The homework's answer key has errors in this expansion: factors of 1/4 on some shared "
        "neurons, and a wrong or extra dE/dz term for y_{2,1,k} and y_{3,1,k}. Sum pooling has "
        "derivative 1, so a window's error reaches each of its neurons unscaled.",
        "Don't trust the key here: for each y_{c_i,c_j,k}, list the pooling windows that contain "
        "it, using the += sets of Part 2 Q3.",
        _answer_key),
    Mistake(
        "assign_not_accumulate", "Assigned the error instead of adding it",
        "The windows overlap (stride 1), so a neuron shared by several windows must receive the "
        "errors of all of them. Writing = instead of += keeps only the last window's error, and so does += "
        "through an index array that names a neuron twice (dy[I, J] += e adds once per position: "
        "np.add.at(dy, (I, J), e) adds every one).",
        "How many windows contain y_{2,2,k}? Check that your value for it involves all of them.",
        _assign_sum_pool, variants=_orders(_assign_sum_pool)),
    Mistake(
        "average_pool_grad", "Divided the error by 4",
        "Sharing the error out among the window's four neurons is the gradient of average "
        "pooling. In sum pooling each neuron enters z with coefficient 1, so dz/dy = 1 and the "
        "error passes on unscaled.",
        "Differentiate z_{1,1,k} = y_{1,1,k} + y_{1,2,k} + ... with respect to one of its y's.",
        lambda a: m.grad_conv_sum_pool(a["dE_dz"]) / 4.0),
    Mistake(
        "averages_overlaps", "Averaged the errors of overlapping windows",
        "A neuron shared by several windows affects E through each of them, and the total "
        "derivative adds those paths up; you took their mean instead.",
        "Look at y_{2,2,k}: it is in four windows. Should its error be smaller or larger than "
        "one window's?",
        lambda a: m.grad_conv_sum_pool(a["dE_dz"]) / WINDOWS_PER_NEURON[None, :, :, None]),
    Mistake(
        "no_spread", "Each window's error sent to one neuron only",
        "You copied dE/dz into one corner of dE/dy, as if each window fed from a single neuron. "
        "In sum pooling all four neurons of a window contribute to z, so all four receive its "
        "error.",
        "Part 2 Q3's += sets have four neurons each: use all of them.",
        _no_spread),
)

Q24 = (
    Mistake(
        "missing_y_derivative", "Forgot the sigmoid derivative of the convolution layer",
        "dE_dy is the error at y, after the sigmoid. To reach the filter weights the chain rule "
        "also passes through that sigmoid, and its derivative is missing.",
        "Write y = sigma(a) where a is the window's weighted sum, and differentiate E with "
        "respect to a before the weights. The derivative can be written with y alone.",
        lambda a: _filter_grad(a["x"], a["dE_dy"])),
    Mistake(
        "sigmoid_derivative_of_y", "Applied the sigmoid to y a second time",
        "y is already the sigmoid's output. You evaluated the sigmoid's derivative at y (as if y "
        "were the pre-activation), which applies the sigmoid twice.",
        "If your derivative helper expects a pre-activation, don't pass it y: rewrite the "
        "derivative in terms of the activation y directly.",
        lambda a: _filter_grad(a["x"], a["dE_dy"] * m.sigmoid(a["y"]) * (1 - m.sigmoid(a["y"])))),
    Mistake(
        "transposed_filter_grad", "Filter gradient transposed",
        "Your dE/dw_{f_i,f_j,k} is the one for w_{f_j,f_i,k}: row and column offsets are swapped "
        "when pairing a weight with its input pixel.",
        "In the forward pass, w_{f_i,f_j,k} multiplies the pixel f_i - 1 rows below and f_j - 1 "
        "columns right of the window's corner. Pair it with the same pixel here.",
        lambda a: m.grad_filters(a["x"], a["y"], a["dE_dy"]).transpose(0, 2, 1, 3)),
    Mistake(
        "rotated_filter_grad", "Filter gradient rotated by 180 degrees",
        "You paired each weight with the pixel at the opposite corner of the window, as a true "
        "(flipped) convolution would. In this network's forward pass w_{1,1,k} multiplies each "
        "window's top-left pixel.",
        "Check which pixel of the window each weight meets in the forward pass, and use the same "
        "one in the gradient.",
        lambda a: m.grad_filters(a["x"], a["y"], a["dE_dy"])[:, ::-1, ::-1, :]),
)

Q25 = (
    Mistake(
        "max_all_four", "Error sent to all four neurons of the window",
        "That is the sum-pooling gradient. With max pooling, z depends only on the largest y of "
        "the window; the other three neurons do not affect z, so their derivative is 0.",
        "Within each window, which single neuron does z actually depend on?",
        lambda a: m.grad_conv_sum_pool(a["dE_dz"])),
    Mistake(
        "max_swapped_argmax", "Arg-max position transposed inside the window",
        "You found each window's maximum but turned its flat position into (column, row) "
        "instead of (row, column), so when the maximum is off the window's diagonal the error "
        "lands on the wrong neuron.",
        "Check what your index conversion returns for a flat index into a 2x2 window stored row "
        "by row (np.unravel_index or divmod).",
        lambda a: _route_max(a["y"], a["dE_dz"], place=lambda i, j, r, c: (i + c, j + r))),
    Mistake(
        "max_assign", "Assigned the error instead of adding it",
        "With stride 1 the windows overlap, so one neuron can be the maximum of several windows; "
        "it must then receive the errors of all of them. Writing = keeps only the last one, as do "
        "np.put_along_axis and += through an index array that names a neuron twice (np.add.at adds every one).",
        "Find a y that is the largest of two windows and check that your dE/dy for it involves "
        "both windows.",
        lambda a: _route_max(a["y"], a["dE_dz"], accumulate=False),
        variants=tuple(lambda a, o=o: _route_max(a["y"], a["dE_dz"], accumulate=False, order=o)
                       for o in WINDOW_ORDERS[1:])),
    Mistake(
        "max_missing_offset", "Forgot the window's offset",
        "The arg-max you found is a position inside the 2x2 window, relative to its corner. You "
        "used it as a position in the whole layer, so every error lands in the top-left 2x2 "
        "block.",
        "Convert the position inside the window to a position in y by adding where the window "
        "starts.",
        lambda a: _route_max(a["y"], a["dE_dz"], place=lambda i, j, r, c: (r, c))),
    Mistake(
        "max_argmin", "Error sent to the window's smallest neuron",
        "The error goes to the neuron that produced z, which for max pooling is the window's "
        "largest y; yours goes to the smallest.",
        "Check whether you used argmin, or took the wrong end of a sorted order.",
        lambda a: _route_max(a["y"], a["dE_dz"], pick=np.argmin),
        # however the smallest is found, combined with "=" in any window order
        variants=tuple(lambda a, o=o: _route_max(a["y"], a["dE_dz"], pick=np.argmin, accumulate=False, order=o)
                       for o in WINDOW_ORDERS)),
    Mistake(
        "max_global", "Error sent to the channel's largest neuron",
        "Each window's error goes to the largest y of that window. Yours goes to the largest y of "
        "the whole channel, so every window's error lands on one neuron, even windows that do not "
        "contain it.",
        "Take the maximum over each 2x2 window, not over the whole channel.",
        lambda a: _route_global_max(a["y"], a["dE_dz"]),
        # assigned instead of added: the last window's error only
        variants=(lambda a: _route_global_max(a["y"], a["dE_dz"], accumulate=False),)),
)


def _route_global_max(y: np.ndarray, dz: np.ndarray, accumulate: bool = True) -> np.ndarray:
    """Every window's error sent to its channel's largest neuron (batched over trials)."""
    t, h, w, k = y.shape
    flat = y.reshape(t, h * w, k).argmax(axis=1)  # (t, k)
    out = np.zeros_like(y, dtype=np.float64).reshape(t, h * w, k)
    total = dz.reshape(t, -1, k).sum(axis=1) if accumulate else dz[:, -1, -1, :]
    np.put_along_axis(out, flat[:, None, :], total[:, None, :], axis=1)
    return out.reshape(t, h, w, k)

MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "1.1": Q11, "1.2": Q12, "1.3": Q13, "1.4": Q14,
    "2.1": Q21, "2.2": Q22, "2.3": Q23, "2.4": Q24, "2.5": Q25,
}

# Named groups of elements, for the generic element map (grader.feedback.diagnose): question id ->
# {description: boolean mask over one trial's answer}.  A wrong-element set equal to a group is
# reported by its description.
_SHARED = np.repeat((WINDOWS_PER_NEURON >= 2)[:, :, None], 3, axis=2)
_CENTRE = np.repeat((WINDOWS_PER_NEURON == 4)[:, :, None], 3, axis=2)
_EDGE = np.repeat((WINDOWS_PER_NEURON == 2)[:, :, None], 3, axis=2)
_CORNER = np.repeat((WINDOWS_PER_NEURON == 1)[:, :, None], 3, axis=2)
_Y_GROUPS = {
    "the neurons shared by two or more pooling windows": _SHARED,
    "the centre neurons y_{2,2,k}, shared by all four pooling windows": _CENTRE,
    "the edge neurons y_{1,2,k}, y_{2,1,k}, y_{2,3,k}, y_{3,2,k}, each in two pooling windows": _EDGE,
    "the corner neurons, each in a single pooling window": _CORNER,
}
_O1 = np.zeros((2, 2, 3, 2), dtype=bool)
_O1[..., 0] = True
GROUPS: dict[str, dict[str, np.ndarray]] = {
    "1.1": {"the pooling sizes p_w, p_h": np.array([False, False, True, True]),
            "the convolution sizes c_w, c_h": np.array([True, True, False, False])},
    "1.4": {"o_1": np.array([True, False]), "o_2": np.array([False, True])},
    "2.1": {"the weights of o_1": _O1, "the weights of o_2": ~_O1},
    "2.3": _Y_GROUPS,
    "2.5": _Y_GROUPS,
}
