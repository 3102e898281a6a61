"""The one results shape: plain dataclasses, serialized to ``results.json`` and read back by
every output (reports, gradebook, dashboard, merge).  No pickles; arrays become nested lists."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Iterable, Iterator

SCHEMA = 1
STATUSES = ("passed", "failed", "error", "timeout", "missing")


@dataclass
class Failure:
    """The first failing trial of a question, laid out for a human (for an error or a timeout,
    only the call: trial, label and inputs, with ``expected`` None)."""

    trial: int  # 0-based trial number
    label: str  # "random", "edge: ..."
    inputs: dict[str, Any]  # argument name -> value (nested lists / numbers)
    expected: Any = None
    got: Any = None
    worst: str = ""  # the worst element in the homework's notation
    worst_index: list[int] = field(default_factory=list)
    expected_value: float | None = None
    got_value: float | None = None
    wrong: int = 0  # elements outside tolerance
    elements: int = 0
    wrong_mask: Any = None  # nested lists of bools, same shape as expected (when shapes match)


@dataclass
class QuestionResult:
    id: str
    function: str
    title: str
    score: float
    max_score: float
    status: str  # one of STATUSES
    trials: int  # calls made
    message: str
    tolerance: str = ""
    seconds: float = 0.0
    failure: Failure | None = None
    traceback: str = ""
    stdout: str = ""
    stderr: str = ""
    returned: list[str] = field(default_factory=list)  # Python types the function returned
    misconceptions: list[str] = field(default_factory=list)
    hints: list[dict] = field(default_factory=list)  # {id, name, explanation, hint} per named misconception
    notes: list[str] = field(default_factory=list)  # generic findings when no catalogued mistake fits
    output_dropped: int = 0  # bytes printed while answering that were dropped (head and tail kept)
    reading: str = ""  # a written answer: how it was read (or why it could not be), shown before the verdict
    automatic_score: float | None = None  # the grader's score when an override replaced it (grader.course.ledger)
    override: dict | None = None  # the ledger entry in force: {id, points, why, by, at}


@dataclass
class SubmissionResult:
    student: str
    source: str  # entry name in the submissions folder
    score: float
    max_score: float
    error: str  # why nothing could be graded ("" when the file imported)
    report: str  # HTML report path, relative to the output folder
    seed: int = 0
    isolation: str = ""
    isolation_note: str = ""
    seconds: float = 0.0
    digest: str = ""  # sha256 of the submission's content
    cache_key: str = ""  # digest + everything else that decides the result (see api.cache_key)
    traceback: str = ""
    stdout: str = ""  # printed while importing
    stderr: str = ""
    output_dropped: int = 0  # bytes printed while importing that were dropped
    notes: list[str] = field(default_factory=list)  # about the whole file (stand-ins, missing modules)
    questions: list[QuestionResult] = field(default_factory=list)
    name: str = ""  # from the --roster
    email: str = ""
    late: bool = False  # the LMS marked it late (Canvas: LATE in the file name; a roster "Days late")
    days_late: float | None = None
    late_factor: float = 1.0  # the late policy's multiplier, already in ``score``
    automatic_score: float | None = None  # the total before the ledger's overrides (None: none applied)
    excused: bool = False  # the ledger excuses the student (the LMS gets EX)
    overrides: list[dict] = field(default_factory=list)  # the ledger entries in force: {target, id, points, why, by, at}

    @property
    def passed_all(self) -> bool:
        return bool(self.questions) and all(q.status == "passed" for q in self.questions)


@dataclass
class GradingRun:
    assignment: str
    title: str
    assignment_version: str
    grader_version: str
    seed: int
    max_score: float
    created: str
    command: str = ""
    cached: int = 0  # submissions whose earlier result was reused unchanged
    submissions: list[SubmissionResult] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # entries matching nobody on the --roster
    # students who gave several entries (alice.py beside alice.ipynb): {student, entries, counted}
    collisions: list[dict] = field(default_factory=list)
    shard: list[int] = field(default_factory=list)  # [K, N] for `grade --shard K/N`; [] when not sharded
    roster_digest: str = ""  # sha256 of the --roster's sorted student ids ("" without a roster)
    roster_ids: list[str] = field(default_factory=list)  # those ids (merge lists a missing shard's)
    missing_shards: list[int] = field(default_factory=list)  # `merge --allow-partial`: the K's not merged
    reveal: bool = False  # the reports show the correct formulas (--reveal)
    policy: dict = field(default_factory=dict)  # partial credit, late policy, course file (grader.course.config)
    lms: dict = field(default_factory=dict)  # the LMS gradebook written back, if any (grader.outputs.export)
    ledger: dict = field(default_factory=dict)  # the overrides applied: {file, entries, applied, changed}
    schema: int = SCHEMA


def to_dict(obj) -> dict:
    """Like dataclasses.asdict, without its deep copy of every leaf (a third of export time)."""
    return _plain(obj)


@functools.lru_cache(maxsize=None)
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


_LEAVES = frozenset({str, int, float, bool, type(None)})


def _plain(obj):
    if type(obj) in _LEAVES:  # most of a result: checked first
        return obj
    if hasattr(obj, "__dataclass_fields__"):
        out = {}
        for name in _field_names(type(obj)):
            v = getattr(obj, name)
            out[name] = v if type(v) in _LEAVES else _plain(v)
        return out
    if isinstance(obj, (list, tuple, SubmissionsOnDisk)):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def dumps(obj) -> str:
    return json.dumps(to_dict(obj), ensure_ascii=False, indent=1, allow_nan=False)


def _build(cls, data: dict):
    names = _field_names(cls)  # (cached: a large class's dashboard reads every result back)
    return cls(**{k: v for k, v in data.items() if k in names})


def submission_from_dict(data: dict) -> SubmissionResult:
    qs = []
    for q in data.get("questions", []):
        q = dict(q)
        if q.get("failure"):
            q["failure"] = _build(Failure, q["failure"])
        qs.append(_build(QuestionResult, q))
    return _build(SubmissionResult, {**data, "questions": qs})


def load(path: Path) -> GradingRun:
    """Read a results.json written by :func:`dumps`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "submissions" not in data:
        raise ValueError(f"{path} is not a cnn-grader results.json")
    run = _build(GradingRun, data)
    run.submissions = [submission_from_dict(s) for s in data["submissions"]]
    return run


