"""Written answers that the rendered page does not show, or shows changed: attack round aside5.

A wrong answer must never pass because part of what the student wrote was not read: text after a
comma that could change the value (``…, squared``, ``c_w = 3,7``, ``…, \\quad a \\ne b``) makes
the answer unreadable, with the piece named; text hidden from the rendered page (an HTML comment,
``\\iffalse``, a ``comment`` environment, a ``%`` comment) is not graded; a thousand minus signs
are refused as nested too deeply, like any other nesting."""
from __future__ import annotations

import pytest

from tests.test_written import verdict

SIZES = "c_h = 3\np_w = 2\np_h = 2"


# --- 3. nesting through signs and exponents counts toward MAX_DEPTH -------------------------

@pytest.mark.parametrize("qid, text", [
    ("1.1", "c_w = " + "-" * 1000 + "3\n" + SIZES),  # attack 19: RecursionError leaked as the verdict
    ("1.1", "c_w = " + "- " * 1000 + "3\n" + SIZES),
    ("1.1", "c_w = " + "2^" * 1000 + "1\n" + SIZES),  # a tower of exponents
    ("1.1", "c_w = 2" + "^-2" * 1000 + "\n" + SIZES),
    ("1.3", "z[pi,pj,k] = " + "-" * 5000 + "y[pi,pj,k]"),
])
def test_a_thousand_signs_or_exponents_are_nested_too_deeply_not_a_recursion_error(qid, text):
    assert "nested too deeply" in verdict(qid, text)


def test_a_few_signs_still_read():
    assert verdict("1.1", "c_w = --3\n" + SIZES) == "passed"
    assert verdict("1.1", "c_w = -(-3)\n" + SIZES) == "passed"
    assert verdict("1.1", "c_w = +++3\n" + SIZES) == "passed"
    assert verdict("1.1", "c_w = ---3\n" + SIZES).startswith("failed")
    assert verdict("1.1", "c_w = " + "-" * 1000 + "+" * 1000 + "3\n" + SIZES).startswith("error")


# --- 2. text hidden from the rendered page is not graded --------------------------------------

Z13 = "z[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k] + y[pi+1,pj,k] + y[pi+1,pj+1,k]"
Z13_TEX = r"z_{p_i,p_j,k} = y_{p_i,p_j,k} + y_{p_i,p_j+1,k} + y_{p_i+1,p_j,k} + y_{p_i+1,p_j+1,k}"


def graded(name: str, content: str, qid: str = "1.3") -> str:
    """The verdict on ``qid`` of a whole answers file, read as the grader reads it."""
    from grader.intake.notation import read_answers_file, sections
    body = sections(read_answers_file(content.encode(), name)).get(qid)
    return "no answer" if body is None else verdict(qid, body)


@pytest.mark.parametrize("name, content", [
    ("answers.md", f"## 1.3\nI did not do this one.\n<!--\n{Z13}\n-->\n"),  # attack 15 (hidden_only)
    ("answers.md", f"## 1.3\n<!-- $${Z13_TEX}$$ -->\n\n$$z_{{p_i,p_j,k}} = 2 y_{{p_i,p_j,k}}$$\n"),  # attack 15
    ("answers.md", f"## 1.3\nnot done <!-- $${Z13_TEX}$$"),  # unclosed: an HTML block to the end
    ("answers.md", f"<!--\n## 1.3\n$${Z13_TEX}$$\n-->\n## 1.4\n"),  # the heading hidden too
    ("answers.md", f"## 1.3\n`x\n<!-- $${Z13_TEX}$$ -->\n` y"),  # a backtick never closed on its line
    ("answers.tex", f"\\section*{{1.3}}\n\\iffalse\n\\[ {Z13_TEX} \\]\n\\fi\nI could not do 1.3.\n"),  # attack 16
    ("answers.tex", f"\\section*{{1.3}}\n\\begin{{comment}}\n\\[ {Z13_TEX} \\]\n\\end{{comment}}\nI could not.\n"),
    ("answers.tex", f"\\section*{{1.3}}\n% \\[ {Z13_TEX} \\]\nI could not.\n"),  # a % comment was graded too
    ("answers.tex", f"\\section*{{1.3}}\n\\iffalse \\ifx a b \\fi \\[ {Z13_TEX} \\] % \\fi\n \\fi\nno.\n"),  # nested, a commented \fi
    ("answers.tex", f"\\section*{{1.3}}\n\\iffalse \\[ {Z13_TEX} \\]"),  # unclosed: to the end
])
def test_an_answer_hidden_from_the_rendered_page_is_not_graded(name, content):
    assert graded(name, content) != "passed"


@pytest.mark.parametrize("name, content", [
    ("answers.md", f"## 1.3\n<!-- my first try: z = 2y -->\n$${Z13_TEX}$$\n"),
    ("answers.md", f"## 1.3\n_Sum pooling_ adds the window:\n\n```\n{Z13}\n```\n"),  # fenced code: plain notation
    ("answers.md", f"## 1.3\nSee `<!--` in code, and: $${Z13_TEX}$$ `-->`"),
    ("answers.tex", f"\\section*{{1.3}} % sum pooling\n\\[ {Z13_TEX} \\] % the window\n"),
    ("answers.tex", f"\\section*{{1.3}}\n\\iffalse z = 2y \\else \\[ {Z13_TEX} \\] \\fi\n"),
    ("answers.tex", f"\\section*{{1.3}}\n\\begin{{comment}} z = 2y \\end{{comment}}\n\\[ {Z13_TEX} \\]\n"),
    ("answers.txt", f"## 1.3\n{Z13}\n"),
    ("answers.tex", f"\\documentclass{{article}}\\begin{{document}}\n\\section*{{1.3}}\n\\[ {Z13_TEX} \\]\n\\end{{document}}"),
])
def test_an_answer_shown_on_the_page_is_still_graded(name, content):
    assert graded(name, content) == "passed"


