"""Proofs that reference/hw4/model.py is right, derived independently of its own code.

Three independent lines of evidence, none of which reuses the reference's gradient formulas:

* central finite differences of the loss E (of the whole network, and of the network restarted
  at an intermediate layer) on a few hundred random trials, one vectorised batch per gradient;
* sympy: the network written out symbolically from the homework's definitions, differentiated
  by sympy (no hand-derived formulas), lambdified and evaluated on random cases;
* forward passes written as literal loops over the homework's index formulas.

Finite-difference tolerance: a central difference with step H = 1e-6 has truncation error
~H^2 * |E'''| ~ 1e-12 and rounding error ~eps * |E| / H ~ 1e-10; we allow 1e-7 of the gradient's
scale, which is still ~1e4 times smaller than the typical gradient entry (checked in every test
so that a vanishing, saturated gradient cannot make a test pass vacuously).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from reference.hw4 import model as M

T = 300  # trials per finite-difference batch
H = 1e-6  # central-difference step
FD_RTOL = 1e-6
FD_ATOL_FACTOR = 1e-7  # absolute tolerance = factor * max |gradient| over the batch
N_SYMPY = 20  # random cases per sympy comparison
TIE_GAP = 1e-3  # minimum gap between a max-pool window's top two values


# --------------------------------------------------------------------------- helpers
def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def random_network(rng: np.random.Generator, t: int = T):
    """Inputs and weights scaled so that no sigmoid is saturated (gradients stay sizeable)."""
    x = rng.uniform(-1.0, 1.0, (t, 4, 4))
    w = rng.normal(0.0, 1.0, (t, 2, 2, 3))
    v = rng.normal(0.0, 0.25, (t, 2, 2, 3, 2))
    target = rng.uniform(0.0, 1.0, (t, 2))
    return x, w, v, target


def network_loss(x, w, v, target):
    """E of the full network, assembled from the reference's forward pieces."""
    return M.loss(M.fc_forward(M.sum_pool(M.conv_forward(x, w)), v), target)


def central_diff(f, a: np.ndarray, h: float = H) -> np.ndarray:
    """dF/da for F: (T, ...) -> (T,), by central differences, every trial at once."""
    g = np.zeros_like(a, dtype=np.float64)
    for idx in np.ndindex(*a.shape[1:]):
        plus, minus = a.copy(), a.copy()
        plus[(slice(None), *idx)] += h
        minus[(slice(None), *idx)] -= h
        g[(slice(None), *idx)] = (f(plus) - f(minus)) / (2.0 * h)
    return g


def assert_matches_fd(analytic: np.ndarray, numeric: np.ndarray, name: str,
                      min_live: float = 0.25) -> None:
    assert analytic.shape == numeric.shape, (name, analytic.shape, numeric.shape)
    scale = float(np.max(np.abs(numeric)))
    # Non-vacuous: the gradients are sizeable, far above the tolerance (for max pooling, whose
    # gradient is exactly 0 on non-maximal neurons, look at the non-zero entries only).
    assert scale > 1e-2, f"{name}: gradients vanish (scale {scale}); the test would be vacuous"
    live = np.abs(numeric)[np.abs(numeric) > 1e-3 * scale]
    assert live.size >= min_live * numeric.size, name
    assert np.median(live) > 1e3 * FD_ATOL_FACTOR * scale, name
    err = np.abs(analytic - numeric)
    tol = FD_ATOL_FACTOR * scale + FD_RTOL * np.abs(numeric)
    bad = err > tol
    assert not bad.any(), (
        f"{name}: {int(bad.sum())} of {bad.size} entries disagree with finite differences; "
        f"worst |err| {err.max():.3e} vs scale {scale:.3e}")


def tie_free_y(rng: np.random.Generator, t: int = T, gap: float = TIE_GAP) -> np.ndarray:
    """Random conv outputs y in (0, 1) in which every 2x2 window has a unique, clear maximum."""
    out = []
    while sum(len(a) for a in out) < t:
        y = rng.uniform(0.0, 1.0, (2 * t, 3, 3, 3))
        win = np.sort(np.stack([y[:, a:a + 2, b:b + 2, :] for a in range(2) for b in range(2)],
                               axis=-1), axis=-1)  # (n, 2, 2, 3, 4) sorted window values
        ok = (win[..., -1] - win[..., -2] >= gap).all(axis=(1, 2, 3))
        out.append(y[ok])
    return np.concatenate(out)[:t]


