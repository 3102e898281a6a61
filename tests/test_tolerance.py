"""The tolerance rule (grader.judge.tolerance): one rule, and everyone applies it.

``within`` must agree with the rule written out element by element in plain Python, on any
arrays (NaN, infinities, zeros, huge and tiny values, exact questions); the looser screens
must keep everything the strict rule keeps; and the verdict (compare), the diagnosis
(diagnose) and the probes must judge an answer exactly as the module does.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from grader.judge import tolerance
from grader.judge.tolerance import Tolerance

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SPECIAL = [0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 5e-324, 1e308, -1e308, math.nan, math.inf, -math.inf]
_values = st.one_of(st.sampled_from(SPECIAL), st.floats(allow_nan=True, allow_infinity=True, width=64),
                    st.floats(-10, 10))
_tolerances = st.builds(Tolerance, rtol=st.sampled_from([0.0, 1e-8, 1e-5, 1e-3]),
                        atol_scale=st.sampled_from([0.0, 1e-8, 1e-5, 1e-3]),
                        atol_floor=st.sampled_from([0.0, 1e-300, 1e-12, 1.0]), exact=st.booleans())


@st.composite
def _cases(draw):
    """(q, got, exp): exp any float array (trials x elements); got near exp (inside, on and
    just outside the tolerance), or anything."""
    q = draw(_tolerances)
    shape = draw(st.tuples(st.integers(1, 4), st.integers(0, 5)))
    exp = draw(hnp.arrays(np.float64, shape, elements=_values))
    how = draw(st.sampled_from(["near", "any", "same", "ints"]))
    if how == "any":
        got = draw(hnp.arrays(np.float64, shape, elements=_values))
    elif how == "same":
        got = exp.copy()
    elif how == "ints":
        exp = np.round(np.nan_to_num(exp, nan=0.0, posinf=3.0, neginf=-3.0) % 7)
        got = exp + draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 0.0, 1.0, 1e-9])))
    else:
        k = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 0.5, 0.999, 1.0, 1.001, 2.0, 99.0,
                                                                          100.0, 101.0, -1.0, -1.001])))
        with np.errstate(all="ignore"):
            top = np.abs(exp).max(axis=1, keepdims=True, initial=0.0)
            got = exp + k * (q.atol_scale * top + q.atol_floor + q.rtol * np.abs(exp))
    return q, got, exp


def _reference(q, got, exp, groups, loosen=1.0) -> np.ndarray:
    """The rule element by element in plain Python floats; ``groups`` lists the flat indices
    that share one atol (one trial)."""
    g, e = got.ravel().tolist(), exp.ravel().tolist()
    ok = [False] * len(g)
    for group in groups:
        vals = [abs(e[i]) for i in group]
        top = math.nan if any(math.isnan(v) for v in vals) else max(vals, default=0.0)
        atol = q.atol_scale * top + q.atol_floor
        for i in group:
            if not (math.isfinite(g[i]) and math.isfinite(e[i])):
                continue  # NaN and infinity never pass, on either side
            if q.exact:
                ok[i] = g[i] == e[i]
            else:
                ok[i] = abs(g[i] - e[i]) <= loosen * (atol + q.rtol * abs(e[i]))
    return np.asarray(ok, dtype=bool).reshape(exp.shape)


def _rows(shape):
    return [range(r * shape[1], (r + 1) * shape[1]) for r in range(shape[0])]


@SETTINGS
@given(case=_cases(), loosen=st.sampled_from([1.0, tolerance.FACTOR, tolerance.SCREEN]))
def test_within_is_the_rule_written_out(case, loosen):
    q, got, exp = case
    per_trial = tolerance.within(q, got, exp, axes=(1,), loosen=loosen)
    assert np.array_equal(per_trial, _reference(q, got, exp, _rows(exp.shape), loosen))
    whole = tolerance.within(q, got, exp, loosen=loosen)
    assert np.array_equal(whole, _reference(q, got, exp, [range(exp.size)], loosen))
    assert tolerance.all_within(q, got, exp, loosen=loosen) == bool(whole.all())
    assert np.array_equal(tolerance.trials_within(q, got, exp, loosen=loosen), per_trial.all(axis=1))
    if loosen == 1.0:
        assert np.array_equal(tolerance.wrong(q, got, exp, (1,)), ~per_trial)


@SETTINGS
@given(case=_cases())
def test_looser_screens_keep_all_the_strict_rule_keeps(case):
    q, got, exp = case
    strict = tolerance.within(q, got, exp, axes=(1,))
    for loosen in (tolerance.FACTOR, tolerance.SCREEN):
        loose = tolerance.within(q, got, exp, axes=(1,), loosen=loosen)
        assert not (strict & ~loose).any()
        assert not (tolerance.trials_within(q, got, exp) & ~tolerance.trials_within(q, got, exp, loosen)).any()
    assert tolerance.relative(q, tolerance.FACTOR) >= tolerance.relative(q)


def test_the_screens_are_looser_and_float32_is_not_a_question():
    assert tolerance.SCREEN > 1 and tolerance.FACTOR > 1
    q = Tolerance(rtol=1e-5, atol_scale=1e-5)
    exp = np.array([[1.0, 2.0]])
    assert not tolerance.within(q, exp * (1 + 1e-4), exp).all()
    assert tolerance.within(q, exp * (1 + 1e-4), exp, loosen=tolerance.SCREEN).all()
    assert not tolerance.FLOAT32.exact and tolerance.FLOAT32.rtol >= np.finfo(np.float32).eps * 10


def test_nan_and_infinity_never_pass():
    for q in (Tolerance(), Tolerance(exact=True)):
        for bad in (math.nan, math.inf, -math.inf):
            exp = np.array([bad, 1.0])
            assert not tolerance.within(q, exp, exp)[0]  # not even against itself
            assert not tolerance.within(q, np.array([bad, 1.0]), np.array([1.0, 1.0]))[0]
    huge = np.array([1e308, -1e308])
    assert not tolerance.within(Tolerance(rtol=1e3), np.array([math.inf, -math.inf]), huge).any()  # bound overflows


def test_exact_questions_compare_exactly():
    q = Tolerance(exact=True)
    assert tolerance.within(q, np.array([3, 4]), np.array([3.0, 4.0])).all()
    assert not tolerance.within(q, np.array([3.0 + 1e-12]), np.array([3])).any()
    assert not tolerance.within(q, np.array([3.0 + 1e-12]), np.array([3]), loosen=tolerance.SCREEN).any()


def test_atol_is_per_trial_or_along_axes():
    q = Tolerance(rtol=0.0, atol_scale=0.1, atol_floor=0.0)
    exp = np.array([[10.0, 0.0], [1.0, 0.0]])
    assert np.allclose(tolerance.atol(q, exp, axes=(1,)), [[1.0], [0.1]])
    assert np.allclose(tolerance.atol(q, exp), [[1.0]])
    got = np.array([[10.0, 0.5], [1.0, 0.5]])  # 0.5 off a zero: fine beside 10, not beside 1
    assert tolerance.trials_within(q, got, exp).tolist() == [True, False]
    assert tolerance.within(q, got, exp).all()  # (one atol for the whole array)


# ----------------------------------------------------------------------------- one rule, every user

class _Question(Tolerance):
    def element(self, idx):
        return f"y{list(idx)}"


@SETTINGS
@given(case=_cases())
def test_compare_diagnose_and_probes_judge_as_the_module(case):
    from grader.feedback import diagnose, probes
    from grader.judge import compare
    q, got, exp = case
    q = _Question(q.rtol, q.atol_scale, q.atol_floor, q.exact)
    for t in range(len(exp)):
        problem, fail = compare._check_one(q, got[t].copy(), exp[t].copy())
        wrong = tolerance.wrong(q, got[t], exp[t])
        assert (problem == "") == (not wrong.any())
        if problem and fail.wrong_mask is not None:
            assert np.array_equal(np.asarray(fail.wrong_mask, dtype=bool).reshape(wrong.shape), wrong)
        assert np.array_equal(diagnose.wrong_mask(q, got[t], exp[t]), wrong)
    per_trial = tolerance.trials_within(q, got, exp)
    assert np.array_equal(probes.close_trials(q, got, exp), per_trial)
    assert probes.quick_reject(q, got, exp) == (not per_trial[0])
    first = compare._first_suspect(q, exp, list(got))
    assert first == (None if per_trial.all() else int(np.argmin(per_trial)))
    many = probes._close_many(q, got.reshape(len(got), -1), exp.reshape(1, len(exp), -1))
    assert np.array_equal(many[0], per_trial)


def test_a_float32_clipped_sigmoid_is_named():
    """The clipping probe once marked as wrong every element off by more than 1e-6 relative
    (a hard-coded np.isclose), not by the question's rule: float32 rounding inside the
    tolerance hid the clipping."""
    from grader.feedback.diagnose import diagnose
    from reference.hw4 import ASSIGNMENT
    q = next(q for q in ASSIGNMENT.questions if q.id == "1.4")
    tr = q.generate(np.random.default_rng(2), 20)

    def fc_forward(z, v):
        a = np.einsum("ijk,ijkm->m", np.asarray(z, np.float32), np.asarray(v, np.float32))
        return 1 / (1 + np.exp(-np.clip(a, -10, 10)))

    outs = [np.asarray(fc_forward(*tr.call_args(t)), dtype=np.float64) for t in range(len(tr))]
    d = diagnose(q, tr, outs)
    assert "clips its input to ±10" in d.message, d.message


@pytest.mark.parametrize("module", ["grader.judge.compare", "grader.feedback.diagnose", "grader.feedback.probes"])
def test_no_other_tolerance_formula(module):
    """The rule is written once: nobody else scales an atol or calls np.isclose/allclose."""
    import importlib
    import inspect
    source = inspect.getsource(importlib.import_module(module))
    for written in ("atol_scale *", "q.rtol *", "np.isclose", "np.allclose", "atol_floor"):
        assert written not in source, (module, written)