def test_comment_markers_in_code_are_kept():
    from grader.intake.notation import read_answers_file
    text = f"## 1.3\n```\n<!-- not a comment in code -->\n{Z13}\n```\n"
    assert read_answers_file(text.encode(), "answers.md") == text


def test_a_notebooks_markdown_loses_its_html_comments():
    import json
    from grader.intake.notation import read_answers_file
    nb = {"cells": [{"cell_type": "markdown", "source": [f"## 1.3\nnot done <!-- $${Z13_TEX}$$ -->"]}]}
    assert "y_{p_i" not in read_answers_file(json.dumps(nb).encode(), "hw.ipynb")


from hypothesis import given, settings, strategies as st  # noqa: E402

_SHOWN = st.text(alphabet="ab $=+\n", max_size=12)
_HIDDEN = st.text(alphabet="ab $=+\n-<!", max_size=12).map(lambda s: s.replace("-->", ""))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_SHOWN, _HIDDEN), max_size=8), _SHOWN)
def test_markdown_keeps_what_is_shown_and_drops_every_comment(pairs, last):
    from grader.intake.notation import visible
    text = "".join(f"{shown}<!--SECRET{hidden}-->" for shown, hidden in pairs) + last
    got = visible(text, "a.md")
    assert "SECRET" not in got
    assert got == "".join(shown for shown, _h in pairs) + last


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab\\%{}\nif`-<!>", max_size=60), st.sampled_from(["a.md", "a.tex", "a.txt"]))
def test_what_is_visible_is_a_subsequence_of_the_text(text, name):
    """Nothing is added or reordered: pieces are only cut out (any text, any file kind)."""
    from grader.intake.notation import visible
    got, it = visible(text, name), iter(text)
    assert all(ch in it for ch in got)
    if "<!" not in text and "<?" not in text and name != "a.tex":  # (comments and bogus comments cut)
        assert got == text


@pytest.mark.parametrize("name, unit", [
    ("a.md", "<!-- a "), ("a.md", "`` a <!-- b "), ("a.md", "` `` ``` x\n"), ("a.md", "```\n<!--\n"),
    ("a.md", "<!-- x --> ` a `` b\n"), ("a.tex", "\\iffalse \\ifx "), ("a.tex", "% a \\fi\n"),
    ("a.tex", "\\begin{comment} a "), ("a.tex", "\\\\ \\% \\else \\fi "),
])
def test_hidden_text_is_found_in_linear_time(name, unit):
    import time
    from grader.intake.notation import visible

    def cost(text):
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            visible(text, name)
            best = min(best, time.perf_counter() - t0)
        return best
    small, large = cost(unit * 500), cost(unit * 8000)
    assert large < 40 * small + 0.05, (unit, small, large)


# --- 1. text after a comma that could change the value is refused, never dropped -------------

Z13_SUM = r"z_{p_i,p_j,k} = \sum_{a=0}^{1}\sum_{b=0}^{1} y_{p_i+a,p_j+b,k}"
DZ22 = r"\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} (o_m - y_m) o_m (1 - o_m) w_{p_i,p_j,k,o_m}"

AFTER_COMMA = [  # (question, a wrong answer that passed with the text after its comma dropped, the piece named)
    ("1.3", Z13 + ", squared", "squared"),  # attack 31
    ("1.3", Z13 + ", all divided by four", "/"),
    ("1.3", Z13 + ", and then multiplied by 4", "*"),
    ("1.1", "c_w = 3, minus one\n" + SIZES, "-"),
    ("1.1", "c_w = 3, or 4 if I am wrong\n" + SIZES, "or"),
    ("1.1", "c_w = 3, 4\n" + SIZES, "4"),
    ("1.1", "c_w = 3,7\n" + SIZES, "7"),  # attack 28: a decimal comma
    ("1.1", "$c_w = 3,7$, $c_h = 3,2$, $p_w = 2,5$, $p_h = 2,9$", "7"),
    ("1.3", f"$${Z13_SUM}, \\quad a \\ne b$$", "\\ne"),  # attack 27
    ("1.3", f"$${Z13_SUM}, \\quad a \\neq b$$", "\\neq"),
    ("1.3", f"$${Z13_SUM}, \\quad a ≠ b$$", "!"),
    ("2.2", f"$${DZ22}, \\quad m < 2$$", "<"),
    ("2.2", f"$${DZ22}, \\quad m \\leq 1$$", "\\le"),
    ("2.2", f"$${DZ22}, \\quad m \\notin \\{{2\\}}$$", "\\notin"),
    # the same, in words the first round did not list
    ("1.3", Z13 + ", which is then squared", "squared"),  # (three words: once dropped as prose)
    ("1.3", Z13 + ", or maybe half of it", "or"),
    ("1.3", Z13 + ", cubed", "cubed"),
    ("1.3", Z13 + ", the inverse", "inverse"),
    ("1.3", Z13 + ", negative", "negative"),
    ("1.3", Z13 + ", twice", "twice"),
    ("1.3", Z13 + ", except at the border", "except"),
    ("1.3", Z13 + ", only for the first window", "only"),
    ("1.3", Z13 + ", unless the window is empty", "unless"),
    ("1.3", Z13 + ", over four", "over"),
    ("1.3", Z13 + ", plus y[pi,pj,k]", "+"),
    ("1.3", Z13 + ", a-b", "a-b"),
    ("1.3", Z13 + "; squared", "squared"),  # (after ; or "and" alike)
    ("1.3", Z13 + " and squared", "squared"),
]


@pytest.mark.parametrize("qid, text, piece", AFTER_COMMA)
def test_text_after_a_comma_that_could_change_the_answer_makes_it_unreadable(qid, text, piece):
    got = verdict(qid, text)
    assert got.startswith("error: ") and "follows the formula but is not part of it" in got, got
    assert f"'{piece}'" in got and "write the condition into the formula, or put prose in its own sentence" in got
    assert "\n" not in got


