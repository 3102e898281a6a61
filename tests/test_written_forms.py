"""Written answers (issue #25, second round): the answers file read in linear time, LaTeX files,
and what the new forms (vectors, arg max, sets, index names of one's own) refuse, with where."""
from __future__ import annotations

import time

import pytest

from hypothesis import given, settings, strategies as st

from grader.intake.notation import equations, sections
from tests.test_written import verdict


def _cost(fn, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - t0)
    return best


def test_headings_and_math_are_found_in_linear_time():
    """Both regexes were quadratic: 8,000 blanks after "Part 1" cost 5 s, 8,000 unclosed \\[ 4.6 s."""
    for fn, unit in ((sections, "Part 1" + " " * 4000 + "x\n"), (sections, "** " + "\t " * 2000 + "\n"),
                     (equations, "\\[ a "), (equations, "$$ a "), (equations, "\\begin{align} a "),
                     (equations, "```py\n a ")):
        small, large = _cost(fn, unit * 200), _cost(fn, unit * 3200)
        assert large < 40 * small + 0.05, (fn.__name__, unit[:12], small, large)
        assert large < 1.0


def test_latex_files_and_their_environments():
    tex = (r"\documentclass{article}\begin{document}" "\n"
           r"\section*{Question 1.3}" "\n"
           r"\begin{align*} z_{p_i,p_j,k} &= y_{p_i,p_j,k} + y_{p_i,p_j+1,k} \\ &\quad + y_{p_i+1,p_j,k} + y_{p_i+1,p_j+1,k} \end{align*}" "\n"
           r"\subsection*{Part 2, Question 1}" "\n"
           r"Inline: \( \frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = (o_m - y_m) o_m (1 - o_m) z_{p_i,p_j,k} \)." "\n"
           r"\paragraph{2.2} \begin{equation} \frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} (o_m - y_m) o_m (1 - o_m) w_{p_i,p_j,k,m} \end{equation}" "\n"
           r"\end{document}")
    got = sections(tex)
    assert set(got) == {"1.3", "2.1", "2.2"}
    assert {verdict(q, got[q]) for q in got} == {"passed"}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("$\\[]()`{}#*\n abQ1.2=") + ["\\begin{align}", "\\end{align}", "```\n",
                                                                    "## 1.2", "Part 1", "\\section*{"]),
                max_size=120).map("".join))
def test_any_text_gives_sections_and_equations_no_longer_than_itself(text):
    for body in sections(text).values():
        assert len(body) <= len(text)
    assert len(equations(text)) <= len(text) + text.count("$") + 1


def test_what_the_new_forms_refuse_says_why():
    assert "shapes do not fit" in verdict("1.4", r"$$\mathbf{o} = \sigma(\mathbf{z}\mathbf{W})$$")
    assert "the right side is" in verdict("2.1", r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = \mathbf{z}$$")
    got = verdict("2.5", r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \sum_{p_i=1}^{2}\sum_{p_j=1}^{2} "
                         r"\frac{\partial E}{\partial z_{p_i,p_j,k}} 1[(c_i,c_j) = \arg\max_{(a,b) \in R} y_{a,b,k}]$$")
    assert "the set R is used but not defined" in got
    got = verdict("2.5", r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \frac{\partial E}{\partial z_{p_i,p_j,k}} "
                         r"\arg\max_{(a,b) \in \{1,2\} \times \{1,2\}} y_{a,b,k}$$")
    assert got.startswith("error: ") and "pair" in got and "^" in got
    got = verdict("2.5", r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = 1[(c_i,c_j) < (1, 2)]$$")
    assert "pairs can only be compared" in got
    # a name of one's own that nothing binds is refused, not guessed
    got = verdict("1.3", "z[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k] + y[pi+1,pj,k] + y[pi+1,row,k]")
    assert "the index row is on the right but not on the left" in got


def test_sets_and_max_are_bounded():
    got = verdict("2.5", r"$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \max_{(a,b) \in \{1, \dots, 900\} \times \{1, \dots, 900\}} y_{1,1,k}$$")
    assert got.startswith("error: ") and "10000" in got


# --- the echo of how an answer was read, as MathML -------------------------------------------

def test_the_reading_renders_as_mathml_with_subscripts_sums_and_fractions():
    from grader.feedback.echo import reading_mathml
    got = reading_mathml("∂E/∂w[pi,pj,k,m] = Σ_{m=1..2} (o[m] − y[m])·o[m]^2 for m=1..2")
    assert got.startswith('<math display="block">') and got.endswith("</math>")
    assert "<mfrac><mrow><mo>&#x2202;</mo><mi>E</mi></mrow>" in got
    assert "<munder><mo>&#x2211;</mo>" in got and "<msup><msub><mi>o</mi>" in got
    assert reading_mathml("(not graded, not a definition: words = more words)") is None


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300) | st.lists(st.sampled_from(["a", "[", "]", "Σ_{", "}", "^", "(", ")", "∂E/∂w", "<", "&",
                                                          "=", "1", "_", "{", "·", "'", '"', "for"]), max_size=80).map("".join))
