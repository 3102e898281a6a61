"""Every bundled example submission gets exactly the verdicts it should."""
from __future__ import annotations

import json

import pytest

from example_verdicts import EXPECTED
from conftest import SUBMISSIONS


def test_every_example_has_expectations():
    entries = {p.name for p in SUBMISSIONS.iterdir() if not p.name.startswith((".", "__"))}
    assert entries == set(EXPECTED), "add the new example to tests/example_verdicts.py"


@pytest.mark.parametrize("entry", sorted(EXPECTED))
def test_example_verdicts(examples_run, entry):
    run, _ = examples_run
    sub = next(s for s in run.submissions if s.source == entry)
    got = {q.id: q.status for q in sub.questions}
    assert got == EXPECTED[entry], {q.id: q.message for q in sub.questions if q.status != EXPECTED[entry][q.id]}
    assert sub.score == sum(q.max_score for q in sub.questions if q.status == "passed")


def test_outputs_written(examples_run):
    run, out = examples_run
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {"assignment", "seed", "max_score", "submissions"} <= set(data)
    assert data["seed"] == 7 and data["max_score"] == 20
    s = data["submissions"][0]
    assert {"student", "source", "score", "max_score", "error", "report", "questions"} <= set(s)
    q = s["questions"][0]
    assert {"id", "function", "score", "max_score", "status", "trials", "message"} <= set(q)
    assert [q["id"] for q in s["questions"]] == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.5"]
    for sub in data["submissions"]:
        assert (out / sub["report"]).is_file()
        assert all(q["trials"] >= 20 or q["status"] != "passed" for q in sub["questions"])
    rows = (out / "grades.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("student,name,email,source,Q1.1") and len(rows) == len(data["submissions"]) + 1
    assert (out / "index.html").is_file()


def test_failure_report_names_the_element(examples_run):
    run, _ = examples_run
    sub = next(s for s in run.submissions if s.source == "mistake_answer_key_quarter.py")
    q = next(q for q in sub.questions if q.id == "2.3")
    assert q.failure is not None and q.failure.worst.startswith("∂E/∂y_{")
    assert "should be" in q.message and q.failure.inputs.keys() == {"dE_dz"}
    assert q.failure.wrong >= 1 and len(q.failure.worst_index) == 3


def test_submissions_folder_untouched(examples_run):
    assert not any(p.name == "__pycache__" for p in SUBMISSIONS.rglob("*"))


@pytest.mark.parametrize("entry", sorted(e for e in EXPECTED if e.startswith("mistake_")))
def test_mistakes_named_end_to_end(examples_run, entry):
    """Through the real pipeline, each mistake file is diagnosed as exactly its mistake."""
    from example_verdicts import MISTAKE_OF
    run, _ = examples_run
    qids, mistake = MISTAKE_OF[entry]
    qids = (qids,) if isinstance(qids, str) else qids
    sub = next(s for s in run.submissions if s.source == entry)
    for q in sub.questions:
        if q.id in qids:
            assert q.misconceptions == [mistake], (q.id, q.message)
            assert q.hints and q.hints[0]["hint"] and q.hints[0]["name"].lower() in q.message.lower()
        else:
            assert q.misconceptions == []


def test_no_false_diagnosis_end_to_end(examples_run):
    run, _ = examples_run
    for s in run.submissions:
        if not s.source.startswith("mistake_"):
            assert all(q.misconceptions == [] for q in s.questions), s.source