@pytest.mark.parametrize("qid, text", [
    ("1.3", Z13 + r" \text{, which is then squared}"),  # \text{…} prose was dropped the same way
    ("1.3", Z13 + r" \text{(except the first)}"),  # and a remark in parentheses
    ("1.3", Z13 + r" \text{(only if a = b)}"),
])
def test_prose_in_text_that_could_change_the_answer_is_not_dropped(qid, text):
    assert verdict(qid, text).startswith("error: ")


@pytest.mark.parametrize("qid, text", [
    ("1.3", Z13 + ", as required"),
    ("1.3", Z13 + ", which is the window's sum"),
    ("1.3", Z13 + ", the so-called sum pooling"),
    ("1.3", Z13 + ", for each window"),
    ("1.3", Z13 + ", summed over the window"),  # (prose a fresh check found refused: over, 1, four, one)
    ("1.3", Z13 + ", using 1-based indices"),
    ("1.3", Z13 + ", as in lecture 7"),
    ("1.3", Z13 + ", which is just the sum of the four neurons in the window"),
    ("1.3", Z13 + ", one per channel"),
    ("1.3", Z13 + r" \text{(by the chain rule)}"),
    ("1.3", Z13 + r" \text{, which is the pooled value}"),
    ("1.3", f"$${Z13_SUM}, \\quad a \\in \\{{0, 1\\}}$$"),  # a quantifier, read
    ("1.1", "c_w = 3, c_h = 3, p_w = 2, p_h = 2"),  # definitions after commas, read
    ("1.1", "c_w = 3, the width of the convolution output\n" + SIZES),
    ("2.2", f"$${DZ22}, \\quad m = 1, 2$$"),
    ("2.2", r"$$\frac{\partial E}{\partial z_{p_i,p_j,k}} = \sum_{m=1}^{2} \delta_m w_{p_i,p_j,k,o_m}, \quad \delta_m = (o_m - y_m) o_m (1 - o_m)$$"),
])
def test_prose_and_definitions_after_a_comma_still_read(qid, text):
    assert verdict(qid, text) == "passed"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_the_modifier_scan_reads_any_text(piece):
    """Any text: a word, symbol or number it names is in the text; plain lowercase prose is none."""
    from grader.intake.notation import _modifier
    for found in (_modifier(piece), _modifier(piece, relations_only=True)):
        assert found is None or found.lower() in piece.lower()
    if _modifier(piece) is None:  # (a line of its own is held to relations only: never stricter)
        assert _modifier(piece, relations_only=True) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["as", "required", "which", "is", "the", "window's", "sum", "pooled", "value",
                                 "so-called", "result", "of", "pooling", "by", "chain", "rule"]), min_size=1, max_size=8),
       st.sampled_from(["squared", "or", "only", "over 3", "by four", "=", "<", "\\ne", "twice", "-", "half"]))
