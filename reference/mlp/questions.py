"""Input generators of Homework 5: what each function receives, and how the inputs are drawn.

Shapes.  Trials are batched along axis 0, so the trials of one batch share their shapes; each
question therefore gives its trials in GROUPS shape groups (grader.assignment.trial_groups),
the assignment's random trials shared out over them and every group with its own edge cases.
Each question draws its own shapes from its own generator -- batch N in 3..8, inputs D in
2..5, hidden units M in 2..6, classes K in 2..4 -- so that (see :func:`draw_shapes`) within a
group N, D, M and K all differ (a transpose, or a size read from the wrong axis, is never
right by coincidence), and across the groups each takes GROUPS different values (a hard-coded
size is right in one group at most).  A question passes only if it passes in every group.

Well-posed inputs.  Random networks are kept only when every hidden pre-activation is at least
MARGIN away from ReLU's kink at 0 (the derivative is undefined there, and float32 rounding must
not flip a unit on or off) and every row of logits has a unique maximum by at least GAP (so
the predicted label is exact).  Edge cases are built to satisfy the same conditions (asserted).

Each question draws its own independent inputs, so one question's inputs never contain the
answer to another.  Part 2 functions are chain-rule building blocks: their upstream gradient
(dS, dZ) is drawn as an arbitrary array, not only the cross-entropy's own gradient.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from grader.assignment import Trials, share
from . import model as m

MARGIN = 0.01  # smallest |Z| of a hidden pre-activation (distance to ReLU's kink)
GAP = 0.01  # smallest gap between a row's largest and second-largest logit
SHAPE_LOW = {"N": 3, "D": 2, "M": 2, "K": 2}  # inclusive bounds of the shapes
SHAPE_HIGH = {"N": 8, "D": 5, "M": 6, "K": 4}

Shape = dict  # {"N": .., "D": .., "M": .., "K": ..}
GROUPS = 3  # shape groups per question and student (at most the 3 values K can take)


def draw_shapes(rng: np.random.Generator, k: int = GROUPS) -> list[Shape]:
    """``k`` shapes: within each, N, D, M and K are four different numbers; across them, each
    dimension takes ``k`` different values.  Drawn one dimension after the other, each value
    uniformly from what is left, which never runs out: K's range has k values, and each later
    dimension's range has more values than its earlier groups and the group's dimensions
    already drawn can take (D: 4 > 2 + 1, M: 5 > 2 + 2, N: 6 > 2 + 3)."""
    assert 1 <= k <= SHAPE_HIGH["K"] - SHAPE_LOW["K"] + 1
    u = iter(rng.random(4 * k).tolist())  # (one call: a draw per dimension and group)
    shapes: list[Shape] = [{} for _ in range(k)]
    for dim in "KDMN":
        for g, s in enumerate(shapes):
            taken = {other[dim] for other in shapes[:g]} | set(s.values())
            left = [v for v in range(SHAPE_LOW[dim], SHAPE_HIGH[dim] + 1) if v not in taken]
            s[dim] = left[int(next(u) * len(left))]
    return [{d: s[d] for d in "NDMK"} for s in shapes]


def grouped(one: Callable[[np.random.Generator, Shape, int], Trials]
            ) -> Callable[[np.random.Generator, int], tuple[Trials, ...]]:
    """A question's generator from its generator for one shape: the ``n`` random trials shared
    out over :func:`draw_shapes`'s groups, each group with its own edge cases."""
    def generate(rng: np.random.Generator, n: int) -> tuple[Trials, ...]:
        shapes = draw_shapes(rng)
        return tuple(one(rng, s, k) for s, k in zip(shapes, share(n, len(shapes))))
    generate.__name__ = generate.__qualname__ = one.__name__.lstrip("_")
    generate.__doc__ = one.__doc__
    return generate


def _draw(rng: np.random.Generator, s: Shape, t: int) -> dict[str, np.ndarray]:
    """``t`` random networks and label batches of shape ``s`` (nothing checked yet)."""
    N, D, M, K = s["N"], s["D"], s["M"], s["K"]
    return {"X": rng.normal(0.0, 1.0, (t, N, D)),
            "W1": rng.normal(0.0, 1.0 / np.sqrt(D), (t, D, M)),
            "b1": rng.normal(0.0, 0.5, (t, M)),
            "W2": rng.normal(0.0, 1.0, (t, M, K)),
            "b2": rng.normal(0.0, 0.5, (t, K)),
            "y": rng.integers(0, K, (t, N)).astype(np.int64)}


