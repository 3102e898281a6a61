"""Faults survived: a run killed at any moment of a regrade, or starved of disk, leaves one whole
grading in OUT, every file of the instructor's, and nothing behind once the next run is done."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS
from grader.outputs import outdir
from grader.errors import MachineError
from grader.outputs.atomic import exchange

USER = {"notes.txt": "my notes", "manual/bob.txt": "bob: +2 by hand", "reports/README.txt": "mine too"}


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".") and "cnn-grader" in p.name
                  or ".old-" in p.name)


def _fake_output(out: Path, tag: str, students: list[str]) -> None:
    """A grading output as grade() lays it out, built through the same staging and swap."""
    staging = outdir.new_staging(out)
    (staging / "reports").mkdir()
    for s in students:
        (staging / "reports" / f"{s}.html").write_text(f"{tag} {s}")
    (staging / "results.json").write_text(json.dumps({"tag": tag, "students": students}))
    (staging / "grades.csv").write_text(tag)
    (staging / "index.html").write_text(tag)
    outdir.finish(staging, out)


def _whole(out: Path) -> str:
    """The one grading OUT holds (its tag), after checking every file its marker lists is there
    and of that grading; and the instructor's files, intact."""
    m = outdir.read_marker(out)
    assert m is not None and m["files"], sorted(p.name for p in out.iterdir())
    tag = json.loads((out / "results.json").read_text())["tag"]
    for rel in m["files"]:
        assert (out / rel).is_file(), rel
        if rel.endswith((".html", ".csv")):
            assert (out / rel).read_text().startswith(tag), rel
    for rel, text in USER.items():
        assert (out / rel).read_text() == text, rel
    return tag


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no finally of the grader's either."""


@pytest.mark.parametrize("swap", ["exchange", "two renames"])
def test_a_replace_killed_at_every_step_loses_nothing(tmp_path, monkeypatch, swap):
    """Kill the replace after each of its filesystem steps in turn; the next run's recover()
    must leave OUT holding the old or the new grading whole, every user file, no leftovers."""
    if swap == "two renames":
        monkeypatch.setattr(outdir, "exchange", lambda a, b: False)
    steps = 0
    real_rename, real_exchange, real_write, real_rmdir = os.rename, outdir.exchange, outdir._write_marker, os.rmdir
    for kill_at in range(1, 40):
        root = tmp_path / f"k{kill_at}"
        out = root / "out"
        _fake_output(out, "old", ["ann", "bob"])
        for rel, text in USER.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_text(text)
        staging = outdir.new_staging(out)
        (staging / "reports").mkdir()
        for s in ("ann", "bob", "cyd"):
            (staging / "reports" / f"{s}.html").write_text(f"new {s}")
        for name in ("results.json", "grades.csv", "index.html"):
            (staging / name).write_text(json.dumps({"tag": "new"}) if name == "results.json" else "new")
        count = [0]

        def step(fn):
            def wrapped(*a, **k):
                count[0] += 1
                if count[0] == kill_at:
                    raise Killed
                return fn(*a, **k)
            return wrapped
        monkeypatch.setattr(outdir.os, "rename", step(real_rename))
        monkeypatch.setattr(outdir, "_write_marker", step(real_write))
        if swap == "exchange":
            monkeypatch.setattr(outdir, "exchange", step(real_exchange))
        monkeypatch.setattr(outdir.os, "rmdir", step(real_rmdir))
        try:
            outdir.finish(staging, out)
            done = True
        except Killed:
            done = False
        monkeypatch.setattr(outdir.os, "rename", real_rename)
        monkeypatch.setattr(outdir, "_write_marker", real_write)
        monkeypatch.setattr(outdir.os, "rmdir", real_rmdir)
        if swap == "exchange":
            monkeypatch.setattr(outdir, "exchange", real_exchange)
        monkeypatch.setattr(outdir, "alive", lambda ident: False)  # the killed run is gone
        outdir.recover(out)
        assert _whole(out) in ("old", "new")
        assert _leftovers(root) == [], kill_at
        if done:
            assert _whole(out) == "new"
            steps = kill_at
            break
    assert steps > 5  # the replace really went through several steps, each one killed once


