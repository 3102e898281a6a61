"""Question specs of Homework 4: what each function receives, what it must return, and how the
inputs are drawn.

Inputs stay inside the homework's domain: pixels in [-1, 1], weights of order 1, so every
pre-activation lies within about +-30 and a textbook ``1 / (1 + math.exp(-a))`` never
overflows.  Every question draws its own independent network, so the inputs of one question
never contain the answer to another.
"""
from __future__ import annotations

import numpy as np

from grader.assignment import Trials
from . import model as m

# Largest |pre-activation| of the "nearly saturated" edge cases: o(1 - o) is then ~3e-7.  Much
# closer to 30 and 1 - o itself (~1e-11) carries relative rounding error near the tolerance
# even for a correct float64 answer.
PRE_MAX = 15.0


def _network(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """A batch of random networks and labels with their forward and backward values."""
    x = rng.uniform(-1.0, 1.0, (n, 4, 4))
    w = rng.normal(0.0, 1.0, (n, 2, 2, 3))
    v = rng.normal(0.0, 0.5, (n, 2, 2, 3, 2))
    target = rng.uniform(0.0, 1.0, (n, 2))
    return _complete(x, w, v, target)


def _complete(x, w, v, target) -> dict[str, np.ndarray]:
    y = m.conv_forward(x, w)
    z = m.sum_pool(y)
    o = m.fc_forward(z, v)
    dz = m.grad_pool_output(v, o, target)
    return {"x": x, "w": w, "v": v, "target": target, "y": y, "z": z, "o": o, "dE_dz": dz,
            "dE_dy": m.grad_conv_sum_pool(dz)}


def _scale_to(pre: np.ndarray, limit: float) -> np.ndarray:
    """Per-trial factor that stretches pre-activations so the largest reaches ``limit``."""
    peak = np.abs(pre).reshape(len(pre), -1).max(axis=1)
    return limit / np.maximum(peak, 1e-12)


def _saturated(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Networks whose convolution and output pre-activations reach about +-PRE_MAX."""
    net = _network(rng, n)
    w = net["w"] * _scale_to(m.conv_preactivation(net["x"], net["w"]), PRE_MAX)[:, None, None, None]
    z = m.sum_pool(m.conv_forward(net["x"], w))
    pre_o = np.einsum("tijk,tijkm->tm", z, net["v"])
    v = net["v"] * _scale_to(pre_o, PRE_MAX)[:, None, None, None, None]
    return _complete(net["x"], w, v, net["target"])


def _cat(*nets: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([n[k] for n in nets]) for k in nets[0]}


def _edge_networks(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], list[str]]:
    """The fixed edge cases shared by the network questions, with their labels."""
    sat = _saturated(rng, 2)
    zero = _network(rng, 1)
    zero = _complete(np.zeros_like(zero["x"]), zero["w"], zero["v"], zero["target"])
    exact = _network(rng, 1)  # targets equal to the outputs: every gradient is exactly zero
    exact = _complete(exact["x"], exact["w"], exact["v"], exact["o"].copy())
    return _cat(sat, zero, exact), ["edge: nearly saturated sigmoids"] * 2 + [
        "edge: all-zero input image", "edge: targets equal the outputs"]


def _trials(rng, n, names, reference) -> Trials:
    """Random networks plus the edge cases; ``reference(args)`` gives the answers."""
    net = _network(rng, n)
    edges, edge_labels = _edge_networks(rng)
    both = _cat(net, edges)
    args = {k: both[k] for k in names}
    return Trials(args=args, expected=reference(args), labels=["random"] * n + edge_labels,
                  reference=reference)


# --- Part 1 -------------------------------------------------------------------------------

def gen_layer_sizes(rng: np.random.Generator, n: int) -> Trials:
    """Random valid geometries (non-square, strides 1-3), the homework's own, and the defaults."""
    rows = []
    while len(rows) < n:
        f, p, s = int(rng.integers(1, 5)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
        wd, ht = (int(v) for v in rng.integers(f, f + 12, 2))
        if wd == ht and rng.random() < 0.8:
            continue  # mostly non-square, so swapped width/height shows
        if min(m.layer_sizes(wd, ht, f, p, s)[:2]) >= p:
            rows.append((wd, ht, f, p, s))
    fixed = [(7, 5, 3, 2, 2), (9, 4, 3, 2, 1), (4, 4, 2, 2, 1), (4, 4, 2, 2, 1)]
    rows += fixed
    arr = np.array(rows, dtype=np.int64)
    names = ("width", "height", "filter_size", "pool_size", "stride")
    labels = ["random"] * n + ["edge: non-square, stride 2", "edge: non-square, stride 1",
                               "the homework's network", "called with no arguments (defaults)"]
    nargs = [5] * (len(rows) - 1) + [0]
    return Trials(args={k: arr[:, i] for i, k in enumerate(names)},
                  expected=np.array([m.layer_sizes(*r) for r in rows], dtype=np.int64),
                  labels=labels, nargs=nargs)


def gen_conv_forward(rng, n):
    return _trials(rng, n, ("x", "w"), lambda a: m.conv_forward(a["x"], a["w"]))


def gen_sum_pool(rng, n):
    return _trials(rng, n, ("y",), lambda a: m.sum_pool(a["y"]))


def gen_fc_forward(rng, n):
    return _trials(rng, n, ("z", "v"), lambda a: m.fc_forward(a["z"], a["v"]))


# --- Part 2 -------------------------------------------------------------------------------

def gen_grad_fc_weights(rng, n):
    return _trials(rng, n, ("z", "o", "target"), lambda a: m.grad_fc_weights(a["z"], a["o"], a["target"]))


def gen_grad_pool_output(rng, n):
    return _trials(rng, n, ("v", "o", "target"), lambda a: m.grad_pool_output(a["v"], a["o"], a["target"]))


def gen_grad_conv_sum_pool(rng, n):
    return _trials(rng, n, ("dE_dz",), lambda a: m.grad_conv_sum_pool(a["dE_dz"]))


def gen_grad_filters(rng, n):
    return _trials(rng, n, ("x", "y", "dE_dy"), lambda a: m.grad_filters(a["x"], a["y"], a["dE_dy"]))


MIN_GAP = 1e-3  # smallest gap between a window's largest and second-largest value


def tie_free(y: np.ndarray) -> np.ndarray:
    """True for trials whose every 2x2 window has a unique maximum by at least MIN_GAP."""
    win = np.sort(m._windows(y, m.POOL).reshape(*y.shape[:1], -1, m.POOL * m.POOL), axis=-1)
    return (win[..., -1] - win[..., -2] >= MIN_GAP).all(axis=-1)


def gen_grad_conv_max_pool(rng, n):
    """Tie-free max-pool inputs, plus the cases where one neuron is the maximum of 2 and 4 windows."""
    batches, have = [], 0
    while have < n:
        net = _network(rng, 2 * n)
        keep = {k: a[tie_free(net["y"])] for k, a in net.items()}
        batches.append(keep)
        have += len(keep["y"])
    net = {k: np.concatenate([b[k] for b in batches])[:n] for k in batches[0]}
    # Edge cases: y_{2,2,k} is the maximum of all four windows; y_{1,2,k} of the two top ones.
    y = rng.permutation(np.linspace(0.05, 0.6, 27)).reshape(1, 3, 3, 3).repeat(2, axis=0)
    y[0, 1, 1, :] = [0.9, 0.95, 0.99]
    y[1, 0, 1, :] = [0.9, 0.95, 0.99]
    dz = rng.normal(0.0, 0.3, (2, 2, 2, 3))
    args = {"y": np.concatenate([net["y"], y]), "dE_dz": np.concatenate([net["dE_dz"], dz])}
    assert tie_free(args["y"]).all()
    ref = lambda a: m.grad_conv_max_pool(a["y"], a["dE_dz"])
    return Trials(args=args, expected=ref(args), reference=ref,
                  labels=["random"] * n + ["edge: y_{2,2,k} is the maximum of all four windows",
                                           "edge: y_{1,2,k} is the maximum of two windows"])