def well_posed(net: dict[str, np.ndarray]) -> np.ndarray:
    """Per trial: no pre-activation within MARGIN of 0, and every row's arg-max unique by GAP."""
    Z = m.preactivation(net["X"], net["W1"], net["b1"])
    S = m.logits(m.relu(Z), net["W2"], net["b2"])
    return (np.abs(Z) >= MARGIN).all(axis=(1, 2)) & (top_gap(S) >= GAP).all(axis=1)


def top_gap(S: np.ndarray) -> np.ndarray:
    """Largest minus second-largest entry of each row (last axis)."""
    top2 = np.sort(S, axis=-1)[..., -2:]
    return top2[..., 1] - top2[..., 0]


def networks(rng: np.random.Generator, s: Shape, n: int,
             modify: Callable[[np.random.Generator, dict], None] | None = None,
             edges: tuple[Callable[[np.random.Generator, dict], None] | None, ...] = ()) -> dict[str, np.ndarray]:
    """``n`` well-posed networks of shape ``s``, each drawn (and changed in place by ``modify``,
    for an edge case) until it passes :func:`well_posed`, then one network for each of
    ``edges`` (a modifier, or None for a plain one); with Z, H, S, P computed.  Every part
    comes from one batch drawn at a time (redrawn for the parts still short), so NumPy's
    per-call cost is paid once for a group's trials, not once per edge case."""
    want, mods = [n] + [1] * len(edges), [modify, *edges]
    kept: list[list[dict[str, np.ndarray]]] = [[] for _ in want]
    have = [0] * len(want)
    for _ in range(200):
        sizes = [2 * w + 2 if h < w else 0 for w, h in zip(want, have)]
        net = _draw(rng, s, sum(sizes))
        at = 0
        for size, mod in zip(sizes, mods):
            if size and mod is not None:
                mod(rng, {k: v[at:at + size] for k, v in net.items()})  # (views: changed in place)
            at += size
        ok, at = well_posed(net), 0
        for i, size in enumerate(sizes):
            if size:
                pick = ok[at:at + size]
                kept[i].append({k: v[at:at + size][pick] for k, v in net.items()})
                have[i] += int(pick.sum())
            at += size
        if all(h >= w for h, w in zip(have, want)):
            break
    else:  # pragma: no cover - a modify that can never be well posed
        raise RuntimeError("could not draw well-posed networks")
    out = {}
    for k in net:  # each part's first ``want``, in order (a part wanting none was never drawn)
        parts = [np.concatenate([b[k] for b in part])[:w] for part, w in zip(kept, want) if part]
        out[k] = np.concatenate(parts) if parts else net[k][:0]
    out.update(m.forward(out["X"], out["W1"], out["b1"], out["W2"], out["b2"]))
    return out


# --- edge-case modifiers (act in place on a drawn batch) -----------------------------------

def dead_sample(rng, net) -> None:
    """Sample 0 activates no hidden unit: its input is 0 and every bias is clearly negative."""
    net["X"][:, 0, :] = 0.0
    net["b1"][:] = -(0.2 + np.abs(net["b1"]))


def all_active(rng, net) -> None:
    """Every hidden unit of every sample is active: biases lift each column above 0.5."""
    XW = net["X"] @ net["W1"]
    net["b1"][:] = np.maximum(0.0, -XW.min(axis=1)) + 0.5 + np.abs(net["b1"])


def _trials(args: dict[str, np.ndarray], expected: np.ndarray, labels, reference) -> Trials:
    assert len(expected) == len(labels)
    return Trials(args=args, expected=expected, labels=labels, reference=reference)


# --- Part 1 -------------------------------------------------------------------------------

def _gen_hidden_forward(rng: np.random.Generator, s: Shape, n: int) -> Trials:
    net = networks(rng, s, n, edges=(dead_sample, all_active))
    args = {k: net[k] for k in ("X", "W1", "b1")}
    ref = lambda a: m.hidden_forward(a["X"], a["W1"], a["b1"])  # noqa: E731
    return _trials(args, ref(args), ["random"] * n + [
        "edge: the first sample activates no hidden unit", "edge: every hidden unit active"], ref)


gen_hidden_forward = grouped(_gen_hidden_forward)


def _gen_logits(rng: np.random.Generator, s: Shape, n: int) -> Trials:
    net = networks(rng, s, n, edges=(dead_sample,))
    args = {k: net[k] for k in ("H", "W2", "b2")}
    ref = lambda a: m.logits(a["H"], a["W2"], a["b2"])  # noqa: E731
    return _trials(args, ref(args), ["random"] * n + ["edge: H's first row is zero (no active unit)"], ref)


