"""Roster: reading class lists liberally, matching submissions (Canvas and Moodle names too),
students without a submission, entries that match nobody."""
from __future__ import annotations


import pytest

from conftest import SUBMISSIONS
from grader.course import roster as R

ROSTER = """student_id,name,email,github
A0001,"Smith, John",john.smith@uni.edu,jsmith
A0002,Jane Doe,jane.doe@uni.edu,
A0003,Ana María López,ana@uni.edu,
A0004,Dan Wu,dan.wu@uni.edu,
A0005,Eve Nosub,eve@uni.edu,
"""


def _roster(tmp_path, text=ROSTER, name="roster.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return R.read_roster(p)


def test_read_with_bom_and_header_names(tmp_path):
    r = _roster(tmp_path, "\ufeff" + ROSTER.replace("student_id", "Student ID").replace("email", "E-mail"))
    assert [s.id for s in r.students] == ["A0001", "A0002", "A0003", "A0004", "A0005"]
    john = r.students[0]
    assert john.name == "Smith, John" and john.email == "john.smith@uni.edu" and "jsmith" in john.aliases
    assert john.line == 2 and r.columns["id"] == "Student ID"


def test_read_semicolons_and_cp1252(tmp_path):
    text = "Matriculation Number;First name;Surname;Email address\n12345;Zoë;Brontë;zoe@uni.edu\n"
    r = _roster(tmp_path, text, encoding="cp1252")
    s = r.students[0]
    assert (s.id, s.first, s.last, s.email) == ("12345", "Zoë", "Brontë", "zoe@uni.edu")


def test_read_canvas_gradebook_export(tmp_path):
    text = ("Student,ID,SIS User ID,SIS Login ID,Section,HW4 (1234)\n"
            "    Points Possible,,,,,20\n"
            '"Smith, John",123456,A0001,jsmith@uni.edu,Sec 1,\n'
            '"Doe, Jane",223456,,jdoe@uni.edu,Sec 1,\n')
    r = _roster(tmp_path, text)
    assert [s.id for s in r.students] == ["A0001", "223456"]  # SIS id when there is one, else Canvas id
    assert "123456" in r.students[0].aliases and r.students[0].email == "jsmith@uni.edu"


def test_read_moodle_grading_worksheet(tmp_path):
    text = ("Identifier,Full name,Email address,Status,Grade\n"
            "Participant 777,Ana María López,ana@uni.edu,Submitted,\n"
            "Participant 778,Dan Wu,dan.wu@uni.edu,No submission,\n")
    r = _roster(tmp_path, text)
    assert [s.id for s in r.students] == ["ana@uni.edu", "dan.wu@uni.edu"]
    assert "777" in r.students[0].aliases


@pytest.mark.parametrize("text,fix", [
    ("name,section\nJohn,1\n", "name one column student_id"),
    ("", "the roster is empty"),
    ('""\n"",""\n', "the roster is empty"),  # (fields, all empty: a raw StopIteration)
    ("student_id,name\n", "no students"),
    ("student_id,name\nA1,John\na1,Johnny\n", "already on line 2"),
    ("student_id,email\n,\nA1,\n ,x\n", "line 4: no student id or email"),
    ("student_id\n../etc\n", "cannot name a file"),
])
def test_bad_roster_is_one_clear_line(tmp_path, text, fix):
    p = tmp_path / "roster.csv"
    p.write_text(text)
    with pytest.raises(ValueError) as exc:
        R.read_roster(p)
    msg = str(exc.value)
    assert str(p) in msg and fix in msg and "\n" not in msg


def test_missing_roster_file(tmp_path):
    with pytest.raises(ValueError, match="no such roster file"):
        R.read_roster(tmp_path / "nope.csv")


CANVAS_AND_MOODLE = {
    "A0004.py": ("A0004", "exact"),
    "jsmith.py": ("A0001", "exact"),  # the github/handle column
    "jane.doe.zip": ("A0002", "exact"),  # email local part
    "smithjohn_123456_789012_hw4.py": ("A0001", "canvas"),
    "doejane_LATE_223456_789013_hw4-1.py": ("A0002", "canvas"),
    "lastname_firstname_12345_67890_hw4.py": None,
    "wu_dan_late_998877_665544_hw4.py": ("A0004", "canvas"),
    "Ana María López_777_assignsubmission_file_hw4.py": ("A0003", "moodle"),
    "Ana Maria Lopez_777_assignsubmission_file_": ("A0003", "moodle"),  # folder, accents dropped
    "hw4_A0002_final.py": None,  # a token only, and A0002 has entries named for her (a token alone: below)
    "stranger.py": None,
}


def test_match_canvas_moodle_missing_unmatched(tmp_path):
    r = _roster(tmp_path)
    m = R.match(r, list(CANVAS_AND_MOODLE))
    for entry, want in CANVAS_AND_MOODLE.items():
        if want is None:
            assert entry in m.unmatched, entry
            assert m.why[entry]
        else:
            assert (m.matched[entry].id, m.how[entry]) == want, entry
    assert [s.id for s in m.missing] == ["A0005"]
    assert sorted(m.by_student()["A0001"]) == ["jsmith.py", "smithjohn_123456_789012_hw4.py"]
    assert "who is not on the roster" in m.why["lastname_firstname_12345_67890_hw4.py"]
    assert "1 without a submission" in m.summary() and "unmatched: stranger.py" in m.summary()


def test_lms_numbers_match_id_columns(tmp_path):
    text = "student_id,name,canvas id,identifier\nA1,John Smith,123456,Participant 777\nA2,John Smith,223456,Participant 778\n"
    r = _roster(tmp_path, text)
    m = R.match(r, ["smithjohn_223456_9_hw4.py", "John Smith_777_assignsubmission_file_", "smithjohn_999_9_hw4.py",
                    "Participant_778_assignsubmission_file_"])
    assert m.matched["smithjohn_223456_9_hw4.py"].id == "A2"  # same name twice: the id decides
    assert m.matched["John Smith_777_assignsubmission_file_"].id == "A1"
    assert m.matched["Participant_778_assignsubmission_file_"].id == "A2"  # Moodle blind marking
    assert "2 students have this name" in m.why["smithjohn_999_9_hw4.py"]


def test_id_and_name_disagreeing_is_not_guessed(tmp_path):
    text = "student_id,name,canvas id\nA1,John Smith,111111\nA2,Jane Doe,222222\n"
    m = R.match(_roster(tmp_path, text), ["smithjohn_222222_9_hw4.py"])
    assert m.unmatched == ["smithjohn_222222_9_hw4.py"] and "different roster students" in m.why["smithjohn_222222_9_hw4.py"]


def test_parse_entry_keeps_the_students_file_name():
    p = R.parse_entry("doejane_LATE_223456_789013_hw4-12.py")
    assert (p.kind, p.name, p.number, p.file, p.late) == ("canvas", "doejane", "223456", "hw4.py", True)
    p = R.parse_entry("Ana María López_777_assignsubmission_file_my hw4.py")
    assert (p.kind, p.name, p.number, p.file) == ("moodle", "Ana María López", "777", "my hw4.py")
    assert R.parse_entry("alice.py").kind == ""
    assert R.own_name("smithjohn_1_2_helpers.py") == "helpers.py"


def test_stage_by_roster_id(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "smithjohn_123456_789012_hw4.py").write_text("A = 1\n")
    (subs / "smithjohn_123456_789012_helpers-1.py").write_text("B = 2\n")  # one submission, two files
    (subs / "doejane_223456_789013_hw4.py").write_text("C = 3\n")
    (subs / "Dan Wu_5_assignsubmission_file_").mkdir()
    (subs / "Dan Wu_5_assignsubmission_file_" / "hw4.py").write_text("D = 4\n")
    (subs / "stranger.py").write_text("E = 5\n")
    m = R.match(_roster(tmp_path), [p.name for p in subs.iterdir()])
    origin = R.stage(subs, m, tmp_path / "staged")
    staged = tmp_path / "staged"
    assert (staged / "A0001" / "hw4.py").read_text() == "A = 1\n"
    assert (staged / "A0001" / "helpers.py").read_text() == "B = 2\n"
    assert (staged / "A0002.py").read_text() == "C = 3\n"
    assert (staged / "A0004" / "hw4.py").read_text() == "D = 4\n"
    assert (staged / "stranger.py").exists()
    assert origin["A0001"] == ["smithjohn_123456_789012_helpers-1.py", "smithjohn_123456_789012_hw4.py"]
    assert origin["A0002.py"] == ["doejane_223456_789013_hw4.py"] and origin["stranger.py"] == ["stranger.py"]
    assert sorted(p.name for p in subs.iterdir()) == sorted(["smithjohn_123456_789012_hw4.py", "smithjohn_123456_789012_helpers-1.py",
                                                             "doejane_223456_789013_hw4.py", "Dan Wu_5_assignsubmission_file_", "stranger.py"])


def test_no_submission_row():
    from grader.assignment import load_assignment
    asg = load_assignment("hw4")
    row = R.no_submission(R.Student(id="A0005"), asg)
    assert row.student == "A0005" and row.score == 0 and row.max_score == asg.max_score
    assert row.error == "no submission" and {q.status for q in row.questions} == {"missing"}
    assert len(row.questions) == len(asg.questions)


def test_grade_with_roster(tmp_path):
    from grader.api import Options, grade
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "smithjohn_123456_789012_hw4.py").write_bytes((SUBMISSIONS / "correct_vectorized.py").read_bytes())
    (subs / "stranger.py").write_bytes((SUBMISSIONS / "partial.py").read_bytes())
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,canvas id\nA0001,John Smith,123456\nA0005,Eve Nosub,\n")
    run = grade(subs, tmp_path / "out", Options(seed=2, jobs=2), roster=roster)
    by = {s.student: s for s in run.submissions}
    assert set(by) == {"A0001", "A0005", "stranger"}
    assert by["A0001"].score == 20 and by["A0001"].source == "smithjohn_123456_789012_hw4.py"
    assert by["A0005"].score == 0 and by["A0005"].error == "no submission"
    assert run.unmatched == ["stranger.py"]
    assert "A0005" in (tmp_path / "out" / "grades.csv").read_text()