def test_one_modifier_anywhere_in_prose_is_found(words, modifier):
    from grader.intake.notation import _modifier
    assert _modifier(" ".join(words)) is None
    for at in (0, len(words) // 2, len(words)):
        assert _modifier(" ".join(words[:at] + [modifier] + words[at:])) is not None


def test_the_modifier_scan_is_linear():
    from grader.intake.notation import _modifier
    from tests.test_written_forms import _cost

    def cost(text):
        return _cost(_modifier, text)
    for unit in ("as required ", "so-called-" * 3 + " ", "a_{b} ", "'`"):
        small, large = cost(unit * 500), cost(unit * 8000)
        assert large < 40 * small + 0.05, (unit, small, large)


def test_an_interval_quantifier_is_read_not_dropped():
    """``, \\quad m \\in [1, 2]`` was passed over unread: right by luck for [1, 2], and [1, 1] (o_1
    only) passed as well.  Now the interval is m's values."""
    from tests.test_written_sweep import O4
    assert verdict("1.4", f"$${O4}, \\quad m \\in [1, 2]$$") == "passed"
    assert verdict("1.4", f"$${O4}, \\quad m \\in [1, 1]$$") != "passed"
    assert verdict("1.4", f"$${O4}, \\quad m \\in [2, 1]$$").startswith("error: ")


@pytest.mark.parametrize("text, piece", [
    (f"$${Z13_SUM} \\\\ a \\ne b$$", "\\ne"),  # the constraint on the display's next line
    (f"$${Z13_SUM}$$\n$$a \\ne b$$", "\\ne"),
    (f"$${Z13_SUM} \\\\ \\text{{for }} a < b$$", "<"),
])
def test_a_constraint_on_a_line_of_its_own_makes_the_answer_unreadable(text, piece):
    got = verdict("1.3", text)
    assert got.startswith("error: ") and "on a line of its own" in got and f"'{piece}'" in got, got


@pytest.mark.parametrize("qid, text", [
    ("2.1", r"$$\frac{\partial E}{\partial o_m} \cdot \frac{\partial o_m}{\partial w_{p_i,p_j,k,o_m}}$$" "\n"
            r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = (o_m - y_m)\, o_m (1 - o_m)\, z_{p_i,p_j,k}$$"),
    ("2.1", r"$$(o_m - y_m)\, \sigma(net_m)(1 - \sigma(net_m))$$" "\n"
            r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = (o_m - y_m)\, o_m (1 - o_m)\, z_{p_i,p_j,k}$$"),
])
def test_an_expression_on_a_line_of_its_own_is_still_a_step(qid, text):
    """A display holding only an expression (a step of the derivation) stays passed over."""
    assert verdict(qid, text) == "passed"


# --- ranges and types after a formula are read, not refused (two held-out students) ------------

Y12_TEX = (r"y_{r,s,k} = \sigma\left(w_{1,1,k} x_{r,s} + w_{1,2,k} x_{r,s+1} + w_{2,1,k} x_{r+1,s} "
           r"+ w_{2,2,k} x_{r+1,s+1}\right)")


@pytest.mark.parametrize("qid, text, want", [
    ("1.2", Y12_TEX + r", \quad 1 \le r, s \le 3", "passed"),  # one range for two indices
    ("1.2", Y12_TEX + r", \quad 1 \le r \le 3, 1 \le s \le 3", "passed"),
    ("1.2", Y12_TEX + r", \quad 1 \le r, s < 4", "passed"),
    ("1.2", Y12_TEX + r", \quad 1 \le r, s \le 2", "failed"),  # y_{3,*,k} left undefined
    ("1.3", r"z_{r,s,k} = y_{r,s,k} + y_{r,s+1,k} + y_{r+1,s,k} + y_{r+1,s+1,k}, \quad 1 \le r, s \le 2", "passed"),
    ("1.3", r"z_{r,s,k} = y_{r,s,k} + y_{r,s+1,k} + y_{r+1,s,k}, \quad 1 \le r, s \le 2", "failed"),
])
def test_a_range_for_several_indices_after_the_formula_is_read(qid, text, want):
    assert verdict(qid, text).startswith(want)


def test_a_type_declaration_beside_the_answer_is_prose():
    # "$\mathbf{z} \in \mathbb{R}^{12}$" in a sentence restricts no value; a set of numbers does
    o14 = r"o_m = \sigma\left(\sum_{k=1}^{3}\sum_{p_i=1}^{2}\sum_{p_j=1}^{2} w_{p_i,p_j,k,o_m} z_{p_i,p_j,k}\right)"
    assert verdict("1.4", "Stack them into $\\mathbf{z} \\in \\mathbb{R}^{12}$ and then\n$$" + o14 + "$$") == "passed"
    assert verdict("1.4", "$$" + o14 + r", \quad z \in \mathbb{R}^{2 \times 2 \times 3}$$") == "passed"
    assert verdict("1.4", "$$" + o14 + r", \quad m \in \{1\}$$") != "passed"


@pytest.mark.parametrize("piece, found", [
    ("4", "4"), ("7", "7"), ("four", "four"), ("3, 4", "3"),  # a number alone is a value
    ("over 4", "over"), ("by two", "by"), ("x2", "x"), ("from 1 to 2", "from"),  # a number as an operand
    ("as in lecture 7", None), ("the sum of the four neurons", None), ("using 1-based indices", None),
    ("one per channel", None), ("over the 2x2 window", None), ("summed over the window", None),
])
def test_a_number_changes_the_answer_only_as_an_operand(piece, found):
    from grader.intake.notation import _modifier
    assert _modifier(piece) == found


# --- remarks after a formula: i.e./e.g./namely, "for each …" without values, a parenthesis of
# words, a new sentence.  Dropped only where nothing in them could change or restrict the value

@pytest.mark.parametrize("text, piece", [
    (Z13 + ", i.e. squared", "squared"),
    (Z13 + ", e.g. z[1,1,k] = y[1,1,k] + y[1,2,k] + y[2,1,k] + y[2,2,k]", "="),  # an example: never read as the answer
    (Z13 + ", for all k in 1, 2", "1"),  # values after a for
    (Z13 + ", for every k in 1 2", "1"),
    (Z13 + ", for the first channel", "first"),  # a word that picks values out
    (Z13 + ", i.e. for the top-left window", "top"),
    (Z13 + " (first channel only)", "only"),
    (Z13 + ". Then divide by 4.", "divide"),
    (Z13 + ", i.e. over 1.5", "over"),
    (Z13 + ", i.e. over one-hundred", "over"),
    (Z13 + ", i.e. averaging over the window", "averaging"),
    (Z13 + ". Here k runs over 1 and 2.", "over"),  # an index's values, without a for
    (Z13 + ". Channels 1 and 2.", "1"),
    (Z13 + ", i.e. for one channel", "one"),
    (Z13 + ", which is the sum over one and two", "over"),  # (the comma-prose rule: one and two are values)
])
def test_a_remark_that_could_change_the_answer_makes_it_unreadable(text, piece):
    got = verdict("1.3", text)
    assert got.startswith("error: ") and "follows the formula but is not part of it" in got, got
    assert f"('{piece}')" in got and "\n" not in got, got


@pytest.mark.parametrize("piece, found", [
    ("this is the sum over one window", None),  # x / 1 before a noun: the value kept
    ("i.e. over 1", "over"), ("k runs over one and two", "over"), ("over 1, 2", "over"),
    ("i.e. no averaging", None), ("i.e. averaging", "averaging"), ("no squaring", None), ("squaring", "squaring"),
    ("for the k-th channel", None), ("a-b", "a-b"), ("over one-hundred", "over"), ("over 1.5", "over"),
])
def test_the_modifier_scan_refined(piece, found):
    from grader.intake.notation import _modifier
    assert _modifier(piece) == found


@pytest.mark.parametrize("remark, found", [
    (", for each of the 3 channels", None), (", for the 2x2 window", None), (", for all k in 1, 2", "1"),
    (", for k in one and two", "one"), (", for odd k", "odd"), (" (same for the other channels)", "same"),
    (" (sum pooling, stride 1)", None), (". As in lecture 7.", None), (", using 1-based indices", None),
    (". This is the sum over one window.", None), (". Here k takes 1, 2", "1"), (" (channel 3)", "3"),
])
def test_the_remark_scan(remark, found):
    from grader.intake.notation import _remark_change
    assert _remark_change(remark) == found


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
def test_a_remark_split_is_a_prefix_and_the_rest_of_any_text(text):
    from grader.intake.notation import _remark, _remark_change
    cut = _remark(text)
    if cut is not None:
        formula, remark = cut
        assert "=" in formula and text.startswith(remark[:0]) and text.endswith(remark)
        assert text[:len(text) - len(remark)].rstrip().rstrip(",;").rstrip() == formula
    found = _remark_change(text)
    assert found is None or found.lower() in text.lower()


def test_the_remark_scan_is_linear():
    import time
    from grader.intake.notation import _remark, _remark_change

    def cost(text):
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            _remark(text)
            _remark_change(text)
            best = min(best, time.perf_counter() - t0)
        return best
    for unit in ("for each ", "a = b (x y) ", " . " * 3, "z = 1 , " + " " * 20, "(((( ", "for the 3 channels 1 "):
        small, large = cost("z = " + unit * 500), cost("z = " + unit * 8000)
        assert large < 40 * small + 0.05, (unit, small, large)


def test_a_line_with_many_remarks_is_read_in_linear_time():
    import time
    line = "$$" + Z13_SUM + ", i.e. the window's sum" * 2 + "$$"
    t0 = time.perf_counter()
    assert verdict("1.3", line) == "passed"
    small = time.perf_counter() - t0
    t0 = time.perf_counter()
    verdict("1.3", "$$" + Z13_SUM + ", i.e. the window's sum" * 2000 + "$$")
    assert time.perf_counter() - t0 < 100 * small + 0.5


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="|= $ab_1-\t\nDefinethLt", max_size=80))
def test_a_lead_in_words_is_cut_from_the_front_and_table_rows_keep_their_equations(text):
    from grader.intake.notation import _plain_values, _without_lead
    for line in text.split("\n"):
        assert line.endswith(_without_lead(line)) or _without_lead(line) == ""
    out = _plain_values(text)
    assert out.count("\n") == text.count("\n")


def test_the_lead_table_and_worded_sum_scans_are_linear():
    import time
    from grader.intake.notation import _plain_values, _without_lead, normalize
    from tests.test_written_forms import _cost as cost
    for fn, unit in ((_without_lead, "define the a "), (_without_lead, "let " + "x" * 20 + " "),
                     (_plain_values, "| a = 1 "), (_plain_values, "|" + " " * 30), (_plain_values, "| a = 1 |\n"),
                     (normalize, "sum over k=1..3, "), (normalize, "sum over k = 1 .. 3 and " + " " * 10)):
        times = 300 if fn is not normalize else 30  # (normalize takes at most 20000 characters)
        small, large = cost(fn, unit * times), cost(fn, unit * 16 * times)
        assert large < 40 * small + 0.05, (unit, small, large)


def test_a_worded_sum_takes_at_most_eight_ranges():
    many = ", ".join(f"a{i}=1..1" for i in range(12))
    got = verdict("1.3", f"z[pi,pj,k] = sum over {many} of y[pi,pj,k]")
    assert got.startswith("error: ")


# --- text after a step that nothing uses cannot change the answer -----------------------------

DW21 = "dE/dw[pi,pj,k,o[m]] = (o[m] - y[m]) o[m] (1 - o[m]) z[pi,pj,k]  for m = 1, 2"


def test_text_after_a_step_nothing_uses_is_prose_around_it():
    """W10 (sealed set): a lead-in line defines a step of one's own and goes on in words."""
    lead = "dE/do_m = (o_m - y_m), and the sigmoid derivative is o_m (1 - o_m):\n\n"
    assert verdict("2.1", lead + DW21) == "passed"
    wrong = DW21.replace("(1 - o[m]) ", "")
    assert verdict("2.1", lead + wrong).startswith("failed")


@pytest.mark.parametrize("text", [
    # the step is used by the answer: what follows it could change the answer, so it is refused
    "d_m = (o_m - y_m), squared\n\ndE/dw[pi,pj,k,o[m]] = d_m o[m] (1 - o[m]) z[pi,pj,k]  for m = 1, 2",
    "d_m = (o_m - y_m) o_m (1 - o_m), then applied the sigmoid\n\n"
    "dE/dw[pi,pj,k,o[m]] = d_m z[pi,pj,k]  for m = 1, 2",
    # the asked quantity itself, followed by text
    DW21 + ", all divided by four",
])
def test_text_after_a_step_the_answer_uses_is_still_refused(text):
    got = verdict("2.1", text)
    assert got.startswith("error: "), got


# --- attack round aside10: hidden HTML, continuation lines, a redefined sigmoid ---------------

SIZES11 = "c_w = 3\nc_h = 3\np_w = 2\np_h = 2"


@pytest.mark.parametrize("wrap", [
    "<div hidden>\n\n{}\n\n</div>", "<p hidden>\n\n{}\n\n</p>", '<div style="display: none">\n\n{}\n\n</div>',
    "<template>\n\n{}\n\n</template>", '<script type="text/plain">\n{}\n</script>', "<style>\n{}\n</style>",
    "<textarea hidden>\n{}\n</textarea>", '<div class="d-none">\n\n{}\n\n</div>',
    "<div hidden>\n<div>\n</div>\n\n{}\n\n</div>",  # (a nested element of the same name: counted)
    "<div hidden>\n\n{}\n",  # unclosed: hidden to the end, as a browser hides it
])
def test_an_answer_inside_an_html_element_the_page_hides_is_not_graded(wrap):
    assert graded("answers.md", "## 1.1\n" + wrap.format(SIZES11) + "\n\nI did not finish.\n", "1.1") != "passed"


@pytest.mark.parametrize("wrap", ["<details><summary>answer</summary>\n\n{}\n\n</details>",
                                  '<div class="alert alert-info">\n\n{}\n\n</div>', "{}\n\n<br/>"])
def test_an_answer_inside_an_element_that_shows_is_graded(wrap):
    assert graded("answers.md", "## 1.1\n" + wrap.format(SIZES11) + "\n", "1.1") == "passed"


@pytest.mark.parametrize("text", ["<div hidden>" * 20000, "<p " + "a " * 50000, "<div hidden>a</div>" * 5000,
                                  "<x style=" * 20000])
def test_hidden_elements_are_found_in_linear_time(text):
    import time
    from grader.intake.notation import visible
    t0 = time.perf_counter()
    visible(text, "answers.md")
    assert time.perf_counter() - t0 < 2.0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["<div hidden>", "</div>", "<div>", "<p style='x'>", "</p>", "c_w = 3", "\n",
                                 "<!--", "-->", "`", "```", "<template>", "</template>", "a"]), max_size=30))