def test_exchange_swaps_two_folders(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    if exchange(a, b):
        assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"
    else:  # not on Linux, or a filesystem without RENAME_EXCHANGE: nothing changed
        assert (a / "x").read_text() == "a"


def test_a_live_runs_staging_is_never_touched(tmp_path):
    out = tmp_path / "out"
    _fake_output(out, "old", ["ann"])
    mine = outdir.new_staging(out)  # this (live) process's
    (mine / "reports").mkdir()
    other = outdir.new_staging(tmp_path / "elsewhere")  # a dead run's, but of another output
    m = outdir.read_marker(other)
    m["writer"]["pid"] = 2 ** 22 + 17
    outdir._write_marker(other, m)
    foreign = tmp_path / ".cnn-grader-out-handmade"  # no marker: not ours
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    assert outdir.recover(out) == []
    assert mine.is_dir() and other.is_dir() and (foreign / "keep.txt").is_file()
    m = outdir.read_marker(mine)
    m["writer"]["pid"] = 2 ** 22 + 17  # now a dead run's
    outdir._write_marker(mine, m)
    assert outdir.recover(out) == [mine] and not mine.exists()


def test_legacy_old_folder_gives_the_users_files_back(tmp_path):
    """An earlier version, killed mid-replace, left `.out.old-PID` holding the old output and the
    instructor's files; the next run puts those files back into OUT and removes the rest."""
    out = tmp_path / "out"
    _fake_output(out, "new", ["ann"])
    for rel, text in USER.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    old = tmp_path / ".out.old-4194303"
    (old / "reports").mkdir(parents=True)
    (old / "reports" / "ann.html").write_text("old ann")
    (old / "results.json").write_text(json.dumps({"schema": 1, "grader_version": "0", "assignment": "hw4",
                                                  "seed": 0, "submissions": [{"student": "ann",
                                                                              "report": "reports/ann.html"}]}))
    (old / "grades.csv").write_text("x")
    (old / "index.html").write_text("x")
    (old / "thesis.tex").write_text("precious")
    outdir.recover(out)
    assert (out / "thesis.tex").read_text() == "precious" and not old.exists()


# --- the real thing: SIGKILL a `grader grade` subprocess ------------------------------------------

def _grader(*args, **kw):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "grader", *map(str, args)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, **kw)


def _session_alive(sid: int) -> list[int]:
    """Processes still in the killed grader's session (its sandboxes included)."""
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_bytes()
                fields = stat[stat.rindex(b")") + 2:].split()
                if int(fields[3]) == sid and fields[0] != b"Z":
                    pids.append(int(d.name))
            except (OSError, ValueError, IndexError):
                pass
    return pids


