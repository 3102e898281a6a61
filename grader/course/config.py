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
    column = "Homework 1 (123456)"  # --lms-column: the LMS gradebook's column to fill
    missing = "zero"         # --lms-missing: "zero" or "blank" for students without a submission
    new_column = false       # --lms-new-column: column names no column of the export: add it

Late flags come from the LMS: Canvas marks late downloads ``LATE`` in their names (no days);
a roster column "Days late" (or "Late days"), or a Moodle worksheet's Status ("submitted 1 day
2 hours late"), gives the days and also marks a student late.  ``per_day`` charges every day
started (1 day 2 hours: 2 days); a student flagged late with no days known is charged one day.  Unknown keys and
wrong types are one-line errors naming the file and the key.  Numbers obey the rules the flags do
(:mod:`grader.settings`: points 0 to 1000, never nan or inf); the file is read up to 1 MiB and
pre-scanned, so that no nesting makes the parser recurse deeply.
"""
from __future__ import annotations

import codecs
import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import settings
from .files import read_bounded
from ..text import number, one_line, safe_text

DEFAULT_NAME = "grader.toml"
MISSING_CHOICES = ("zero", "blank")


@dataclass(frozen=True)
class LatePolicy:
    """How lateness costs points: a flat ``factor``, or ``per_day`` of the points per day."""

    factor: float | None = None
    per_day: float | None = None

    def __post_init__(self) -> None:
        """The API's guard (a course file is checked before, naming its key): ``nan`` here made
        every late score ``nan``."""
        for name in ("factor", "per_day"):
            value = getattr(self, name)
            if value is not None:
                try:
                    object.__setattr__(self, name, settings.LATE_FRACTION.check(value))
                except settings.SettingError as exc:
                    raise ValueError(f"LatePolicy.{name}: {exc}") from None
        if self.factor is not None and self.per_day is not None:
            raise ValueError("LatePolicy: give factor or per_day, not both")

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
            return f"late submissions score x{number(self.factor)}"
        if self.per_day is not None:
            return f"late submissions lose {number(self.per_day)} of their points per day (1 day when unknown)"
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
    lms_new_column: bool | None = None
    ledger: Path | None = None  # [grading] ledger: the overrides (grader.course.ledger)


# section -> key -> a settings.Rule (numbers: their bounds are shared with the command line),
# or (accepted types, what to give) for the others
_BOOL = ((bool,), "true or false")
_SCHEMA: dict[str, dict[str, "settings.Rule | tuple[tuple[type, ...], str]"]] = {
    "grading": {"seed": settings.SEED, "timeout": settings.TIMEOUT, "memory": settings.MEMORY,
                "reveal": _BOOL, "partial_credit": _BOOL, "require_sandbox": _BOOL,
                "ledger": ((str,), "a file path")},
    "late": {"factor": settings.LATE_FRACTION, "per_day": settings.LATE_FRACTION},
    "lms": {"roster": ((str,), "a file path"), "column": ((str,), "a column name"),
            "missing": ((str,), '"zero" or "blank"'), "new_column": _BOOL},
}
SECTIONS = ("points", *_SCHEMA)

MAX_BYTES = 1 << 20  # a course file is a few lines: anything larger is the wrong file
MAX_DEPTH = 64  # arrays / inline tables: a course file needs none (tomllib recurses on each)
MAX_DOTS = 32  # a line's dotted key parts: tomllib's cost grows with their square


class CourseError(ValueError):
    """A bad course file: the message names the file, the key and the fix."""


def load_course(path: Path) -> Course:
    """Read and check a course file; a bad one raises :class:`CourseError` (one line)."""
    path = Path(path)
    data = _parse(path, _read(path))
    where = lambda key: f"{_shown_path(path)}: {key}"  # noqa: E731
    for section, body in data.items():
        if section not in SECTIONS:
            raise CourseError(f"{where(_key(section))}: unknown section; use one of [{'], ['.join(SECTIONS)}]")
        if not isinstance(body, dict):
            raise CourseError(f"{where(_key(section))}: must be a [{section}] table")
    values: dict[str, Any] = {}
    for section, keys in _SCHEMA.items():
        for key, value in data.get(section, {}).items():
            name = _key(section, key)
            if key not in keys:
                raise CourseError(f"{where(name)}: unknown key; [{section}] takes " + ", ".join(keys))
            values[f"{section}.{key}"] = _value(keys[key], value, where(name))
    points = _points(data.get("points", {}), where)
    _check_choices(values, where)
    late = LatePolicy(factor=values.get("late.factor"), per_day=values.get("late.per_day"))
    roster = values.get("lms.roster")
    return Course(
        path=path, points=points, seed=values.get("grading.seed"), timeout=values.get("grading.timeout"),
        memory=values.get("grading.memory"), reveal=values.get("grading.reveal"),
        partial_credit=values.get("grading.partial_credit"), require_sandbox=values.get("grading.require_sandbox"),
        late=late, roster=(path.parent / roster) if roster is not None else None, lms_column=values.get("lms.column"),
        lms_missing=values.get("lms.missing"), lms_new_column=values.get("lms.new_column"),
        ledger=(path.parent / values["grading.ledger"]) if values.get("grading.ledger") is not None else None)


def check_questions(course: Course, known: list[str]) -> None:
    """Every question [points] names is one of ``known`` (the assignment's ids): a typo would
    otherwise weigh nothing, silently."""
    unknown = sorted(set(course.points) - set(known))
    if unknown:
        raise CourseError(f"{_shown_path(course.path)}: {_key('points', unknown[0])}: no such question; known: "
                          + ", ".join(known))


# --- reading: bounded, and never deeper than MAX_DEPTH -------------------------------------

def _read(path: Path) -> str:
    """The file's text, read at most :data:`MAX_BYTES` (``--config /dev/zero`` or a log file
    passed by mistake must not fill the memory), from a regular file only (a FIFO would block)."""
    shown = _shown_path(path)
    data = read_bounded(path, MAX_BYTES, shown, "course file", "give the path of your grader.toml", CourseError)
    if len(data) > MAX_BYTES:
        raise CourseError(f"{shown}: over {MAX_BYTES >> 20} MiB; a course file is a few lines (the wrong file?)")
    return _decode(path, data)


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (a BOM, as Windows editors write, is dropped), as TOML requires."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CourseError(f"{_shown_path(path)}: UTF-16 text; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CourseError(f"{_shown_path(path)}: line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                          "save it as UTF-8") from None


def _parse(path: Path, text: str) -> dict:
    """The TOML document, after :func:`_nesting` made sure tomllib's recursion stays shallow."""
    tomllib = _toml()
    problem = _nesting(text)
    if problem:
        raise CourseError(f"{_shown_path(path)}: {problem}")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        why = one_line(safe_text(str(exc)))[:200]
        raise CourseError(f"{_shown_path(path)}: not valid TOML ({why}); see the README's course file example") from None
    except ValueError:  # an integer of over 4300 digits (int()'s limit, raised through tomllib)
        raise CourseError(f"{_shown_path(path)}: {_where_huge(text)}a number of thousands of digits; "
                          "give a number such as the README's course file example shows") from None
    except (RecursionError, MemoryError):  # (the pre-scan should leave none: a last guard)
        raise CourseError(f"{_shown_path(path)}: nested too deeply to read; a course file needs no nesting") from None