def test_any_reading_gives_well_formed_escaped_mathml(text):
    """The reading comes from the sandbox: whatever it holds, the MathML is well formed and
    holds no markup of its own."""
    import xml.dom.minidom

    from grader.feedback.echo import reading_mathml
    got = reading_mathml(text)
    if got is None:
        return
    dom = xml.dom.minidom.parseString(got)
    tags = {n.tagName for n in dom.getElementsByTagName("*")}
    assert tags <= {"math", "mrow", "mi", "mn", "mo", "mtext", "msub", "msup", "munder", "mfrac"}, tags


def test_check_echoes_each_answer_before_the_verdicts_and_the_report_shows_mathml_first(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    f = tmp_path / "answers.md"
    f.write_text("## 1.4\n$$\\mathbf{o} = \\sigma\\left(\\mathbf{W}^\\top \\mathbf{z}\\right)$$\n\n"
                 "## 1.3\n$$z_{p_i,p_j,k} = y_{p_i,p_j,k} <b onmouseover=alert(1)>$$\n")
    out = subprocess.run([sys.executable, "-m", "grader", "check", str(f), "--assignment", "hw4-written",
                          "--html", str(tmp_path / "r.html")], capture_output=True, text=True, cwd=root,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=120)
    text = out.stdout
    assert "1.4 read as: o[m] = σ(Σ_{pi=1..2} Σ_{pj=1..2} Σ_{k=1..3} w[pi,pj,k,m]·z[pi,pj,k])" in text, text
    assert "1.3 not read" in text and "^" in text
    assert text.index("read as") < text.index("PASSED")
    page = (tmp_path / "r.html").read_text()
    section = page[page.index('data-question="1.4"'):]
    assert section.index('<div class="read-math"') < section.index('class="msg"')
    # the unreadable answer, escaped (a <script> now hides what follows it, as the page does)
    assert "<b onmouseover" not in page and "&lt;b onmouseover=alert(1)&gt;" in page


# --- naming the wrong terms of a rejected sum ------------------------------------------------

def _parts_of(qid: str, text: str, seed: int = 0):
    import numpy as np

    from grader.intake import notation
    from tests.test_written import ASG, Q
    q = Q[qid]
    notation._READ.clear()
    notation._READ[qid] = notation.Answer(equations(text), q.spec)
    trials = q.generate(np.random.default_rng(seed), ASG.n_random)
    parts = np.stack([notation.parts(qid, q.spec, "", dict(zip(q.params, trials.call_args(t))))
                      for t in range(len(trials))])
    notation._READ.clear()
    return np.asarray(trials.expected, dtype=float), parts


def test_a_sum_with_a_wrong_factor_names_that_term_only():
    from grader.feedback.terms import wrong_terms
    exp, parts = _parts_of("1.3", "z[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k] + 2*y[pi+1,pj,k] + y[pi+1,pj+1,k]")
    assert parts.shape[1] == 4
    assert wrong_terms(exp, parts) == ("Of the 4 terms of your sum (in the order you wrote them), the 3rd is "
                                       "wrong; the other 3 are right.")
    exp, parts = _parts_of("2.2", "dE/dz[pi,pj,k] = (o1-y1) o1 (1-o1) w[pi,pj,k,1] - (o2-y2) o2 (1-o2) w[pi,pj,k,2]")
    assert "the 2nd is wrong" in wrong_terms(exp, parts)


def test_a_sum_missing_a_term_says_so_and_a_right_one_says_nothing():
    from grader.feedback.terms import wrong_terms
    exp, parts = _parts_of("1.3", "z[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k] + y[pi+1,pj,k]")
    assert wrong_terms(exp, parts).startswith("No choice of factors for the 3 terms")
    exp, parts = _parts_of("1.3", "z[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k] + y[pi+1,pj,k] + y[pi+1,pj+1,k]")
    assert wrong_terms(exp, parts) == ""
    exp, parts = _parts_of("1.3", "z[pi,pj,k] = y[pi,pj,k] + y[pi,pj,k] + y[pi+1,pj,k] + y[pi+1,pj+1,k]")
    assert wrong_terms(exp, parts) == ""  # two equal terms: no single reading, nothing claimed


def test_parts_that_do_not_fit_the_answers_are_refused_at_the_channel():
    import numpy as np
    import pytest

    from grader.sandbox import frames
    ok = {"kind": "result", "qid": "q", "status": "ok", "seconds": 0.0, "next": None, "types": ["float64"],
          "stacked": np.zeros((2, 3))}
    expect = frames.Expect({"q": 2}, 100, 10.0)
    seg = {k: v for k, v in {"pos": [0, 0], "dropped": [0, 0], "standins": [], "missing": []}.items()
           if k in frames.SEGMENT}
    got = frames.check({**ok, **seg, "parts": np.zeros((2, 4, 3))}, expect)
    assert got.parts.shape == (2, 4, 3)
    for bad in (np.zeros((3, 4, 3)), np.zeros((2, 17, 3)), np.zeros((2, 4, 3), dtype=np.float32), [1.0]):
        with pytest.raises(frames.Forged):
            frames.check({**ok, **seg, "parts": bad}, expect)


def test_the_grader_names_the_wrong_term_of_a_rejected_sum(tmp_path):
    """Through the sandbox: the terms' numbers cross the channel, the fit runs in the grader."""
    from grader.api import Options, grade
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ann.md").write_text("## 1.3\nz[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k] + 2 y[pi+1,pj,k] + y[pi+1,pj+1,k]\n"
                                 "## 1.2\n$$y_{c_i,c_j,k} = \\sigma(x_{c_i,c_j})$$\n")
    run = grade(subs, tmp_path / "out", Options(jobs=1), assignment="hw4-written")
    by = {q.id: q for q in run.submissions[0].questions}
    assert by["1.3"].status == "failed" and "the 3rd is wrong; the other 3 are right" in by["1.3"].message
    assert "σ" not in by["1.3"].message and "y_{" not in by["1.3"].message.split(".")[0]  # no formula shown
    assert by["1.2"].status == "failed" and "terms" not in by["1.2"].message  # not a sum: nothing claimed


