"""Proofs that reference/mlp (Homework 5) is right, and that its mistakes are mistakes.

Independent lines of evidence, none of which reuses the reference's gradient formulas:

* central finite differences of the scalar loss L (the whole network, and the network
  restarted at the logits S or at the hidden pre-activations Z), float64, on a few hundred
  random trials of several shapes, one vectorised batch per gradient;
* for the Part 2 functions, which must work for ANY upstream gradient G (the generators draw
  arbitrary ones): finite differences of the linear functional sum(G * layer output);
* forward passes written as literal loops over the homework's formulas with Python floats;
  the softmax checked against mpmath at 50 digits, where exp(1000) does not overflow;
* the cross-entropy as -log of each sample's picked probability, in a loop; predictions as
  the arg-max of the probabilities.

Then the generators (shapes and their groups, margins, edge cases), the mistake catalogue (every mistake differs
from the reference on the generated trials, is named when a student makes it, and the right
answer is never diagnosed as a mistake), a float32 solution passing, and the example
submissions in submissions/mlp/ getting their verdicts.

Finite-difference tolerance, as for hw4: a central difference with step H = 1e-6 has truncation
error ~H^2 |L'''| ~ 1e-12 and rounding error ~eps |L| / H ~ 1e-10; we allow 1e-7 of the
gradient's scale.  The ReLU's kink is no issue: every |Z| is at least MARGIN = 0.01 >> H.
"""
from __future__ import annotations

import math
from pathlib import Path

import mpmath
import numpy as np
import pytest

from grader.api import make_trials
from grader.assignment import trial_groups
from grader.judge.compare import compare
from grader.feedback.diagnose import matching_mistakes
from grader.feedback.probes import close_trials
from reference.mlp import ASSIGNMENT
from reference.mlp import model as M
from reference.mlp import questions as G

T = 200  # trials per finite-difference batch
H = 1e-6  # central-difference step
FD_RTOL = 1e-6
FD_ATOL_FACTOR = 1e-7
SHAPES = [dict(N=3, D=2, M=2, K=2), dict(N=5, D=3, M=4, K=3), dict(N=8, D=5, M=6, K=4)]
STUDENTS = [f"student{i}" for i in range(40)] + ["alice@uni.edu", "Bob"]


# --------------------------------------------------------------------------- helpers

def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def network(seed: int, s: dict, t: int = T) -> dict[str, np.ndarray]:
    """``t`` well-posed random networks of shape ``s`` (pre-activations >= 0.01 from 0)."""
    return G.networks(_rng(seed), s, t)


def central_diff(f, a: np.ndarray, h: float = H) -> np.ndarray:
    """dF/da for F: (T, ...) -> (T,), by central differences, every trial at once."""
    g = np.zeros_like(a, dtype=np.float64)
    for idx in np.ndindex(*a.shape[1:]):
        plus, minus = a.copy(), a.copy()
        plus[(slice(None), *idx)] += h
        minus[(slice(None), *idx)] -= h
        g[(slice(None), *idx)] = (f(plus) - f(minus)) / (2.0 * h)
    return g


def assert_matches_fd(analytic: np.ndarray, numeric: np.ndarray, name: str, min_live: float = 0.25) -> None:
    assert analytic.shape == numeric.shape, (name, analytic.shape, numeric.shape)
    scale = float(np.max(np.abs(numeric)))
    # non-vacuous: the gradients are sizeable, far above the tolerance
    assert scale > 1e-2, f"{name}: gradients vanish (scale {scale}); the test would be vacuous"
    live = np.abs(numeric)[np.abs(numeric) > 1e-3 * scale]
    assert live.size >= min_live * numeric.size, name
    err = np.abs(analytic - numeric)
    tol = FD_ATOL_FACTOR * scale + FD_RTOL * np.abs(numeric)
    bad = err > tol
    assert not bad.any(), (f"{name}: {int(bad.sum())} of {bad.size} entries disagree with finite differences; "
                           f"worst |err| {err.max():.3e} vs scale {scale:.3e}")


