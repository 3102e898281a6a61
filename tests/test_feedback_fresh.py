"""Feedback on mistakes written after the catalogue and the probes (tests/mistakes_fresh/), graded
end to end (the sandbox, the dependence probe), and the dependence probe itself
(grader.feedback.dependence): an argument the answer ignores, a function that is not a
function of its arguments, and never a word about a right or a merely wrong answer."""
from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np

import pytest

from grader import api
from grader.api import Options, check
from grader.assignment import load_assignment, trial_groups
from grader.feedback import dependence
from grader.feedback.diagnose import diagnose

FRESH = Path(__file__).resolve().parent / "mistakes_fresh"
FILES = sorted(p for p in FRESH.glob("*.py") if p.name != "measure.py")


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"fresh_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# Written after the findings they are measured by, and not named yet: kept as a measure (strict:
# the day one is named, its mark must go).
NOT_NAMED_YET: dict[str, str] = {}


@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=NOT_NAMED_YET[p.stem]))
                                  if p.stem in NOT_NAMED_YET else p for p in FILES], ids=[p.stem for p in FILES])
def test_fresh_mistake_is_named(path):
    mod = _load(path)
    res = check(path, Options(), mod.ASSIGNMENT, student=getattr(mod, "STUDENT", "fresh"))
    for q in res.questions:
        if q.id not in mod.EXPECT:
            continue
        said = " ".join([q.message, *q.notes, *q.misconceptions]).lower()
        assert q.status == getattr(mod, "STATUS", "failed") and q.score == 0, (q.id, q.status)
        for word in mod.EXPECT[q.id]:
            assert word.lower() in said, (q.id, word, said[:600])


def test_the_probe_changes_no_verdict(monkeypatch):
    """The dependence probe writes words only: scores and statuses are those of a grading without it."""
    path = FRESH / "global_image.py"
    with_probe = check(path, Options(), "hw4", student="fresh")
    monkeypatch.setattr(api, "_probe_dependence", lambda *a, **k: None)
    without = check(path, Options(), "hw4", student="fresh")
    assert [(q.id, q.status, q.score, q.trials) for q in with_probe.questions] == \
        [(q.id, q.status, q.score, q.trials) for q in without.questions]
    assert with_probe.score == without.score
    q12 = next(q for q in with_probe.questions if q.id == "1.2")
    assert "does not change when x changes" in q12.message
    assert "does not change" not in next(q for q in without.questions if q.id == "1.2").message


# ----------------------------------------------------------------------------- the probe, unit

def _setup(asg_name, qid, seed=0):
    asg = load_assignment(asg_name)
    q = next(q for q in asg.questions if q.id == qid)
    trials = trial_groups(q.generate(np.random.default_rng(seed), asg.n_random))[0]
    p = dependence.plan(trials)
    assert p is not None
    return q, trials, p


def _answers(p, f) -> list[np.ndarray]:
    """What a student function ``f`` (batched over the probe's calls) returns, one array per call."""
    out = np.asarray(f(p.args), dtype=np.float64)
    return [out[i] for i in range(p.n)]


def _frozen(p, name):
    """The plan's calls with ``name`` always the first base's (a function that ignores it)."""
    args = dict(p.args)
    args[name] = np.broadcast_to(p.args[name][:1], p.args[name].shape).copy()
    return args


@pytest.mark.parametrize("asg,qid,arg", [("hw4", "1.2", "x"), ("hw4", "1.4", "v"), ("hw4", "2.1", "target"),
                                         ("mlp", "1.2", "b2"), ("mlp", "2.4", "Z")])
def test_an_ignored_argument_is_named(asg, qid, arg):
    q, trials, p = _setup(asg, qid)
    outs = _answers(p, lambda a: trials.reference(_frozen(p, arg)))
    note, lead = dependence.finding(q, trials, p, outs)
    assert f"does not change when {arg} changes" in note and lead
    assert "module-level" in note


@pytest.mark.parametrize("asg,qid", [("hw4", "1.2"), ("hw4", "2.2"), ("mlp", "1.1"), ("mlp", "2.5")])
def test_a_right_or_merely_wrong_function_gets_no_dependence_note(asg, qid):
    q, trials, p = _setup(asg, qid)
    assert dependence.finding(q, trials, p, _answers(p, trials.reference)) == ("", False)
    wrong = _answers(p, lambda a: 2.0 * np.asarray(trials.reference(a)) + 1.0)  # wrong, but uses every argument
    assert dependence.finding(q, trials, p, wrong) == ("", False)