def literal_max_pool(y: np.ndarray) -> np.ndarray:
    """Max pooling by explicit loops (independent of the reference's max_pool)."""
    t, cw, ch, kk = y.shape
    z = np.empty((t, cw - 1, ch - 1, kk))
    for n in range(t):
        for pi in range(cw - 1):
            for pj in range(ch - 1):
                for k in range(kk):
                    z[n, pi, pj, k] = max(y[n, pi, pj, k], y[n, pi, pj + 1, k],
                                          y[n, pi + 1, pj, k], y[n, pi + 1, pj + 1, k])
    return z


# --------------------------------------------------------------- finite differences
def test_fd_grad_fc_weights():
    x, w, v, target = random_network(_rng(1))
    fw = M.forward(x, w, v)
    analytic = M.grad_fc_weights(fw["z"], fw["o"], target)
    numeric = central_diff(lambda vv: network_loss(x, w, vv, target), v)
    assert_matches_fd(analytic, numeric, "dE/dv")


def test_fd_grad_pool_output():
    x, w, v, target = random_network(_rng(2))
    z = M.forward(x, w, v)["z"]
    o = M.fc_forward(z, v)
    analytic = M.grad_pool_output(v, o, target)
    numeric = central_diff(lambda zz: M.loss(M.fc_forward(zz, v), target), z)
    assert_matches_fd(analytic, numeric, "dE/dz")


def test_fd_grad_conv_sum_pool():
    x, w, v, target = random_network(_rng(3))
    y = M.conv_forward(x, w)
    o = M.fc_forward(M.sum_pool(y), v)
    analytic = M.grad_conv_sum_pool(M.grad_pool_output(v, o, target))
    numeric = central_diff(lambda yy: M.loss(M.fc_forward(M.sum_pool(yy), v), target), y)
    assert_matches_fd(analytic, numeric, "dE/dy (sum pooling)")


def test_grad_conv_sum_pool_is_adjoint_of_sum_pool():
    """grad_conv_sum_pool alone, with arbitrary upstream errors: <g, S dy> = <S^T g, dy>."""
    rng = _rng(4)
    g = rng.normal(size=(T, 2, 2, 3))
    dy = rng.normal(size=(T, 3, 3, 3))
    lhs = (g * M.sum_pool(dy)).sum(axis=(1, 2, 3))
    rhs = (M.grad_conv_sum_pool(g) * dy).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(rhs, lhs, rtol=1e-12, atol=1e-12)
    # and its exact coefficient structure: each y receives every window containing it, weight 1
    for ci in range(3):
        for cj in range(3):
            expect = sum(g[:, pi, pj, :] for pi in range(2) for pj in range(2)
                         if pi <= ci <= pi + 1 and pj <= cj <= pj + 1)
            np.testing.assert_allclose(M.grad_conv_sum_pool(g)[:, ci, cj, :], expect,
                                       rtol=0, atol=1e-14)


def test_fd_grad_filters():
    x, w, v, target = random_network(_rng(5))
    fw = M.forward(x, w, v)
    dE_dy = M.grad_conv_sum_pool(M.grad_pool_output(v, fw["o"], target))
    analytic = M.grad_filters(x, fw["y"], dE_dy)
    numeric = central_diff(lambda ww: network_loss(x, ww, v, target), w)
    assert_matches_fd(analytic, numeric, "dE/dw")


def test_fd_grad_conv_max_pool():
    rng = _rng(6)
    y = tie_free_y(rng)
    _, _, v, target = random_network(rng)
    np.testing.assert_allclose(M.max_pool(y), literal_max_pool(y), rtol=0, atol=0)
    o = M.fc_forward(M.max_pool(y), v)
    dE_dz = M.grad_pool_output(v, o, target)
    analytic = M.grad_conv_max_pool(y, dE_dz)
    numeric = central_diff(lambda yy: M.loss(M.fc_forward(literal_max_pool(yy), v), target), y)
    assert_matches_fd(analytic, numeric, "dE/dy (max pooling)", min_live=0.1)
    # the random batch really exercises neurons that are the max of several windows
    n_windows_won = np.zeros_like(y)
    arg = M.max_pool_argmax(y)
    for a in range(2):
        for b in range(2):
            n_windows_won[:, a:a + 2, b:b + 2, :] += arg == 2 * a + b
    assert (n_windows_won >= 2).any() and (n_windows_won == 4).any()
    # and every non-maximum neuron gets exactly zero error
    assert np.all(analytic[n_windows_won == 0] == 0.0)


