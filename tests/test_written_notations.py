"""Written answers as students write them after reading the handout (issue #25): one example per
category of notation, the tolerance floor for every student id, and property tests of the reader."""
from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from grader.intake.notation import Answer, NotationError, normalize, sections
from tests.test_written import ASG, Q, verdict

ACCEPTED = [
    ("1.1", r"$c_w=c_h=3$ and $p_w=p_h=2$"),  # chains define every member
    ("1.1", "- c_w = 3\n- c_h = 3\n- p_w = 2\n- p_h = 2"),  # Markdown bullets stay apart
    ("1.1", r"$(4-2)/1+1 = 3$, so $c_w = 3$ and $c_h = 3$; $p_w = p_h = (3-2)/1 + 1 = 2$"),  # arithmetic in prose
    ("1.1", r"$$c_w = \frac{4-2}{1} + 1 = 3,\quad c_h = 3,\qquad p_w = 2,\ p_h = 2$$"),  # several on a line
    ("1.2", r"$$y_{c_i,c_j,k} = \sigma\left(\sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}\right) "
            r"\quad \forall\, c_i, c_j \in \{1,2,3\}$$"),  # own index names, \forall, \in, spacing
    ("1.2", r"Let $s_{c_i,c_j,k} = \sum_{u=0}^{1}\sum_{v=0}^{1} x_{c_i+u,c_j+v} w_{u+1,v+1,k}$. Then "
            r"$y_{c_i,c_j,k} = \sigma(s_{c_i,c_j,k})$"),  # Let, a symbol of one's own
    ("1.3", "z[pi,pj,k] = Σ_{a=0}^{1} Σ_{b=0}^{1} y[pi+a, pj+b, k]"),  # Greek capital sigma
    ("1.3", r"z_{p_i,p_j,k} = y_{p_i,p_j,k} + y_{p_i,p_j+1,k} + y_{p_i+1,p_j,k} + y_{p_i+1,p_j+1,k}  (p_i, p_j ∈ {1,2})"),
    ("1.4", r"$$o_m = \sigma\Big(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} w^{(2)}_{p_i,p_j,k,o_m} z_{p_i,p_j,k}\Big)"
            r" \text{ for all } m$$"),  # layer label, \text{for all}
    ("1.4", r"$$o_m = \sigma\left(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,o_m}\right),"
            r" \quad m = 1, 2$$"),  # for m = 1, 2 after the formula
    ("1.4", "For $m = 1, 2$:\n$$o_m = \\sigma(\\sum_{k=1}^{3}\\sum_{p_i=1}^{2}\\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,o_m})$$"),
    ("1.4", r"In vectors, $\mathbf{o} = \sigma(\mathbf{W}^\top \mathbf{z})$; element-wise "
            r"$$o_m = \sigma(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} z_{p_i,p_j,k} w_{p_i,p_j,k,o_m})$$"),
    ("2.1", r"Let $\delta_m = (o_m - y_m) o_m (1 - o_m)$. Then $$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = \delta_m z_{p_i,p_j,k}$$"),
    ("2.1", "∂E/∂w_{p_i,p_j,k,o_m} = (o_m − y_m) σ′(net_m) z_{p_i,p_j,k} = (o_m − y_m) o_m (1 − o_m) z_{p_i,p_j,k}"),
    ("2.1", r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = (o_m^2 - o_m^3 - y_m o_m + y_m o_m^2) z_{p_i,p_j,k}$$"),
    ("2.2", "$$\\frac{\\partial E}{\\partial z_{p_i,p_j,k}} = \\sum_{m=1}^{2} \\delta_m w_{p_i,p_j,k,o_m}, \\quad "
            "\\delta_m := (o_m-y_m)o_m(1-o_m)$$"),  # where-definition after its use, :=
    ("2.2", "* δ_1 = (o_1 - y_1) o_1 (1 - o_1)\n* δ_2 = (o_2 - y_2) o_2 (1 - o_2)\n"
            "* ∂E/∂z_{p_i,p_j,k} = δ_1 w_{p_i,p_j,k,o_1} + δ_2 w_{p_i,p_j,k,o_2}"),  # Unicode δ, bullets
    ("2.3", "For every window, $\\frac{\\partial E}{\\partial y_{p_i,p_j,k}}, \\frac{\\partial E}{\\partial y_{p_i,p_j+1,k}}, "
            "\\frac{\\partial E}{\\partial y_{p_i+1,p_j,k}}, \\frac{\\partial E}{\\partial y_{p_i+1,p_j+1,k}} \\mathrel{+}= "
            "\\frac{\\partial E}{\\partial z_{p_i,p_j,k}}$ for $p_i = 1, 2$ and $p_j = 1, 2$."),  # declared ranges
    ("2.3", r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=\max(1,c_i-1)}^{\min(2,c_i)}\ "
            r"\sum_{p_j=\max(1,c_j-1)}^{\min(2,c_j)} \frac{\partial E}{\partial z_{p_i,p_j,k}}$$"),
    ("2.5", r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} \begin{cases} "
            r"\frac{\partial E}{\partial z_{p_i,p_j,k}} & \text{if } c_i-1 \le p_i \le c_i,\ c_j-1 \le p_j \le c_j,\ "
            r"y_{c_i,c_j,k} = \max(y_{p_i,p_j,k}, y_{p_i,p_j+1,k}, y_{p_i+1,p_j,k}, y_{p_i+1,p_j+1,k}) \\ "
            r"0 & \text{otherwise} \end{cases}$$"),  # cases
]


@pytest.mark.parametrize("qid,text", ACCEPTED)
def test_notations_students_use_are_read_and_accepted(qid, text):
    assert verdict(qid, text) == "passed"


