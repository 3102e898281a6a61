"""grader.api details not covered end to end by test_cli / test_examples."""
from __future__ import annotations

import sys

import pytest
from pathlib import Path

from grader.api import hidden_paths


def test_hidden_paths_cover_every_installed_copy(tmp_path, monkeypatch):
    """Run from a checkout with the project also pip-installed (as CI does), the site-packages
    copy of the grader and the reference must be hidden too, not only the imported one."""
    site = tmp_path / "site-packages"
    for name in ("grader", "reference", "unrelated"):
        (site / name).mkdir(parents=True)
        (site / name / "__init__.py").write_text("")
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    hidden = set(hidden_paths())
    covered = lambda p: any(p == h or h in p.parents for h in hidden)  # noqa: E731
    assert covered((site / "grader").resolve()) and covered((site / "reference").resolve())
    # what student code may not import is covered in every site-packages (sympy, jinja2, ...):
    # a package the grader does not allow is not there to load by path
    assert covered((site / "unrelated").resolve())
    import numpy
    assert not covered(Path(numpy.__file__).resolve())


def test_hidden_paths_never_hide_the_interpreter(tmp_path):
    import numpy
    hidden = hidden_paths(Path(sys.prefix))
    for p in hidden:
        assert not (Path(numpy.__file__).resolve().is_relative_to(p)), p
        assert not Path(sys.prefix).resolve().is_relative_to(p), p


def test_previous_results_read_from_either_layout(tmp_path):
    """Incremental regrading finds unchanged results in a streamed results.json and in a
    pretty-printed one (an older grader's, or hand-edited); timeouts are never reused."""
    import shutil

    from conftest import SUBMISSIONS
    from grader.api import Options, _Previous, grade
    from grader.results import dumps, load
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("correct_loops.py", "partial.py"):
        shutil.copy(SUBMISSIONS / name, subs / name)
    run = grade(subs, tmp_path / "out", Options(jobs=1))
    keys = [s.cache_key for s in run.submissions]
    assert all(keys)
    streamed = _Previous(tmp_path / "out")
    assert streamed.take(keys[0]).student == run.submissions[0].student
    assert streamed.take(keys[0]) is None  # taken once
    pretty = tmp_path / "pretty"
    pretty.mkdir()
    old = load(tmp_path / "out" / "results.json")
    old.submissions[1].questions[0].status = "timeout"
    (pretty / "results.json").write_text(dumps(old), encoding="utf-8")
    p = _Previous(pretty)
    assert p.take(keys[0]).student == run.submissions[0].student and p.take(keys[1]) is None
    (pretty / "results.json").write_text("{not json", encoding="utf-8")
    assert _Previous(pretty).take(keys[0]) is None


def test_trials_made_for_many_students_at_once_are_exactly_those_made_alone():
    """grade() makes trials a batch of students at a time; `grader check` makes one student's.
    Both must give the very same inputs and answers (the reports' reproduce command)."""
    import numpy as np

    from grader.api import make_trials, make_trials_many
    from grader.assignment import load_assignment
    asg = load_assignment("hw4")
    students = [f"s{i}" for i in range(12)] + ["ünï", ""]
    for seed in (0, 5):
        for student, batch in zip(students, make_trials_many(asg, seed, students)):
            alone = make_trials(asg, seed, student)
            assert list(alone) == list(batch)
            for qid, t in alone.items():
                b = batch[qid]
                assert list(t.args) == list(b.args) and list(t.labels) == list(b.labels)
                assert list(t.nargs or []) == list(b.nargs or [])
                for k in t.args:
                    assert t.args[k].dtype == b.args[k].dtype and np.array_equal(t.args[k], b.args[k]), (qid, k)
                assert t.expected.dtype == b.expected.dtype and np.array_equal(t.expected, b.expected), qid