def _accumulation_cases():
    """(y, {(ci, cj) of the tested neuron: list of windows (pi, pj) it is the max of})."""
    base = np.array([[0.10, 0.20, 0.15], [0.30, 0.90, 0.25], [0.05, 0.35, 0.12]])
    y4 = np.stack([base, base.T * 0.9, base[::-1, ::-1] * 0.8], axis=-1)  # y_{2,2} max of all 4
    assert all(np.argmax(y4[..., k]) == 4 for k in range(3))
    y3 = y4.copy()
    y3[2, 2, :] = 0.95  # y_{3,3} now wins window (2,2): y_{2,2} is max of 3 windows
    y2 = np.stack([np.array([[0.1, 0.9, 0.2], [0.3, 0.4, 0.25], [0.05, 0.35, 0.12]])] * 3,
                  axis=-1)  # y_{1,2} max of windows (1,1) and (1,2)
    return [(y4, (1, 1), [(0, 0), (0, 1), (1, 0), (1, 1)]),
            (y3, (1, 1), [(0, 0), (0, 1), (1, 0)]),
            (y2, (0, 1), [(0, 0), (0, 1)])]


@pytest.mark.parametrize("case", range(3), ids=["max-of-4", "max-of-3", "max-of-2"])
def test_max_pool_gradient_accumulates_over_windows(case):
    y1, (ci, cj), windows = _accumulation_cases()[case]
    rng = _rng(7 + case)
    t = 50
    y = np.broadcast_to(y1, (t, 3, 3, 3)).copy()
    _, _, v, target = random_network(rng, t)
    o = M.fc_forward(M.max_pool(y), v)
    dE_dz = M.grad_pool_output(v, o, target)
    dy = M.grad_conv_max_pool(y, dE_dz)
    expect = sum(dE_dz[:, pi, pj, :] for pi, pj in windows)
    np.testing.assert_allclose(dy[:, ci, cj, :], expect, rtol=0, atol=1e-15)
    # it is the SUM, not any single window's error
    for pi, pj in windows:
        assert np.abs(dy[:, ci, cj, :] - dE_dz[:, pi, pj, :]).max() > 1e-3
    numeric = central_diff(lambda yy: M.loss(M.fc_forward(literal_max_pool(yy), v), target), y)
    assert_matches_fd(dy, numeric, "dE/dy (max pooling, accumulation)", min_live=1 / 30)


# ------------------------------------------------------------------------- sympy
def _symarray(prefix: str, shape) -> np.ndarray:
    a = np.empty(shape, dtype=object)
    for idx in np.ndindex(*shape):
        a[idx] = sp.Symbol(prefix + "_" + "_".join(str(i + 1) for i in idx))
    return a


def _sig(a):
    return 1 / (1 + sp.exp(-a))


def _sym_head(z, v, tgt):
    """o and E from pooled values z (2,2,3), fc weights v (2,2,3,2), targets (2,)."""
    o = [_sig(sum(z[i, j, k] * v[i, j, k, m] for i in range(2) for j in range(2)
                  for k in range(3))) for m in range(2)]
    return o, sp.Rational(1, 2) * ((o[0] - tgt[0]) ** 2 + (o[1] - tgt[1]) ** 2)


def _sym_pool(y, op):
    z = np.empty((2, 2, 3), dtype=object)
    for i in range(2):
        for j in range(2):
            for k in range(3):
                z[i, j, k] = op(y[i, j, k], y[i, j + 1, k], y[i + 1, j, k], y[i + 1, j + 1, k])
    return z


_STEP, _WMAX = sp.Function("step"), sp.Function("wmax")


def _rename_max(e):
    """Max -> wmax, Heaviside -> step, via xreplace (Basic.replace is slow on large trees)."""
    maxes = {m: _WMAX(*m.args) for m in e.atoms(sp.Max)}
    if not maxes:
        return e
    steps = {h: _STEP(h.args[0].xreplace(maxes), *h.args[1:]) for h in e.atoms(sp.Heaviside)}
    return e.xreplace({**maxes, **steps})