def test_days_late_from_a_roster_column_or_moodle_status(tmp_path):
    r = _roster(tmp_path, "student_id,name,Days late\nA1,Ann,2\nA2,Bob,\nA3,Cy,0.5\n")
    assert [s.days_late for s in r.students] == [2.0, None, 0.5]
    moodle = ("Identifier,Full name,Email address,Status,Grade\n"
              "Participant 1,Ann,ann@uni.edu,Submitted for grading Assignment was submitted 1 day 12 hours late,\n"
              "Participant 2,Bob,bob@uni.edu,Submitted for grading,\n"
              "Participant 3,Cy,cy@uni.edu,Assignment was submitted 3 hours 5 mins late,\n")
    r = _roster(tmp_path, moodle, name="moodle.csv")
    days = [s.days_late for s in r.students]
    assert days[0] == 1.5 and days[1] is None and abs(days[2] - (3 / 24 + 5 / 1440)) < 1e-12
    p = tmp_path / "bad.csv"
    p.write_text("student_id,Late days\nA1,soon\n")
    with pytest.raises(ValueError, match="line 2: days late 'soon' is not a number"):
        R.read_roster(p)


def test_an_entry_the_roster_layout_cannot_copy_is_that_students_error(tmp_path):
    """With --roster every entry is laid out again by id: a pipe (which blocked the copy), a
    folder 300 deep and an oversized file are each their own student's error; the class is graded."""
    import os
    import shutil

    from conftest import SUBMISSIONS
    from grader.api import Options, grade
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", subs / "ada_1001_hw4.py")
    os.mkfifo(subs / "bob_1002_hw4.py")
    deep = subs / "cy_1003_hw4"
    p = deep
    for _ in range(300):
        p = p / "d"
    p.mkdir(parents=True)
    (p / "hw4.py").write_text("x = 1\n")
    with open(subs / "dee_1004_hw4.py", "wb") as f:
        f.truncate(60 << 20)  # sparse: 60 MiB of nothing
    (tmp_path / "roster.csv").write_text("id,name\n1001,Ada\n1002,Bob\n1003,Cy\n1004,Dee\n")
    run = grade(subs, tmp_path / "out", Options(jobs=2), roster=tmp_path / "roster.csv")
    by = {s.student: s for s in run.submissions}
    assert by["1001"].score == 20
    for sid, words in (("1002", "not a regular file"), ("1003", "deep"), ("1004", "MiB")):
        assert by[sid].error and words in by[sid].error and "\n" not in by[sid].error, (sid, by[sid].error)


