"""JUnit XML, Gradescope results.json and the GitHub job summary: schema checks, hostile text."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from xml.parsers import expat

import pytest

from conftest import ROOT, SUBMISSIONS
from grader.outputs import formats
from grader.results import Failure, QuestionResult, SubmissionResult

NASTY = "bad\x00\x01\x08\x0b\x0c\x1b[31mred\x1b[0m\x7f\x85\ud800 <b>&amp;</b> \"q\" 'a' ]]> | `x` \ufffe end"


def _q(qid, fn, status, score, mx, message="", **kw):
    return QuestionResult(id=qid, function=fn, title=f"title {qid}", score=score, max_score=mx, status=status,
                          trials=3, message=message or status, **kw)


def _sub(student="alice", error="", stdout=""):
    fail = Failure(trial=1, label="random", inputs={"x": [1.0]}, expected=[1.0], got=[2.0], worst="y_{1,1,k=1}",
                   worst_index=[0], expected_value=1.0, got_value=2.0, wrong=1, elements=27)
    qs = [_q("1.1", "layer_sizes", "passed", 1, 1, seconds=0.01),
          _q("1.2", "conv_forward", "failed", 0, 2, "y is wrong " + NASTY, failure=fail, stdout="printed " + NASTY),
          _q("1.3", "sum_pool", "error", 0, 1, "ZeroDivisionError", traceback="Traceback ...\n  line 3\n" + NASTY),
          _q("1.4", "fc_forward", "timeout", 0, 2, "took longer than 10 s"),
          _q("2.1", "grad_fc_weights", "missing", 0, 2, "grad_fc_weights is not defined")]
    return SubmissionResult(student=student, source=f"{student}.py", score=1.0, max_score=8.0, error=error,
                            report="", seed=3, seconds=0.5, stdout=stdout, questions=qs)


def test_clean_strips_what_xml_cannot_hold():
    s = formats.clean(NASTY)
    assert "\x00" not in s and "\x1b" not in s and "\ud800" not in s and "\x7f" not in s and "\ufffe" not in s
    assert "red" in s and "<b>&amp;</b>" in s and "[31m" not in s
    assert formats.clean("x" * 50, 10).startswith("x" * 10) and "40 more characters" in formats.clean("x" * 50, 10)


def test_junit_schema_and_statuses():
    subs = [_sub("alice"), _sub("bob\x00 <&>", error="SyntaxError: bad " + NASTY, stdout=NASTY)]
    text = formats.junit_xml(subs, "HW4 " + NASTY)
    expat.ParserCreate().Parse(text.encode("utf-8"), True)  # well-formed XML 1.0
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("10", "4", "4")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["alice", "bob <&>"]
    for suite in suites:
        assert suite.get("tests") == "5" and suite.get("failures") == "2" and suite.get("errors") == "2"
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == ["Q1.1 layer_sizes", "Q1.2 conv_forward", "Q1.3 sum_pool",
                                                  "Q1.4 fc_forward", "Q2.1 grad_fc_weights"]
        assert all(c.get("classname") == suite.get("name") for c in cases)
        assert all(float(c.get("time")) >= 0 for c in cases)
        passed, failed, error, timeout, missing = cases
        assert list(passed) == []
        assert failed.find("failure").get("type") == "failed"
        assert "y is wrong" in failed.find("failure").get("message") and "<b>&amp;</b>" in failed.find("failure").get("message")
        body = failed.find("failure").text
        assert "first failing trial: 2 (random)" in body and "expected 1, got 2" in body and "printed" in body
        assert error.find("error").get("type") == "error" and "Traceback" in error.find("error").text
        assert timeout.find("error").get("type") == "timeout"
        assert missing.find("failure").get("type") == "missing"
        props = {p.get("name"): p.get("value") for p in suite.find("properties")}
        assert props["score"] == "1" and props["max_score"] == "8" and props["seed"] == "3"
    assert "could not be graded: SyntaxError" in suites[1].find("system-err").text
    assert suites[0].find("system-err") is None


# The Jenkins/Surefire JUnit schema (jenkins-junit.xsd, which GitLab and Jenkins follow),
# written as rules: each element's allowed attributes, required ones, and children in order
# (name, at most how many; None: unbounded).
JUNIT_RULES = {
    "testsuites": ({"name", "time", "tests", "failures", "disabled", "errors"}, set(), [("testsuite", None)]),
    "testsuite": ({"name", "tests", "failures", "errors", "time", "disabled", "skipped", "timestamp", "hostname",
                   "id", "package", "file", "log", "url", "version"}, {"name", "tests"},
                  [("properties", 1), ("testcase", None), ("system-out", 1), ("system-err", 1)]),
    "properties": (set(), set(), [("property", None)]),
    "property": ({"name", "value"}, {"name", "value"}, []),
    "testcase": ({"name", "assertions", "time", "classname", "status", "class", "file", "line"}, {"name"},
                 [("skipped", 1), ("error", None), ("failure", None), ("system-out", None), ("system-err", None)]),
    "skipped": ({"message"}, set(), []),
    "error": ({"message", "type"}, set(), []),
    "failure": ({"message", "type"}, set(), []),
    "system-out": (set(), set(), []),
    "system-err": (set(), set(), []),
}


def junit_violations(el: ET.Element, path: str = "") -> list[str]:
    """Where ``el`` breaks JUNIT_RULES (empty: valid)."""
    where = f"{path}/{el.tag}"
    if el.tag not in JUNIT_RULES:
        return [f"{where}: unknown element"]
    allowed, required, children = JUNIT_RULES[el.tag]
    out = [f"{where}: attribute {a}" for a in set(el.attrib) - allowed]
    out += [f"{where}: missing {a}" for a in required - set(el.attrib)]
    i = 0
    for name, most in children:  # a regular expression name{0,most} for each child, in order
        n = 0
        while i < len(el) and el[i].tag == name:
            n, i = n + 1, i + 1
        if most is not None and n > most:
            out.append(f"{where}: {n} <{name}>")
    if i < len(el):
        out.append(f"{where}: <{el[i].tag}> out of order")
    for c in el:
        out += junit_violations(c, where)
    return out


def test_junit_rules_catch_what_they_should():
    bad = ET.fromstring('<testsuites skipped="0"><testsuite name="a" tests="1"><testcase name="q">'
                        '<system-err/><system-out/></testcase></testsuite></testsuites>')
    found = junit_violations(bad)
    assert any("attribute skipped" in v for v in found) and any("out of order" in v for v in found)


def test_junit_validates_against_the_schema_and_keeps_printed_output():
    subs = [_sub("alice", stdout="hello"), _sub("bob", error="SyntaxError: bad", stdout=NASTY)]
    subs[0].questions[0].stdout, subs[0].questions[0].stderr = "passed and printed " + NASTY, "a warning"
    subs[0].stderr = "import warning"
    root = ET.fromstring(formats.junit_xml(subs, "HW4").encode("utf-8"))
    assert junit_violations(root) == []
    assert "skipped" not in root.attrib
    passed = root.find("testsuite").find("testcase")
    assert [c.tag for c in passed] == ["system-out", "system-err"]
    assert passed.find("system-out").text.startswith("passed and printed")
    failed = root.find("testsuite").findall("testcase")[1]
    assert [c.tag for c in failed] == ["failure", "system-out"]
    suite = root.find("testsuite")
    assert [c.tag for c in suite][-2:] == ["system-out", "system-err"]
    assert root.findall("testsuite")[1].find("system-err").text.startswith("could not be graded")
    assert junit_violations(ET.fromstring(formats.junit_xml([], "x").encode())) == []


def test_junit_of_nothing_is_valid():
    root = ET.fromstring(formats.junit_xml([], "empty").encode())
    assert root.get("tests") == "0" and root.findall("testsuite") == []


GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                  "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                   "tags", "visibility", "extra_data"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def assert_gradescope_schema(d: dict) -> None:
    """The fields of https://gradescope-autograders.readthedocs.io/en/latest/specs/ and their types."""
    assert set(d) <= GRADESCOPE_TOP
    assert isinstance(d["score"], (int, float)) and isinstance(d["tests"], list)
    assert d.get("visibility", "visible") in formats.VISIBILITIES
    assert d.get("stdout_visibility", "hidden") in formats.VISIBILITIES
    for k in ("output_format", "test_output_format", "test_name_format"):
        assert d.get(k, "text") in FORMATS
    for t in d["tests"]:
        assert set(t) <= GRADESCOPE_TEST
        assert isinstance(t["name"], str) and isinstance(t["number"], str) and isinstance(t["output"], str)
        assert isinstance(t["score"], (int, float)) and isinstance(t["max_score"], (int, float))
        assert 0 <= t["score"] <= t["max_score"]
        assert t["status"] in ("passed", "failed")
        assert t.get("visibility", "visible") in formats.VISIBILITIES
        assert isinstance(t.get("tags", []), list)
    json.dumps(d, allow_nan=False)


