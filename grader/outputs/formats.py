"""Outputs for the tools courses use: JUnit XML (any CI), Gradescope's results.json, and a
GitHub Actions job summary (Markdown).

All three are pure functions of the one results shape (:mod:`grader.results`), so they work
the same for ``grade``, ``check`` and ``merge``.  Everything a student controls (ids, messages,
printed output, tracebacks) is cleaned of characters the target format cannot hold and cut
to a bound, so a hostile submission cannot break the XML, the JSON or the Markdown table.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Callable, Iterable, Mapping

from .atomic import append_text, remove_stale_temps, write_many, write_text
from .outdir import JUNIT_MARK, check_report, earlier_report
from ..errors import MachineError, UsageError
from ..results import QuestionResult, SubmissionResult
from ..text import number, printable, student_file_name

TEXT_CAP = 8000  # characters of any one student-controlled text in an output
SUMMARY_ROWS = 300  # students listed in a job summary (GitHub caps a summary at 1 MiB)


def clean(text, limit: int = TEXT_CAP) -> str:
    """Text for XML, JSON and Markdown: :func:`grader.text.printable` with nothing left where it
    removes a character (XML 1.0 cannot hold one even escaped; C1 controls are junk in a
    report), CRLF as LF, cut to ``limit``."""
    s = printable("" if text is None else str(text).replace("\r\n", "\n"), mark="")
    if len(s) > limit:
        s = s[:limit] + f"\n... [{len(s) - limit} more characters not shown]"
    return s


def _label(q: QuestionResult) -> str:
    return f"Q{q.id} {q.function}"


Formula = Callable[[QuestionResult], str]  # --reveal: the correct formula of a failing example


def question_details(q: QuestionResult, limit: int = TEXT_CAP, formula: Formula | None = None) -> str:
    """A plain-text account of one question: verdict, first failing trial, traceback, output.

    The expected *numbers* of the failing example are shown; a correct formula only when
    ``formula`` is given (``--reveal``: answers released)."""
    lines = [f"{q.status}: {q.message}" if q.message else q.status,
             f"score {number(q.score)}/{number(q.max_score)}"]
    f = q.failure
    if f is not None and q.status == "failed":
        lines.append(f"first failing trial: {f.trial + 1} ({f.label})")
        if f.worst and f.expected_value is not None:
            got = "NaN/inf" if f.got_value is None else number(f.got_value)
            lines.append(f"worst element {f.worst}: expected {number(f.expected_value)}, got {got}"
                         + (f" ({f.wrong} of {f.elements} elements wrong)" if f.elements and f.elements > 1 else ""))
        key = formula(q) if formula is not None else ""
        if key:
            lines.append(f"correct formula (answers released): {key}")
    if q.tolerance:
        lines.append(f"tolerance: {q.tolerance}")
    for h in getattr(q, "hints", None) or []:
        if isinstance(h, dict) and h.get("hint"):
            lines.append(f"hint: {h['hint']}")
    if q.traceback:
        lines += ["", q.traceback.rstrip()]
    if q.stdout:
        lines += ["", "printed:", q.stdout.rstrip()]
    if q.stderr:
        lines += ["", "stderr:", q.stderr.rstrip()]
    return clean("\n".join(lines), limit)


# --- JUnit XML ------------------------------------------------------------------------------

def junit_xml(subs: Iterable[SubmissionResult], assignment_title: str = "", formula: Formula | None = None) -> str:
    """JUnit XML: a ``<testsuite>`` per student, a ``<testcase>`` per question.

    ``passed`` -> an empty testcase; ``failed`` -> ``<failure type="failed">``; ``error`` and
    ``timeout`` -> ``<error type=...>``; ``missing`` (function not written) ->
    ``<failure type="missing">``.  Missing is a failure, not ``<skipped>``: the question scores
    0, and CI UIs (GitHub test reporters, GitLab, Jenkins) show skipped tests as neutral and
    leave them out of the failure count, which would hide lost points.  The ``type`` and the
    message still tell "not written yet" apart from "wrong".
    A submission that could not be imported gives an ``<error>`` on every question and its
    reason in the suite's ``<system-err>``.  What a student printed goes in ``<system-out>`` /
    ``<system-err>`` of its question (passed ones too) or, while importing, of the suite.
    Elements and attributes follow the Jenkins/Surefire JUnit schema GitLab and Jenkins read.
    """
    import xml.etree.ElementTree as ET  # (here: only --junit needs it)
    subs = list(subs)
    root = ET.Element("testsuites", name=clean(assignment_title or "cnn-grader", 500))
    totals = {"tests": 0, "failures": 0, "errors": 0, "time": 0.0}
    for s in subs:
        counts = {"tests": len(s.questions), "failures": 0, "errors": 0}
        suite = ET.SubElement(root, "testsuite", name=clean(s.student, 500))
        props = ET.SubElement(suite, "properties")
        for k, v in (("score", number(s.score)), ("max_score", number(s.max_score)), ("source", s.source),
                     ("seed", str(s.seed)), ("isolation", s.isolation), ("digest", s.digest)):
            ET.SubElement(props, "property", name=k, value=clean(v, 500))
        for q in s.questions:
            case = ET.SubElement(suite, "testcase", name=clean(_label(q), 500), classname=clean(s.student, 500),
                                 time=f"{_finite(q.seconds):.3f}")
            if q.status != "passed":
                if q.status in ("error", "timeout"):
                    counts["errors"] += 1
                    tag = "error"
                else:  # failed, missing, or anything unknown: the points are lost
                    counts["failures"] += 1
                    tag = "failure"
                el = ET.SubElement(case, tag, message=clean(q.message or q.status, 1000), type=q.status)
                el.text = question_details(q, formula=formula)
            # The schema's order: error/failure, then system-out, then system-err; a passed
            # question keeps what the student printed too.
            if q.stdout:
                ET.SubElement(case, "system-out").text = clean(q.stdout)
            if q.stderr:
                ET.SubElement(case, "system-err").text = clean(q.stderr)
        if s.stdout:
            ET.SubElement(suite, "system-out").text = clean(s.stdout)
        if s.error or s.stderr:
            err = ET.SubElement(suite, "system-err")
            err.text = clean("\n".join(t for t in (f"could not be graded: {s.error}\n{s.traceback}".rstrip()
                                                     if s.error else "", s.stderr.rstrip()) if t))
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", str(counts["errors"]))
        suite.set("skipped", "0")
        suite.set("time", f"{_finite(s.seconds):.3f}")
        for k in counts:
            totals[k] += counts[k]
        totals["time"] += _finite(s.seconds)
    for k in ("tests", "failures", "errors"):  # (the schema has no ``skipped`` here)
        root.set(k, str(totals[k]))
    root.set("time", f"{totals['time']:.3f}")
    ET.indent(root, space=" ")
    # (the mark lets a later run tell this file from one of the user's: see outdir.earlier_report)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + JUNIT_MARK + "\n" + ET.tostring(root, encoding="unicode") + "\n"


def _finite(x) -> float:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return 0.0
    return x if math.isfinite(x) else 0.0


# --- Gradescope -----------------------------------------------------------------------------

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def gradescope_json(sub: SubmissionResult, visibility: str = "visible", note: str = "",
                    formula: Formula | None = None) -> dict:
    """The Gradescope autograder ``results.json`` for one submission.

    Follows https://gradescope-autograders.readthedocs.io/en/latest/specs/ : top-level
    ``score``, ``execution_time``, ``output``, ``visibility``, ``stdout_visibility`` and
    ``tests[]`` with ``name``, ``number``, ``score``, ``max_score``, ``status``
    (``passed``/``failed``), ``output``, ``tags`` and ``visibility``.  Every output format is
    set to ``text`` explicitly: the top-level default is ``simple_format`` (HTML), and a
    student's printed output must never be rendered as HTML.
    """
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility {visibility!r}: choose one of {', '.join(VISIBILITIES)}")
    head = [f"{sub.student}: {number(sub.score)}/{number(sub.max_score)} points"]
    if note:
        head.append(note)
    if sub.error:
        head.append(f"Your file could not be graded: {sub.error}")
        if sub.traceback:
            head.append(sub.traceback.rstrip())
    failed = [q for q in sub.questions if q.status != "passed"]
    if not sub.error:
        head.append("Every question passed." if not failed else
                    "Not passed: " + ", ".join(f"Q{q.id} ({q.status})" for q in failed))
    if sub.stdout:
        head += ["", "Printed while importing your file:", sub.stdout.rstrip()]
    tests = []
    for q in sub.questions:
        tests.append({
            "name": clean(f"Q{q.id} {q.function}: {q.title}", 300),
            "number": q.id,
            "score": _finite(q.score),
            "max_score": _finite(q.max_score),
            "status": "passed" if q.status == "passed" else "failed",
            "output": question_details(q, formula=formula),
            "output_format": "text",
            "tags": [q.status],
            "visibility": visibility,
        })
    return {
        "score": _finite(sub.score),
        "execution_time": round(_finite(sub.seconds), 3),
        "output": clean("\n".join(head), 2 * TEXT_CAP),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": visibility,
        "stdout_visibility": "hidden",  # the autograder's own log: for instructors
        "extra_data": {"student": clean(sub.student, 500), "source": clean(sub.source, 500), "seed": sub.seed,
                       "digest": sub.digest, "isolation": sub.isolation},
        "tests": tests,
    }


def gradescope_dumps(sub: SubmissionResult, **kw) -> str:
    return json.dumps(gradescope_json(sub, **kw), ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def _outs(out: Path | None) -> tuple[Path, ...]:
    return () if out is None else (Path(out),)


def write_gradescope(sub: SubmissionResult, path: Path, out: Path | None = None, **kw) -> Path:
    """``check --gradescope PATH``: one results.json (parent folders created).  ``out``: the
    run's own OUT, where a file of the user's name may be written (see ``check_report``)."""
    path = Path(path)
    check_report(path, "--gradescope", "gradescope", outs=_outs(out))  # (a folder, or a file of the user's: refused)
    return write_text(path, gradescope_dumps(sub, **kw))


def write_gradescope_dir(subs: Iterable[SubmissionResult], folder: Path, out: Path | None = None,
                         **kw) -> list[Path]:
    """``grade --gradescope DIR``: one ``<student>.json`` per student under DIR (``out``: as
    for :func:`write_gradescope`)."""
    folder = Path(folder)
    check_report(folder, "--gradescope", "gradescope-dir", outs=_outs(out))
    subs = list(subs)
    used: set[str] = set()
    paths = [folder / student_file_name(s.student, used, ".json") for s in subs]
    theirs = next((p for p in paths if (p.exists() or p.is_symlink()) and not earlier_report(p, "gradescope")), None)
    if theirs is not None:  # before anything is written: a file of the user's is never replaced
        raise UsageError(f"--gradescope {folder}: {theirs} already exists and is not a Gradescope results file "
                         "written by cnn-grader; choose another folder (or move that file away: it is never overwritten)")
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(folder / "x", any_name=True)  # what killed runs left in DIR
    # all or none: every file is written under a temporary name before any is renamed in
    return write_many((p, gradescope_dumps(s, **kw)) for p, s in zip(paths, subs))


# --- GitHub Actions job summary -------------------------------------------------------------

MARK = {"passed": "✅", "failed": "❌", "error": "💥", "timeout": "⏱️", "missing": "➖"}


def _md(text, limit: int = 200) -> str:
    """Text safe inside a Markdown table cell: one line, no HTML, pipes and backticks escaped."""
    s = clean(text, limit).replace("\n", " ")
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\|`*_[]#":
        s = s.replace(ch, "\\" + ch)
    return s


def _code(text, limit: int = 60) -> str:
    """An inline code span (backslash escapes do not work inside one: drop what could break it)."""
    s = clean(text, limit).replace("\n", " ").replace("`", "'").replace("|", "/")
    return f"`{s}`"


def github_summary(subs: Iterable[SubmissionResult], assignment_title: str = "", note: str = "",
                   unmatched: Iterable[str] = ()) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: totals, per-question pass rates, one row a student.

    With a single submission (a student's self-check) every question gets its message instead.
    """
    subs = list(subs)
    out = [f"## {_md(assignment_title or 'cnn-grader', 300)}", ""]
    if note:
        out += [_md(note, 1000), ""]
    if not subs:
        return "\n".join(out + ["No submissions were graded.", ""])
    qids = [(q.id, q.function) for q in subs[0].questions]
    if len(subs) == 1:
        s = subs[0]
        out.append(f"**{_md(s.student)}: {number(s.score)}/{number(s.max_score)}**"
                   + (f" (isolation: {_md(s.isolation)})" if s.isolation else ""))
        out.append("")
        if s.error:
            out += [f"Could not be graded: {_md(s.error, 500)}", ""]
        out += ["| | question | score | result |", "|---|---|---:|---|"]
        for q in s.questions:
            out.append(f"| {MARK.get(q.status, '?')} | Q{q.id} {_code(q.function)} | "
                       f"{number(q.score)}/{number(q.max_score)} | {_md(q.message, 500)} |")
        return "\n".join(out + [""])
    n = len(subs)
    mean = sum(s.score for s in subs) / n
    full = sum(1 for s in subs if s.passed_all)
    broken = sum(1 for s in subs if s.error)
    mx = subs[0].max_score
    out.append(f"**{n} graded** · mean **{mean:.2f}/{number(mx)}** · {full} full marks · {broken} could not be graded")
    out += ["", "| question | passed | failed | error | timeout | missing |", "|---|---:|---:|---:|---:|---:|"]
    for i, (qid, fn) in enumerate(qids):
        c = {k: 0 for k in MARK}
        for s in subs:
            if i < len(s.questions):
                c[s.questions[i].status] = c.get(s.questions[i].status, 0) + 1
        out.append(f"| Q{qid} {_code(fn)} | {c['passed']} | {c['failed']} | {c['error']} | {c['timeout']} | {c['missing']} |")
    out += ["", "| student | " + " | ".join(f"Q{qid}" for qid, _ in qids) + " | total | note |",
            "|---|" + "---|" * len(qids) + "---:|---|"]
    for s in subs[:SUMMARY_ROWS]:
        cells = " | ".join(MARK.get(q.status, "?") for q in s.questions)
        out.append(f"| {_md(s.student, 80)} | {cells} | {number(s.score)}/{number(s.max_score)} | {_md(s.error, 80)} |")
    if n > SUMMARY_ROWS:
        out.append(f"\n… and {n - SUMMARY_ROWS} more students (see results.json / grades.csv).")
    unmatched = list(unmatched)
    if unmatched:
        out += ["", f"**{len(unmatched)} submission(s) matched nobody on the roster:** "
                + ", ".join(_md(u, 100) for u in unmatched[:50]) + (" …" if len(unmatched) > 50 else "")]
    out += ["", "✅ passed · ❌ failed · 💥 error · ⏱️ timeout · ➖ missing", ""]
    return "\n".join(out)


