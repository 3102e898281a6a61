"""The one results shape: to_dict/dumps/load round trip."""
from __future__ import annotations

import json
from dataclasses import asdict

from grader.results import Failure, GradingRun, QuestionResult, SubmissionResult, dumps, load, to_dict


def _run() -> GradingRun:
    q = QuestionResult(id="2.3", function="f", title="t", score=0.0, max_score=3.0, status="failed", trials=24,
                       message="m", failure=Failure(trial=1, label="random", inputs={"x": [[1.0, 2.0]]}, expected=[1.0],
                                       got=[2.0], worst_index=[0]),
                       misconceptions=["x"], hints=[{"id": "x", "name": "n"}])
    s = SubmissionResult(student="ä", source="a.py", score=0.0, max_score=3.0, error="", report="r.html",
                         seed=1, questions=[q])
    return GradingRun(assignment="hw4", title="T", assignment_version="1", grader_version="0", seed=1,
                      max_score=3.0, created="now", submissions=[s], unmatched=["zz.py"])


def test_to_dict_matches_asdict():
    run = _run()
    assert json.dumps(to_dict(run)) == json.dumps(asdict(run))


def test_round_trip(tmp_path):
    run = _run()
    (tmp_path / "results.json").write_text(dumps(run), encoding="utf-8")
    back = load(tmp_path / "results.json")
    assert to_dict(back) == json.loads(dumps(run))