def test_the_visible_text_is_part_of_the_text(pieces):
    from grader.intake.notation import visible
    text = "".join(pieces)
    shown = visible(text, "answers.md")
    assert len(shown) <= len(text)


@pytest.mark.parametrize("qid, text", [
    ("1.3", Z13 + "\n    - 2 y[pi,pj,k]"),  # Markdown joins the paragraph's lines: "… - 2 y[…]" on the page
    ("1.3", "z[pi,pj,k] = (y[pi,pj,k] + y[pi,pj+1,k] + y[pi+1,pj,k] + y[pi+1,pj+1,k])\n\\times 2"),
    ("1.1", "c_w = 3\n    + 1\n\nc_h = 3\np_w = 2\np_h = 2"),
    ("1.1", "c_w = 3\n× 2\n\nc_h = 3\np_w = 2\np_h = 2"),
])
def test_a_line_the_page_joins_to_the_formula_is_graded_with_it(qid, text):
    assert verdict(qid, text) != "passed"


def test_a_formula_continued_on_the_next_line_is_read_whole():
    """(an honest answer split over two lines lost its second line: graded wrong)"""
    assert verdict("1.3", "z[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k]\n  + y[pi+1,pj,k] + y[pi+1,pj+1,k]") == "passed"
    assert verdict("1.3", Z13 + "\nThis is the sum over the window.") == "passed"
    assert verdict("1.3", Z13 + "\n(y from 1.2, summed over the window)") == "passed"  # (a remark in words)


