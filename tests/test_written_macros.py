"""The student's own LaTeX macros (held-out x17: ``\\newcommand{\\pd}[2]{\\frac{\\partial #1}{\\partial #2}}``
then ``\\pd{E}{z_{p_i,p_j,k}}``): expanded before headings and math are read, within fixed bounds."""
from __future__ import annotations

import time

import pytest

from hypothesis import given, settings, strategies as st

from grader.intake.notation import MACRO_GROWTH, NotationError, expand_macros, read_answers_file, sections
from tests.test_written import verdict

PD = r"\newcommand{\pd}[2]{\frac{\partial #1}{\partial #2}}"
RIGHT_21 = r"\pd{E}{w_{p_i,p_j,k,o_m}} = (o_m - y_m)\, o_m (1 - o_m)\, z_{p_i,p_j,k}"
WRONG_21 = r"\pd{E}{w_{p_i,p_j,k,o_m}} = (o_m - y_m)\, o_m (1 - o_m)\, z_{p_i,p_i,k}"


def _answer(data: str, name: str, qid: str) -> str:
    return sections(read_answers_file(data.encode(), name))[qid]


@pytest.mark.parametrize("define", [
    PD, r"\renewcommand{\pd}[2]{\frac{\partial #1}{\partial #2}}", r"\providecommand*{\pd}[2]{\frac{\partial #1}{\partial #2}}",
    r"\def\pd#1#2{\frac{\partial #1}{\partial #2}}", r"\newcommand\pd[2]{\frac{\partial #1}{\partial #2}}",
])
def test_a_correct_answer_written_with_macros_is_accepted(define):
    tex = define + "\n\\begin{document}\n\\subsection*{Question 2.1}\n\\[ " + RIGHT_21 + " \\]\n\\end{document}\n"
    assert verdict("2.1", _answer(tex, "answers.tex", "2.1")) == "passed"
    md = "$$" + define + "$$\n\n## 2.1\n$$" + RIGHT_21 + "$$\n"
    assert verdict("2.1", _answer(md, "answers.md", "2.1")) == "passed"


def test_a_wrong_answer_written_with_macros_is_still_rejected():
    tex = PD + "\n\\subsection*{Question 2.1}\n\\[ " + WRONG_21 + " \\]\n"
    assert verdict("2.1", _answer(tex, "answers.tex", "2.1")).startswith("failed")


def test_macros_that_use_others_defaults_and_operators():
    text = (r"\DeclareMathOperator{\sig}{sig}\newcommand{\s}[1][k]{s_{#1}}\newcommand{\twice}[1]{\s #1 \s}"
            r"$\sig(x) + \s[j] + \twice{b} + \alpha\s$")
    assert expand_macros(text, "a.tex") == r"$\operatorname{sig}(x) + s_{j} + s_{k} b s_{k} + \alpha s_{k}$"


def test_a_macro_is_the_students_own_where_it_shadows_a_command():
    assert expand_macros(r"\renewcommand{\frac}[2]{(#1)/(#2)}$\frac ab$", "a.tex") == "$(a)/(b)$"
    assert expand_macros(r"\providecommand{\frac}[2]{(#1)/(#2)}$\frac ab$", "a.tex") == r"$\frac ab$"  # LaTeX has it


def test_a_macro_is_used_only_after_its_definition_and_a_hidden_one_is_not_defined():
    assert expand_macros(r"$\x$ \newcommand{\x}{y} $\x$", "a.tex") == r"$\x$  $y$"
    assert read_answers_file(b"% \\newcommand{\\x}{y}\n$\\x$", "a.tex") == "\n$\\x$"
    assert read_answers_file(b"\\newcommand{\\x}{y}\n$\\x$", "a.txt") == "\\newcommand{\\x}{y}\n$\\x$"  # plain text as is


def test_self_reference_stops_at_a_fixed_depth():
    got = expand_macros(r"\newcommand{\x}{\x a}$\x$", "a.tex")
    assert got.count("a") == 3 and "\\x" in got  # left for the reader to refuse as an unknown command


@pytest.mark.parametrize("text, why", [
    (r"\newcommand{\a}[1]{#1#1#1#1#1#1#1#1#1#1}\a{\a{\a{x}}}" * 200, "expand to more than"),
    (r"\newcommand{\q}{" + "x" * 600 + "}", "longer than 500"),
    (r"\newcommand{\q}[1]{x", "balanced braces"),
    ("".join(r"\newcommand{\m%s%s}{x}" % (chr(65 + i // 26), chr(97 + i % 26)) for i in range(60)), "more than 50 macros"),
])
def test_beyond_a_bound_the_file_is_refused_in_one_line(text, why):
    with pytest.raises(NotationError) as exc:
        read_answers_file(text.encode(), "answers.tex")
    assert why in str(exc.value) and "answers.tex" in str(exc.value) and "\n" not in str(exc.value)


_PIECES = st.sampled_from([r"\newcommand{\a}[2]{#1#2#2}", r"\def\b#1{\a{#1}{#1}}", r"\renewcommand\a[1][z]{\b{#1}#1}",
                           r"\a", r"\b", "{", "}", "#1", "x", " ", "\n", "[", "]", r"\providecommand{\c}{\c\a}", r"\c"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60), st.text(max_size=40))
def test_any_text_expands_within_bounds_or_is_refused_in_one_line(pieces, noise):
    text = "".join(pieces) + noise
    t0 = time.perf_counter()
    try:
        got = expand_macros(text, "a.tex")
    except NotationError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("a.tex: ")
    else:
        assert len(got) <= len(text) + MACRO_GROWTH + 4 * len(text)
    assert time.perf_counter() - t0 < 2.0


def _cost(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        try:
            expand_macros(text, "a.tex")
        except NotationError:
            pass
        best = min(best, time.perf_counter() - t0)
    return best


def test_macros_are_expanded_in_linear_time():
    for unit in (r"\pd{E}{z_{1,1,k}} + ", r"\pd{" + " " * 50, "{" * 20 + r"\pd", r"\newcommand{\x}{\x} \x ",
                 r"\def\y#1.{} \newcommand " + " " * 30):
        small, large = _cost(PD + unit * 200), _cost(PD + unit * 3200)
        assert large < 40 * small + 0.05, (unit[:12], small, large)
