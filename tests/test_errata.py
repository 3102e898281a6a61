"""The homework's answer key, implemented literally, against finite differences of E.

For each erratum (see docs/errata.md) the key's formula is written below as a small function
and shown to DISAGREE with central finite differences, while the reference model agrees.  The
parts of the key that are right are checked the same way, so that the list of errata is
complete for everything numerically checkable.

Index convention: the key's 1-based homework indices are kept in the tables below
(KEY_Q24[(ci, cj)] = {(pi, pj): coefficient}); arrays are 0-based as in the reference.
"""
from __future__ import annotations

import numpy as np
import pytest

from reference.hw4 import model as M

T = 300
H = 1e-6
FD_RTOL = 1e-6
FD_ATOL_FACTOR = 1e-7
WRONG_FACTOR = 1e-2  # "disagrees": some trial is off by more than 1% of the gradient scale


# --------------------------------------------------------------------------- helpers
def random_network(rng: np.random.Generator, t: int = T):
    x = rng.uniform(-1.0, 1.0, (t, 4, 4))
    w = rng.normal(0.0, 1.0, (t, 2, 2, 3))
    v = rng.normal(0.0, 0.25, (t, 2, 2, 3, 2))
    target = rng.uniform(0.0, 1.0, (t, 2))
    return x, w, v, target


def central_diff(f, a: np.ndarray, h: float = H) -> np.ndarray:
    g = np.zeros_like(a, dtype=np.float64)
    for idx in np.ndindex(*a.shape[1:]):
        plus, minus = a.copy(), a.copy()
        plus[(slice(None), *idx)] += h
        minus[(slice(None), *idx)] -= h
        g[(slice(None), *idx)] = (f(plus) - f(minus)) / (2.0 * h)
    return g


def fd_dE_dw(x, w, v, target):
    return central_diff(lambda ww: M.loss(M.fc_forward(M.sum_pool(M.conv_forward(x, ww)), v),
                                          target), w)


def fd_dE_dy_sum(y, v, target):
    return central_diff(lambda yy: M.loss(M.fc_forward(M.sum_pool(yy), v), target), y)


def fd_dE_dy_max(y, v, target):
    return central_diff(lambda yy: M.loss(M.fc_forward(M.max_pool(yy), v), target), y)


def classify(candidate: np.ndarray, numeric: np.ndarray, axes: int) -> tuple[set, set]:
    """Per element (the trailing `axes` indices, 1-based): (agree, disagree) with FD.

    agree: every trial within the finite-difference tolerance; disagree: some trial off by
    more than WRONG_FACTOR of the gradient scale.  Anything in between fails the test."""
    scale = float(np.max(np.abs(numeric)))
    assert scale > 1e-2, "vacuous: gradients vanish"
    err = np.abs(candidate - numeric)
    tol = FD_ATOL_FACTOR * scale + FD_RTOL * np.abs(numeric)
    lead = candidate.ndim - axes
    agree, disagree = set(), set()
    for idx in np.ndindex(*candidate.shape[lead:]):
        sl = (slice(None),) * lead + idx
        key = tuple(i + 1 for i in idx)
        if np.all(err[sl] <= tol[sl]):
            agree.add(key)
        elif np.max(err[sl]) > WRONG_FACTOR * scale:
            disagree.add(key)
        else:
            raise AssertionError(f"{key}: neither clearly right nor clearly wrong")
    return agree, disagree


def assert_agrees(candidate, numeric, axes):
    agree, disagree = classify(candidate, numeric, axes)
    assert not disagree, sorted(disagree)


def tie_free_y(rng: np.random.Generator, t: int = T, gap: float = 1e-3) -> np.ndarray:
    out = []
    while sum(len(a) for a in out) < t:
        y = rng.uniform(0.0, 1.0, (2 * t, 3, 3, 3))
        win = np.sort(np.stack([y[:, a:a + 2, b:b + 2, :] for a in range(2) for b in range(2)],
                               axis=-1), axis=-1)
        out.append(y[(win[..., -1] - win[..., -2] >= gap).all(axis=(1, 2, 3))])
    return np.concatenate(out)[:t]


