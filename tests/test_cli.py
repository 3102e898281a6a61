"""The command line end to end, as a student and an instructor would run it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, SUBMISSIONS

CORRECT = (SUBMISSIONS / "correct_vectorized.py").read_text()


def grader(*args, cwd=None, timeout=120):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=timeout)


def test_check_correct_exits_zero(tmp_path):
    r = grader("check", SUBMISSIONS / "correct_loops.py", "--html", tmp_path / "r.html")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "20/20" in r.stdout and "PASSED" in r.stdout
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Q2.5" in html and "correct_loops" in html


def test_check_json_is_the_results_entry():
    r = grader("check", SUBMISSIONS / "mistake_sign_flipped.py", "--json", "--seed", "3")
    assert r.returncode == 1
    entry = json.loads(r.stdout)
    assert entry["student"] == "mistake_sign_flipped" and entry["seed"] == 3
    st = {q["id"]: q["status"] for q in entry["questions"]}
    assert st["2.1"] == st["2.2"] == "failed" and st["1.1"] == "passed"


def test_check_reproducible():
    a = json.loads(grader("check", SUBMISSIONS / "mistake_max_assign.py", "--json").stdout)
    b = json.loads(grader("check", SUBMISSIONS / "mistake_max_assign.py", "--json").stdout)
    strip = lambda e: [(q["id"], q["status"], q["message"]) for q in e["questions"]]
    assert strip(a) == strip(b)


@pytest.mark.parametrize("source,expect", [
    ("def layer_sizes(:\n", "SyntaxError"),
    ("", "no function named"),
    # a module the grader lacks imports as a placeholder: the call that uses it fails, naming it
    ("import nonexistent_module_xyz\nlayer_sizes = nonexistent_module_xyz.layer_sizes\n",
     "ModuleNotFoundError: nonexistent_module_xyz is not available in the grader"),
    ("raise RuntimeError('boom at import')\n", "boom at import"),
])
def test_check_bad_files(tmp_path, source, expect):
    f = tmp_path / "bad.py"
    f.write_text(source)
    r = grader("check", f, "--json")
    assert r.returncode == 1
    entry = json.loads(r.stdout)
    text = entry["error"] + entry["traceback"] + " ".join(q["message"] for q in entry["questions"])
    assert expect in text
    assert entry["score"] == 0
    assert "Traceback" not in r.stderr  # never a raw traceback from our code


def test_wrong_shapes_lists_and_errors(tmp_path):
    src = CORRECT + """
import numpy as _np
def sum_pool(y):                       # lists are fine
    return [[[float(y[i:i+2, j:j+2, k].sum()) for k in range(3)] for j in range(2)] for i in range(2)]
def fc_forward(z, v):                  # wrong shape
    return _np.zeros((2, 1))
def grad_fc_weights(z, o, target):     # an exception
    return z[5, 5]
def grad_pool_output(v, o, target):    # not numbers
    return "hello"