def test_different_answers_to_the_same_call_are_said():
    q, trials, p = _setup("hw4", "1.3")
    outs = _answers(p, trials.reference)
    k = len(p.bases)
    outs[k] = outs[k] + 0.5  # the second call of the first base: a counter, a random draw
    note, lead = dependence.finding(q, trials, p, outs)
    assert note.startswith("Called twice with the same inputs") and lead


def test_a_constant_answer_follows_the_value_findings():
    """Every argument ignored: true, but what the values show (a dtype, a zero) explains more."""
    q, trials, p = _setup("mlp", "2.1")
    outs = [np.zeros(np.shape(trials.expected)[1:]) for _ in range(p.n)]
    note, lead = dependence.finding(q, trials, p, outs)
    assert "does not change when P or y changes" in note and not lead


def test_probe_answers_of_another_shape_or_kind_say_nothing():
    q, trials, p = _setup("hw4", "1.4")
    outs = _answers(p, lambda a: trials.reference(_frozen(p, "v")))
    assert dependence.finding(q, trials, p, outs[:-1]) == ("", False)
    assert dependence.finding(q, trials, p, outs[:-1] + [np.zeros(5)]) == ("", False)
    assert dependence.finding(q, trials, p, outs[:-1] + [np.array(["a", "b"])]) == ("", False)


def test_the_probe_uses_valid_inputs_only():
    """Each probe call's arguments are rows of the graded trials (another trial's, one at a time)."""
    q, trials, p = _setup("mlp", "1.4")
    for name, arr in p.args.items():
        rows = {r.tobytes() for r in trials.args[name]}
        assert all(r.tobytes() in rows for r in arr), name
    assert p.n == len(p.bases) * (2 + len(p.names)) <= dependence.BASES * (2 + len(trials.args))


# ----------------------------------------------------------------------------- generic findings

def _bare(asg_name, qid):
    q = next(q for q in load_assignment(asg_name).questions if q.id == qid)
    return dataclasses.replace(q, mistakes=(), groups={}, probes=())


def test_normalised_along_the_wrong_axis():
    q = _bare("mlp", "1.3")
    tr = trial_groups(q.generate(np.random.default_rng(3), 20))[0]
    S = tr.args["S"]
    e = np.exp(S - S.max(axis=1, keepdims=True))
    got = e / e.sum(axis=1, keepdims=True)  # over the samples, per trial
    d = diagnose(q, tr, [g for g in got])
    assert "sum to 1 along axis 0" in d.message and "along axis 1" in d.message


def test_an_argument_with_one_index_stuck():
    q = _bare("hw4", "2.2")
    tr = trial_groups(q.generate(np.random.default_rng(2), 20))[0]
    v = tr.args["v"].copy()
    v[..., 1] = v[..., 0]
    got = tr.reference({**tr.args, "v": v})
    d = diagnose(q, tr, [g for g in got])
    assert "index stuck at 0" in d.message


def test_upsampled_and_cropped_argument():
    q = _bare("hw4", "2.3")
    tr = trial_groups(q.generate(np.random.default_rng(4), 20))[0]
    dz = tr.args["dE_dz"]
    got = np.repeat(np.repeat(dz, 2, axis=1), 2, axis=2)[:, :3, :3, :]
    d = diagnose(q, tr, [g for g in got])
    assert "np.kron" in d.message and "dE_dz" in d.message


def test_a_smaller_answer_names_every_explanation_it_fits():
    """Stride 2 and a bound without +1 give the same 1x1 pooled answer: both are said."""
    q = _bare("hw4", "1.3")
    tr = trial_groups(q.generate(np.random.default_rng(5), 20))[0]
    got = np.asarray(tr.expected)[:, :1, :1, :]
    d = diagnose(q, tr, [g for g in got])
    assert "every 2nd element" in d.message and "a missing +1" in d.message and "or" in d.message


def test_summed_over_one_axis_too_many():
    q = _bare("hw4", "2.4")
    tr = trial_groups(q.generate(np.random.default_rng(6), 20))[0]
    e = np.asarray(tr.expected)
    got = np.broadcast_to(e.sum(axis=3, keepdims=True), e.shape)
    d = diagnose(q, tr, [g.copy() for g in got])
    assert "holds the sum of the right values along that axis" in d.message and "axis 2" in d.message


