"""How a written answer was read, as MathML: the report's echo of each statement.

The reading comes back from the sandbox as plain text in the notation's own printed form
(:func:`grader.intake.notation.pretty`: ``o[m] = σ(Σ_{pi=1..2} w[pi,pj,k,m]·z[pi,pj,k]) for m=1..2``,
``∂E/∂w[pi,pj,k,m] = …``).  It is untrusted text, so it is never passed on as markup: this module
reads it token by token (one linear regex; nesting capped at :data:`MAX_NESTING`) and builds
presentation MathML in which every piece of text is escaped.  Whatever it does not recognise
becomes an escaped ``<mo>``/``<mi>``: the echo may look plain, never break the page.
"""
from __future__ import annotations

import re
from html import escape

from .formula import MATH_OPEN

MAX_LINE = 2000  # characters of one statement rendered as MathML (longer: left as text)
MAX_NESTING = 24  # subscripts and groups inside one another

_TOKEN = re.compile(r"\s+|∂[A-Za-z]\w*/∂[A-Za-z]\w*|Σ_\{|[A-Za-z][A-Za-z0-9']*|\d+(?:\.\d+)?|\.\.|\+=|==|<=|>=|!=|.",
                    re.DOTALL)
_OPS = {"·": "&#x22C5;", "−": "&#x2212;", "..": "&#x2026;", "<=": "&#x2264;", ">=": "&#x2265;", "!=": "&#x2260;",
        "==": "=", "+=": "+="}
_WORDS = {"for", "and", "max", "min", "argmax", "argmin", "exp", "log", "tanh"}


def reading_mathml(line: str) -> str | None:
    """One statement of the reading as a display ``<math>`` element, or None when it is not a
    statement (a "not graded" line, an error's caret line, an over-long line)."""
    if not line.strip() or len(line) > MAX_LINE or line.lstrip().startswith("(") and "not graded" in line:
        return None
    if "=" not in line:
        return None
    line = "".join(ch if ch.isprintable() else "\ufffd" for ch in line)  # (no control characters in XML)
    tokens = [t for t in _TOKEN.findall(line) if not t.isspace()]
    out, _ = _seq(tokens, 0, None, 0)
    return f"{MATH_OPEN}<mrow>{''.join(out)}</mrow></math>"


def lines(reading: str, limit: int) -> list[tuple[str | None, str]]:
    """The reading's lines (up to about ``limit`` characters in all), each with its MathML or None."""
    out, used = [], 0
    for line in reading.splitlines():
        if used + len(line) > max(limit, 0):
            out.append((None, f"… [{len(reading) - used} characters not shown]"))
            break
        used += len(line) + 1
        out.append((reading_mathml(line), line))
    return out


def _seq(tokens: list[str], i: int, stop: str | None, depth: int) -> tuple[list[str], int]:
    """MathML pieces from ``tokens[i:]`` up to ``stop`` (consumed); the index after it."""
    out: list[str] = []
    while i < len(tokens):
        t = tokens[i]
        if t == stop:
            return out, i + 1
        i += 1
        nxt = tokens[i] if i < len(tokens) else ""
        if t == "Σ_{" and depth < MAX_NESTING:
            under, i = _seq(tokens, i, "}", depth + 1)
            out.append(f"<munder><mo>&#x2211;</mo><mrow>{''.join(under)}</mrow></munder>")
        elif nxt == "_" and i + 1 < len(tokens) and tokens[i + 1] == "{" and depth < MAX_NESTING:  # argmax_{…}
            under, i = _seq(tokens, i + 2, "}", depth + 1)
            out.append(f"<munder>{_atom(t)}<mrow>{''.join(under)}</mrow></munder>")
        elif t.startswith("∂") and "/∂" in t:
            num, den = t[1:].split("/∂", 1)
            denominator = f"<mi>{escape(den)}</mi>"
            if nxt == "[" and depth < MAX_NESTING:
                sub, i = _seq(tokens, i + 1, "]", depth + 1)
                denominator = f"<msub><mi>{escape(den)}</mi><mrow>{''.join(sub)}</mrow></msub>"
            out.append(f"<mfrac><mrow><mo>&#x2202;</mo><mi>{escape(num)}</mi></mrow>"
                       f"<mrow><mo>&#x2202;</mo>{denominator}</mrow></mfrac>")
        elif (t[0].isalpha() or t.isdigit()) and nxt == "[" and depth < MAX_NESTING and not (t == "1"):
            sub, i = _seq(tokens, i + 1, "]", depth + 1)
            out.append(f"<msub>{_atom(t)}<mrow>{''.join(sub)}</mrow></msub>")
        elif t == "^" and out and i < len(tokens):
            if tokens[i] == "(" and depth < MAX_NESTING:
                group, i = _seq(tokens, i + 1, ")", depth + 1)
                power = f"<mrow><mo>(</mo>{''.join(group)}<mo>)</mo></mrow>"
            else:
                power, i = _atom(tokens[i]), i + 1
            out[-1] = f"<msup>{out[-1]}{power}</msup>"
        else:
            out.append(_atom(t))
    return out, i


def _atom(t: str) -> str:
    if t.isdigit() or re.fullmatch(r"\d+\.\d+", t):
        return f"<mn>{t}</mn>"
    if t in _WORDS:
        return f"<mtext>&#xA0;{t}&#xA0;</mtext>" if t in ("for", "and") else f"<mi>{t}</mi>"
    if t[0].isalpha():
        return f"<mi>{escape(t)}</mi>"
    return f"<mo>{_OPS.get(t, escape(t))}</mo>"