# --- indices counted as the assignment counts them (index_base) ------------------------------

def _values_ok(qid: str, text: str, base: int) -> str:
    import numpy as np

    from grader.intake.notation import Answer, NotationError
    from tests.test_written import ASG, Q
    q = Q[qid]
    spec = {**q.spec, "index_base": base}
    try:
        a = Answer(equations(text), spec)
        trials = q.generate(np.random.default_rng(0), ASG.n_random)
        for t in range(len(trials)):
            values = a.values(dict(zip(q.params, trials.call_args(t))))
            exp = np.asarray(trials.expected[t])
            got = np.array([values[i] for i in np.ndindex(*exp.shape)]).reshape(exp.shape)
            if not np.allclose(got, exp, rtol=1e-9, atol=1e-12):
                return "failed"
    except NotationError as exc:
        return f"error: {exc}"
    return "passed"


def test_indices_count_from_the_assignments_index_base():
    zero = "y[ci,cj,k] = sigma(x[ci,cj] w[0,0,k] + x[ci,cj+1] w[0,1,k] + x[ci+1,cj] w[1,0,k] + x[ci+1,cj+1] w[1,1,k])"
    one = "y[ci,cj,k] = sigma(x[ci,cj] w[1,1,k] + x[ci,cj+1] w[1,2,k] + x[ci+1,cj] w[2,1,k] + x[ci+1,cj+1] w[2,2,k])"
    assert _values_ok("1.2", zero, 0) == "passed" and _values_ok("1.2", one, 1) == "passed"
    assert _values_ok("1.2", one, 0).startswith("error: ") and "does not exist" in _values_ok("1.2", one, 0)
    got = _values_ok("1.2", zero, 1)
    assert "does not exist (indices count from 1 here)" in got
    # vectors: the contraction runs over the assignment's own range
    assert _values_ok("1.4", r"$$\mathbf{o} = \sigma(\mathbf{W}^\top \mathbf{z})$$", 0) == "passed"
    got = _values_ok("1.3", "for pi = 0..1: z[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k] + y[pi+1,pj,k] + y[pi+1,pj+1,k]", 1)
    assert "indices count from 1 here" in got


