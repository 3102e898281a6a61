"""grader.outputs.outdir: the one rule for report files an option names (--junit, --gradescope,
--html): never an input of the run, a file the grading writes into OUT, another report of the
run, or an existing file the grader did not write."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from grader.errors import UsageError
from grader.outputs import formats, outdir
from grader.results import QuestionResult, SubmissionResult


def _sub(student: str = "ana") -> SubmissionResult:
    q = QuestionResult(id="1.1", function="f", title="t", status="passed", score=2.0, max_score=2.0, trials=1,
                       message="")
    return SubmissionResult(student=student, source=f"{student}.py", score=2.0, max_score=2.0, error="", report="",
                            seed=3, questions=[q])


def _grading(out: Path) -> Path:
    """A grading output as the grader leaves it: its files, and the marker listing them."""
    (out / "reports").mkdir(parents=True)
    for rel in ("results.json", "grades.csv", "index.html", "reports/ana.html", "lms-canvas.csv"):
        (out / rel).write_text("x")
    (out / outdir.MARKER).write_text(json.dumps({"cnn_grader_output": outdir.MARKER_SCHEMA, "files": [
        "results.json", "grades.csv", "index.html", "reports/ana.html", "lms-canvas.csv"]}))
    return out


def test_a_report_onto_an_input_is_refused_and_nothing_is_written(tmp_path):
    """48, 52, 53, 54, 58: --junit SUBS/a.py, --gradescope SUBS, check x.py --html x.py, merge
    --junit s1/results.json replaced (or wrote into) what the run reads."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.py").write_text("print(1)\n")
    shard = _grading(tmp_path / "s1")
    cases = [(subs / "a.py", "--junit", "junit", ("the submissions folder", subs)),
             (subs, "--gradescope", "gradescope-dir", ("the submissions folder", subs)),
             (subs / "gs", "--gradescope", "gradescope-dir", ("the submissions folder", subs)),
             (subs / "a.py", "--html", "html", ("the file being checked", subs / "a.py")),
             (subs / "a.py", "--gradescope", "gradescope", ("the file being checked", subs / "a.py")),
             (shard / "results.json", "--junit", "junit", ("the shard", shard)),
             (tmp_path / "roster.csv", "--junit", "junit", ("the roster", tmp_path / "roster.csv"))]
    for target, flag, kind, given_input in cases:
        with pytest.raises(UsageError) as e:
            outdir.check_report(target, flag, kind, [("the course file", None), given_input])
        msg = str(e.value)
        assert "\n" not in msg and f"{flag} {target}" in msg and "choose another place" in msg, msg
    assert (subs / "a.py").read_text() == "print(1)\n" and sorted(p.name for p in subs.iterdir()) == ["a.py"]


def test_a_symlink_to_an_input_is_an_input(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.py").write_text("x")
    (tmp_path / "j.xml").symlink_to(subs / "a.py")
    with pytest.raises(UsageError, match="inside the submissions folder"):
        outdir.check_report(tmp_path / "j.xml", "--junit", "junit", [("the submissions folder", subs)])


def test_a_report_onto_the_gradings_own_files_is_refused(tmp_path):
    """49: --junit OUT/grades.csv replaced the gradebook; --gradescope OUT/reports wrote among
    the reports.  A name of the user's own inside OUT (OUT/junit.xml) is kept there, as any
    file of theirs is, and allowed."""
    out = _grading(tmp_path / "out")
    for rel, flag, kind in (("grades.csv", "--junit", "junit"), ("reports", "--gradescope", "gradescope-dir"),
                            ("reports/x.json", "--junit", "junit"), ("lms-canvas.csv", "--junit", "junit"),
                            (outdir.MARKER, "--junit", "junit"), (".", "--gradescope", "gradescope-dir")):
        with pytest.raises(UsageError, match="--out"):
            outdir.check_report(out / rel, flag, kind, outs=[out])
    # a new OUT: its fixed files are known before it exists
    with pytest.raises(UsageError, match="writes its own files"):
        outdir.check_report(tmp_path / "new" / "index.html", "--junit", "junit", outs=[tmp_path / "new"])
    with pytest.raises(UsageError, match="holds the --out folder"):
        outdir.check_report(tmp_path / "new", "--junit", "junit", outs=[tmp_path / "new" / "out"])
    outdir.check_report(out / "junit.xml", "--junit", "junit", outs=[out])
    outdir.check_report(out / "gradescope", "--gradescope", "gradescope-dir", outs=[out])


def test_a_report_inside_another_grading_or_similarity_output_is_refused(tmp_path):
    """aside12 24, 27: `check x.py --html OUT/index.html` (or OUT/reports/ana.html, or
    SIM/similarity.html) replaced a page of an earlier grading or similarity report, which
    carries the generator tag of a page the grader may replace.  A report anywhere inside a
    folder that holds an output of the grader (its marker), or a similarity report, is refused
    in one line, unless that folder is this run's own OUT."""
    page = outdir.HTML_MARK.decode() + '1.0">'
    g = _grading(tmp_path / "g")
    for rel in ("index.html", "reports/ana.html"):
        (g / rel).write_text(page)
    sim = tmp_path / "sim"
    sim.mkdir()
    (sim / "similarity.html").write_text(page)
    (sim / "similarity.csv").write_text("a,b\n")
    (sim / outdir.MARKER).write_text(json.dumps({"cnn_grader_output": outdir.MARKER_SCHEMA,
                                                 "files": list(outdir.SIMILARITY_FILES)}))
    old = tmp_path / "old-sim"  # a similarity report without a marker
    old.mkdir()
    for n in outdir.SIMILARITY_FILES:
        (old / n).write_text(page)
    cases = [(g / "index.html", "--html", "html", g), (g / "reports" / "ana.html", "--html", "html", g),
             (g / "reports" / "new" / "deep" / "x.xml", "--junit", "junit", g),
             (g, "--gradescope", "gradescope-dir", g), (sim / "similarity.html", "--html", "html", sim),
             (old / "similarity.html", "--html", "html", old)]
    for target, flag, kind, folder in cases:
        with pytest.raises(UsageError) as e:
            outdir.check_report(target, flag, kind)
        msg = str(e.value)
        assert "\n" not in msg and msg.startswith(f"{flag} {target} is inside {folder}, ") and "choose another place" in msg
    assert (g / "index.html").read_text() == page
    # this run's own OUT keeps its rules: a name of the user's own inside it is allowed
    outdir.check_report(g / "junit.xml", "--junit", "junit", outs=[g])
    # a new name of one's own beside another output's files replaces none of them; nor does a
    # folder that merely lies below an output (~/course after `similar --out ~`)
    outdir.check_report(g / "gs", "--gradescope", "gradescope-dir")
    outdir.check_report(sim / "mine.html", "--html", "html")
    (sim / "course").mkdir()
    outdir.check_report(sim / "course" / "report.html", "--html", "html")
    # a page of the grader's named similarity.html (a check report), alone, is no similarity report
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "similarity.html").write_text(page)
    outdir.check_report(tmp_path / "site" / "similarity.html", "--html", "html")


