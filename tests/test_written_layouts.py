"""Written answers laid out as students lay them out (issue #25, second round): boxes, equation
furniture, compact indices split by the quantity's index count, functions of one's own, values
given without an ``=`` (tables, lists, prose), sums and products in words.  The sweep
(tests/test_written_sweep.py) holds the accept/reject cases; here: how they are read (the echo),
what is refused and why, and that the new patterns stay linear and bounded."""
from __future__ import annotations

import pytest

import time

import numpy as np
from hypothesis import given, settings, strategies as st

from grader.intake import notation
from grader.intake.notation import Answer, NotationError, equations, normalize, reading
from tests.test_written import Q, verdict


def _read(qid: str, text: str) -> str:
    return reading(Answer(equations(text), Q[qid].spec))


def _cost(fn, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        try:
            fn(text)
        except NotationError:
            pass
        best = min(best, time.perf_counter() - t0)
    return best


# -- how the new forms are read -------------------------------------------------------------------

def test_a_box_reads_as_what_it_holds():
    boxed = _read("2.1", r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = \boxed{(o_m - y_m) o_m (1 - o_m) z_{p_i,p_j,k}}$$")
    plain = _read("2.1", r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = (o_m - y_m) o_m (1 - o_m) z_{p_i,p_j,k}$$")
    assert boxed == plain and "boxed" not in boxed


def test_labels_tags_and_numbering_are_not_read():
    text = "\\begin{equation}\nz_{p_i,p_j,k} = y_{p_i,p_j,k} + y_{p_i,p_j+1,k} + y_{p_i+1,p_j,k} + y_{p_i+1,p_j+1,k} \\label{eq:pool} \\tag{1.3}\n\\end{equation}"
    shown = _read("1.3", text)
    assert "label" not in shown and "tag" not in shown and shown.startswith("z[pi,pj,k] = ")


def test_a_function_of_ones_own_is_shown_and_applied():
    text = r"Let $g(t) = \frac{1}{1+e^{-t}}$. Then $$o_m = g\Big(\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big)$$"
    shown = _read("1.4", text)
    assert shown.splitlines()[0] == "g(t) = 1/(1 + exp(−t))"
    assert "1/(1 + exp(−(Σ" in shown  # the argument in the parameter's place
    assert verdict("1.4", text) == "passed"


def test_a_function_of_ones_own_that_calls_itself_is_refused_not_recursed():
    text = r"Let $g(t) = g(t) + 1$. Then $$o_m = g\Big(\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big)$$"
    assert verdict("1.4", text).startswith("error:")


def test_functions_calling_functions_are_bounded():
    """Eight functions, each applying the next ten times: 10^8 readings unless bounded."""
    names = "FGHJLNPQ"
    defs = "\n".join(f"${n}(t) = " + " + ".join([f"{names[i + 1]}(t)"] * 10) + "$" for i, n in enumerate(names[:-1]))
    text = defs + "\n$Q(t) = t$\n$$o_m = \\sigma(F(\\sum_{k}\\sum_{p_i}\\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,m}))$$"
    t0 = time.perf_counter()
    got = verdict("1.4", text)
    assert "applied too many times" in got and time.perf_counter() - t0 < 2.0


def test_the_students_function_wins_over_a_known_name():
    """sig is the sigmoid unless the student defines it otherwise (then theirs is graded)."""
    body = r"$$o_m = \operatorname{sig}\Big(\sum_{k}\sum_{p_i}\sum_{p_j} z_{p_i,p_j,k} w_{p_i,p_j,k,m}\Big)$$"
    assert verdict("1.4", body) == "passed"
    assert verdict("1.4", body + r" where $\operatorname{sig}(t) = \exp(t)$") != "passed"


def test_compact_indices_are_split_by_the_quantitys_index_count():
    assert _read("1.2", r"$y_{ijk} = \sigma(w_{11k} x_{ij} + w_{12k} x_{i,j+1} + w_{21k} x_{i+1,j} + w_{22k} x_{i+1,j+1})$") \
        == "y[i,j,k] = σ(w[1,1,k]·x[i,j] + w[1,2,k]·x[i,j + 1] + w[2,1,k]·x[i + 1,j] + w[2,2,k]·x[i + 1,j + 1])"
    assert _read("1.2", r"$y_{ijk} = \sigma(\sum_{a=0}^{1}\sum_{b=0}^{1} x_{(i+a)(j+b)} w_{(a+1)(b+1)k})$") \
        == "y[i,j,k] = σ(Σ_{a=0..1} Σ_{b=0..1} x[i + a,j + b]·w[a + 1,b + 1,k])"


def test_compact_indices_that_split_no_way_the_quantity_takes_are_refused_with_why():
    got = verdict("1.2", r"$y_{ijk} = \sigma(w_{11k} x_{ijk})$")
    assert "x_{ijk}: x takes 2 indices, and these split into 3" in got
    got = verdict("1.2", r"$y_{ijk} = \sigma(w_{1+1jk} x_{i,j})$")
    assert "is ambiguous" in got and "with commas" in got


def test_a_derivation_step_with_symbolic_factors_is_shown_as_not_graded():
    text = ("\\begin{align*}\n\\frac{\\partial E}{\\partial w_{p_i,p_j,k,o_m}} &= \\frac{\\partial E}{\\partial o_m}"
            "\\frac{\\partial o_m}{\\partial w_{p_i,p_j,k,o_m}} \\\\\n&= (o_m - y_m) o_m (1 - o_m) z_{p_i,p_j,k}\n\\end{align*}")
    shown = _read("2.1", text)
    assert shown.splitlines()[0].startswith("(not graded")
    assert verdict("2.1", text) == "passed"


def test_values_without_an_equals_sign_read_as_definitions():
    for text in ("| name | value |\n|---|---|\n| $c_w$ | 3 |\n| $c_h$ | 3 |\n| $p_w$ | 2 |\n| $p_h$ | 2 |",
                 "1. c_w: 3\n2. c_h: 3\n3. p_w: 2\n4. p_h: 2", "$c_w = 3;\\ c_h = 3;\\ p_w = 2;\\ p_h = 2$",
                 "\\begin{align*} c_w &= 3 & c_h &= 3 \\\\ p_w &= 2 & p_h &= 2 \\end{align*}"):
        assert _read("1.1", text) == "c_w = 3\nc_h = 3\np_w = 2\np_h = 2", text


def test_an_equation_number_typed_by_hand_is_not_a_factor():
    """'… \\qquad (2)' read as a product with 2: a correct answer was judged wrong."""
    body = r"z_{p_i,p_j,k} = y_{p_i,p_j,k} + y_{p_i,p_j+1,k} + y_{p_i+1,p_j,k} + y_{p_i+1,p_j+1,k}"
    assert verdict("1.3", f"$${body} \\qquad (2)$$") == "passed"
    assert verdict("1.3", f"$${body} \\hfill (1.3a)$$") == "passed"
    assert verdict("1.3", f"$$2 ({body[16:]})$$".replace("2 (", "z_{p_i,p_j,k} = 2 (")) != "passed"  # a real factor stays


def test_prose_that_is_not_a_definition_stays_prose():
    """'The derivative is the sum over both outputs.' holds no quantity: not read as '… = …'."""
    assert notation.equations("The derivative is the sum over both outputs.") == ""
    assert notation.equations("dE/dz_{pi,pj,k} is the sum over m of w_{pi,pj,k,m}").startswith("dE/dz_{pi,pj,k}= the sum")


def test_a_quantifier_over_two_indices_of_ones_own_is_not_taken_for_a_definition():
    """'for u, v = 0, 1' read 'v = 0, 1' as a definition of a symbol v (a comma starts one), and
    the quantifier then failed: 'expected the values of an index'."""
    text = (r"$$\frac{\partial E}{\partial w_{u+1,v+1,k}} = \sum_{c_i=1}^{3}\sum_{c_j=1}^{3} \frac{\partial E}"
            r"{\partial y_{c_i,c_j,k}} y_{c_i,c_j,k}(1-y_{c_i,c_j,k}) x_{c_i+u,c_j+v} \quad \text{for } u, v = 0, 1$$")
    assert verdict("2.4", text) == "passed"
    assert _read("2.4", text).endswith("for u=0..1, v=0..1")


def test_a_plain_derivative_leaves_a_later_definition_on_its_line_readable():
    """Reading dE/dw inserts a token; the positions of the later definitions on the line ("…,
    where g_m = …") were taken before it and pointed one token off, so g_m was never registered."""
    text = "dE/dw_{pi,pj,k,m} = g_m * z_{pi,pj,k}, where g_m = (o_m - y_m) o_m (1 - o_m)"
    assert verdict("2.1", text) == "passed"


# -- bounded and linear --------------------------------------------------------------------------

def test_the_new_patterns_are_linear_on_hostile_repetitions():
    units = ["\\boxed{", "\\bbox[red]{", "}", "\\label{", "\\tag{a", "\\\\[ 4pt", "\\intertext{", "sum over a, ",
             "the sum over a from 1 to ", "the derivative of sigma at (", "times ", "multiplied  by ", "\\text{ times",
             "\\operatorname{sig", "g(t) = ", "**answer: ", "answer ** ", "\\underbrace{a}_", "\\underbrace{", " ",
             " , for each", "for each window ", "plus minus ", "\\times ", "where ", "**a", "**c_w** ", "\\qquad (1",
             "\\hfill ( 2.", "\\text{(", "\\alignat}{2"]
    for unit in units:
        small = _cost(normalize, (unit * 20000)[:1500])
        large = _cost(normalize, (unit * 20000)[:12000])
        assert large < 40 * small + 0.02, (unit, small, large)


def test_values_and_columns_are_found_in_linear_time():
    for unit in ("| $c_w$ | ", "|" + " " * 50, "c_w: ", "$c_w$ is ", "$c_w$ and ", "($c_w$, ", "( a, ", "&= 3 & ",
                 "(" + " " * 30, "- c_w " + " \t" * 20, "| $c_w$ | $c_h$ |\n|--|--|\n", "| 3 | 3 |\n", "|--|",
                 "$h_m$ denote $", "$h$ being the $", "$a$, which we call $", "c_w \\times ", ", \\quad f(u) = ",
                 "where g(", ", " * 40, "y_m is the sum", "} is ", "x_1 equals the "):
        small, large = _cost(equations, unit * 200), _cost(equations, unit * 1600)
        assert large < 40 * small + 0.05, (unit, small, large)
        small = _cost(lambda t: Answer(t, Q["1.1"].spec), (unit * 200)[:2000])
        large = _cost(lambda t: Answer(t, Q["1.1"].spec), (unit * 1600)[:16000])
        assert large < 40 * small + 0.1, (unit, small, large)


LAYOUT_TOKENS = ["\\boxed{", "\\fbox{", "\\bbox[yellow]{", "}", "{", "\\label{eq}", "\\tag{2}", "\\nonumber", "\\notag",
                 "\\intertext{so}", "&", "&=", "\\\\", "\\\\[4pt]", "\n", "g(t) =", "g(", "\\operatorname{sig}", "(", ")",
                 "t", "1/(1+e^{-t})", "S(x) = ", "x_{ij}", "y_{ijk}", "w_{11k}", "w_{pq k m}", "x_{(i+a)(j+b)}",
                 "z_{pqk}", "sum over m of", "the sum over a from 0 to 1 of", "times", "multiplied by",
                 "the derivative of sigma at", "net_m", "| $c_w$ | 3 |", "c_w: 3", "$c_w$ is 3", "(c_w, c_h) = (3, 3)",
                 "; ", "where", "Answer:", "**Final answer:**", "o_m", "z_{p_i,p_j,k}", "w_{p_i,p_j,k,m}", "=", "+", "-",
                 "*", "1", "0", ",", "for u, v = 0, 1", "\\sigma(", "\\frac{\\partial E}{\\partial w_{u+1,v+1,k}}"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LAYOUT_TOKENS), max_size=50), st.sampled_from(["1.1", "1.2", "1.4", "2.1", "2.4"]))
def test_the_layout_forms_never_fail_otherwise_and_are_bounded(parts, qid):
    """Any mix of the new forms is read or refused with a NotationError, never another
    exception, and quickly (functions of one's own are applied, never called recursively)."""
    q = Q[qid]
    text = " ".join(parts)
    t0 = time.perf_counter()
    try:
        a = Answer(equations(text), q.spec)
        trials = q.generate(np.random.default_rng(0), 1)
        a.values(dict(zip(q.params, trials.call_args(0))))
        reading(a)
    except notation.NotationError:
        pass
    assert time.perf_counter() - t0 < 1.0


# --- layouts of a sealed held-out set (aside9): headings with the answer on their line,
# decorated ids, fullwidth punctuation, named numbers without underscores or one space apart

def _file_verdicts(content: str, name: str = "answers.md") -> dict[str, str]:
    from grader.intake.notation import read_answers_file, sections
    from tests.test_written import ASG, verdict
    ids = [q.id for q in ASG.questions]
    return {qid: verdict(qid, body) for qid, body in sections(read_answers_file(content.encode(), name), ids).items()}


Z13_PLAIN = "z[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k] + y[pi+1,pj,k] + y[pi+1,pj+1,k]"


@pytest.mark.parametrize("content", [
    f"-- 1.1 --\nc_w = 3, c_h = 3\np_w = 2, p_h = 2\n\n-- 1.3 --\n{Z13_PLAIN}\n",
    f"== 1.1 ==\nc_w = c_h = 3, p_w = p_h = 2\n== 1.3 ==\n{Z13_PLAIN}\n",
    f"Part 1\n\n1.1  c_w=3, c_h=3, p_w=2, p_h=2\n\n1.3  {Z13_PLAIN}\n",
    f"**1.1**  c_w = c_h = 3 ; p_w = p_h = 2\n\n**1.3**\n{Z13_PLAIN}\n",
    f"1.1) c_w = 3, c_h = 3, p_w = 2, p_h = 2\n1.3) {Z13_PLAIN}\n",
])
def test_an_id_with_its_answer_on_the_line_or_between_dashes(content):
    got = _file_verdicts(content)
    assert got.get("1.1") == "passed" and got.get("1.3") == "passed", got
    wrong = _file_verdicts(content.replace("y[pi+1,pj+1,k]", "y[pi,pj,k]").replace("p_h = 2", "p_h = 1")
                           .replace("p_h=2", "p_h=1").replace("p_h = 2", "p_h = 1").replace("= 2\n", "= 1\n"))
    assert wrong.get("1.3", "").startswith("failed"), wrong


def test_a_number_at_the_start_of_a_line_of_math_is_no_heading():
    # only the assignment's ids, followed by two spaces, a tab, ')', ':' or '**', start an answer
    got = _file_verdicts(f"## 1.3\n{Z13_PLAIN}\n0.5  x = 1\n")
    assert got == {"1.3": got["1.3"]} and "0.5" not in got


@pytest.mark.parametrize("line, want", [
    ("cw = ch = 3, pw = ph = 2", "passed"),  # the names without their underscore
    ("cw = ch = 3, pw = ph = 1", "failed"),
    ("c_w=3 c_h=3 p_w=2 p_h=2", "passed"),  # one space apart
    ("cw=3 ch=3 pw=2 ph=2", "passed"),
    ("c_w=3 c_h=3 p_w=1 p_h=2", "failed"),
])
def test_named_numbers_as_students_type_them(line, want):
    from tests.test_written import verdict
    assert verdict("1.1", line).startswith(want)


@pytest.mark.parametrize("line, want", [
    ("c_w = c_h = 3，p_w = p_h = 2", "passed"),  # a fullwidth comma (an input method's)
    ("c_w ＝ 3，c_h ＝ 3，p_w ＝ 2，p_h ＝ 2", "passed"),
    ("c_w ＝ 3，c_h ＝ 3，p_w ＝ 1，p_h ＝ 2", "failed"),
])
def test_fullwidth_punctuation_reads_as_ascii(line, want):
    assert _file_verdicts("## 1.1\n" + line + "\n")["1.1"].startswith(want)


def test_a_fractional_index_is_a_reading_error_not_a_crash():
    # "0.5  x = 1" under an answer: int("0.5") raised a ValueError out of the parser
    assert verdict("1.3", Z13_PLAIN + "\n0.5  x = 1").startswith(("passed", "error"))
    with pytest.raises(NotationError, match="whole number"):
        Answer(equations("z[pi,pj,k] = y[0.5,pj,k]"), Q["1.3"].spec)