def test_the_same_answer_in_every_trial():
    q = _bare("hw4", "1.3")
    tr = trial_groups(q.generate(np.random.default_rng(7), 20))[0]
    first = np.asarray(tr.expected)[0]
    d = diagnose(q, tr, [first.copy() for _ in range(len(tr))])
    assert "same numbers in all" in d.message and "right answer of trial 1" in d.message


def test_a_repeated_output_names_the_misread_input_beside_it():
    """o_2 = o_1 is also what o_1's weights used for both outputs give: both are said."""
    q = _full_q("hw4", "1.4")
    tr = trial_groups(q.generate(np.random.default_rng(8), 20))[0]
    v = tr.args["v"].copy()
    v[..., 1] = v[..., 0]
    got = tr.reference({**tr.args, "v": v})
    d = diagnose(q, tr, [g for g in got])
    assert "where o_2 should be, you return o_1" in d.message and "or, the same numbers" in d.message
    assert "index stuck at 0" in d.message


def _full_q(asg_name, qid):
    return next(q for q in load_assignment(asg_name).questions if q.id == qid)


def test_a_log_in_another_base_is_named():
    q = _bare("mlp", "1.4")
    tr = trial_groups(q.generate(np.random.default_rng(9), 20))[0]
    got = np.asarray(tr.expected) / np.log(10)
    d = diagnose(q, tr, [np.asarray(g) for g in got])
    assert "1/ln 10" in d.message and "np.log10" in d.message


def test_an_element_wise_factor_from_an_argument():
    q = _bare("hw4", "2.5")
    tr = trial_groups(q.generate(np.random.default_rng(10), 20))[0]
    got = np.asarray(tr.expected) * tr.args["y"]
    d = diagnose(q, tr, [g for g in got])
    assert "multiplied element by element by y" in d.message


def test_an_argument_collapsed_to_its_sum():
    q = _bare("mlp", "1.2")
    tr = trial_groups(q.generate(np.random.default_rng(11), 20))[0]
    b2 = np.broadcast_to(tr.args["b2"].sum(axis=1, keepdims=True), tr.args["b2"].shape).copy()
    got = tr.reference({**tr.args, "b2": b2})
    d = diagnose(q, tr, [g for g in got])
    assert "b2 is replaced by the sum of its entries" in d.message


def test_every_misreading_that_fits_is_said():
    """A (T, 2) argument swapped along its axis is also that axis reversed: both are said."""
    q = _bare("hw4", "2.1")
    tr = trial_groups(q.generate(np.random.default_rng(12), 20))[0]
    got = tr.reference({**tr.args, "target": tr.args["target"][:, ::-1].copy()})
    d = diagnose(q, tr, [g for g in got])
    assert "target is" in d.message


def _q22_parts(seed):
    q = _full_q("hw4", "2.2")
    tr = trial_groups(q.generate(np.random.default_rng(seed), 20))[0]
    o, t, v = tr.args["o"], tr.args["target"], tr.args["v"]
    d = [((o[:, m] - t[:, m]) * o[:, m] * (1 - o[:, m]))[:, None, None, None] for m in range(2)]
    return q, tr, o, t, v, d


def test_one_branch_with_one_factor_removed():
    """2.2: o_1's term right, o_2's without the sigmoid's derivative: the part is named."""
    q, tr, o, t, v, d = _q22_parts(13)
    got = d[0] * v[..., 0] + (o[:, 1] - t[:, 1])[:, None, None, None] * v[..., 1]
    msg = diagnose(q, tr, [g for g in got]).message
    assert msg.startswith("Only the o_2 term is off") and "derivative of the output sigmoid is missing" in msg
    assert "the o_1 term is right" in msg


def test_an_error_term_added_to_every_element():
    q, tr, o, t, v, d = _q22_parts(14)
    got = d[0] * v[..., 0] + d[1] * v[..., 1] + (o[:, 0] - t[:, 0])[:, None, None, None]
    msg = diagnose(q, tr, [g for g in got]).message
    assert "plus one number that is the same for all elements of a trial" in msg and "(o_1 − y_1)" in msg


