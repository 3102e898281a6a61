"""grader.sandbox.launch: the zygote started before NumPy is imported, and adopted by the Sandbox."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS


@pytest.fixture()
def launches(monkeypatch) -> list:
    """Every zygote launched during the test, early or by a Sandbox."""
    import grader.sandbox.launch as launch
    import grader.sandbox.supervisor as sandbox
    calls = []
    real = launch.launch

    def counting(*a, **k):
        calls.append(a)
        return real(*a, **k)
    monkeypatch.setattr(launch, "launch", counting)
    monkeypatch.setattr(sandbox, "launch", counting)
    return calls


def test_check_adopts_the_zygote_it_started_early(launches):
    from click.testing import CliRunner

    import grader.sandbox.launch as launch
    from grader.cli import main
    r = CliRunner().invoke(main, ["check", str(SUBMISSIONS / "correct_vectorized.py")])
    assert r.exit_code == 0, r.output
    assert len(launches) == 1 and launch._early == {}  # one zygote, the early one, adopted


@pytest.mark.parametrize("extra, early", [([], True), (["--isolation", "process"], False),
                                           (["--require-sandbox"], False), (["--help"], False)])
def test_the_entry_point_starts_a_plain_checks_zygote_before_click(launches, monkeypatch, extra, early):
    """`grader check FILE` launches its zygote before click is imported (and check adopts it);
    with an option that changes the sandbox, nothing is launched ahead."""
    import grader.entry as entry
    import grader.sandbox.launch as launch
    seen = []
    monkeypatch.setattr(sys, "argv", ["grader", "check", str(SUBMISSIONS / "correct_vectorized.py"), *extra])
    monkeypatch.setattr(launch, "start_early", lambda *a, **k: seen.append(a))
    monkeypatch.setattr("grader.cli.main", lambda **k: seen.append("cli"))
    entry.main()
    assert seen[-1] == "cli" and (len(seen) == 2) == early
    if early:
        assert seen[0][0] == "auto"


@pytest.mark.parametrize("name, code", [("correct_vectorized.py", 0), ("partial.py", 1), ("missing.py", 2)])
def test_a_check_ended_without_teardown_keeps_its_exit_code_and_every_line(name, code, tmp_path):
    """A self-check skips the interpreter's teardown: its exit code and all it printed (through
    a pipe, buffered) are still those of sys.exit, and its temporary files are gone."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "grader", "check", str(SUBMISSIONS / name)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == code, out.stderr
    if code < 2:
        assert out.stdout.count("\n") >= 10 and "Q2.5" in out.stdout, out.stdout  # (the last question)
    else:
        assert out.stderr.startswith("error: ") and "no such file" in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_console_script_is_the_entry_point():
    from grader.course.config import _toml
    tomllib = _toml()  # (tomli on Python 3.10)
    import importlib

    from grader import ENTRY_POINT
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"] == {"grader": ENTRY_POINT}
    module, function = ENTRY_POINT.split(":")
    assert callable(getattr(importlib.import_module(module), function))


def test_an_unadopted_zygote_ends_with_us():
    from grader.sandbox.launch import DEFAULT_TMP_MB, _early, discard_early, hidden_paths, start_early
    start_early("process", hidden_paths(), DEFAULT_TMP_MB)
    ((proc, _sock),), = _early.values()
    discard_early()
    assert _early == {} and proc.poll() is not None


def test_grade_starts_one_zygote_per_worker_early_and_adopts_them_all(launches, tmp_path, monkeypatch):
    """Workers in threads: grade() launches their zygotes before compiling templates and
    unpacking the first submission (their NumPy imports overlap that); each worker's Sandbox
    adopts one."""
    import shutil

    import grader.api as api
    import grader.sandbox.launch as launch
    monkeypatch.setenv("CNN_GRADER_THREADS", "1")
    for name in ("correct_vectorized.py", "correct_loops.py", "mistake_average_pool.py"):
        shutil.copy(SUBMISSIONS / name, tmp_path / name)
    out = tmp_path.parent / (tmp_path.name + "-out")
    run = api.grade(tmp_path, out, api.Options(jobs=2, cache=False))
    assert [s.score for s in run.submissions] == [20.0, 20.0, 19.0]
    assert len(launches) == 2 and launch._early == {}  # two workers, two zygotes, both adopted


