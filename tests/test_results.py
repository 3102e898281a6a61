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


def test_streamed_results_json_reads_back_one_at_a_time(tmp_path):
    from grader.results import iter_submissions, one_line_json, write_results
    run = _run()
    subs = [run.submissions[0], SubmissionResult(student="b", source="b.py", score=3.0, max_score=3.0,
                                                 error="", report="b.html", seed=1)]
    write_results(tmp_path / "results.json", run, map(one_line_json, subs))
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))  # plain JSON
    assert [s["student"] for s in data["submissions"]] == ["ä", "b"] and data["unmatched"] == ["zz.py"]
    back = list(iter_submissions(tmp_path / "results.json"))
    assert [to_dict(s) for s in back] == [to_dict(s) for s in subs]
    # a results.json written by dumps() (pretty-printed) reads too
    (tmp_path / "other.json").write_text(dumps(run), encoding="utf-8")
    assert [s.student for s in iter_submissions(tmp_path / "other.json")] == ["ä"]


def test_large_class_keeps_its_results_on_disk(tmp_path, monkeypatch):
    """Above api.DETAIL_LIMIT the results stay on disk (flat memory for big classes) and
    GradingRun.submissions reads them back; every output is the same as ever."""
    import shutil

    import grader.api as api
    from conftest import SUBMISSIONS
    from grader.results import SubmissionsOnDisk, iter_submissions, load
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("correct_loops.py", "mistake_max_assign.py", "starter.py"):
        shutil.copy(SUBMISSIONS / name, subs / name)
    full = api.grade(subs, tmp_path / "full", api.Options(jobs=1))
    monkeypatch.setattr(api, "DETAIL_LIMIT", 1)
    slim = api.grade(subs, tmp_path / "slim", api.Options(jobs=1, cache=False))
    assert isinstance(slim.submissions, SubmissionsOnDisk) and isinstance(full.submissions, list)
    assert len(slim.submissions) == 3 and slim.submissions[1].student == full.submissions[1].student
    assert [(s.student, s.score, [q.status for q in s.questions]) for s in slim.submissions] == \
        [(s.student, s.score, [q.status for q in s.questions]) for s in full.submissions]
    a, b = load(tmp_path / "full" / "results.json"), load(tmp_path / "slim" / "results.json")
    strip = lambda s: {**to_dict(s), "seconds": 0, "questions": [{**q, "seconds": 0} for q in to_dict(s)["questions"]]}
    assert [strip(s) for s in a.submissions] == [strip(s) for s in b.submissions]
    assert (tmp_path / "full" / "grades.csv").read_text() == (tmp_path / "slim" / "grades.csv").read_text()
    hint = [q for s in iter_submissions(tmp_path / "slim" / "results.json") for q in s.questions if q.misconceptions]
    assert hint and hint[0].hints  # details live on disk
    assert [to_dict(s) for s in slim.submissions] == [to_dict(s) for s in b.submissions]
    index = (tmp_path / "slim" / "index.html").read_text(encoding="utf-8")
    assert "mistake_max_assign" in index and "Assigned the error instead of adding it" in index