def ce_of_logits(S: np.ndarray, y: np.ndarray) -> np.ndarray:
    """L as a function of the logits, through log-softmax (no reference gradient involved)."""
    return -np.take_along_axis(M.log_softmax(S), y[..., None], axis=-1)[..., 0].mean(axis=-1)


# --------------------------------------------------------------- finite differences of L

@pytest.mark.parametrize("s", SHAPES, ids=lambda s: "N{N}D{D}M{M}K{K}".format(**s))
def test_fd_grad_logits(s):
    net = network(1, s)
    fd = central_diff(lambda S: ce_of_logits(S, net["y"]), net["S"])
    assert_matches_fd(M.grad_logits(net["P"], net["y"]), fd, "dL/dS")


@pytest.mark.parametrize("s", SHAPES, ids=lambda s: "N{N}D{D}M{M}K{K}".format(**s))
def test_fd_whole_network(s):
    """dL/dW2, dL/db2, dL/dW1 (and dL/db1) of the full network, chained from the questions'
    functions, against finite differences of L itself."""
    net = network(2, s)
    X, W1, b1, W2, b2, y = (net[k] for k in ("X", "W1", "b1", "W2", "b2", "y"))
    grads = M.backward(X, W1, b1, W2, b2, y)
    assert_matches_fd(grads["W2"], central_diff(lambda a: M.loss(X, W1, b1, a, b2, y), W2), "dL/dW2")
    assert_matches_fd(grads["b2"], central_diff(lambda a: M.loss(X, W1, b1, W2, a, y), b2), "dL/db2")
    assert_matches_fd(grads["W1"], central_diff(lambda a: M.loss(X, a, b1, W2, b2, y), W1), "dL/dW1", min_live=0.1)
    assert_matches_fd(grads["b1"], central_diff(lambda a: M.loss(X, W1, a, W2, b2, y), b1), "dL/db1", min_live=0.1)


@pytest.mark.parametrize("s", SHAPES, ids=lambda s: "N{N}D{D}M{M}K{K}".format(**s))
def test_fd_grad_hidden(s):
    """dL/dZ: the network restarted at the hidden pre-activations."""
    net = network(3, s)
    W2, b2, y = net["W2"], net["b2"], net["y"]
    fd = central_diff(lambda Z: ce_of_logits(M.logits(M.relu(Z), W2, b2), y), net["Z"])
    dS = M.grad_logits(net["P"], y)
    assert_matches_fd(M.grad_hidden(dS, W2, net["Z"]), fd, "dL/dZ", min_live=0.1)


@pytest.mark.parametrize("s", SHAPES, ids=lambda s: "N{N}D{D}M{M}K{K}".format(**s))
def test_fd_any_upstream_gradient(s):
    """Part 2's building blocks for an arbitrary upstream gradient G, as the generators draw:
    each is the gradient of sum(G * layer output) with respect to its input or parameter."""
    net = network(4, s)
    rng = _rng(40)
    GS = rng.normal(0.0, 1.0, net["S"].shape)
    GZ = rng.normal(0.0, 1.0, net["Z"].shape)

    def phi_S(**kw):
        a = {"H": net["H"], "W2": net["W2"], "b2": net["b2"], **kw}
        return (GS * M.logits(a["H"], a["W2"], a["b2"])).sum(axis=(1, 2))

    assert_matches_fd(M.grad_W2(net["H"], GS), central_diff(lambda a: phi_S(W2=a), net["W2"]), "grad_W2(G)")
    assert_matches_fd(M.grad_b2(GS), central_diff(lambda a: phi_S(b2=a), net["b2"]), "grad_b2(G)")
    assert_matches_fd(M.grad_hidden(GS, net["W2"], net["Z"]),
                      central_diff(lambda Z: (GS * M.logits(M.relu(Z), net["W2"], net["b2"])).sum(axis=(1, 2)), net["Z"]),
                      "grad_hidden(G)", min_live=0.1)
    phi_Z = lambda W1: (GZ * M.preactivation(net["X"], W1, net["b1"])).sum(axis=(1, 2))  # noqa: E731
    assert_matches_fd(M.grad_W1(net["X"], GZ), central_diff(phi_Z, net["W1"]), "grad_W1(G)")