def test_unadopted_early_zygotes_of_a_grading_are_ended_by_it(monkeypatch, tmp_path):
    import shutil

    import grader.api as api
    import grader.sandbox.launch as launch
    monkeypatch.setenv("CNN_GRADER_THREADS", "1")
    monkeypatch.setattr(api, "_jobs", lambda opts, n: 3)  # three launched, one worker adopts
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", tmp_path / "a.py")
    api.grade(tmp_path, tmp_path.parent / (tmp_path.name + "-out"), api.Options(cache=False))
    assert launch._early == {}


def test_worker_processes_launch_one_zygote_each(monkeypatch, tmp_path):
    """Workers in processes: each launches its own zygote (none is launched early for them)."""
    import os
    import shutil

    import grader.api as api
    import grader.sandbox.launch as launch
    import grader.sandbox.supervisor as sandbox
    log = tmp_path / "launched"
    real = launch.launch

    def counting(*a, **k):
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\n")
        return real(*a, **k)
    monkeypatch.setattr(launch, "launch", counting)
    monkeypatch.setattr(sandbox, "launch", counting)
    monkeypatch.setenv("CNN_GRADER_THREADS", "0")
    subs = tmp_path / "subs"
    subs.mkdir()
    for i in range(6):
        shutil.copy(SUBMISSIONS / "correct_vectorized.py", subs / f"s{i}.py")
    run = api.grade(subs, tmp_path / "out", api.Options(jobs=2, cache=False))
    assert [s.score for s in run.submissions] == [20.0] * 6
    pids = log.read_text().split()
    assert len(pids) == 2 and len(set(pids)) == 2 and str(os.getpid()) not in pids
    assert launch._early == {}


def test_hidden_paths_imports_nothing():
    """It runs before NumPy is imported: it must not import NumPy (or the reference) itself."""
    code = ("import sys; sys.path.insert(0, %r); from grader.sandbox.launch import hidden_paths; hidden_paths(); "
            "print('numpy' in sys.modules, 'reference' in sys.modules)") % str(ROOT)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_a_link_inside_a_hidden_folder_never_covers_what_is_needed(tmp_path):
    """The README's venv in the checkout: ``.venv/lib64 -> lib`` (as venv makes it) must not be
    hidden, which mounted a tmpfs over the ``lib`` holding site-packages (regression)."""
    from grader.sandbox.launch import hide_around
    checkout = tmp_path / "checkout"
    site = checkout / ".venv" / "lib" / "python3.11" / "site-packages"
    (site / "numpy").mkdir(parents=True)
    (checkout / ".venv" / "lib64").symlink_to("lib")
    (checkout / ".venv" / "bin").mkdir()
    (checkout / "grader").mkdir()
    (checkout / "secret.txt").write_text("x")
    (checkout / "outside").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").mkdir()
    hidden = hide_around([checkout], [site])
    for h in hidden:
        assert h == Path(os.path.realpath(h)), h  # only real paths: a mount never follows a link
        assert not (h == site or h in site.parents), f"{h} covers the needed {site}"
    assert {checkout / "grader", checkout / "secret.txt", checkout / ".venv" / "bin"} <= set(hidden)
    assert tmp_path / "elsewhere" not in hidden  # a link's target is not the hidden folder's


def test_a_hidden_path_given_through_a_link_is_its_target(tmp_path):
    from grader.sandbox.launch import hide_around
    (tmp_path / "real" / "cache").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    needed = tmp_path / "python"
    needed.mkdir()
    assert hide_around([tmp_path / "link" / "cache", needed], [needed / "lib"]) == [tmp_path / "real" / "cache"]
