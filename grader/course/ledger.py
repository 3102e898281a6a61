"""Overrides with an audit trail: an append-only ledger of grading decisions.

The ledger is a JSON Lines file (default ``grader-ledger.jsonl`` beside the course file; course
key ``[grading] ledger``; ``--ledger``).  Each line is one entry, never rewritten:

    {"id", "at" (UTC), "by", "student", "target", "points", "why", "replaces", "undo"}

``target`` is a question id, ``total`` (the whole score), or an exception with no points:
``excused`` (the LMS gets Canvas's ``EX``) or ``late-waived`` (no late penalty).  An undo is an
entry of its own (``undo``: the id it reverses).  ``replaces``: the automatic score the entry
overrode, when it was known (read from a graded output), so that a regrade that changes it is
shown for review.

:func:`apply` is idempotent: it first puts back the automatic scores (:func:`reset`), so a
result reused from an earlier grading, or a shard's result merged, gets the ledger once.
"""
from __future__ import annotations

import datetime as _dt
import getpass
import json
import os
import secrets
from pathlib import Path

from ..errors import UsageError
from ..text import number

DEFAULT_NAME = "grader-ledger.jsonl"
TOTAL = "total"
EXCEPTIONS = ("excused", "late-waived")
MAX_BYTES = 64 << 20


def default_path(course=None) -> Path:
    """``grader-ledger.jsonl`` beside the course file (or in the current folder without one)."""
    path = getattr(course, "path", None)
    return (Path(path).parent if path else Path.cwd()) / DEFAULT_NAME


def ledger_path(explicit: Path | None, course=None, must_exist: bool = False) -> Path | None:
    """``--ledger``, else the course file's ``[grading] ledger``, else the default one when it
    exists (``must_exist``: a grading applies a ledger only when there is one)."""
    if explicit is not None:
        return Path(explicit)
    configured = getattr(course, "ledger", None)
    if configured is not None:
        return Path(configured)
    path = default_path(course)
    return path if not must_exist or path.is_file() else None


def key(student: str) -> str:
    """Students match as ids match everywhere (an email's case does not matter)."""
    from ..assignment import normalize_student
    return normalize_student(student)


def read(path: Path) -> list[dict]:
    """Every entry of the ledger, in order (none when the file does not exist); a damaged line
    is a one-line error naming it."""
    path = Path(path)
    if not path.exists():
        return []
    if path.stat().st_size > MAX_BYTES:
        raise UsageError(f"{path}: larger than 64 MiB; is it a grading ledger?")
    entries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            e = json.loads(line)
        except ValueError:
            e = None
        if not isinstance(e, dict) or not isinstance(e.get("id"), str) or not isinstance(e.get("student", ""), str):
            raise UsageError(f"{path}, line {n}: not a ledger entry; the ledger is append-only: "
                             "restore the line (undo with grader override --undo ID)")
        entries.append(e)
    return entries