# --- every bad roster, whatever its size, encoding or values: one line naming the file ---------

@pytest.mark.parametrize("cell,fix", [
    ("1e308", "days late '1e308' is out of range; give a number of days from 0 to 3650"),  # (was taken)
    ("1e400", "days late '1e400' is not a finite number"),  # (said "must be 0 or more")
    ("inf", "days late 'inf' is not a finite number"),
    ("nan", "days late 'nan' is not a finite number"),
    ("-1", "days late '-1' is out of range"),
    ("9" * 5000, "has 5000 digits"),  # (the message quoted all 5,000)
    ("x" * 100_000, "is not a number of days"),
])
def test_days_late_out_of_bounds_is_one_short_line(tmp_path, cell, fix):
    p = tmp_path / "roster.csv"
    p.write_text(f"student_id,name,Days late\nA1,Ann,{cell}\n")
    with pytest.raises(ValueError) as exc:
        R.read_roster(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p} line 2: ") and fix in msg and "\n" not in msg and len(msg) < 300, msg


@pytest.mark.parametrize("digits", [400, 5000])
def test_a_moodle_status_of_absurd_days_is_one_line(tmp_path, digits):
    """400 digits raised a raw OverflowError, 5000 int()'s own ValueError naming no file."""
    p = tmp_path / "moodle.csv"
    p.write_text("Identifier,Full name,Email address,Status,Grade\n"
                 f"Participant 1,Ann,ann@uni.edu,Assignment was submitted {'9' * digits} days late,\n")
    with pytest.raises(ValueError) as exc:
        R.read_roster(p)
    assert str(exc.value).startswith(f"{p} line 2: Status ") and "\n" not in str(exc.value)