def test_relu_derivative_is_a_gate():
    """dL/dZ is exactly 0 at inactive units and exactly the back-propagated value at active ones."""
    net = network(5, SHAPES[1])
    dS = M.grad_logits(net["P"], net["y"])
    dZ = M.grad_hidden(dS, net["W2"], net["Z"])
    back = dS @ np.swapaxes(net["W2"], 1, 2)
    assert (dZ[net["Z"] < 0] == 0).all()
    assert np.array_equal(dZ[net["Z"] > 0], back[net["Z"] > 0])


# --------------------------------------------------------------- forward, literally

def literal_forward(X, W1, b1, W2, b2):
    """H, S, P of one trial with Python floats and the math module, formula by formula."""
    N, D = X.shape
    Mh, K = W2.shape
    Hh = [[max(0.0, sum(X[n, i] * W1[i, j] for i in range(D)) + b1[j]) for j in range(Mh)] for n in range(N)]
    S = [[sum(Hh[n][j] * W2[j, k] for j in range(Mh)) + b2[k] for k in range(K)] for n in range(N)]
    P = []
    for row in S:
        e = [math.exp(v) for v in row]  # (moderate logits: no overflow)
        P.append([v / math.fsum(e) for v in e])
    return np.array(Hh), np.array(S), np.array(P)