gen_logits = grouped(_gen_logits)


LARGE = 1000.0  # |logit| of the overflow edge case: exp(1000) overflows float64 (max ~exp(709))
NEGATIVE = -740.0  # logits of the underflow edge case: exp(-740) is a subnormal number, exp(-750) is 0
OFFSET = 800.0  # row offsets of the mixed-scale edge case


SOFTMAX_EDGES = ["edge: large logits (up to ±1000): exp overflows unless shifted",
                 "edge: very negative logits (about -740): exp underflows unless shifted",
                 "edge: rows at very different scales (offsets ±800)",
                 "edge: equal logits within each row"]


def softmax_inputs(rng: np.random.Generator, s: Shape, n: int) -> np.ndarray:
    """Logits of ``n`` random networks and of the four edge cases, shape (n + 4, N, K)."""
    S = networks(rng, s, n + 4)["S"]
    e = S[n:]  # (views: edited in place)
    e[0] *= LARGE / np.abs(e[0]).max()
    if e[0].max() < LARGE:  # (the largest |logit| was negative: flip, so that +1000 overflows)
        e[0] *= -1.0
    e[1] += NEGATIVE - e[1].max()
    e[2] += OFFSET * np.resize([1.0, -1.0, 0.0], s["N"])[:, None]
    e[3] = rng.normal(0.0, 3.0, (s["N"], 1)).repeat(s["K"], axis=1)
    return S


def _gen_softmax(rng: np.random.Generator, s: Shape, n: int) -> Trials:
    args = {"S": softmax_inputs(rng, s, n)}
    ref = lambda a: m.softmax(a["S"])  # noqa: E731
    return _trials(args, ref(args), ["random"] * n + SOFTMAX_EDGES, ref)


gen_softmax = grouped(_gen_softmax)


def probability_inputs(rng: np.random.Generator, s: Shape, n: int) -> dict[str, np.ndarray]:
    """(P, y) of ``n`` random networks, then: uniform predictions, a batch whose samples all
    have the same label, and confident right predictions (P[n, y_n] = 1 - about (K-1) e^-20)."""
    net = networks(rng, s, n + 3)
    P, y = net["P"], net["y"]
    P[n] = 1.0 / s["K"]
    y[n + 1] = y[n + 1, 0]
    noise = rng.uniform(-0.1, 0.1, (s["N"], s["K"]))
    P[n + 2] = m.softmax((20.0 * m.one_hot(y[n + 2], s["K"]) + noise)[None])[0]
    return {"P": P, "y": y}


PROBABILITY_EDGES = ["edge: uniform predictions (P = 1/K)", "edge: every sample has the same label",
                     "edge: confident, correct predictions (P[n, y_n] close to 1)"]


def _gen_cross_entropy(rng: np.random.Generator, s: Shape, n: int) -> Trials:
    args = probability_inputs(rng, s, n)
    ref = lambda a: m.cross_entropy(a["P"], a["y"])  # noqa: E731
    return _trials(args, ref(args), ["random"] * n + PROBABILITY_EDGES, ref)


gen_cross_entropy = grouped(_gen_cross_entropy)


def _gen_predict(rng: np.random.Generator, s: Shape, n: int) -> Trials:
    net = networks(rng, s, n, edges=(dead_sample, all_active))
    args = {k: net[k] for k in ("X", "W1", "b1", "W2", "b2")}
    ref = lambda a: m.predict(a["X"], a["W1"], a["b1"], a["W2"], a["b2"])  # noqa: E731
    return _trials(args, ref(args), ["random"] * n + [
        "edge: the first sample activates no hidden unit", "edge: every hidden unit active"], ref)


gen_predict = grouped(_gen_predict)


# --- Part 2 -------------------------------------------------------------------------------

def _gen_grad_logits(rng: np.random.Generator, s: Shape, n: int) -> Trials:
    args = probability_inputs(rng, s, n)
    ref = lambda a: m.grad_logits(a["P"], a["y"])  # noqa: E731
    return _trials(args, ref(args), ["random"] * n + PROBABILITY_EDGES, ref)


gen_grad_logits = grouped(_gen_grad_logits)