def test_a_moodle_status_of_many_spaces_reads_in_linear_time(tmp_path):
    """The Status pattern backtracked polynomially: 200 spaces after "submitted" took 27 s."""
    import subprocess
    import sys

    from conftest import ROOT
    p = tmp_path / "moodle.csv"
    p.write_text("Identifier,Full name,Email address,Status,Grade\n"
                 f"Participant 1,Ann,ann@uni.edu,submitted{' ' * 100_000}x,\n"
                 "Participant 2,Bob,bob@uni.edu,submitted 2 days 3 hours late,\n")
    code = "import sys; from grader.course.roster import read_roster; print([s.days_late for s in read_roster(sys.argv[1]).students])"
    r = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True, timeout=30,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0 and r.stdout.strip() == "[None, 2.125]", r.stderr[-2000:]


@pytest.mark.parametrize("data,fix", [
    ("student_id,name\nA1,Ann\n".encode("utf-16"), "NUL bytes"),  # (read as cp1252: a header of garbage)
    (b"student_id,name\nA1,An\x00n\n", "NUL bytes"),
    (b"student_id,name\nA1," + b"x" * 200_000 + b"\n", "line 2: a field over 131072 characters"),
    (b"student_id,name\n\"A\n1\",Ann\n", "student id 'A\\n1' holds a control character"),
    (b"student_id,name\nA\x1b[2J1,Ann\n", "holds a control character"),
])
def test_odd_roster_files_are_one_line(tmp_path, data, fix):
    p = tmp_path / "roster.csv"
    p.write_bytes(data)
    with pytest.raises(ValueError) as exc:
        R.read_roster(p)
    msg = str(exc.value)
    assert msg.startswith(str(p)) and fix in msg and "\n" not in msg and "\x1b" not in msg, msg