NEURONS = [(ci, cj) for ci in (1, 2, 3) for cj in (1, 2, 3)]
WINDOWS = [(pi, pj) for pi in (1, 2) for pj in (1, 2)]
Q = 0.25

# Part 2 Q4, the key's nine terms, transcribed coefficient by coefficient:
#   y_{c_i,c_j,k}(1-y_{c_i,c_j,k}) . x_{...} . ( <this linear combination of dE/dz_{p_i,p_j,k}> )
KEY_Q24 = {
    (1, 1): {(1, 1): 1},
    (1, 2): {(1, 1): 1, (1, 2): Q},
    (1, 3): {(1, 2): 1},
    (2, 1): {(1, 1): 1, (2, 2): Q},
    (2, 2): {(1, 1): 1, (1, 2): 1, (2, 1): 1, (2, 2): 1},
    (2, 3): {(1, 2): 1, (2, 2): Q},
    (3, 1): {(2, 1): 1, (2, 2): Q},
    (3, 2): {(2, 1): 1, (2, 2): Q},
    (3, 3): {(2, 2): 1},
}

# Part 2 Q3: the given first set plus the key's three sets, "y's += dE/dz_{p}" (correct).
KEY_Q23_SETS = {
    (1, 1): [(1, 1), (1, 2), (2, 1), (2, 2)],  # given in the question
    (1, 2): [(1, 2), (1, 3), (2, 2), (2, 3)],
    (2, 1): [(2, 1), (2, 2), (3, 1), (3, 2)],
    (2, 2): [(2, 2), (2, 3), (3, 2), (3, 3)],
}

# Correct: every window containing the neuron, coefficient 1 (window (pi,pj) covers
# neurons pi..pi+1 x pj..pj+1).
CORRECT_Q24 = {(ci, cj): {(pi, pj): 1 for pi, pj in WINDOWS
                          if pi <= ci <= pi + 1 and pj <= cj <= pj + 1} for ci, cj in NEURONS}


def dE_dy_from(coefs: dict, dE_dz: np.ndarray) -> np.ndarray:
    """dE/dy[ci, cj, k] = sum_p coefs[(ci, cj)][p] * dE/dz[p, k]."""
    dy = np.zeros((dE_dz.shape[0], 3, 3, dE_dz.shape[-1]))
    for (ci, cj), row in coefs.items():
        for (pi, pj), c in row.items():
            dy[:, ci - 1, cj - 1, :] += c * dE_dz[:, pi - 1, pj - 1, :]
    return dy


def key_q24_grad_filters(x, y, dE_dz, coefs=KEY_Q24):
    """Part 2 Q4, the key's expansion, literally:
    dE/dw_{fi,fj,k} = sum over the nine (ci,cj) of
        y_{ci,cj,k}(1-y_{ci,cj,k}) * x_{ci+1[fi==2], cj+1[fj==2]} * (coefficient row . dE/dz)."""
    t = x.shape[0]
    g = np.zeros((t, 2, 2, 3))
    for fi in (1, 2):
        for fj in (1, 2):
            for (ci, cj), row in coefs.items():
                yy = y[:, ci - 1, cj - 1, :]
                xx = x[:, ci + (fi == 2) - 1, cj + (fj == 2) - 1][:, None]
                err = sum(c * dE_dz[:, pi - 1, pj - 1, :] for (pi, pj), c in row.items())
                g[:, fi - 1, fj - 1, :] += yy * (1 - yy) * xx * err
    return g


def without_quarters(coefs):
    """Erratum (a) fixed: every 1/4 replaced by 1, wiring left as in the key."""
    return {n: {p: (1 if c == Q else c) for p, c in row.items()} for n, row in coefs.items()}


