"""Written answers are spoken of as answers (not code), and how each was read comes first:
check's terminal lines, results.json and the HTML report (issue #25)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.intake.notation import Answer, equations, reading

ASG = load_assignment("hw4-written")
Q = {q.id: q for q in ASG.questions}
CODE_WORDS = re.compile(r"written_\d|_cnn_|NotImplementedError|NotationError|Traceback|\bcalls?\b|your code|"
                        r"your function|\breturns\b")

ANSWERS = r"""## 1.1
c_w = 3, c_h = 3, p_w = 2, p_h = 2

## 2.1
$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_m}} = (o_m - y_m) o_m (1 - o_m) z_{p_i,p_j,k} - y_m o_m z_{p_i,p_j,k}$$

## 2.2
The derivative is the sum over both outputs.

## 2.5
$$\frac{\partial E}{\partial y_{c_i,c_j,k}} = \frac{\partial E}{\partial z_{p_i,p_j,k}} \mathbf{1}\left[y_{c_i,c_j,k} == \max_{2 \text{ by } 2} \right]$$
"""


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    from click.testing import CliRunner

    from grader.cli import main
    tmp = tmp_path_factory.mktemp("words")
    (tmp / "answers.md").write_text(ANSWERS)
    r = CliRunner().invoke(main, ["check", str(tmp / "answers.md"), "--assignment", "hw4-written",
                                  "--html", str(tmp / "r.html")])
    j = CliRunner().invoke(main, ["check", str(tmp / "answers.md"), "--assignment", "hw4-written", "--json"])
    return r, json.loads(j.output[j.output.index("{"):]), (tmp / "r.html").read_text()


def test_results_speak_of_answers_not_code(checked):
    _r, data, _html = checked
    for q in data["questions"]:
        for text in (q["message"], q["traceback"], *q["notes"]):
            assert not CODE_WORDS.search(text), (q["id"], text)
    by = {q["id"]: q for q in data["questions"]}
    assert by["1.2"]["message"] == "no answer to 1.2: write it under a heading '## 1.2'"
    assert by["2.2"]["message"].startswith("your answer to 2.2 could not be read: no equation under '## 2.2'")


def test_the_terminal_speaks_of_answers_and_shows_each_reading_first(checked):
    r, _data, _html = checked
    out = r.output
    assert r.exit_code == 1
    assert not CODE_WORDS.search(out), out
    lines = out.splitlines()
    first_verdict = next(i for i, line in enumerate(lines) if re.match(r"\s*(PASSED|FAILED|ERROR|MISSING)\b", line))
    read = [i for i, line in enumerate(lines) if " read as: " in line or " not read: " in line]
    assert read and max(read) < first_verdict
    assert "  2.1 read as: ∂E/∂w[pi,pj,k,m] = (o[m] − y[m])·o[m]·(1 − o[m])·z[pi,pj,k] − y[m]·o[m]·z[pi,pj,k]" in lines
    assert "  1.1 read as: c_w = 3; c_h = 3; p_w = 2; p_h = 2" in lines
    spot = lines.index(next(line for line in lines if line.startswith("  2.5 not read: ")))
    assert r"\max_{2 \text{ by } 2}" in lines[spot + 1] and lines[spot + 2].strip() == "^"
    assert all(len(line) <= 130 for line in lines if " read as: " in line)


def test_the_report_shows_the_reading_at_the_top_of_each_question(checked):
    _r, data, html = checked
    assert not re.search(r"written_\d|_cnn_|NotImplementedError|NotationError|Traceback|your code", html)
    section = html[html.index('data-question="2.1"'):html.index('data-question="2.2"')]
    assert section.index("How your answer to 2.1 was read") < section.index('class="msg"')
    assert "(o[m] − y[m])·o[m]·(1 − o[m])·z[pi,pj,k]" in section and "Printed output" not in section
    bad = html[html.index('data-question="2.5"'):]
    assert "Your answer could not be read" in bad and "^</pre>" in bad
    assert {q["id"]: q["stdout"] for q in data["questions"]}["2.1"] == ""


@pytest.mark.parametrize("text, shown", [
    ("o[m] = sigma(sum(sum(sum(z[pi,pj,k]*w[pi,pj,k,m], k=1..3), pj=1..2), pi=1..2))",
     "o[m] = σ(Σ_{pi=1..2} Σ_{pj=1..2} Σ_{k=1..3} z[pi,pj,k]·w[pi,pj,k,m])"),
])
def test_the_reading_has_minimal_parentheses(text, shown):
    assert reading(Answer(text, Q["1.4"].spec)) == shown


@pytest.mark.parametrize("rhs, shown", [
    ("(o[m] - y[m]) * o[m] * (1 - o[m]) * z[pi,pj,k]", "(o[m] − y[m])·o[m]·(1 − o[m])·z[pi,pj,k]"),
    ("o[m]^2 * z[pi,pj,k] - (o[m] - y[m]) * z[pi,pj,k]", "o[m]^2·z[pi,pj,k] − (o[m] − y[m])·z[pi,pj,k]"),
    ("z[pi,pj,k] / (o[m] * y[m])", "z[pi,pj,k]/(o[m]·y[m])"),
    ("-(o[m] - y[m]) * z[pi,pj,k]", "−(o[m] − y[m])·z[pi,pj,k]"),
    ("(1 - o[m])^2 * z[pi,pj,k]", "(1 − o[m])^2·z[pi,pj,k]"),
])
def test_the_reading_keeps_the_parentheses_it_needs_and_no_more(rhs, shown):
    got = reading(Answer(f"dE/dw[pi,pj,k,m] = {rhs}", Q["2.1"].spec))
    assert got == f"∂E/∂w[pi,pj,k,m] = {shown}"


def _both(r) -> str:
    try:
        return r.output + (r.stderr or "")
    except ValueError:  # (stderr mixed into output)
        return r.output


def test_a_class_of_written_answers_graded_as_code_gets_a_hint_and_exit_1(tmp_path):
    from click.testing import CliRunner

    from grader.cli import main
    subs = tmp_path / "subs"
    (subs / "dave").mkdir(parents=True)
    for name in ("alice.md", "bob.tex", "dave/answers.md"):
        (subs / name).write_text(ANSWERS)
    (subs / "carol.py").write_text("def f(): pass\n")
    r = CliRunner().invoke(main, ["grade", str(subs), "--out", str(tmp_path / "out")])
    assert r.exit_code == 1, _both(r)
    assert "these look like written answers: add --assignment hw4-written" in _both(r)
    r = CliRunner().invoke(main, ["check", str(subs / "alice.md")])
    assert r.exit_code == 1 and "add --assignment hw4-written" in _both(r)


def test_a_class_of_code_gets_no_hint(tmp_path):
    from click.testing import CliRunner

    from grader.cli import main
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.py").write_text("def f(): pass\n")
    (subs / "bob.py").write_text("def f(): pass\n")
    (subs / "carol.md").write_text(ANSWERS)
    r = CliRunner().invoke(main, ["grade", str(subs), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0 and "written answers" not in _both(r)
