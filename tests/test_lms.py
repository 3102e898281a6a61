"""The LMS round trip: a Canvas gradebook export or a Moodle grading worksheet comes back
filled in, byte for byte the same elsewhere; grades.csv for Excel and pandas; names, emails and
late flags; students without a submission; the CI templates' inputs."""
from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import ROOT, SUBMISSIONS
from test_roster import _roster as _read  # (a roster file written and read back)
from grader.outputs import export
from grader.course import roster as R
from grader.assignment import load_assignment
from grader.results import QuestionResult, SubmissionResult
from grader.text import number

ASG = load_assignment("hw4")

CANVAS = ('\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,HW4 (1234),Quiz 1 (99),Current Score\r\n'
          '    Points Possible,,,,,20,5,(read only)\r\n'
          '"García, José",123456,A0001,jgarcia@uni.edu,Sec 1,,4,80\r\n'
          '"Doe, Jane",223456,,jdoe@uni.edu,"Sec 1, ""B""",12,5,100\r\n'
          '"Nosub, Eve",323456,A0003,eve@uni.edu,Sec 2,,3,60\r\n'
          '"Other, Shard",423456,A0004,other@uni.edu,Sec 2,7,3,60\r\n')

MOODLE = ('Identifier,Full name,Email address,Status,Grade,Maximum grade,Grade can be changed,'
          'Last modified (submission),Last modified (grade),Feedback comments\n'
          'Participant 777,Ana María López,ana@uni.edu,Submitted for grading,,20.00,Yes,'
          '"Monday, 2 March 2026, 10:00 AM",-,\n'
          'Participant 778,Dan Wu,dan.wu@uni.edu,No submission,,20.00,Yes,-,-,\n'
          'Participant 779,Locked Person,lock@uni.edu,Submitted for grading,15.00,20.00,No,-,-,old comment\n')


def _result(student: str, qscores: dict[str, float] | None = None, error: str = "", late: bool = False,
            factor: float = 1.0) -> SubmissionResult:
    qs = []
    for q in ASG.questions:
        got = (qscores or {}).get(q.id, q.points)
        qs.append(QuestionResult(q.id, q.function, q.title, got, q.points,
                                 "passed" if got == q.points else "failed", 20, ""))
    score = sum(q.score for q in qs) * factor
    return SubmissionResult(student=student, source=f"{student}.py", score=score, max_score=ASG.max_score,
                            error=error, report="", questions=qs, late=late, late_factor=factor)