def rewired(coefs):
    """Erratum (b) fixed: y_{2,1} gets dE/dz_{2,1} instead of dE/dz_{2,2} (keeping its
    coefficient), y_{3,1} loses its extra dE/dz_{2,2} term."""
    out = {n: dict(row) for n, row in coefs.items()}
    out[(2, 1)][(2, 1)] = out[(2, 1)].pop((2, 2))
    del out[(3, 1)][(2, 2)]
    return out


@pytest.fixture(scope="module")
def net():
    """One random batch of the homework network with its finite-difference gradients."""
    x, w, v, target = random_network(np.random.default_rng(101))
    fw = M.forward(x, w, v)
    dE_dz = M.grad_pool_output(v, fw["o"], target)
    return dict(x=x, w=w, v=v, target=target, **fw, dE_dz=dE_dz,
                fd_w=fd_dE_dw(x, w, v, target), fd_y=fd_dE_dy_sum(fw["y"], v, target),
                fd_z=central_diff(lambda zz: M.loss(M.fc_forward(zz, v), target), fw["z"]),
                fd_v=central_diff(lambda vv: M.loss(M.fc_forward(fw["z"], vv), target), v))


# ------------------------------------------------------- Part 2 Q4: errata (a) and (b)
def test_transcription_of_q24_matches_the_stated_errata():
    """What the key says, against what is correct, term by term (no numerics)."""
    assert CORRECT_Q24[(1, 2)] == {(1, 1): 1, (1, 2): 1} and KEY_Q24[(1, 2)][(1, 2)] == Q
    assert CORRECT_Q24[(2, 1)] == {(1, 1): 1, (2, 1): 1}
    assert KEY_Q24[(2, 1)] == {(1, 1): 1, (2, 2): Q}  # (b): wired to z_{2,2}, not z_{2,1}
    assert CORRECT_Q24[(3, 1)] == {(2, 1): 1}
    assert KEY_Q24[(3, 1)] == {(2, 1): 1, (2, 2): Q}  # (b): extra (1/4) dE/dz_{2,2}
    assert {n for n in NEURONS if KEY_Q24[n] == CORRECT_Q24[n]} == {(1, 1), (1, 3), (2, 2),
                                                                    (3, 3)}
    # the key's Q2.4 contradicts the key's own (correct) Q2.3 sets
    from_q23 = {n: {p: 1 for p, members in KEY_Q23_SETS.items() if n in members}
                for n in NEURONS}
    assert from_q23 == CORRECT_Q24


def test_q24_key_disagrees_with_fd_reference_agrees(net):
    key = key_q24_grad_filters(net["x"], net["y"], net["dE_dz"])
    ref = M.grad_filters(net["x"], net["y"], M.grad_conv_sum_pool(net["dE_dz"]))
    assert_agrees(ref, net["fd_w"], axes=3)
    agree, disagree = classify(key, net["fd_w"], axes=3)
    assert len(disagree) == 12, f"key right on {sorted(agree)}"  # every one of the 12 weights
    # and in most trials, not just a few
    scale = np.abs(net["fd_w"]).max()
    off = (np.abs(key - net["fd_w"]) > WRONG_FACTOR * scale).any(axis=(1, 2, 3))
    assert off.mean() > 0.5


def test_q24_terms_which_of_the_nine_are_wrong(net):
    """Each term's error factor, as dE/dy, against finite differences in y (sum pooling)."""
    assert_agrees(M.grad_conv_sum_pool(net["dE_dz"]), net["fd_y"], axes=3)
    assert_agrees(dE_dy_from(CORRECT_Q24, net["dE_dz"]), net["fd_y"], axes=3)
    agree, disagree = classify(dE_dy_from(KEY_Q24, net["dE_dz"]), net["fd_y"], axes=3)
    wrong = {(ci, cj) for ci, cj, _ in disagree}
    right = {(ci, cj) for ci, cj, _ in agree}
    assert wrong == {(1, 2), (2, 1), (2, 3), (3, 1), (3, 2)}
    assert right == {(1, 1), (1, 3), (2, 2), (3, 3)}


