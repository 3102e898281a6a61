"""One submission's failure is that submission's result: the run goes on for everyone else."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from conftest import SUBMISSIONS
from grader import api
from grader.api import Options, grade


def _class(tmp_path, **extra: bytes):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", subs / "honest.py")
    for name, data in extra.items():
        (subs / name.replace("__", ".")).write_bytes(data)
    return subs


def _by_student(out):
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return {s["student"]: s for s in data["submissions"]}


def test_a_grader_failure_while_scoring_one_student_is_that_students_error(tmp_path, monkeypatch):
    subs = _class(tmp_path, bob__py=(SUBMISSIONS / "correct_loops.py").read_bytes())
    real = api.score_submission

    def flaky(assignment, trials, run, student, *a, **k):
        if student == "bob":
            raise ZeroDivisionError("boom\nsecond line")
        return real(assignment, trials, run, student, *a, **k)

    monkeypatch.setattr(api, "score_submission", flaky)
    grade(subs, tmp_path / "out", Options(jobs=2))
    got = _by_student(tmp_path / "out")
    assert got["honest"]["score"] == 20.0
    bob = got["bob"]
    assert bob["score"] == 0.0 and "ZeroDivisionError: boom / second line" in bob["error"]
    assert "\n" not in bob["error"] and not bob["cache_key"]  # never reused: graded again next time
    assert (tmp_path / "out" / bob["report"]).is_file()


def test_a_report_that_cannot_be_rendered_costs_only_its_student(tmp_path, monkeypatch):
    from grader.outputs import report
    subs = _class(tmp_path, carol__py=(SUBMISSIONS / "partial.py").read_bytes())
    real = report.Renderer.write_student
    calls = []

    def fragile(self, res, path):
        calls.append(res.student)
        if res.student == "carol" and calls.count("carol") == 1:
            raise TypeError("unrenderable")
        return real(self, res, path)

    monkeypatch.setattr(report.Renderer, "write_student", fragile)
    run = grade(subs, tmp_path / "out", Options(jobs=1))
    got = _by_student(tmp_path / "out")
    assert got["honest"]["score"] == 20.0
    assert "TypeError: unrenderable" in got["carol"]["error"]
    assert got["carol"]["report"] == "reports/carol.html" and (tmp_path / "out/reports/carol.html").is_file()
    assert len(run.submissions) == 2


def test_a_machine_failure_still_stops_the_run(tmp_path, monkeypatch):
    from grader.sandbox.supervisor import SandboxError
    subs = _class(tmp_path)

    def unavailable(*a, **k):
        raise SandboxError("the sandbox zygote did not start")

    monkeypatch.setattr(api, "score_submission", unavailable)
    with pytest.raises(SandboxError):
        grade(subs, tmp_path / "out", Options(jobs=1))
    assert not (tmp_path / "out").exists()


def _namespaces_available() -> bool:
    from grader.sandbox.supervisor import Sandbox
    try:
        with Sandbox(isolation="namespaces") as sb:
            sb._start()
        return True
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.skipif(not _namespaces_available(), reason="full isolation is not available on this machine")
def test_require_sandbox_is_about_the_machine_not_one_entry(tmp_path):
    """Entries that never run carry no isolation: with --require-sandbox they are still just
    their own errors, and the class is graded."""
    subs = _class(tmp_path, notes__txt=b"my answers", huge__py=b"#" * (6 << 20), dup__py=b"x = 1\n")
    (subs / "dup").mkdir()  # the same id as dup.py
    grade(subs, tmp_path / "out", Options(jobs=2, require_sandbox=True))
    got = _by_student(tmp_path / "out")
    assert set(got) == {"honest", "notes", "huge", "dup"}
    assert got["notes"]["error"] and got["huge"]["error"]
    # (the empty folder dup/ never runs: dup.py counts, and the folder is only a note)
    assert any(n.startswith("also submitted dup, not counted") for n in got["dup"]["notes"])
    assert got["honest"]["score"] == 20.0


def test_is_machine_error():
    from grader.sandbox.supervisor import SandboxError
    assert api.is_machine_error(SandboxError("x"))
    assert api.is_machine_error(OSError(28, os.strerror(28)))
    assert not api.is_machine_error(OSError(2, "no such file"))
    assert not api.is_machine_error(ValueError("x"))


def test_require_sandbox_without_full_isolation_is_the_machines_error(monkeypatch):
    """A result graded with less isolation than --require-sandbox asks for stops the run as the
    machine's failure (exit 3), not as bad input (exit 2)."""
    from grader.api import MachineError, Options, _check_isolation
    from grader.results import SubmissionResult
    res = SubmissionResult("a", "a.py", 0, 20, "", "", isolation="process", isolation_note="no user namespaces")
    with pytest.raises(MachineError, match="full isolation is not available"):
        _check_isolation(res, Options(require_sandbox=True))
    _check_isolation(SubmissionResult("b", "b.txt", 0, 20, "not a .py", ""), Options(require_sandbox=True))
