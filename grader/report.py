"""HTML reports: one page per student and the class overview, from Jinja2 templates.

Everything a student controls (names, messages, printed output, tracebacks) reaches the page
through Jinja2 with autoescaping on, and every text is cut to a bound so a page stays small.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from . import __version__
from .assignment import Assignment
from .results import GradingRun, SubmissionResult

TEXT_CAP = 8000  # characters of any one student-controlled text on a page


def templates_dir() -> Path:
    """``grader/templates`` when installed, the checkout's ``templates/`` when run from source."""
    here = Path(__file__).resolve().parent
    for cand in (here / "templates", here.parent / "templates"):
        if (cand / "report.html.j2").exists():
            return cand
    raise FileNotFoundError("cnn-grader's templates are missing; reinstall the package")


def environment():
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["num"] = fmt_num
    env.filters["cap"] = cap
    env.globals["grids"] = grids
    return env


def cap(text: Any, limit: int = TEXT_CAP) -> str:
    s = "" if text is None else str(text)
    return s if len(s) <= limit else s[:limit] + f"\n... [{len(s) - limit} more characters not shown]"


def fmt_num(x: Any) -> str:
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() and abs(x) < 1e9 else f"{x:.6g}"
    return str(x)


def grids(value: Any, mask: Any = None) -> list[dict]:
    """Lay an array out as the homework indexes it: 2-D grids, one per trailing index.

    (i, j) -> one grid; (i, j, k) -> a grid per channel k; (i, j, k, m) -> a grid per (k, m);
    vectors -> one row.  Cells are formatted numbers, with a flag where ``mask`` is True.
    """
    import numpy as np
    try:
        arr = np.asarray(value, dtype=object)
    except (ValueError, TypeError):
        return [{"caption": "", "rows": [[cap(value, 200)]], "flags": [[False]]}]
    if arr.size > 400:
        return [{"caption": f"array of shape {arr.shape} (too large to show)", "rows": [], "flags": []}]
    m = np.asarray(mask, dtype=bool) if mask is not None and np.shape(mask) == arr.shape else np.zeros(arr.shape, bool)
    fmt = np.vectorize(lambda v: fmt_num(v) if isinstance(v, (int, float)) else str(v), otypes=[object])
    if arr.ndim == 0:
        return [{"caption": "", "rows": [[fmt_num(arr.item())]], "flags": [[bool(m)]]}]
    if arr.ndim == 1:
        return [{"caption": "", "rows": [list(fmt(arr))], "flags": [list(m)]}]
    if arr.ndim == 2:
        return [{"caption": "", "rows": fmt(arr).tolist(), "flags": m.tolist()}]
    out = []
    for idx in np.ndindex(*arr.shape[2:]):
        cap_ = ", ".join(f"{n}={i + 1}" for n, i in zip(("k", "m", "n"), idx))
        sl = (slice(None), slice(None)) + idx
        out.append({"caption": cap_, "rows": fmt(arr[sl]).tolist(), "flags": m[sl].tolist()})
    return out


class Renderer:
    """Renders the pages of one grading run (templates compiled once)."""

    def __init__(self, assignment: Assignment, run: GradingRun | None = None):
        self.assignment, self.run = assignment, run
        self.env = environment()
        self.student_t = self.env.get_template("report.html.j2")
        self.index_t = self.env.get_template("index.html.j2")

    def student_html(self, sub: SubmissionResult, command: str = "") -> str:
        src = sub.source or f"{sub.student}.py"
        cmd = command or f"grader check {src} --seed {sub.seed}" + (f" --student {sub.student}" if Path(src).stem != sub.student else "")
        return self.student_t.render(sub=sub, assignment=self.assignment, version=__version__,
                                     command=cmd, created=self.run.created if self.run else "")

    def write_student(self, sub: SubmissionResult, path: Path) -> None:
        path.write_text(self.student_html(sub), encoding="utf-8")

    def write_index(self, subs: list[SubmissionResult], path: Path) -> None:
        path.write_text(self.index_html(subs), encoding="utf-8")

    def index_html(self, subs: list[SubmissionResult]) -> str:
        qids = [q.id for q in self.assignment.questions]
        stats = {qid: {"passed": 0, "n": 0} for qid in qids}
        for s in subs:
            for q in s.questions:
                if q.id in stats:
                    stats[q.id]["n"] += 1
                    stats[q.id]["passed"] += q.status == "passed"
        mx = self.assignment.max_score
        bins = [0] * 10
        for s in subs:
            bins[min(9, int(10 * s.score / mx)) if mx else 0] += 1
        return self.index_t.render(run=self.run, subs=subs, assignment=self.assignment, stats=stats,
                                   bins=bins, version=__version__,
                                   broken=[s for s in subs if s.error])