def test_erratum_a_quarter_factors(net):
    """Removing only the 1/4 factors fixes y12, y23, y32 but leaves y21, y31 (erratum b)."""
    agree, disagree = classify(dE_dy_from(without_quarters(KEY_Q24), net["dE_dz"]),
                               net["fd_y"], axes=3)
    assert {(ci, cj) for ci, cj, _ in disagree} == {(2, 1), (3, 1)}
    # the 1/4 on its own is wrong: y_{1,2} with dE/dz11 + 1/4 dE/dz12 vs dE/dz11 + dE/dz12
    k = dE_dy_from(KEY_Q24, net["dE_dz"])[:, 0, 1]
    np.testing.assert_allclose(net["fd_y"][:, 0, 1] - k, 0.75 * net["dE_dz"][:, 0, 1],
                               atol=1e-8)


def test_erratum_b_wiring(net):
    """Fixing only the wiring (keeping the 1/4s) leaves y12, y21, y23, y32 wrong; fixing both
    gives exactly the correct table, which matches finite differences: no other errors."""
    agree, disagree = classify(dE_dy_from(rewired(KEY_Q24), net["dE_dz"]), net["fd_y"], axes=3)
    assert {(ci, cj) for ci, cj, _ in disagree} == {(1, 2), (2, 1), (2, 3), (3, 2)}
    assert rewired(without_quarters(KEY_Q24)) == CORRECT_Q24
    fixed = key_q24_grad_filters(net["x"], net["y"], net["dE_dz"],
                                 rewired(without_quarters(KEY_Q24)))
    assert_agrees(fixed, net["fd_w"], axes=3)
    # y_{2,1}: the key's error factor misses dE/dz_{2,1} and adds 1/4 dE/dz_{2,2}
    k = dE_dy_from(KEY_Q24, net["dE_dz"])
    dz = net["dE_dz"]
    np.testing.assert_allclose(net["fd_y"][:, 1, 0] - k[:, 1, 0],
                               dz[:, 1, 0] - Q * dz[:, 1, 1], atol=1e-8)
    # y_{3,1}: only in window (2,1); the key adds 1/4 dE/dz_{2,2}
    np.testing.assert_allclose(k[:, 2, 0] - net["fd_y"][:, 2, 0], Q * dz[:, 1, 1], atol=1e-8)


def test_q24_general_formula_is_right(net):
    """The key's first two lines (chain rule, dy/dw = y(1-y) x_{ci+1[fi==2], cj+1[fj==2]}),
    fed with the true dE/dy, match finite differences: only the expansion is wrong."""
    t = net["x"].shape[0]
    g = np.zeros((t, 2, 2, 3))
    y, x = net["y"], net["x"]
    for fi in (1, 2):
        for fj in (1, 2):
            for ci, cj in NEURONS:
                yy = y[:, ci - 1, cj - 1, :]
                g[:, fi - 1, fj - 1, :] += (net["fd_y"][:, ci - 1, cj - 1, :] * yy * (1 - yy)
                                            * x[:, ci + (fi == 2) - 1, cj + (fj == 2) - 1][:, None])
    assert_agrees(g, net["fd_w"], axes=3)


# ----------------------------------------------------------- Part 2 Q5: erratum (c)
def key_q25_literal_max_of_sum(y, dE_dz):
    """The key's max_{2x2} = max{y_a + y_b + y_c + y_d}: the max of ONE number, the window's sum.
    dE/dy = dE/dz . 1[y == max_{2x2}], accumulated over the windows containing y."""
    dy = np.zeros_like(y)
    for pi, pj in WINDOWS:
        a, b = pi - 1, pj - 1
        m = y[:, a, b] + y[:, a, b + 1] + y[:, a + 1, b] + y[:, a + 1, b + 1]  # "max{sum}"
        for ci, cj in [(a, b), (a, b + 1), (a + 1, b), (a + 1, b + 1)]:
            dy[:, ci, cj] += dE_dz[:, a, b] * (y[:, ci, cj] == m)
    return dy