def write_github_summary(markdown: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """Append to ``$GITHUB_STEP_SUMMARY`` when it is set (inside GitHub Actions); else nothing."""
    env = os.environ if environ is None else environ
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    try:  # whole or not at all (a full disk cuts it back): never half a table
        append_text(path, markdown if markdown.endswith("\n") else markdown + "\n")
    except (OSError, MachineError):
        return None  # a summary is a courtesy; never fail grading over it
    return path


def write_junit(subs: Iterable[SubmissionResult], path: Path, assignment_title: str = "",
                formula: Formula | None = None, out: Path | None = None) -> Path:
    """``--junit PATH`` (``out``: as for :func:`write_gradescope`)."""
    path = Path(path)
    check_report(path, "--junit", "junit", outs=_outs(out))  # (a folder, or a file of the user's: refused)
    return write_text(path, junit_xml(subs, assignment_title, formula))


def write_outputs(subs: Iterable[SubmissionResult], assignment_title: str = "", *, junit: Path | None = None,
                  gradescope: Path | None = None, per_student: bool = False, visibility: str = "visible",
                  note: str = "", unmatched: Iterable[str] = (), environ: Mapping[str, str] | None = None,
                  formula: Formula | None = None, out: Path | None = None) -> list[Path]:
    """Everything the CLI's ``--junit`` / ``--gradescope`` options and GitHub Actions ask for.

    ``per_student`` (for ``grade`` and ``merge``): ``gradescope`` is a folder holding one
    results file per student; otherwise (``check``) it is the results.json itself.  The job
    summary is appended whenever ``$GITHUB_STEP_SUMMARY`` is set.  ``formula`` (``--reveal``)
    adds the correct formula of each failing example to the JUnit and Gradescope details; the
    job summary never has one.  ``out``: the run's own OUT (``grade``, ``merge``), inside which
    a report may be written under a name of the user's own.
    """
    env = os.environ if environ is None else environ
    if junit is None and gradescope is None and not env.get("GITHUB_STEP_SUMMARY"):
        return []  # nothing asked for: do not even read the results (a large class streams them)
    subs = list(subs)
    written: list[Path] = []
    if junit is not None:
        written.append(write_junit(subs, junit, assignment_title, formula, out=out))
    if gradescope is not None:
        if per_student:
            written += write_gradescope_dir(subs, gradescope, out, visibility=visibility, note=note, formula=formula)
        else:
            if len(subs) != 1:
                raise ValueError("--gradescope FILE takes exactly one submission")
            written.append(write_gradescope(subs[0], gradescope, out, visibility=visibility, note=note, formula=formula))
    summary = write_github_summary(github_summary(subs, assignment_title, note=note, unmatched=unmatched), environ)
    if summary is not None:
        written.append(summary)
    return written
