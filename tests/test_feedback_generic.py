"""Generic findings that need no catalogue (grader.feedback): an integer answer's dtype,
half-precision work, right numbers reshaped after another axis order, indices shifted by one
(1-based formulas on 0-based arrays), and an input reshaped, shifted or put through an
activation -- on Homework 4 and on the mlp assignment (other shapes, no probe data)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from grader.assignment import trial_groups
from grader.feedback.diagnose import diagnose
from reference.hw4 import ASSIGNMENT as HW4
from reference.hw4 import model as m4
from reference.mlp import ASSIGNMENT as MLP


def _bare(asg, qid):
    q = next(q for q in asg.questions if q.id == qid)
    return dataclasses.replace(q, mistakes=(), groups={}, probes=())


def _full(asg, qid):
    return next(q for q in asg.questions if q.id == qid)


def _trials(asg, qid, seed=0):
    """The question's trials (its first shape group, for a question graded on several)."""
    return trial_groups(_full(asg, qid).generate(np.random.default_rng(seed), 20))[0]


def _batch(arr):
    return [np.asarray(a) for a in arr]


def _exp(tr):
    return np.asarray(tr.expected, dtype=np.float64)


def test_whole_numbers_rounded_down_name_floor_division():
    """total // N on a float loss: the floor of the right value, said as // (F15's miss: the
    message named only an integer array)."""
    tr = _trials(MLP, "1.4")
    d = diagnose(_full(MLP, "1.4"), tr, _batch(np.floor(_exp(tr))))
    assert "rounded down" in d.message and "(//)" in d.message, d.message
    tr = _trials(MLP, "1.2")
    e = _exp(tr)
    assert np.any(np.floor(e) != np.trunc(e)) and np.any(np.round(e) != np.trunc(e))  # (told apart)
    d = diagnose(_full(MLP, "1.2"), tr, _batch(np.trunc(e).astype(np.int64)))
    assert "cut toward 0" in d.message and "integer array" in d.message and "//" not in d.message, d.message


@pytest.mark.parametrize("asg,qid", [(HW4, "2.4"), (HW4, "2.5"), (MLP, "2.5")])
def test_integer_answer_names_its_dtype(asg, qid):
    tr = _trials(asg, qid)
    d = diagnose(_full(asg, qid), tr, _batch(np.trunc(_exp(tr)).astype(np.int64)))
    assert "integer array (int64)" in d.message and "truncated" in d.message and not d.misconceptions


@pytest.mark.parametrize("asg,qid", [(HW4, "1.2"), (HW4, "2.2"), (MLP, "1.1"), (MLP, "1.3")])
def test_float16_answer_is_a_precision_problem(asg, qid):
    tr = _trials(asg, qid)
    low = {k: v.astype(np.float16) if v.dtype.kind == "f" else v for k, v in tr.args.items()}
    got = np.asarray(tr.reference(low)).astype(np.float16)
    d = diagnose(_full(asg, qid), tr, _batch(got))
    assert "half-precision (float16)" in d.message and "not a logic error" in d.message


def test_small_error_in_float64_is_said_as_a_size_not_a_cause():
    tr = _trials(HW4, "1.4")
    got = _exp(tr) * (1 + 5e-4 * np.random.default_rng(1).choice([-1, 1], _exp(tr).shape))
    d = diagnose(_bare(HW4, "1.4"), tr, _batch(got))
    assert "3 significant digits" in d.message and "Look for float16" in d.message


@pytest.mark.parametrize("asg,qid,perm", [(HW4, "2.4", (2, 0, 1)), (HW4, "2.1", (3, 0, 1, 2)), (MLP, "2.2", (1, 0))])
def test_reshaped_after_another_axis_order(asg, qid, perm):
    tr = _trials(asg, qid)
    e = _exp(tr)
    got = e.transpose(0, *(p + 1 for p in perm)).reshape(e.shape)
    d = diagnose(_bare(asg, qid), tr, _batch(got))
    assert "another arrangement" in d.message and f"axes in the order {perm}" in d.message
    assert "you return the value of" in d.message