def test_a_folder_a_pipe_or_a_huge_file_as_the_roster(tmp_path):
    import os
    with pytest.raises(ValueError, match="is a folder; give the CSV export"):
        R.read_roster(tmp_path)
    os.mkfifo(tmp_path / "fifo.csv")
    with pytest.raises(ValueError, match="not a regular file"):
        R.read_roster(tmp_path / "fifo.csv")
    with open(tmp_path / "huge.csv", "wb") as f:
        f.write(b"student_id\n")
        f.truncate(R.MAX_BYTES + 1)  # sparse
    with pytest.raises(ValueError, match="over 64 MiB"):
        R.read_roster(tmp_path / "huge.csv")


def test_a_roster_file_name_with_a_line_break_stays_one_line(tmp_path):
    p = tmp_path / "class\nlist.csv"
    p.write_text("name\nAnn\n")
    with pytest.raises(ValueError) as exc:
        R.read_roster(p)
    assert "\n" not in str(exc.value) and "no student id or email column" in str(exc.value)


# --- property: any CSV reads as a roster of usable students, or one line naming the file --------

import csv  # noqa: E402
import io  # noqa: E402

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st  # noqa: E402

_HEADERS = ["student_id", "Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW4 (1234)", "Identifier",
            "Full name", "Email address", "Status", "Grade", "Maximum grade", "Grade can be changed",
            "Feedback comments", "Days late", "Late days", "name", "email", "first name", "last name", "github"]
_CELLS = ["A0001", "A0002", "a0001", "jo@uni.edu", "Participant 7", "Smith, John", "", " ", "1e308", "1e400",
          "nan", "inf", "-1", "2,5", "0.5", "9" * 5000, "x" * 3000, "\x00", "\x1b[2J", "a\nb", '"', '""', "../x",
          ".hidden", "Points Possible", "(read only)", "20", "20,00", "No",
          "Assignment was submitted 1 day 2 hours late", "submitted" + " " * 500 + "late",
          "submitted " + "9" * 400 + " days late", "\u202e", "é", "\ufeff"]
_cell = st.sampled_from(_CELLS) | st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@st.composite
def _csv_files(draw):
    """A class list as bytes: LMS and plain headers, cells of every kind (numbers out of range,
    control characters, line breaks, quotes, huge cells), any delimiter and encoding, sometimes
    with bytes that are no text at all."""
    delim = draw(st.sampled_from([",", ";", "\t"]))
    header = draw(st.lists(st.sampled_from(_HEADERS) | _cell, min_size=1, max_size=8))
    rows = draw(st.lists(st.lists(_cell, max_size=len(header) + 2), max_size=6))
    text = None
    if draw(st.booleans()):  # written by a CSV writer (quoted where needed) ...
        buf = io.StringIO()
        try:
            csv.writer(buf, delimiter=delim, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(
                [header, *rows])
            text = buf.getvalue()
        except csv.Error:  # (Python 3.10's writer refuses some fields: "need to escape")
            pass
    if text is None:  # ... or by hand (quotes and line breaks as they fall)
        text = "\n".join(delim.join(r) for r in [header, *rows]) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    return data + draw(st.binary(max_size=8)) if draw(st.booleans()) else data


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=_csv_files())
def test_any_roster_is_usable_students_or_one_line(tmp_path, data):
    import math

    from grader.outputs import export
    p = tmp_path / "roster.csv"
    p.write_bytes(data)
    try:
        r = R.read_roster(p)
        target = export.lms_target(r, "Homework 4", "hw4")  # the LMS export's numbers checked too
    except ValueError as exc:
        msg = str(exc)
        assert msg.startswith(str(p)), msg
        assert "\n" not in msg and "\r" not in msg and "\x1b" not in msg and "\x00" not in msg and len(msg) < 600, msg
        return
    for s in r.students:
        assert s.id and s.id == s.id.strip() and not any(ord(c) < 0x20 for c in s.id) and "/" not in s.id
        assert s.days_late is None or (math.isfinite(s.days_late) and 0 <= s.days_late <= 3650)
    if target is not None and target.possible is not None:
        assert math.isfinite(target.possible) and 0 <= target.possible <= 1e6


