"""The schema of every message a sandboxed child sends, checked before anything reads it.

The child's runtime (``_runtime.py``) sends, in this order: ``ready``, ``imported``, one
``result`` per question, ``done`` (or ``setup_failed`` instead of all of them).  Whatever the
student's code writes to the result pipe arrives the same way, so every field of every message
is checked here -- its type, its range, its size -- and anything the runtime never sends is
:class:`Forged`, which the reader charges to the question during which it arrived.  Nothing in
a message that passes can raise later (no NaN, no 10**400, no trial -1, no 9-d array): a
checked message holds only the plain values listed in its dataclass.

One function per kind of message, each reading top to bottom: :func:`check` picks it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import wire

STATUSES = ("ok", "error", "missing")  # of a question's result, as the runtime sends them
ERROR_CHARS, TRACEBACK_CHARS = wire.ERROR_CHARS, wire.TRACEBACK_CHARS  # (the runtime clips its own to these)
TYPE_CHARS = 100  # one Python type name the function returned
POS_MAX = 1 << 62  # a stdout/stderr offset
UID_MAX = 1 << 32


class Forged(ValueError):
    """A message the runtime never sends."""


@dataclass(frozen=True)
class Expect:
    """What the reader knows when a message arrives."""

    trials: dict[str, int]  # question id -> number of calls
    max_elements: int  # numbers one returned value may hold
    elapsed: float  # seconds since the child was started: no honest ``seconds`` is larger


@dataclass(frozen=True)
class Ready:
    uid: int


@dataclass(frozen=True)
class SetupFailed:
    error: str
    refused: bool = False  # the machine cannot run student code safely as asked (not a passing failure)


@dataclass(frozen=True)
class Imported:
    ok: bool
    seconds: float
    pos: tuple[int, int]
    next: str | None = None
    error: str = ""
    traceback: str = ""
    dropped: tuple[int, int] = (0, 0)  # bytes of stdout, stderr the child left out
    standins: list[str] = field(default_factory=list)  # display packages stood in for since the last message
    missing: list[str] = field(default_factory=list)  # modules the grader lacks, imported since then


@dataclass(frozen=True)
class Result:
    qid: str
    status: str  # one of STATUSES
    seconds: float
    pos: tuple[int, int]
    next: str | None
    error: str = ""
    traceback: str = ""
    trial: int | None = None  # the call that failed (status error)
    types: list[str] = field(default_factory=list)
    outputs: list[np.ndarray] = field(default_factory=list)  # one per call (status ok)
    stacked: np.ndarray | None = None  # the outputs as one array, when the child sent them so
    parts: np.ndarray | None = None  # a written sum's terms: (trials, terms, *answer) floats
    changed: tuple[int, ...] = ()  # positions of arguments the function changed in place
    raised: tuple[int, ...] = ()  # (a tolerant probe) the calls that raised
    dropped: tuple[int, int] = (0, 0)
    standins: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Done:
    pass


def check(tree, expect: Expect):
    """The message ``tree`` (as :func:`wire.decode` gave it) as one of the classes above."""
    if type(tree) is not dict:
        raise Forged("a message that is not a mapping")
    kind = tree.get("kind")
    checker = _CHECKERS.get(kind) if type(kind) is str else None
    if checker is None:
        raise Forged(f"a message of unknown kind {_show(kind)}")
    return checker(tree, expect)


def ready(tree: dict, expect: Expect) -> Ready:
    _keys(tree, {"kind", "uid"})
    return Ready(uid=_int(tree["uid"], "uid", -1, UID_MAX))


def setup_failed(tree: dict, expect: Expect) -> SetupFailed:
    _keys(tree, {"kind", "error"}, optional={"refused"})
    refused = tree.get("refused", False)
    if type(refused) is not bool:
        raise Forged("refused is not true or false")
    return SetupFailed(error=_text(tree["error"], "error", ERROR_CHARS), refused=refused)


def imported(tree: dict, expect: Expect) -> Imported:
    ok = tree.get("ok")
    if ok is True:
        _keys(tree, {"kind", "ok", "seconds", "next"} | SEGMENT)
        return Imported(ok=True, seconds=_seconds(tree["seconds"], expect), next=_next(tree["next"], expect),
                        **_segment(tree))
    if ok is False:
        _keys(tree, {"kind", "ok", "seconds", "error", "traceback"} | SEGMENT)
        return Imported(ok=False, seconds=_seconds(tree["seconds"], expect),
                        error=_text(tree["error"], "error", ERROR_CHARS),
                        traceback=_text(tree["traceback"], "traceback", TRACEBACK_CHARS), **_segment(tree))
    raise Forged("an import message without ok true or false")


def result(tree: dict, expect: Expect) -> Result:
    qid = tree.get("qid")
    if type(qid) is not str or qid not in expect.trials:
        raise Forged("a result for a question that was not asked")
    n = expect.trials[qid]
    common = {"kind", "qid", "status", "seconds", "next"} | SEGMENT
    status = tree.get("status")
    if status == "ok":
        answer = "stacked" if "stacked" in tree else "outputs"
        _keys(tree, common | {"types", answer}, optional={"parts", "changed", "raised"})
        outputs, stacked = _answers(tree[answer], answer, n, expect.max_elements)
        parts = _parts(tree["parts"], n, expect.max_elements) if "parts" in tree else None
        changed = _positions(tree["changed"], MAX_ARGUMENTS, "changed") if "changed" in tree else ()
        raised = _positions(tree["raised"], n, "raised") if "raised" in tree else ()
        return Result(qid, "ok", _seconds(tree["seconds"], expect), next=_next(tree["next"], expect),
                      types=_types(tree["types"], n), outputs=outputs, stacked=stacked, parts=parts,
                      changed=changed, raised=raised, **_segment(tree))
    if status == "error":
        _keys(tree, common | {"error"}, optional={"trial", "traceback"})
        return Result(qid, "error", _seconds(tree["seconds"], expect), next=_next(tree["next"], expect),
                      error=_text(tree["error"], "error", ERROR_CHARS),
                      traceback=_text(tree.get("traceback", ""), "traceback", TRACEBACK_CHARS),
                      trial=_int(tree["trial"], "trial", 0, n - 1) if "trial" in tree else None, **_segment(tree))
    if status == "missing":
        _keys(tree, common | {"error"})
        return Result(qid, "missing", _seconds(tree["seconds"], expect), next=_next(tree["next"], expect),
                      error=_text(tree["error"], "error", ERROR_CHARS), **_segment(tree))
    raise Forged(f"a result of unknown status {_show(status)}")


def done(tree: dict, expect: Expect) -> Done:
    _keys(tree, {"kind"})
    return Done()


_CHECKERS = {"ready": ready, "setup_failed": setup_failed, "imported": imported, "result": result, "done": done}


# --- fields -----------------------------------------------------------------------------------

SEGMENT = {"pos", "dropped", "standins", "missing"}  # what closes a segment of printed output
NAMES_MAX = 20  # module names in one message


def _segment(tree: dict) -> dict:
    """Where the output stands, what of it was dropped, and the modules met meanwhile."""
    return {"pos": _pair(tree["pos"], "pos"), "dropped": _pair(tree["dropped"], "dropped"),
            "standins": _names(tree["standins"], "standins"), "missing": _names(tree["missing"], "missing")}


def _pair(value, name: str) -> tuple[int, int]:
    if type(value) is not list or len(value) != 2:
        raise Forged(f"{name} is not a pair of byte counts")
    return _int(value[0], name, 0, POS_MAX), _int(value[1], name, 0, POS_MAX)


def _names(value, name: str) -> list[str]:
    if type(value) is not list or len(value) > NAMES_MAX or not all(
            type(v) is str and 0 < len(v) <= 60 and v.isidentifier() for v in value):
        raise Forged(f"{name} is not a short list of module names")
    return value

def _keys(tree: dict, required: set[str], optional: set[str] = frozenset()) -> None:
    missing, extra = required - tree.keys(), tree.keys() - required - optional
    if missing or extra:
        names = sorted(missing | extra)[:3]
        raise Forged(f"a {_show(tree.get('kind'))} message with {'missing' if missing else 'unknown'} "
                     f"fields {', '.join(_show(k) for k in names)}")


def _int(value, name: str, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise Forged(f"{name} {_show(value)} is not a whole number from {low} to {high}")
    return value


def _text(value, name: str, cap: int) -> str:
    if type(value) is not str or len(value) > cap:
        raise Forged(f"{name} is not a text of at most {cap} characters")
    return value


def _seconds(value, expect: Expect) -> float:
    # finite, not negative, and no more than the child has existed (the grader's own clock)
    if type(value) not in (int, float) or not (0 <= value <= expect.elapsed):  # (NaN fails this too)
        raise Forged(f"seconds {_show(value)} is not a time the child could have measured")
    return float(value)


def _next(value, expect: Expect) -> str | None:
    if value is not None and (type(value) is not str or value not in expect.trials):
        raise Forged("next names a question that was not asked")
    return value


def _types(value, n: int) -> list[str]:
    if type(value) is not list or len(value) > n or not all(type(t) is str and len(t) <= TYPE_CHARS for t in value):
        raise Forged("types is not a short list of type names")
    return value


MAX_PARTS = 16  # terms of one written answer (the runtime's own cap)


def _parts(value, n: int, max_elements: int) -> np.ndarray:
    """A written sum's terms on every trial: floats, (n, terms, ...), each trial within the
    runtime's caps."""
    if type(value) is not np.ndarray or value.dtype != np.float64:
        raise Forged("parts is not an array of floats")
    if value.ndim < 2 or value.shape[0] != n or not 1 <= value.shape[1] <= MAX_PARTS:
        raise Forged(f"parts is not {n} trials of at most {MAX_PARTS} terms")
    if value.size > n * MAX_PARTS * max_elements:
        raise Forged("parts holds more numbers than the answers")
    return value


