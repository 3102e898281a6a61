"""Publishing a grading, the last stage of ``grade`` and the whole of ``merge``.

A new output is built in a staging folder beside OUT (:func:`building`) and, once whole, put
in OUT's place (:func:`publish`; see :mod:`grader.outputs.outdir`).  What goes in is made of
each student's *pieces* (:func:`pieces`): their results.json line, their grades.csv row, what
the dashboard's summary needs of them and their dashboard rows.  ``grade``'s workers make each
student's as they grade (and spool them); ``merge`` makes them from the shards' results
(:class:`Made`).  Either way :func:`publish` only puts them together, in order, so a merge of
shards writes what one unsharded grading writes.
"""
from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

from ..errors import UsageError, free_bytes, is_full, machine_error, reraise
from ..results import GradingRun, SubmissionResult, SubmissionsOnDisk, one_line_json
from . import outdir
from .atomic import tree_size

# a student's pieces, in this order (see :func:`pieces`)
RESULT, GRADEBOOK, ENTRY, ROW, TIGHT_ROW = range(5)


class Pieces(Protocol):
    """Every student's pieces, in the final order: ``lines(part)`` yields piece ``part`` of each."""

    def lines(self, part: int = RESULT) -> Iterator[str]: ...


def pieces(res: SubmissionResult, renderer=None) -> tuple[str, str, str, str, str]:
    """One student's pieces of the class's files: their results.json line, grades.csv row, the
    dashboard's :meth:`~grader.outputs.report.Renderer.index_entry` (JSON) and their dashboard
    rows at the usual and the tight bounds (the last three empty without a ``renderer``)."""
    from .export import gradebook_line
    entry, rows = "", ("", "")
    if renderer is not None:
        entry, rows = json.dumps(renderer.index_entry(res), ensure_ascii=False), renderer.index_rows(res)
    return (one_line_json(res), gradebook_line(res), entry, *rows)


class Made:
    """The pieces of results already made (``merge``: the shards' results.json), in the order
    of ``subs``."""

    def __init__(self, subs: Iterable[SubmissionResult], renderer=None):
        self._made = [pieces(s, renderer) for s in subs]

    def lines(self, part: int = RESULT) -> Iterator[str]:
        return (p[part] for p in self._made)


class Ledgered:
    """``made`` with the ledger's overrides applied (:mod:`grader.course.ledger`): the pieces of
    a student the ledger names are made again from their result, with the overrides, and their
    report written again; everyone else's are pasted as they were.  Applying is idempotent, so
    a shard's result merged gets the ledger once."""

    def __init__(self, made: Pieces, ledger, renderer, staging: Path):
        from ..results import submission_from_dict
        self._made, self._again = made, {}
        for i, line in enumerate(made.lines(RESULT)):
            data = json.loads(line)
            if not data.get("overrides") and not ledger.affects(data["student"]):
                continue  # (most students: pasted as they were)
            res = submission_from_dict(data)
            ledger.apply(res)  # (or, with an override undone since, put back as graded)
            if renderer is not None and res.report:
                renderer.write_student(res, staging / res.report)
            self._again[i] = pieces(res, renderer)

    def lines(self, part: int = RESULT) -> Iterator[str]:
        for i, line in enumerate(self._made.lines(part)):
            again = self._again.get(i)
            yield line if again is None else again[part]


def check_target(out: Path, flag: str = "--out", similarity: bool = False) -> None:
    """OUT must be new, empty or an earlier output of the same command (see
    :mod:`grader.outputs.outdir`): a grading's for ``grade``/``merge``, a similarity report's
    for ``similar`` (``similarity``), never the other's, whose files the new output would
    replace; with no file where a folder above it is needed.  What killed runs of this OUT
    left beside it is cleaned up first."""
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise UsageError(f"{flag} {out} is a file; choose a folder")
    blocked = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise UsageError(f"{flag} {out}: {blocked} is a file, not a folder; choose another place")
    outdir.recover(out)
    try:
        outdir.check_target(out, flag)
    except outdir.NotAnOutput as exc:
        raise UsageError(str(exc)) from None
    mine = outdir.owned(out) if out.is_dir() else None
    if mine and similarity and not set(mine) <= set(outdir.SIMILARITY_FILES):
        raise UsageError(f"{flag} {out} holds a grading output; give the similarity its own folder "
                         f"(e.g. {flag} {out.parent / (out.name + '-similarity')})")
    if mine and not similarity and set(mine) <= set(outdir.SIMILARITY_FILES):
        raise UsageError(f"{flag} {out} holds a similarity report (grader similar); give the grading its own "
                         f"folder (e.g. {flag} {out.parent / (out.name + '-grading')})")


