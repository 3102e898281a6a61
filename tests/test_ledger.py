"""Overrides with an audit trail (grader/course/ledger.py): the ledger is appended to, never
rewritten; every output of a grading (results.json, grades.csv, the LMS file, the dashboard,
the report) carries the decisions; a regrade keeps them; sharded runs and merge apply them once."""
from __future__ import annotations

import csv
import json
import shutil

import pytest
from click.testing import CliRunner

from conftest import SUBMISSIONS
from grader.cli import main
from grader.course import ledger as L
from test_lms import ASG, _result


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_apply_is_idempotent_and_reset_puts_back_the_grade(tmp_path):
    path = tmp_path / "l.jsonl"
    L.record(path, "alice", "2.5", 3.0, "regrade request: sign convention accepted", by="ta")
    L.record(path, "alice", "late-waived", None, "doctor's note", by="ta")
    sub = _result("alice", {"2.5": 0.0}, late=True, factor=0.5)
    before = sub.score
    book = L.Ledger(path)
    for _ in range(2):  # a result reused or merged gets the ledger once
        assert book.apply(sub)
        assert sub.automatic_score == before and sub.late_factor == 1.0
        q = next(q for q in sub.questions if q.id == "2.5")
        assert (q.automatic_score, q.score, q.override["why"]) == (0.0, 3.0, "regrade request: sign convention accepted")
        assert sub.score == ASG.max_score - 4 + 3
    L.reset(sub)
    assert (sub.score, sub.late_factor, sub.overrides) == (before, 0.5, [])


def test_undo_appends_a_reversal_and_the_file_only_grows(tmp_path):
    path = tmp_path / "l.jsonl"
    e = L.record(path, "bob", "total", 15.0, "academic integrity: capped")
    size = path.stat().st_size
    r = L.undo(path, e["id"], "appeal upheld")
    assert path.read_bytes()[:size] == path.read_bytes()[:size] and path.stat().st_size > size
    assert r["undo"] == e["id"] and L.in_force(L.read(path)) == {}
    with pytest.raises(ValueError, match="already undone"):
        L.undo(path, e["id"], "again")


@pytest.mark.parametrize("args,words", [
    (["alice", "9.9", "1"], "not a question of hw4"),
    (["alice", "2.5", "7"], "outside 0 to 4"),
    (["alice", "total", "21"], "outside 0 to 20"),
    (["alice", "excused", "3"], "takes no points"),
])
def test_bad_overrides_are_one_line_exit_2(tmp_path, args, words):
    r = _cli("override", *args, "--why", "x", "--ledger", tmp_path / "l.jsonl")
    assert r.exit_code == 2, r.output
    assert words in r.output and len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "l.jsonl").exists()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("ledger")
    subs = base / "subs"
    subs.mkdir()
    for name in ("correct_vectorized", "mistake_answer_key_quarter", "correct_loops"):
        shutil.copy(SUBMISSIONS / f"{name}.py", subs / f"{name}.py")
    out = base / "out"
    r = _cli("grade", subs, "--out", out, "--jobs", "1")
    assert r.exit_code == 0, r.output
    return base, subs, out


def _results(out):
    return {s["student"]: s for s in json.loads((out / "results.json").read_text())["submissions"]}


