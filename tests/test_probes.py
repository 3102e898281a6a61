"""What the student computed: the probes of grader.feedback.probes on student-style mistakes.

Each file in tests/mistakes/ defines only the functions it gets wrong (student style: loops,
lists, float32 ...) and ``EXPECT = {question id: [words]}``: the feedback for that question
(message, notes, catalogued ids) must contain every word.  None of these mistakes is the
catalogue's own ``compute``: they test that feedback names mistakes it was not written for.
The files are imported in-process (tests only; the grader never imports student code).
"""
from __future__ import annotations

import dataclasses
import importlib.util
import re
import time
from pathlib import Path

import numpy as np
import pytest

from grader.judge.compare import compare
from grader.feedback.diagnose import Diagnosis, diagnose, generic_notes
from grader.feedback.probes import close_trials
from reference.hw4 import ASSIGNMENT

QID = {q.id: q for q in ASSIGNMENT.questions}
MISTAKES = Path(__file__).resolve().parent / "mistakes"
FILES = sorted(p.name for p in MISTAKES.glob("*.py"))


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_probe_{Path(name).stem}", MISTAKES / name)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _outputs(f, tr) -> list[np.ndarray]:
    return [np.asarray(f(*tr.call_args(t))) for t in range(len(tr))]


def _text(d: Diagnosis) -> str:
    return " ".join([d.message, *d.notes, *d.misconceptions])


@pytest.fixture(scope="module")
def trials():
    return {seed: {q.id: q.generate(np.random.default_rng(seed), 20) for q in ASSIGNMENT.questions}
            for seed in (1, 2, 11)}


def _cases():
    for name in FILES:
        for qid in _load(name).EXPECT:
            yield name, qid


@pytest.mark.parametrize("name,qid", list(_cases()))
def test_mistake_file_feedback_names_the_mistake(trials, name, qid):
    mod = _load(name)
    q = QID[qid]
    failing = 0
    for seed, by_q in trials.items():
        tr = by_q[qid]
        outs = _outputs(getattr(mod, q.function), tr)
        if compare(q, tr, outs).passed:
            continue  # (float32 rounding fails only where a trial's every output saturates)
        failing += 1
        d = diagnose(q, tr, outs)
        text = _text(d)
        for word in mod.EXPECT[qid]:
            assert word in text, (name, qid, seed, word, text)
    assert failing, (name, qid, "the mistake file passes every seed")


def test_there_are_enough_mistake_files():
    assert len(FILES) >= 30