def key_q25_assign(y, dE_dz):
    """'Only one neuron gets the window's error' read as assignment: each window (in order)
    SETS dE/dy of its arg-max to dE/dz; a neuron that wins several windows keeps one error."""
    dy = np.zeros_like(y)
    for pi, pj in WINDOWS:
        a, b = pi - 1, pj - 1
        for k in range(y.shape[-1]):
            win = y[:, a:a + 2, b:b + 2, k].reshape(len(y), 4)
            arg = win.argmax(axis=1)
            rows = np.arange(len(y))
            dy[rows, a + arg // 2, b + arg % 2, k] = dE_dz[:, a, b, k]
    return dy


def _max_case(t, rng):
    y = tie_free_y(rng, t)
    _, _, v, target = random_network(rng, t)
    dE_dz = M.grad_pool_output(v, M.fc_forward(M.max_pool(y), v), target)
    return y, dE_dz, fd_dE_dy_max(y, v, target)


def _windows_won(y):
    won = np.zeros_like(y)
    arg = M.max_pool_argmax(y)
    for a in range(2):
        for b in range(2):
            won[:, a:a + 2, b:b + 2, :] += arg == 2 * a + b
    return won


def test_erratum_c_max_of_a_sum_is_meaningless():
    y, dE_dz, fd = _max_case(T, np.random.default_rng(102))
    assert np.all(y > 0)  # conv outputs are sigmoids: each is strictly below its window's sum
    literal = key_q25_literal_max_of_sum(y, dE_dz)
    assert np.all(literal == 0.0)  # the indicator is never true
    assert np.abs(fd).max() > 1e-2
    assert_agrees(M.grad_conv_max_pool(y, dE_dz), fd, axes=3)


def test_erratum_c_no_accumulation_random():
    """Assigning instead of accumulating is wrong exactly where a neuron wins 2+ windows."""
    y, dE_dz, fd = _max_case(T, np.random.default_rng(103))
    assign = key_q25_assign(y, dE_dz)
    scale = np.abs(fd).max()
    err = np.abs(assign - fd)
    won = _windows_won(y)
    assert np.all(err[won <= 1] <= FD_ATOL_FACTOR * scale + FD_RTOL * np.abs(fd[won <= 1]))
    assert (won >= 2).mean() > 0.05  # common with stride 1
    assert (err[won >= 2] > 1e-6).mean() > 0.99  # and there it is wrong
    assert err.max() > WRONG_FACTOR * scale


def test_erratum_c_no_accumulation_constructed():
    """y_{2,2} is the largest value of its channel, so it is the maximum of all four windows:
    dE/dy_{2,2} = dE/dz_{1,1} + dE/dz_{1,2} + dE/dz_{2,1} + dE/dz_{2,2}."""
    rng = np.random.default_rng(104)
    t = 100
    y = rng.uniform(0.0, 0.5, (t, 3, 3, 3))
    y[:, 1, 1, :] = 0.9
    _, _, v, target = random_network(rng, t)
    dE_dz = M.grad_pool_output(v, M.fc_forward(M.max_pool(y), v), target)
    fd = fd_dE_dy_max(y, v, target)
    total = dE_dz.sum(axis=(1, 2))
    np.testing.assert_allclose(fd[:, 1, 1], total, atol=1e-8)
    np.testing.assert_allclose(M.grad_conv_max_pool(y, dE_dz)[:, 1, 1], total, atol=1e-15)
    assign = key_q25_assign(y, dE_dz)[:, 1, 1]
    np.testing.assert_allclose(assign, dE_dz[:, 1, 1], atol=0)  # only the last window's error
    assert np.abs(assign - fd[:, 1, 1]).max() > 1e-2


# ----------------------------------------------------------- Part 2 Q1: erratum (d)
def key_q21(z, o, target):
    """Part 2 Q1 as printed: the o_1 line uses z_{p_i,p_j,k}, the o_2 line z_{p_i,p_i,k}."""
    d1 = (o[:, 0] - target[:, 0]) * o[:, 0] * (1 - o[:, 0])
    d2 = (o[:, 1] - target[:, 1]) * o[:, 1] * (1 - o[:, 1])
    g = np.zeros(z.shape + (2,))
    for pi in range(2):
        for pj in range(2):
            g[:, pi, pj, :, 0] = d1[:, None] * z[:, pi, pj, :]
            g[:, pi, pj, :, 1] = d2[:, None] * z[:, pi, pi, :]  # sic: p_i, p_i
    return g


def test_erratum_d_z_pi_pi(net):
    assert_agrees(M.grad_fc_weights(net["z"], net["o"], net["target"]), net["fd_v"], axes=4)
    agree, disagree = classify(key_q21(net["z"], net["o"], net["target"]), net["fd_v"], axes=4)
    # wrong exactly for the o_2 weights off the diagonal p_i != p_j
    assert disagree == {(pi, pj, k, 2) for pi in (1, 2) for pj in (1, 2) for k in (1, 2, 3)
                        if pi != pj}
    assert {(pi, pj, k, m) for pi, pj, k, m in agree if m == 1} == {
        (pi, pj, k, 1) for pi in (1, 2) for pj in (1, 2) for k in (1, 2, 3)}  # o_1 line right


# ------------------------------------------------------ the parts of the key that are right
def test_q11_sizes():
    assert M.layer_sizes() == (3, 3, 2, 2)  # key: c_w = c_h = 3, p_w = p_h = 2
    assert ((4 - 2) // 1 + 1, (3 - 2) // 1 + 1) == (3, 2)


def test_q12_q13_q14_forward_formulas_literally(net):
    """The key's Q1.2-Q1.4 formulas, reading c_{j+1} as c_j + 1 (and p_{j+1} as p_j + 1)."""
    x, w, v = net["x"], net["w"], net["v"]
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    y = np.zeros((len(x), 3, 3, 3))
    for ci in range(3):
        for cj in range(3):
            for k in range(3):
                y[:, ci, cj, k] = sig(x[:, ci, cj] * w[:, 0, 0, k] + x[:, ci, cj + 1] * w[:, 0, 1, k]
                                      + x[:, ci + 1, cj] * w[:, 1, 0, k]
                                      + x[:, ci + 1, cj + 1] * w[:, 1, 1, k])
    np.testing.assert_allclose(y, net["y"], rtol=1e-13, atol=1e-15)
    z = np.zeros((len(x), 2, 2, 3))
    for pi in range(2):
        for pj in range(2):
            z[:, pi, pj] = y[:, pi, pj] + y[:, pi, pj + 1] + y[:, pi + 1, pj] + y[:, pi + 1, pj + 1]
    np.testing.assert_allclose(z, net["z"], rtol=1e-13, atol=1e-15)
    o = np.stack([sig(sum(z[:, pi, pj, k] * v[:, pi, pj, k, m] for k in range(3)
                          for pi in range(2) for pj in range(2))) for m in range(2)], axis=-1)
    np.testing.assert_allclose(o, net["o"], rtol=1e-13, atol=1e-15)


def test_q22_pool_error(net):
    """Key Q2.2: dE/dz = sum_m (o_m - y_m) o_m (1 - o_m) w_{p_i,p_j,k,o_m}."""
    o, t, v = net["o"], net["target"], net["v"]
    key = sum(((o[:, m] - t[:, m]) * o[:, m] * (1 - o[:, m]))[:, None, None, None] * v[..., m]
              for m in range(2))
    assert_agrees(key, net["fd_z"], axes=3)
    assert_agrees(M.grad_pool_output(v, o, t), net["fd_z"], axes=3)


def test_q23_sets(net):
    """Key Q2.3: the four '+=' sets reproduce dE/dy (sum pooling)."""
    dy = np.zeros_like(net["y"])
    for (pi, pj), members in KEY_Q23_SETS.items():
        for ci, cj in members:
            dy[:, ci - 1, cj - 1] += net["dE_dz"][:, pi - 1, pj - 1]
    assert_agrees(dy, net["fd_y"], axes=3)
