"""The course file (grader.toml): every key, one-line errors naming the file and the key, flags
overriding it, partial credit and the late policy."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, SUBMISSIONS
from grader.course.config import Course, CourseError, LatePolicy, find_course, load_course

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
new_column = true
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
    assert (c.lms_column, c.lms_missing, c.lms_new_column) == ("HW4 (1234)", "blank", True)


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
    ("[points]\n\"2.5\" = -1\n", "points.2.5", "out of range"),
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
    from grader.judge.score import apply_late
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
    from grader.course.config import LatePolicy
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", subs / "lovelaceada_LATE_1001_5555_hw4.py")
    out = tmp_path / "out"  # (no roster: the LATE in the Canvas file name is enough)
    first = grade(subs, out, Options(jobs=1, late=LatePolicy(factor=0.5)))
    assert first.submissions[0].score == 10 and first.submissions[0].late
    again = grade(subs, out, Options(jobs=1))
    assert again.cached == 1 and again.submissions[0].score == 20 and again.submissions[0].late_factor == 1.0


# --- every bad value, whatever its type, size or nesting: one line naming the file and the key --

BIG = "9" * 400


@pytest.mark.parametrize("text,key,fix", [
    ('[points]\n"2.5" = 1e308\n', "points.2.5", "out of range; give a number of points from 0 to 1000"),
    ('[points]\n"2.5" = 1001\n', "points.2.5", "from 0 to 1000"),
    (f'[points]\n"2.5" = {BIG}\n', "points.2.5", "out of range"),  # (was an OverflowError)
    ('[points]\n"2.5" = nan\n', "points.2.5", "not a finite number"),
    ('[points]\n"2.5" = -inf\n', "points.2.5", "not a finite number"),
    ('[points]\n"2.5" = true\n', "points.2.5", "not a number of points"),
    ('[points]\n"2.5" = 1979-05-27\n', "points.2.5", "1979-05-27 (a date or time) is not a number"),
    ('[points]\n"2.5" = [6]\n', "points.2.5", "an array is not a number"),
    ('[points]\n"2.5" = {a = 6}\n', "points.2.5", "a table is not a number"),
    ("[points]\n2.5 = 6\n", "points.2.5", 'quote question ids, as in "2.5" = 6'),
    ("[points]\nQ1.1 = 2\n", "points.Q1.1", 'quote question ids, as in "Q1.1" = 2'),
    ('[points]\n"2.5" = 6\n"Q2.5" = 4\n', "points.Q2.5", "already given as points.2.5"),
    ("[grading]\ntimeout = nan\n", "grading.timeout", "not a finite number"),  # (nan passed 0.1 <= t)
    ("[grading]\ntimeout = inf\n", "grading.timeout", "not a finite number"),
    ("[grading]\ntimeout = 07:32:00\n", "grading.timeout", "(a date or time)"),
    ("[grading]\ntimeout.x = 1\n", "grading.timeout", "a table is not a number of seconds"),
    ("[grading]\nmemory = 1e30\n", "grading.memory", "not an integer number of MiB"),
    (f"[grading]\nmemory = {BIG}\n", "grading.memory", "out of range"),
    ("[grading]\nmemory = 1024.0\n", "grading.memory", "not an integer"),
    (f"[grading]\nseed = {BIG}\n", "grading.seed", "an integer of 400 digits is out of range"),
    ("[grading]\nseed = nan\n", "grading.seed", "not an integer"),
    ("[grading]\nreveal = 1\n", "grading.reveal", "not true or false"),
    ("[late]\nfactor = nan\n", "late.factor", "not a finite number"),
    (f"[late]\nper_day = {BIG}\n", "late.per_day", "out of range"),  # (was an OverflowError)
    ("[late]\nper_day = true\n", "late.per_day", "not a fraction"),
    ('[lms]\nroster = ""\n', "lms.roster", "empty"),
    ('[lms]\nroster = "a\\u0000b.csv"\n', "lms.roster", "control character"),
    ('[lms]\ncolumn = "HW4\\n(1)"\n', "lms.column", "control character"),
    ("[lms]\nmissing = 0\n", "lms.missing", "not \"zero\" or \"blank\""),
    ('[lms]\nnew_column = "yes"\n', "lms.new_column", "not true or false"),
    ("[lms]\nnew_column = 1\n", "lms.new_column", "not true or false"),
    ('[grading]\n"sé\\ned" = 3\n', 'grading."sé\\ned"', "unknown key"),  # a line break in a key
    ('["\\u001b[2J"]\nx = 1\n', '"\\u001b[2J"', "unknown section"),  # a terminal escape in a key
])
def test_bad_values_of_any_type_name_the_key(tmp_path, text, key, fix):
    p = _write(tmp_path, text)
    with pytest.raises(CourseError) as exc:
        load_course(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}: {key}: ") and fix in msg, msg
    assert "\n" not in msg and "\x1b" not in msg and len(msg) < 400


def test_in_range_values_are_kept_and_the_seed_taken_modulo_2_32(tmp_path):
    c = load_course(_write(tmp_path, '[points]\n"2.5" = 1000\n"1.1" = 0\n[grading]\nseed = -1\ntimeout = 3600\n'
                                     "memory = 64\n[late]\nper_day = 1\n"))
    assert c.points == {"2.5": 1000.0, "1.1": 0.0} and c.seed == 2 ** 32 - 1
    assert (c.timeout, c.memory, c.late.per_day) == (3600.0, 64, 1.0)
    assert load_course(_write(tmp_path, f"[grading]\nseed = {2 ** 32 + 5}\n")).seed == 5


@pytest.mark.parametrize("text", [
    "[points]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n",  # (was 3,000 lines of RecursionError)
    "[points]\nx = " + "{a = " * 100_000 + "1" + "}" * 100_000 + "\n",
    "x = " + "[" * 1_000_000,  # a million deep, unclosed (just under the 1 MiB cap)
    "x = [" + "[" * 100 + '"]]]"' + "]" * 101 + "\n",
])
def test_deep_nesting_is_one_line_without_recursion(tmp_path, text):
    p = _write(tmp_path, text)
    with pytest.raises(CourseError) as exc:
        load_course(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}: line ") and "nested more than 64 deep" in msg and "\n" not in msg


def test_nesting_a_course_file_may_hold_and_brackets_in_strings_and_comments(tmp_path):
    """Brackets in strings (every kind, escaped quotes too) and in comments are not nesting."""
    deep = "[" * 200
    text = (f'# {deep}\n[lms]\ncolumn = "{deep}\\"{deep}"  # {deep}\n'
            f"roster = '{deep}.csv'\n[grading]\nseed = 3\n")
    c = load_course(_write(tmp_path, text))
    assert c.lms_column == f'{deep}"{deep}' and c.seed == 3
    multi = f'[lms]\ncolumn = """{deep}\\"""{deep}""""\nroster = \'\'\'{deep}\'\'\'\n'
    c = load_course(_write(tmp_path, multi))
    assert c.lms_column == f'{deep}"""{deep}"' and c.roster.name == deep
    # arrays of arrays up to the limit parse (and are then refused as values, naming the key)
    with pytest.raises(CourseError, match=r"grading\.seed: an array is not an integer"):
        load_course(_write(tmp_path, "[grading]\nseed = " + "[" * 64 + "]" * 64 + "\n"))