_DIGITS = re.compile(r"[0-9_]{1000,}")  # (linear: one class, no alternatives)
_TABLE = re.compile(r"^\s*\[+\s*([^\]\n]*?)\s*\]+", re.M)


def _where_huge(text: str) -> str:
    """'line N: table.key: ' of the first run of a thousand digits or more ('' if none)."""
    m = _DIGITS.search(text)
    if m is None:
        return ""
    start = text.rfind("\n", 0, m.start()) + 1
    line = text[start:m.start()]
    key = line.split("=", 1)[0].strip() if "=" in line else ""
    tables = _TABLE.findall(text, 0, start)
    name = ".".join(p for p in (tables[-1] if tables else "", key) if p)
    return f"line {text.count(chr(10), 0, m.start()) + 1}: " + (f"{one_line(safe_text(name))[:80]}: " if name else "")


_SCAN = re.compile(r"""["'#\[\]{}.\n]""")
_BASIC_END = re.compile(r'\\.|"|\n', re.S)  # a "..." string ends at an unescaped quote (or, broken, the line)
_LITERAL_END = re.compile(r"'|\n")
_ML_BASIC_END = re.compile(r'\\.|"""', re.S)


def _nesting(text: str) -> str | None:
    """What makes ``text`` too costly to parse, or ``None``: arrays and inline tables nested
    deeper than :data:`MAX_DEPTH` (tomllib recurses once a level: 100,000 levels ended in a
    3,000-line RecursionError), or a key of more than :data:`MAX_DOTS` dotted parts (one of
    100,000 parts took tomllib tens of GB).  One pass over the text; what is in strings and
    comments does not count, nor the dots of numbers in arrays."""
    stack: list[str] = []  # open brackets: "h" a [table] header, "[" an array, "{" an inline table
    dots, line, i, blank = 0, 1, 0, True  # blank: nothing but spaces yet on this line
    while (m := _SCAN.search(text, i)) is not None:
        c = m.group()
        blank = blank and not text[i:m.start()].strip()
        i = m.end()
        if c == "\n":
            line, dots, blank = line + 1, 0, True
            continue
        if c == "#":  # a comment runs to the end of its line
            i = text.find("\n", i)
            i = len(text) if i < 0 else i
        elif c in "\"'":
            end = _string_end(text, m.start())
            line += text.count("\n", i, end)
            i = end
        elif c in "[{":
            header = c == "[" and (blank or stack[-1:] == ["h"])
            stack.append("h" if header else c)
            if len(stack) > MAX_DEPTH:
                return (f"line {line}: arrays or tables nested more than {MAX_DEPTH} deep; "
                        "a course file needs none (write key = value)")
        elif c in "]}":
            del stack[-1:]
        elif not stack or stack[-1] != "[":  # a dot in a key (or a number outside arrays)
            dots += 1
            if dots > MAX_DOTS:
                return (f"line {line}: a key of more than {MAX_DOTS} dotted parts; quote question ids "
                        '("2.5" = 6) and write one key = value a line')
        blank = False
    return None