@pytest.mark.parametrize("asg,qid,arg,f,words", [
    ("mlp", "1.3", "S", lambda x: x / 2, "S is replaced by 1/2 times itself"),
    ("mlp", "2.5", "dZ", np.abs, "dZ is replaced by its absolute value"),
    ("mlp", "2.2", "H", lambda x: (x > 0).astype(float), "H is replaced by its indicator"),
])
def test_an_argument_mapped_element_wise(asg, qid, arg, f, words):
    q = _bare(asg, qid)
    tr = trial_groups(q.generate(np.random.default_rng(15), 20))[0]
    got = tr.reference({**tr.args, arg: f(tr.args[arg])})
    d = diagnose(q, tr, [g for g in got])
    assert words in d.message


def test_a_repeated_row_names_the_missing_terms_beside_it():
    """2.3: row 2 equal to row 3 is also what leaving out the windows above gives: both said."""
    q = _full_q("hw4", "2.3")
    tr = trial_groups(q.generate(np.random.default_rng(16), 20))[0]
    dz = tr.args["dE_dz"]
    got = np.zeros((len(tr), 3, 3, 3))
    for i in range(3):
        for j in range(3):
            for pj in (j - 1, j):
                if 0 <= pj < 2:
                    got[:, i, j] += dz[:, min(i, 1), pj]
    d = diagnose(q, tr, [g for g in got])
    assert "some of them repeated" in d.message and "or, the same numbers" in d.message and "term)" in d.message


@pytest.mark.parametrize("qid,shift,scale,words", [("1.2", 0.1, 1.0, "plus a constant 1/10"),
                                                  ("1.4", 0.0, 3.0, "3 times the weighted sums")])
def test_a_constant_inside_the_activation(qid, shift, scale, words):
    from reference.hw4 import model as m4
    q = _full_q("hw4", qid)
    tr = trial_groups(q.generate(np.random.default_rng(17), 20))[0]
    pre = m4.conv_preactivation(tr.args["x"], tr.args["w"]) if qid == "1.2" else \
        np.einsum("tijk,tijkm->tm", tr.args["z"], tr.args["v"])
    got = 1 / (1 + np.exp(-(pre * scale + shift)))
    d = diagnose(q, tr, [g for g in got])
    assert words in d.message, d.message


def test_controls_pass_without_a_word():
    """Files in tests/mistakes_fresh with no EXPECT are right answers written another way."""
    for path in FILES:
        mod = _load(path)
        if mod.EXPECT:
            continue
        res = check(path, Options(), mod.ASSIGNMENT, student=getattr(mod, "STUDENT", "fresh"))
        for q in res.questions:
            assert q.status in ("passed", "missing"), (path.name, q.id, q.message)
            assert not q.notes and not q.misconceptions, (path.name, q.id, q.notes)


def test_two_families_explaining_the_same_numbers_are_said_together():
    """2.4 with x read transposed is also the expression with x_{j,i}: both are said, neither asserted."""
    q = _full_q("hw4", "2.4")
    tr = trial_groups(q.generate(np.random.default_rng(18), 20))[0]
    got = tr.reference({**tr.args, "x": np.swapaxes(tr.args["x"], 1, 2).copy()})
    d = diagnose(q, tr, [g for g in got])
    assert "x is read transposed" in d.message and "or, the same numbers: yours behaves like" in d.message


def test_entries_never_written_on_a_stride_two_lattice():
    q = _full_q("hw4", "1.2")
    tr = trial_groups(q.generate(np.random.default_rng(19), 20))[0]
    got = np.zeros_like(np.asarray(tr.expected))
    got[:, ::2, ::2] = np.asarray(tr.expected)[:, ::2, ::2]
    d = diagnose(q, tr, [g for g in got])
    assert "every 2nd index along axis 0, 1" in d.message and "steps by 2" in d.message


def test_fractional_numbers_for_labels():
    q = _full_q("mlp", "1.5")
    tr = trial_groups(q.generate(np.random.default_rng(20), 20))[0]
    got = [np.full(np.shape(e), 0.75) for e in tr.expected]
    d = diagnose(q, tr, got)
    assert d.message.startswith("You return fractional numbers (such as 0.75)")