MAX_ARGUMENTS = 64  # positions a "changed" list may name


def _positions(value, n: int, name: str) -> tuple[int, ...]:
    """Positions below ``n`` (argument positions, trials), each once, in increasing order."""
    if (type(value) is not list or not 0 < len(value) <= n
            or not all(type(v) is int and 0 <= v < n for v in value)
            or any(a >= b for a, b in zip(value, value[1:]))):
        raise Forged(f"{name} is not an increasing list of positions below {n}")
    return tuple(value)


def _answers(value, name: str, n: int, max_elements: int) -> tuple[list[np.ndarray], np.ndarray | None]:
    """One array per call (``outputs``) or all of them stacked (``stacked``), each within the
    limits the runtime enforces: at most ``max_elements`` numbers and ``MAX_NDIM - 1`` dimensions."""
    if name == "stacked":
        if type(value) is not np.ndarray or value.ndim < 1 or value.shape[0] != n:
            raise Forged(f"stacked is not an array of {n} answers")
        if value.size > n * max_elements:
            raise Forged(f"answers of more than {max_elements} numbers each")
        return [value[i, ...] for i in range(n)], value  # views, each a plain ndarray (0-d too)
    if type(value) is not list or len(value) != n or not all(type(o) is np.ndarray for o in value):
        raise Forged(f"outputs is not a list of {n} arrays")
    if any(o.ndim >= wire.MAX_NDIM for o in value):
        raise Forged(f"an answer of more than {wire.MAX_NDIM - 1} dimensions")
    if any(o.size > max_elements for o in value):
        raise Forged(f"an answer of more than {max_elements} numbers")
    return value, None


def _show(value) -> str:
    """A short, safe rendering of a value from the child, for a message."""
    try:
        text = repr(value) if type(value) in (str, int, float, bool, type(None)) else type(value).__name__
    except ValueError:  # an int of more digits than Python will print
        text = "a huge number"
    return text[:40] + ("..." if len(text) > 40 else "")