def test_trials_ahead_hands_out_each_students_own_trials(monkeypatch):
    import numpy as np

    import grader.api as api
    from grader.assignment import load_assignment
    asg = load_assignment("hw4")
    batches = []
    real = api.make_trials_many
    monkeypatch.setattr(api, "make_trials_many", lambda a, seed, st: batches.append(list(st)) or real(a, seed, st))
    students = [f"s{i}" for i in range(7)]
    ahead = api._TrialsAhead(asg, 3, students, batch=3)
    for i in (0, 2, 1, 5, 3, 4, 6):
        got = ahead.take(i)
        assert np.array_equal(got["1.2"].args["x"], real(asg, 3, [students[i]])[0]["1.2"].args["x"])
    assert batches == [["s0", "s1", "s2"], ["s5", "s6"], ["s3", "s4"]]


@pytest.mark.parametrize("processes", [False, True])
def test_workers_wait_for_results_to_be_written_instead_of_piling_them_up(processes, monkeypatch, tmp_path):
    """Workers hand results over through a bounded channel: however slow writing is, only a
    few graded results wait in memory (the flat-memory target for large classes)."""
    import contextlib
    import time

    from grader.run import workers
    monkeypatch.setenv("CNN_GRADER_THREADS", "0" if processes else "1")
    log = tmp_path / "graded"  # (workers may be processes: they count in a file)

    def task(state, i, end):
        with open(log, "a") as f:
            f.write(f"{i}\n")
        return i, "x" * 4096  # about a passed student's results.json line

    written, peak = [], [0]

    def on_message(i, msg):
        time.sleep(0.002)  # a slow disk
        written.append(msg[0])
        peak[0] = max(peak[0], len(log.read_text().split()) - len(written))

    workers.run_tasks(300, 3, contextlib.nullcontext, task, None, on_message)
    assert sorted(written) == list(range(300))
    # threads: the queue's 2 per worker; processes: what a pipe's 64 KiB holds, per worker
    assert peak[0] <= (3 * (65536 // 4096 + 2) if processes else 2 * 3 + 3 + 1), peak[0]


@pytest.mark.parametrize("processes", [False, True])
def test_a_failing_result_handler_stops_the_workers(processes, monkeypatch):
    import contextlib
    import threading

    from grader.run import workers
    monkeypatch.setenv("CNN_GRADER_THREADS", "0" if processes else "1")
    seen = []

    def on_message(i, msg):
        seen.append(msg)
        if len(seen) == 5:
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        workers.run_tasks(1000, 2, contextlib.nullcontext, lambda st, i, end: i, None, on_message)
    assert threading.active_count() == 1  # no worker left behind
    import multiprocessing
    assert not multiprocessing.active_children()


def test_a_task_exception_stops_the_run_and_a_dead_worker_costs_one_index(monkeypatch):
    """In worker processes: an exception a task raises stops the run with that exception; a
    worker that dies (killed, say) costs only the index it was on, the rest is graded."""
    import contextlib
    import os
    import signal

    from grader.run import workers
    monkeypatch.setenv("CNN_GRADER_THREADS", "0")

    def boom(st, i, end):
        if i == 7:
            raise KeyError("ours")
        return i

    with pytest.raises(KeyError, match="ours"):
        workers.run_tasks(50, 2, contextlib.nullcontext, boom, None, lambda i, m: None)

    def dies(st, i, end):
        if i == 5:
            os.kill(os.getpid(), signal.SIGKILL)
        return ("ok", i)

    got = {}
    workers.run_tasks(40, 2, contextlib.nullcontext, dies, lambda i, why: ("failed", why),
                      lambda i, m: got.__setitem__(i, m))
    assert sorted(got) == list(range(40))
    assert got[5][0] == "failed" and "ended unexpectedly" in got[5][1]
    assert all(m == ("ok", i) for i, m in got.items() if i != 5)


def test_worker_processes_and_threads_grade_identically(tmp_path, monkeypatch):
    """The same class graded by worker processes and by threads: the same results.json."""
    import json
    import shutil

    from conftest import SUBMISSIONS
    from grader.api import Options, grade
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("correct_loops.py", "partial.py", "mistake_sign_flipped.py", "starter.py", "correct_package"):
        src = SUBMISSIONS / name
        (shutil.copytree if src.is_dir() else shutil.copyfile)(src, subs / name)
    outs = {}
    for mode in ("0", "1"):
        monkeypatch.setenv("CNN_GRADER_THREADS", mode)
        grade(subs, tmp_path / mode, Options(jobs=2, seed=4))
        data = json.loads((tmp_path / mode / "results.json").read_text())
        for s in data["submissions"]:
            s.pop("seconds")
            for q in s["questions"]:
                q.pop("seconds")
        outs[mode] = data["submissions"]
        assert sorted(p.name for p in (tmp_path / mode / "reports").iterdir()) == sorted(
            s["report"].split("/")[1] for s in data["submissions"])
    assert outs["0"] == outs["1"]


def test_trials_made_for_a_student_who_needs_none_are_dropped():
    import grader.api as api
    from grader.assignment import load_assignment
    ahead = api._TrialsAhead(load_assignment("hw4"), 0, [f"s{i}" for i in range(6)], batch=4)
    ahead.take(0)  # makes 0..3
    ahead.forget(1)
    ahead.forget(2)
    assert sorted(ahead._made) == [3]
    ahead.forget(5)  # never made: nothing to drop, and never made later
    ahead.take(4)
    assert sorted(ahead._made) == [3]


# --- the output folder: the instructor's files are never lost -------------------------------------

def _class(tmp_path, names=("correct_loops.py", "partial.py")):
    import shutil

    from conftest import SUBMISSIONS
    subs = tmp_path / "subs"
    subs.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(SUBMISSIONS / name, subs / name)
    return subs


def _add_user_files(out):
    files = {"notes.txt": "my notes", "manual/bob.txt": "bob: +2", "reports/extra.txt": "mine",
             "junit.xml": "<testsuites/>"}
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    return files


def test_regrade_keeps_every_file_the_grader_did_not_write(tmp_path):
    """Regrading into an earlier output replaced it whole, deleting the instructor's notes."""
    import json

    from grader.api import Options, grade
    from grader.outputs.outdir import MARKER, read_marker
    subs = _class(tmp_path)
    out = tmp_path / "out"
    grade(subs, out, Options(jobs=1, seed=1))
    mine = _add_user_files(out)
    (subs / "partial.py").unlink()  # the earlier report of a student no longer there goes too
    grade(subs, out, Options(jobs=1, seed=2))
    for rel, text in mine.items():
        assert (out / rel).read_text() == text, rel
    assert json.loads((out / "results.json").read_text())["seed"] == 2
    assert not (out / "reports" / "partial.html").exists()
    marker = read_marker(out)
    assert marker["state"] == "complete" and "notes.txt" not in marker["files"]
    assert set(marker["files"]) == {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} \
        - set(mine) - {MARKER}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "subs"]  # no staging left beside


def test_a_folder_with_a_results_json_of_its_own_is_not_ours(tmp_path):
    import pytest

    from grader.api import Options, UsageError, grade
    subs = _class(tmp_path, ["correct_loops.py"])
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "results.json").write_text("{}")
    (thesis / "thesis.tex").write_text("precious")
    with pytest.raises(UsageError, match="not empty and holds no grading output"):
        grade(subs, thesis, Options(jobs=1))
    assert sorted(p.name for p in thesis.iterdir()) == ["results.json", "thesis.tex"]
    assert (thesis / "results.json").read_text() == "{}"