def upstream(rng: np.random.Generator, t: int, N: int, K: int) -> np.ndarray:
    """Arbitrary upstream gradients of shape (t, N, K), of the size a mean loss gives (~1/N)."""
    return rng.normal(0.0, 1.0, (t, N, K)) / N


def _gen_grad_W2(rng: np.random.Generator, s: Shape, n: int) -> Trials:
    net = networks(rng, s, n, edges=(dead_sample, None))
    dS = upstream(rng, n + 2, s["N"], s["K"])
    dS[-1] = m.grad_logits(net["P"][-1:], net["y"][-1:])[0]  # the cross-entropy's own gradient
    args = {"H": net["H"], "dS": dS}
    ref = lambda a: m.grad_W2(a["H"], a["dS"])  # noqa: E731
    return _trials(args, ref(args), ["random"] * n + [
        "edge: H's first row is zero (no active unit)", "edge: dS is the cross-entropy's gradient"], ref)


gen_grad_W2 = grouped(_gen_grad_W2)


def _gen_grad_b2(rng: np.random.Generator, s: Shape, n: int) -> Trials:
    dS = upstream(rng, n + 2, s["N"], s["K"])
    dS[n, 1:] = 0.0  # a single sample's gradient
    dS[n + 1, -1, 0] = -dS[n + 1, :-1, 0].sum()  # class 0's column cancels over the batch,
    # the other classes' totals pushed at least 1 from 0: the answer's scale, which sets the
    # tolerance, is never so small that float32 rounding in the cancelling sum fails (K = 2)
    dS[n + 1, :, 1:] += np.where(dS[n + 1, :, 1:].sum(axis=0) >= 0, 1.0, -1.0) / s["N"]
    args = {"dS": dS}
    ref = lambda a: m.grad_b2(a["dS"])  # noqa: E731
    return _trials(args, ref(args), ["random"] * n + [
        "edge: only the first sample has a non-zero gradient", "edge: the first class's gradients cancel over the batch"], ref)


gen_grad_b2 = grouped(_gen_grad_b2)


def hidden_preactivations(rng: np.random.Generator, t: int, N: int, M: int) -> np.ndarray:
    """Z of ``t`` random networks' hidden layers, drawn directly: N(0, 1) pushed MARGIN away
    from 0 (about half the units active)."""
    Z = rng.normal(0.0, 1.0, (t, N, M))
    return np.where(Z >= 0, 1.0, -1.0) * (np.abs(Z) + MARGIN)


def _gen_grad_hidden(rng: np.random.Generator, s: Shape, n: int) -> Trials:
    N, M, K = s["N"], s["M"], s["K"]
    net = networks(rng, s, n + 3)
    Z = hidden_preactivations(rng, n + 3, N, M)
    dS = upstream(rng, n + 3, N, K)
    Z[n] = -np.abs(Z[n])  # every unit inactive: the gradient is exactly 0
    Z[n + 1] = np.abs(Z[n + 1])  # every unit active
    Z[n + 2] = net["Z"][n + 2]  # a real network, with its own cross-entropy gradient
    dS[n + 2] = m.grad_logits(net["P"][n + 2:], net["y"][n + 2:])[0]
    args = {"dS": dS, "W2": net["W2"], "Z": Z}
    ref = lambda a: m.grad_hidden(a["dS"], a["W2"], a["Z"])  # noqa: E731
    return _trials(args, ref(args), ["random"] * n + [
        "edge: every hidden unit inactive (Z < 0)", "edge: every hidden unit active (Z > 0)",
        "edge: a real network and its cross-entropy gradient"], ref)


gen_grad_hidden = grouped(_gen_grad_hidden)


def _gen_grad_W1(rng: np.random.Generator, s: Shape, n: int) -> Trials:
    N, D, M = s["N"], s["D"], s["M"]
    X = rng.normal(0.0, 1.0, (n + 2, N, D))
    Z = hidden_preactivations(rng, n + 2, N, M)
    dZ = upstream(rng, n + 2, N, M) * (Z > 0)  # zero where a unit is inactive, as after the ReLU
    X[n, 0] = 0.0  # an all-zero input sample
    dZ[n + 1, :, 0] = 0.0  # hidden unit 0 inactive for every sample
    args = {"X": X, "dZ": dZ}
    ref = lambda a: m.grad_W1(a["X"], a["dZ"])  # noqa: E731
    return _trials(args, ref(args), ["random"] * n + [
        "edge: the first sample's input is all zero", "edge: the first hidden unit inactive for every sample"], ref)


gen_grad_W1 = grouped(_gen_grad_W1)