def test_an_unreadable_roster_or_course_file_is_one_line(tmp_path, monkeypatch):
    """A PermissionError came out raw (the CLI turned it into 'check the path'; the API did not)."""
    import builtins
    import errno

    from grader.course.config import CourseError, load_course

    def denied(path, *a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    (tmp_path / "roster.csv").write_text("student_id\nA1\n")
    (tmp_path / "grader.toml").write_text("[grading]\nseed = 1\n")
    monkeypatch.setattr(builtins, "open", denied)
    with pytest.raises(ValueError, match=r"roster.csv: cannot read the roster file \(Permission denied\)"):
        R.read_roster(tmp_path / "roster.csv")
    with pytest.raises(CourseError, match=r"grader.toml: cannot read the course file \(Permission denied\)"):
        load_course(tmp_path / "grader.toml")


def test_a_students_entry_that_cannot_be_copied_never_costs_their_gradable_one(tmp_path):
    """With --roster a student's several LMS files are graded together, as one folder: one that
    could not be copied (a pipe, a 60 MiB file) was the whole student's error, and a .zip among
    them was never opened.  Now the zip is unpacked and the rest is left out with a note."""
    import io
    import os
    import zipfile

    from grader.api import Options, grade
    subs = tmp_path / "subs"
    subs.mkdir()
    honest = (SUBMISSIONS / "correct_vectorized.py").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hw4/hw4.py", honest)
    (subs / "smithjohn_123456_789012_hw4.zip").write_bytes(buf.getvalue())
    (subs / "smithjohn_123456_789013_hw4.ipynb").write_text('{"cells": [')
    os.mkfifo(subs / "smithjohn_123456_789014_notes.py")
    (subs / "doejane_223456_789015_hw4.py").write_bytes(honest)
    with open(subs / "doejane_223456_789016_data.bin", "wb") as f:
        f.truncate(60 << 20)  # sparse
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,canvas id\nA0001,John Smith,123456\nA0002,Jane Doe,223456\n")
    run = grade(subs, tmp_path / "out", Options(jobs=2), roster=roster)
    by = {s.student: s for s in run.submissions}
    assert by["A0001"].score == 20 and by["A0002"].score == 20, (by["A0001"].error, by["A0002"].error)
    assert any("could not be copied" in n and "smithjohn_123456_789014_notes.py" in n for n in by["A0001"].notes)
    assert any("doejane_223456_789016_data.bin" in n and "MiB" in n for n in by["A0002"].notes)


def test_unmatched_entries_giving_one_id_are_one_student(tmp_path):
    """Entries matching nobody keep their names: zed.py (a pipe, which the roster's layout
    cannot copy) and zed.ipynb are one student, graded from the notebook."""
    import json
    import os

    from grader.api import Options, grade
    subs = tmp_path / "subs"
    subs.mkdir()
    honest = (SUBMISSIONS / "correct_vectorized.py").read_text()
    (subs / "smithjohn_123456_789012_hw4.py").write_text(honest)
    os.mkfifo(subs / "zed.py")
    (subs / "zed.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": honest}]}))
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,canvas id\nA0001,John Smith,123456\n")
    run = grade(subs, tmp_path / "out", Options(jobs=1), roster=roster)
    by = {s.student: s for s in run.submissions}
    assert set(by) == {"A0001", "zed"} and by["zed"].score == 20 and by["zed"].source == "zed.ipynb"
    assert any(n.startswith("also submitted zed.py, not counted:") and "not a regular file" in n for n in by["zed"].notes)
    assert run.collisions == [{"student": "zed", "entries": ["zed.ipynb", "zed.py"], "counted": "zed.ipynb"}]