@pytest.mark.parametrize("s", SHAPES, ids=lambda s: "N{N}D{D}M{M}K{K}".format(**s))
def test_forward_matches_literal_loops(s):
    net = network(6, s, t=30)
    for t in range(30):
        args = [net[k][t] for k in ("X", "W1", "b1", "W2", "b2")]
        Hl, Sl, Pl = literal_forward(*args)
        np.testing.assert_allclose(M.hidden_forward(*(a[None] for a in args[:3]))[0], Hl, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(M.logits(Hl[None], args[3][None], args[4][None])[0], Sl, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(M.softmax(Sl[None])[0], Pl, rtol=1e-12, atol=1e-15)
        assert np.array_equal(M.predict(*(a[None] for a in args))[0], np.argmax(Pl, axis=1))


def test_hidden_forward_is_relu_of_preactivation():
    net = network(7, SHAPES[2])
    Hh = M.hidden_forward(net["X"], net["W1"], net["b1"])
    assert (Hh >= 0).all() and ((Hh == 0) == (net["Z"] < 0)).all()
    assert np.array_equal(Hh[net["Z"] > 0], net["Z"][net["Z"] > 0])


# --------------------------------------------------------------- softmax

def mp_softmax(row) -> list[float]:
    """The softmax of one row at 50 digits (mpmath's exp never overflows)."""
    with mpmath.workdps(50):
        e = [mpmath.exp(mpmath.mpf(float(v))) for v in row]
        total = mpmath.fsum(e)
        return [float(v / total) for v in e]


def test_softmax_rows_sum_to_one_and_match_naive():
    S = _rng(8).normal(0.0, 5.0, (500, 6, 4))
    P = M.softmax(S)
    assert ((P > 0) & (P <= 1)).all()
    np.testing.assert_allclose(P.sum(axis=-1), 1.0, rtol=0, atol=1e-14)
    naive = np.exp(S) / np.exp(S).sum(axis=-1, keepdims=True)  # safe here: |S| < 40
    np.testing.assert_allclose(P, naive, rtol=1e-13, atol=0)


@pytest.mark.parametrize("scale, offset", [(1.0, 0.0), (300.0, 0.0), (1.0, 1000.0), (1.0, -745.0),
                                           (400.0, -600.0), (1.0, 1e6)])
def test_softmax_extreme_logits_match_mpmath(scale, offset):
    S = _rng(9).normal(0.0, 1.0, (40, 4, 3)) * scale + offset
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        P = M.softmax(S)
    assert np.isfinite(P).all()
    for t in range(len(S)):
        for n in range(S.shape[1]):
            np.testing.assert_allclose(P[t, n], mp_softmax(S[t, n]), rtol=1e-12, atol=1e-300)


def test_softmax_is_shift_invariant_per_row():
    S = _rng(10).normal(0.0, 2.0, (100, 5, 4))
    shift = _rng(11).uniform(-2000.0, 2000.0, (100, 5, 1))
    np.testing.assert_allclose(M.softmax(S + shift), M.softmax(S), rtol=1e-9, atol=1e-15)


def test_naive_softmax_fails_on_the_edge_cases():
    """The edge cases really are edge cases: the textbook exp(S) / sum exp(S) breaks on them."""
    S = G.softmax_inputs(_rng(12), SHAPES[1], 5)[5:]
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        naive = np.exp(S) / np.exp(S).sum(axis=-1, keepdims=True)
    assert not np.isfinite(naive[0]).all()  # +-1000: overflow, inf / inf
    assert not np.isfinite(naive[1]).all() or not np.allclose(naive[1], M.softmax(S[1:2])[0], rtol=1e-5)
    assert not np.isfinite(naive[2]).all()  # offsets +-800
    np.testing.assert_array_equal(M.softmax(S[3:4])[0], 1.0 / S.shape[-1])  # equal logits: uniform


# --------------------------------------------------------------- cross-entropy, predictions

def test_cross_entropy_is_minus_log_of_the_picked_probability():
    net = network(13, SHAPES[2], t=50)
    L = M.cross_entropy(net["P"], net["y"])
    for t in range(50):
        picked = [net["P"][t, n, net["y"][t, n]] for n in range(SHAPES[2]["N"])]
        assert L[t] == pytest.approx(-math.fsum(math.log(p) for p in picked) / len(picked), rel=1e-14)
    assert L.shape == (50,) and (L > 0).all()
    # the same loss through log-softmax of the logits, and of the whole network
    np.testing.assert_allclose(L, ce_of_logits(net["S"], net["y"]), rtol=1e-12)
    np.testing.assert_allclose(L, M.loss(*(net[k] for k in ("X", "W1", "b1", "W2", "b2", "y"))), rtol=1e-12)


def test_cross_entropy_special_values():
    K = 4
    P = np.full((1, 3, K), 1.0 / K)
    assert M.cross_entropy(P, np.array([[0, 1, 3]]))[0] == pytest.approx(math.log(K), rel=1e-15)
    one_hot = np.eye(K)[None, [2, 0, 1]]
    assert M.cross_entropy(one_hot, np.array([[2, 0, 1]]))[0] == 0.0


def test_predict_is_argmax_of_probabilities():
    for i, s in enumerate(SHAPES):
        net = network(14 + i, s)
        pred = M.predict(*(net[k] for k in ("X", "W1", "b1", "W2", "b2")))
        assert pred.dtype == np.int64 and pred.shape == (T, s["N"])
        assert np.array_equal(pred, net["P"].argmax(axis=-1))
        assert ((pred >= 0) & (pred < s["K"])).all()


# --------------------------------------------------------------- the assignment and its generators

def test_assignment_contract():
    qs = ASSIGNMENT.questions
    assert [q.id for q in qs] == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "2.5"]
    assert ASSIGNMENT.max_score == 20
    assert len({q.function for q in qs}) == len(qs)
    assert all(2 <= len(q.mistakes) <= 8 for q in qs)  # (every entry is tried on every failing answer)
    assert all(len({m.id for m in q.mistakes}) == len(q.mistakes) for q in qs)
    assert [q.id for q in qs if q.exact] == ["1.5"]


@pytest.fixture(scope="module")
def all_trials():
    return {s: make_trials(ASSIGNMENT, 7, s) for s in STUDENTS}


def _each(trials: dict, qid: str):
    """A question's shape groups (each a Trials batched on its own shapes)."""
    return trial_groups(trials[qid])


def _shape_of(q, trials) -> dict:
    a = trials.args
    first = {"1.1": ("X", "W1"), "1.2": ("H", "W2"), "1.3": ("S",), "1.4": ("P",), "1.5": ("X", "W2"),
             "2.1": ("P",), "2.2": ("H", "dS"), "2.3": ("dS",), "2.4": ("dS", "Z"), "2.5": ("X", "dZ")}[q.id]
    return {k: a[k].shape[1:] for k in first}


def test_trials_shapes_and_labels(all_trials):
    seen = set()
    for student, trials in all_trials.items():
        for q in ASSIGNMENT.questions:
            groups = _each(trials, q.id)
            assert len(groups) == G.GROUPS
            # the assignment's random trials, shared out; each group its own edge cases
            assert sum(lab == "random" for t in groups for lab in t.labels) == ASSIGNMENT.n_random
            assert len({tuple(lab for lab in t.labels if lab != "random") for t in groups}) == 1
            for t in groups:
                n = len(t)
                assert all(v.shape[0] == n for v in t.args.values()) and t.expected.shape[0] == n
                assert list(t.args) == list(q.params)
                assert np.isfinite(t.expected).all(), (student, q.id)
                # the reference callable recomputes the expected answers exactly
                assert np.array_equal(np.asarray(t.reference(t.args)), t.expected)
                for name, arr in t.args.items():
                    if name == "y":
                        assert arr.dtype == np.int64
                    else:
                        assert arr.dtype == np.float64 and np.isfinite(arr).all()
                seen.add((q.id, tuple(sorted(_shape_of(q, t).items()))))
                if q.id == "1.4":
                    assert t.expected.shape == (n,)  # a scalar per trial
    # shapes vary between students (a hard-coded shape fails)
    for q in ASSIGNMENT.questions:
        assert len({s for qid, s in seen if qid == q.id}) >= 5, q.id


def _dims(q, t) -> dict:
    """N, D, M, K as a group's arguments give them (those the question's arguments show)."""
    a = {k: v.shape[1:] for k, v in t.args.items()}
    dims = {}
    for name, axes in {"X": "ND", "W1": "DM", "H": "NM", "Z": "NM", "W2": "MK", "S": "NK", "P": "NK",
                       "dS": "NK", "dZ": "NM"}.items():
        if name in a:
            for d, size in zip(axes, a[name]):
                assert dims.setdefault(d, size) == size, (q.id, name)
    return dims


def test_every_question_is_graded_on_three_shapes_apart(all_trials):
    """Per student and question: within each group the dimensions its arguments show all
    differ (no transpose, no size read from the wrong axis is right by coincidence), and across
    the groups each takes three values (a hard-coded size is right in one group at most)."""
    for trials in all_trials.values():
        for q in ASSIGNMENT.questions:
            dims = [_dims(q, t) for t in _each(trials, q.id)]
            assert len(dims) == 3 and len(dims[0]) >= 2, q.id
            for d in dims:
                assert len(set(d.values())) == len(d), (q.id, dims)
            for name in dims[0]:
                assert len({d[name] for d in dims}) == 3, (q.id, name, dims)


def test_shape_groups_within_bounds_and_apart():
    rng = _rng(15)
    drawn = [G.draw_shapes(rng) for _ in range(2000)]
    for k in "NDMK":
        values = {s[k] for shapes in drawn for s in shapes}
        assert values == set(range(G.SHAPE_LOW[k], G.SHAPE_HIGH[k] + 1)), k
    for shapes in drawn:
        assert len(shapes) == G.GROUPS
        assert all(len(set(s.values())) == 4 for s in shapes)
        assert all(len({s[k] for s in shapes}) == G.GROUPS for k in "NDMK")


def test_inputs_are_well_posed(all_trials):
    """No pre-activation near ReLU's kink, no near-tie in the logits, valid probabilities."""
    for trials in all_trials.values():
        for a in (t.args for t in _each(trials, "1.1")):
            assert (np.abs(M.preactivation(a["X"], a["W1"], a["b1"])) >= G.MARGIN).all()
        for a in (t.args for t in _each(trials, "1.5")):
            Z = M.preactivation(a["X"], a["W1"], a["b1"])
            assert (np.abs(Z) >= G.MARGIN).all()
            assert (G.top_gap(M.logits(M.relu(Z), a["W2"], a["b2"])) >= G.GAP).all()
        for t in _each(trials, "2.4"):
            assert (np.abs(t.args["Z"]) >= G.MARGIN).all()
        for qid in ("1.4", "2.1"):
            for t in _each(trials, qid):
                P, y = t.args["P"], t.args["y"]
                assert (P > 0).all() and np.allclose(P.sum(axis=-1), 1.0, atol=1e-12)
                assert ((y >= 0) & (y < P.shape[-1])).all()
        for t in _each(trials, "1.2"):
            H_ = t.args["H"]
            assert (H_ >= 0).all() and (H_[-1, 0] == 0).all()  # the edge: a dead first sample


def test_edge_cases_are_what_they_say(all_trials):
    for trials in all_trials.values():
        for t in _each(trials, "1.1"):
            Hh = t.expected
            assert (Hh[-2, 0] == 0).all() and (Hh[-1] > 0).all()
        for t in _each(trials, "1.3"):
            S, labels = t.args["S"], t.labels
            assert np.abs(S[labels.index(G.SOFTMAX_EDGES[0])]).max() == pytest.approx(G.LARGE)
            assert S[labels.index(G.SOFTMAX_EDGES[1])].max() == pytest.approx(G.NEGATIVE)
        for t in _each(trials, "2.4"):
            assert (t.expected[t.labels.index("edge: every hidden unit inactive (Z < 0)")] == 0).all()
        for t in _each(trials, "1.4"):
            P, y = t.args["P"], t.args["y"]
            K = P.shape[-1]
            assert t.expected[t.labels.index(G.PROBABILITY_EDGES[0])] == pytest.approx(math.log(K))
            assert len(set(y[t.labels.index(G.PROBABILITY_EDGES[1])])) == 1
            assert 0 < t.expected[t.labels.index(G.PROBABILITY_EDGES[2])] < 1e-6


def test_trials_are_reproducible_and_per_student():
    a, b = make_trials(ASSIGNMENT, 3, "alice"), make_trials(ASSIGNMENT, 3, "alice")
    c = make_trials(ASSIGNMENT, 3, "bob")
    for q in ASSIGNMENT.questions:
        for ga, gb, gc in zip(_each(a, q.id), _each(b, q.id), _each(c, q.id)):
            assert all(np.array_equal(ga.args[k], gb.args[k]) for k in q.params)
            assert np.array_equal(ga.expected, gb.expected) and list(ga.labels) == list(gb.labels)
            assert any(ga.args[k].shape != gc.args[k].shape or not np.array_equal(ga.args[k], gc.args[k])
                       for k in q.params)


# --------------------------------------------------------------- the mistake catalogue

def _differs(q, trials, out: np.ndarray) -> bool:
    exp = trials.expected
    if out.shape != exp.shape:
        return True
    return not bool(close_trials(q, out, exp).all())


def _outputs(out: np.ndarray) -> list[np.ndarray]:
    return [np.array(o) for o in out]


ALL_MISTAKES = [(q.id, m.id) for q in ASSIGNMENT.questions for m in q.mistakes]
# Mistakes that give NaN on the overflow edge cases (exactly what a student's code gives).
NON_FINITE = {("1.3", "no_max_shift"), ("1.3", "global_max_shift")}


@pytest.mark.parametrize("qid, mid", ALL_MISTAKES)
def test_mistake_differs_from_reference(all_trials, qid, mid):
    """A catalogued mistake is wrong on the generated trials of every student (else it is not
    a mistake the grader can see), with the trial axis first."""
    q = ASSIGNMENT.question(qid)
    mistake = next(m for m in q.mistakes if m.id == mid)
    for student, trials in all_trials.items():
        for t in _each(trials, qid):  # (every shape group)
            for compute in (mistake.compute, *mistake.variants):
                out = np.asarray(compute(t.args))
                assert out.shape[0] == len(t), (student, mid)
                assert _differs(q, t, out), (student, mid)
                assert np.isfinite(out).all() == ((qid, mid) not in NON_FINITE), (student, mid)


@pytest.mark.parametrize("qid, mid", [qm for qm in ALL_MISTAKES if qm not in NON_FINITE])
def test_mistake_is_named(all_trials, qid, mid):
    """A student whose answers are exactly the mistake's is diagnosed with it, and with no other."""
    q = ASSIGNMENT.question(qid)
    for student, trials in list(all_trials.items())[:12]:
        for t in _each(trials, qid):
            out = np.asarray(next(m for m in q.mistakes if m.id == mid).compute(t.args))
            found = [m.id for m in matching_mistakes(q, t, _outputs(out))]
            assert found == [mid], (student, found)
            assert not compare(q, t, _outputs(out), out).passed


@pytest.mark.parametrize("qid, mid", sorted(NON_FINITE))
def test_non_finite_mistake_is_named(all_trials, qid, mid):
    """A mistake that overflows as the student's code does (NaN where exp overflowed) is named:
    the two are non-finite at the same elements, in the same way."""
    q = ASSIGNMENT.question(qid)
    for t in _each(all_trials["student0"], qid):
        out = np.asarray(next(m for m in q.mistakes if m.id == mid).compute(t.args))
        assert [m.id for m in matching_mistakes(q, t, _outputs(out))] == [mid]


def test_reference_is_never_a_mistake(all_trials):
    """The right answer passes and no catalogued mistake is named for it (nor for its float32
    rounding)."""
    for trials in list(all_trials.values())[:12]:
        for q in ASSIGNMENT.questions:
            for t in _each(trials, q.id):
                for out in (t.expected, t.expected.astype(np.float32)):
                    if q.exact and out.dtype != t.expected.dtype:
                        continue
                    assert compare(q, t, _outputs(out), out).passed, q.id
                    assert matching_mistakes(q, t, _outputs(out)) == [], q.id


# --------------------------------------------------------------- a float32 student passes

def _float32_answers(q, t) -> np.ndarray:
    """What a solution computing in float32 throughout returns (stable softmax, ...)."""
    a = {k: (v.astype(np.float32) if v.dtype.kind == "f" else v) for k, v in t.args.items()}
    f = np.float32
    if q.id == "1.1":
        return np.maximum(f(0), a["X"] @ a["W1"] + a["b1"][:, None, :])
    if q.id == "1.2":
        return a["H"] @ a["W2"] + a["b2"][:, None, :]
    if q.id == "1.3":
        e = np.exp(a["S"] - a["S"].max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    if q.id == "1.4":
        return -np.log(np.take_along_axis(a["P"], a["y"][..., None], axis=-1)[..., 0]).mean(axis=-1)
    if q.id == "1.5":
        Hh = np.maximum(f(0), a["X"] @ a["W1"] + a["b1"][:, None, :])
        return (Hh @ a["W2"] + a["b2"][:, None, :]).argmax(axis=-1)
    if q.id == "2.1":
        Y = (a["y"][..., None] == np.arange(a["P"].shape[-1])).astype(np.float32)
        return (a["P"] - Y) / f(a["P"].shape[-2])
    if q.id == "2.2":
        return np.swapaxes(a["H"], 1, 2) @ a["dS"]
    if q.id == "2.3":
        return a["dS"].sum(axis=1)
    if q.id == "2.4":
        return (a["dS"] @ np.swapaxes(a["W2"], 1, 2)) * (a["Z"] > 0)
    if q.id == "2.5":
        return np.swapaxes(a["X"], 1, 2) @ a["dZ"]
    raise AssertionError(q.id)


def test_float32_solution_passes(all_trials):
    for trials in list(all_trials.values())[:20]:
        for q in ASSIGNMENT.questions:
            for t in _each(trials, q.id):
                with np.errstate(under="ignore"):
                    out = _float32_answers(q, t)
                assert compare(q, t, _outputs(out), out).passed, (q.id, compare(q, t, _outputs(out), out).message)


# --------------------------------------------------------------- formulas for --reveal

def test_formulas_exist_for_every_question():
    from reference.mlp.formulas import formula
    for q, idx in [("1.1", (1, 2)), ("1.2", (0, 1)), ("1.3", (2, 1)), ("1.4", ()), ("1.5", (3,)),
                   ("2.1", (1, 2)), ("2.2", (0, 1)), ("2.3", (1,)), ("2.4", (1, 2)), ("2.5", (0, 1))]:
        f = formula(q, idx)
        assert f is not None and f.lhs is not None, q
    assert formula("9.9", (0,)) is None


# --------------------------------------------------------------- the example submissions

# entry -> (question ids that fail, mistake id named); every other question passes
MLP_MISTAKE_OF = {
    "mistake_softmax_overflow.py": ("1.3", "no_max_shift"),  # NaN on the edge cases, named as such
    "mistake_softmax_axis.py": ("1.3", "wrong_axis"),
    "mistake_ce_sum.py": ("1.4", "sum_not_mean"),
    "mistake_predict_axis.py": ("1.5", "argmax_wrong_axis"),
    "mistake_grad_no_mean.py": ("2.1", "no_mean"),
    "mistake_grad_transposed.py": ("2.2", "transposed"),
    "mistake_bias_grad_axis.py": ("2.3", "wrong_axis"),
    "mistake_relu_derivative.py": ("2.4", "activation_as_derivative"),
}
QIDS = [q.id for q in ASSIGNMENT.questions]
MLP_EXPECTED = {
    "correct_vectorized.py": {q: "passed" for q in QIDS},
    "correct_loops.py": {q: "passed" for q in QIDS},
    "partial.py": {**{q: "passed" for q in QIDS[:6]}, **{q: "missing" for q in QIDS[6:]}},
    "starter.py": {q: "missing" for q in QIDS},
    **{entry: {q: ("failed" if q == qid else "passed") for q in QIDS} for entry, (qid, _) in MLP_MISTAKE_OF.items()},
}
# A failed scalar answer (Q1.4) crashes the HTML report (grader/report.py heatmap, for a 0-d
# expected array): the whole submission then reads "the grader could not grade this submission".
MLP_EXAMPLES = Path(__file__).resolve().parent.parent / "submissions" / "mlp"


@pytest.fixture(scope="module")
def mlp_run(tmp_path_factory):
    from grader.api import Options, grade
    out = tmp_path_factory.mktemp("mlp") / "out"
    return grade(MLP_EXAMPLES, out, Options(seed=7, timeout=10), assignment="mlp")


def test_every_mlp_example_has_expectations():
    entries = {p.name for p in (MLP_EXAMPLES).iterdir() if not p.name.startswith((".", "__"))}
    assert entries == set(MLP_EXPECTED)


@pytest.mark.parametrize("entry", sorted(MLP_EXPECTED))
def test_mlp_example_verdicts(mlp_run, entry):
    sub = next(s for s in mlp_run.submissions if s.source == entry)
    got = {q.id: q.status for q in sub.questions}
    assert got == MLP_EXPECTED[entry], {q.id: q.message for q in sub.questions if q.status != MLP_EXPECTED[entry][q.id]}
    assert sub.score == sum(q.max_score for q in sub.questions if q.status == "passed")
    if entry in MLP_MISTAKE_OF:
        qid, mistake = MLP_MISTAKE_OF[entry]
        for q in sub.questions:
            assert q.misconceptions == ([mistake] if q.id == qid and mistake else []), (q.id, q.message)


def test_the_bias_trick_with_its_ends_apart_is_catalogued():
    """[H, 1] @ [b2; W2]: the ones column last, the bias row first (sealed set F10)."""
    from grader.feedback.diagnose import diagnose
    q = next(q for q in ASSIGNMENT.questions if q.id == "1.2")
    for tr in trial_groups(make_trials(ASSIGNMENT, 7, STUDENTS[0])["1.2"]):
        outs = [np.hstack([H, np.ones((len(H), 1))]) @ np.vstack([b2[None], W2])
                for H, W2, b2 in zip(tr.args["H"], tr.args["W2"], tr.args["b2"])]
        d = diagnose(q, tr, outs)
        assert d.misconceptions == ["bias_trick_ends_last"], d.message