def _append(path: Path, entry: dict) -> dict:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(entry, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return entry


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _who(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name on this machine
        return "unknown"


def _why(why: str) -> str:
    why = " ".join((why or "").split())
    if not why:
        raise UsageError("--why: say why (it is kept in the ledger and shown on the student's report)")
    return why


def parse_target(target: str) -> str:
    t = target.strip()
    if t.casefold() in (TOTAL, *EXCEPTIONS):
        return t.casefold()
    return t.removeprefix("Q").removeprefix("q")


def check(assignment, student: str, target: str, points: float | None, students=None) -> None:
    """A bad override is a one-line usage error: unknown question, points outside its range,
    points given to an exception or missing for a score, a student not in ``students``."""
    ids = [q.id for q in assignment.questions]
    if target in EXCEPTIONS:
        if points is not None:
            raise UsageError(f"{target} takes no points: grader override {student} {target} --why TEXT")
    else:
        if target == TOTAL:
            most = float(assignment.max_score)
        elif target in ids:
            most = float(next(q.points for q in assignment.questions if q.id == target))
        else:
            raise UsageError(f"{target!r} is not a question of {assignment.name}; use one of "
                             + ", ".join(ids) + f", {TOTAL}, " + ", ".join(EXCEPTIONS))
        if points is None:
            raise UsageError(f"give the points for {target}: grader override {student} {target} POINTS --why TEXT")
        if not (0 <= points <= most):  # (nan too)
            raise UsageError(f"{number(points)} points for {target} is outside 0 to {number(most)}")
    if students is not None and key(student) not in {key(s) for s in students}:
        raise UsageError(f"{student!r} is not a student of the roster or graded output given; check the id")


def record(path: Path, student: str, target: str, points: float | None, why: str, by: str | None = None,
           replaces: float | None = None) -> dict:
    """Append an override and return it."""
    return _append(path, {"id": secrets.token_hex(4), "at": _now(), "by": _who(by), "student": student,
                          "target": target, "points": points, "why": _why(why), "replaces": replaces, "undo": ""})


def undo(path: Path, entry_id: str, why: str, by: str | None = None) -> dict:
    """Append the reversal of entry ``entry_id`` (which must be an override still in force)."""
    entries = read(path)
    done = {e.get("undo") for e in entries if e.get("undo")}
    target = next((e for e in entries if e["id"] == entry_id and not e.get("undo")), None)
    if target is None:
        raise UsageError(f"{path}: no override with id {entry_id!r}; see grader ledger")
    if entry_id in done:
        raise UsageError(f"{path}: override {entry_id} is already undone")
    return _append(path, {"id": secrets.token_hex(4), "at": _now(), "by": _who(by), "student": target["student"],
                          "target": target["target"], "points": None, "why": _why(why), "replaces": None,
                          "undo": entry_id})


def in_force(entries: list[dict]) -> dict[str, dict[str, dict]]:
    """student key -> target -> the latest entry still in force (undone ones dropped)."""
    undone = {e["undo"] for e in entries if e.get("undo")}
    out: dict[str, dict[str, dict]] = {}
    for e in entries:
        if e.get("undo") or e["id"] in undone:
            continue
        out.setdefault(key(e["student"]), {})[e["target"]] = e
    return out


def check_all(path: Path, entries: list[dict], assignment) -> None:
    """Every entry in force still fits the assignment (a question removed, points lowered)."""
    for by_target in in_force(entries).values():
        for e in by_target.values():
            try:
                check(assignment, e["student"], e["target"], e.get("points"))
            except UsageError as exc:
                raise UsageError(f"{path}: override {e['id']}: {exc}") from None


class Ledger:
    """A ledger read once, applied to each result at publish time."""

    def __init__(self, path: Path, entries: list[dict] | None = None):
        self.path = Path(path)
        self.entries = read(self.path) if entries is None else entries
        self.by_student = in_force(self.entries)
        self.changed: list[str] = []  # automatic scores under an override that changed since
        self.applied = 0

    def affects(self, student: str) -> bool:
        return key(student) in self.by_student

    def apply(self, sub, count: bool = True) -> bool:
        """Put back ``sub``'s automatic scores, then apply what the ledger decided for it;
        whether anything applies.  ``count``: note it in :meth:`summary` (once a student)."""
        reset(sub)
        decided = self.by_student.get(key(sub.student))
        if not decided:
            return False
        for q in sub.questions:
            e = decided.get(q.id)
            if e is not None:
                if count:
                    self._changed(sub, q.id, e, q.score)
                q.automatic_score, q.score = q.score, float(e["points"])
                q.override = _shown(e)
        automatic = sub.score
        if TOTAL in decided and count:
            self._changed(sub, TOTAL, decided[TOTAL], automatic)
        wave = decided.get("late-waived")
        late_was = sub.late_factor
        if wave is not None:
            sub.late_factor = 1.0
        sub.score = round(float(sum(q.score for q in sub.questions)) * sub.late_factor, 6)
        if TOTAL in decided:
            sub.score = float(decided[TOTAL]["points"])
        sub.automatic_score = automatic
        sub.excused = "excused" in decided
        sub.overrides = [{**_shown(e), "target": t, **({"late_factor": late_was} if t == "late-waived" else {})}
                         for t, e in decided.items()]
        self.applied += count
        return True

    def _changed(self, sub, target: str, e: dict, now: float) -> None:
        was = e.get("replaces")
        if isinstance(was, (int, float)) and abs(float(was) - float(now)) > 1e-9:
            self.changed.append(f"{sub.student} {target}: the automatic score is now {number(now)}, was {number(was)} when "
                                f"override {e['id']} ({e.get('points')}) was recorded; review it")

    def summary(self) -> dict:
        return {"file": str(self.path), "entries": len(self.entries), "applied": self.applied,
                "changed": list(self.changed)}


def _shown(e: dict) -> dict:
    return {"id": e["id"], "points": e.get("points"), "why": e.get("why", ""), "by": e.get("by", ""),
            "at": e.get("at", "")}


def reset(sub) -> None:
    """``sub`` as graded, without any override (idempotent)."""
    for q in sub.questions:
        if q.automatic_score is not None:
            q.score = q.automatic_score
        q.automatic_score, q.override = None, None
    for o in sub.overrides or ():
        if o.get("target") == "late-waived" and isinstance(o.get("late_factor"), (int, float)):
            sub.late_factor = float(o["late_factor"])
    if sub.automatic_score is not None:
        sub.score = sub.automatic_score
    sub.automatic_score, sub.excused, sub.overrides = None, False, []


def graded_scores(results: Path) -> dict[str, "object"]:
    """student key -> their result in a graded output's results.json (for ``replaces`` and
    the known students)."""
    from ..results import iter_submissions
    return {key(s.student): s for s in iter_submissions(Path(results))}


def automatic(sub, target: str) -> float | None:
    """The automatic score ``target`` of ``sub`` had (None for an exception)."""
    if target in EXCEPTIONS:
        return None
    if target == TOTAL:
        return sub.automatic_score if sub.automatic_score is not None else sub.score
    q = next((q for q in sub.questions if q.id == target), None)
    if q is None:
        return None
    return q.automatic_score if q.automatic_score is not None else q.score