def test_a_factor_on_the_finite_trials_when_others_overflow():
    q = _bare("mlp", "1.3")
    tr = trial_groups(q.generate(np.random.default_rng(21), 20))[0]
    got = np.asarray(tr.expected) / 4
    got[0] = np.nan
    d = diagnose(q, tr, [g for g in got])
    assert "1/4 times the right value" in d.message and "where your answer is finite" in d.message


def test_an_unchanged_answer_asserts_no_cause():
    """``dS[:, y] -= 1`` uses y, but only which labels occur: a probe that swaps y for another
    trial's (the same classes present) sees no change.  The note says what was seen and the
    possible causes together, never 'your function does not use y'."""
    q, trials, p = _setup("mlp", "2.1")
    outs = _answers(p, lambda a: trials.reference(_frozen(p, "y")))
    note, lead = dependence.finding(q, trials, p, outs)
    assert "does not change when y changes" in note and lead
    assert "does not use" not in note and "may ignore" in note and "did not change here" in note


def test_an_answer_constant_in_every_argument_names_no_argument_as_ignored():
    q, trials, p = _setup("hw4", "2.2")
    outs = [np.zeros(np.shape(trials.expected)[1:]) for _ in range(p.n)]
    note, lead = dependence.finding(q, trials, p, outs)
    assert "same answer whatever its inputs" in note and "always 0" in note and not lead
    assert "ignores" not in note


@pytest.mark.parametrize("asg,qid,arg,axis,first", [("mlp", "2.5", "X", 0, True), ("hw4", "1.4", "z", 2, False),
                                                    ("mlp", "2.2", "dS", 0, False)])
def test_an_entry_left_out_of_a_loop_is_named(asg, qid, arg, axis, first):
    """range(1, N) over the samples, a channel loop one short: the right computation without
    that entry of the argument reproduces the answer."""
    q = _full_q(asg, qid)
    tr = trial_groups(q.generate(np.random.default_rng(23), 20))[0]
    a = tr.args[arg].astype(float).copy()
    index = [slice(None)] * a.ndim
    index[axis + 1] = 0 if first else -1
    a[tuple(index)] = 0.0
    got = tr.reference({**tr.args, arg: a})
    d = diagnose(q, tr, [g for g in got])
    assert f"{arg} is read without its {'first' if first else 'last'} entry along axis {axis}" in d.message, d.message
    assert ("starts at 1" if first else "stops one short") in d.message


@pytest.mark.parametrize("words,f", [("the sigmoid σ", lambda e: 1 / (1 + np.exp(-e))), ("tanh", np.tanh)])
def test_an_activation_on_the_answer_is_named(words, f):
    """A sigmoid applied after sum pooling (a layer that has none)."""
    q = _full_q("hw4", "1.3")
    tr = trial_groups(q.generate(np.random.default_rng(24), 20))[0]
    d = diagnose(q, tr, [g for g in f(np.asarray(tr.expected))])
    assert f"exactly {words} of the right one" in d.message, d.message


def test_an_answer_of_another_shape_gets_no_dependence_note():
    """np.argmax without axis= gives one number for the batch; that it does not follow b2 is
    true and beside the point: the shape is said, not 'does not change when b2 changes'."""
    q, trials, p = _setup("mlp", "1.5")
    outs = [np.asarray(np.argmax(o)) for o in _answers(p, trials.reference)]
    assert dependence.finding(q, trials, p, outs) == ("", False)


def test_an_all_zero_answer_names_what_makes_a_factor_zero():
    q = _full_q("hw4", "2.2")
    tr = trial_groups(q.generate(np.random.default_rng(25), 20))[0]
    d = diagnose(q, tr, [np.zeros_like(g) for g in np.asarray(tr.expected)])
    assert "zero everywhere" in d.message and "integer array" in d.message and "1 // 2" in d.message


def test_one_number_for_an_array_names_a_reduction_without_axis():
    q = _full_q("mlp", "1.5")
    tr = trial_groups(q.generate(np.random.default_rng(26), 20))[0]
    d = diagnose(q, tr, [np.asarray(int(np.argmax(g))) for g in np.asarray(tr.expected)])
    assert "returns one number" in d.message and "without axis=" in d.message