def test_the_generated_module_carries_the_assignments_index_base():
    from grader.assignment import load_assignment
    from grader.intake.written import builder
    import functools
    b = builder(load_assignment("hw4-written"))
    assert isinstance(b, functools.partial)
    assert {spec["index_base"] for _qid, _params, spec in b.keywords["specs"].values()} == {1}


NEW_TOKENS = ["\\mathbf{o}", "\\mathbf{W}", "^\\top", "^T", "\\mathbf{z}", "\\boldsymbol{\\delta}", "\\odot", "\\circ",
              "\\frac{\\partial E}{\\partial \\mathbf{W}}", "\\nabla_{W} E", "\\arg\\max", "argmax", "\\max", "_{", "}",
              "(a,b)", "\\in", "\\{p_i, p_i+1\\}", "\\times", "W_{p_i,p_j}", "(c_i, c_j)", "=", "==", "<", "\\le",
              "\\mathbb{1}", "1\\{", "\\}", "[\\![", "]\\!]", "\\underset{a \\in \\{1,2\\}}{\\arg\\max}", "y_{a,b,k}",
              "\\sum_m", "\\sum_{p_i, p_j}", "\\frac{dE}{dz_{p_i,p_j,k}}", "\\sigma'", "(", ")", "\\\\", "\n", ",",
              "o_m", "om", "i1", "k_2", "\\dots", "\\Rightarrow", "\\begin{cases}", "&", "\\end{cases}", "1", "2", "+",
              "-", "*", "\\left[", "\\right]", "\\forall", "p_i \\le c_i \\le p_i+1", "\\dfrac{1}{2}"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(NEW_TOKENS), max_size=50),
       st.sampled_from(["1.3", "1.4", "2.1", "2.2", "2.5"]), st.sampled_from([0, 1]))
def test_the_new_forms_never_fail_otherwise_and_are_bounded(parts, qid, base):
    """Vectors, arg max, sets, pairs, indicator forms, sums without ranges: any mix of them is
    read or refused with a NotationError (never another exception), quickly."""
    import numpy as np

    from grader.intake import notation
    from tests.test_written import ASG, Q
    q = Q[qid]
    spec = {**q.spec, "index_base": base}
    text = " ".join(parts)
    t0 = time.perf_counter()
    try:
        a = notation.Answer(text, spec)
        trials = q.generate(np.random.default_rng(0), 1)
        arrays = dict(zip(q.params, trials.call_args(0)))
        a.values(arrays)
        notation._READ[qid] = a
        notation.parts(qid, spec, "", arrays)
    except notation.NotationError:
        pass
    finally:
        notation._READ.clear()
    assert time.perf_counter() - t0 < 1.0


def test_the_normaliser_is_linear_on_hostile_repetitions():
    from grader.intake.notation import normalize
    units = ["\\underset{", "\\underset{a}{", "\\begin{cases} a & b ", "\\begin{cases}\\end{split}", "\\left", "[\\! ",
             "\\nabla_{", "\\operatorname*{arg\\,max", "\\mathbf{\\mathbf{", "\\text{ ", "^{(", "\\vec ", "\\arg ",
             "₁ₘ⁻¹", "\\mathrm{d", "₁₁ₖ", "ₖ ", "^{(k", "^{(k)}", "^{(k)}_{ij} ", "y^k_{", "y^{k}_{i,j}^{k}"]
    for unit in units:
        small = _cost(normalize, (unit * 20000)[:1500])
        large = _cost(normalize, (unit * 20000)[:12000])
        assert large < 40 * small + 0.02, (unit, small, large)


def test_headings_with_words_before_the_id_and_punctuation_after_it():
    for line in ("## Problem 1.4", "### Answer to 1.4", "#### (1.4)", "Q1.4 -", "## Question 1.4 (2 points)",
                 "\\subsection*{Q 1.4}"):
        assert list(sections(line + "\nx = 1\n")) == ["1.4"], line
    for line in ("# Homework 4 (v1.2)", "# CNN homework v1.2 answers", "## 1.4.5 is not an id alone"):
        assert "1.2" not in sections(line + "\nx = 1\n"), line


