"""Question specs of Homework 4: what each function receives, what it must return, and how the
inputs are drawn.

Inputs stay inside the homework's domain: pixels in [-1, 1], weights of order 1, so every
pre-activation lies within about +-30 and a textbook ``1 / (1 + math.exp(-a))`` never
overflows.  Every question draws its own independent network, so the inputs of one question
never contain the answer to another.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from grader.assignment import Trials
from . import model as m

# Largest |pre-activation| of the "nearly saturated" edge cases: o(1 - o) is then ~3e-7.  Much
# closer to 30 and 1 - o itself (~1e-11) carries relative rounding error near the tolerance
# even for a correct float64 answer.
PRE_MAX = 15.0


def _draw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """Random images, filters, fully connected weights and labels for ``n`` networks."""
    return (rng.uniform(-1.0, 1.0, (n, 4, 4)), rng.normal(0.0, 1.0, (n, 2, 2, 3)),
            rng.normal(0.0, 0.5, (n, 2, 2, 3, 2)), rng.uniform(0.0, 1.0, (n, 2)))


def _peak_scale(pre: np.ndarray, limit: float) -> np.ndarray:
    """Per-trial factor that stretches pre-activations so the largest reaches ``limit``."""
    peak = np.abs(pre).reshape(len(pre), -1).max(axis=1)
    return limit / np.maximum(peak, 1e-12)


EDGE_LABELS = ["edge: nearly saturated sigmoids"] * 2 + ["edge: all-zero input image",
                                                          "edge: targets equal the outputs"]


def networks(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """``n`` random networks followed by the four edge cases, all quantities computed in one pass.

    Edge cases: two networks stretched until convolution and output pre-activations reach
    +-PRE_MAX (nearly saturated sigmoids), an all-zero image, and targets equal to the outputs
    (every gradient exactly zero).
    """
    return networks_many([rng], n)


def networks_many(rngs: Sequence[np.random.Generator], n: int) -> dict[str, np.ndarray]:
    """:func:`networks` for several generators at once, stacked: block b (rows b*(n+4) onwards)
    is exactly ``networks(rngs[b], n)`` -- every step acts on each network separately."""
    x, w, v, target = (np.concatenate(parts) for parts in zip(*(_draw(rng, n + 4) for rng in rngs)))
    base = np.arange(len(rngs)) * (n + 4) + n  # each block's first edge case
    sat = np.stack([base, base + 1], axis=1).ravel()
    w[sat] *= _peak_scale(m.conv_preactivation(x[sat], w[sat]), PRE_MAX)[:, None, None, None]
    x[base + 2] = 0.0
    y = m.conv_forward(x, w)
    z = m.sum_pool(y)
    v[sat] *= _peak_scale(np.einsum("tijk,tijkm->tm", z[sat], v[sat]), PRE_MAX)[:, None, None, None, None]
    o = m.fc_forward(z, v)
    target[base + 3] = o[base + 3]
    return {"x": x, "w": w, "v": v, "target": target, "y": y, "z": z, "o": o}


def _split(args: dict[str, np.ndarray], expected: np.ndarray, blocks: int, labels, reference=None,
           nargs=None) -> list[Trials]:
    """Stacked trials of ``blocks`` students -> one Trials each (views, no copies)."""
    size = len(expected) // blocks
    return [Trials(args={k: a[b * size:(b + 1) * size] for k, a in args.items()},
                   expected=expected[b * size:(b + 1) * size], labels=labels, reference=reference, nargs=nargs)
            for b in range(blocks)]


def _trials_many(rngs, n, names, reference) -> list[Trials]:
    """Random networks plus the edge cases, per generator; ``reference(args)`` gives the answers
    (computed once for all of them)."""
    net = networks_many(rngs, n)
    if "dE_dz" in names or "dE_dy" in names:
        net["dE_dz"] = m.grad_pool_output(net["v"], net["o"], net["target"])
        net["dE_dy"] = m.grad_conv_sum_pool(net["dE_dz"])
    args = {k: net[k] for k in names}
    return _split(args, reference(args), len(rngs), ["random"] * n + EDGE_LABELS, reference)


def _single(many):
    """The one-generator form of a batched generator (the same computation, a batch of one)."""
    def generate(rng: np.random.Generator, n: int) -> Trials:
        return many([rng], n)[0]
    generate.__doc__ = many.__doc__
    return generate


# --- Part 1 -------------------------------------------------------------------------------

def gen_layer_sizes(rng: np.random.Generator, n: int) -> Trials:
    """Random valid geometries (non-square, strides 1-3), the homework's own, and the defaults."""
    rows = np.empty((0, 5), dtype=np.int64)
    while len(rows) < n:
        f, p, s = (rng.integers(1, 5, 4 * n), rng.integers(1, 4, 4 * n), rng.integers(1, 4, 4 * n))
        wd, ht = f + rng.integers(0, 12, 4 * n), f + rng.integers(0, 12, 4 * n)
        c_w, c_h, _, _ = m.layer_sizes(wd, ht, f, p, s)
        # valid geometries only, and mostly non-square so a swapped width/height shows
        ok = (np.minimum(c_w, c_h) >= p) & ((wd != ht) | (rng.random(4 * n) < 0.2))
        rows = np.concatenate([rows, np.stack([wd, ht, f, p, s], axis=1)[ok]])
    fixed = [(7, 5, 3, 2, 2), (9, 4, 3, 2, 1), (4, 4, 2, 2, 1), (4, 4, 2, 2, 1)]
    arr = np.concatenate([rows[:n], np.array(fixed)]).astype(np.int64)
    names = ("width", "height", "filter_size", "pool_size", "stride")
    labels = ["random"] * n + ["edge: non-square, stride 2", "edge: non-square, stride 1",
                               "the homework's network", "called with no arguments (defaults)"]
    nargs = [5] * (len(arr) - 1) + [0]
    return Trials(args={k: np.ascontiguousarray(arr[:, i]) for i, k in enumerate(names)},
                  expected=np.stack(m.layer_sizes(*arr.T), axis=1).astype(np.int64),
                  labels=labels, nargs=nargs)