Y12 = "y[ci,cj,k] = sigma(x[ci,cj]*w[1,1,k] + x[ci,cj+1]*w[1,2,k] + x[ci+1,cj]*w[2,1,k] + x[ci+1,cj+1]*w[2,2,k])"
Y12_TEX = r"$$y_{c_i,c_j,k} = \sigma\left(\sum_{a=1}^{2}\sum_{b=1}^{2} x_{c_i+a-1,c_j+b-1} w_{a,b,k}\right)$$"


@pytest.mark.parametrize("answer", [Y12, Y12_TEX])
@pytest.mark.parametrize("definition, right", [
    ("where sigma(t) = t", False), ("sigma(t) = 2*t", False), (r"$\sigma(t) = 2t$", False),
    ("sigma(t) = 1/(1+exp(-t))", True), (r"$$\sigma(x) = \frac{1}{1 + \exp(-x)}$$", True),
    (r"where $\sigma(u) = (1+e^{-u})^{-1}$", True),
])
def test_the_students_own_definition_of_the_sigmoid_is_what_their_answer_means(answer, definition, right):
    if "$" in definition and "$" not in answer:
        return  # (a plain line in a section written in math: the math is read)
    got = verdict("1.2", answer + "\n\n" + definition)
    assert (got == "passed") is right, got


@pytest.mark.parametrize("qid, text", [
    ("1.2", "The convolution is\n" + Y12 + "\nwhere $\\sigma$ is the sigmoid."),
    ("1.2", Y12 + "\n\nHere $k$ runs over the channels and $c_i, c_j \\in \\{1,2,3\\}$."),
])
def test_plain_formulas_beside_math_symbols_in_prose_are_read(qid, text):
    """The section's math is only symbols in sentences: its formulas are its plain lines."""
    assert verdict(qid, text) == "passed"


def test_plain_lines_of_a_section_with_math_formulas_are_still_prose():
    prose = ("The window is again 2×2 with stride 1 on a 3×3 map, giving 3 − 2 + 1 = 2.\n\n"
             "$$c_w = 3,\\quad c_h = 3,\\quad p_w = 2,\\quad p_h = 2$$")
    assert verdict("1.1", prose) == "passed"


# --- sealed set W11: habits its students had that were refused --------------------------------

DW21_TEX = r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = (o_m - y_m)\, o_m (1 - o_m)\, z_{p_i,p_j,k}$$"


@pytest.mark.parametrize("qid, text", [
    # a plain helper line beside the math that uses it
    ("1.2", "Let $h_{c_i,c_j,k}$ be the pre-activation:\n\nh[ci,cj,k] = x[ci,cj]*w[1,1,k] + x[ci,cj+1]*w[1,2,k]"
            " + x[ci+1,cj]*w[2,1,k] + x[ci+1,cj+1]*w[2,2,k]\n\n$$y_{c_i,c_j,k} = \\sigma(h_{c_i,c_j,k})$$"),
    # sums in words over several indices, each from a number to a number
    ("1.2", "y[ci,cj,k] = sigma( sum over a from 0 to 1, b from 0 to 1 of w[a+1,b+1,k] times x[ci+a,cj+b] )"),
    ("1.3", "z[pi,pj,k] = the sum over a from 0 to 1 and b from 0 to 1 of y[pi+a,pj+b,k]"),
    # a plain step nothing uses, followed by a sentence with arithmetic in it, then the answer in math
    ("2.1", "∂E/∂o_m = (o_m − y_m). The derivative of o_m with respect to its pre-activation is o_m(1 − o_m).\n\n"
            + DW21_TEX),
])
def test_w11_habits_are_read(qid, text):
    assert verdict(qid, text) == "passed"


@pytest.mark.parametrize("qid, text", [
    ("1.3", "z[pi,pj,k] = 1/4 times the sum over a from 0 to 1, b from 0 to 1 of y[pi+a,pj+b,k]"),  # (a mean)
    ("1.2", "h[ci,cj,k] = x[ci,cj]*w[1,1,k] + x[ci,cj+1]*w[1,2,k] + x[ci+1,cj]*w[2,1,k]\n\n"
            "$$y_{c_i,c_j,k} = \\sigma(h_{c_i,c_j,k})$$"),  # (the helper lacks a term: read, and wrong)
    # a step the answer uses, followed by a sentence that could change it: refused, as before
    ("2.1", "d_m = (o_m − y_m). Then it is squared.\n\n"
            r"$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = d_m\, o_m (1 - o_m)\, z_{p_i,p_j,k}$$"),
])
def test_w11_habits_with_a_mistake_are_not_passed(qid, text):
    assert verdict(qid, text) != "passed"