def _rows(data: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


# --- Canvas -----------------------------------------------------------------------------------

def test_canvas_export_comes_back_the_same_with_the_column_filled(tmp_path):
    roster = _read(tmp_path, CANVAS, "canvas.csv")
    target = export.lms_target(roster, ASG.title, ASG.name)
    assert (target.kind, target.header, target.column, target.new_column) == ("canvas", "HW4 (1234)", 5, False)
    subs = [_result("A0001", {"2.5": 0}, late=True, factor=0.5), _result("223456", {"1.1": 0, "2.3": 0}),
            R.no_submission(roster.students[2], ASG)]  # A0004 is graded in another shard: not here
    data, info = export.fill_lms(target, subs, ASG.max_score)
    assert data == CANVAS.replace(",Sec 1,,4,80", ",Sec 1,8,4,80").replace(',12,5,100', ',16,5,100') \
        .replace(",Sec 2,,3,60", ",Sec 2,0,3,60").encode("utf-8")  # every other byte as it was (BOM, CRLF, quotes)
    before, after = _rows(CANVAS.encode()), _rows(data)
    assert before[0] == after[0] and len(before) == len(after)
    for col in range(len(before[0])):  # column by column: only the assignment's changed
        same = [r[col] for r in before] == [r[col] for r in after]
        assert same == (col != 5), before[0][col]
    assert [r[5] for r in after] == ["HW4 (1234)", "20", "8", "16", "0", "7"]
    assert info["filled"] == 3 and info["file"] == "canvas-import.csv" and info["column"] == "HW4 (1234)"


def test_canvas_blank_for_no_submission_and_scaled_points(tmp_path):
    text = CANVAS.replace(",,,,,20,5,", ",,,,,100,5,")
    roster = _read(tmp_path, text, "canvas.csv")
    target = export.lms_target(roster, ASG.title, ASG.name, missing="blank")
    data, info = export.fill_lms(target, [_result("A0001", {"2.5": 0}), R.no_submission(roster.students[2], ASG)],
                                 ASG.max_score)
    col = [r[5] for r in _rows(data)]
    assert col == ["HW4 (1234)", "100", "80", "12", "", "7"]  # 16/20 of the column's 100 points
    assert info["scaled_to"] == 100 and info["blank"] == 1


def test_canvas_new_column_when_no_column_is_this_assignment(tmp_path):
    text = CANVAS.replace("HW4 (1234)", "Essay (1234)")
    roster = _read(tmp_path, text, "canvas.csv")
    target = export.lms_target(roster, ASG.title, ASG.name)
    assert target.new_column and target.header == ASG.title
    data, _ = export.fill_lms(target, [_result("A0001")], ASG.max_score)
    rows = _rows(data)
    assert rows[0][-1] == ASG.title and rows[1][-1] == "20"  # Canvas makes an assignment of it, out of 20
    assert [r[:-1] for r in rows] == _rows(text.encode())
    assert rows[2][-1] == "20" and [r[-1] for r in rows[3:]] == ["", "", ""] and len({len(r) for r in rows}) == 1
    assert data.decode("utf-8").count("\r\n") == text.count("\r\n")


@pytest.mark.parametrize("column,index", [("HW4 (1234)", 5), ("hw4", 5), ("1234", 5), ("99", 6), ("Quiz 1", 6)])
def test_canvas_lms_column_by_header_name_or_id(tmp_path, column, index):
    roster = _read(tmp_path, CANVAS, "canvas.csv")
    assert export.lms_target(roster, ASG.title, ASG.name, column).column == index


def test_an_lms_column_matching_no_column_is_an_error_unless_a_new_one_is_asked_for(tmp_path):
    """A typo in --lms-column silently added a new column (a new Canvas assignment on import)."""
    roster = _read(tmp_path, CANVAS, "canvas.csv")
    with pytest.raises(ValueError) as exc:
        export.lms_target(roster, ASG.title, ASG.name, "HW 44")
    msg = str(exc.value)
    assert "\n" not in msg and "'HW 44' matches no column" in msg and "HW4 (1234), Quiz 1 (99)" in msg
    assert "--lms-new-column" in msg
    target = export.lms_target(roster, ASG.title, ASG.name, "HW 44", new_column=True)
    assert target.new_column and target.header == "HW 44"


@pytest.mark.parametrize("header", ["Homework 4 (123456)", "HW 4 (123456)", "homework4 (7)"])
def test_canvas_column_named_like_the_homework_in_the_title_is_found(tmp_path, header):
    roster = _read(tmp_path, CANVAS.replace("HW4 (1234)", header), "canvas.csv")
    target = export.lms_target(roster, ASG.title, ASG.name)
    assert (target.header, target.column, target.new_column) == (header, 5, False)


def test_canvas_refuses_a_read_only_or_ambiguous_column(tmp_path):
    roster = _read(tmp_path, CANVAS, "canvas.csv")
    with pytest.raises(ValueError, match="read-only"):
        export.lms_target(roster, ASG.title, ASG.name, "Current Score")
    twice = _read(tmp_path, CANVAS.replace("Quiz 1 (99)", "HW4 (98)"), "twice.csv")
    with pytest.raises(ValueError, match="--lms-column"):
        export.lms_target(twice, ASG.title, ASG.name)


@pytest.mark.parametrize("value,fix", [
    ("inf", "'inf' is not a finite number"), ("nan", "'nan' is not a finite number"),
    ("1e308", "'1e308' is out of range"), ("-5", "'-5' is out of range"),
])
def test_an_lms_maximum_no_lms_would_hold_is_one_line_before_grading(tmp_path, value, fix):
    """Canvas's Points Possible or Moodle's Maximum grade of inf/1e308 scaled every score to
    inf (the LMS file held 'inf', results.json could not); now refused when the roster is read."""
    canvas = _read(tmp_path, CANVAS.replace(",20,5,(read only)", f",{value},5,(read only)"), name="canvas.csv")
    with pytest.raises(ValueError) as exc:
        export.lms_target(canvas, ASG.title, ASG.name)
    msg = str(exc.value)
    assert msg.startswith(f"{canvas.path} line 2: 'HW4 (1234)': {fix}") and "\n" not in msg, msg
    moodle = _read(tmp_path, MOODLE.replace("No submission,,20.00", f"No submission,,{value}"), name="moodle.csv")
    with pytest.raises(ValueError) as exc:
        export.lms_target(moodle, ASG.title, ASG.name)
    assert str(exc.value).startswith(f"{moodle.path} line 3: 'Maximum grade': {fix}"), str(exc.value)


def test_plain_roster_has_no_lms_file(tmp_path):
    roster = _read(tmp_path, "student_id,name\nA1,Ann\n", "roster.csv")
    assert export.lms_target(roster, ASG.title, ASG.name) is None


# --- Moodle -----------------------------------------------------------------------------------

def test_moodle_worksheet_comes_back_with_grade_and_feedback(tmp_path):
    roster = _read(tmp_path, MOODLE, "moodle.csv")
    target = export.lms_target(roster, ASG.title, ASG.name)
    assert target.kind == "moodle" and target.file_name == "moodle-import.csv"
    subs = [_result("ana@uni.edu", {"2.3": 0, "2.5": 0}), R.no_submission(roster.students[1], ASG),
            _result("lock@uni.edu")]
    data, info = export.fill_lms(target, subs, ASG.max_score)
    before, after = _rows(MOODLE.encode()), _rows(data)
    grade, feedback = before[0].index("Grade"), before[0].index("Feedback comments")
    for col in range(len(before[0])):
        if col not in (grade, feedback):
            assert [r[col] for r in before] == [r[col] for r in after], before[0][col]
    assert [r[grade] for r in after[1:]] == ["13.00", "0.00", "15.00"]  # the locked grade left alone
    assert after[1][feedback] == "cnn-grader: 13/20; not passed: Q2.3 failed, Q2.5 failed; see your report for details"
    assert after[2][feedback] == "cnn-grader: no submission" and after[3][feedback] == "old comment"
    assert info["locked"] == ["lock@uni.edu"]
    assert data.decode("utf-8").splitlines()[3] == MOODLE.splitlines()[3]


def test_moodle_comma_decimals_and_other_maximum(tmp_path):
    text = MOODLE.replace("20.00", '"100,00"')
    roster = _read(tmp_path, text, "moodle.csv", encoding="cp1252")
    target = export.lms_target(roster, ASG.title, ASG.name, missing="blank")
    data, info = export.fill_lms(target, [_result("ana@uni.edu", {"2.5": 0}), R.no_submission(roster.students[1], ASG)],
                                 ASG.max_score)
    rows = _rows(data, "cp1252")
    assert rows[1][4] == "80,00" and rows[2][4] == "" and info["scaled_to"] == 100
    assert rows[1][1] == "Ana María López"  # written back in the file's own encoding


# --- the CSV splicer: a parser of untrusted bytes ---------------------------------------------

_FIELD = st.text(alphabet=st.sampled_from(list('ab ,;"\r\n\té')), max_size=6)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(_FIELD, min_size=1, max_size=5), min_size=1, max_size=6),
       delim=st.sampled_from([",", ";", "\t"]), crlf=st.booleans(), quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       edit=st.tuples(st.integers(0, 5), st.integers(0, 6), _FIELD))
