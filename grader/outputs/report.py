"""HTML reports: one page per student and the class overview, from Jinja2 templates.

Everything a student controls (names, messages, printed output, tracebacks, returned arrays)
reaches the page through Jinja2 with autoescaping on, and is cut to a bound; a page that still
comes out larger than :data:`MAX_PAGE_BYTES` is rendered again with tighter bounds, so no
submission can make its report heavy.  Pages are self-contained: inline CSS, inline SVG, MathML
and a few lines of optional inline JavaScript; no URL is ever fetched.

The templates get view dictionaries built here (grids, heatmaps, failure causes, histogram
bars), so they stay declarative.
"""
from __future__ import annotations

import datetime as _dt
import math
import os
import re
import shlex
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from markupsafe import Markup, escape

from .. import __version__, settings
from ..assignment import Assignment
from ..results import GradingRun, QuestionResult, SubmissionResult
from ..text import number, printable, shape as shape_text

MAX_PAGE_BYTES = 1 << 20  # hard bound of any page
TEXT_CAP = 8000  # default bound of the ``cap`` and ``prose`` filters (pages pass a Limits field)


@dataclass(frozen=True)
class Limits:
    """How much of each student-controlled thing a page shows."""

    text: int = 3000  # printed output, error output, traceback (characters each)
    message: int = 1200  # verdicts, hints, error messages
    name: int = 120  # student names, sources
    grid: int = 400  # elements of one array laid out as grids
    tb_lines: int = 40  # traceback lines


TIGHT = Limits(text=600, message=200, name=60, grid=120, tb_lines=12)
MINIMAL = Limits(text=0, message=120, name=40, grid=0, tb_lines=0)

STATUS_MARK = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "T", "missing": "–"}
STATUS_WORD = {"passed": "passed", "failed": "failed", "error": "error", "timeout": "timed out",
               "missing": "missing"}


def templates_dir() -> Path:
    """``grader/templates``, beside the package's modules (installed or run from source)."""
    cand = Path(__file__).resolve().parent.parent / "templates"
    if (cand / "report.html.j2").exists():
        return cand
    raise FileNotFoundError("cnn-grader's templates are missing; reinstall the package")


def environment():
    import jinja2
    # Templates are read once per run (no reload checks) and their compiled code is cached:
    # compiling them costs a quarter of a second, as much as grading thirty students.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined, auto_reload=False,
                             bytecode_cache=_template_cache())
    env.filters["num"] = number
    env.filters["cap"] = cap
    env.filters["notation"] = notation
    env.filters["prose"] = prose
    env.filters["svg_notation"] = svg_notation
    env.filters["pct"] = lambda x: f"{100 * x:.0f}%"
    env.filters["reading_lines"] = _reading_lines
    env.globals["grids"] = grids
    env.globals["mark"] = STATUS_MARK
    env.globals["word"] = STATUS_WORD
    return env


def _template_cache():
    """Compiled templates under the user's cache folder (keyed by each template's source, so an
    edited template is compiled again); a cache that cannot be written is simply not used."""
    import jinja2
    from ..sandbox.launch import cache_dir

    class Cache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket):
            try:
                super().load_bytecode(bucket)
            except (OSError, ValueError, EOFError, TypeError):
                bucket.reset()  # unreadable or corrupt: compile it again

        def dump_bytecode(self, bucket):
            try:
                os.makedirs(self.directory, mode=0o700, exist_ok=True)
                super().dump_bytecode(bucket)
            except OSError:
                pass  # a read-only home: compile each run, as without a cache

    return Cache(str(cache_dir() / "templates"), "%s.jinja")


# --- text ----------------------------------------------------------------------------------

def _reading_lines(reading: Any, limit: int = TEXT_CAP) -> list[tuple[Markup | None, str]]:
    """A written answer's reading, line by line, each statement with its MathML (built from
    escaped pieces by :mod:`grader.feedback.echo`, so safe to insert) or None."""
    from ..feedback.echo import lines
    return [(Markup(m) if m else None, printable(t)) for m, t in lines(str(reading or ""), limit)]