def gen_conv_forward_many(rngs, n):
    return _trials_many(rngs, n, ("x", "w"), lambda a: m.conv_forward(a["x"], a["w"]))


gen_conv_forward = _single(gen_conv_forward_many)


def gen_sum_pool_many(rngs, n):
    return _trials_many(rngs, n, ("y",), lambda a: m.sum_pool(a["y"]))


gen_sum_pool = _single(gen_sum_pool_many)


def gen_fc_forward_many(rngs, n):
    return _trials_many(rngs, n, ("z", "v"), lambda a: m.fc_forward(a["z"], a["v"]))


gen_fc_forward = _single(gen_fc_forward_many)


# --- Part 2 -------------------------------------------------------------------------------

def gen_grad_fc_weights_many(rngs, n):
    return _trials_many(rngs, n, ("z", "o", "target"), lambda a: m.grad_fc_weights(a["z"], a["o"], a["target"]))


gen_grad_fc_weights = _single(gen_grad_fc_weights_many)


def gen_grad_pool_output_many(rngs, n):
    return _trials_many(rngs, n, ("v", "o", "target"), lambda a: m.grad_pool_output(a["v"], a["o"], a["target"]))


gen_grad_pool_output = _single(gen_grad_pool_output_many)


def gen_grad_conv_sum_pool_many(rngs, n):
    return _trials_many(rngs, n, ("dE_dz",), lambda a: m.grad_conv_sum_pool(a["dE_dz"]))


gen_grad_conv_sum_pool = _single(gen_grad_conv_sum_pool_many)


def gen_grad_filters_many(rngs, n):
    return _trials_many(rngs, n, ("x", "y", "dE_dy"), lambda a: m.grad_filters(a["x"], a["y"], a["dE_dy"]))


gen_grad_filters = _single(gen_grad_filters_many)


MIN_GAP = 1e-3  # smallest gap between a window's largest and second-largest value


def tie_free(y: np.ndarray) -> np.ndarray:
    """True for trials whose every 2x2 window has a unique maximum by at least MIN_GAP."""
    win = np.sort(m._windows(y, m.POOL).reshape(*y.shape[:1], -1, m.POOL * m.POOL), axis=-1)
    return (win[..., -1] - win[..., -2] >= MIN_GAP).all(axis=-1)


def gen_grad_conv_max_pool_many(rngs, n):
    """Tie-free max-pool inputs, plus the cases where one neuron is the maximum of 2 and 4 windows.

    Each generator draws networks until it has ``n`` tie-free ones (the draws of all the
    generators still short of theirs are evaluated together)."""
    kept: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in rngs]
    have = [0] * len(rngs)
    short = list(range(len(rngs)))
    while short:
        x, w, v, target = (np.concatenate(p) for p in zip(*(_draw(rngs[i], 2 * n) for i in short)))
        y = m.conv_forward(x, w)
        keep = tie_free(y)
        dz = m.grad_pool_output(v, m.fc_forward(m.max_pool(y), v), target)  # max-pool network
        for j, i in enumerate(short):
            rows = slice(2 * n * j, 2 * n * (j + 1))
            kept[i].append((y[rows][keep[rows]], dz[rows][keep[rows]]))
            have[i] += int(keep[rows].sum())
        short = [i for i in short if have[i] < n]
    ys, dzs = [], []
    for rng, batches in zip(rngs, kept):
        ys.append(np.concatenate([b[0] for b in batches])[:n])
        dzs.append(np.concatenate([b[1] for b in batches])[:n])
        # Edge cases: y_{2,2,k} is the maximum of all four windows; y_{1,2,k} of the two top ones.
        y = rng.permutation(np.linspace(0.05, 0.6, 27)).reshape(1, 3, 3, 3).repeat(2, axis=0)
        y[0, 1, 1, :] = [0.9, 0.95, 0.99]
        y[1, 0, 1, :] = [0.9, 0.95, 0.99]
        ys.append(y)
        dzs.append(rng.normal(0.0, 0.3, (2, 2, 2, 3)))
    args = {"y": np.concatenate(ys), "dE_dz": np.concatenate(dzs)}
    assert tie_free(args["y"]).all()
    ref = lambda a: m.grad_conv_max_pool(a["y"], a["dE_dz"])  # noqa: E731
    return _split(args, ref(args), len(rngs), reference=ref,
                  labels=["random"] * n + ["edge: y_{2,2,k} is the maximum of all four windows",
                                           "edge: y_{1,2,k} is the maximum of two windows"])


gen_grad_conv_max_pool = _single(gen_grad_conv_max_pool_many)
