"""The outputs of ``grader similar``: ``similarity.csv`` (the ranking) and ``similarity.html``
(the ranking above the threshold, and each such pair side by side with the regions they share
highlighted), written in a staging folder and put in OUT's place as a grading output is
(:mod:`grader.outputs.outdir`: files of the user's in OUT are kept)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..text import printable
from .export import _cell
from .outdir import SIMILARITY_FILES

FILES = SIMILARITY_FILES
SHOWN_PAIRS = 100  # pairs shown side by side on the page at most (the CSV has them all)
RANKED_ROWS = 1000  # rows of the page's ranking at most
SHOWN_CHARS = 20_000  # a longer text is shown around its highlighted regions only
CONTEXT_LINES = 6  # ... with this many lines before and after each
MARK = ('<mark>', '</mark>')
CSV_HEADER = ["rank", "student_a", "student_b", "similarity", "shared_fingerprints", "fingerprints_a",
              "fingerprints_b", "entry_a", "entry_b", "files_a", "files_b"]


@dataclass
class SimilarityRun:
    """What ``grader similar`` found (:func:`grader.api.similar` returns it)."""

    assignment: str
    title: str
    threshold: float
    created: str
    command: str = ""
    written: bool = False  # written answers (normalised notation), not code
    students: int = 0  # submissions compared
    not_read: list[tuple[str, str]] = field(default_factory=list)  # (student, why)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (student, note) e.g. cut at the cap
    boilerplate: int = 0  # distinct fingerprints of the starter and templates
    common: int = 0  # distinct fingerprints left out as class-common
    compared: int = 0  # pairs sharing any fingerprint
    listed: int = 0  # pairs sharing enough to be listed (``rows``: the first ``--top`` of them)
    rows: list[dict] = field(default_factory=list)  # the ranking, most similar first
    shown: list[dict] = field(default_factory=list)  # pairs side by side (the page)
    seconds: float = 0.0

    @property
    def above(self) -> list[dict]:
        return [r for r in self.rows if r["similarity"] >= self.threshold]


def check_out(out: Path, submissions: Path) -> None:
    """OUT: outside the submissions; new, empty, or an earlier ``grader similar`` output (never a
    grading output, whose files the similarity's would replace)."""
    from .publish import check_target
    o, s = out.resolve(), submissions.resolve()
    if o == s or s in o.parents or o in s.parents:
        raise UsageError(f"--out {out} overlaps the submissions folder {submissions}; choose a separate folder")
    check_target(out, similarity=True)


def csv_text(run: SimilarityRun) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for r in run.rows:
        w.writerow([r["rank"], _cell(r["a"]), _cell(r["b"]), f"{r['similarity']:.4f}", r["shared"],
                    r["prints_a"], r["prints_b"], _cell(r["entry_a"]), _cell(r["entry_b"]),
                    _cell("; ".join(r["files_a"])), _cell("; ".join(r["files_b"]))])
    return buf.getvalue()


def highlighted(text: str, slices) -> str:
    """``text`` as HTML with the ``slices`` (copydetect's 2×N start/end array) in ``<mark>``,
    escaped by copydetect's :func:`~copydetect.utils.highlight_overlap`; a long text around its
    marks only.  Control characters of the student's become U+FFFD."""
    from copydetect.utils import highlight_overlap
    from markupsafe import Markup, escape
    if slices.shape[1] == 0:
        return Markup(printable(str(escape(text[:SHOWN_CHARS]))))
    html, _share = highlight_overlap(text, slices, *MARK, truncate=CONTEXT_LINES if len(text) > SHOWN_CHARS else -1,
                                     escape_html=True)
    return Markup(printable(html))  # (escaped already: printable only replaces characters)


def html_text(run: SimilarityRun) -> str:
    from .report import environment
    from .. import __version__
    env = environment()
    return env.get_template("similarity.html.j2").render(run=run, version=__version__, ranked=run.above[:RANKED_ROWS],
                                                          shown_limit=SHOWN_PAIRS)


def write(run: SimilarityRun, out: Path, work: Path | None = None) -> None:
    """Both files into OUT at once (a staging folder beside it, then swapped in)."""
    from . import outdir
    from .atomic import write_many
    from .publish import building
    with building(out, work, what="the similarity report") as staging:
        # (the CSV with a BOM, as grades.csv: Excel opens it as UTF-8)
        write_many([(staging / "similarity.csv", "\ufeff" + csv_text(run)), (staging / "similarity.html", html_text(run))])
        try:
            outdir.finish(staging, out)
        except outdir.NotAnOutput as exc:
            raise UsageError(str(exc)) from None