def cap(text: Any, limit: int = TEXT_CAP) -> str:
    """``text`` cut to about ``limit`` characters, keeping its start and end around a marker.

    Cut first, then :func:`~grader.text.printable`: the time spent never depends on how much the student printed."""
    s = "" if text is None else str(text)
    if len(s) <= limit:
        return printable(s)
    if limit <= 0:
        return f"[{len(s)} characters not shown]"
    head, tail = (limit * 3) // 4, limit // 4
    return (f"{printable(s[:head])}\n… [{len(s) - head - tail} characters not shown] …\n"
            f"{printable(s[len(s) - tail:]) if tail else ''}")




_SUB = re.compile(r"_(\{[^{}]*\}|[A-Za-z0-9])")


def notation(name: Any) -> Markup:
    """``∂E/∂w_{1,2,1,o_2}`` as HTML with real subscripts (escaped first, so always safe)."""
    text = str(escape(printable(name)))

    def sub(m: re.Match) -> str:
        body = m.group(1)
        body = body[1:-1] if body.startswith("{") else body
        return f"<sub>{_SUB.sub(sub, body)}</sub>"

    return Markup(_SUB.sub(sub, text))


def svg_notation(name: Any) -> Markup:
    """:func:`notation` for SVG text: subscripts as lowered, smaller ``tspan``s."""
    html = str(notation(name))
    html = html.replace("<sub>", '<tspan dy="3" font-size="80%">').replace("</sub>", '</tspan><tspan dy="-3"> </tspan>')
    return Markup(html)


_PROSE_SUB = re.compile(r"(?<=[A-Za-z∂])_(\{[^{}]*\})|(?<![A-Za-z0-9_])([A-Za-z])_([A-Za-z0-9])(?![A-Za-z0-9_])")


def prose(text: Any, limit: int = TEXT_CAP) -> Markup:
    """Running text (a verdict, a hint), escaped and cut, with the homework's math subscripts
    (``y_{2,1,k}``, ``o_1``) typeset; identifiers such as ``grad_fc_weights`` stay as they are."""
    escaped = str(escape(cap(text, limit)))

    def sub(m: re.Match) -> str:
        if m.group(1) is not None:
            return str(notation("_" + m.group(1)))
        return f"{m.group(2)}<sub>{m.group(3)}</sub>"

    return Markup(_PROSE_SUB.sub(sub, escaped))


_INTERNAL_FRAME = re.compile(r'^\s*File "(?:[^"]*[/\\](?:grader|reference)[/\\][^"]*|<frozen [^>]*>|<string>)", line')


def trim_traceback(tb: str, limits: Limits) -> str:
    """The student's frames only (the grader's own are dropped), the last ``tb_lines`` of them."""
    if not tb or limits.tb_lines <= 0:
        return ""
    budget = 8 * limits.text + 4000
    if len(tb) > 2 * budget:  # a runaway traceback: its start and, above all, its end
        tb = tb[:budget] + "\n" + tb[len(tb) - budget:]
    out, skipping = [], False
    for line in printable(tb).splitlines():
        if line.lstrip().startswith('File "'):
            skipping = bool(_INTERNAL_FRAME.match(line))
            if not skipping:
                out.append(line)
        elif skipping and line.startswith("    "):
            continue  # source line of a skipped frame
        else:
            skipping = False
            out.append(line)
    if not any(line.lstrip().startswith('File "') for line in out):
        return ""  # nothing of the student's: the message above already says it all
    if len(out) > limits.tb_lines:
        keep = limits.tb_lines - 1
        out = out[:1] + [f"  … [{len(out) - keep - 1} lines not shown] …"] + out[len(out) - keep + 1:]
    text = "\n".join(out)
    if len(text) > limits.text:  # keep the end: that is where the error is
        text = f"… [{len(text) - limits.text} characters not shown] …\n" + text[len(text) - limits.text:]
    return text


# --- arrays --------------------------------------------------------------------------------

def _shape(value: Any, depth: int = 8) -> tuple[int, ...]:
    """Shape of nested lists, read from the first element of each level (() if not a list);
    cheap whatever the size, so nothing huge is ever converted."""
    shape = []
    while isinstance(value, (list, tuple)) and depth:
        shape.append(len(value))
        if not value:
            break
        value, depth = value[0], depth - 1
    return tuple(shape) if shape else ()