def test_a_notebook_nested_past_the_parsers_stack_is_one_students_error():
    """200,000 nested lists in a written notebook raised RecursionError out of the reader, and
    `grader similar` stopped for the whole class."""
    from grader.intake.notation import NotationError, read_answers_file
    data = b'{"cells": [], "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    with pytest.raises(NotationError, match="nested too deeply"):
        read_answers_file(data, "answers.ipynb")


@pytest.mark.parametrize("answer", [
    "z[pi,pj,k] = 0\ndE/dw[pi,pj,k,m] = (o[m] - y[m]) o[m] (1 - o[m]) z[pi,pj,k]",
    "delta[m] = (o[m] - y[m]) o[m] (1 - o[m])\nz[pi,pj,k] = 2 delta[1]\ndE/dw[pi,pj,k,m] = delta[m] z[pi,pj,k]",
])
def test_an_answer_that_redefines_a_given_quantity_and_uses_it_is_refused(answer):
    """The given z was used and the student's own silently ignored: a wrong answer passed."""
    assert verdict("2.1", answer).startswith("error: ") and "given in this question" in verdict("2.1", answer)


IDS = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.5"]


@pytest.mark.parametrize("line, qid", [
    ("## Problem 1(a)", "1.1"), ("## Problem 2(e)", "2.5"), ("\\subsection*{Problem 1(b)}", "1.2"),
    ("## Part 2 (c)", "2.3"), ("**Problem 1(d)**", "1.4"), ("Problem 1(a)", "1.1"), ("1(a).", "1.1"),
    ("## Exercise 2, part (b)", "2.2"), ("## Question 1 (c)", "1.3"), ("Problem 1.2", "1.2"), ("1. Q 1.1", "1.1"),
    ("Exercise 2.4:", "2.4"), ("## Problem 1, part a", "1.1"), ("## Problem 2 part e: max pooling", "2.5")])
def test_lettered_and_worded_headings_name_the_assignments_question(line, qid):
    """'## Problem 1(a)' … '## Problem 2(e)' were no heading at all: every answer was 'missing'."""
    assert list(sections(line + "\nx = 1\n", IDS)) == [qid], line


def test_a_letter_is_a_number_only_where_the_ids_make_it_one():
    assert list(sections("## Problem 2(f)\nx = 1\n", IDS)) == ["2(f)"]  # part 2 has five questions
    assert list(sections("## Problem 1(a)\nx = 1\n")) == ["1(a)"]  # no ids: the letter is not guessed
    assert list(sections("## Problem 1(b)\nx = 1\n", ["1.1", "1.3"])) == ["1(b)"]  # 1.2 is not a question
    assert list(sections("## Problem 3(a)\nx = 1\n", IDS)) == ["3(a)"]
    # a right and a wrong answer under lettered headings
    text = ("## Problem 1(c)\n$$z_{p_i,p_j,k} = y_{p_i,p_j,k} + y_{p_i,p_j+1,k} + y_{p_i+1,p_j,k} + y_{p_i+1,p_j+1,k}$$\n"
            "## Problem 2(a)\n$$\\frac{\\partial E}{\\partial w_{p_i,p_j,k,o_m}} = (o_m - y_m) o_m z_{p_i,p_j,k}$$\n")
    got = sections(text, IDS)
    assert verdict("1.3", got["1.3"]) == "passed"
    assert verdict("2.1", got["2.1"]).startswith("failed")


def test_lettered_headings_are_found_in_linear_time():
    for unit in ("## Problem 1 (" + " " * 30 + "\n", "Problem 1 , part ( a " * 8 + "\n", "1. Q" * 40 + "\n",
                 "## Exercise 2, part (b" * 6 + "\n"):
        small, large = _cost(lambda t: sections(t, IDS), unit * 200), _cost(lambda t: sections(t, IDS), unit * 3200)
        assert large < 40 * small + 0.05, (unit[:12], small, large)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["## Problem ", "1", "2", "(", ")", "a", "e", "f", " ", ",", "part ", "\n", "x = 1",
                                 "Q", ".", "Exercise ", "# Part ", "### ", "Question ", "\\section*{", "}", "**"]),
                max_size=60).map("".join))