def _string_end(text: str, start: int) -> int:
    """Where the TOML string opening at ``start`` ends (past its closing quote); an unterminated
    one ends at its line's end (or the text's), and tomllib reports it."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        return _multiline_end(text, start + 3, quote)
    for m in (_BASIC_END if quote == '"' else _LITERAL_END).finditer(text, start + 1):
        if m.group() == "\n":
            return m.start()
        if m.group() == quote:
            return m.end()
    return len(text)


def _multiline_end(text: str, i: int, quote: str) -> int:
    """The end of a multi-line string whose body starts at ``i``: its first closing triple
    quote not escaped, and up to two more quotes, which TOML counts as the string's own."""
    if quote == '"':
        j = next((m.end() for m in _ML_BASIC_END.finditer(text, i) if m.group() == '"""'), len(text))
    else:
        j = text.find("'''", i)
        j = len(text) if j < 0 else j + 3
    for _ in range(2):
        if j < len(text) and text[j] == quote:
            j += 1
    return j


# --- checking ------------------------------------------------------------------------------

def _value(rule, value: Any, where: str) -> Any:
    """``value`` of a key as its rule takes it (numbers: :mod:`grader.settings`)."""
    if isinstance(rule, settings.Rule):
        try:
            return rule.check(value)
        except settings.SettingError as exc:
            raise CourseError(f"{where}: {exc}") from None
    types, what = rule
    if not isinstance(value, types):
        raise CourseError(f"{where}: {settings.shown(value)} is not {what}")
    return value