def test_an_override_reaches_every_output_and_survives_regrades(graded, tmp_path):
    base, subs, out0 = graded
    out = tmp_path / "out"
    shutil.copytree(out0, out)
    ledger = tmp_path / "ledger.jsonl"
    who = "mistake_answer_key_quarter"
    auto = _results(out)[who]
    q = next(q for q in auto["questions"] if q["score"] < q["max_score"])
    r = _cli("override", "nobody", q["id"], "1", "--why", "x", "--ledger", ledger, "--out", out)
    assert r.exit_code == 2 and "not a student" in r.output
    r = _cli("override", who, q["id"], q["max_score"], "--why", "Partial derivation accepted on appeal",
             "--ledger", ledger, "--out", out, "--by", "prof")
    assert r.exit_code == 0, r.output
    entry = L.read(ledger)[0]
    assert entry["replaces"] == q["score"] and entry["by"] == "prof" and entry["at"].endswith("+00:00")
    for _ in range(2):  # the second regrade reuses every result: the override stays
        r = _cli("grade", subs, "--out", out, "--jobs", "1", "--ledger", ledger)
        assert r.exit_code == 0, r.output
        got = _results(out)[who]
        gq = next(x for x in got["questions"] if x["id"] == q["id"])
        assert (gq["automatic_score"], gq["score"]) == (q["score"], q["max_score"])
        assert got["automatic_score"] == auto["score"] and got["score"] == auto["score"] - q["score"] + q["max_score"]
        rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open(encoding="utf-8-sig"))}
        assert float(rows[who]["total"]) == got["score"]
        assert "overridden" in (out / "index.html").read_text()
        assert "Partial derivation accepted on appeal" in (out / got["report"]).read_text()
        assert "REVIEW" not in r.output
    assert _cli("ledger", "--ledger", ledger).output.count(entry["id"]) == 1
    # the recorded automatic score no longer matches: said for review
    L.record(ledger, who, "total", 10.0, "cap", replaces=3.0)
    r = _cli("grade", subs, "--out", out, "--jobs", "1", "--ledger", ledger)
    assert "REVIEW: " + who + " total" in r.output
    assert _results(out)[who]["score"] == 10.0
    # undone: the automatic grade is back, in every output
    for e in L.read(ledger):
        assert _cli("override", "--undo", e["id"], "--why", "appeal withdrawn", "--ledger", ledger).exit_code == 0
    r = _cli("grade", subs, "--out", out, "--jobs", "1", "--ledger", ledger)
    got = _results(out)[who]
    assert got["score"] == auto["score"] and got["overrides"] == [] and got["automatic_score"] is None
    assert "Partial derivation" not in (out / got["report"]).read_text()


def test_shards_and_merge_apply_the_ledger_once(graded, tmp_path):
    base, subs, _out = graded
    ledger = tmp_path / "ledger.jsonl"
    L.record(ledger, "correct_loops", "total", 12.0, "plagiarism penalty")
    L.record(ledger, "correct_vectorized", "excused", None, "medical")
    outs = []
    for k in (1, 2):
        o = tmp_path / f"out-{k}"
        assert _cli("grade", subs, "--out", o, "--jobs", "1", "--shard", f"{k}/2", "--ledger", ledger).exit_code == 0
        outs.append(o)
    r = _cli("merge", *outs, "--out", tmp_path / "merged")
    assert r.exit_code == 0, r.output
    got = _results(tmp_path / "merged")
    assert got["correct_loops"]["score"] == 12.0 and got["correct_loops"]["automatic_score"] == 20.0
    assert len(got["correct_loops"]["overrides"]) == 1 and got["correct_vectorized"]["excused"]
    rows = {row["student"]: row for row in csv.DictReader((tmp_path / "merged" / "grades.csv").open(encoding="utf-8-sig"))}
    assert rows["correct_vectorized"]["total"] == "EX"