def test_an_earlier_output_without_a_marker_is_recognised_by_its_shape(tmp_path):
    """Outputs of this grader before markers existed: replaced, the instructor's files kept."""
    from grader.api import Options, grade
    from grader.outputs.outdir import MARKER
    subs = _class(tmp_path)
    out = tmp_path / "out"
    grade(subs, out, Options(jobs=1))
    (out / MARKER).unlink()
    mine = _add_user_files(out)
    grade(subs, out, Options(jobs=1, seed=3))
    for rel, text in mine.items():
        assert (out / rel).read_text() == text


def test_a_user_file_where_the_grading_writes_is_refused_untouched(tmp_path):
    import pytest

    from grader.api import Options, UsageError, grade
    subs = _class(tmp_path, ["correct_loops.py"])
    out = tmp_path / "out"
    grade(subs, out, Options(jobs=1))
    (subs / "zed.py").write_text((subs / "correct_loops.py").read_text())
    (out / "reports" / "zed.html").write_text("my own page")  # not the grader's: it did not write it
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    with pytest.raises(UsageError, match="reports/zed.html"):
        grade(subs, out, Options(jobs=1))
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
    assert (out / "reports" / "zed.html").read_text() == "my own page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "subs"]


def test_an_empty_submissions_folder_is_an_error(tmp_path):
    import pytest

    from grader.api import Options, UsageError, grade
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / ".DS_Store").write_text("")
    with pytest.raises(UsageError, match="holds no submissions"):
        grade(tmp_path / "subs", tmp_path / "out", Options(jobs=1))
    assert not (tmp_path / "out").exists()