def test_gradescope_fields():
    d = formats.gradescope_json(_sub(), note="public cases only")
    assert_gradescope_schema(d)
    assert d["score"] == 1.0 and sum(t["score"] for t in d["tests"]) == d["score"]
    assert [t["number"] for t in d["tests"]] == ["1.1", "1.2", "1.3", "1.4", "2.1"]
    assert [t["status"] for t in d["tests"]] == ["passed", "failed", "failed", "failed", "failed"]
    assert d["tests"][4]["tags"] == ["missing"] and d["tests"][0]["max_score"] == 1.0
    # student text is never rendered as HTML: every format is explicit text
    assert d["output_format"] == d["test_output_format"] == d["test_name_format"] == "text"
    assert all(t["output_format"] == "text" for t in d["tests"])
    assert "\x00" not in json.dumps(d) and "public cases only" in d["output"]
    assert "Not passed: Q1.2 (failed)" in d["output"]
    hidden = formats.gradescope_json(_sub(), visibility="after_due_date")
    assert hidden["visibility"] == "after_due_date" and all(t["visibility"] == "after_due_date" for t in hidden["tests"])
    with pytest.raises(ValueError, match="visibility"):
        formats.gradescope_json(_sub(), visibility="sometimes")


def test_gradescope_import_error_explained():
    d = formats.gradescope_json(_sub(error="SyntaxError: invalid syntax (hw4.py, line 3)"))
    assert_gradescope_schema(d)
    assert "could not be graded: SyntaxError" in d["output"]