# one student-style file per diagnosis family, and the words that family's finding uses
FAMILIES = {
    "activation": ("tanh_forward.py", "1.2", "Your y is tanh applied to"),
    "activation range fact": ("tanh_forward.py", "1.4", "must lie in (0, 1)"),
    "clipped activation (a saturation condition)": ("clipped_sigmoid.py", "1.2", "wrong only where the sigmoid saturates"),
    "expression: a wrong factor": ("sigmoid_deriv_plus.py", "2.1", "Yours behaves like"),
    "expression: a missing factor": ("fc_missing_z.py", "2.1", "is missing"),
    "expression: size rules": ("ceil_sizes.py", "1.1", "What yours computes: c_w, c_h = ⌈"),
    "branch constants": ("o2_doubled.py", "2.2", "weighted wrongly"),
    "per-slice factor": ("sign_o2_only.py", "2.1", "Only part of your answer is off"),
    "terms per element": ("grad_sum_three_windows.py", "2.3", "What your answer computes, element by element"),
    "misread input": ("labels_swapped.py", "2.1", "right computation gives when target is read"),
    "index map along an axis": ("sizes_order.py", "1.1", "in the wrong places along axis 0"),
    "transposed answer": ("dz_transposed_sum.py", "2.3", "transposed"),
    "constant offset": ("grad_plus_one.py", "2.3", "plus a constant"),
    "condition on an edge case": ("zero_image.py", "1.2", "wrong only on the edge case"),
    "condition on a feature": ("n_minus_f_plus1_div_s.py", "1.1", "wrong only when the stride is not 1"),
    "catalogue, any loop order": ("assign_first_wins.py", "2.3", "assigned the error instead of adding it"),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_diagnosis_family(trials, family):
    name, qid, words = FAMILIES[family]
    mod = _load(name)
    q = QID[qid]
    said = []
    for by_q in trials.values():
        tr = by_q[qid]
        outs = _outputs(getattr(mod, q.function), tr)
        if not compare(q, tr, outs).passed:
            said.append(_text(diagnose(q, tr, outs)))
    assert said and all(words in s for s in said), (family, said)


# ----------------------------------------------------------------------------- claims hold

def _claimed_trials(text: str, tr) -> np.ndarray | None:
    m = re.search(r"wrong only on the edge case “([^”]+)”", text)
    if m:
        return np.array([lab.removeprefix("edge: ") == m.group(1) for lab in tr.labels])
    return None


@pytest.mark.parametrize("name,qid", list(_cases()))
def test_every_condition_claimed_holds_on_the_trials(trials, name, qid):
    """A condition ("wrong only on ...", "right on N of M trials") is checked against the trials:
    the answer is wrong on no trial outside the claimed set and right on exactly N."""
    mod = _load(name)
    q = QID[qid]
    for by_q in trials.values():
        tr = by_q[qid]
        outs = _outputs(getattr(mod, q.function), tr)
        text = _text(diagnose(q, tr, outs))
        got = np.stack([o.astype(np.float64) for o in outs]) if len({o.shape for o in outs}) == 1 else None
        if got is None or got.shape[1:] != np.asarray(tr.expected).shape[1:]:
            continue
        ok = close_trials(q, got, np.asarray(tr.expected, dtype=np.float64))
        m = re.search(r"right on (\d+) of (\d+) trials", text)
        if m:
            assert int(m.group(1)) == int(ok.sum()) and int(m.group(2)) == len(tr), text
        claimed = _claimed_trials(text, tr)
        if claimed is not None:
            assert not (~ok & ~claimed).any(), text
        if "there you return zeros" in text:
            assert all((got[t] == 0).all() for t in np.flatnonzero(~ok)), text


def test_conditions_from_features_hold():
    """1.1: an answer wrong exactly when the stride is not 1 is told so, and the claim is true."""
    q = QID["1.1"]
    tr = q.generate(np.random.default_rng(3), 20)
    exp = np.asarray(tr.expected)
    s = tr.args["stride"]
    got = exp + (s != 1)[:, None]  # off by one exactly on strided trials
    d = diagnose(dataclasses.replace(q, mistakes=()), tr, [g for g in got])
    assert "wrong only when the stride is not 1" in d.message, d.message
    n_ok = int((s == 1).sum())
    assert f"right on {n_ok} of {len(tr)} trials" in d.message


def test_one_saturated_trial_is_not_generalised(trials):
    """Wrong only on a saturated edge case: the finding names that case, not an element set."""
    q, tr = QID["1.4"], trials[1]["1.4"]
    outs = [np.array(e, dtype=np.float64) for e in tr.expected]
    sat = [i for i, lab in enumerate(tr.labels) if "saturated" in lab]
    outs[sat[0]] = outs[sat[0]] * np.array([1.0, 0.9])
    d = diagnose(dataclasses.replace(q, mistakes=()), tr, outs)
    assert "nearly saturated" in d.message and "exactly o_2" not in d.message, d.message


# ----------------------------------------------------------------------------- never reveal

def _right_expression_texts():
    """Texts of the right options: a finding never consists of these alone."""
    from grader.feedback.probes import Expression
    out = []
    for q in ASSIGNMENT.questions:
        for p in q.probes:
            if isinstance(p, Expression):
                out.append((q.id, p.render([s[0].text if s[0].text != "1" else "" for s in p.slots])))
    return out


def test_findings_never_print_the_right_expression(trials):
    rights = _right_expression_texts()
    assert rights
    for name in FILES:
        mod = _load(name)
        for qid in mod.EXPECT:
            q, tr = QID[qid], trials[1][qid]
            text = _text(diagnose(q, tr, _outputs(getattr(mod, q.function), tr)))
            for rqid, right in rights:
                if rqid == qid and right:
                    assert right not in text, (name, qid, text)


# ----------------------------------------------------------------------------- correct work

def test_correct_and_right_answers_get_no_probe_finding(trials):
    for by_q in trials.values():
        for q in ASSIGNMENT.questions:
            tr = by_q[q.id]
            exp = np.asarray(tr.expected)
            outs = [np.array(e) for e in exp]
            assert generic_notes(q, tr, outs, q.groups) == [], q.id
            assert diagnose(q, tr, outs) == Diagnosis()
            if not q.exact:  # float32 answers of right work: no finding either
                outs32 = [np.array(e, dtype=np.float32) for e in exp]
                if compare(q, tr, outs32).passed:
                    assert generic_notes(q, tr, outs32, q.groups) == [], q.id


def test_float32_work_is_not_a_mistake(trials):
    """Float32 work returned as float64 arrays or lists passes (as compare decides, whatever the
    container): there is nothing to diagnose."""
    for name, funcs in (("float32_backward.py", ("grad_fc_weights", "grad_pool_output")),
                        ("float32_partly.py", ("grad_fc_weights",))):
        mod = _load(name)
        for fn in funcs:
            q = next(q for q in ASSIGNMENT.questions if q.function == fn)
            for seed in trials:
                tr = trials[seed][q.id]
                outputs = _outputs(getattr(mod, fn), tr)
                assert compare(q, tr, outputs).passed, (name, fn, seed)
                assert diagnose(q, tr, outputs).message == ""


def test_noise_gets_no_probe_finding(trials):
    """Random answers: no probe claims to know what was computed."""
    rng = np.random.default_rng(9)
    for q in ASSIGNMENT.questions:
        tr = trials[1][q.id]
        exp = np.asarray(tr.expected)
        noise = rng.normal(size=exp.shape)
        if q.exact:
            noise = rng.integers(0, 9, size=exp.shape)
        d = diagnose(q, tr, [n for n in noise])
        assert not d.misconceptions
        assert not any(w in d.message for w in ("Yours behaves", "What your answer computes", "precision",
                                                "right computation gives", "applied to")), (q.id, d.message)


# ----------------------------------------------------------------------------- cost

def test_diagnosis_cost_is_bounded(trials):
    """Every question failing with noise (every probe runs and fails) stays cheap."""
    rng = np.random.default_rng(2)
    outs = {}
    for q in ASSIGNMENT.questions:
        exp = np.asarray(trials[1][q.id].expected)
        outs[q.id] = [n for n in (rng.integers(0, 9, exp.shape) if q.exact else rng.normal(size=exp.shape))]
    for q in ASSIGNMENT.questions:  # warm-up (imports, caches)
        diagnose(q, trials[1][q.id], outs[q.id])
    t0 = time.process_time()
    for _ in range(3):
        for q in ASSIGNMENT.questions:
            diagnose(q, trials[1][q.id], outs[q.id])
    per_submission = (time.process_time() - t0) / 3
    assert per_submission < 0.25, per_submission  # generous: shared 2-core CI (measured ~0.18 s idle, nine questions)


# ----------------------------------------------------------------------------- robustness

from hypothesis import given, settings, strategies as st  # noqa: E402


_TRIALS: dict = {}


def _trials1(q):
    if q.id not in _TRIALS:
        _TRIALS[q.id] = q.generate(np.random.default_rng(1), 20)
    return _TRIALS[q.id]


@settings(max_examples=150, deadline=None)
@given(qi=st.integers(0, len(ASSIGNMENT.questions) - 1),
       how=st.sampled_from(["scale", "nan", "inf", "huge", "tiny", "int", "slice", "offset", "float32"]),
       k=st.floats(-1e6, 1e6, allow_nan=False), where=st.integers(0, 10 ** 6))
def test_diagnosis_never_breaks_and_claims_only_what_holds(qi, how, k, where):
    """Whatever numbers come back (they are the student's), diagnose returns a Diagnosis with
    no warning escaping, and a constant-factor claim is true of the answer."""
    import warnings
    q = ASSIGNMENT.questions[qi]
    tr = _trials1(q)
    exp = np.asarray(tr.expected, dtype=np.float64)
    got = exp.copy()
    flat = got.reshape(len(got), -1)
    t, e = where % len(got), where % flat.shape[1]
    if how == "scale":
        got = got * k
    elif how == "nan":
        flat[t, e] = np.nan
    elif how == "inf":
        flat[t, e] = np.inf
    elif how == "huge":
        got = got * 1e300 + k
    elif how == "tiny":
        got = got * 1e-300
    elif how == "slice":
        flat[:, e] *= k
    elif how == "offset":
        got = got + k
    outs = [g for g in got]
    if how == "int" or q.exact:
        outs = [np.asarray(np.clip(np.nan_to_num(g), -1e9, 1e9)).astype(np.int64) for g in outs]
    elif how == "float32":
        outs = [g.astype(np.float32) for g in outs]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = diagnose(q, tr, outs)
    assert isinstance(d, Diagnosis)
    m = re.match(r"Every element is (\S+) times the right value", d.message)
    if m:
        from fractions import Fraction
        c = float(Fraction(m.group(1)))
        assert close_trials(q, np.stack([o.astype(np.float64) for o in outs]), c * exp).all()
    if compare(q, tr, outs).passed:
        assert d == Diagnosis()


def test_a_tiny_factor_is_not_called_zero(trials):
    """Regression (found by the property test): a factor of 1e-279 was printed as "0"."""
    q, tr = QID["1.2"], trials[1]["1.2"]
    exp = np.asarray(tr.expected)
    d = diagnose(q, tr, [e for e in exp * 2.8e-279])
    assert "2.8e-279 times" in d.message and "is 0 times" not in d.message


def test_diagnoses_in_threads_equal_the_sequential_ones(trials):
    """The grader scores submissions in several threads: the diagnosis caches are per thread."""
    from concurrent.futures import ThreadPoolExecutor
    jobs = []
    for name in ("max_assign_columns.py", "assign_reverse.py", "max_three_windows.py", "tanh_backward.py"):
        mod = _load(name)
        for qid in mod.EXPECT:
            q = QID[qid]
            for by_q in trials.values():
                tr = by_q[qid]
                jobs.append((q, tr, _outputs(getattr(mod, q.function), tr)))
    alone = [diagnose(*j) for j in jobs]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            assert list(pool.map(lambda j: diagnose(*j), jobs)) == alone


def test_an_element_set_from_one_trial_says_so(trials):
    """Wrong on one random trial only (no edge case, no feature explains it): the element set
    is stated for that trial, not as a rule."""
    q, tr = QID["2.1"], trials[1]["2.1"]
    outs = [np.array(e, dtype=np.float64) for e in tr.expected]
    outs[4][..., 1] *= 1.5
    d = diagnose(dataclasses.replace(q, mistakes=(), probes=()), tr, outs)
    assert d.message.startswith("Only 1 of 24 trials fail (random). In it: the wrong elements are exactly "
                                "the weights of o_2"), d.message


def test_a_public_random_case_is_not_called_an_edge_case():
    """The handout's cases are labelled "public case N: random": wrong on one of them is not
    "wrong only on the edge case 'public case 1: random'"."""
    from grader.course.handout import public_assignment, public_cases
    asg, trials = public_assignment(public_cases("hw4", 3))
    q = next(q for q in asg.questions if q.id == "2.1")
    t = trials[q.id]
    outs = [np.asarray(e, dtype=float) for e in t.expected]
    rand = [i for i, lab in enumerate(t.labels) if lab.endswith(": random")][0]
    outs[rand] = outs[rand] * 3
    msg = diagnose(q, t, outs).message
    assert "public case" not in msg or "random”" not in msg, msg