"""
    f = tmp_path / "mixed.py"
    f.write_text(src)
    entry = json.loads(grader("check", f, "--json").stdout)
    q = {x["id"]: x for x in entry["questions"]}
    assert q["1.3"]["status"] == "passed"
    assert q["1.4"]["status"] == "failed" and "shape (2, 1)" in q["1.4"]["message"]
    assert q["2.1"]["status"] == "error" and "IndexError" in q["2.1"]["message"]
    assert 'File "mixed.py"' in q["2.1"]["traceback"] and "grader" not in q["2.1"]["traceback"]
    assert q["2.2"]["status"] == "error" and "not an array of numbers" in q["2.2"]["message"]
    assert q["2.3"]["status"] == "passed"


def test_grade_end_to_end_unicode_and_summary(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "Zoë_Ñúñez.py").write_text(CORRECT, encoding="utf-8")
    (subs / "broken.py").write_text("def (:\n")
    out = tmp_path / "out"
    r = grader("grade", subs, "--out", out, "--jobs", "2", "--timeout", "5")
    assert r.returncode == 0, r.stderr
    assert "Zoë_Ñúñez" in r.stdout and "20/20" in r.stdout
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    by = {s["student"]: s for s in data["submissions"]}
    assert by["Zoë_Ñúñez"]["score"] == 20 and "SyntaxError" in by["broken"]["error"]
    assert (out / by["Zoë_Ñúñez"]["report"]).exists()
    assert "broken" in (out / "index.html").read_text(encoding="utf-8")
    # regrading into the same folder replaces the earlier output
    r = grader("grade", subs, "--out", out, "--seed", "5")
    assert r.returncode == 0 and json.loads((out / "results.json").read_text())["seed"] == 5


@pytest.mark.parametrize("args,expect", [
    (["grade", "no/such/folder", "--out", "o"], "no such folder"),
    (["check", "nope.py"], "no such file"),
])
def test_bad_arguments_one_line(tmp_path, args, expect):
    r = grader(*args, cwd=tmp_path)
    assert r.returncode == 2 and expect in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_out_folder_protected(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.py").write_text(CORRECT)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious")
    r = grader("grade", subs, "--out", mine)
    assert r.returncode == 2 and "not empty" in r.stderr
    assert (mine / "thesis.tex").read_text() == "precious"
    r = grader("grade", subs, "--out", subs / "out")
    assert r.returncode == 2 and "inside the submissions folder" in r.stderr
    assert sorted(p.name for p in subs.iterdir()) == ["a.py"]


def test_starter_in_sync_and_all_missing(tmp_path):
    """submissions/starter.py is what `grader starter` writes, and grades as all missing."""
    out = tmp_path / "starter.py"
    assert grader("starter", out).returncode == 0
    assert out.read_text() == (SUBMISSIONS / "starter.py").read_text().replace(
        "grader check starter.py", "grader check starter.py")
    assert grader("starter", out).returncode == 2  # never overwrites without --force
    entry = json.loads(grader("check", out, "--json").stdout)
    assert {q["status"] for q in entry["questions"]} == {"missing"}


def test_incremental_regrade(tmp_path):
    """Rerunning over a folder where one file changed grades one; --no-cache grades all."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("a", "b", "c"):
        (subs / f"{name}.py").write_text(CORRECT)
    out = tmp_path / "out"
    assert grader("grade", subs, "--out", out).returncode == 0
    (subs / "b.py").write_text(CORRECT.replace("def sum_pool", "def sum_pool_old"))
    r = grader("grade", subs, "--out", out)
    assert "2 unchanged submission(s) reused" in r.stdout
    data = json.loads((out / "results.json").read_text())
    assert data["cached"] == 2
    assert {s["student"]: s["score"] for s in data["submissions"]} == {"a": 20, "b": 19, "c": 20}
    r = grader("grade", subs, "--out", out, "--seed", "1")  # new inputs: nothing reusable
    assert json.loads((out / "results.json").read_text())["cached"] == 0
    r = grader("grade", subs, "--out", out, "--seed", "1", "--no-cache")
    assert json.loads((out / "results.json").read_text())["cached"] == 0


def test_points_configurable():
    r = grader("check", SUBMISSIONS / "correct_vectorized.py", "--json", "--points", "2.5=6", "--points", "Q1.1=0.5")
    entry = json.loads(r.stdout)
    q = {x["id"]: x for x in entry["questions"]}
    assert q["2.5"]["max_score"] == 6 and q["1.1"]["max_score"] == 0.5 and entry["max_score"] == 21.5
    r = grader("check", SUBMISSIONS / "correct_vectorized.py", "--points", "9.9=1")
    assert r.returncode == 2 and "unknown question" in r.stderr
    r = grader("check", SUBMISSIONS / "correct_vectorized.py", "--points", "2.5")
    assert r.returncode == 2 and "ID=N" in r.stderr


def test_require_sandbox_never_falls_back():
    """--require-sandbox asks the sandbox for namespaces outright, so it cannot degrade silently."""
    from grader.api import Options, _sandbox
    with _sandbox(Options(require_sandbox=True), []) as sb:
        assert sb.isolation == "namespaces"
    with _sandbox(Options(), []) as sb:
        assert sb.isolation == "auto"


