"""Misconception diagnosis (grader.feedback.diagnose) and the Homework 4 catalogue (reference.hw4.mistakes).

The example submissions are imported in-process here (tests only: the grader itself never
imports student code outside the sandbox) and called on each question's trials, so diagnose()
is tested directly, independent of how score.py wires it in.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import SUBMISSIONS
from example_verdicts import EXPECTED, MISTAKE_OF
from grader.judge.compare import _check_one, compare
from grader.feedback.diagnose import Diagnosis, diagnose, generic_notes, matching_mistakes, wrong_mask
from reference.hw4 import ASSIGNMENT
from reference.hw4.mistakes import GROUPS, MISTAKES

QUESTIONS = ASSIGNMENT.questions
QID = {q.id: q for q in QUESTIONS}


@pytest.fixture(scope="module")
def trials():
    return {q.id: q.generate(np.random.default_rng(0), 20) for q in QUESTIONS}


def _load(entry: str):
    """Import a bundled submission (file or folder) under a private module name."""
    path = SUBMISSIONS / entry
    if path.is_dir():
        path = path / "hw4.py"
    folder = str(path.parent)
    before, bytecode = set(sys.modules), sys.dont_write_bytecode
    sys.path.insert(0, folder)
    sys.dont_write_bytecode = True  # nothing written into submissions/ (no __pycache__)
    try:
        spec = importlib.util.spec_from_file_location(f"_diag_{path.parent.name}_{path.stem}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    finally:
        sys.dont_write_bytecode = bytecode
        sys.path.remove(folder)
        for name in set(sys.modules) - before:  # the package's own helper modules (cnn_utils)
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if Path(origin).resolve().is_relative_to(SUBMISSIONS.resolve()):
                del sys.modules[name]
    return mod


def _outputs(mod, q, tr) -> list[np.ndarray]:
    f = getattr(mod, q.function)
    return [np.asarray(f(*tr.call_args(t))) for t in range(len(tr))]


def _batch(arr) -> list[np.ndarray]:
    return [np.asarray(a) for a in arr]


# ----------------------------------------------------------------------------- the catalogue

def test_catalogue_is_hooked_and_complete():
    for q in QUESTIONS:
        assert q.mistakes == MISTAKES[q.id] and q.mistakes, q.id
        ids = [m.id for m in q.mistakes]
        assert len(ids) == len(set(ids)), q.id
        for m in q.mistakes:
            assert m.name and m.explanation and m.hint, (q.id, m.id)
    for entry, (qids, mid) in MISTAKE_OF.items():
        for qid in (qids,) if isinstance(qids, str) else qids:
            assert mid in {m.id for m in QID[qid].mistakes}, (entry, qid, mid)


@pytest.mark.parametrize("qid", [q.id for q in QUESTIONS])
def test_every_catalogued_mistake_is_diagnosed_as_itself(trials, qid):
    """Each entry differs from the right answer, and no other entry explains its answers."""
    q, tr = QID[qid], trials[qid]
    for m in q.mistakes:
        full = np.asarray(m.compute(tr.args))
        assert full.shape[0] == len(tr), m.id
        assert not compare(q, tr, _batch(full)).passed, f"{m.id} is indistinguishable from the answer"
        d = diagnose(q, tr, _batch(full))
        assert d.misconceptions == [m.id], (m.id, d.misconceptions)
        assert d.hints == [{"id": m.id, "name": m.name, "explanation": m.explanation, "hint": m.hint}]
        assert d.message.startswith(("Looks like a known mistake", "Your numbers are exactly what a known mistake gives")) \
            and not d.notes


def test_catalogue_shapes():
    tr = QID["1.3"].generate(np.random.default_rng(1), 5)
    stride2 = next(m for m in QID["1.3"].mistakes if m.id == "stride2_pool")
    assert stride2.compute(tr.args).shape == (len(tr), 1, 1, 3)
    tr = QID["1.1"].generate(np.random.default_rng(1), 5)
    hard = next(m for m in QID["1.1"].mistakes if m.id == "hardcoded_sizes")
    assert (hard.compute(tr.args) == [3, 3, 2, 2]).all()


# ----------------------------------------------------------------------------- the examples

@pytest.mark.parametrize("entry", sorted(MISTAKE_OF))
def test_mistake_submission_diagnosed_as_its_mistake(trials, entry):
    qids, mid = MISTAKE_OF[entry]
    qids = (qids,) if isinstance(qids, str) else qids
    mod = _load(entry)
    for q in QUESTIONS:
        tr = trials[q.id]
        outs = _outputs(mod, q, tr)
        verdict = compare(q, tr, outs)
        assert verdict.passed == (EXPECTED[entry][q.id] == "passed"), (q.id, verdict.message)
        if q.id in qids:
            d = diagnose(q, tr, outs)
            assert d.misconceptions == [mid], (q.id, d.misconceptions, d.message, d.notes)
            assert d.hints and d.hints[0]["id"] == mid


@pytest.mark.parametrize("entry", sorted(e for e in EXPECTED if e.startswith("correct_")))
def test_correct_submission_gets_no_diagnosis(trials, entry):
    mod = _load(entry)
    for q in QUESTIONS:
        tr = trials[q.id]
        outs = _outputs(mod, q, tr)
        assert compare(q, tr, outs).passed, q.id
        assert diagnose(q, tr, outs) == Diagnosis()
        # the rules themselves, without diagnose's early exit for passing answers
        assert matching_mistakes(q, tr, outs) == [], q.id
        assert generic_notes(q, tr, outs, GROUPS.get(q.id)) == [], q.id


def test_float32_student_with_a_mistake_is_still_diagnosed(trials):
    """A float32 mistake near saturation matches via the rounded-inputs recomputation."""
    for qid, mid in (("2.1", "no_sigmoid_derivative"), ("1.2", "no_sigmoid_conv"), ("2.4", "missing_y_derivative")):
        q, tr = QID[qid], trials[qid]
        m = next(m for m in q.mistakes if m.id == mid)
        low = {k: v.astype(np.float32).astype(np.float64) for k, v in tr.args.items()}
        outs = _batch(np.asarray(m.compute(low)).astype(np.float32))
        assert diagnose(q, tr, outs).misconceptions == [mid]


# ----------------------------------------------------------------------------- generic findings

def _bare(qid):
    """The question without its catalogue, named groups or probe data, so only the data-free
    generic findings can speak."""
    return dataclasses.replace(QID[qid], mistakes=(), groups={}, probes=())


def _exp(tr):
    return np.asarray(tr.expected, dtype=np.float64)


@pytest.mark.parametrize("qid", ["1.2", "2.2", "2.3", "2.5"])
def test_generic_constant_factor(trials, qid):
    tr = trials[qid]
    d = diagnose(_bare(qid), tr, _batch(0.25 * _exp(tr)))
    assert d.misconceptions == [] and "1/4 times the right value" in d.message
    d = diagnose(_bare(qid), tr, _batch(-_exp(tr)))
    assert "wrong sign" in d.message and "-1 times" in d.message
    d = diagnose(_bare(qid), tr, _batch(0 * _exp(tr)))
    assert d.message.startswith("You return zero everywhere.")


def test_generic_factor_that_changes_per_trial(trials):
    tr = trials["2.4"]
    c = np.linspace(0.5, 3.0, len(tr))[:, None, None, None]
    d = diagnose(_bare("2.4"), tr, _batch(c * _exp(tr)))
    assert "factor changes from trial to trial" in d.message


def test_generic_transpose_same_shape(trials):
    tr = trials["2.3"]
    d = diagnose(_bare("2.3"), tr, _batch(_exp(tr).transpose(0, 2, 1, 3)))
    assert "transposed" in d.message and "axes 0 and 1 are swapped" in d.message
    assert "where ∂E/∂y_{1,2,k=1} should be, you return the value of ∂E/∂y_{2,1,k=1}" in d.message


def test_generic_transpose_other_shape(trials):
    tr = trials["1.3"]  # (2, 2, 3) returned channel first as (3, 2, 2)
    d = diagnose(_bare("1.3"), tr, _batch(_exp(tr).transpose(0, 3, 1, 2)))
    assert "transposed" in d.message and "(2, 0, 1)" in d.message


def test_generic_reversed_axis(trials):
    tr = trials["1.4"]
    d = diagnose(_bare("1.4"), tr, _batch(_exp(tr)[:, ::-1]))
    assert "reversed order" in d.message and "where o_1 should be, you return the value of o_2" in d.message


def test_generic_reshaped(trials):
    tr = trials["2.2"]
    d = diagnose(_bare("2.2"), tr, _batch(_exp(tr).reshape(len(tr), 12)))
    assert "reshaped" in d.message and "in the right order" in d.message


def test_generic_stride2_shape(trials):
    tr = trials["1.3"]
    sub = _exp(tr)[:, ::2, ::2, :]
    d = diagnose(_bare("1.3"), tr, _batch(sub))
    assert "every 2nd element" in d.message and "(1, 1, 3)" in d.message
    d = diagnose(_bare("1.3"), tr, _batch(sub + 1.0))  # the shape alone
    assert "stride-2" in d.message and "(1, 1, 3)" in d.message


def test_generic_shape_changes_between_trials(trials):
    tr = trials["1.3"]
    outs = _batch(_exp(tr))
    outs[3] = outs[3][:1]
    assert "changes from trial to trial" in diagnose(_bare("1.3"), tr, outs).message


def test_generic_element_map_names_a_group(trials):
    q, tr = QID["2.3"], trials["2.3"]
    m = next(m for m in q.mistakes if m.id == "assign_not_accumulate")
    said = diagnose(_bare("2.3"), tr, _batch(m.compute(tr.args))).message
    assert "only one of the terms" in said and "(+=)" in said  # (the terms kept: a cause)
    exp = _exp(tr)
    outs = _batch(exp + 1.7 * (m.compute(tr.args) - exp))  # wrong there, in no rule of terms
    d = diagnose(_bare("2.3"), tr, outs, groups=GROUPS["2.3"])
    assert d.misconceptions == []
    assert d.message.startswith("The wrong elements are exactly the neurons shared by two or more")
    d = diagnose(_bare("2.3"), tr, outs)  # no groups: the set in the homework's notation
    assert "are right in every trial" in d.message or "the others are right" in d.message
    assert "∂E/∂y_{1,1,k=*}" in d.message


def test_generic_element_map_lists_wrong_elements(trials):
    tr = trials["1.2"]
    outs = _exp(tr).copy()
    outs[:, 0, 2, 1] += 0.1
    d = diagnose(_bare("1.2"), tr, _batch(outs))
    assert d.message == ("1 of 27 elements are wrong (in at least one trial): y_{1,3,k=2}; "
                         "the others are right in every trial.")
    tr = trials["1.1"]
    outs = np.asarray(tr.expected).copy()
    outs[:, 2:] += 1
    d = diagnose(_bare("1.1"), tr, _batch(outs), groups=GROUPS["1.1"])
    assert "exactly the pooling sizes p_w, p_h" in d.message


def test_no_diagnosis_for_garbage_or_right_answers(trials):
    q, tr = QID["2.3"], trials["2.3"]
    assert diagnose(q, tr, _batch(_exp(tr))).message == ""
    assert diagnose(q, tr, _batch(_exp(tr))[:-1]).misconceptions == []
    noise = np.random.default_rng(5).normal(size=_exp(tr).shape)
    d = diagnose(q, tr, _batch(noise))
    assert d.misconceptions == [] and "All 27 elements are wrong" in d.message


def test_wrong_mask_is_compares_rule(trials):
    rng = np.random.default_rng(3)
    for q in QUESTIONS:
        tr = trials[q.id]
        for t in range(len(tr)):
            exp = np.asarray(tr.expected[t])
            scale = float(np.abs(exp).max(initial=0.0))
            for eps in (0.0, 1e-7, 3e-6, 1e-5, 1e-3):
                got = exp + eps * scale * rng.choice([-1.0, 1.0], size=exp.shape)
                if q.exact:
                    got = np.round(got).astype(np.int64)
                problem, _ = _check_one(q, got, exp)
                assert (problem == "") == (not wrong_mask(q, got, exp).any()), (q.id, t, eps)


def test_routing_to_the_channels_largest_neuron_is_named():
    """The one mistake the uncatalogued-feedback study left unnamed (2.5: every window's error to
    the channel's global maximum), written as a student would, with loops."""
    import numpy as np

    from grader.api import make_trials
    from grader.assignment import load_assignment
    from grader.feedback.diagnose import diagnose

    def student(y, dz):
        dy = np.zeros_like(y)
        for k in range(y.shape[2]):
            i, j = np.unravel_index(np.argmax(y[:, :, k]), y[:, :, k].shape)
            dy[i, j, k] = dz[:, :, k].sum()
        return dy
    q = load_assignment("hw4").question("2.5")
    for seed in (0, 5):
        t = make_trials(load_assignment("hw4"), seed, "s")["2.5"]
        d = diagnose(q, t, [student(*t.call_args(i)) for i in range(len(t))])
        assert d.misconceptions == ["max_global"], d.message