def test_two_reports_of_one_run_on_one_file_are_refused(tmp_path):
    with pytest.raises(UsageError, match="also where --html"):
        outdir.check_report(tmp_path / "r", "--junit", "junit", others=[("--html", tmp_path / "r", "html")])
    with pytest.raises(UsageError, match="also where --gradescope"):
        outdir.check_report(tmp_path / "gs" / "x.json", "--junit", "junit",
                            others=[("--gradescope", tmp_path / "gs", "gradescope-dir")])


def test_an_existing_file_is_replaced_only_when_the_grader_wrote_it(tmp_path):
    """An arbitrary existing file is refused; an earlier report of the same kind, or an empty
    file, may be replaced."""
    mine = tmp_path / "junit.xml"
    mine.write_text('<?xml version="1.0"?>\n<testsuites><testsuite name="pytest"/></testsuites>\n')
    with pytest.raises(UsageError, match="not a JUnit XML written by cnn-grader"):
        outdir.check_report(mine, "--junit", "junit")
    with pytest.raises(UsageError, match="not a JUnit XML"):
        formats.write_junit([_sub()], mine)  # the writer keeps the rule too (grader.api callers)
    assert "pytest" in mine.read_text()
    ours = formats.write_junit([_sub()], tmp_path / "ours.xml")
    assert outdir.earlier_report(ours, "junit")
    formats.write_junit([_sub("ben")], ours)  # an earlier --junit file: replaced
    assert "ben" in ours.read_text()
    # each kind recognises its own only
    page = tmp_path / "r.html"
    page.write_text('<!doctype html>\n<html><head><meta name="generator" content="cnn-grader 1.0"></head></html>')
    gs = formats.write_gradescope(_sub(), tmp_path / "g.json")
    assert outdir.earlier_report(page, "html") and outdir.earlier_report(gs, "gradescope")
    assert not outdir.earlier_report(page, "junit") and not outdir.earlier_report(gs, "junit")
    assert not outdir.earlier_report(ours, "html") and not outdir.earlier_report(ours, "gradescope")
    (tmp_path / "empty").write_text("")
    assert outdir.earlier_report(tmp_path / "empty", "junit")
    (tmp_path / "other.json").write_text('{"tests": [], "score": 1}')
    assert not outdir.earlier_report(tmp_path / "other.json", "gradescope")
    # a JUnit file of an earlier version (no mark): recognised by the grader's properties
    legacy = formats.junit_xml([_sub()]).replace(outdir.JUNIT_MARK + "\n", "")
    (tmp_path / "legacy.xml").write_text(legacy)
    assert outdir.earlier_report(tmp_path / "legacy.xml", "junit")


def test_gradescope_folder_refuses_a_students_file_of_the_users(tmp_path):
    """grade --gradescope DIR: DIR/<student>.json that is not an earlier Gradescope results file
    of ours is never replaced, and then nothing is written (all or none)."""
    gs = tmp_path / "gs"
    gs.mkdir()
    (gs / "ben.json").write_text('{"my": "settings"}')
    with pytest.raises(UsageError, match="ben.json already exists"):
        formats.write_gradescope_dir([_sub("ana"), _sub("ben")], gs)
    assert sorted(p.name for p in gs.iterdir()) == ["ben.json"] and "settings" in (gs / "ben.json").read_text()
    (gs / "ben.json").unlink()
    formats.write_gradescope_dir([_sub("ana"), _sub("ben")], gs)
    formats.write_gradescope_dir([_sub("ana"), _sub("ben")], gs)  # its own files: replaced
    assert sorted(p.name for p in gs.iterdir()) == ["ana.json", "ben.json"]


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=3000), kind=st.sampled_from(["junit", "html", "gradescope"]))
def test_recognising_an_earlier_report_never_raises_on_any_bytes(tmp_path_factory, data, kind):
    """The recogniser reads files of the user's: any bytes give True or False, never an error,
    and bytes without the grader's marks are never taken for its reports."""
    p = tmp_path_factory.mktemp("r") / "f"
    p.write_bytes(data)
    got = outdir.earlier_report(p, kind)
    assert isinstance(got, bool)
    if data and b"cnn-grader" not in data and b"digest" not in data:
        assert got is False