def _size(shape: tuple[int, ...]) -> int:
    return math.prod(shape) if shape else 1


def _array(value: Any, limit: int):
    """A small object ndarray of ``value``, or None when it is too large or not rectangular."""
    import numpy as np
    shape = _shape(value)
    if _size(shape) > limit:
        return None
    try:
        arr = np.array(value, dtype=object)
    except (ValueError, TypeError):
        return None
    return arr if arr.shape == shape and arr.size <= limit else None


def _index_names(extra: int) -> tuple[str, ...]:
    return ("k", "m", "n", "p", "q")[:extra]


def _slices(shape: tuple[int, ...], base: int = 1):
    """(caption, index prefix) of every 2-D slice, the homework's trailing indices as captions
    (counted from ``base``, the assignment's first index)."""
    import numpy as np
    if len(shape) <= 2:
        yield "", ()
        return
    names = _index_names(len(shape) - 2)
    for idx in np.ndindex(*shape[2:]):
        yield ", ".join(f"{n} = {i + base}" for n, i in zip(names, idx)), idx


def _cell_text(v: Any) -> str:
    return number(v) if isinstance(v, (int, float)) else printable(v)[:24]


def grids(value: Any, mask: Any = None, worst: Any = None, columns: list[str] | None = None,
          limit: int = 400, base: int = 1) -> dict:
    """Lay an array out as the homework indexes it: 2-D grids, one per trailing index.

    (i, j) -> one grid; (i, j, k) -> a grid per channel k; (i, j, k, m) -> a grid per (k, m);
    vectors -> one row (``columns`` may name its elements).  Rows and columns carry labels i
    and j counted from ``base`` (the assignment's first index: 1 for a homework written
    1-based, 0 for Python's).  Cells flagged by ``mask`` are marked wrong, ``worst`` (an index) as worst.
    Returns ``{"shape", "note", "grids": [{"caption", "cols", "rows": [{"label", "cells"}]}]}``.
    """
    shape = _shape(value)
    view = {"shape": shape_text(shape or ()),
            "note": "", "grids": [], "scalar": None}
    if not isinstance(value, (list, tuple)):
        view["scalar"] = _cell_text(value) if value is not None else "None"
        return view
    arr = _array(value, limit)
    if arr is None:
        view["note"] = (f"an array of shape {view['shape']}: too large to lay out here" if shape
                        and _size(shape) > limit else "not a rectangular array of numbers")
        return view
    m = _array(mask, limit) if mask is not None else None
    if m is not None and m.shape != arr.shape:
        m = None
    worst_t = tuple(worst) if worst is not None and len(worst) == arr.ndim else None
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
        m = m.reshape(1, -1) if m is not None else None
        worst_t = (0, worst_t[0]) if worst_t else None
        vector = True
    else:
        vector = False
    for caption, idx in _slices(arr.shape, base):
        sl = (slice(None), slice(None)) + idx
        a2 = arr[sl]
        m2 = m[sl] if m is not None else None
        cols = columns if vector and columns and len(columns) == a2.shape[1] else [str(j + base) for j in range(a2.shape[1])]
        rows = []
        for i in range(a2.shape[0]):
            cells = []
            for j in range(a2.shape[1]):
                full = (i, j) + idx
                cells.append({"text": _cell_text(a2[i, j]), "bad": bool(m2[i, j]) if m2 is not None else False,
                              "worst": worst_t is not None and full == worst_t})
            rows.append({"label": "" if vector else str(i + base), "cells": cells})
        view["grids"].append({"caption": caption, "cols": cols, "rows": rows, "vector": vector})
    return view