def test_a_dotted_key_of_100000_parts_is_refused_before_tomllib(tmp_path):
    """tomllib's cost grows with the square of a dotted key's parts: 100,000 of them (200 KB)
    took tens of GB; the file is refused in one line, in a process held to 1 GiB."""
    p = _write(tmp_path, "[grading]\ntimeout" + ".a" * 100_000 + " = 1\n")
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
            "from grader.course.config import CourseError, load_course\n"
            "try:\n    load_course(sys.argv[1])\nexcept CourseError as exc:\n    print(exc)\n")
    r = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True, timeout=60,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0 and r.stderr == "", r.stderr[-2000:]
    assert r.stdout.startswith(f"{p}: line 2: a key of more than 32 dotted parts") and r.stdout.count("\n") == 1


def test_recursion_past_the_prescan_is_still_one_line(tmp_path, monkeypatch):
    """The last guard: were the pre-scan fooled, tomllib's RecursionError is one line too."""
    import grader.course.config as course
    monkeypatch.setattr(course, "MAX_DEPTH", 10 ** 9)
    p = _write(tmp_path, "x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(CourseError, match="nested too deeply to read"):
        load_course(p)


@pytest.mark.parametrize("data,fix", [
    (b"[grading]\nseed = 1 # \xff\n", "line 2: not UTF-8 text (byte 0xff); save it as UTF-8"),
    ("[grading]\nseed = 1\n".encode("utf-16"), "UTF-16 text; save it as UTF-8"),
    (b"[grading]\nseed = 1\x00\n", "not valid TOML"),
    (b"a = " + b"9" * 5000 + b"\n", "a number of thousands of digits"),  # (int()'s limit: a raw ValueError)
    (b"#" * (2 << 20), "over 1 MiB"),
])
def test_unreadable_course_files_are_one_line(tmp_path, data, fix):
    p = tmp_path / "grader.toml"
    p.write_bytes(data)
    with pytest.raises(CourseError) as exc:
        load_course(p)
    assert str(exc.value).startswith(str(p)) and fix in str(exc.value) and "\n" not in str(exc.value)


def test_a_bom_is_fine(tmp_path):
    p = tmp_path / "grader.toml"
    p.write_bytes(b"\xef\xbb\xbf[grading]\nseed = 4\n")
    assert load_course(p).seed == 4


def test_a_folder_a_pipe_or_an_unreadable_file_is_one_line(tmp_path):
    import os
    with pytest.raises(CourseError, match="is a folder; give the path of your grader.toml"):
        load_course(tmp_path)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # (opening it would block until someone writes)
    with pytest.raises(CourseError, match="not a regular file"):
        load_course(fifo)
    with pytest.raises(CourseError, match="no such course file"):
        load_course(tmp_path / "grader.toml" / "x")  # a file where a folder is expected
    if os.geteuid() != 0:  # (root reads anything)
        p = _write(tmp_path, "[grading]\nseed = 1\n")
        p.chmod(0)
        with pytest.raises(CourseError, match="cannot read the course file"):
            load_course(p)


def test_a_file_name_with_a_line_break_stays_one_line(tmp_path):
    p = _write(tmp_path, "[grading]\nseed = true\n", name="a\nb\x1b[2J.toml")
    with pytest.raises(CourseError) as exc:
        load_course(p)
    assert "\n" not in str(exc.value) and "\x1b" not in str(exc.value) and "grading.seed" in str(exc.value)


def test_the_api_refuses_what_the_course_file_refuses():
    from grader.api import Options, UsageError
    for bad in ({"timeout": float("nan")}, {"memory_mb": 10 ** 30}, {"seed": 1.5}, {"timeout": True}):
        with pytest.raises(UsageError, match=f"Options.{next(iter(bad))}: "):
            Options(**bad)
    assert Options(seed=-1).seed == 2 ** 32 - 1 and Options(seed=2 ** 32 + 7).seed == 7
    with pytest.raises(ValueError, match="LatePolicy.factor: nan is not a finite number"):
        LatePolicy(factor=float("nan"))


# --- properties: any course file reads as a Course within bounds, or one line naming the key -----

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st  # noqa: E402

from grader import settings as rules  # noqa: E402

_SCHEMA_KEYS = {"grading": ["seed", "timeout", "memory", "reveal", "partial_credit", "require_sandbox"],
                "late": ["factor", "per_day"], "lms": ["roster", "column", "missing", "new_column"],
                "points": ["1.1", "2.5", "Q2.5", "9.9", "", " 2.5 "]}


def _toml_str(s: str) -> str:
    """A TOML basic string holding ``s`` (control characters and DEL escaped, as TOML needs)."""
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _toml_value(v) -> str:
    """``v`` as TOML writes it: every type TOML has (dates and times too), nested at will."""
    import datetime
    import math
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(map(_toml_value, v)) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_str(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, tuple):  # ("raw", text): written as it is (huge integers, deep nesting)
        return v[1]
    raise TypeError(type(v))


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_scalars = st.one_of(
    st.integers(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70), st.sampled_from([0, 1, 64, 1000, 1001, 3600]),
    st.floats(), st.sampled_from([1e308, -1e308, float("nan"), float("inf"), 0.1, 0.5, 1.0, -0.0, 5e-324]),
    st.booleans(), _text, st.sampled_from(["zero", "blank", "roster.csv", " "]),
    st.dates(), st.datetimes(), st.times(),
    st.integers(1, 6000).map(lambda n: ("raw", "9" * n)),  # integers TOML reads and int() may refuse
    st.integers(0, 300).map(lambda n: ("raw", "[" * n + "1" + "]" * n)),  # nested up to 300 deep
)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(_text, inner, max_size=3), max_leaves=8)
_sections = st.sampled_from([*_SCHEMA_KEYS, "grade", "points.x"]) | _text
_keys = st.sampled_from([k for ks in _SCHEMA_KEYS.values() for k in ks]) | _text