def test_out_under_missing_parents_is_created(tmp_path):
    from grader.api import Options, grade
    subs = _class(tmp_path, ["correct_loops.py"])
    grade(subs, tmp_path / "a" / "b" / "out", Options(jobs=1))
    assert (tmp_path / "a" / "b" / "out" / "results.json").is_file()


def test_an_empty_shard_says_so_on_the_dashboard(tmp_path):
    from grader.api import Options, grade
    from grader.course.shard import shard_of
    subs = _class(tmp_path, ["correct_loops.py"])
    k = next(k for k in (1, 2) if k != shard_of("correct_loops", 2))
    run = grade(subs, tmp_path / "out", Options(jobs=1), shard=(k, 2))
    assert run.submissions == [] and run.shard == [k, 2]
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "No submissions were graded" in html and "passed every question" not in html


def test_an_existing_empty_folder_and_a_mount_point(tmp_path, monkeypatch):
    import os

    import pytest

    from grader.api import Options, UsageError, grade
    subs = _class(tmp_path, ["correct_loops.py"])
    (tmp_path / "empty").mkdir()
    grade(subs, tmp_path / "empty", Options(jobs=1))
    assert (tmp_path / "empty" / "results.json").is_file()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: str(p) == str(tmp_path / "mnt") or real(p))
    (tmp_path / "mnt").mkdir()
    with pytest.raises(UsageError, match="mount point.*mnt/grading"):
        grade(subs, tmp_path / "mnt", Options(jobs=1))


