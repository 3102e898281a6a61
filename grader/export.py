"""Machine-readable outputs of a grading run: results.json and the gradebook CSV."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from .results import GradingRun, dumps


def gradebook_csv(run: GradingRun) -> str:
    """One row a student, a column a question, then the total and any error."""
    qids = [q.id for q in run.submissions[0].questions] if run.submissions else []
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "source", *[f"Q{q}" for q in qids], "total", "max_score", "error"])
    for s in run.submissions:
        w.writerow([_cell(s.student), _cell(s.source), *[_num(q.score) for q in s.questions],
                    _num(s.score), _num(s.max_score), _cell(s.error)])
    return buf.getvalue()


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _cell(text: str) -> str:
    """Neutralize spreadsheet formulas in text that came from students (=, +, -, @ first)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_all(run: GradingRun, out: Path) -> None:
    (out / "results.json").write_text(dumps(run) + "\n", encoding="utf-8")
    (out / "grades.csv").write_text(gradebook_csv(run), encoding="utf-8")