def _to_float(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def heatmap(expected: Any, got: Any, mask: Any, worst: Any, namer: Callable[[tuple], str],
            limit: int = 400, base: int = 1) -> dict | None:
    """|yours − expected| per element as SVG panels (one per 2-D slice), or None if not comparable."""
    import numpy as np
    e, g = _array(expected, limit), _array(got, limit)
    if e is None or g is None or e.shape != g.shape or e.size == 0 or e.ndim == 0:
        return None  # (a number: the values side by side say it all, no map of differences)
    fe = np.vectorize(_to_float, otypes=[float])(e)
    fg = np.vectorize(_to_float, otypes=[float])(g)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(fg - fe)
    finite = np.isfinite(diff)
    top = float(diff[finite].max()) if finite.any() else 0.0
    m = _array(mask, limit) if mask is not None else None
    wrong = m.astype(bool) if m is not None and m.shape == e.shape else ~finite
    worst_t = tuple(worst) if worst is not None and len(worst) == e.ndim else None
    shape = e.shape if e.ndim >= 2 else (1,) + e.shape
    diff2, wrong2, fin2 = (a.reshape(shape) for a in (diff, wrong, finite))
    cell, pad = 30, 18
    panels = []
    for caption, idx in _slices(shape, base):
        sl = (slice(None), slice(None)) + idx
        d, wr, fi = diff2[sl], wrong2[sl], fin2[sl]
        rows, cols = d.shape
        cells = []
        for i in range(rows):
            for j in range(cols):
                full = ((i, j) + idx) if e.ndim >= 2 else (j,)
                level = 1.0 if not fi[i, j] else (d[i, j] / top if top > 0 else 0.0)
                name = _safe_name(namer, full, base)
                value = number(float(d[i, j])) if fi[i, j] else "NaN or infinity"
                cells.append({"x": pad + j * cell, "y": pad + i * cell, "fill": _ramp(level),
                              "dark": level > 0.55, "wrong": bool(wr[i, j]),
                              "worst": worst_t is not None and full == worst_t,
                              "title": f"{name}: |difference| {value}" + (" (outside tolerance)" if wr[i, j] else "")})
        panels.append({"caption": caption, "cells": cells, "cell": cell, "pad": pad,
                       "width": pad + cols * cell + 2, "height": pad + rows * cell + 2,
                       "cols": [_safe_name(namer, (j,), base) if e.ndim == 1 else str(j + base) for j in range(cols)],
                       "rows": [str(i + base) for i in range(rows)] if e.ndim >= 2 else [""]})
    return {"panels": panels, "top": number(top), "wrong": int(wrong.sum()), "size": int(e.size)}


def _ramp(level: float) -> str:
    """White (no difference) to deep red (the largest), perceptually even enough for a glance."""
    level = min(1.0, max(0.0, level)) ** 0.6
    lo, hi = (255, 255, 255), (165, 15, 21)
    return "#" + "".join(f"{round(a + (b - a) * level):02x}" for a, b in zip(lo, hi))


def _safe_name(namer: Callable[[tuple], str] | None, idx: tuple, base: int = 1) -> str:
    plain = "[" + ",".join(str(i + base) for i in idx) + "]"
    try:
        return str(namer(tuple(int(i) for i in idx))) if namer else plain
    except Exception:  # noqa: BLE001 - a namer for another shape
        return plain


# --- failure causes for the dashboard ------------------------------------------------------

_TRIAL_SUFFIX = re.compile(r"\s+on trial \d+( of \d+)?( \(.*\))?$")


def cause_of(q: QuestionResult, names: dict[str, str]) -> tuple[str, str]:
    """(key, label) grouping a non-passed question with others that went wrong the same way.

    A diagnosed misconception wins; otherwise the status and the message's first clause, with
    the parts that differ between students (element, values, trial) taken out.
    """
    if q.misconceptions:
        ids = sorted(q.misconceptions)
        return "m:" + ",".join(ids), "; ".join(names.get(i, i) for i in ids)
    msg = _TRIAL_SUFFIX.sub("", printable(q.message).strip().splitlines()[0] if q.message.strip() else "")
    f = q.failure
    worst = f.worst if f is not None else getattr(q, "worst", "")  # (a QuestionSummary keeps only that)
    if worst and msg.startswith(worst + " is "):
        msg = "returned NaN or infinity" if "NaN or infinity" in msg else "wrong values"
    elif q.status == "timeout":
        msg = "did not finish in time"
    elif q.status == "missing":
        msg = "not written" if "not written" in msg else "function missing"
    else:
        msg = re.sub(r"\b\d+\.\d+(e[-+]?\d+)?\b", "#", msg)
        msg = re.split(r"[;:]\s", msg, maxsplit=2)
        msg = ": ".join(msg[:2]) if len(msg) > 1 and msg[0].endswith(("Error", "Exception")) else msg[0]
    msg = msg[:100]
    return f"s:{q.status}:{msg}", f"{STATUS_WORD.get(q.status, q.status)}: {msg}"


# --- rendering -----------------------------------------------------------------------------

class Renderer:
    """Renders the pages of one grading run (templates compiled once).

    ``reveal`` (default: the run's own ``reveal``, else False) adds the correct formula of each
    failing example's worst element: the answer key, for reports handed back after the deadline.
    Without it no page shows a formula of a correct answer.  ``notice``: a self-check against
    the public cases says on top of the page that its score is not the grade."""

    def __init__(self, assignment: Assignment, run: GradingRun | None = None, reveal: bool | None = None,
                 notice: str = "", timeout: float | None = None):
        self.assignment, self.run, self.notice = assignment, run, notice
        policy = getattr(run, "policy", None) if run is not None else None
        self.timeout = timeout if timeout is not None else (policy or {}).get("timeout")
        self.reveal = bool(getattr(run, "reveal", False)) if reveal is None else bool(reveal)
        self.env = environment()
        self.student_t = self.env.get_template("report.html.j2")
        self.question_t = self.env.get_template("question.html.j2")
        self.index_t = self.env.get_template("index.html.j2")
        self.row_t = self.env.get_template("index_row.html.j2")
        self._names = {m.id: m.name for q in assignment.questions for m in getattr(q, "mistakes", ()) or ()}
        self.specs = {q.id: q for q in assignment.questions}
        self._passed: dict[tuple, Markup] = {}  # a plain "passed" section reads the same for everyone
        ids = getattr(run, "roster_ids", None) if run is not None else None
        self._roster = frozenset(ids) if ids else None  # graded with a --roster: its ids

    def unmatched(self, sub: SubmissionResult) -> bool:
        """An entry graded under its own name: it matched nobody on the roster."""
        from ..course.roster import absent
        return self._roster is not None and not absent(sub) and sub.student not in self._roster

    # -- student page ---------------------------------------------------------------------
    @staticmethod
    def import_advice(sub: SubmissionResult) -> str:
        """What to do about a file that did not import (running it yourself helps only when
        your machine would fail the same way)."""
        error = sub.error or ""
        if error.startswith(("ModuleNotFoundError", "ImportError")):
            from ..sandbox._imports import PROVIDES
            return (f"The grader provides {PROVIDES} only, so this import fails here even if it works "
                    "on your machine: remove it, or guard it with try/except ImportError.")
        if error.startswith("MemoryError") or "did not finish" in error or "process ended" in error:
            return ("Python imported your file but its top-level code did not complete here: code that "
                    "tests or plots belongs under if __name__ == \"__main__\": (or in a function).")
        if not sub.traceback:  # the file could not even be prepared (an archive, a name): the message says why
            return ""
        return (f"Python could not import your file, so none of its functions could be called. "
                f"Run python {sub.source} yourself to see the same error.")

    def student_html(self, sub: SubmissionResult, command: str = "") -> str:
        from ..course.roster import absent
        cmd = "" if absent(sub) else (command or self.command(sub))  # nothing to reproduce
        created = self.run.created if self.run else _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        for limits in (Limits(), TIGHT, MINIMAL):
            html = self.student_t.render(
                sub=sub, assignment=self.assignment, version=__version__, command=cmd, created=created,
                absent=absent(sub),
                limits=limits, sections=[self.section(q, limits) for q in sub.questions], reveal=self.reveal,
                notice=self.notice,
                summary=Counter(q.status for q in sub.questions), advice=self.import_advice(sub),
                traceback=trim_traceback(sub.traceback, limits))
            if len(html.encode("utf-8")) <= MAX_PAGE_BYTES:
                break
        return html

    def section(self, q: QuestionResult, limits: Limits) -> Markup:
        """One question's section of a student page.  A question passed without printing,
        hints or notes has a section that depends on its public facts only: rendered once."""
        key = None
        if q.status == "passed" and not (q.stdout or q.stderr or q.traceback or q.failure or q.hints
                                         or q.misconceptions or q.notes):
            key = (limits, q.id, q.title, q.function, q.message, q.trials, q.tolerance, q.score, q.max_score,
                   tuple(q.returned), q.reading)
            html = self._passed.get(key)
            if html is not None:
                return html
        html = Markup(self.question_t.render(v=self.question_view(q, limits), limits=limits))
        if key is not None and len(self._passed) < 1024:  # (a bound: keys hold each question's message)
            self._passed[key] = html
        return html

    def command(self, sub: SubmissionResult) -> str:
        src = sub.source or f"{sub.student}.py"
        parts = ["grader", "check", src]
        if not self.notice:  # (the student edition's public cases have no seed)
            parts += ["--seed", str(sub.seed)]
        if Path(src).stem != sub.student:
            parts += ["--student", sub.student]
        if self.timeout is not None and float(self.timeout) != settings.DEFAULT_TIMEOUT:
            parts += ["--timeout", number(float(self.timeout))]
        parts += self.assignment.points_options()
        return shlex.join(parts) + self.assignment.check_options

    def hints(self, q: QuestionResult) -> list[dict]:
        """The misconceptions diagnosed for ``q``: its own ``hints`` if it carries them, else the
        question spec's ``mistakes`` looked up by id."""
        out = []
        for h in getattr(q, "hints", None) or []:
            get = h.get if isinstance(h, dict) else (lambda k, _h=h: getattr(_h, k, ""))
            out.append({k: printable(get(k) or "") for k in ("id", "name", "explanation", "hint")})
        if out:
            return out
        spec = self.specs.get(q.id)
        known = {m.id: m for m in getattr(spec, "mistakes", ()) or ()}
        for mid in q.misconceptions or []:
            m = known.get(mid)
            out.append({"id": printable(mid), "name": printable(m.name if m else mid),
                        "explanation": printable(m.explanation if m else ""), "hint": printable(m.hint if m else "")})
        return out

    def question_view(self, q: QuestionResult, limits: Limits) -> dict:
        spec = self.specs.get(q.id)
        namer = getattr(spec, "element", None)
        view: dict[str, Any] = {
            "q": q, "anchor": "q" + re.sub(r"[^A-Za-z0-9_-]", "-", str(q.id)),
            "hints": self.hints(q)[:5], "traceback": trim_traceback(q.traceback, limits),
            "returns": getattr(spec, "returns", ""), "failure": None, "call": None,
            "written": self.assignment.kind == "written",
        }
        f = q.failure
        message = _without_explanations(q.message, view["hints"])
        view["message"] = prose(message, limits.message) if not (view["written"] and q.status == "error") \
            else Markup(escape(cap(q.message, limits.message)))  # (the student's own source, as written)
        view["notes"] = [prose(n, limits.message) for n in (getattr(q, "notes", None) or [])[:6]
                         if n and str(n) not in q.message]  # the first is usually the message itself
        if f is None:
            return view
        base = self.assignment.index_base
        if f.expected is None and q.status != "failed":  # an error or a timeout: the call's inputs
            view["call"] = {"f": f, "inputs": [{"name": printable(str(n))[:40], "view": grids(v, limit=limits.grid, base=base)}
                                               for n, v in list((f.inputs or {}).items())[:8]]}
            return view
        columns = None
        eshape = _shape(f.expected)
        if namer is not None and eshape and len(eshape) == 1 and eshape[0] <= 16:
            columns = [_safe_name(namer, (j,), base) for j in range(eshape[0])]
        worst = list(f.worst_index) if f.worst_index else None
        inputs = [{"name": printable(str(n))[:40], "view": grids(v, limit=limits.grid, base=base)}
                  for n, v in list((f.inputs or {}).items())[:8]]
        expected = grids(f.expected, f.wrong_mask, worst, columns, limit=limits.grid, base=base)
        got = grids(f.got, f.wrong_mask, worst, columns, limit=limits.grid, base=base) if f.got is not None else None
        same = got is not None and expected["shape"] == got["shape"] and len(expected["grids"]) == len(got["grids"])
        formula = ""
        if self.reveal and worst is not None and limits.grid > 0:  # the key: only when asked for
            from ..feedback.formula import formula_mathml
            formula = formula_mathml(self.assignment.name, str(q.id), tuple(worst))
        diff = None
        if worst is not None or f.wrong:
            diff = heatmap(f.expected, f.got, f.wrong_mask, worst, namer, limit=limits.grid, base=base) if limits.grid else None
        view["failure"] = {
            "f": f, "inputs": inputs, "expected": expected, "got": got,
            "pairs": list(zip(expected["grids"], got["grids"])) if same else None,
            "heatmap": diff, "formula": Markup(formula) if formula else "",
            "difference": number(abs(f.got_value - f.expected_value))
            if f.got_value is not None and f.expected_value is not None else "",
        }
        return view

    def write_student(self, sub: SubmissionResult, path: Path) -> None:
        Path(path).write_text(self.student_html(sub), encoding="utf-8")

    # -- class overview -------------------------------------------------------------------
    # A worker renders each student's row (at both bounds) and the few facts the dashboard's
    # summary needs of it (:meth:`index_entry`); the coordinator then only pastes rows in order.
    # Without them (merge, a results.json read back) both are made here from the results.
    def index_rows(self, sub: SubmissionResult) -> tuple[str, str]:
        """The student's row of the dashboard's table: at the usual bounds, and the tight ones
        (used when the whole page would pass :data:`MAX_PAGE_BYTES`)."""
        return self._row(sub, Limits()), self._row(sub, TIGHT)

    def _row(self, sub: SubmissionResult, limits: Limits) -> str:
        from ..course.roster import absent
        return self.row_t.render(s=sub, absent=absent(sub), unmatched=self.unmatched(sub), limits=limits).strip()

    def index_entry(self, sub: SubmissionResult) -> dict:
        """What the dashboard's summary needs of one student, as plain JSON: score, link, each
        question's status, and the cause of each that went wrong (grouped with others')."""
        from ..course.roster import absent
        link = [sub.student, sub.report, sub.error, sub.name, sub.email, bool(sub.late)]
        if absent(sub):  # on the roster, nothing submitted: not a file that failed
            return {"score": sub.score, "link": link, "absent": True}
        questions = [[q.id, q.status, *(cause_of(q, self._names) if q.status != "passed" and not sub.error
                                        else ("", ""))] for q in sub.questions]
        return {"score": sub.score, "link": link, "broken": bool(sub.error), "questions": questions,
                "unmatched": self.unmatched(sub)}

    def write_index(self, subs, path: Path, rows=None, entries=None) -> None:
        """The dashboard, streamed to ``path`` (a class of thousands is never one string).
        ``rows(tight)`` and ``entries``: each student's row and :meth:`index_entry`, in order,
        as the workers made them; by default made here from ``subs``."""
        context = self._index_context(entries if entries is not None else map(self.index_entry, subs))
        for limits in (Limits(), TIGHT):  # the page grows with the class, each line is bounded
            size = 0
            tight = limits is TIGHT
            with open(path, "w", encoding="utf-8") as f:
                for chunk in self.index_t.generate(**context, rows=self._rows(subs, rows, tight), limits=limits):
                    f.write(chunk)
                    size += len(chunk.encode("utf-8"))
                    if size > MAX_PAGE_BYTES and not tight:
                        break  # too large: the rest of this attempt would be thrown away
            if size <= MAX_PAGE_BYTES:
                break

    def index_html(self, subs: list[SubmissionResult]) -> str:
        context = self._index_context(map(self.index_entry, subs))
        html = ""
        for limits in (Limits(), TIGHT):
            html = self.index_t.render(**context, rows=self._rows(subs, None, limits is TIGHT), limits=limits)
            if len(html.encode("utf-8")) <= MAX_PAGE_BYTES:
                break
        return html

    def _rows(self, subs, rows, tight: bool):
        if rows is not None:
            return map(Markup, rows(tight))
        return (Markup(self._row(s, TIGHT if tight else Limits())) for s in subs)

    def _index_context(self, entries) -> dict:
        """Everything the dashboard shows but the table, in one pass over the students'
        :meth:`index_entry` (a large class is read back from disk: each pass costs a read)."""
        questions = [{"id": q.id, "function": q.function, "title": q.title, "points": q.points}
                     for q in self.assignment.questions]
        qids = [q["id"] for q in questions]
        stats = {qid: Counter() for qid in qids}
        groups: dict[str, dict[str, dict]] = {qid: {} for qid in qids}
        mx = self.assignment.max_score
        scores, broken, missing, full, unmatched = [], [], [], 0, 0
        for e in entries:
            scores.append(e["score"])
            full += bool(mx and e["score"] >= mx)
            link = _Link(*e["link"])
            if e.get("absent"):
                missing.append(link)
                continue
            unmatched += bool(e.get("unmatched"))
            if e["broken"]:
                broken.append(link)
            for qid, status, key, label in e["questions"]:
                if qid not in stats:
                    continue
                stats[qid][status] += 1
                stats[qid]["n"] += 1
                if status != "passed" and not e["broken"]:
                    g = groups[qid].setdefault(key, {"label": label, "count": 0, "students": []})
                    g["count"] += 1
                    if len(g["students"]) < 6:
                        g["students"].append(link)
        causes = {qid: sorted(g.values(), key=lambda c: (-c["count"], c["label"]))[:5] for qid, g in groups.items()}
        rate = [{"id": q["id"], "function": q["function"], "n": stats[q["id"]]["n"],
                 "passed": stats[q["id"]]["passed"], "counts": stats[q["id"]],
                 "rate": stats[q["id"]]["passed"] / stats[q["id"]]["n"] if stats[q["id"]]["n"] else 0.0}
                for q in questions]
        ordered = sorted(scores)
        summary = {
            "n": len(scores), "max": mx,
            "mean": sum(scores) / len(scores) if scores else 0.0,
            "median": (ordered[(len(ordered) - 1) // 2] + ordered[len(ordered) // 2]) / 2 if ordered else 0.0,
            "full": full, "broken": len(broken), "absent": len(missing),
            "submitted": len(scores) - len(missing), "unmatched": unmatched,
        }
        from ..intake.discover import claim_rule
        return dict(run=self.run, assignment=self.assignment, questions=questions, rate=rate, reveal=self.reveal,
                    causes=causes, hist=histogram(scores, mx), summary=summary,
                    version=__version__, broken=broken, absent=missing,
                    claim_rule=claim_rule(self.assignment.kind == "written"))


def _without_explanations(message: str, hints: list[dict]) -> str:
    """``message`` without the misconceptions' explanations it quotes (their first sentence):
    the page shows each in full just below it, and said it twice."""
    for h in hints:
        first = str(h.get("explanation") or "").split(". ")[0].rstrip(".")
        if first and f" {first}." in message:
            message = message.replace(f" {first}.", "", 1)
    return message




class _Link:
    """What the dashboard's lists need of a student (not the whole result)."""
    __slots__ = ("student", "report", "error", "name", "email", "late")

    def __init__(self, student, report, error, name, email, late):
        self.student, self.report, self.error = student, report, error
        self.name, self.email, self.late = name, email, late


def histogram(scores: list[float], mx: float) -> dict:
    """Bins of the score distribution: one per point when scores are whole and few, else ten."""
    whole = mx and float(mx).is_integer() and mx <= 40 and all(float(s).is_integer() for s in scores)
    if whole:
        edges = [(float(v), float(v)) for v in range(int(mx) + 1)]
        labels = [str(v) for v in range(int(mx) + 1)]
    else:
        width = (mx or 1) / 10
        edges = [(i * width, (i + 1) * width) for i in range(10)]
        labels = [f"{number(round(a, 2))}–{number(round(b, 2))}" for a, b in edges]
    counts = [0] * len(edges)
    for s in scores:
        if whole:
            i = int(min(max(s, 0), mx))
        else:
            i = min(len(edges) - 1, max(0, int(s / ((mx or 1) / 10))))
        counts[i] += 1
    top = max(counts) if counts else 0
    return {"bins": [{"label": lab, "count": c} for lab, c in zip(labels, counts)], "top": top,
            "whole": bool(whole)}