@st.composite
def _course_files(draw):
    """A TOML document of [section] tables of key = value (known and unknown, of every type),
    and its (section, key) pairs and (section, None) for each section."""
    lines, pairs = [], []
    for section in draw(st.lists(_sections, max_size=4, unique=True)):
        lines.append(f"[{_toml_str(section)}]")
        pairs.append((section, None))
        for key in draw(st.lists(_keys, max_size=4, unique=True)):
            lines.append(f"{_toml_str(key)} = {_toml_value(draw(_values))}")
            pairs.append((section, key))
    if draw(st.booleans()):  # an unquoted question id: a dotted key
        lines += ["[points]" if ("points", None) not in pairs else "", f"2.5 = {_toml_value(draw(_values))}"]
    return "\n".join(lines) + "\n", pairs


def _in_bounds(c: Course) -> None:
    """What an accepted course file holds: only values the grader can use."""
    import math
    assert all(isinstance(p, float) and math.isfinite(p) and 0 <= p <= 1000 for p in c.points.values())
    assert c.seed is None or (type(c.seed) is int and 0 <= c.seed < 2 ** 32)
    assert c.timeout is None or (type(c.timeout) is float and 0.1 <= c.timeout <= 3600)
    assert c.memory is None or (type(c.memory) is int and 64 <= c.memory <= 1 << 20)
    for v in (c.late.factor, c.late.per_day):
        assert v is None or (type(v) is float and 0 <= v <= 1)
    assert c.lms_missing in (None, "zero", "blank")
    for flag in (c.reveal, c.partial_credit, c.require_sandbox, c.lms_new_column):
        assert flag is None or type(flag) is bool