def test_gradescope_one_file_per_student(tmp_path):
    subs = [_sub("a/b"), _sub("a_b"), _sub("Élodie")]
    paths = formats.write_gradescope_dir(subs, tmp_path / "gs")
    assert sorted(p.name for p in paths) == ["a_b-2.json", "a_b.json", "Élodie.json"]
    for p in paths:
        assert_gradescope_schema(json.loads(p.read_text(encoding="utf-8")))
    with pytest.raises(ValueError, match="folder"):
        formats.write_gradescope(subs[0], tmp_path / "gs")


def test_gradescope_file_names_fit_whatever_the_id(tmp_path):
    """A student id of 120 CJK characters made a 365-byte file name (the cut counted
    characters, a file name holds 255 bytes): the whole --gradescope folder failed."""
    subs = [_sub("学" * 120), _sub("学" * 120), _sub("x" * 300)]
    paths = formats.write_gradescope_dir(subs, tmp_path / "gs")
    assert len(set(paths)) == 3 and all(len(p.name.encode()) <= 255 and p.suffix == ".json" for p in paths)
    assert sorted(p.name for p in tmp_path.joinpath("gs").iterdir()) == sorted(p.name for p in paths)


def test_github_summary_class_and_single():
    subs = [_sub("alice"), _sub("mallory | `rm -rf` <script>", error="no submission")]
    md = formats.github_summary(subs, "HW4", unmatched=["stray.py"])
    assert md.startswith("## HW4")
    assert "**2 graded**" in md and "1 could not be graded" in md
    assert "| Q1.2 `conv_forward` | 0 | 2 | 0 | 0 | 0 |" in md
    row = next(line for line in md.splitlines() if line.startswith("| mallory"))
    assert "<script>" not in md and "&lt;script&gt;" in row and "\\|" in row
    cells = len(subs[0].questions) + 3  # student, marks, total, note
    assert len(re.findall(r"(?<!\\)\|", row)) == cells + 1  # the hostile id adds no cell
    assert "stray.py" in md
    one = formats.github_summary([_sub("alice")], "HW4", note="checked against public cases")
    assert "**alice: 1/8**" in one and "| ❌ | Q1.2 `conv_forward` | 0/2 |" in one and "public cases" in one
    assert "No submissions" in formats.github_summary([], "HW4")


def test_summary_written_only_in_github_actions(tmp_path):
    target = tmp_path / "summary.md"
    assert formats.write_github_summary("# hi", environ={}) is None
    assert formats.write_github_summary("# one", environ={"GITHUB_STEP_SUMMARY": str(target)}) == target
    formats.write_github_summary("# two", environ={"GITHUB_STEP_SUMMARY": str(target)})
    assert target.read_text() == "# one\n# two\n"  # appended, as GitHub expects
    assert formats.write_github_summary("x", environ={"GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "dir")}) is None


def test_write_outputs(tmp_path):
    env = {"GITHUB_STEP_SUMMARY": str(tmp_path / "s.md")}
    out = formats.write_outputs([_sub()], "HW4", junit=tmp_path / "j" / "junit.xml",
                                gradescope=tmp_path / "results.json", environ=env)
    assert (tmp_path / "j" / "junit.xml").exists() and (tmp_path / "results.json").exists()
    assert (tmp_path / "s.md") in out
    with pytest.raises(ValueError, match="exactly one"):
        formats.write_outputs([_sub(), _sub("b")], "HW4", gradescope=tmp_path / "r.json", environ={})


def test_real_check_result_in_every_format():
    from grader.api import Options, check
    res = check(SUBMISSIONS / "mistake_sign_flipped.py", Options(seed=4))
    root = ET.fromstring(formats.junit_xml([res], "HW4").encode())
    failed = [c.get("name") for c in root.iter("testcase") if c.find("failure") is not None]
    assert failed == ["Q2.1 grad_fc_weights", "Q2.2 grad_pool_output"]
    d = formats.gradescope_json(res)
    assert_gradescope_schema(d)
    assert d["score"] == res.score == sum(t["score"] for t in d["tests"])


def test_cli_check_outputs(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    args = [sys.executable, "-m", "grader", "check", str(SUBMISSIONS / "mistake_sign_flipped.py"),
            "--junit", str(tmp_path / "junit.xml"), "--gradescope", str(tmp_path / "gs" / "results.json")]
    r = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 1, r.stderr  # not every question passes
    assert ET.parse(tmp_path / "junit.xml").getroot().get("failures") == "2"
    assert_gradescope_schema(json.loads((tmp_path / "gs" / "results.json").read_text()))
    assert "mistake\\_sign\\_flipped: 16/20" in (tmp_path / "summary.md").read_text()
    r = subprocess.run(args[:5] + ["--fail-under", "16"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(args[:5] + ["--fail-under", "16.5"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 1