@contextlib.contextmanager
def building(out: Path, work: Path | None = None, expected: int = 0, done: Callable[[], int] = lambda: 0,
             prefix: str = ".cnn-grader-out-", what: str = "the new grading") -> Iterator[Path]:
    """The staging folder a new output of OUT is built in (missing parents of OUT are created),
    removed at the end whatever happens (:func:`publish` has moved it into OUT by then).

    A full disk (or another fault of the machine) while building is one line: the folder whose
    disk filled (beside OUT, or ``work``: temporary files), what was written when it did, and an
    estimate of what the whole output needs (from ``done()`` of ``expected`` results written,
    or the size of the earlier output it replaces)."""
    try:
        staging = outdir.new_staging(out, prefix=prefix)
    except OSError as exc:
        err = machine_error(exc, out.resolve().parent)
        if err is exc:
            raise UsageError(f"--out {out}: cannot create a folder there ({exc.strerror or exc}); "
                             "choose a folder you can write to") from None
        raise err from exc
    try:
        yield staging
    except OSError as exc:
        if not is_full(exc):
            reraise(exc)
        free = {f: free_bytes(f) for f in (staging.parent, work) if f is not None}
        folder = min(free, key=lambda f: free[f] if free[f] is not None else 1 << 62)
        written = tree_size(staging) if folder == staging.parent else tree_size(work)
        needed = None
        if folder == staging.parent:
            n = done()
            earlier = tree_size(out) if out.is_dir() else 0
            needed = max(int(written / n * max(expected, n)) if n else 0, earlier) or None
        reraise(exc, folder, written=written, needed=needed,
                what=what if folder == staging.parent else "temporary files")
    finally:
        outdir.discard_staging(staging)


def publish(run: GradingRun, renderer, made: Pieces, staging: Path, out: Path, lms=None, ledger=None) -> None:
    """The LMS gradebook filled in (if the roster is one), results.json, the gradebook and the
    dashboard (without a ``renderer``: none), all pasted from the students' pieces ``made``;
    then the whole folder into ``out``, where what the grader wrote in an earlier grading is
    replaced and every other file is kept.  ``run.submissions``: ``None`` for a large class,
    read back from results.json, one at a time.  ``ledger``: a :class:`grader.course.ledger.Ledger`,
    applied here, once, to every output (``grade`` and ``merge`` alike)."""
    from . import export
    if ledger is not None:
        made = Ledgered(made, ledger, renderer, staging)
        if run.submissions is not None:
            for s in run.submissions:
                ledger.apply(s, count=False)
        run.ledger = ledger.summary()
    if lms is not None:  # before results.json, which records what was written
        from ..results import submission_from_dict
        every = run.submissions if run.submissions is not None else (
            submission_from_dict(json.loads(line)) for line in made.lines(RESULT))
        run.lms = export.write_lms(lms, every, run.max_score, staging)
    where = export.write_results(run, staging, made.lines(RESULT))
    if run.submissions is None:
        run.submissions = SubmissionsOnDisk(staging / "results.json", where)
    export.write_gradebook_file(run, staging, made.lines(GRADEBOOK))
    if renderer is not None:
        renderer.write_index(run.submissions, staging / "index.html",
                             rows=lambda tight: made.lines(TIGHT_ROW if tight else ROW),
                             entries=map(json.loads, made.lines(ENTRY)))
    try:
        outdir.finish(staging, out)
    except outdir.NotAnOutput as exc:
        raise UsageError(str(exc)) from None
    if isinstance(run.submissions, SubmissionsOnDisk):
        run.submissions.path = out / "results.json"
