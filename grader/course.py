"""The course file: an assignment's grading policy in TOML, instead of flags on every run.

``grader grade`` and ``grader check`` read ``--config FILE``, or ``grader.toml`` in the current
folder when there is one; an option given on the command line overrides the file.  Every key
is optional::

    [points]                 # per question, as --points ID=N
    "2.5" = 6

    [grading]
    seed = 7                 # --seed
    timeout = 10             # --timeout, seconds per question
    memory = 1024            # --memory, MiB per submission
    reveal = false           # --reveal: reports may show the expected formulas
    partial_credit = false   # true: a question scores points x the fraction of its trials passed
    require_sandbox = true   # --require-sandbox

    [late]                   # one of:
    factor = 0.8             #   a late submission scores 80 % of its points
    # per_day = 0.1          #   minus 10 % of its points per day late (never below 0)

    [lms]
    roster = "gradebook.csv" # --roster (relative to this file)
    column = "Homework 4 (123456)"  # --lms-column: the LMS gradebook's column to fill
    missing = "zero"         # --lms-missing: "zero" or "blank" for students without a submission

Late flags come from the LMS: Canvas marks late downloads ``LATE`` in their names (no days);
a roster column "Days late" (or "Late days"), or a Moodle worksheet's Status ("submitted 1 day
2 hours late"), gives the days and also marks a student late.  ``per_day`` charges every day
started (1 day 2 hours: 2 days); a student flagged late with no days known is charged one day.  Unknown keys and
wrong types are one-line errors naming the file and the key.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_NAME = "grader.toml"
MISSING_CHOICES = ("zero", "blank")


@dataclass(frozen=True)
class LatePolicy:
    """How lateness costs points: a flat ``factor``, or ``per_day`` of the points per day."""

    factor: float | None = None
    per_day: float | None = None

    def multiplier(self, late: bool, days: float | None = None) -> float:
        """What a submission's points are multiplied by (1.0 when on time or no policy)."""
        late = late or bool(days and days > 0)
        if not late:
            return 1.0
        if self.factor is not None:
            return self.factor
        if self.per_day is not None:
            # every day started counts (2 hours late is a day); late, days unknown: one day
            charged = math.ceil(days - 1e-9) if days is not None and days > 0 else 1
            return max(0.0, 1.0 - self.per_day * charged)
        return 1.0

    def describe(self) -> str:
        if self.factor is not None:
            return f"late submissions score x{self.factor:g}"
        if self.per_day is not None:
            return f"late submissions lose {self.per_day:g} of their points per day (1 day when unknown)"
        return "no late penalty"

    def to_dict(self) -> dict:
        return {k: v for k, v in (("factor", self.factor), ("per_day", self.per_day)) if v is not None}


@dataclass(frozen=True)
class Course:
    """What a course file says; ``None``: not set there."""

    path: Path | None = None
    points: dict[str, float] = field(default_factory=dict)
    seed: int | None = None
    timeout: float | None = None
    memory: int | None = None
    reveal: bool | None = None
    partial_credit: bool | None = None
    require_sandbox: bool | None = None
    late: LatePolicy = LatePolicy()
    roster: Path | None = None
    lms_column: str | None = None
    lms_missing: str | None = None


# section -> key -> (accepted types, description for the error message)
_NUMBER = (int, float)
_SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], str]]] = {
    "grading": {"seed": ((int,), "an integer"), "timeout": (_NUMBER, "a number of seconds"),
                "memory": ((int,), "an integer number of MiB"), "reveal": ((bool,), "true or false"),
                "partial_credit": ((bool,), "true or false"), "require_sandbox": ((bool,), "true or false")},
    "late": {"factor": (_NUMBER, "a number from 0 to 1"), "per_day": (_NUMBER, "a number from 0 to 1")},
    "lms": {"roster": ((str,), "a file path"), "column": ((str,), "a column name"),
            "missing": ((str,), '"zero" or "blank"')},
}
SECTIONS = ("points", *_SCHEMA)


class CourseError(ValueError):
    """A bad course file: the message names the file, the key and the fix."""


