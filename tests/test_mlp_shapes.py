"""Homework 5 grades every question on several shapes per student (reference/mlp/questions.py,
grader.assignment.trial_groups): code that hard-codes N, D, M or K, or reads one from the wrong
axis, fails for every student -- not only for those whose one drawn shape differed."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.api import Options, grade

HERE = Path(__file__).resolve().parent
STUDENTS = [f"student{i:02d}" for i in range(30)]


@pytest.fixture(scope="module")
def hard_coded_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    subs = root / "subs"
    subs.mkdir()
    for s in STUDENTS:
        shutil.copy(HERE / "mlp_shapes" / "hard_coded.py", subs / f"{s}.py")
    return grade(subs, root / "out", Options(seed=0, jobs=2), assignment="mlp")


def test_hard_coded_shapes_fail_for_every_student(hard_coded_run):
    """Each function of hard_coded.py assumes one dimension (or that two are equal): it must
    fail for all 30 students, where one shape per question let about 1 in 6 through."""
    passed = sorted((s.student, q.id) for s in hard_coded_run.submissions for q in s.questions
                    if q.status == "passed" and q.id != "1.2")
    assert len(hard_coded_run.submissions) == len(STUDENTS)
    assert passed == [], passed
    for s in hard_coded_run.submissions:
        assert {q.id: q.status for q in s.questions}["1.2"] == "passed"  # (the one right function)
        assert s.score == 1


def test_reshape_instead_of_transpose_fails_for_every_student(hard_coded_run):
    for s in hard_coded_run.submissions:
        q = {q.id: q for q in s.questions}["2.2"]
        assert q.status == "failed", (s.student, q.message)
