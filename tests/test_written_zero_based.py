"""Written answers of a student who says their indices count from 0 (sealed set W10).

Such a student writes ``z_{p_i,p_j,k} = \\sum_{a=0}^{1} … y_{p_i+a,p_j+b,k}`` with p_i from 0 and
literal indices like ``∂E/∂y_{0,0,k}``, while keeping the handout's numbering elsewhere (the
channel k = 1, 2, 3).  Only where the student says so in words, an axis met at the index one below
its first is counted from 0 (and so are the asked quantity's indices that index it); without the
declaration the same answer is an error naming the index, as before.  A wrong answer stays wrong."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from grader.intake import notation
from grader.intake.notation import counts_from_zero
from tests.test_written import Q

DECLARED = "I index pixels and neurons from 0 like numpy; the channel k = 1,2,3 keeps the handout's numbering.\n\n"

ZERO = {  # hugo's answers (W10), 0-based spatial indices, 1-based channels and outputs
    "1.3": r"$$z_{p_i,p_j,k} = \sum_{a=0}^{1} \sum_{b=0}^{1} y_{p_i+a,p_j+b,k}$$",
    "1.4": r"$$o_m = \sigma\left(\sum_{k=1}^{3} \sum_{p_i=0}^{1} \sum_{p_j=0}^{1} z_{p_i,p_j,k} w_{p_i,p_j,k,o_m}\right)"
           r" \quad \text{for } m = 1, 2$$",
    "2.3": "\n".join(
        rf"$$\frac{{\partial E}}{{\partial y_{{{a},{b},k}}}}, \frac{{\partial E}}{{\partial y_{{{a},{b + 1},k}}}}, "
        rf"\frac{{\partial E}}{{\partial y_{{{a + 1},{b},k}}}}, \frac{{\partial E}}{{\partial y_{{{a + 1},{b + 1},k}}}}"
        rf" \mathrel{{+}}= \frac{{\partial E}}{{\partial z_{{{a},{b},k}}}}$$" for a in (0, 1) for b in (0, 1)),
    "2.4": r"$$\frac{\partial E}{\partial w_{f_i,f_j,k}} = \sum_{c_i=0}^{2} \sum_{c_j=0}^{2} "
           r"\frac{\partial E}{\partial y_{c_i,c_j,k}} y_{c_i,c_j,k} (1 - y_{c_i,c_j,k}) x_{c_i+f_i,c_j+f_j}$$",
}
WRONG = {  # the same student's slips: still wrong when read from 0
    "1.3": r"$$z_{p_i,p_j,k} = \sum_{a=0}^{1} \sum_{b=0}^{1} y_{p_i+a,p_j+a,k}$$",
    "2.4": r"$$\frac{\partial E}{\partial w_{f_i,f_j,k}} = \sum_{c_i=0}^{2} \sum_{c_j=0}^{2} "
           r"\frac{\partial E}{\partial y_{c_i,c_j,k}} y_{c_i,c_j,k} (1 - y_{c_i,c_j,k}) x_{c_i+f_i+1,c_j+f_j}$$",
    "2.3": ZERO["2.3"].replace(r"\partial z_{1,1,k}", r"\partial z_{1,0,k}"),
}


def _file(tmp_path, qid: str, body: str, preamble: str = DECLARED) -> str:
    path = tmp_path / "answers.md"
    path.write_text(preamble + f"## {qid}\n\n{body}\n", encoding="utf-8")
    return str(path)


def verdict_of_file(path: str, qid: str, seed: int = 0) -> str:
    """The verdict on ``qid`` through :func:`notation.answer`, as the sandbox runs it."""
    q = Q[qid]
    notation._READ.clear()
    trials = q.generate(np.random.default_rng(seed), 6)
    spec = {**q.spec, "questions": list(Q)}
    for t in range(len(trials)):
        args = dict(zip(q.params, trials.call_args(t)))
        try:
            got = np.asarray(notation.answer(qid, spec, path, args), dtype=float)
        except (notation.NotationError, notation.NoAnswer) as exc:
            return f"error: {exc}"
        if not np.allclose(got, trials.expected[t], rtol=1e-7, atol=1e-9):
            return "failed"
    return "passed"


@pytest.mark.parametrize("qid", sorted(ZERO))
def test_answers_counted_from_zero_pass_where_the_student_says_so(tmp_path, qid):
    assert verdict_of_file(_file(tmp_path, qid, ZERO[qid]), qid) == "passed"
    undeclared = verdict_of_file(_file(tmp_path, qid, ZERO[qid], preamble=""), qid)
    if qid == "1.3":  # (p_i free: right counted from 1 as well)
        assert undeclared == "passed"
    else:
        assert undeclared.startswith("error: ") and "does not exist" in undeclared, undeclared


@pytest.mark.parametrize("qid", sorted(WRONG))
def test_wrong_answers_counted_from_zero_stay_wrong(tmp_path, qid):
    assert verdict_of_file(_file(tmp_path, qid, WRONG[qid]), qid) != "passed"


def test_answers_counted_from_one_are_unchanged_by_the_declaration(tmp_path):
    one = r"$$z_{p_i,p_j,k} = \sum_{a=0}^{1} \sum_{b=0}^{1} y_{p_i+a,p_j+b,k}$$"  # (p_i from 1: also right)
    assert verdict_of_file(_file(tmp_path, "1.3", one), "1.3") == "passed"
    shifted = r"$$z_{p_i,p_j,k} = \sum_{a=1}^{2} \sum_{b=1}^{2} y_{p_i+a,p_j+b,k}$$"  # one too far: wrong
    assert verdict_of_file(_file(tmp_path, "1.3", shifted), "1.3") != "passed"


@pytest.mark.parametrize("text, declared", [
    ("I index pixels from 0 like numpy.", True),
    ("All indices start at 0.", True),
    ("Indices are 0-based here.", True),
    ("I use zero-indexed arrays.", True),
    ("Note: I count rows and columns from $0$.", True),
    ("Indices count from 1, not from 0.", False),
    ("I index from 1 (not 0-based like numpy).", False),
    ("Indices start at 1 as in the handout.", False),
    ("The bias starts at 0.5 here.", False),
    ("The sum runs from 0 to 1 over a.", False),
    ("I number the windows from 1 rather than from 0.", False),
    # attack round aside12: words about 0 that are not the student's own convention
    ("Note: numpy counts from 0; I count from 1.", False),
    ('My TA said "index from 0" but I did not: all indices here count from 1.', False),
    ("Python lists start at 0, but my indices start at 1 as in the handout.", False),
    ("Unlike numpy, which as everybody knows is 0-based, my indices are 1-based.", False),
    ('I was told "indices start at 0" in the lab.', False),
])
def test_the_declaration_is_read_from_the_words(text, declared):
    assert counts_from_zero(text) is declared


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_the_declaration_scan_reads_any_text(text):
    assert counts_from_zero(text) in (True, False)


def test_the_declaration_scan_is_bounded():
    assert counts_from_zero("index " + "x" * 10**6 + " from 0") is False  # (past 20,000 characters)
