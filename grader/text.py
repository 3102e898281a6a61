"""Text the grader writes, one rule for each thing.

Student-controlled text, made safe for where it goes:

* :func:`safe_text`: terminals, messages, CSV, JUnit (HTML escapes on top of this): every
  character that could drive a terminal becomes a visible escape (``\\x1b``);
* :func:`printable`: pages and files other programs parse (HTML, XML, JSON, Markdown):
  terminal escape sequences dropped, every other character such a file should not hold
  replaced (by U+FFFD on a page, by nothing where the format cannot hold it at all);
* :func:`one_line`: a message on one line.

Numbers: :func:`number` (any value shown to people), :func:`constant` (a factor, as a fraction
where it is one), :func:`shape` (an array's shape).
"""
from __future__ import annotations

import functools
import re

# Control characters (but tab and newline) and the bidirectional overrides, shown as escapes:
# student text reaches terminals, where ESC sequences and a bare CR could forge output lines.
_UNSAFE = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0)]}
_UNSAFE.update({c: f"\\u{c:04x}" for c in [*range(0x202a, 0x202f), *range(0x2066, 0x206a), 0x200e, 0x200f,
                                               0x061c, 0xfeff]})
_UNSAFE.update({c: "\ufffd" for c in range(0xd800, 0xe000)})  # lone surrogates cannot be written out


def safe_text(text: str) -> str:
    """``text`` with every character that could drive a terminal replaced by a visible escape."""
    return text.translate(_UNSAFE)


def one_line(text: str) -> str:
    """A message is one line (CLI tables, CSV, JUnit); the student's own line breaks become ' / '."""
    return " / ".join(part.strip() for part in text.splitlines() if part.strip())


# ECMA-48 escape sequences (colours, cursor moves, screen clears): a CSI (ESC [, parameter
# bytes, intermediate bytes, one final byte), or ESC and one character of @ to _.
_ESCAPE_SEQUENCE = r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]"
# What no page or parsed file should hold: C0 controls but tab, newline and CR; DEL and the C1
# controls; lone surrogates (no encoding writes them); U+FFFE and U+FFFF.  Exactly what XML 1.0
# cannot hold, even escaped.
_NOT_PRINTABLE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"


@functools.cache
def _pattern(source: str) -> re.Pattern:
    """Compiled when first used: the class above takes ~30 ms, and every command (and each
    sandbox) imports this module whether it cleans any text or not."""
    return re.compile(source)


def printable(text, mark: str = "\ufffd") -> str:
    """``text`` (any object; None is "") for a page or a parsed file: terminal escape sequences
    dropped (they mean nothing there), every other character such a file should not hold
    replaced by ``mark``: U+FFFD on a page, where the reader should see that something was
    there; "" where the format cannot hold it (XML, JSON, Markdown)."""
    s = "" if text is None else str(text)
    return _pattern(_NOT_PRINTABLE).sub(mark, _pattern(_ESCAPE_SEQUENCE).sub("", s))


# --- numbers --------------------------------------------------------------------------------

def number(x, digits: int = 6) -> str:
    """A number as people read it, the same everywhere (verdicts, reports, grade files): an
    integer as one (a float with an integer value too, below 1e15, where float64 still holds
    every integer), anything else with ``digits`` significant digits; nan, inf and -inf as
    such; True and False for booleans; what is not a number as its ``str``."""
    kind = getattr(getattr(x, "dtype", None), "kind", "")  # (NumPy scalars, without importing NumPy)
    if isinstance(x, bool) or kind == "b":
        return str(bool(x))
    if isinstance(x, int) or kind in ("i", "u"):
        return str(int(x))
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else f"{x:.{digits}g}"


def constant(c: float, digits: int = 6) -> str:
    """A factor or constant in a finding: a fraction with a denominator up to 16 when it is one
    (``1/2``, ``-3/4``, ``2``), else :func:`number`."""
    from fractions import Fraction
    c = float(c)
    if c != c or c in (float("inf"), float("-inf")):
        return number(c, digits)
    fr = Fraction(c).limit_denominator(16)
    if abs(float(fr) - c) <= 1e-9 * abs(c):
        return str(fr.numerator) if fr.denominator == 1 else f"{fr.numerator}/{fr.denominator}"
    return number(c, digits)


def shape(dims) -> str:
    """An array's shape as Python writes a tuple: ``(2, 3)``, ``(5,)``, ``()``."""
    dims = tuple(dims)
    return "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"