@pytest.mark.parametrize("text, right", [
    ("```python\nc_w = c_h = (4 - 2) // 1 + 1   # = 3\np_w = p_h = (3 - 2) // 1 + 1   # = 2\n```", True),
    ("c_w = c_h = (4 - 2) // 1 + 1\np_w = p_h = (3 - 2) // 1 + 1", True),
    ("c_w = c_h = (4 - 2) // 2 + 1\np_w = p_h = (3 - 2) // 1 + 1", False),  # (a stride of 2: 2, not 3)
    ("c_w = c_h = (4 - 3) // 2 + 3\np_w = p_h = 2", True),  # ⌊1/2⌋ + 3 = 3: the floor, not 3.5
    ("c_w = c_h = (4 - 3) / 2 + 3\np_w = p_h = 2", False),
])
def test_python_floor_division_is_the_floor(text, right):
    assert (verdict("1.1", text) == "passed") is right


# --- attack round aside12 ------------------------------------------------------------------------

@pytest.mark.parametrize("qid, text", [
    ("1.3", Z13 + "\n\nr = 2: z[pi,pj,k] = r y[pi,pj,k]"),  # a second definition after other text
    ("1.1", SIZES11 + "\n\ns = 1: c_w = 4"),
    ("1.2", Y12 + "\n\nwhere $\\sigma(t) \\equiv t$."),  # the student's σ, written with ≡, :=, a lambda
    ("1.2", Y12 + "\n\nwhere sigma(t) := t"),
    ("1.2", Y12 + "\n\nsigma = lambda t: t"),
    ("1.2", "y[ci,cj,k] = 1/(1 + e^(-(x[ci,cj]*w[1,1,k] + x[ci,cj+1]*w[1,2,k] + x[ci+1,cj]*w[2,1,k]"
            " + x[ci+1,cj+1]*w[2,2,k])))\n\nwhere e = 2"),  # Euler's number redefined
])
def test_aside12_wrong_answers_are_not_passed(qid, text):
    assert verdict(qid, text) != "passed"


def test_a_function_defined_anywhere_in_the_file_holds_in_every_answer():
    from grader.intake.notation import _standard_functions_defined
    assert _standard_functions_defined("Notation: sigma(t) = t throughout.\n## 1.1\nc_w = 3") == ["sigma(t) = t"]
    found = _standard_functions_defined("σ(a) = 1/(1+exp(−a)) and its derivative is σ(a)(1−σ(a)).")
    assert len(found) == 1 and found[0].replace(" ", "").endswith("=1/(1+exp(-a))"), found  # (the sentence cut)
    assert _standard_functions_defined("Let f(t) = t.\n## 1.2") == []  # (a function of one's own: per answer)


def test_an_own_definition_that_cannot_be_read_is_not_replaced_by_another_answers():
    from grader.intake.notation import _answer_with_borrowed, NotationError
    from tests.test_written import Q
    everything = {"2.1": "$$\\delta_m = (o_m - y_m) o_m (1 - o_m)$$\n$$\\frac{\\partial E}{\\partial w_{p_i,p_j,k,o_m}} = "
                         "\\delta_m z_{p_i,p_j,k}$$",
                  "2.2": "$$\\frac{\\partial E}{\\partial z_{p_i,p_j,k}} = \\sum_{m=1}^{2} \\delta_m w_{p_i,p_j,k,o_m}$$\n"
                         "$$\\text{herein } \\delta_m \\equiv o_m - y_m$$"}
    from grader.intake.notation import equations
    with pytest.raises(NotationError):
        _answer_with_borrowed(equations(everything["2.2"]), Q["2.2"].spec, "2.2", everything)


@pytest.mark.parametrize("wrap", [
    "<dialog>\n\n{}\n\n</dialog>", "<datalist>\n{}\n</datalist>", "<noembed>\n{}\n</noembed>",
    "<div hidden>\n<div/>\n</div>\n\n{}\n\n</div>",  # (<div/> opens a div: only void elements close themselves)
    "<div hidden><textarea></div></textarea>\n\n{}\n\n</div>",  # (a textarea's content is text)
    '<div hidden title="</div>">\n\n{}\n\n</div>',  # (an attribute's value is read whole)
    "<div hidden><![CDATA[</div>]]>\n\n{}\n\n</div>",  # (a bogus comment ends at its first >)
    "<?x\n{}\n?>", "<![CDATA[\n{}\n]]>", "<!DOCTYPE\n{}\n>",
])
def test_html_the_page_hides_in_other_forms_is_not_graded(wrap):
    assert graded("answers.md", "## 1.1\n" + wrap.format(SIZES11) + "\n\nI did not finish.\n", "1.1") != "passed"


@pytest.mark.parametrize("text", ['<a "' * 20000 + '"', "<div hidden>" + '<a title="' * 5000, "<!" * 50000,
                                  "<div hidden>" + "<textarea>" * 20000])
def test_hidden_html_scans_stay_linear(text):
    import time
    from grader.intake.notation import visible
    t0 = time.perf_counter()
    visible(text, "answers.md")
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize("wrap", [
    "\\iftrue\\else\n{}\n\\fi", "\\ifnum0=1\n{}\n\\fi", "\\if01\n{}\n\\fi",
    "\\newif\\ifshow\\showfalse\n\\ifshow\n{}\n\\fi", "\\ifcase0\\or\n{}\n\\fi", "\\makeatletter\\@gobble{{\n{}\n}}",
])
def test_tex_conditionals_and_gobbled_groups_are_not_graded(wrap):
    body = wrap.format("\\[ c_w = 3 \\]\n\\[ c_h = 3 \\]\n\\[ p_w = 2 \\]\n\\[ p_h = 2 \\]")
    assert graded("answers.tex", "\\section*{1.1}\n" + body + "\nI did not finish.\n", "1.1") != "passed"