def test_csv_table_reads_as_csv_does_and_edits_one_cell(rows, delim, crlf, quoting, edit):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delim, lineterminator="\r\n" if crlf else "\n", quoting=quoting).writerows(rows)
    text = buf.getvalue()
    table = R.CsvTable.parse(text, delim)
    assert [r.values for r in table.records] == list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    assert table.render({}) == text
    r, c, value = edit
    r %= len(table.records)
    if not table.records[r].values:
        return
    out = table.render({(r, c): value})
    got = list(csv.reader(io.StringIO(out, newline=""), delimiter=delim))
    want = [list(x.values) for x in table.records]
    want[r] = want[r] + [""] * (c + 1 - len(want[r])) if c >= len(want[r]) else want[r]
    want[r][c] = value
    assert got == want


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list('ab,"\n\r ')), max_size=40))
def test_csv_table_never_crashes_on_any_text(text):
    table = R.CsvTable.parse(text)
    assert table.render({}) == text  # any text, even malformed: every byte kept
    assert all(a <= b for rec in table.records for a, b in rec.spans)


# --- grades.csv -------------------------------------------------------------------------------

def test_gradebook_opens_in_excel_and_reads_in_csv(tmp_path):
    from grader.results import GradingRun
    sub = _result("A0001", late=True, factor=0.8)
    sub.name, sub.email, sub.days_late = "José García", "jgarcia@uni.edu", 2.0
    absent = R.no_submission(R.Student(id="A0003", name="Eve Nosub", email="eve@uni.edu"), ASG)
    run = GradingRun("hw4", "HW4", "1", "0", 0, ASG.max_score, "now", submissions=[sub, absent])
    export.write_gradebook_file(run, tmp_path)
    data = (tmp_path / "grades.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 by double-click only with a BOM
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert list(rows[0])[:4] == ["student", "name", "email", "source"]  # (no BOM in the first header)
    assert rows[0]["name"] == "José García" and rows[0]["email"] == "jgarcia@uni.edu"
    assert rows[0]["late"] == "2 days" and rows[0]["late_factor"] == "0.8" and rows[0]["total"] == "16"
    assert rows[1]["error"] == "no submission" and rows[1]["late"] == "" and rows[1]["name"] == "Eve Nosub"


# --- the whole round trip, from the command line ----------------------------------------------

def test_grade_fills_the_canvas_export_and_shows_who_did_not_submit(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "garciajose_LATE_123456_789012_hw4.py").write_bytes((SUBMISSIONS / "correct_vectorized.py").read_bytes())
    (subs / "doejane_223456_789013_hw4.py").write_bytes((SUBMISSIONS / "mistake_ignores_stride.py").read_bytes())
    (tmp_path / "canvas.csv").write_bytes(CANVAS.encode("utf-8"))
    (tmp_path / "grader.toml").write_text('[grading]\nseed = 9\n[late]\nfactor = 0.5\n[lms]\nroster = "canvas.csv"\n')
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "grader", "grade", "subs", "--out", "out", "--jobs", "2"],
                       capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out"
    assert f"wrote {Path('out') / 'canvas-import.csv'}: your Canvas gradebook" in r.stdout
    assert "with no submission" in r.stdout
    rows = _rows((out / "canvas-import.csv").read_bytes())
    by = {row[2] or row[1]: row for row in rows[2:]}
    assert by["A0001"][5] == "10"  # 20 points, late: x0.5
    assert 0 < float(by["223456"][5]) < 20 and by["A0003"][5] == by["A0004"][5] == "0"
    grades = {row["student"]: row for row in csv.DictReader(io.StringIO((out / "grades.csv").read_text("utf-8-sig")))}
    assert grades["A0001"]["late"] == "yes" and grades["A0001"]["name"] == "García, José"
    assert grades["223456"]["late"] == "" and grades["A0003"]["error"] == "no submission"
    import json
    data = json.loads((out / "results.json").read_text())
    assert data["seed"] == 9 and data["policy"]["late"] == {"factor": 0.5} and data["lms"]["file"] == "canvas-import.csv"
    index = (out / "index.html").read_text()
    assert "No submission (2)" in index and "could not be graded" not in index
    report = (out / "reports" / "A0003.html").read_text()
    assert "Reproduce" not in report and "No submission" in report and "grader check" not in report
    assert "Reproduce" in (out / "reports" / "A0001.html").read_text()