def _points(table: dict, where) -> dict[str, float]:
    """[points]: question id -> points.  An id TOML read as a dotted key (``2.5 = 6`` is the
    table {"2": {"5": 6}}) gets the fix: quote it."""
    points: dict[str, float] = {}
    first: dict[str, str] = {}
    for qid, value in table.items():
        if isinstance(value, dict) and _QUESTION_PART.fullmatch(qid):
            parts, leaf = _question_path(value)
            if parts:
                dotted = ".".join([qid, *parts])
                example = settings.shown(leaf) if not isinstance(leaf, dict) else "6"
                raise CourseError(f"{where(_key('points', dotted))}: quote question ids, as in "
                                  f"\"{dotted}\" = {example}")
        p = _value(settings.POINTS, value, where(_key("points", qid)))
        norm = str(qid).strip().removeprefix("Q")
        if norm in points:
            raise CourseError(f"{where(_key('points', qid))}: question {_key(norm)} is already given as "
                              f"{_key('points', first[norm])}; give it once")
        points[norm], first[norm] = p, qid
    return points


def _question_path(table: dict) -> tuple[list[str], Any]:
    """The keys that read like the rest of a question id (``5`` of ``2.5``), down from
    ``table``, and the value they lead to (iteratively: any depth)."""
    parts: list[str] = []
    value: Any = table
    while isinstance(value, dict) and value and len(parts) < 8:
        key = next(iter(value))
        if not key.isascii() or not key.isdigit() or len(key) > 9:
            break
        parts.append(key)
        value = value[key]
    return parts, value


def _check_choices(values: dict[str, Any], where) -> None:
    """What no single key's rule can say: late takes one of two keys, [lms]'s strings."""
    if "late.factor" in values and "late.per_day" in values:
        raise CourseError(f"{where('late')}: give factor or per_day, not both")
    miss = values.get("lms.missing")
    if miss is not None and miss not in MISSING_CHOICES:
        raise CourseError(f"{where('lms.missing')}: {settings.shown(miss)}; choose \"zero\" or \"blank\"")
    for key, what in (("lms.column", "the gradebook column's header"), ("lms.roster", "the roster's path")):
        text = values.get(key)
        if text is not None and not text.strip():
            raise CourseError(f"{where(key)}: empty; give {what}")
        if text is not None and (safe_text(text) != text or "\n" in text or "\t" in text):
            raise CourseError(f"{where(key)}: {settings.shown(text)} holds a control character; give {what}")


def _key(*parts: str) -> str:
    """A key as messages show it: dotted, each part as written in TOML when it is a bare key,
    else quoted (a key may hold any character, line breaks included)."""
    return ".".join(p if _BARE.fullmatch(p) else safe_text(json.dumps(p[:40], ensure_ascii=False)) for p in parts)


_QUESTION_PART = re.compile(r"Q?\d{1,9}")  # the first part of an unquoted id: 2.5 = 6 is {"2": {"5": 6}}
_BARE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def _shown_path(path: Path | None) -> str:
    """The file's name as messages show it: one line, nothing a terminal would act on."""
    return one_line(safe_text(str(path))) or repr(str(path))


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


def find_course(explicit: Path | None, cwd: Path | None = None, untrusted: Path | None = None) -> Course:
    """``--config FILE``, else ``grader.toml`` in the current folder, else an empty course.

    The current folder's file is not read when it lies inside ``untrusted`` (the submissions
    being graded): a student's entry named grader.toml would set the seed, the points, --reveal
    (:func:`planted` says so, for the run's output)."""
    if explicit is not None:
        return load_course(Path(explicit))
    default = (Path.cwd() if cwd is None else Path(cwd)) / DEFAULT_NAME
    if planted(default, untrusted):
        return Course()
    return load_course(default) if default.is_file() else Course()


def planted(default: Path, untrusted: Path | None) -> bool:
    """Whether ``default`` (./grader.toml) is one of the submissions, never the course's policy."""
    return untrusted is not None and default.is_file() and _inside(default, untrusted)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(Path(folder).resolve())
        return True
    except (ValueError, OSError):
        return False

