"""Machine-readable outputs of a grading run: results.json and the gradebook CSV."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from typing import IO, Iterable

from . import results
from .results import GradingRun, one_line_json


def gradebook_csv(run: GradingRun) -> str:
    """One row a student, a column a question, then the total and any error."""
    buf = io.StringIO()
    write_gradebook(run.submissions, buf)
    return buf.getvalue()


def write_gradebook(subs: list, f: IO[str]) -> None:
    qids = [q.id for q in subs[0].questions] if subs else []
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["student", "source", *[f"Q{q}" for q in qids], "total", "max_score", "error"])
    for s in subs:
        w.writerow([_cell(s.student), _cell(s.source), *[_num(q.score) for q in s.questions],
                    _num(s.score), _num(s.max_score), _cell(s.error)])


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _cell(text: str) -> str:
    """Neutralize spreadsheet formulas in text that came from students (=, +, -, @ first)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_all(run: GradingRun, out: Path) -> None:
    """results.json and grades.csv of ``run``, both written as streams."""
    write_results(run, out)
    write_gradebook_file(run, out)


def write_results(run: GradingRun, out: Path, lines: Iterable[str] | None = None) -> list[tuple[int, int]]:
    """``OUT/results.json``.  ``lines``: the submissions as :func:`one_line_json` lines, in
    order (``grade`` spools them to disk as it goes); by default made from ``run.submissions``."""
    return results.write_results(out / "results.json", run,
                                 lines if lines is not None else map(one_line_json, run.submissions))


def write_gradebook_file(run: GradingRun, out: Path) -> None:
    with open(out / "grades.csv", "w", encoding="utf-8", newline="") as f:
        write_gradebook(run.submissions, f)