class _Fn:
    """A lambdified list of expressions, called with batched arrays in the reference layout."""

    def __init__(self, args, exprs, out_shape):
        self.args = [a for arr in args for a in arr.ravel()]
        # Max and Heaviside (from differentiating Max) are renamed to plain functions before
        # printing: sympy's printer would otherwise run simplify_logic on their Piecewise form,
        # which takes a minute.  Tie-free inputs never evaluate a step at exactly 0.
        exprs = [_rename_max(e) for e in exprs]
        modules = [{"step": lambda a, h0=0.5: np.heaviside(a, h0),
                    "wmax": lambda *a: np.maximum.reduce(np.broadcast_arrays(*a))}, "numpy"]
        self.fn = sp.lambdify(self.args, exprs, modules, cse=True)
        self.out_shape = out_shape

    def __call__(self, *arrays):
        t = arrays[0].shape[0]
        cols = [arr.reshape(t, -1)[:, i] for arr in arrays for i in range(arr[0].size)]
        res = self.fn(*cols)
        return np.stack([np.broadcast_to(np.asarray(r, dtype=np.float64), (t,)) for r in res],
                        axis=-1).reshape(t, *self.out_shape)


@pytest.fixture(scope="module")
def sym():
    """Symbolic networks, derived once; sympy does all the differentiation."""
    x, w, v, tgt = (_symarray("x", (4, 4)), _symarray("w", (2, 2, 3)),
                    _symarray("v", (2, 2, 3, 2)), _symarray("t", (2,)))
    # the homework's Q1.2 formula, literally
    y = np.empty((3, 3, 3), dtype=object)
    for ci in range(3):
        for cj in range(3):
            for k in range(3):
                y[ci, cj, k] = _sig(x[ci, cj] * w[0, 0, k] + x[ci, cj + 1] * w[0, 1, k]
                                    + x[ci + 1, cj] * w[1, 0, k] + x[ci + 1, cj + 1] * w[1, 1, k])
    z = _sym_pool(y, lambda a, b, c, d: a + b + c + d)
    o, E = _sym_head(z, v, tgt)
    fns = {
        "forward": _Fn([x, w, v], [*y.ravel(), *z.ravel(), *o], (27 + 12 + 2,)),
        "dE_dw": _Fn([x, w, v, tgt], [sp.diff(E, s) for s in w.ravel()], w.shape),
    }
    # restart at the pooling layer: z free.  z does not depend on v, so dE/dv of this network,
    # evaluated at the forward pass's z, is dE/dv of the full network (the full-network
    # derivative is also checked by finite differences; skipping it here saves ~1.5 s).
    zf = _symarray("z", (2, 2, 3))
    _, Ez = _sym_head(zf, v, tgt)
    fns["dE_dz"] = _Fn([zf, v, tgt], [sp.diff(Ez, s) for s in zf.ravel()], zf.shape)
    fns["dE_dv"] = _Fn([zf, v, tgt], [sp.diff(Ez, s) for s in v.ravel()], v.shape)
    # restart at the convolution layer: y free, sum pooling
    yf = _symarray("y", (3, 3, 3))
    _, Ey = _sym_head(_sym_pool(yf, lambda a, b, c, d: a + b + c + d), v, tgt)
    fns["dE_dy_sum"] = _Fn([yf, v, tgt], [sp.diff(Ey, s) for s in yf.ravel()], yf.shape)
    # y free, max pooling (sympy differentiates Max into Heaviside steps)
    _, Em = _sym_head(_sym_pool(yf, sp.Max), v, tgt)
    fns["dE_dy_max"] = _Fn([yf, v, tgt], [sp.diff(Em, s) for s in yf.ravel()], yf.shape)
    return fns


def _sym_close(ref: np.ndarray, symbolic: np.ndarray, name: str) -> None:
    assert np.abs(symbolic).max() > 1e-2, f"{name}: vacuous comparison"
    np.testing.assert_allclose(ref, symbolic, rtol=1e-9, atol=1e-12, err_msg=name)


def test_sympy_forward(sym):
    x, w, v, _ = random_network(_rng(20), N_SYMPY)
    fw = M.forward(x, w, v)
    s = sym["forward"](x, w, v)
    _sym_close(fw["y"], s[:, :27].reshape(-1, 3, 3, 3), "y")
    _sym_close(fw["z"], s[:, 27:39].reshape(-1, 2, 2, 3), "z")
    _sym_close(fw["o"], s[:, 39:], "o")


