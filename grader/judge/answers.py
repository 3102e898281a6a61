"""Written assignments speak of answers, not code.

A written submission's questions run as generated functions in the sandbox (see
:mod:`grader.intake.written`), so what comes back is worded for code: function names, "raises
NotImplementedError", "returned", calls, tracebacks into the generated module.  :func:`as_answer`
rewords one question's result for the student who wrote the answer, and moves the echo of how the
answer was read (printed by :func:`grader.intake.notation.answer`) out of the printed output into
``QuestionResult.reading``, where reports show it before the verdict.
"""
from __future__ import annotations

import re

from ..results import QuestionResult
from ..text import one_line

_ECHO = re.compile(r"How your answer to [^\n]* was read:\n")
_INTERNAL = re.compile(r"\b(?:NotationError|NoAnswer|NotImplementedError)\b:?\s*")
_CODE_WORDS = ((re.compile(r"\breturned (\d+) answers for (\d+) calls\b"), r"gave \1 answers for \2 trials"),
               (re.compile(r"\breturned shape\b"), "gives shape"),
               (re.compile(r"\breturned something\b"), "gives something"),
               (re.compile(r"\bcalls?\b"), "trial"),
               (re.compile(r"\byour (?:code|function)\b", re.I), "your answer"))


def words(text: str, function: str, qid: str) -> str:
    """``text`` with the code's words replaced by the answer's."""
    if function:
        text = re.sub(rf"\b{re.escape(function)}\b(?:\(\))?", f"your answer to {qid}", text)
    text = re.sub(r"_cnn_\w+(?:\.py)?", "the grader", text)
    for pattern, repl in _CODE_WORDS:
        text = pattern.sub(repl, text)
    return text


def as_answer(res: QuestionResult, error: str = "") -> QuestionResult:
    """Reword ``res`` (a written assignment's question) in place; ``error``: the sandbox's full
    error text (with the spot of an unreadable answer, which the one-line message loses)."""
    qid = res.id
    out = res.stdout or ""
    echo = _ECHO.search(out)
    if echo:  # printed once, when the answer was first read: nothing else prints in a written submission
        res.reading = out[echo.end():].strip("\n")
        res.stdout = out[:echo.start()].strip("\n")
    res.traceback = ""  # a traceback of the generated module says nothing about the answer
    if res.status == "missing":
        res.message = f"no answer to {qid}: write it under a heading '## {qid}'"
    elif res.status == "error":
        text = error or res.message
        reason = _INTERNAL.sub("", text, count=1).strip("\n") if _INTERNAL.match(text) else text.strip("\n")
        if echo:  # read, but not every element could be evaluated
            where = re.search(r" on trial \d+ \([^)]*\)$", res.message)
            res.message = (f"your answer to {qid} could not be evaluated: {one_line(reason)}"
                           + (where.group(0) if where else ""))
        else:  # not read: the reason, and the spot under its caret
            res.reading = reason
            res.message = f"your answer to {qid} could not be read: {reason.splitlines()[0] if reason else '?'}"
    res.message = words(res.message, res.function, qid)
    res.notes = [words(n, res.function, qid) for n in res.notes]
    return res
