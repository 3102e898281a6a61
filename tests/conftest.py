"""Shared fixtures: paths, and one grading of the bundled examples reused by many tests."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "submissions" / "hw4"
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def examples_run(tmp_path_factory):
    """``grader.api.grade`` over submissions/ once per test session."""
    from grader.api import Options, grade
    out = tmp_path_factory.mktemp("examples") / "out"
    return grade(SUBMISSIONS, out, Options(seed=7, timeout=10)), out