def _typed(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in types:  # TOML true is not a number
        return False
    return isinstance(value, types)


def load_course(path: Path) -> Course:
    """Read and check a course file; a bad one raises :class:`CourseError` (one line)."""
    path = Path(path)
    tomllib = _toml()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise CourseError(f"{path}: no such course file; give the path of your grader.toml") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CourseError(f"{path}: cannot read the course file ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{path}: not valid TOML ({exc}); see the README's course file example") from None
    where = lambda key: f"{path}: {key}"  # noqa: E731
    for section, body in data.items():
        if section not in SECTIONS:
            raise CourseError(f"{where(section)}: unknown section; use one of [{'], ['.join(SECTIONS)}]")
        if not isinstance(body, dict):
            raise CourseError(f"{where(section)}: must be a [{section}] table")
    values: dict[str, Any] = {}
    for section, keys in _SCHEMA.items():
        for key, value in data.get(section, {}).items():
            if key not in keys:
                raise CourseError(f"{where(f'{section}.{key}')}: unknown key; [{section}] takes "
                                  + ", ".join(keys))
            types, what = keys[key]
            if not _typed(value, types):
                raise CourseError(f"{where(f'{section}.{key}')}: {value!r} is not {what}")
            values[f"{section}.{key}"] = value
    points = {}
    for qid, value in data.get("points", {}).items():
        if not _typed(value, _NUMBER) or not math.isfinite(value) or value < 0:
            raise CourseError(f"{where(f'points.{qid}')}: {value!r} is not a number of points (0 or more)")
        points[str(qid).strip().removeprefix("Q")] = float(value)
    _check_ranges(values, where)
    late = LatePolicy(factor=_float(values.get("late.factor")), per_day=_float(values.get("late.per_day")))
    roster = values.get("lms.roster")
    return Course(
        path=path, points=points, seed=values.get("grading.seed"), timeout=_float(values.get("grading.timeout")),
        memory=values.get("grading.memory"), reveal=values.get("grading.reveal"),
        partial_credit=values.get("grading.partial_credit"), require_sandbox=values.get("grading.require_sandbox"),
        late=late, roster=(path.parent / roster) if roster else None, lms_column=values.get("lms.column"),
        lms_missing=values.get("lms.missing"))


def _toml():
    """tomllib (Python 3.11+) or its backport tomli, imported only when a course file is read."""
    if sys.version_info >= (3, 11):
        import tomllib
        return tomllib
    try:  # pragma: no cover - Python 3.10
        import tomli
    except ImportError:  # pragma: no cover
        raise CourseError("reading a course file on Python 3.10 needs tomli: pip install tomli") from None
    return tomli


def _float(v) -> float | None:
    return None if v is None else float(v)


def _check_ranges(values: dict[str, Any], where) -> None:
    t = values.get("grading.timeout")
    if t is not None and not 0.1 <= t <= 3600:
        raise CourseError(f"{where('grading.timeout')}: {t!r} is out of range; give 0.1 to 3600 seconds")
    m = values.get("grading.memory")
    if m is not None and not 64 <= m <= 1 << 20:
        raise CourseError(f"{where('grading.memory')}: {m!r} is out of range; give 64 to 1048576 MiB")
    for key in ("late.factor", "late.per_day"):
        v = values.get(key)
        if v is not None and not (math.isfinite(v) and 0 <= v <= 1):
            raise CourseError(f"{where(key)}: {v!r} is out of range; give a number from 0 to 1")
    if "late.factor" in values and "late.per_day" in values:
        raise CourseError(f"{where('late')}: give factor or per_day, not both")
    miss = values.get("lms.missing")
    if miss is not None and miss not in MISSING_CHOICES:
        raise CourseError(f"{where('lms.missing')}: {miss!r}; choose \"zero\" or \"blank\"")
    col = values.get("lms.column")
    if col is not None and not col.strip():
        raise CourseError(f"{where('lms.column')}: empty; give the gradebook column's header")


def find_course(explicit: Path | None, cwd: Path | None = None) -> Course:
    """``--config FILE``, else ``grader.toml`` in the current folder, else an empty course."""
    if explicit is not None:
        return load_course(Path(explicit))
    default = (Path.cwd() if cwd is None else Path(cwd)) / DEFAULT_NAME
    return load_course(default) if default.is_file() else Course()