# --- CI templates -----------------------------------------------------------------------------

def _run_blocks(text: str) -> list[str]:
    """The shell scripts of a workflow: each ``run:`` value with its indented continuation."""
    blocks, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(?:- )?run:\s*(.*)$", line)
        if not m:
            continue
        indent, body = len(m.group(1)), [m.group(2)]
        for nxt in lines[i + 1:]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                break
            body.append(nxt)
        blocks.append("\n".join(body))
    return blocks


@pytest.mark.parametrize("name", ["instructor-grade.yml", "student-selfcheck.yml"])
def test_workflows_pass_inputs_through_env_not_into_scripts(name):
    text = (ROOT / "grader" / "templates" / "ci" / name).read_text()
    blocks = _run_blocks(text)
    assert blocks
    for b in blocks:  # anything a user types reaches the shell as a variable, never as script text
        assert not re.search(r"\$\{\{\s*(inputs|github\.event|vars)\.", b), b
    if name == "instructor-grade.yml":
        assert re.search(r"SUBMISSIONS: \$\{\{ inputs\.submissions \}\}", text)
        assert re.search(r"SEED: \$\{\{ inputs\.seed \}\}", text)
        seed = text[text.index("      seed:"):text.index("      submissions:")]
        assert "type: number" in seed
    else:
        assert '--fail-under "$FAIL_UNDER"' in text