def test_an_lms_download_never_names_a_student_by_its_own_file_name(tmp_path):
    """A submitter off the roster once named the file zz_<classmate's SIS id>.py: Canvas kept
    that name after its own prefix, the token rule read it, and the file was filed under the
    classmate (whose grade it replaced).  Only the LMS's part of a download may name a student."""
    text = "student_id,name,canvas id\nA1001,Alice Honest,100001\nA1002,Bob Honest,100002\n"
    r = _roster(tmp_path, text)
    m = R.match(r, ["honestalice_100001_900001_cnn.py", "evilmallory_100009_900009_zz_A1001.py",
                    "Mallory Evil_555_assignsubmission_file_A1002.py", "notes_A1002.py"])
    assert m.matched["honestalice_100001_900001_cnn.py"].id == "A1001"
    assert "evilmallory_100009_900009_zz_A1001.py" in m.unmatched
    assert "not on the roster" in m.why["evilmallory_100009_900009_zz_A1001.py"]
    assert "Mallory Evil_555_assignsubmission_file_A1002.py" in m.unmatched
    assert m.matched["notes_A1002.py"].id == "A1002"  # a plain name (the course's own) still may


def test_a_canvas_download_is_never_read_as_moodle_by_its_own_file_name(tmp_path):
    """smithjohn_111111_700001_x_999999_assignsubmission_file_hw4.py: Canvas's prefix, then a
    file name of the student's choosing that looks like a Moodle participant's: it was filed
    under participant 999999 (a classmate's Canvas ID), whose grade it replaced."""
    text = "student_id,name,canvas id\nS1,John Smith,111111\nS9,Jane Victim,999999\n"
    m = R.match(_roster(tmp_path, text), ["smithjohn_111111_700001_x_999999_assignsubmission_file_hw4.py",
                                          "victimjane_999999_700002_mywork.py",
                                          "Jane Victim_4321_assignsubmission_file_hw4.py"])
    assert m.matched["smithjohn_111111_700001_x_999999_assignsubmission_file_hw4.py"].id == "S1"
    assert m.matched["victimjane_999999_700002_mywork.py"].id == "S9"
    assert R.parse_entry("Jane Victim_4321_assignsubmission_file_hw4.py").kind == "moodle"


def test_a_token_claim_never_joins_the_students_own_entry(tmp_path):
    # hw4-A0002.py holds A0002's id as a token only: beside A0002.py it would share her folder,
    # where the larger name could be chosen as her main file (a fresh attack replaced her work)
    m = R.match(_roster(tmp_path), ["A0002.py", "hw4-A0002.py", "zz_A0002_x.py", "hw4_A0003_final.py"])
    assert m.by_student()["A0002"] == ["A0002.py"]
    assert {"hw4-A0002.py", "zz_A0002_x.py"} <= set(m.unmatched)
    assert "A0002.py names A0002 more directly" in m.why["hw4-A0002.py"]
    assert m.matched["hw4_A0003_final.py"].id == "A0003"  # alone, a token still names a student


def test_the_id_letter_for_letter_beats_the_id_in_other_case(tmp_path):
    m = R.match(_roster(tmp_path), ["a0002.py", "A0002.py"])
    assert m.by_student()["A0002"] == ["A0002.py"] and m.unmatched == ["a0002.py"]


def test_unmatched_entries_in_bytes_that_are_not_utf8_are_written_out(tmp_path):
    """An entry matching nobody whose name is Latin-1 (``Ren\\xe9.py``) stopped the whole run:
    results.json could not be written (its ``unmatched`` list held the raw name).  It is graded
    under the id discovery gives it and listed in that same form."""
    import json
    import os

    from grader.api import Options, grade
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / os.fsdecode(b"Ren\xe9.py")).write_bytes((SUBMISSIONS / "correct_vectorized.py").read_bytes())
    (subs / "smithjohn_123456_789012_hw4.py").write_bytes((SUBMISSIONS / "correct_vectorized.py").read_bytes())
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,canvas id\nA0001,John Smith,123456\n")
    grade(subs, tmp_path / "out", Options(jobs=1), roster=roster)
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert data["unmatched"] == ["Ren\\xe9.py"]
    assert {s["student"]: s["score"] for s in data["submissions"]} == {"A0001": 20, "Ren\\xe9": 20}