@pytest.mark.parametrize("qid", ["2.3", "1.2"])
def test_answer_shifted_by_one_index(qid):
    tr = _trials(HW4, qid)
    d = diagnose(_bare(HW4, qid), tr, _batch(np.roll(_exp(tr), -1, axis=(1, 2))))
    assert "shifted by one" in d.message and "1-based" in d.message


def test_input_shifted_by_one_index():
    tr = _trials(HW4, "1.2")
    x = np.roll(tr.args["x"], 1, axis=(1, 2))
    d = diagnose(_bare(HW4, "1.2"), tr, _batch(m4.conv_forward(x, tr.args["w"])))
    assert "x is read with every index along axes 0, 1 shifted by one" in d.message


def test_input_reshaped_as_another_layout():
    tr = _trials(HW4, "1.4")
    v = tr.args["v"]
    relaid = v.reshape(len(v), 2, 2, 2, 3).transpose(0, 2, 3, 4, 1)  # v.reshape(2, -1) read as (m, ijk)
    d = diagnose(_bare(HW4, "1.4"), tr, _batch(m4.fc_forward(tr.args["z"], relaid)))
    assert "v is read as if its numbers were laid out as shape (2, 2, 2, 3)" in d.message


def test_activation_applied_to_an_input():
    tr = _trials(HW4, "2.1")
    sig = 1 / (1 + np.exp(-tr.args["z"]))
    d = diagnose(_bare(HW4, "2.1"), tr, _batch(m4.grad_fc_weights(sig, tr.args["o"], tr.args["target"])))
    assert "z is replaced by the sigmoid" in d.message and "check what you apply to z" in d.message
    trm = _trials(MLP, "2.2")
    relu_h = np.maximum(trm.args["H"], 0)  # H is already >= 0: no ReLU finding on it
    assert np.array_equal(relu_h, trm.args["H"])


def test_mlp_input_shifted_by_one():
    tr = _trials(MLP, "2.2")
    H = np.roll(tr.args["H"], 1, axis=1)
    d = diagnose(_bare(MLP, "2.2"), tr, _batch(tr.reference({"H": H, "dS": tr.args["dS"]})))
    assert "H is read with every index along axes 1 shifted by one" in d.message or \
        "H is read with every index along axes" in d.message


def test_two_explanations_of_one_answer_are_both_said():
    """A catalogued mistake and a misread input giving the same numbers: both, neither asserted."""
    q = _full(MLP, "2.4")
    tr = _trials(MLP, "2.4")
    m = next(m for m in q.mistakes if m.id == "no_relu_derivative")
    d = diagnose(q, tr, _batch(m.compute(tr.args)))
    assert d.message.startswith("Your numbers are exactly what a known mistake gives")
    # (σ(Z) > 0 always: "Z read as σ(Z)" erases Z, a cause the code does not contain; what the
    # answer is, with Z's values never used, is said instead)
    assert "ReLU" in d.message and " \u2014 or: " in d.message and "every entry of Z set to 1" in d.message
    assert "sigmoid \u03c3" not in d.message
    # two catalogue entries with the same numbers: both named, joined by "or"
    twin = dataclasses.replace(m, id="twin", name="A second explanation")
    d = diagnose(dataclasses.replace(q, mistakes=(m, twin)), tr, _batch(m.compute(tr.args)))
    assert set(d.misconceptions) == {"no_relu_derivative", "twin"}
    assert "ReLU" in d.message and " \u2014 or a second explanation" in d.message


@pytest.mark.parametrize("asg,qid,mid", [(HW4, "2.1", "no_sigmoid_derivative")])
def test_one_outputs_part_wrong_names_the_part_and_the_mistake(asg, qid, mid):
    """o_1's part right, o_2's part exactly a catalogued mistake made there only."""
    q, tr = _full(asg, qid), _trials(asg, qid)
    m = next(m for m in q.mistakes if m.id == mid)
    got = _exp(tr).copy()
    got[..., 1] = np.asarray(m.compute(tr.args))[..., 1]
    d = diagnose(q, tr, _batch(got))
    assert "o_1} is right on every trial" in d.message and "o_2} is exactly what a known mistake gives" in d.message
    assert m.name[1:] in d.message and not d.misconceptions