def _one_line(msg: str, path) -> str:
    assert msg.startswith(f"{path}: "), msg
    assert "\n" not in msg and "\r" not in msg and "\x1b" not in msg and len(msg) < 600, msg
    return msg[len(f"{path}: "):]


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(doc=_course_files())
def test_any_course_file_is_a_course_in_bounds_or_one_line_naming_the_key(tmp_path, doc):
    from grader.course.config import _toml
    tomllib = _toml()  # (tomli on Python 3.10)
    text, pairs = doc
    p = _write(tmp_path, text)
    try:
        c = load_course(p)
    except CourseError as exc:
        rest = _one_line(str(exc), p)
        try:
            tomllib.loads(text)
        except (ValueError, RecursionError):
            return  # not TOML (or past int()'s limit, or too deep): said so, naming the line where known
        from grader.course.config import _key
        keys = [_key(s, k) for s, k in pairs if k is not None] + ["points.2.5"]
        named = keys + [_key(s) for s, _k in pairs] + ["line "]
        assert any(rest.startswith(n) for n in named), (rest, pairs)
        if any(w in rest for w in ("is not", "out of range", "finite")):  # a bad value: its key is named
            assert any(rest.startswith(k + ".") or rest.startswith(k + ":") for k in keys), (rest, pairs)
    else:
        _in_bounds(c)


_FRAGMENTS = ["[", "]", "[[", "]]", "{", "}", '"', "'", '"""', "'''", "=", " = ", ".", ",", "#", "\n", "\\",
              " ", "\t", "\r\n", "points", "grading", "late", "lms", "seed", "timeout", "memory", "factor",
              '"2.5"', "2.5", "1e308", "nan", "-inf", "true", "1979-05-27T07:32:00Z", "07:32:00", "0x1F",
              "9" * 60, "\x00", "é", "\ufeff", "\u202e", "\x1b[2J", "a.b.c", "[points]\n", "[grading]\n"]


@hsettings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(_FRAGMENTS) | _text, max_size=60), depth=st.integers(0, 3000),
       data=st.binary(max_size=40))
def test_any_text_reads_as_a_course_or_one_line(tmp_path, parts, depth, data):
    """Whatever the bytes: a Course within bounds, or a CourseError of one line naming the file;
    never another exception, whatever the nesting."""
    text = "".join(parts)
    at = len(text) // 2
    text = text[:at] + "[" * depth + text[at:]
    p = tmp_path / "grader.toml"
    for raw in (text.encode("utf-8", "surrogatepass"), data + text.encode("utf-8", "surrogatepass")):
        p.write_bytes(raw)
        try:
            _in_bounds(load_course(p))
        except CourseError as exc:
            _one_line(str(exc), p)
