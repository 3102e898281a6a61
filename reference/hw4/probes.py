"""Homework 4's data for the generic probes of :mod:`grader.feedback.probes`: what a student may have
computed instead, per question.

Each Expression slot lists the right factor first, then plausible wrong ones; the texts are how
the *student's* expression reads when that factor is chosen.  A right factor that would, alone,
spell out part of the answer where nothing else is wrong is never shown on its own: findings
always describe an answer that differs from the right one.
"""
from __future__ import annotations

import re

import numpy as np

from grader.feedback.probes import Activation, ArgNames, Expression, Factor, Features, Terms
from . import model as m

ONE = Factor("1", lambda a: 1.0)


def _other(arr):
    return arr[..., ::-1]


def _sig(a):
    return m.sigmoid(a)


# ----------------------------------------------------------------------------- 1.1 sizes

# (text with n, f, s; rule) -- rules act on integer arrays, batched.
_RULES = (
    ("⌊(n − f)/s⌋ + 1", lambda n, f, s: (n - f) // s + 1),
    ("⌈(n − f)/s⌉ + 1", lambda n, f, s: -(-(n - f) // s) + 1),
    ("⌊(n − f + 1)/s⌋", lambda n, f, s: (n - f + 1) // s),
    ("⌈(n − f + 1)/s⌉", lambda n, f, s: -(-(n - f + 1) // s)),
    ("⌊(n − f)/s⌋", lambda n, f, s: (n - f) // s),
    ("⌈(n − f)/s⌉ (len(range(1, n − f + 1, s)): the window's starts counted from 1 with an end that range "
     "leaves out, where they run from 0 to n − f)", lambda n, f, s: -(-(n - f) // s)),
    ("n − f + 1", lambda n, f, s: n - f + 1),
    ("(n − f)/s + 1", lambda n, f, s: (n - f) / s + 1),
    ("round((n − f)/s) + 1", lambda n, f, s: np.floor((n - f) / s + 0.5).astype(np.int64) + 1),
    ("⌊n/s⌋ − f + 1", lambda n, f, s: n // s - f + 1),
    ("⌈n/s⌉", lambda n, f, s: -(-n // s)),
    ("⌊n/s⌋", lambda n, f, s: n // s),
    ("⌊(n − f)/s⌋ + 2", lambda n, f, s: (n - f) // s + 2),
    ("round((n − f)/s) + 1, Python's round (a half goes to the even number)",
     lambda n, f, s: np.round((n - f) / s).astype(np.int64) + 1),
    ("n − ⌊f/s⌋ + 1 (n - f // s + 1: the division binds first, parentheses missing)", lambda n, f, s: n - f // s + 1),
    ("n − f/s + 1 (n - f / s + 1: the division binds first, parentheses missing)", lambda n, f, s: n - f / s + 1),
)


def _conv_rule(text, rule, right):
    return Factor("" if right else "c_w, c_h = " + text + " (n = width, height; f = filter_size)",
                  lambda a, rule=rule: rule)


def _pool_rule(text, rule, right):
    shown = re.sub(r"\bn\b", "c", re.sub(r"\bf\b", "p", text))
    return Factor("" if right else "p_w, p_h = " + shown + " (c = c_w, c_h; p = pool_size)",
                  lambda a, rule=rule: rule)


def _build_sizes(a, chosen):
    conv, pool, from_image, pool_window = chosen
    w, h, f, p, s = (a[k] for k in ("width", "height", "filter_size", "pool_size", "stride"))
    p = a[pool_window]
    cw, ch = conv(w, f, s), conv(h, f, s)
    src_w, src_h = (w, h) if from_image else (cw, ch)
    return np.stack([cw, ch, pool(src_w, p, s), pool(src_h, p, s)], axis=-1)[None]


def _sizes_many(a, combos):
    """Every candidate's (c_w, c_h, p_w, p_h) at once: each rule is evaluated once on all the
    inputs it can meet (as floats holding the integers: // and the ceil trick work on them, and
    a fractional c from true division stays fractional), then candidates are picked."""
    w, h, f, p, s = (a[k] for k in ("width", "height", "filter_size", "pool_size", "stride"))
    rules = [r for _, r in _RULES]
    conv = np.stack([np.stack([r(w, f, s), r(h, f, s)], axis=-1) for r in rules]).astype(np.float64)
    srcs = np.concatenate([conv, np.stack([w, h], axis=-1)[None].astype(np.float64)])  # (R+1, T, 2)
    windows = (p[:, None], f[:, None])
    pool = np.stack([np.stack([r(srcs, win, s[:, None]) for win in windows]) for r in rules])
    out = []
    for ci, pi, img, win in combos:
        src = len(rules) if img else ci
        out.append(np.concatenate([conv[ci], pool[pi, win, src]], axis=-1))
    return np.stack(out)[:, None]


Q11_SIZES = Expression(
    slots=(tuple(_conv_rule(t, r, i == 0) for i, (t, r) in enumerate(_RULES)),
           tuple(_pool_rule(t, r, i == 0) for i, (t, r) in enumerate(_RULES)),
           (Factor("", lambda a: False),
            Factor("p_w, p_h computed from the image's width and height instead of c_w, c_h",
                   lambda a: True)),
           (Factor("", lambda a: "pool_size"),
            Factor("p_w, p_h computed with the filter size instead of pool_size",
                   lambda a: "filter_size"))),  # (indices 0, 1 in _sizes_many)
    build=_build_sizes, build_many=_sizes_many,
    render=lambda texts: "; ".join(t for t in texts if t),
    constants=False,
)


def _divides(a):
    s = a["stride"]
    return ((a["width"] - a["filter_size"]) % s != 0) | ((a["height"] - a["filter_size"]) % s != 0)


Q11_FEATURES = Features((
    ("the stride is not 1", lambda a: a["stride"] != 1),
    ("the stride does not divide n − f (for the width or the height)", _divides),
    ("the input is not square", lambda a: a["width"] != a["height"]),
    ("the pool size differs from the filter size", lambda a: a["pool_size"] != a["filter_size"]),
))

# ----------------------------------------------------------------------------- forward

def _logit(p):
    return np.log(p) - np.log1p(-p)


# The sigmoid's inputs here stay within about ±30 (questions.py): a clipped one is a mistake.
_SIGMOID = dict(name="the sigmoid", range=(0.0, 1.0), function=_sig, inverse=_logit,
                note="Inputs here reach about ±30 and need no clipping.")
Q12_ACT = Activation(pre=lambda a: m.conv_preactivation(a["x"], a["w"]), what="y",
                     inputs="each window's weighted sum", **_SIGMOID)
Q14_ACT = Activation(pre=lambda a: np.einsum("tijk,tijkm->tm", a["z"], a["v"]), what="o",
                     inputs="the weighted sums feeding o_1 and o_2", **_SIGMOID)

# z_{p_i,p_j,k} as a combination of the nine y_{c_i,c_j,k} of its channel
Q13_TERMS = Terms(
    terms=lambda a: np.broadcast_to(
        a["y"].reshape(len(a["y"]), 9, 1, 1, a["y"].shape[-1]), (len(a["y"]), 9, 2, 2, a["y"].shape[-1])),
    name=lambda j, idx: f"y_{{{j // 3 + 1},{j % 3 + 1},k}}",
    element=lambda idx: f"z_{{{idx[0] + 1},{idx[1] + 1},k}}",
)

# ----------------------------------------------------------------------------- backward, output layer

_O = lambda a: a["o"]  # noqa: E731
_T = lambda a: a["target"]  # noqa: E731

_ERR = (
    Factor("(o_m − y_m)", lambda a: _O(a) - _T(a)),
    Factor("(o_m − y_{m'})", lambda a: _O(a) - _other(_T(a)),
           "Your error term pairs each output with the other output's label (y_1 and y_2 swapped)."),
    Factor("(o_{m'} − y_{m'})", lambda a: _other(_O(a) - _T(a)),
           "Your error term is the other output's."),
    Factor("o_m", _O, "The label y_m is missing from your error term."),
    Factor("y_m", _T, "Your error term is the label alone."),
    Factor("(o_m − y_m)²", lambda a: (_O(a) - _T(a)) ** 2,
           "You kept the square: differentiating ½(o_m − y_m)² with respect to o_m removes it."),
    Factor("(o_1 − y_1)", lambda a: np.repeat((_O(a) - _T(a))[:, :1], 2, axis=1),
           "Your error term is o_1's for both outputs."),
    Factor("", lambda a: np.ones_like(_O(a)), "The error term (o_m − y_m) is missing."),
)
_DSIG = (
    Factor("o_m(1 − o_m)", lambda a: _O(a) * (1 - _O(a))),
    Factor("Σ_m' o_{m'}(1 − o_{m'})", lambda a: np.repeat((_O(a) * (1 - _O(a))).sum(-1, keepdims=True), 2, -1),
           "Your sigmoid derivative is the sum of both outputs' o(1 − o): a dot product (o @ (1 − o)) where the "
           "element-wise product o * (1 − o) belongs."),
    Factor("o_m(1 − o_{m'})", lambda a: _O(a) * (1 - _other(_O(a))),
           "Your sigmoid derivative mixes the outputs: o_m times (1 − the other output)."),
    Factor("o_{m'}(1 − o_m)", lambda a: _other(_O(a)) * (1 - _O(a)),
           "Your sigmoid derivative mixes the outputs: the other output times (1 − o_m)."),
    Factor("", lambda a: np.ones_like(_O(a)), "The derivative of the output sigmoid is missing."),
    Factor("o_m(1 + o_m)", lambda a: _O(a) * (1 + _O(a)),
           "o_m(1 + o_m) is not the sigmoid's derivative: check the sign inside it."),
    Factor("o_m", _O, "Where the sigmoid's derivative belongs you have o_m alone."),
    Factor("(1 − o_m)", lambda a: 1 - _O(a), "Where the sigmoid's derivative belongs you have (1 − o_m) alone."),
    Factor("(1 − o_m²)", lambda a: 1 - _O(a) ** 2,
           "1 − o_m² is the derivative of tanh, not of the sigmoid."),
    Factor("σ(o_m)(1 − σ(o_m))", lambda a: _sig(_O(a)) * (1 - _sig(_O(a))),
           "o_m is already the sigmoid's output: you applied the sigmoid to it again."),
    Factor("o_{m'}(1 − o_{m'})", lambda a: _other(_O(a) * (1 - _O(a))),
           "Your sigmoid derivative is the other output's."),
    Factor("o_1(1 − o_1)", lambda a: np.repeat((_O(a) * (1 - _O(a)))[:, :1], 2, axis=1),
           "Your sigmoid derivative is o_1's for both outputs."),
    Factor("o_m(1 − y_m)", lambda a: _O(a) * (1 - _T(a)),
           "The sigmoid's derivative is o_m(1 − o_m): yours has the label y_m in place of one o_m."),
    Factor("y_m(1 − o_m)", lambda a: _T(a) * (1 - _O(a)),
           "The sigmoid's derivative is o_m(1 − o_m): yours has the label y_m in place of one o_m."),
    Factor("y_m(1 − y_m)", lambda a: _T(a) * (1 - _T(a)),
           "The sigmoid's derivative is taken at the label y_m, not at the output o_m."),
)


def _per_output(f):
    """An output-indexed factor (T, 2) placed on the answer's last axis: (T, 1, 1, 1, 2)."""
    return lambda a: np.asarray(f(a))[:, None, None, None, :]


def _lift(options):
    return tuple(Factor(o.text, _per_output(o.value), o.note) for o in options)


# the product P of the chosen factors has shape (N, T, 2, 2, 3, 2): one term per output m
_MASK = np.eye(2)


def _q21_build(a, P):
    return np.stack([P * _MASK[b] for b in range(2)], axis=1)  # each output's weights: a branch


Q21_EXPR = Expression(
    slots=(_lift(_ERR), _lift(_DSIG),
           (Factor("z_{p_i,p_j,k}", lambda a: a["z"][..., None]),
            Factor("", lambda a: 1.0, "The factor z_{p_i,p_j,k} is missing."))),
    build=_q21_build, product=True,
    render=lambda t: "·".join(x for x in t if x) or "a constant",
    lhs="∂E/∂w_{p_i,p_j,k,o_m}",
    branches=("the weights of o_1", "the weights of o_2"),
)


Q22_EXPR = Expression(
    slots=(_lift(_ERR), _lift(_DSIG),
           (Factor("w_{p_i,p_j,k,o_m}", lambda a: a["v"]),
            Factor("w_{p_i,p_j,k,o_{m'}}", lambda a: a["v"][..., ::-1],
                   "Each output's error goes back along the other output's weight."),
            Factor("", lambda a: 1.0, "The weight w_{p_i,p_j,k,o_m} is missing."),
            Factor("(w_{p_i,p_j,k,o_1} + w_{p_i,p_j,k,o_2})", lambda a: np.repeat(a["v"].sum(-1, keepdims=True), 2, -1),
                   "Each output's error goes back along the sum of both outputs' weights: the errors "
                   "of o_1 and o_2 are mixed into every element."))),
    build=lambda a, P: np.moveaxis(P, -1, 1),  # the sum over outputs: one branch per output
    product=True,
    render=lambda t: "Σ_m " + ("·".join(x for x in t if x) or "a constant"),
    lhs="∂E/∂z_{p_i,p_j,k}",
    branches=("the o_1 term", "the o_2 term"),
)

# ----------------------------------------------------------------------------- 2.3 / 2.5 routing


def _window_terms(dz, gate=None):
    """(T, 4, 3, 3, K): term j at (c_i, c_j) is window j's error (dense, every element), gated by
    ``gate[t, j, c_i, c_j, k]`` when given."""
    t, _, _, k = dz.shape
    out = np.broadcast_to(dz.reshape(t, 4, 1, 1, k), (t, 4, 3, 3, k))
    return out if gate is None else out * gate


def _rank_gate(y, rank):
    """gate[t, j, c_i, c_j, k]: y_{c_i,c_j,k} is window j's ``rank``-th largest (0: largest)."""
    win = m._windows(y, m.POOL)
    # (stable: on a tie the first position counts as larger, as argmax has it)
    order = np.argsort(-win.reshape(*win.shape[:4], m.POOL * m.POOL), axis=-1, kind="stable")[..., rank]
    t, k = y.shape[0], y.shape[-1]
    gate = np.zeros((t, 4, 3, 3, k))
    for j in range(4):
        a, b = divmod(j, 2)
        for r in range(2):
            for c in range(2):
                gate[:, j, a + r, b + c, :] = order[:, a, b, :] == r * 2 + c
    return gate


def _block_gate(y, same_channel):
    """gate[t, j, c_i, c_j, k]: (c_i, c_j) is where window j's maximum over its whole 2x2xK block
    lies (all channels compared together), and -- ``same_channel`` -- k is that maximum's channel."""
    win = m._windows(y, m.POOL)  # (T, p, p, K, 2, 2)
    t, p, _, k = win.shape[:4]
    flat = np.moveaxis(win, 3, -1).reshape(t, p, p, m.POOL * m.POOL * k)  # (row, col, channel) order
    r, c, kk = np.unravel_index(flat.argmax(axis=-1), (m.POOL, m.POOL, k))
    gate = np.zeros((t, 4, 3, 3, k))
    for j in range(4):
        a, b = divmod(j, 2)
        for rr in range(2):
            for cc in range(2):
                at = (r[:, a, b] == rr) & (c[:, a, b] == cc)  # (T,)
                if same_channel:
                    gate[:, j, a + rr, b + cc, :] = at[:, None] & (kk[:, a, b][:, None] == np.arange(k))
                else:
                    gate[:, j, a + rr, b + cc, :] = at[:, None]
    return gate


def _wname(j):
    return f"∂E/∂z_{{{j // 2 + 1},{j % 2 + 1},k}}"


Q23_TERMS = Terms(terms=lambda a: _window_terms(a["dE_dz"]), name=lambda j, idx: _wname(j),
                  element=lambda idx: f"∂E/∂y_{{{idx[0] + 1},{idx[1] + 1},k}}")

_GATES = ("when it is that window's max", "always", "when it is that window's second largest",
          "when it is the max of that window's whole 2×2×K block, all channels compared together",
          "at the position of the max of that window's whole 2×2×K block, all channels compared together")

Q25_TERMS = Terms(
    terms=lambda a: np.concatenate([_window_terms(a["dE_dz"], _rank_gate(a["y"], 0)),
                                    _window_terms(a["dE_dz"]),
                                    _window_terms(a["dE_dz"], _rank_gate(a["y"], 1)),
                                    _window_terms(a["dE_dz"], _block_gate(a["y"], True)),
                                    _window_terms(a["dE_dz"], _block_gate(a["y"], False))], axis=1),
    name=lambda j, idx: f"{_wname(j % 4)} ({_GATES[j // 4]})",
    # the right terms (max-gated) with one alternative group at a time: all of them at once
    # would be collinear on some elements (and describing a difference needs the right terms)
    subsets=((0, 1, 2, 3, 4, 5, 6, 7), (0, 1, 2, 3, 8, 9, 10, 11), (0, 1, 2, 3, 12, 13, 14, 15),
             (0, 1, 2, 3, 16, 17, 18, 19)),
    element=lambda idx: f"∂E/∂y_{{{idx[0] + 1},{idx[1] + 1},k}}",
)

# ----------------------------------------------------------------------------- 2.4 filters


def _y(a):
    return a["y"]


_DSIG_Y = (
    Factor("y_{c_i,c_j,k}(1 − y_{c_i,c_j,k})", lambda a: _y(a) * (1 - _y(a))),
    Factor("", lambda a: np.ones_like(_y(a)), "The derivative of the convolution layer's sigmoid is missing."),
    Factor("y_{c_i,c_j,k}(1 + y_{c_i,c_j,k})", lambda a: _y(a) * (1 + _y(a)),
           "y(1 + y) is not the sigmoid's derivative: check the sign inside it."),
    Factor("y_{c_i,c_j,k}", _y, "Where the sigmoid's derivative belongs you have y alone."),
    Factor("(1 − y_{c_i,c_j,k})", lambda a: 1 - _y(a),
           "Where the sigmoid's derivative belongs you have (1 − y) alone."),
    Factor("(1 − y_{c_i,c_j,k}²)", lambda a: 1 - _y(a) ** 2, "1 − y² is the derivative of tanh, not of the sigmoid."),
    Factor("σ(y_{c_i,c_j,k})(1 − σ(y_{c_i,c_j,k}))", lambda a: _sig(_y(a)) * (1 - _sig(_y(a))),
           "y is already the sigmoid's output: you applied the sigmoid to it again."),
)


def _pixel_windows(x):
    """win[t, f_i, f_j, c_i, c_j] = x[t, c_i + f_i, c_j + f_j]."""
    return np.stack([np.stack([x[:, fi:fi + 3, fj:fj + 3] for fj in range(2)], 1) for fi in range(2)], 1)


_PIXEL = (
    Factor("x_{c_i+f_i−1,c_j+f_j−1}", lambda a: _pixel_windows(a["x"])),
    Factor("x_{c_i+f_j−1,c_j+f_i−1}", lambda a: _pixel_windows(a["x"]).transpose(0, 2, 1, 3, 4),
           "The filter offsets are swapped when you pick the pixel (f_i with the column)."),
    Factor("x_{c_i+2−f_i,c_j+2−f_j}", lambda a: _pixel_windows(a["x"])[:, ::-1, ::-1],
           "Each weight meets the pixel at the opposite corner of the window (a flipped filter)."),
    Factor("x_{c_j+f_j−1,c_i+f_i−1}", lambda a: _pixel_windows(a["x"].transpose(0, 2, 1)),
           "You read the image transposed (x_{j,i} for x_{i,j})."),
    Factor("x_{c_i,c_j}", lambda a: np.broadcast_to(_pixel_windows(a["x"])[:, :1, :1], (len(a["x"]), 2, 2, 3, 3)),
           "Every weight meets the same pixel: the filter offset is missing from the pixel's index."),
    Factor("x_{c_i+f_i−1,c_j+f_i−1}", lambda a: _same_offset(_pixel_windows(a["x"]), 1),
           "The pixel's column offset uses f_i where it should use f_j (a typo in the index)."),
    Factor("x_{c_i+f_j−1,c_j+f_j−1}", lambda a: _same_offset(_pixel_windows(a["x"]), 2),
           "The pixel's row offset uses f_j where it should use f_i (a typo in the index)."),
    Factor("x_{c_i−f_i+1,c_j−f_j+1} (wrapping around)", lambda a: _rolled_windows(a["x"]),
           "Each weight meets the pixel f_i − 1 rows above and f_j − 1 columns left of the window's corner, "
           "wrapping around the image's edge: np.roll shifts the image the other way (np.roll(x, f) brings "
           "x_{c_i−f} to c_i; the window needs np.roll(x, −f))."),
    Factor("x_{c_i,c_j+f_i+f_j−2} (the next row after the last column)", lambda a: _flat_windows(a["x"], 1),
           "Each weight meets the pixel f_i + f_j − 2 columns on along the image's row (past its end, the next "
           "row's first): a window view whose row step is the column stride (as_strided with strides "
           "(s0, s1, s1, s1) where (s0, s1, s0, s1) belong)."),
)


def _rolled_windows(x):
    """win[t, f_i, f_j, c_i, c_j] = x[t, (c_i − f_i) mod H, (c_j − f_j) mod W]."""
    return np.stack([np.stack([np.roll(x, (fi, fj), axis=(1, 2))[:, :3, :3] for fj in range(2)], 1)
                     for fi in range(2)], 1)


def _flat_windows(x, row_step):
    """win[t, f_i, f_j, c_i, c_j] = x.flat[c_i·W + c_j + f_i·row_step + f_j] (one image per trial)."""
    t, h, w = x.shape
    flat = x.reshape(t, h * w)
    idx = (np.arange(3)[None, None, :, None] * w + np.arange(3)[None, None, None, :]
           + np.arange(2)[:, None, None, None] * row_step + np.arange(2)[None, :, None, None])
    return flat[:, np.clip(idx, 0, h * w - 1)]


def _one_tap(f, g):
    """The pixel windows with filter tap f = (f_i, f_j) reading tap g's pixel (one term of the
    window's sum written with the wrong neighbour)."""
    def value(a):
        win = _pixel_windows(a["x"]).copy()
        win[:, f[0], f[1]] = win[:, g[0], g[1]]
        return win
    return value


_TAPS = [(0, 0), (0, 1), (1, 0), (1, 1)]
_PIXEL = _PIXEL + tuple(
    Factor(f"x_{{c_i+{g[0]},c_j+{g[1]}}} for w_{{{f[0] + 1},{f[1] + 1},k}}", _one_tap(f, g),
           f"One term of the window's sum reads the wrong pixel: w_{{{f[0] + 1},{f[1] + 1},k}} meets "
           f"x_{{c_i+{g[0]},c_j+{g[1]}}}, the pixel that w_{{{g[0] + 1},{g[1] + 1},k}} meets.")
    for f in _TAPS for g in _TAPS if f != g)


def _same_offset(win, axis):
    """win with both offsets taken from one filter index: [t, f_i, f_j] -> the diagonal window
    of f_i (axis 1) or f_j (axis 2), whatever the other index."""
    diag = np.stack([win[:, d, d] for d in range(2)], axis=1)  # (T, 2, 3, 3)
    if axis == 1:
        return np.broadcast_to(diag[:, :, None], win.shape)
    return np.broadcast_to(diag[:, None, :], win.shape)


_ACTS = (("σ", m.sigmoid, ""), ("tanh", np.tanh, "tanh is not the sigmoid."),
         ("", lambda a: a, "The sigmoid is missing."), ("max(0, ·)", lambda a: np.maximum(a, 0.0),
                                                          "ReLU is not the sigmoid."))


def _conv_many(a, combos):
    """y for every (pixel option, activation) pair: pre-activations once per pixel option."""
    pre = {}
    out = []
    for px, act in combos:
        if px not in pre:
            win = np.asarray(_PIXEL[px].value(a))  # (T, f_i, f_j, c_i, c_j)
            pre[px] = np.einsum("tijab,tijk->tabk", win, a["w"])
        out.append(_ACTS[act][1](pre[px]))
    return np.stack(out)[:, None]


def _conv_render(texts):
    pixel, act = texts
    inner = "Σ_{f_i,f_j} w_{f_i,f_j,k}·" + (pixel or "x_{c_i+f_i−1,c_j+f_j−1}")
    return f"{act}({inner})" if act else inner


Q12_EXPR = Expression(
    slots=(tuple(Factor(f.text, f.value, f.note) for f in _PIXEL),
           tuple(Factor(t, lambda a: None, note) for t, _, note in _ACTS)),
    build=lambda a, chosen: None, build_many=_conv_many, constants=False,
    render=_conv_render, lhs="y_{c_i,c_j,k}",
)


def _at_positions(f):
    """A per-neuron factor (T, 3, 3, K) placed as (T, 1, 1, 3, 3, K): P is indexed
    (T, f_i, f_j, c_i, c_j, k) and summed over the positions c_i, c_j."""
    return lambda a: np.asarray(f(a))[:, None, None]


def _patch_on_last_axes(x, K):
    """win[t, f_i, f_j, c_i, c_j, k] = x[t, f_i + c_j, f_j + k]: a (3, 3) patch broadcast against a
    (3, 3, K) array, its axes meeting the last two (K = 3 here, so the shapes let it through)."""
    t = len(x)
    out = np.zeros((t, 2, 2, 3, 3, K))
    if K > x.shape[2] - 1:
        return np.full((t, 2, 2, 3, 3, K), np.nan)
    for fi in range(2):
        for fj in range(2):
            patch = x[:, fi:fi + 3, fj:fj + K]  # (T, 3, K): rows c_j, columns k
            out[:, fi, fj] = patch[:, None, :, :]
    return out


Q24_EXPR = Expression(
    slots=((Factor("∂E/∂y_{c_i,c_j,k}", _at_positions(lambda a: a["dE_dy"])),
            Factor("", lambda a: 1.0, "The error ∂E/∂y is missing.")),
           tuple(Factor(o.text, _at_positions(o.value), o.note) for o in _DSIG_Y),
           tuple(Factor(o.text, lambda a, f=o.value: f(a)[..., None], o.note) for o in _PIXEL)
           + (Factor("x_{c_j+f_i−1,k+f_j−1}", lambda a: _patch_on_last_axes(a["x"], a["dE_dy"].shape[-1]),
                     "The 3 × 3 input patch meets the (3, 3, K) error without an axis for the channel: "
                     "broadcasting lines its rows up with c_j and its columns with k, not with c_i and c_j "
                     "(patch[:, :, None] keeps them in place)."),)),
    build=lambda a, P: P.sum(axis=(-3, -2))[:, None],
    product=True,
    render=lambda t: "Σ_{c_i,c_j} " + "·".join(x for x in t if x),
    lhs="∂E/∂w_{f_i,f_j,k}",
)

# ----------------------------------------------------------------------------- names of inputs

ARG_NAMES = ArgNames(names={
    "target": lambda i: f"y_{i[0] + 1}",
    "o": lambda i: f"o_{i[0] + 1}",
    "x": lambda i: f"x_{{{i[0] + 1},{i[1] + 1}}}",
    "w": lambda i: f"w_{{{i[0] + 1},{i[1] + 1},{i[2] + 1}}}",
    "y": lambda i: f"y_{{{i[0] + 1},{i[1] + 1},{i[2] + 1}}}",
    "z": lambda i: f"z_{{{i[0] + 1},{i[1] + 1},{i[2] + 1}}}",
    "v": lambda i: f"w_{{{i[0] + 1},{i[1] + 1},{i[2] + 1},o_{i[3] + 1}}}",
    "dE_dz": lambda i: f"∂E/∂z_{{{i[0] + 1},{i[1] + 1},{i[2] + 1}}}",
    "dE_dy": lambda i: f"∂E/∂y_{{{i[0] + 1},{i[1] + 1},{i[2] + 1}}}",
})

PROBES: dict[str, tuple] = {
    "1.1": (Q11_SIZES, Q11_FEATURES),
    "1.2": (Q12_ACT, Q12_EXPR, ARG_NAMES),
    "1.3": (Q13_TERMS, ARG_NAMES),
    "1.4": (Q14_ACT, ARG_NAMES),
    "2.1": (Q21_EXPR, ARG_NAMES),
    "2.2": (Q22_EXPR, ARG_NAMES),
    "2.3": (Q23_TERMS, ARG_NAMES),
    "2.4": (Q24_EXPR, ARG_NAMES),
    "2.5": (Q25_TERMS, ARG_NAMES),
}