@pytest.mark.parametrize("command", ["check", "grade"])
def test_sandbox_failure_is_one_line(monkeypatch, tmp_path, command):
    from click.testing import CliRunner

    import grader.api
    from grader.cli import main
    from grader.sandbox.supervisor import SandboxError

    def broken(*a, **k):
        raise SandboxError("unshare: operation not permitted\nmore detail")
    monkeypatch.setattr(grader.api, command, broken)
    args = [command, str(SUBMISSIONS / "correct_loops.py"), "--require-sandbox"] if command == "check" else \
        [command, str(SUBMISSIONS), "--out", str(tmp_path / "o"), "--require-sandbox"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 3  # the machine's, not a usage error
    err = r.output.strip().splitlines()
    assert err[-1].startswith("error: the sandbox could not start (unshare: operation not permitted)")
    assert "user namespaces" in err[-1] and "Traceback" not in r.output


def test_an_empty_submissions_folder_fails_in_one_line(tmp_path):
    """A mistyped path in CI (an empty folder) exited 0 with "no submissions found"."""
    (tmp_path / "empty").mkdir()
    r = grader("grade", tmp_path / "empty", "--out", tmp_path / "out")
    assert r.returncode == 2 and "holds no submissions" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_missing_parent_folders_are_created(tmp_path):
    """--out and check --html under folders that do not exist crashed with a traceback."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.py").write_text(CORRECT)
    r = grader("grade", subs, "--out", tmp_path / "new" / "deeper" / "out", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "new" / "deeper" / "out" / "index.html").is_file()
    r = grader("check", subs / "a.py", "--html", tmp_path / "no" / "such" / "r.html")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "no" / "such" / "r.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert [p.name for p in (tmp_path / "no" / "such").iterdir()] == ["r.html"]  # no temporary left


def test_an_unwritable_place_is_one_line(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.py").write_text(CORRECT)
    (tmp_path / "file").write_text("x")
    r = grader("grade", subs, "--out", tmp_path / "file" / "out", "--jobs", "1")
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(errors) == 1, r.stderr
    assert "is a file, not a folder" in errors[0]
    r = grader("check", subs / "a.py", "--html", tmp_path / "file" / "r.html")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "a file stands where a folder" in r.stderr


@pytest.mark.parametrize("code, exit_code", [("EIO", 3), ("EMFILE", 3), ("ENFILE", 3), ("EACCES", 2), ("EROFS", 2)])
def test_an_os_error_is_the_machines_or_the_users(code, exit_code, capsys):
    """A failing disk or no descriptors left is the machine's (exit 3, as discovery stops a run
    on them); a path the user chose and cannot write there is the user's (exit 2)."""
    import errno

    from grader.cli import _os_error
    with pytest.raises(SystemExit) as e:
        _os_error(OSError(getattr(errno, code), os.strerror(getattr(errno, code)), "/some/out/x"))
    assert e.value.code == exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: /some/out/x: ")


def test_check_reveals_formulas_only_with_reveal(tmp_path):
    """A failing 2.5 (the indicator-function answer): by default no output holds the correct
    formula (the numbers of the failing example stay); --reveal adds it to every output."""
    sub = SUBMISSIONS / "mistake_max_assign.py"
    env_outputs = ("r.html", "j.xml", "g.json")
    for reveal in (False, True):
        d = tmp_path / ("on" if reveal else "off")
        d.mkdir()
        r = grader("check", sub, "--html", d / "r.html", "--junit", d / "j.xml", "--gradescope", d / "g.json",
                   *(["--reveal"] if reveal else []))
        assert r.returncode == 1, r.stderr
        texts = {n: (d / n).read_text(encoding="utf-8") for n in env_outputs}
        texts["stdout"] = r.stdout
        assert "should be" in r.stdout  # the failing example's numbers, always
        for name, text in texts.items():
            if reveal:
                assert "∂E/∂y_{" in text and ("<math" in text if name == "r.html" else
                                              "correct formula (answers released): ∂E/∂y_{" in text), name
            else:
                assert "<math" not in text and "correct formula" not in text and "max(y_{" not in text, name
                assert 'class="formula' not in text, name