def test_any_lettered_heading_names_an_id_or_stays_as_written(text):
    for qid in sections(text, IDS):
        assert qid in IDS or "(" in qid or "." in qid, qid


NEW_FORM_UNITS = ["sum(y[a,b,k] for a in (", "for a in range(", "for (a, b) in [(0,", "\\sum_{(a,b) \\in \\{0,1\\}^2 ",
                  "\\{(0,1),", "\\{(", "((((", "\\sum_{a \\in \\{p_i, p_i+1\\}, ", "max(y[a,b,k] for a in (1,",
                  "y^{k}_{", "y^{(k)}_{ij} + ", "z^k_{p,q} ", "\\hat{\\delta}_1 + ", "o_1' + ", "\\delta_{a,b} ",
                  "y₁₁ₖ + ", "delta _{", "delta_{a,b" + " " * 30, "\\overline{ab", "\\hat\\delta", "\\tilde ", "o_1' '", "\\cap \\{1,2\\}", "\\delta^{out}_", "\\delta^k_{", "product(range(2), repeat=2)",
                  "if a <= b ", "(a == b) ", "sum([", "\\arg\\max_{a,b \\in \\{0,1\\}} y_{a,b,k} ", "\\sum_{i,j=1}^{3} ",
                  "# Problem 1\n(a)\n", "\\substack{a \\in \\{0,1\\} \\\\ ", "\\sum_{0 \\le a, b \\le 1} ", "0 \\le a \\le ",
                  "\\sum_{(a,b) \\in [2]^2} ", ", \\quad", "\\quad\\,\\; ", "\\\\quad ", " # ", "= 1 #", "⁽ᵏ⁾", "yᵏᵢⱼ + ", "ᵏᵏᵏᵏᵏᵏᵏᵏ"]


def test_the_new_forms_are_read_in_linear_time():
    """Generators, sets of pairs, set powers, superscript channels, marks, Kronecker deltas: the
    time to read (or refuse) a repetition grows with its length, not faster."""
    from grader.intake.notation import Answer, NotationError
    from tests.test_written import Q

    def read(text):
        try:
            Answer(equations("z[pi,pj,k] = " + text), Q["1.3"].spec)
        except NotationError:
            pass
    for unit in NEW_FORM_UNITS:
        small, large = _cost(read, (unit * 2000)[:1500]), _cost(read, (unit * 2000)[:12000])
        assert large < 40 * small + 0.1, (unit, small, large)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NEW_FORM_UNITS + ["y[a,b,k]", ")", "]", "}", "\\}", ",", " for b in (pj, pj+1)",
                                                 "range(2)", "1", "+", "=", "\n", "^2", "'", "\\bar{y}_m"]),
                max_size=40), st.sampled_from(["1.2", "1.3", "2.2", "2.4"]))
def test_any_mix_of_the_new_forms_is_read_or_refused_quickly(parts, qid):
    import numpy as np

    from grader.intake.notation import Answer, NotationError
    from tests.test_written import ASG, Q
    q = Q[qid]
    t0 = time.perf_counter()
    try:
        a = Answer(equations(" ".join(parts)), q.spec)
        trials = q.generate(np.random.default_rng(0), 1)
        a.values(dict(zip(q.params, trials.call_args(0))))
    except NotationError:
        pass
    assert time.perf_counter() - t0 < 1.0
    assert ASG.name == "hw4-written"


@pytest.mark.parametrize("chain", ["y[1,1,k] + " * 1200 + "1", "2 * " * 1200 + "1", "y_{11k} + " * 1200 + "1",
                                   "\\sum_{k=1}^{3} " * 800 + "1", "\\max_{a \\in \\{0,1\\}} " * 500 + "1", "e^" * 800 + "1",
                                   "(" * 58 + "2^" * 90 + "1" + ")" * 58, "(" * 58 + "- " * 90 + "1" + ")" * 58])
def test_a_chain_of_a_thousand_operators_is_a_notation_error_not_a_recursion_error(chain):
    """A sum of 1,200 terms raised RecursionError in the walks over its (as deep) tree: the
    grader's error, not the student's.  Chains are bounded as nesting is."""
    from grader.intake.notation import Answer, NotationError
    from tests.test_written import Q
    with pytest.raises(NotationError, match="operators in a row|nested too deeply"):
        Answer(equations("z[pi,pj,k] = " + chain), Q["1.3"].spec)


