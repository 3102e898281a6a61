"""The course file (grader.toml): every key, one-line errors naming the file and the key, flags
overriding it, partial credit and the late policy."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, SUBMISSIONS
from grader.course import Course, CourseError, LatePolicy, find_course, load_course

EXAMPLE = """\
# grader.toml: Homework 4's grading policy
[points]
"2.5" = 6
"Q1.1" = 2

[grading]
seed = 7
timeout = 5
memory = 512
reveal = false
partial_credit = true
require_sandbox = false

[late]
factor = 0.8

[lms]
roster = "canvas.csv"
column = "HW4 (1234)"
missing = "blank"
"""


def _write(tmp_path, text, name="grader.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_the_readme_example_reads_whole(tmp_path):
    c = load_course(_write(tmp_path, EXAMPLE))
    assert c.points == {"2.5": 6.0, "1.1": 2.0}
    assert (c.seed, c.timeout, c.memory, c.reveal, c.partial_credit, c.require_sandbox) == (7, 5.0, 512, False, True, False)
    assert c.late == LatePolicy(factor=0.8)
    assert c.roster == tmp_path / "canvas.csv"  # relative to the course file
    assert (c.lms_column, c.lms_missing) == ("HW4 (1234)", "blank")


def test_empty_file_and_no_file(tmp_path):
    assert load_course(_write(tmp_path, "", "empty.toml")).seed is None
    assert find_course(None, cwd=tmp_path) == Course()  # no grader.toml here: nothing set
    _write(tmp_path, "[grading]\nseed = 3\n")
    assert find_course(None, cwd=tmp_path).seed == 3  # grader.toml in the current folder


@pytest.mark.parametrize("text,key,fix", [
    ("[grading]\nsede = 3\n", "grading.sede", "unknown key"),
    ("[grade]\nseed = 3\n", "grade", "unknown section"),
    ("seed = 3\n", "seed", "unknown section"),
    ("[grading]\nseed = \"7\"\n", "grading.seed", "not an integer"),
    ("[grading]\nseed = 1.5\n", "grading.seed", "not an integer"),
    ("[grading]\ntimeout = true\n", "grading.timeout", "not a number"),
    ("[grading]\ntimeout = 0\n", "grading.timeout", "out of range"),
    ("[grading]\nmemory = 10\n", "grading.memory", "out of range"),
    ("[grading]\npartial_credit = \"yes\"\n", "grading.partial_credit", "not true or false"),
    ("[points]\n\"2.5\" = -1\n", "points.2.5", "not a number of points"),
    ("[points]\n\"2.5\" = \"six\"\n", "points.2.5", "not a number of points"),
    ("[late]\nfactor = 1.5\n", "late.factor", "out of range"),
    ("[late]\nfactor = 0.8\nper_day = 0.1\n", "late", "not both"),
    ("[lms]\nmissing = \"none\"\n", "lms.missing", "zero"),
    ("[lms]\ncolumn = \" \"\n", "lms.column", "empty"),
    ("[grading\nseed = 3\n", "", "not valid TOML"),
    ("grading = 3\n", "grading", "must be a [grading] table"),
])
def test_bad_course_file_is_one_line_naming_file_and_key(tmp_path, text, key, fix):
    p = _write(tmp_path, text)
    with pytest.raises(CourseError) as exc:
        load_course(p)
    msg = str(exc.value)
    assert msg.startswith(str(p)) and f": {key}" in msg and fix in msg and "\n" not in msg


def test_missing_course_file(tmp_path):
    with pytest.raises(CourseError, match="no such course file"):
        find_course(tmp_path / "nope.toml")


@pytest.mark.parametrize("policy,late,days,factor", [
    (LatePolicy(), True, 3, 1.0),
    (LatePolicy(factor=0.8), False, None, 1.0),
    (LatePolicy(factor=0.8), True, None, 0.8),
    (LatePolicy(factor=0.8), False, 2, 0.8),  # days late on the roster make it late
    (LatePolicy(per_day=0.1), True, None, 0.9),  # late, days unknown: one day
    (LatePolicy(per_day=0.1), True, 3, 0.7),
    (LatePolicy(per_day=0.25), False, 2.5, 0.25),  # every day started counts: 3 days
    (LatePolicy(per_day=0.25), True, 0.01, 0.75),
    (LatePolicy(per_day=0.25), True, 2.0, 0.5),
    (LatePolicy(per_day=0.5), True, 7, 0.0),  # never below 0
    (LatePolicy(per_day=0.1), False, 0, 1.0),
])
def test_late_policy(policy, late, days, factor):
    assert policy.multiplier(late, days) == pytest.approx(factor)


def test_apply_late_is_idempotent():
    from grader.results import QuestionResult, SubmissionResult
    from grader.score import apply_late
    sub = SubmissionResult(student="a", source="a.py", score=0, max_score=3, error="", report="",
                           questions=[QuestionResult("1", "f", "", 1, 1, "passed", 1, ""),
                                      QuestionResult("2", "g", "", 2, 2, "passed", 1, "")])
    for _ in range(2):  # a result reused from an earlier grading is scored again, not twice
        apply_late(sub, True, None, LatePolicy(factor=0.5))
    assert sub.score == 1.5 and sub.late and sub.late_factor == 0.5


def test_partial_credit_scores_the_fraction_of_trials_passed():
    from grader.api import Options, check
    f = SUBMISSIONS / "mistake_ignores_stride.py"  # wrong only on the strided cases of Q1.1
    whole = check(f, Options(seed=4, jobs=1))
    part = check(f, Options(seed=4, jobs=1, partial_credit=True))
    q0 = next(q for q in whole.questions if q.id == "1.1")
    q1 = next(q for q in part.questions if q.id == "1.1")
    assert q0.status == q1.status == "failed" and q0.score == 0
    import re
    good, n = map(int, re.search(r"partial credit: (\d+) of (\d+) trials passed", q1.message).groups())
    assert 0 < good < n and q1.score == pytest.approx(q1.max_score * good / n)
    assert part.score == pytest.approx(whole.score + q1.score)
    # every other question is as it was
    assert [q.score for q in part.questions if q.id != "1.1"] == [q.score for q in whole.questions if q.id != "1.1"]


def _cli(args, cwd, timeout=180):
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=timeout)


def test_cli_reads_grader_toml_and_flags_override(tmp_path):
    (tmp_path / "grader.toml").write_text('[grading]\nseed = 11\ntimeout = 7\npartial_credit = true\n[points]\n"2.5" = 6\n')
    r = _cli(["check", str(SUBMISSIONS / "correct_vectorized.py"), "--json", "--seed", "5"], tmp_path)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["seed"] == 5  # the flag wins
    assert res["max_score"] == 22  # [points] from the file
    r = _cli(["check", str(SUBMISSIONS / "correct_vectorized.py"), "--json"], tmp_path)
    assert json.loads(r.stdout)["seed"] == 11
    (tmp_path / "other.toml").write_text("[grading]\nseed = true\n")
    r = _cli(["check", str(SUBMISSIONS / "correct_vectorized.py"), "--config", "other.toml"], tmp_path)
    assert r.returncode == 2 and "other.toml: grading.seed: True is not an integer" in r.stderr
    assert "Traceback" not in r.stderr
    (tmp_path / "grader.toml").write_text('[points]\n"9.9" = 1\n')
    r = _cli(["check", str(SUBMISSIONS / "correct_vectorized.py")], tmp_path)
    assert r.returncode == 2 and "grader.toml: points.9.9: no such question" in r.stderr


def test_a_reused_result_is_scored_with_this_runs_late_policy(tmp_path):
    """The late policy is not in the cache key: an unchanged LATE submission reused from a run
    with a 0.5 factor must score in full when the next run has no late policy."""
    import shutil

    from conftest import SUBMISSIONS
    from grader.api import Options, grade
    from grader.course import LatePolicy
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", subs / "lovelaceada_LATE_1001_5555_hw4.py")
    out = tmp_path / "out"  # (no roster: the LATE in the Canvas file name is enough)
    first = grade(subs, out, Options(jobs=1, late=LatePolicy(factor=0.5)))
    assert first.submissions[0].score == 10 and first.submissions[0].late
    again = grade(subs, out, Options(jobs=1))
    assert again.cached == 1 and again.submissions[0].score == 20 and again.submissions[0].late_factor == 1.0