def test_sympy_grad_filters(sym):
    x, w, v, target = random_network(_rng(21), N_SYMPY)
    fw = M.forward(x, w, v)
    dE_dy = M.grad_conv_sum_pool(M.grad_pool_output(v, fw["o"], target))
    _sym_close(M.grad_filters(x, fw["y"], dE_dy), sym["dE_dw"](x, w, v, target), "dE/dw")


def test_sympy_grad_fc_weights(sym):
    x, w, v, target = random_network(_rng(22), N_SYMPY)
    fw = M.forward(x, w, v)
    ref = M.grad_fc_weights(fw["z"], fw["o"], target)
    _sym_close(ref, sym["dE_dv"](fw["z"], v, target), "dE/dv")


def test_sympy_grad_pool_output(sym):
    rng = _rng(23)
    _, _, v, target = random_network(rng, N_SYMPY)
    z = rng.uniform(0.0, 4.0, (N_SYMPY, 2, 2, 3))  # z free: any pooled values
    ref = M.grad_pool_output(v, M.fc_forward(z, v), target)
    _sym_close(ref, sym["dE_dz"](z, v, target), "dE/dz")


def test_sympy_grad_conv_sum_pool(sym):
    rng = _rng(24)
    _, _, v, target = random_network(rng, N_SYMPY)
    y = rng.uniform(0.0, 1.0, (N_SYMPY, 3, 3, 3))  # y free
    ref = M.grad_conv_sum_pool(M.grad_pool_output(v, M.fc_forward(M.sum_pool(y), v), target))
    _sym_close(ref, sym["dE_dy_sum"](y, v, target), "dE/dy (sum pooling)")


def test_sympy_grad_conv_max_pool(sym):
    rng = _rng(25)
    y = tie_free_y(rng, N_SYMPY)
    _, _, v, target = random_network(rng, N_SYMPY)
    ref = M.grad_conv_max_pool(y, M.grad_pool_output(v, M.fc_forward(M.max_pool(y), v), target))
    _sym_close(ref, sym["dE_dy_max"](y, v, target), "dE/dy (max pooling)")
    # and on the hand-built accumulation cases
    for y1, _, _ in _accumulation_cases():
        yb = np.broadcast_to(y1, (N_SYMPY, 3, 3, 3)).copy()
        ref = M.grad_conv_max_pool(
            yb, M.grad_pool_output(v, M.fc_forward(M.max_pool(yb), v), target))
        _sym_close(ref, sym["dE_dy_max"](yb, v, target), "dE/dy (max pooling, accumulation)")