REJECTED = [
    ("1.1", r"$c_w = c_h = 4$, $p_w = p_h = 2$"),
    ("2.1", r"Let $\delta_m = (o_m - y_m)$. Then $$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = \delta_m z_{p_i,p_j,k}$$"),
    ("2.2", "* δ_1 = (o_1 - y_1) o_1 (1 - o_1)\n* ∂E/∂z_{p_i,p_j,k} = δ_1 w_{p_i,p_j,k,o_1}"),
    ("2.5", r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} \begin{cases} "
            r"\frac{\partial E}{\partial z_{p_i,p_j,k}} & \text{if } c_i-1 \le p_i \le c_i,\ c_j-1 \le p_j \le c_j \\ "
            r"0 & \text{otherwise} \end{cases}$$"),
]


@pytest.mark.parametrize("qid,text", REJECTED)
def test_wrong_answers_in_those_notations_are_not_accepted(qid, text):
    assert verdict(qid, text) != "passed"


def test_an_unreadable_definition_says_why_and_where():
    got = verdict("1.2", r"$$y_{c_i,c_j,k} = \sigma(x_{c_i,c_j} @ w_{1,1,k})$$")
    assert got.startswith("error: ") and "^" in got


def test_part_q_headings():
    assert set(sections("## Part 1, Q2\na = 1\nPart 2 Q1\nb = 2\n")) == {"1.2", "2.1"}


def test_the_same_answer_gets_the_same_verdict_for_30_student_ids():
    """The expanded 2.1 leaves ~1e-18 of rounding where the expected values are all zero
    (targets equal to the outputs): the question's floor accepts it for every id."""
    q = Q["2.1"]
    a = Answer(r"\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = (o_m^2 - o_m^3 - y_m o_m + y_m o_m^2) z_{p_i,p_j,k}", q.spec)
    verdicts = set()
    for sid in range(30):
        trials = q.generate(np.random.default_rng([sid, 12345]), ASG.n_random)
        ok = True
        for t in range(len(trials)):
            values = a.values(dict(zip(q.params, trials.call_args(t))))
            got = np.array([[[[values[(i, j, k, m)] for m in range(2)] for k in range(3)] for j in range(2)]
                            for i in range(2)])
            exp = np.asarray(trials.expected[t], dtype=float)
            atol = q.atol_scale * np.abs(exp).max(initial=0.0) + q.atol_floor
            ok &= bool((np.abs(got - exp) <= atol + q.rtol * np.abs(exp)).all())
        verdicts.add(ok)
    assert verdicts == {True}
    assert 0 < q.atol_floor < 1e-8


TOKENS = ["y_{c_i,c_j,k}", "x[ci,cj]", "=", "+=", "(", ")", "[", "]", "{", "}", "\\sum_{a=1}^{2}", "Σ", "δ_m",
          "\\delta", "\\text{for all}", "\\forall", "\\in", "\\{1,2\\}", ",", "\\quad", "\\ ", "- ", "* ", "\n",
          "\\begin{cases}", "\\end{cases}", "&", "\\\\", "1[", "\\mathbf{1}", "σ(", "o_m", "w^{(2)}", ":=", "Let ",
          "m = 1, 2", "..", "\\frac{\\partial E}{\\partial z_{p_i,p_j,k}}", "1", "2", "+", "-", "*", "/", "^", "'"]


def _read_seconds(text: str, qid: str) -> float:
    """Seconds to read ``text`` as an answer to ``qid`` and evaluate it on one trial (or refuse it:
    any other exception fails the test)."""
    q = Q[qid]
    t0 = time.perf_counter()
    try:
        a = Answer(text, q.spec)
        trials = q.generate(np.random.default_rng(0), 1)
        a.values(dict(zip(q.params, trials.call_args(0))))
    except NotationError:
        pass
    return time.perf_counter() - t0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=60), st.sampled_from(["1.1", "1.2", "2.2", "2.3", "2.5"]))
def test_the_reader_never_fails_otherwise_and_is_bounded(parts, qid):
    assert _read_seconds(" ".join(parts), qid) < 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_the_normaliser_takes_any_text(text):
    try:
        out = normalize(text)
    except NotationError:
        return
    assert isinstance(out, str) and len(out) < 20 * len(text) + 50


SPACED = ["c_w", "c_h", "p_w", "=", "3", "2", "0", "(", ")", "4-2+1", "/", "*", "+", "\\qquad", "\\quad", "\\;\\;",
          "   ", "o[m]", "o(1)", "w[pi,pj,k,", "w_{p_i,p_j,k,o_{m}}", "]", "z[pi,pj,k]", "m = 1, 2", ",", "\n",
          "\\frac{\\partial E}{\\partial w_{p_i,p_j,k,o_m}}", "dE/dw[pi,pj,k,o[m]]", "sum(", "m=1..2"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SPACED), max_size=60), st.sampled_from(["1.1", "1.4", "2.1"]))
def test_spaced_definitions_number_remarks_and_nested_output_indices_fail_only_as_notation_errors(parts, qid):
    """The statement splitter at spacing, the ``N (expr)`` remark and ``o[m]`` inside indices."""
    assert _read_seconds(" ".join(parts), qid) < 1.0


def test_a_long_line_of_spaced_pieces_is_split_in_linear_time():
    """Thousands of spacings, each before a definition: one pass, not one per spacing."""
    for n in (300, 1700):  # (1700 pieces: 18,700 characters, under MAX_TEXT)
        text = "c_w = 3" + "    c_h = 3" * n
        t0 = time.perf_counter()
        try:
            Answer(text, Q["1.1"].spec)
        except NotationError:
            pass
        took = time.perf_counter() - t0
        if n == 300:
            small = took
    assert took < 12 * small + 0.5, (small, took)