def test_the_pages_pasted_from_the_workers_pieces_are_those_made_from_the_results(tmp_path, monkeypatch):
    """grades.csv and index.html are put together from what each worker rendered of its
    students; made again from results.json alone (as merge does), they are the same bytes --
    also when the dashboard is too large for the usual bounds and takes the tight rows."""
    import shutil

    import grader.outputs.report
    from conftest import SUBMISSIONS
    from grader.outputs import export
    from grader import results
    from grader.api import Options, grade
    from grader.assignment import load_assignment
    from grader.outputs.report import Renderer
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("correct_loops.py", "partial.py", "mistake_sign_flipped.py", "starter.py", "mistake_max_assign.py"):
        shutil.copyfile(SUBMISSIONS / name, subs / name)
    (subs / "broken.py").write_text("def conv_forward(:\n")
    (subs / "late=1 & <b>odd<b>.py").write_text("def layer_sizes(*a):\n    return (1, 2, 3)\n")
    (subs / f"{'a_very_long_student_id_' * 4}.py").write_text("x = 1\n")  # cut shorter by the tight bounds
    pages = {}
    for bound in (None, 20_000):  # 20,000 bytes: the page is too large, the tight rows are taken
        if bound:
            monkeypatch.setattr(grader.outputs.report, "MAX_PAGE_BYTES", bound)
        out = tmp_path / f"out{bound}"
        grade(subs, out, Options(jobs=2, seed=3))
        run = results.load(out / "results.json")
        again = tmp_path / f"again{bound}"
        again.mkdir()
        export.write_gradebook_file(run, again)
        Renderer(load_assignment(run.assignment), run).write_index(run.submissions, again / "index.html")
        for name in ("grades.csv", "index.html"):
            assert (again / name).read_bytes() == (out / name).read_bytes(), name
        pages[bound] = (out / "index.html").read_text()
    assert pages[20_000] != pages[None] and len(pages[20_000]) < len(pages[None])


def test_blocks_shrink_towards_the_end_so_workers_finish_together():
    from grader.run.workers import block_size
    sizes, left = [], 1000
    while left:
        sizes.append(block_size(left, 16))
        left -= sizes[-1]
    assert max(sizes) == 15 and sizes == sorted(sizes, reverse=True)
    assert sizes[-64:] == [1] * 64  # the last of them one index at a time
    assert block_size(5, 4) == 1 and block_size(10_000, 2) == 16


@pytest.mark.parametrize("change", ["renormalized", "joined"])
def test_a_regrade_never_reuses_a_score_for_different_work(tmp_path, change):
    """Two layouts an attack round made share a key: a helper module renamed to another Unicode
    normalization of its name (the import then fails), and one file whose bytes are a folder's
    names and contents run together.  A regrade gives what a fresh grade gives."""
    import shutil

    from conftest import SUBMISSIONS
    from grader.api import Options, grade
    body = (SUBMISSIONS / "correct_vectorized.py").read_bytes()
    subs = tmp_path / "subs"
    sub = subs / "main"
    sub.mkdir(parents=True)
    helper = "h\u00e9lper" if change == "renormalized" else "mod"
    (sub / f"{helper}.py").write_bytes(body)
    from grader.assignment import load_assignment
    wrappers = "".join(f"def {q.function}(*a, **k):\n    return _h.{q.function}(*a, **k)\n"
                       for q in load_assignment("hw4").questions)
    (sub / "main.py").write_bytes(f"import {helper} as _h\n{wrappers}".encode())
    first = grade(subs, tmp_path / "out", Options(jobs=1))
    assert first.submissions[0].score == 20
    if change == "renormalized":
        (sub / f"{helper}.py").rename(sub / "he\u0301lper.py")  # NFD: Python's import no longer finds it
    else:  # the folder's names and contents, run together as one file main.py (a NUL: unimportable)
        shutil.rmtree(sub)
        (subs / "main.py").write_bytes(f"import mod as _h\n{wrappers}mod.py\0".encode() + body)
    again = grade(subs, tmp_path / "out", Options(jobs=1))
    fresh = grade(subs, tmp_path / "fresh", Options(jobs=1))
    assert again.cached == 0 and again.submissions[0].score == fresh.submissions[0].score < 20


def test_an_import_that_timed_out_is_graded_again(tmp_path):
    """Found by an attack round: the README says a result with a timeout is never reused, but an
    import that hit its limit was (its questions are 'error', not 'timeout')."""
    from grader.api import Options, grade
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "slow.py").write_text("import time\ntime.sleep(3)\n")
    first = grade(subs, tmp_path / "out", Options(jobs=1, timeout=1))
    assert "did not finish within 1 s" in first.submissions[0].error and not first.submissions[0].cache_key
    again = grade(subs, tmp_path / "out", Options(jobs=1, timeout=1))
    assert again.cached == 0