def _complete_grading(out: Path, students: set[str]) -> None:
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {s["student"] for s in data["submissions"]} == students
    for s in data["submissions"]:
        assert (out / s["report"]).is_file()
    rows = (out / "grades.csv").read_text(encoding="utf-8").strip().splitlines()
    assert len(rows) == len(students) + 1
    assert (out / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    m = outdir.read_marker(out)
    assert m is not None and all((out / f).is_file() for f in m["files"])


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the grader's processes")
def test_sigkill_at_random_moments_of_a_regrade(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("correct_loops.py", "partial.py", "mistake_sign_flipped.py"):
        shutil.copy(SUBMISSIONS / name, subs / name)
    out = tmp_path / "out"
    t0 = time.monotonic()
    first = _grader("grade", subs, "--out", out, "--jobs", "2", "--no-cache")
    assert first.wait(120) == 0, first.stderr.read()
    took = time.monotonic() - t0
    (out / "notes.txt").write_text("my notes")
    (out / "manual").mkdir()
    (out / "manual" / "bob.txt").write_text("bob: +2 by hand")
    students = {"correct_loops", "partial", "mistake_sign_flipped"}
    rng = random.Random(18)
    killed = []
    for i in range(5):
        p = _grader("grade", subs, "--out", out, "--jobs", "2", "--no-cache", "--seed", str(i + 1))
        time.sleep(rng.uniform(0.15, 1.05) * took)  # the moments: fixed by the seed
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(30)
        killed.append(p.pid)
        deadline = time.monotonic() + 10
        while _session_alive(p.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _session_alive(p.pid) == [], f"kill {i}: grader processes left running"
        _complete_grading(out, students)
        assert (out / "notes.txt").read_text() == "my notes"
        assert (out / "manual" / "bob.txt").read_text() == "bob: +2 by hand"
    last = _grader("grade", subs, "--out", out, "--jobs", "2", "--seed", "9")
    assert last.wait(120) == 0, last.stderr.read()
    _complete_grading(out, students)
    assert json.loads((out / "results.json").read_text())["seed"] == 9
    assert (out / "notes.txt").read_text() == "my notes" and (out / "manual" / "bob.txt").is_file()
    assert _leftovers(tmp_path) == []
    assert _scratch_of(killed) == []  # the students' unpacked copies under /tmp too


def _scratch_of(pids: list[int]) -> list[Path]:
    import tempfile
    left = []
    for p in Path(tempfile.gettempdir()).glob("cnn-grader-work-*"):
        try:
            if json.loads((p / outdir.SCRATCH_MARKER).read_text())["writer"]["pid"] in pids:
                left.append(p)
        except (OSError, ValueError, KeyError):
            pass
    return left


def test_the_ci_merge_job_is_never_green_after_a_failed_shard():
    text = (ROOT / "grader" / "templates" / "ci" / "instructor-grade.yml").read_text()
    merge = text[text.index("\n  merge:"):]
    assert "needs.grade.result" in merge and "exit 1" in merge  # a failed shard fails the job
    strict = merge[merge.index("- name: Merge the shards"):].split("- ", 2)[1]
    assert "--allow-partial" not in strict  # the real merge refuses an incomplete set
    partial = merge[merge.index("--allow-partial") - 400:merge.index("--allow-partial")]
    assert "failure()" in partial  # only after the strict merge failed, under its own name


# --- a full disk ----------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 3 MiB tmpfs (root only; skipped where mounting is not allowed)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    free = shutil.disk_usage(folder).free
    with open(folder / "filler", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def test_a_full_disk_is_one_line_and_keeps_the_earlier_grading(small_disk, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("correct_loops.py", "partial.py", "mistake_sign_flipped.py"):
        shutil.copy(SUBMISSIONS / name, subs / name)
    out = small_disk / "out"
    r = subprocess.run([sys.executable, "-m", "grader", "grade", subs, "--out", out, "--jobs", "2"],
                       capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    (out / "notes.txt").write_text("my notes")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    _fill(small_disk, 20_000)
    r = subprocess.run([sys.executable, "-m", "grader", "grade", subs, "--out", out, "--jobs", "2", "--no-cache",
                        "--seed", "4"], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 3, r.stdout + r.stderr
    err = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(err) == 1 and "Traceback" not in r.stderr, r.stderr
    assert "no space left" in err[0] and str(small_disk) in err[0] and "needed" in err[0] and "KiB written" in err[0]
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # the earlier grading, whole
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "out"]  # nothing partial left
    # outputs written beside OUT: a temporary name and a rename, or nothing at all
    (small_disk / "filler").unlink()
    junit = small_disk / "junit.xml"
    from grader.outputs.formats import junit_xml
    old_junit = junit_xml([], "earlier")  # an earlier --junit file (one of the user's is never replaced)
    junit.write_text(old_junit)
    _fill(small_disk, 4_000)
    r = subprocess.run([sys.executable, "-m", "grader", "merge", out, "--out", tmp_path / "m", "--junit", junit],
                       capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 3 and "no space left" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert junit.read_text() == old_junit
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "junit.xml", "out"]


def test_full_disk_error_from_the_api(small_disk, tmp_path):
    from grader.api import Options, grade
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SUBMISSIONS / "correct_loops.py", subs / "a.py")
    _fill(small_disk, 2_000)
    with pytest.raises(MachineError, match="no space left"):
        grade(subs, small_disk / "out", Options(jobs=1))
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


# --- the replace, over arbitrary folders ------------------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_PATHS = st.lists(st.sampled_from(["a", "b", "reports", "m"]), min_size=1, max_size=3).map("/".join)


def _tree(paths):
    """Files only where no other file is a folder above them (a tree a filesystem can hold)."""
    out = []
    for p in sorted(set(paths), key=len):
        if not any(p.startswith(q + "/") or q.startswith(p + "/") for q in out):
            out.append(p)
    return out


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=st.lists(_PATHS, max_size=6), user=st.lists(_PATHS, max_size=6), new=st.lists(_PATHS, max_size=6))
def test_replace_keeps_every_user_file_or_changes_nothing(old, user, new):
    import tempfile
    old = _tree(old)
    user = [u for u in _tree(user) if not any(u == o or u.startswith(o + "/") or o.startswith(u + "/") for o in old)]
    new = _tree(new)
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "out"
        staging = outdir.new_staging(out)
        for f in old:
            (staging / f).parent.mkdir(parents=True, exist_ok=True)
            (staging / f).write_text("old")
        outdir.finish(staging, out)
        for f in user:
            (out / f).parent.mkdir(parents=True, exist_ok=True)
            (out / f).write_text("user " + f)
        before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        staging = outdir.new_staging(out)
        for f in new:
            (staging / f).parent.mkdir(parents=True, exist_ok=True)
            (staging / f).write_text("new")
        try:
            outdir.finish(staging, out)
        except outdir.NotAnOutput:
            outdir.discard_staging(staging)
            after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
            assert after == before  # refused: nothing changed
        else:
            for f in user:
                assert (out / f).read_text() == "user " + f
            for f in new:
                assert (out / f).read_text() == "new"
            for f in set(old) - set(new):
                assert not (out / f).is_file() or f in user
        assert sorted(p.name for p in Path(d).iterdir()) == ["out"]


def test_a_newborn_staging_of_a_dead_process_is_removed_and_marked_folders_go_marker_last(tmp_path):
    """Found killing runs under load: a run killed while making its staging folder (before its
    marker was in place) left `.cnn-grader-new-*` for ever, and one killed while removing a
    folder could leave its files without their marker (never recognisable again)."""
    import subprocess
    out = tmp_path / "out"
    dead = subprocess.Popen(["true"])
    dead.wait()
    newborn = tmp_path / f"{outdir.NEWBORN}{outdir.host_tag()}-{dead.pid}-abc"
    newborn.mkdir()
    (newborn / (outdir.MARKER + ".tmp-1")).write_text("{")
    alive_one = tmp_path / f"{outdir.NEWBORN}{outdir.host_tag()}-{os.getpid()}-xyz"
    alive_one.mkdir()
    other_host = tmp_path / f"{outdir.NEWBORN}00000000-{dead.pid}-q"
    other_host.mkdir()
    (other_host / "x").write_text("x")
    found = {p.name for p, _m in outdir.leftovers(out)}
    assert newborn.name in found and alive_one.name not in found and other_host.name not in found
    outdir.recover(out)
    assert not newborn.exists() and alive_one.exists() and other_host.exists()
    # the marker is the last thing to go: whatever order the folder lists its entries in
    folder = tmp_path / ".cnn-grader-out-zz"
    (folder / "reports").mkdir(parents=True)
    (folder / "reports" / "a.html").write_text("x")
    (folder / outdir.MARKER).write_text("{}")
    seen = []
    real_unlink = outdir._unlink

    def spying(p):
        seen.append(p.name)
        real_unlink(p)
    outdir._unlink = spying
    try:
        outdir.remove_marked(folder)
    finally:
        outdir._unlink = real_unlink
    assert not folder.exists() and seen[-1] == outdir.MARKER


_LINGERER = (SUBMISSIONS / "correct_vectorized.py").read_text() + '''
import ctypes, os, time


def _named(tag):
    ctypes.CDLL(None).prctl(15, tag, 0, 0, 0)  # PR_SET_NAME: found by name from outside


def sum_pool(y):
    if os.fork() == 0:  # a process of its own, left behind on purpose
        os.setsid()
        _named(b"cnnlinger")
        while True:
            time.sleep(0.01)
    _named(b"cnnlinger")
    while True:
        pass
'''


def _named(name: str) -> list[int]:
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_bytes()
                if (d / "comm").read_text().strip() == name and stat[stat.rindex(b")") + 2:][:1] != b"Z":
                    found.append(int(d.name))
            except (OSError, ValueError):
                pass
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="death signals are Linux's")
@pytest.mark.parametrize("isolation", ["auto", "process"])
def test_a_killed_coordinator_takes_its_workers_and_their_children_within_a_second(tmp_path, isolation):
    """Found by an attack round: after SIGKILL of `grader grade` alone (not its process group),
    its workers and their sandboxed children went on for seconds, writing."""
    if isolation == "process" and os.geteuid() == 0 and not os.environ.get("CNN_GRADER_WORLD_PYTHON"):
        pytest.skip("process isolation as root needs a world-readable Python (CNN_GRADER_WORLD_PYTHON)")
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("linger_a", "linger_b", "linger_c"):
        (subs / f"{name}.py").write_text(_LINGERER)
    assert _named("cnnlinger") == []
    exe = os.environ.get("CNN_GRADER_WORLD_PYTHON") if isolation == "process" and os.geteuid() == 0 else None
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([exe or sys.executable, "-m", "grader", "grade", str(subs), "--out", str(tmp_path / "out"),
                          "--jobs", "2", "--timeout", "30", "--no-cache", "--isolation", isolation],
                         env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(_named("cnnlinger")) < 4 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.05)
        assert len(_named("cnnlinger")) >= 4, p.stderr.read() if p.poll() is not None else "no student ran"
        os.kill(p.pid, signal.SIGKILL)
        p.wait(10)
        time.sleep(1.0)
        assert _named("cnnlinger") == [] and _session_alive(p.pid) == []
    finally:
        for pid in _named("cnnlinger"):
            os.kill(pid, signal.SIGKILL)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