def test_a_newif_in_the_preamble_hides_nothing_after_it():
    body = "\\newif\\ifdraft\n\\section*{1.1}\n\\[ c_w = 3 \\]\n\\[ c_h = 3 \\]\n\\[ p_w = 2 \\]\n\\[ p_h = 2 \\]\n"
    assert graded("answers.tex", body, "1.1") == "passed"


Z13_TEX_D = "$$" + Z13_TEX + "$$"


@pytest.mark.parametrize("qid, text", [
    ("1.3", Z13_TEX_D + "\n-y[pi,pj,k]"),  # after a display, on the next line: joined on the page
    ("1.3", Z13 + "\n(- y[pi,pj,k])"),  # a parenthesis of math (index names are no words)
])
def test_a_line_joined_to_a_display_or_a_parenthesis_of_math_is_read_with_it(qid, text):
    assert verdict(qid, text) != "passed"


def test_a_list_item_after_a_display_is_prose():
    assert verdict("1.3", Z13_TEX_D + "\n- where y is the output of the convolution") == "passed"


@pytest.mark.parametrize("words, refused", [
    ("Here sigma is the identity function.", True), ("σ denotes the ReLU, not the sigmoid.", True),
    ("Note that σ is not linear, so the chain rule needs σ'.", False), ("σ is the logistic sigmoid.", False),
])
def test_sigma_said_in_words_to_be_another_function_is_refused(tmp_path, words, refused):
    from tests.test_written_zero_based import verdict_of_file
    path = tmp_path / "answers.md"
    path.write_text(f"{words}\n\n## 1.2\n{Y12}\n", encoding="utf-8")
    got = verdict_of_file(str(path), "1.2")
    assert (got != "passed") is refused, got


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("sigma(t)=\\equiv:<-$ \n+-*/x[]{}_0123lambdae,.;σ#>")), max_size=120))
def test_the_new_line_rules_read_any_text(text):
    """Plain statements, joined lines, definitions anywhere: any text is read or refused, never a crash."""
    from grader.intake.notation import NotationError, _standard_functions_defined, equations
    try:
        equations(text)
    except NotationError:
        pass
    assert isinstance(_standard_functions_defined(text), list)


def test_the_new_line_rules_are_linear():
    import time
    from grader.intake.notation import _standard_functions_defined, equations
    for text in ("z = 1\n" + "- 2\n" * 20000, "$$a$$\n-" * 20000, "sigma(t) = " * 5000, "σ is " * 20000):
        t0 = time.perf_counter()
        equations(text[:60000])
        _standard_functions_defined(text[:60000])
        assert time.perf_counter() - t0 < 2.0, text[:20]


# --- attack round aside13 ------------------------------------------------------------------------

@pytest.mark.parametrize("qid, text", [
    ("1.1", SIZES11 + "\n\n(for stride 2) c_w = 2"),  # a definition after other text, in any form
    ("1.1", SIZES11 + "\n\nActually, after re-checking, the width is c_w = 4."),
    ("1.3", Z13_TEX_D + "\n\\times 0"),
])
def test_aside13_wrong_answers_are_not_passed(qid, text):
    assert verdict(qid, text) != "passed"


@pytest.mark.parametrize("extra", [
    "where t =: sigma(t)", "def sigma(t): return t", "sigma = (lambda t: t)", "sigma: t ↦ t",
    "σ here stands for max(0, t).", "with a linear activation sigma",
])
def test_sigma_given_another_meaning_in_an_unread_form_is_refused(tmp_path, extra):
    """(what the whole file says of σ holds in every answer: read as a file, as the sandbox does)"""
    from tests.test_written_zero_based import verdict_of_file
    path = tmp_path / "answers.md"
    path.write_text(f"## 1.2\n{Y12}\n\n{extra}\n", encoding="utf-8")
    assert verdict_of_file(str(path), "1.2") != "passed"


@pytest.mark.parametrize("tag", ["canvas", "video", "audio"])
def test_media_fallback_content_is_not_graded(tag):
    assert graded("answers.md", f"## 1.1\n<{tag}>\n\n{SIZES11}\n\n</{tag}>\n\nI did not finish.\n", "1.1") != "passed"


@pytest.mark.parametrize("body", [
    "\\phantom{{{}}}", "\\makeatletter\\@secondoftwo{{{}}}{{I did not finish.}}", "\\typeout{{{}}}",
    "\\textcolor{{white}}{{{}}}", "\\excludecomment{{draft}}\n\\begin{{draft}}\n{}\n\\end{{draft}}",
    "\\begin{{equation}}\nc_w = 3\n\\end{{equation}}\n- 1\n{}",
])
def test_tex_text_a_pdf_never_shows_is_not_graded(body):
    sizes = "\\[ c_w = 3 \\]\n\\[ c_h = 3 \\]\n\\[ p_w = 2 \\]\n\\[ p_h = 2 \\]"
    text = body.format(sizes if "equation" not in body else "\\[ c_h = 3 \\]\n\\[ p_w = 2 \\]\n\\[ p_h = 2 \\]")
    assert graded("answers.tex", "\\section*{1.1}\n" + text + "\nI did not finish.\n", "1.1") != "passed"


def test_sigma_defined_twice_differently_is_refused(tmp_path):
    from tests.test_written_zero_based import verdict_of_file
    path = tmp_path / "answers.md"
    path.write_text(f"## 1.1\n{SIZES11}\n\nsigma(t) = t\n\n## 1.2\n{Y12}\n\n## 1.4\nsigma(a) = 1/(1+exp(-a))\n",
                    encoding="utf-8")
    assert verdict_of_file(str(path), "1.2").startswith("error")


def test_a_formula_after_words_and_a_colon_beside_math_is_read():
    """aside13, 17: "so in code: z[pi,pj,k] = 0" after a display defined z a second time unread."""
    assert verdict("1.3", Z13_TEX_D + "\n\nso in code: z[pi,pj,k] = 0") != "passed"
    assert verdict("1.3", Z13_TEX_D + "\n\nso in code: z[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k] + y[pi+1,pj,k]"
                   " + y[pi+1,pj+1,k]") == "passed"
