"""Machine-readable outputs of a grading run: results.json and the gradebook CSV."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from typing import IO, Iterable

from .. import results
from ..results import GradingRun, one_line_json
from ..course.roster import Roster, _header
from ..text import number


def gradebook_csv(run: GradingRun) -> str:
    """One row a student, a column a question, then the total and any error."""
    buf = io.StringIO()
    write_gradebook(run.submissions, buf)
    return buf.getvalue()


GRADEBOOK_ENCODING = "utf-8-sig"  # a BOM: Excel opens it as UTF-8 by double-click; pandas/LMS read it


def write_gradebook(subs: list, f: IO[str], lines: Iterable[str] | None = None) -> None:
    """One row a student: id, the roster's name and email, the entry graded, a column a
    question, total, max, late (and the late policy's factor, already in the total), error.
    ``lines``: the rows as :func:`gradebook_line` made them, in order (a worker makes each
    student's); by default made here from ``subs``."""
    qids = [q.id for q in subs[0].questions] if subs else []
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["student", "name", "email", "source", *[f"Q{q}" for q in qids], "total", "max_score",
                "late", "late_factor", "error"])
    if lines is not None:
        f.writelines(lines)
        return
    for s in subs:
        w.writerow(_gradebook_row(s))


def gradebook_line(s) -> str:
    """A student's row of grades.csv, as the file holds it."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(_gradebook_row(s))
    return buf.getvalue()


def _gradebook_row(s) -> list[str]:
    return [_cell(s.student), _cell(s.name), _cell(s.email), _cell(s.source),
            *[number(q.score) for q in s.questions], "EX" if getattr(s, "excused", False) else number(s.score),
            number(s.max_score),
            _late(s), number(s.late_factor), _cell(s.error)]


def _late(s) -> str:
    if not s.late:
        return ""
    return f"{number(s.days_late)} days" if s.days_late else "yes"


def _cell(text: str) -> str:
    """Neutralize spreadsheet formulas in text that came from students: =, +, -, @ first, after
    any spaces or invisible characters a spreadsheet may trim on import (a leading space or
    no-break space once let ``=HYPERLINK(...)`` through), or a tab or CR first."""
    if text[:1] in ("\t", "\r"):
        return "'" + text
    for c in text:
        if not (c.isspace() or unicodedata.category(c) == "Cf"):
            return "'" + text if unicodedata.normalize("NFKC", c) in ("=", "+", "-", "@") else text  # (＝ too)
    return text


def write_all(run: GradingRun, out: Path) -> None:
    """results.json and grades.csv of ``run``, both written as streams."""
    write_results(run, out)
    write_gradebook_file(run, out)


def write_results(run: GradingRun, out: Path, lines: Iterable[str] | None = None) -> list[tuple[int, int]]:
    """``OUT/results.json``.  ``lines``: the submissions as :func:`one_line_json` lines, in
    order (``grade`` spools them to disk as it goes); by default made from ``run.submissions``."""
    return results.write_results(out / "results.json", run,
                                 lines if lines is not None else map(one_line_json, run.submissions))


def write_gradebook_file(run: GradingRun, out: Path, lines: Iterable[str] | None = None) -> None:
    with open(out / "grades.csv", "w", encoding=GRADEBOOK_ENCODING, newline="") as f:
        write_gradebook(run.submissions, f, lines)


# --- LMS write-back: the gradebook the instructor downloaded, filled in ---------------------

CANVAS_FIXED = ("student", "id", "sisuserid", "sisloginid", "integrationid", "section", "rootaccount")
MOODLE_REQUIRED = ("identifier", "grade")


@dataclass
class LmsTarget:
    """Where this assignment's scores go in an LMS export read as the ``--roster``."""

    kind: str  # "canvas" | "moodle"
    roster: Roster
    column: int  # index of the column to fill; == len(header) for a new column
    header: str  # the column's name as written
    missing: str = "zero"  # students without a submission: "zero" or "blank"
    new_column: bool = False
    possible: float | None = None  # Canvas "Points Possible" of the column
    points_row: int = -1  # Canvas: the "Points Possible" record
    max_col: int = -1  # Moodle "Maximum grade"
    locked_col: int = -1  # Moodle "Grade can be changed"
    feedback_col: int = -1  # Moodle "Feedback comments"

    @property
    def file_name(self) -> str:
        return f"{self.kind}-import.csv"


def lms_target(roster: Roster, title: str, name: str, column: str | None = None,
               missing: str = "zero", new_column: bool = False) -> LmsTarget | None:
    """The column to fill when ``roster`` is a Canvas gradebook export or a Moodle grading
    worksheet (``None`` for any other class list).  Canvas: ``column`` (the header, its name
    without the "(ID)", or the ID), else the assignment column named like this assignment,
    else a new column named ``title`` (Canvas makes a new assignment of it on import).  A
    ``column`` that names no column of the export is an error listing them (a typo would add
    a new assignment on import), unless ``new_column``: then it is the new column's name.
    Raises ``ValueError`` (one line) when the export cannot be written back."""
    if missing not in ("zero", "blank"):
        raise ValueError(f"--lms-missing {missing!r}: choose zero or blank")
    table = roster.table
    header_rec = table.records[roster.header_row] if table is not None else None
    header = [h.strip() for h in header_rec.values] if header_rec is not None else []
    norm = [_header(h) for h in header]
    if {"student", "id"} <= set(norm) and ({"sisuserid", "sisloginid", "section"} & set(norm)):
        kind = "canvas"
    elif all(k in norm for k in MOODLE_REQUIRED) and ("fullname" in norm or "emailaddress" in norm):
        kind = "moodle"
    else:
        return None
    if table is None:
        raise ValueError(f"{roster.path}: this {kind} export is not plain CSV as exported "
                         "(quotes inside fields?); download it from the LMS again to have it filled in")
    if kind == "moodle":
        target = LmsTarget("moodle", roster, norm.index("grade"), header[norm.index("grade")], missing,
                           max_col=_find(norm, "maximumgrade"), locked_col=_find(norm, "gradecanbechanged"),
                           feedback_col=_find(norm, "feedbackcomments"))
        if target.max_col >= 0:  # checked now, before anyone is graded (fill_lms reads them after)
            for st in roster.students:
                cells = table.records[st.row].values
                _maximum(roster, st.row, header[target.max_col],
                         cells[target.max_col].strip() if target.max_col < len(cells) else "", decimal_comma=True)
        return target
    points_row = next((i for i, r in enumerate(table.records) if i > roster.header_row and r.values
                       and r.values[0].strip().casefold() == "points possible"), -1)
    col = _canvas_column(header, norm, title, name, column, roster.path)
    if col is None and column is not None and not new_column:
        have = [h for i, h in enumerate(header) if norm[i] not in CANVAS_FIXED and h]
        raise ValueError(f"{roster.path}: --lms-column {column!r} matches no column of this export "
                         f"(its columns: {', '.join(have) or 'none'}); give one of them, "
                         "or add --lms-new-column to add a new column of that name")
    target = LmsTarget("canvas", roster, col if col is not None else len(header),
                       header[col] if col is not None else (column or title).strip(), missing,
                       new_column=col is None, points_row=points_row)
    if col is not None and points_row >= 0:
        cells = table.records[points_row].values
        cell = cells[col].strip() if col < len(cells) else ""
        if "read only" in cell.casefold():
            raise ValueError(f"{roster.path}: column {header[col]!r} is read-only in Canvas (a computed score); "
                             "give --lms-column an assignment's column")
        target.possible = _maximum(roster, points_row, header[col], cell)
    return target


def _maximum(roster: Roster, record: int, column: str, cell: str, decimal_comma: bool = False) -> float | None:
    """An LMS's points possible / maximum grade, which scores are scaled to: ``None`` when the
    cell holds none; a number no LMS would hold (``inf``, ``1e308``, ``-5``) is an error, not a
    gradebook of ``inf``s.  ``decimal_comma``: Moodle writes 20,00 in some languages."""
    from .. import settings
    from ..course.roster import _shown
    text = cell.replace(",", ".") if decimal_comma else cell
    try:
        float(text)
    except ValueError:  # empty, or words ("(read only)" is refused before): no maximum to scale to
        return None
    try:
        return settings.LMS_MAXIMUM.parse(text)
    except settings.SettingError as exc:
        line = roster.table.records[record].line if roster.table is not None else record + 1
        raise ValueError(f"{_shown(roster.path)} line {line}: {settings.shown(column)}: {exc}; "
                         "fix it in the LMS and export again") from None


def _find(norm: list[str], key: str) -> int:
    return norm.index(key) if key in norm else -1


_CANVAS_ASSIGNMENT = re.compile(r"^(?P<name>.*?)\s*\((?P<id>\d+)\)\s*$")


def _canvas_column(header: list[str], norm: list[str], title: str, name: str, column: str | None,
                   path: Path) -> int | None:
    from ..course.roster import _squeeze
    assignments = [i for i, h in enumerate(header) if norm[i] not in CANVAS_FIXED and h]
    if column is not None:
        want = column.strip()
        for test in (lambda h: h.strip() == want, lambda h: h.strip().casefold() == want.casefold(),
                     lambda h: bool(_CANVAS_ASSIGNMENT.match(h)) and (
                         _CANVAS_ASSIGNMENT.match(h)["id"] == want
                         or _squeeze(_CANVAS_ASSIGNMENT.match(h)["name"]) == _squeeze(want))):
            hits = [i for i in assignments if test(header[i])]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                raise ValueError(f"{path}: --lms-column {column!r} matches {len(hits)} columns; "
                                 "give the whole header, with its (ID)")
        return None  # a new column of that name
    keys = _assignment_keys(title, name)
    hits = [i for i in assignments if (m := _CANVAS_ASSIGNMENT.match(header[i])) and _short(m["name"]) in keys]
    if len(hits) > 1:
        raise ValueError(f"{path}: {len(hits)} columns are named like this assignment "
                         f"({', '.join(header[i] for i in hits)}); choose one with --lms-column")
    return hits[0] if hits else None


def _short(text: str) -> str:
    """A column's or an assignment's name, squeezed, with "homework" said as "hw"."""
    from ..course.roster import _squeeze
    return _squeeze(text).replace("homework", "hw")


def _assignment_keys(title: str, name: str) -> set[str]:
    """What an LMS column of this assignment may be called: its title or name, or a part of
    the title naming a numbered piece of work ("Lab 3" of "Course 101, Lab 3: sorting";
    "HW 2" for "Homework 2")."""
    keys = {_short(title), _short(name)}
    for part in re.split(r"[,:;]|\s[-–—]\s", title):
        if re.search(r"[^\W\d_]", part) and re.search(r"\d", part) and not re.match(r"^\s*\d", part):
            keys.add(_short(part))
    keys.discard("")
    return keys


def fill_lms(target: LmsTarget, subs, max_score: float) -> tuple[bytes, dict]:
    """The export with this assignment's column filled for every student graded here (a shard
    fills its own students; anyone not in ``subs`` keeps their cell as it was).  Returns the
    file's bytes (same encoding, BOM, delimiter, quoting and line breaks as the original) and
    what was done, for the summary and results.json."""
    from ..course.roster import absent
    table, roster = target.roster.table, target.roster
    by_id = {s.id: s for s in roster.students}
    edits: dict[tuple[int, int], str] = {}
    append: dict[int, str] = {}
    info = {"kind": target.kind, "file": target.file_name, "source": str(roster.path), "column": target.header,
            "new_column": target.new_column, "filled": 0, "blank": 0, "locked": [], "scaled_to": None}
    scale = 1.0
    if target.kind == "canvas" and target.possible and max_score and abs(target.possible - max_score) > 1e-9:
        scale = target.possible / max_score
        info["scaled_to"] = target.possible
    comma = False
    for sub in subs:
        st = by_id.get(sub.student)
        if st is None or st.row < 0:
            continue  # graded under its own name: not on the LMS export
        rec = table.records[st.row]
        row_scale = scale
        if target.kind == "moodle":
            cell = lambda c: rec.values[c].strip() if 0 <= c < len(rec.values) else ""  # noqa: E731
            if target.locked_col >= 0 and cell(target.locked_col).casefold() in ("no", "nein", "non", "0"):
                info["locked"].append(sub.student)
                continue
            mx = cell(target.max_col)
            comma = "," in mx and "." not in mx
            lms_max = _maximum(target.roster, st.row, "Maximum grade", mx, decimal_comma=True)
            if lms_max and max_score and abs(lms_max - max_score) > 1e-9:
                row_scale = lms_max / max_score
                info["scaled_to"] = lms_max
        if getattr(sub, "excused", False):
            value = "EX" if target.kind == "canvas" else ""  # (Canvas's excused; Moodle: no grade)
            info["filled"] += 1
        elif absent(sub) and target.missing == "blank":
            value = ""
            info["blank"] += 1
        else:
            value = _lms_number(sub.score * row_scale, target.kind, comma)
            info["filled"] += 1
        if target.new_column:
            append[st.row] = value
        else:
            edits[(st.row, target.column)] = value
        if target.kind == "moodle" and target.feedback_col >= 0:
            edits[(st.row, target.feedback_col)] = feedback_line(sub)
    if target.new_column:  # every record gets the column (empty where there is nothing to say)
        for i, rec in enumerate(table.records):
            if i >= target.roster.header_row and rec.values:
                append.setdefault(i, "")
        append[target.roster.header_row] = target.header
        if target.points_row >= 0:
            append[target.points_row] = _lms_number(max_score, "canvas", False)
    return table.encode(table.render(edits, append)), info


def _lms_number(x: float, kind: str, comma: bool) -> str:
    x = round(float(x), 2)
    text = f"{x:.2f}" if kind == "moodle" else number(x)
    return text.replace(".", ",") if comma else text


def feedback_line(sub) -> str:
    """A one-line comment for the LMS: the score and what did not pass."""
    from ..course.roster import absent
    from ..text import one_line
    if getattr(sub, "excused", False):
        return "cnn-grader: excused"
    if absent(sub):
        return "cnn-grader: no submission"
    head = f"cnn-grader: {number(sub.score)}/{number(sub.max_score)}"
    if sub.late and sub.late_factor != 1:
        head += f" (late: x{number(sub.late_factor)})"
    if sub.error:
        return _cell(f"{head}; could not be graded: {one_line(sub.error)[:150]}")
    failed = [f"Q{q.id} {q.status}" for q in sub.questions if q.status != "passed"]
    return head + ("; every question passed" if not failed else "; not passed: " + ", ".join(failed)) \
        + "; see your report for details"


def write_lms(target: LmsTarget, subs, max_score: float, out: Path) -> dict:
    """``OUT/canvas-import.csv`` or ``OUT/moodle-import.csv``; returns what was done."""
    data, info = fill_lms(target, subs, max_score)
    (Path(out) / target.file_name).write_bytes(data)
    return info