# --- large classes: summaries in memory, details streamed to disk ---------------------------

def one_line_json(sub: SubmissionResult) -> str:
    """A submission as one line of JSON: results.json holds one a line (see write_results)."""
    return json.dumps(to_dict(sub), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


_SUBMISSIONS_OPEN = ' "submissions": ['


def write_results(path: Path, run: GradingRun, lines: Iterable[str]) -> list[tuple[int, int]]:
    """results.json written as a stream: the run's fields, then ``lines`` (one submission each,
    from :func:`one_line_json`), so that neither the writer nor :func:`iter_submissions` ever
    holds the whole class.  It is ordinary JSON, the same shape :func:`dumps` gives.
    Returns where each line went (byte offset, length), for :class:`SubmissionsOnDisk`."""
    head = {k: v for k, v in to_dict(run).items() if k != "submissions"}
    where = []
    with open(path, "wb") as f:
        f.write(b"{\n")
        for k, v in head.items():
            f.write(f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False, allow_nan=False)},\n".encode("utf-8"))
        f.write((_SUBMISSIONS_OPEN + "\n").encode("utf-8"))
        for i, line in enumerate(lines):
            if i:
                f.write(b",\n")
            data = line.encode("utf-8")
            where.append((f.tell(), len(data)))
            f.write(data)
        f.write(b"\n ]\n}\n")
    return where


class SubmissionsOnDisk(Sequence):
    """``GradingRun.submissions`` of a large class: every result stays on disk (results.json,
    one a line) and is read back when asked for, so memory does not grow with the class."""

    def __init__(self, path: Path, where: list[tuple[int, int]]):
        self.path, self._where = Path(path), list(where)

    def __len__(self) -> int:
        return len(self._where)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return read_at(self.path, self._where[i])

    def __iter__(self) -> Iterator[SubmissionResult]:
        with open(self.path, "rb") as f:
            for where in self._where:
                yield _read(f, where)


def _read(f, where: tuple[int, int]) -> SubmissionResult:
    f.seek(where[0])
    return submission_from_dict(json.loads(f.read(where[1]).strip().rstrip(b",")))


def read_at(path: Path, where: tuple[int, int]) -> SubmissionResult:
    """The submission whose line :func:`scan_submissions` (or :func:`write_results`) placed at ``where``."""
    with open(path, "rb") as f:
        return _read(f, where)


def scan_submissions(path: Path) -> Iterator[tuple[tuple[int, int] | None, dict]]:
    """Each submission of a results.json, one at a time, as (where its line is, its data).

    ``where`` is (byte offset, length) when :func:`write_results` wrote the file, one
    submission a line; any other valid results.json (a pretty-printed one, say) is read whole
    and gives ``None`` there.
    """
    path = Path(path)
    marker = _SUBMISSIONS_OPEN.encode("utf-8")
    with open(path, "rb") as f:
        streamed = any(line.rstrip(b"\n") == marker for line in f)  # stops at the marker
        seen = 0
        while streamed:
            start = f.tell()
            line = f.readline()
            body = line.strip().rstrip(b",")
            if not line or body in (b"]", b"}"):
                return
            if not body:
                continue
            try:
                data = json.loads(body)
            except ValueError:
                if seen:
                    raise ValueError(f"{path} is not a cnn-grader results.json") from None
                break  # the same key, but not one submission a line
            seen += 1
            yield (start, len(line)), data
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("submissions"), list):
        raise ValueError(f"{path} is not a cnn-grader results.json")
    for sub in data["submissions"]:
        yield None, sub


def iter_submissions(path: Path) -> Iterator[SubmissionResult]:
    """Every submission of a results.json, one at a time (see :func:`scan_submissions`)."""
    for _where, data in scan_submissions(path):
        yield submission_from_dict(data)
