"""The comparison: shapes exact, float32 accepted, NaN never, mistakes always caught."""
from __future__ import annotations

import numpy as np
import pytest

from grader.assignment import student_rng
from grader.compare import compare
from reference.hw4 import ASSIGNMENT


def _trials(qid, seed=0):
    q = ASSIGNMENT.question(qid)
    return q, q.generate(student_rng(seed, "t", 0), 20)


@pytest.mark.parametrize("qid", [q.id for q in ASSIGNMENT.questions])
def test_reference_passes_itself_and_float32(qid):
    q, t = _trials(qid)
    assert compare(q, t, [np.array(e) for e in t.expected]).passed
    if not q.exact:
        assert compare(q, t, [np.array(e, dtype=np.float32) for e in t.expected]).passed


@pytest.mark.parametrize("qid", [q.id for q in ASSIGNMENT.questions if not q.exact])
def test_float32_computation_on_rounded_inputs_passes(qid):
    """A student computing wholly in float32 (inputs rounded first) must pass, saturation included."""
    q, t = _trials(qid)
    low = {k: v.astype(np.float32).astype(np.float64) if v.dtype.kind == "f" else v for k, v in t.args.items()}
    outs = [np.asarray(r, dtype=np.float32) for r in t.reference(low)]
    assert compare(q, t, outs).passed


@pytest.mark.parametrize("qid", [q.id for q in ASSIGNMENT.questions if not q.exact])
@pytest.mark.parametrize("factor", [0.25, -1.0, 1.001])
def test_scaled_answers_fail(qid, factor):
    q, t = _trials(qid)
    v = compare(q, t, [np.array(e) * factor for e in t.expected])
    assert not v.passed and v.failure is not None


def test_shape_and_nan_and_lists():
    q, t = _trials("1.3")
    outs = [np.array(e) for e in t.expected]
    bad = list(outs)
    bad[0] = outs[0].reshape(3, 2, 2)
    v = compare(q, t, bad)
    assert not v.passed and "shape (3, 2, 2)" in v.message and "(2, 2, 3)" in v.message
    bad = list(outs)
    bad[3] = outs[3].copy()
    bad[3][1, 1, 2] = np.nan
    v = compare(q, t, bad)
    assert not v.passed and "NaN" in v.message and "trial 4" in v.message
    bad[3][1, 1, 2] = np.inf
    assert not compare(q, t, bad).passed


def test_layer_sizes_exact_integers():
    q, t = _trials("1.1")
    assert compare(q, t, [np.array(e, dtype=np.float64) for e in t.expected]).passed  # 3.0 == 3
    off = [np.array(e) for e in t.expected]
    off[-1] = off[-1] + np.array([0, 0, 0, 1])
    v = compare(q, t, off)
    assert not v.passed and "p_h" in v.message and "defaults" in v.message


def test_students_get_different_reproducible_inputs():
    q = ASSIGNMENT.question("1.2")
    a = q.generate(student_rng(0, "alice", 1), 20)
    b = q.generate(student_rng(0, "bob", 1), 20)
    a2 = q.generate(student_rng(0, "alice", 1), 20)
    assert not np.allclose(a.args["x"], b.args["x"])
    assert np.array_equal(a.args["x"], a2.args["x"])
    assert not np.allclose(a.args["x"], q.generate(student_rng(1, "alice", 1), 20).args["x"])


def test_domain_keeps_sigmoid_textbook_safe():
    """Pre-activations stay within +-30 so math.exp never overflows."""
    from reference.hw4 import model as m
    for i, q in enumerate(ASSIGNMENT.questions[1:], start=1):
        t = q.generate(student_rng(3, "x", i), 50)
        if "x" in t.args and "w" in t.args:
            assert np.abs(m.conv_preactivation(t.args["x"], t.args["w"])).max() <= 30
        if "z" in t.args and "v" in t.args:
            assert np.abs(np.einsum("tijk,tijkm->tm", t.args["z"], t.args["v"])).max() <= 30


def test_max_pool_inputs_are_tie_free():
    from reference.hw4.questions import tie_free
    q = ASSIGNMENT.question("2.5")
    for s in range(5):
        t = q.generate(student_rng(s, "m", 8), 40)
        assert tie_free(t.args["y"]).all() and len(t) >= 22