# -------------------------------------------------------------- forward, literal loops
def _sigmoid_literal(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


def loop_conv(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Homework Q1.2: y = sigma(x_{ci,cj}w11 + x_{ci,cj+1}w12 + x_{ci+1,cj}w21 + x_{ci+1,cj+1}w22)."""
    t, n_w, n_h = x.shape
    kk = w.shape[-1]
    y = np.empty((t, n_w - 1, n_h - 1, kk))
    for n in range(t):
        for ci in range(n_w - 1):
            for cj in range(n_h - 1):
                for k in range(kk):
                    y[n, ci, cj, k] = _sigmoid_literal(
                        x[n, ci, cj] * w[n, 0, 0, k] + x[n, ci, cj + 1] * w[n, 0, 1, k]
                        + x[n, ci + 1, cj] * w[n, 1, 0, k] + x[n, ci + 1, cj + 1] * w[n, 1, 1, k])
    return y


def loop_sum_pool(y: np.ndarray) -> np.ndarray:
    t, cw, ch, kk = y.shape
    z = np.empty((t, cw - 1, ch - 1, kk))
    for n in range(t):
        for pi in range(cw - 1):
            for pj in range(ch - 1):
                for k in range(kk):
                    z[n, pi, pj, k] = (y[n, pi, pj, k] + y[n, pi, pj + 1, k]
                                       + y[n, pi + 1, pj, k] + y[n, pi + 1, pj + 1, k])
    return z


def loop_fc(z: np.ndarray, v: np.ndarray) -> np.ndarray:
    t, pw, ph, kk = z.shape
    o = np.empty((t, 2))
    for n in range(t):
        for m in range(2):
            a = 0.0
            for pi in range(pw):
                for pj in range(ph):
                    for k in range(kk):
                        a += z[n, pi, pj, k] * v[n, pi, pj, k, m]
            o[n, m] = _sigmoid_literal(a)
    return o


@pytest.mark.parametrize("shape", [(4, 4), (4, 5), (5, 3), (6, 4), (3, 7)])
def test_forward_matches_literal_loops(shape):
    rng = _rng(30 + shape[0] * 10 + shape[1])
    t = 12
    x = rng.uniform(-1.0, 1.0, (t, *shape))
    w = rng.normal(0.0, 1.0, (t, 2, 2, 3))
    y = M.conv_forward(x, w)
    np.testing.assert_allclose(y, loop_conv(x, w), rtol=1e-13, atol=1e-15)
    z = M.sum_pool(y)
    np.testing.assert_allclose(z, loop_sum_pool(y), rtol=1e-13, atol=1e-15)
    v = rng.normal(0.0, 0.25, (t, *z.shape[1:], 2))
    np.testing.assert_allclose(M.fc_forward(z, v), loop_fc(z, v), rtol=1e-13, atol=1e-15)
    # shapes agree with the size rule (stride 1)
    assert y.shape[1:3] + z.shape[1:3] == M.layer_sizes(*shape, 2, 2, 1)


def test_forward_homework_network_and_loss():
    x, w, v, target = random_network(_rng(40), 25)
    fw = M.forward(x, w, v)
    assert fw["y"].shape == (25, 3, 3, 3) and fw["z"].shape == (25, 2, 2, 3)
    assert fw["o"].shape == (25, 2)
    np.testing.assert_allclose(fw["o"], loop_fc(loop_sum_pool(loop_conv(x, w)), v),
                               rtol=1e-13, atol=1e-15)
    e = M.loss(fw["o"], target)
    lit = [0.5 * ((fw["o"][n, 0] - target[n, 0]) ** 2 + (fw["o"][n, 1] - target[n, 1]) ** 2)
           for n in range(25)]
    np.testing.assert_allclose(e, lit, rtol=1e-14, atol=0)


def test_sigmoid():
    a = np.linspace(-30.0, 30.0, 601)
    lit = np.array([_sigmoid_literal(s) for s in a])
    # relative accuracy on both tails (a student's 1/(1+exp(-a)) must never beat the reference)
    np.testing.assert_allclose(M.sigmoid(a), lit, rtol=1e-13, atol=0)
    with np.errstate(all="raise"):  # no overflow warnings at extreme arguments
        s = M.sigmoid(np.array([-1e4, -800.0, 0.0, 800.0, 1e4]))
    np.testing.assert_array_equal(s, [0.0, 0.0, 0.5, 1.0, 1.0])


def _count_positions(n: int, window: int, stride: int) -> int:
    """Brute force: how many window placements s*stride + window <= n, no padding."""
    return sum(1 for s in range(n) if s * stride + window <= n)


@pytest.mark.parametrize("width,height,filt,pool,stride", [
    (4, 4, 2, 2, 1), (5, 4, 2, 2, 1), (4, 6, 2, 2, 1), (7, 5, 3, 2, 2), (8, 6, 2, 2, 2),
    (10, 7, 3, 2, 2), (6, 9, 2, 3, 1), (4, 4, 2, 2, 2), (9, 11, 3, 3, 3), (12, 5, 4, 2, 3),
])
def test_layer_sizes(width, height, filt, pool, stride):
    got = M.layer_sizes(width, height, filt, pool, stride)
    c_w, c_h = _count_positions(width, filt, stride), _count_positions(height, filt, stride)
    p_w, p_h = _count_positions(c_w, pool, stride), _count_positions(c_h, pool, stride)
    assert got == (c_w, c_h, p_w, p_h)
    # the stated rule, c = floor((n - f) / s) + 1, p = floor((c - pool) / s) + 1
    assert got == ((width - filt) // stride + 1, (height - filt) // stride + 1,
                   ((width - filt) // stride + 1 - pool) // stride + 1,
                   ((height - filt) // stride + 1 - pool) // stride + 1)
    assert all(isinstance(n, int) for n in got)


def test_layer_sizes_homework_defaults():
    assert M.layer_sizes() == (3, 3, 2, 2)