def test_only_regrades_one_student_and_leaves_the_others_untouched(graded, tmp_path):
    """grade --only STUDENT: a regrade request answered without regrading the class."""
    import re
    base, subs, out0 = graded
    out = tmp_path / "out"
    shutil.copytree(out0, out)
    who = "mistake_answer_key_quarter"
    fixed = tmp_path / "subs"
    shutil.copytree(subs, fixed)
    shutil.copy(SUBMISSIONS / "correct_loops.py", fixed / f"{who}.py")  # resubmitted, now correct
    for other in ("correct_loops", "correct_vectorized"):
        (fixed / f"{other}.py").write_text("raise SystemExit  # changed, but not asked for\n")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    r = _cli("grade", fixed, "--out", out, "--jobs", "1", "--only", who)
    assert r.exit_code == 0, r.output
    res = _results(out)
    old = _results(out0)
    assert res[who]["score"] == 20.0 and old[who]["score"] < 20.0
    for other in ("correct_loops", "correct_vectorized"):
        assert res[other] == old[other]
        report = old[other]["report"]
        assert (out / report).read_bytes() == before[type(next(iter(before)))(report)]
    rows = lambda o: {r["student"]: r for r in csv.DictReader((o / "grades.csv").open(encoding="utf-8-sig"))}  # noqa: E731
    assert rows(out)["correct_loops"] == rows(out0)["correct_loops"]
    row = lambda o, s: re.search(rf'<tr[^>]*><th scope="row" data-v="{s}">.*?</tr>', (o / "index.html").read_text()).group(0)  # noqa: E731
    assert row(out, "correct_loops") == row(out0, "correct_loops")
    assert row(out, who) != row(out0, who)
    r = _cli("grade", fixed, "--out", out, "--jobs", "1", "--only", "nobody")
    assert r.exit_code == 2 and "--only nobody" in r.output
    r = _cli("grade", fixed, "--out", tmp_path / "fresh", "--only", who)
    assert r.exit_code == 2 and "holds no results.json" in r.output


def test_out_takes_the_umask_mode(graded, tmp_path):
    """out/ was 0700 whatever the umask (a temporary folder swapped in): TAs could not read it."""
    import os
    import stat
    base, subs, _out = graded
    old = os.umask(0o022)
    try:
        assert _cli("grade", subs, "--out", tmp_path / "o", "--jobs", "1").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "o").stat().st_mode) == 0o755


def test_one_trial_is_singular():
    from grader.judge.compare import _all_trials
    assert _all_trials(1) == "the 1 trial" and _all_trials(3) == "all 3 trials"


def test_only_and_override_take_an_id_typed_in_bytes_that_are_not_utf8(tmp_path):
    """Latin-1 ``Ren\\xe9.py`` is student ``Ren\\xe9``; an instructor who types the raw byte
    (``--only $'Ren\\xe9'``) got "error: 'utf-8' codec can't encode ..." and no regrade (the
    command line recorded in results.json held it), and ``override`` the same.  Both now take
    the id in the form discovery gives it."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SUBMISSIONS / "mistake_answer_key_quarter.py", subs / os.fsdecode(b"Ren\xe9.py"))
    shutil.copy(SUBMISSIONS / "correct_loops.py", subs / os.fsdecode(b"Ren\xe8.py"))
    out, book = tmp_path / "out", tmp_path / "l.jsonl"
    import grader as package
    root = Path(package.__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root))
    grader = lambda *a: subprocess.run([sys.executable, "-m", "grader", *map(os.fsencode, a)], env=env,  # noqa: E731
                                       capture_output=True, cwd=tmp_path)
    assert grader("grade", subs, "--out", out, "--jobs", "1").returncode == 0
    before = _results(out)
    assert before["Ren\\xe9"]["score"] < 20 and before["Ren\\xe8"]["score"] == 20
    shutil.copy(SUBMISSIONS / "correct_loops.py", subs / os.fsdecode(b"Ren\xe9.py"))  # resubmitted, now right
    r = grader("grade", subs, "--out", out, "--jobs", "1", "--only", os.fsdecode(b"Ren\xe9"))
    assert r.returncode == 0, r.stderr
    assert _results(out)["Ren\\xe9"]["score"] == 20
    assert "--only 'Ren\\xe9'" in json.loads((out / "results.json").read_text(encoding="utf-8"))["command"]
    r = grader("override", os.fsdecode(b"Ren\xe8"), "total", "18", "--why", "x", "--ledger", book, "--out", out)
    assert r.returncode == 0, r.stderr
    assert [e["student"] for e in L.read(book)] == ["Ren\\xe8"]