@pytest.mark.parametrize("text, want", [
    ("# Problem 1\n## (a)\nA\n## (b) Convolution\nB\n# Problem 2\nintro $E = 1$\n## (a)\nC\n### e)\nD\n",
     {"1.1": "A", "1.2": "B", "2.1": "C", "2.5": "D"}),
    ("\\section*{Part 1}\n\\subsection*{Question 1}\nA\n\\subsection*{Question 2}\nB\n\\section*{Part 2: backprop}\n"
     "\\subsection*{Question 5}\nE\n", {"1.1": "A", "1.2": "B", "2.5": "E"}),
    ("Problem 1\n(a)\nA\n(c)\nC\nProblem 2:\n(b)\nB\n", {"1.1": "A", "1.3": "C", "2.2": "B"}),
    ("## Problem 1a: sizes\nA\n**Q2.b**\nB\nProblem 2c\nC\n", {"1.1": "A", "2.2": "B", "2.3": "C"}),
    ("## (a)\nA\n", {}),  # a letter with no part above it names nothing
    ("## 1.4\nX\n# Part 2\nIntroduction: $E = 1$\n", {"1.4": "X"}),  # a part's heading ends the answer above it
    ("## The 2D case\nA\n## 2D convolution\nB\nProblem 2b is hard\n", {}),
    ("**Problem 1**\n**(a)**\nA\n**(b)**\nB\n**Problem 2**\n**(c)**\nC\n", {"1.1": "A", "1.2": "B", "2.3": "C"}),
    ("# Question 1\n## (a)\nA\n# Question 2\n## (b)\nB\n", {"1.1": "A", "2.2": "B"}),
    ("## Part II, Question 3\nA\n# Part I\n## (b)\nB\n# Part II\n## Question 4\nC\n", {"2.3": "A", "1.2": "B", "2.4": "C"}),
])
def test_sub_questions_under_a_parts_heading(text, want):
    """'# Problem 2' then '## (a)' (or '## Question 1', 'Problem 2b'): every answer was missing."""
    assert {k: v.strip() for k, v in sections(text, IDS).items()} == want


def test_part_headings_are_found_in_linear_time():
    for unit in ("# Problem 1\n", "## (a)\n", "Problem 1" + " " * 40 + "\n", "## Question " * 10 + "\n",
                 "**Q1." + "b" * 30 + "\n", "# Problem 1\n(a) " + "x " * 40 + "\n"):
        small, large = _cost(lambda t: sections(t, IDS), unit * 200), _cost(lambda t: sections(t, IDS), unit * 3200)
        assert large < 40 * small + 0.05, (unit[:12], small, large)


@pytest.mark.parametrize("line, qid", [
    ("## Part 1 / Q1", "1.1"), ("## Part 2 / Q5", "2.5"), ("## Part 2 - Question 3", "2.3"), ("## Part 1: Q2", "1.2"),
    ("## Part 2 – Q4", "2.4"), ("### P1 Q2", "1.2"), ("Part 1/Q3:", "1.3"), ("\\section*{Part 2 / Q1}", "2.1"),
    ("Part 1. Question 2", "1.2"), ("**Part 2: Question 2**", "2.2"), ("## Part 1 / Q1.4", "1.4"),
])
def test_a_part_and_a_question_number_separated_by_a_mark(line, qid):
    """'## Part 1 / Q1' (held-out x20): every answer was missing; 'Part 1. Question 2' kept its words as the id."""
    assert {k: v.strip() for k, v in sections(line + "\nx = 1\n", IDS).items()} == {qid: "x = 1"}, line


@pytest.mark.parametrize("line", ["## Part 1 / Q9", "## Part 3 / Q1", "## P 1 2", "## P1 2", "## Part 1 / 2"])
def test_a_part_and_question_heading_never_names_another_question(line):
    assert not set(sections(line + "\nx = 1\n", IDS)) & set(IDS), line


def test_part_and_question_headings_are_found_in_linear_time():
    for unit in ("## Part 1 / Q1\nx\n", "Part 1 /" + " /" * 60 + "\n", "## P1" + " -" * 80 + "\n", "## Part 2 : " * 12 + "\n"):
        small, large = _cost(lambda t: sections(t, IDS), unit * 200), _cost(lambda t: sections(t, IDS), unit * 3200)
        assert large < 40 * small + 0.05, (unit[:12], small, large)
