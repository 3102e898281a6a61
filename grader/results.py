"""The one results shape: plain dataclasses, serialized to ``results.json`` and read back by
every output (reports, gradebook, dashboard, merge).  No pickles; arrays become nested lists."""
from __future__ import annotations

import json
import functools
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

SCHEMA = 1
STATUSES = ("passed", "failed", "error", "timeout", "missing")


@dataclass
class Failure:
    """The first failing trial of a question, laid out for a human."""

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
    questions: list[QuestionResult] = field(default_factory=list)

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
    schema: int = SCHEMA


def to_dict(obj) -> dict:
    """Like dataclasses.asdict, without its deep copy of every leaf (a third of export time)."""
    return _plain(obj)


@functools.lru_cache(maxsize=None)
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _plain(obj):
    if hasattr(obj, "__dataclass_fields__"):
        return {name: _plain(getattr(obj, name)) for name in _field_names(type(obj))}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def dumps(obj) -> str:
    return json.dumps(to_dict(obj), ensure_ascii=False, indent=1, allow_nan=False)


def _build(cls, data: dict):
    names = {f.name for f in fields(cls)}
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