def test_run_block_reader_finds_an_injection():
    bad = "steps:\n  - name: x\n    run: >\n      grader grade \"${{ inputs.submissions }}\"\n  - run: echo ok\n"
    blocks = _run_blocks(bad)
    assert len(blocks) == 2 and "inputs.submissions" in blocks[0]


def test_lms_options_without_an_lms_export_are_a_usage_error(tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "a.py").write_text("x = 1\n")  # (an empty folder is refused first)
    (tmp_path / "canvas.csv").write_bytes(CANVAS.encode("utf-8"))
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for extra, fix in ((["--lms-column", "HW4"], "give it as --roster"),
                       (["--roster", "canvas.csv", "--lms-column", "Current Score"], "read-only"),
                       (["--roster", "canvas.csv", "--lms-column", "HW5"], "matches no column"),
                       (["--lms-new-column"], "give it as --roster")):
        r = subprocess.run([sys.executable, "-m", "grader", "grade", "subs", "--out", "out", *extra],
                           capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
        assert r.returncode == 2 and fix in r.stderr and "Traceback" not in r.stderr
        assert not (tmp_path / "out").exists()


_NAME = st.text(alphabet=st.sampled_from(list("abcXYZ éñ,'\"-")), min_size=1, max_size=12).filter(lambda s: s.strip(" ,'\"-"))


@settings(max_examples=100, deadline=None)
@given(names=st.lists(_NAME, min_size=1, max_size=6), scores=st.lists(st.integers(0, 20), min_size=6, max_size=6),
       graded=st.lists(st.booleans(), min_size=6, max_size=6), bom=st.booleans(), crlf=st.booleans(),
       quote_all=st.booleans(), extra=st.lists(st.sampled_from(["", "3", "n/a", "x,y", 'q"q']), min_size=6, max_size=6))
def test_any_canvas_export_changes_only_its_column(tmp_path_factory, names, scores, graded, bom, crlf, quote_all, extra):
    """Held-out rosters: whatever the names, quoting and line breaks, only the assignment's
    cells of graded students change, and they read back as the scores."""
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Notes (7)", "HW4 (1234)"],
            ["    Points Possible", "", "", "", "", "10", "20"]]
    for i, name in enumerate(names):
        rows.append([name, str(100000 + i), f"S{i:04d}", f"u{i}@uni.edu", "Sec 1", extra[i], ""])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n" if crlf else "\n",
               quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(rows)
    text = ("\ufeff" if bom else "") + buf.getvalue()
    roster = _read(tmp_path_factory.mktemp("c"), text, "canvas.csv")
    assert [s.id for s in roster.students] == [f"S{i:04d}" for i in range(len(names))]
    subs = [_result(f"S{i:04d}", {"2.5": 4 - min(4, scores[i] % 5)}) for i in range(len(names)) if graded[i]]
    data, info = export.fill_lms(export.lms_target(roster, ASG.title, ASG.name), subs, ASG.max_score)
    assert data.startswith(b"\xef\xbb\xbf") == bom and (b"\r\n" in data) == crlf
    after = _rows(data)
    want = [list(r) for r in rows]
    for s in subs:
        want[2 + int(s.student[1:])][6] = number(s.score)
    assert after == want and info["filled"] == len(subs)
    # outside the assignment's cells (the last field of each line), the text is the original's
    before_lines, after_lines = text.split("\n"), data.decode("utf-8").split("\n")
    assert len(before_lines) == len(after_lines)
    for b, a in zip(before_lines, after_lines):
        assert a.rsplit(",", 1)[0] == b.rsplit(",", 1)[0]


@pytest.mark.parametrize("text", ["\uff1d5+5", " =HYPERLINK(\"evil\",\"x\")", "\xa0=2+2", "\u200b=1", "\t=1", "  +1", " @SUM(A1)"])
def test_gradebook_cells_neutralise_formulas_behind_spaces(text):
    """A spreadsheet may trim leading spaces on import: the guard looks past them."""
    from grader.outputs.export import _cell
    assert _cell(text).startswith("'")


@pytest.mark.parametrize("text", ["alice", "a=b", "", " ", "x-1"])
def test_gradebook_cells_leave_plain_text_alone(text):
    from grader.outputs.export import _cell
    assert _cell(text) == text