def test_grade_records_reveal(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.py").write_bytes((SUBMISSIONS / "mistake_answer_key_quarter.py").read_bytes())
    for reveal in (False, True):
        out = tmp_path / f"out-{reveal}"
        r = grader("grade", subs, "--out", out, *(["--reveal"] if reveal else []))
        assert r.returncode == 0, r.stderr
        data = json.loads((out / "results.json").read_text(encoding="utf-8"))
        assert data["reveal"] is reveal
        assert ("<math" in (out / "reports" / "ada.html").read_text(encoding="utf-8")) is reveal
        assert ("--reveal" in r.stdout) is reveal


def test_merge_refuses_shards_with_and_without_reveal(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("ada", "bob", "cy", "dee"):
        (subs / f"{name}.py").write_text(CORRECT)
    assert grader("grade", subs, "--out", tmp_path / "o1", "--shard", "1/2").returncode == 0
    assert grader("grade", subs, "--out", tmp_path / "o2", "--shard", "2/2", "--reveal").returncode == 0
    r = grader("merge", tmp_path / "o1", tmp_path / "o2", "--out", tmp_path / "m")
    assert r.returncode == 2 and "reveal differs" in r.stderr and "--reveal" in r.stderr


def test_check_prints_each_note_once(tmp_path):
    """A .py.txt with a plotting import has two notes: each printed once (it was twice)."""
    sub = tmp_path / "hw4.py.txt"
    sub.write_text("import matplotlib.pyplot as plt\n" + CORRECT)
    r = grader("check", sub)
    notes = [line for line in r.stdout.splitlines() if line.startswith("note:")]
    assert len(notes) == len(set(notes)) == 2, r.stdout


# --- instructor input: one line naming the file (or flag) and the key, exit 2 -----------------

BAD_COURSE_FILES = [
    ("[points]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n", "line 2: arrays or tables nested more than 64 deep"),
    ('[points]\n"2.5" = 1e308\n', "points.2.5: 1e+308 is out of range; give a number of points from 0 to 1000"),
    ("[points]\n2.5 = 6\n", 'points.2.5: quote question ids, as in "2.5" = 6'),
    ('[points]\n"9.9" = 1\n', "points.9.9: no such question"),
    ("[grading]\ntimeout = nan\n", "grading.timeout: nan is not a finite number"),
    ("[grading]\nmemory = 1e30\n", "grading.memory: 1e+30 is not an integer number of MiB"),
    ("[grading]\nseed = " + "9" * 400 + "\n", "grading.seed: an integer of 400 digits is out of range"),
    ("[late]\nfactor = inf\n", "late.factor: inf is not a finite number"),
    ("[grading]\ntimeout" + ".a" * 100_000 + " = 1\n", "line 2: a key of more than 32 dotted parts"),
    ("a = " + "9" * 5000 + "\n", "line 1: a: a number of thousands of digits"),
]


def _class(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.py").write_text(CORRECT)
    return subs


def _one_line_error(r, *expect):
    assert r.returncode == 2, (r.returncode, r.stderr[-3000:])
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr[-3000:]
    for e in expect:
        assert e in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("text,expect", BAD_COURSE_FILES, ids=[e for _t, e in BAD_COURSE_FILES])
def test_grade_with_a_bad_course_file_is_one_line(tmp_path, text, expect):
    subs = _class(tmp_path)
    conf = tmp_path / "course.toml"
    conf.write_text(text)
    r = grader("grade", subs, "--out", tmp_path / "out", "--config", conf, "--jobs", "1")
    _one_line_error(r, f"{conf}: {expect}")
    assert not (tmp_path / "out").exists()


def test_check_reads_a_bad_grader_toml_in_one_line(tmp_path):
    (tmp_path / "grader.toml").write_text('[points]\n"2.5" = nan\n')
    _one_line_error(grader("check", SUBMISSIONS / "correct_vectorized.py", cwd=tmp_path),
                    "grader.toml: points.2.5: nan is not a finite number")
    _one_line_error(grader("check", SUBMISSIONS / "correct_vectorized.py", "--config", tmp_path, cwd=tmp_path),
                    f"{tmp_path}: is a folder")


BAD_FLAGS = [
    (["--points", "2.5=1e308"], "--points '2.5=1e308': '1e308' is out of range; give a number of points from 0 to 1000"),
    (["--points", "2.5=nan"], "--points '2.5=nan': 'nan' is not a finite number"),
    (["--points", "2.5=-1"], "--points '2.5=-1': '-1' is out of range"),
    (["--timeout", "inf"], "'--timeout': 'inf' is not a finite number; give a number of seconds from 0.1 to 3600"),
    (["--timeout", "nan"], "'--timeout': 'nan' is not a finite number"),  # (nan passed click's FloatRange)
    (["--memory", "1e30"], "'--memory': '1e30' is not an integer number of MiB; give an integer number of MiB from 64"),
    (["--seed", "9" * 5000], "'--seed': '999"),
    (["--seed", str(2 ** 64)], "'--seed': '18446744073709551616' is out of range"),
    (["--no-such-flag"], "No such option '--no-such-flag'"),
]


@pytest.mark.parametrize("flags,expect", BAD_FLAGS, ids=[" ".join(f)[:30] for f, _e in BAD_FLAGS])
def test_grade_with_a_bad_flag_is_one_line(tmp_path, flags, expect):
    subs = _class(tmp_path)
    r = grader("grade", subs, "--out", tmp_path / "out", "--jobs", "1", *flags)
    line = _one_line_error(r, expect)
    assert len(line) < 300
    assert not (tmp_path / "out").exists()


def test_check_flags_share_the_rules(tmp_path):
    f = SUBMISSIONS / "correct_vectorized.py"
    _one_line_error(grader("check", f, "--fail-under", "nan"), "'--fail-under': 'nan' is not a finite number")
    _one_line_error(grader("check", f, "--timeout", "nan"), "'--timeout'", "(see grader check --help)")
    r = grader("check", f, "--json", "--seed", "-1")  # taken modulo 2**32, as documented
    assert r.returncode == 0 and json.loads(r.stdout)["seed"] == 2 ** 32 - 1


def test_a_roster_named_by_the_course_file_with_bad_days_late_is_one_line(tmp_path):
    subs = _class(tmp_path)
    (tmp_path / "roster.csv").write_text("student_id,name,Days late\na,Ann,1e308\n")
    (tmp_path / "grader.toml").write_text('[lms]\nroster = "roster.csv"\n')
    r = grader("grade", subs, "--out", tmp_path / "out", "--jobs", "1", cwd=tmp_path)
    _one_line_error(r, f"{tmp_path / 'roster.csv'} line 2: days late '1e308' is out of range")


def test_run_from_inside_the_submissions_folder_nothing_there_stands_in_for_the_graders(tmp_path):
    """Found by an attack round: `python -m grader grade .` run inside the submissions folder
    imported a student's csv.py (and nbformat.py in a worker) as the grader itself; and a
    student entry named grader.toml became the course file (seed, points, --reveal)."""
    import shutil
    import subprocess
    import sys
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", subs / "alice.py")
    marker = tmp_path / "planted-ran"
    for name in ("csv", "zipfile", "nbformat", "hashlib", "unicodedata"):
        (subs / f"{name}.py").write_text(f"open({str(marker)!r}, 'a').write({name!r})\n")
    (subs / "grader.toml").write_text("[grading]\nreveal = true\nseed = 1\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "grader", "grade", ".", "--out", str(tmp_path / "out"), "--jobs", "2"],
                       cwd=subs, env=env, capture_output=True, text=True, timeout=300)
    assert not marker.exists(), marker.read_text()
    assert r.returncode == 0 and "grader.toml is one of the submissions, not read" in r.stderr, r.stderr
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["seed"] == 0 and not data["reveal"] and data["max_score"] == 20


# --- every command: one mapping from what went wrong to the exit code (README, Exit codes) ----

@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A grading output (what merge merges) and its submissions folder."""
    from grader.api import Options, grade
    where = tmp_path_factory.mktemp("graded")
    (where / "subs").mkdir()
    (where / "subs" / "a.py").write_text(CORRECT)
    grade(where / "subs", where / "out", Options(jobs=1))
    return where


def _commands(tmp_path, graded):
    """Each command: (a run that writes, a run with bad input, what its one line says)."""
    (tmp_path / "taken.py").write_text("mine")
    return {
        "grade": (["grade", graded / "subs", "--out", tmp_path / "out", "--jobs", "1"],
                  ["grade", graded / "subs", "--out", tmp_path / "out", "--shard", "3/2"], "K counts from 1 to N"),
        "check": (["check", graded / "subs" / "a.py", "--html", tmp_path / "out" / "r.html"],
                  ["check", tmp_path / "nope.py"], "no such file"),
        "starter": (["starter", tmp_path / "out" / "s.py"], ["starter", tmp_path / "taken.py"], "already exists"),
        "merge": (["merge", graded / "out", "--out", tmp_path / "out"],
                  ["merge", graded / "subs", "--out", tmp_path / "out"], "holds no results.json"),
        "handout": (["handout", tmp_path / "out"], ["handout", tmp_path / "taken.py"], "is a file"),
        "gradescope": (["gradescope", tmp_path / "out" / "ag.zip", "--seed", "1"],
                       ["gradescope", tmp_path / "out" / "ag.tar"], "ending in .zip"),
    }


COMMANDS = ["grade", "check", "starter", "merge", "handout", "gradescope"]


def _errors(r) -> list[str]:
    assert "Traceback" not in r.output, r.output[-3000:]
    return [line for line in r.stderr.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_disk_is_exit_3_in_one_line_for_every_command(command, graded, tmp_path, monkeypatch):
    """handout and gradescope sent a full disk to exit 2 (a usage error) with a half-written
    file left; every command now says it in one line, exit 3, and leaves nothing."""
    import errno

    from click.testing import CliRunner

    import grader.outputs.atomic
    import grader.outputs.export
    from grader.cli import main

    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "out" / "x"))
    monkeypatch.setattr(grader.outputs.atomic, "_keep_mode", full)  # any file renamed into place
    monkeypatch.setattr(grader.outputs.export, "write_gradebook_file", full)  # an output folder
    args = _commands(tmp_path, graded)[command][0]
    r = CliRunner().invoke(main, list(map(str, args)))
    assert r.exit_code == 3, r.output[-3000:]
    errors = _errors(r)
    assert len(errors) == 1 and "no space left on the disk of" in errors[0], r.stderr
    if command != "grade":  # (grade's progress bar has its own lines)
        assert r.stderr.strip() == errors[0]
    out = tmp_path / "out"
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file()]  # nothing half-written
    assert not [p.name for p in tmp_path.iterdir() if "cnn-grader" in p.name]  # no staging folder left


@pytest.mark.parametrize("command", COMMANDS)
def test_bad_input_is_exit_2_in_one_line_for_every_command(command, graded, tmp_path):
    from click.testing import CliRunner

    from grader.cli import main
    _ok, args, expect = _commands(tmp_path, graded)[command]
    r = CliRunner().invoke(main, list(map(str, args)))
    assert r.exit_code == 2, r.output[-3000:]
    errors = _errors(r)
    assert r.stderr.strip() == errors[0] and len(errors) == 1 and expect in errors[0], r.stderr


@pytest.mark.parametrize("exc, code", [
    ("MachineError", 3), ("SandboxError", 3), ("EIO", 3), ("ENOSPC", 3), ("EMFILE", 3),
    ("EACCES", 2), ("EROFS", 2), ("UsageError", 2), ("ValueError", 2)])
def test_the_one_mapping(exc, code, capsys):
    """_reported, around every command: what went wrong -> the exit code, one line."""
    import errno

    from grader.cli import _reported
    from grader.errors import MachineError, UsageError
    from grader.sandbox.supervisor import SandboxError
    made = {"MachineError": MachineError("no space left on the disk of /x; free some space"),
            "SandboxError": SandboxError("unshare: operation not permitted"),
            "UsageError": UsageError("x.py: no such file; give the path"), "ValueError": ValueError("bad")}
    error = made.get(exc) or OSError(getattr(errno, exc), os.strerror(getattr(errno, exc)), "/some/out/x")

    @_reported
    def command(**kwargs):
        raise error
    with pytest.raises(SystemExit) as e:
        command(isolation="auto", require_sandbox=False)
    assert e.value.code == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")

    @_reported
    def buggy():
        raise KeyError("a bug of ours")
    with pytest.raises(KeyError):  # (not a user's or the machine's: it keeps its traceback)
        buggy()


@pytest.mark.parametrize("name", ["conv_foward", "Conv_Forward", "convforward"])
def test_missing_function_suggests_a_close_name(tmp_path, name):
    f = tmp_path / "typo.py"
    f.write_text(CORRECT.replace("def conv_forward(", f"def {name}("))
    entry = json.loads(grader("check", f, "--json").stdout)
    q = next(q for q in entry["questions"] if q["function"] == "conv_forward")
    assert q["status"] == "missing"
    assert q["message"] == f"no function named conv_forward is defined \u2014 did you mean {name}?"
    # another question's function is never offered as the close name
    g = tmp_path / "other.py"
    g.write_text(CORRECT.replace("def grad_pool_output(", "def grad_pool_outputs_x("))
    entry = json.loads(grader("check", g, "--json").stdout)
    assert all("did you mean" not in q["message"] or "grad_pool_outputs_x" in q["message"]
               for q in entry["questions"])


def test_summary_keeps_a_syntax_errors_line_number(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a_student_with_a_long_name.py").write_text("\n" * 11 + "def layer_sizes(:\n")
    r = grader("grade", subs, "--out", tmp_path / "out")
    row = next(line for line in r.stdout.splitlines() if line.startswith("a_student"))
    assert "SyntaxError" in row and row.endswith("line 12))"), row


@pytest.mark.parametrize("flag", ["--html", "--junit", "--gradescope"])
def test_check_never_writes_a_report_over_the_file_it_checks(tmp_path, flag):
    """Attacks 53 and 58: `check x.py --html x.py` (or --junit / --gradescope) replaced the
    checked file by the report."""
    sub = tmp_path / "x.py"
    sub.write_text(CORRECT)
    r = grader("check", sub, flag, sub)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and f"{flag} {sub} is the file being checked" in r.stderr
    assert sub.read_text() == CORRECT and sorted(p.name for p in tmp_path.iterdir()) == ["x.py"]


def test_grade_never_writes_a_report_into_its_inputs_or_its_own_files(tmp_path):
    """Attacks 48, 49, 52: --junit SUBS/a.py replaced a submission, --junit OUT/grades.csv the
    gradebook, --gradescope SUBS wrote into the submissions; all exit 0.  Now each is one line
    (exit 2) before anything is graded; a --junit file the grader wrote is replaced, one of
    the user's is not."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.py").write_text(CORRECT)
    out = tmp_path / "out"
    for extra in (["--junit", subs / "a.py"], ["--gradescope", subs]):
        r = grader("grade", subs, "--out", out, "--jobs", "1", *extra)
        assert r.returncode == 2 and "the submissions folder" in r.stderr, r.stderr
        assert sorted(p.name for p in subs.iterdir()) == ["a.py"] and (subs / "a.py").read_text() == CORRECT
        assert not out.exists()
    r = grader("grade", subs, "--out", out, "--jobs", "1", "--junit", out / "junit.xml")
    assert r.returncode == 0, r.stderr
    gradebook = (out / "grades.csv").read_bytes()
    r = grader("grade", subs, "--out", out, "--jobs", "1", "--junit", out / "grades.csv")
    assert r.returncode == 2 and "writes its own files" in r.stderr and (out / "grades.csv").read_bytes() == gradebook
    r = grader("grade", subs, "--out", out, "--jobs", "1", "--junit", out / "junit.xml")  # its own: replaced
    assert r.returncode == 0 and (out / "junit.xml").read_text().startswith("<?xml"), r.stderr
    (tmp_path / "mine.xml").write_text("<notes/>")
    r = grader("grade", subs, "--out", out, "--jobs", "1", "--junit", tmp_path / "mine.xml")
    assert r.returncode == 2 and "not a JUnit XML written by cnn-grader" in r.stderr
    assert (tmp_path / "mine.xml").read_text() == "<notes/>"


def test_check_never_writes_a_report_into_an_earlier_grading_or_similarity_report(tmp_path):
    """aside12 24, 27: `check b.py --html OUT/index.html` replaced an earlier grading's class
    dashboard (and OUT/reports/a.html a classmate's report, SIM/similarity.html a similarity
    report) by b's page, exit 0: the pages carry the grader's generator tag.  Now one line,
    exit 2, nothing changed."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.py").write_text(CORRECT)
    (subs / "b.py").write_text(CORRECT + "\n# b\n")
    out, sim = tmp_path / "out", tmp_path / "sim"
    assert grader("grade", subs, "--out", out, "--jobs", "1").returncode == 0
    assert grader("similar", subs, "--out", sim).returncode == 0
    for target in (out / "index.html", out / "reports" / "a.html", sim / "similarity.html"):
        before = target.read_bytes()
        r = grader("check", subs / "b.py", "--html", target)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.strip().splitlines() == [r.stderr.strip()] and f"--html {target} is inside" in r.stderr
        assert target.read_bytes() == before


def test_merge_never_writes_a_report_into_a_shard(tmp_path):
    """Attack 54: `merge s1 s2 --junit s1/results.json` replaced shard 1's results."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("a", "b", "c"):
        (subs / f"{name}.py").write_text(CORRECT)
    for k in (1, 2):
        r = grader("grade", subs, "--out", tmp_path / f"s{k}", "--shard", f"{k}/2", "--jobs", "1")
        assert r.returncode == 0, r.stderr
    before = (tmp_path / "s1" / "results.json").read_bytes()
    r = grader("merge", tmp_path / "s1", tmp_path / "s2", "--out", tmp_path / "m", "--junit",
               tmp_path / "s1" / "results.json")
    assert r.returncode == 2 and "inside the shard" in r.stderr, r.stderr
    assert (tmp_path / "s1" / "results.json").read_bytes() == before and not (tmp_path / "m").exists()


def test_written_hint_walks_a_deep_folder_without_recursion(tmp_path):
    """A hw4 class with a folder submission 1,300 folders deep: the written-answers hint, run after
    the outputs were written, listed it with rglob and raised RecursionError (a raw traceback,
    exit 1).  It looks at the folder as discovery does (bounded, no recursion); a class of
    folders holding only answers still gets the hint."""
    from test_discover import _deep_folder, _remove_deep

    from grader.assignment import load_assignment
    from grader.cli import _written_hint
    subs = tmp_path / "subs"
    (subs / "deep").mkdir(parents=True)
    (subs / "deep" / "hw4.py").write_text(CORRECT)
    (subs / "honest.py").write_text(CORRECT)
    fd = _deep_folder(subs / "deep", 1300)
    os.close(os.open("answers.md", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd))
    try:
        _written_hint(sorted(subs.iterdir()), load_assignment("hw4"))  # (returns: code, no hint)
        (subs / "deep" / "hw4.py").unlink()
        (subs / "deep" / "answers.md").write_text("## 1.1\nc_w = 3\n")
        (subs / "honest.py").unlink()
        (subs / "alice").mkdir()
        (subs / "alice" / "answers.md").write_text("## 1.1\nc_w = 3\n")
        with pytest.raises(SystemExit) as exc:  # only answers: the hint, and exit 1
            _written_hint(sorted(subs.iterdir()), load_assignment("hw4"))
        assert exc.value.code == 1
    finally:
        _remove_deep(subs / "deep", 1300, fd)