def test_rows_that_should_sum_to_one_are_said_even_with_overflowing_trials():
    """Only the numerator shifted by the max: rows are not normalised, and large logits overflow."""
    q = _full_q("mlp", "1.3")
    tr = trial_groups(q.generate(np.random.default_rng(27), 20))[0]
    S = tr.args["S"]
    with np.errstate(all="ignore"):
        got = np.exp(S - S.max(axis=-1, keepdims=True)) / np.exp(S).sum(axis=-1, keepdims=True)
    d = diagnose(q, tr, [g for g in got])
    assert "sum to 1, as probabilities do" in d.message or "one side of a fraction only" in d.message, d.message


def test_a_two_dimensional_loop_one_short_on_both_bounds_is_named():
    """The filter gradient summed over the first 2 × 2 of the 3 × 3 positions only."""
    q = _full_q("hw4", "2.4")
    tr = trial_groups(q.generate(np.random.default_rng(28), 20))[0]
    dy = tr.args["dE_dy"].astype(float).copy()
    dy[:, -1, :, :] = 0.0
    dy[:, :, -1, :] = 0.0
    got = tr.reference({**tr.args, "dE_dy": dy})
    d = diagnose(q, tr, [g for g in got])
    assert "without its last entry along axes 0 and 1" in d.message, d.message


@pytest.mark.parametrize("words,f", [("a leaky ReLU, max(0.01·, ·)", lambda a: np.where(a > 0, a, 0.01 * a)),
                                     ("softplus", lambda a: np.logaddexp(0.0, a)), ("tanh", np.tanh)])
def test_the_second_assignments_hidden_activation_is_named(words, f):
    """mlp's hidden layer has activation data of its own: a leaky ReLU was 'N of M elements wrong'."""
    q = _full_q("mlp", "1.1")
    tr = trial_groups(q.generate(np.random.default_rng(29), 20))[0]
    pre = np.einsum("tnd,tdm->tnm", tr.args["X"], tr.args["W1"]) + tr.args["b1"][:, None, :]
    d = diagnose(q, tr, [g for g in f(pre)])
    assert f"Your H is {words}" in d.message, d.message


def test_right_on_one_side_of_zero_of_an_argument_is_said():
    """np.sign(Z) as the ReLU's derivative: right where Z > 0, wrong wherever Z < 0."""
    q = _full_q("mlp", "2.4")
    tr = trial_groups(q.generate(np.random.default_rng(30), 20))[0]
    a = tr.args
    upstream = np.einsum("tnk,tmk->tnm", a["dS"], a["W2"])
    d = diagnose(q, tr, [g for g in upstream * np.sign(a["Z"])])
    assert "times sign(Z)" in d.message, d.message  # (what the mask is instead: said since F12)
    d = diagnose(q, tr, [g for g in upstream * np.where(a["Z"] > 0, 1.0, 0.3 * np.cos(a["Z"]))])
    assert "right exactly where Z > 0 and wrong wherever Z < 0" in d.message, d.message


def test_a_right_answer_that_changes_its_argument_gets_no_note(tmp_path):
    # changing an argument is said only for a wrong answer (a right one used it before changing it)
    f = tmp_path / "tidy.py"
    f.write_text("import numpy as np\n"
                 "def grad_pool_output(v, o, target):\n"
                 "    d = (o - target) * o * (1 - o)\n"
                 "    out = np.asarray(v, float) @ d\n"
                 "    o[...] = 0\n"
                 "    return out\n")
    q = {r.id: r for r in check(f, Options(), "hw4", student="tidy").questions}["2.2"]
    assert q.status == "passed" and not q.notes and "in place" not in q.message


def test_an_error_of_the_inputs_themselves_asserts_no_state(tmp_path):
    # raises for one number of classes whatever came before: the fresh call raises too
    later = 0
    for k in (2, 3, 4, 5):
        f = tmp_path / f"some_k{k}.py"
        f.write_text("import numpy as np\n"
                     "def grad_logits(P, y):\n"
                     "    n, kk = P.shape\n"
                     f"    if kk == {k}:\n"
                     "        raise ValueError('not this size')\n"
                     "    return (P - np.eye(kk)[y]) / n\n")
        q = {r.id: r for r in check(f, Options(), "mlp", student="somek").questions}["2.1"]
        if q.status == "error":
            later += "on trial 1 " not in q.message
            assert "fresh start" not in q.message and not any("fresh start" in n for n in q.notes)
    assert later  # (some k raises only after other shapes answered)
