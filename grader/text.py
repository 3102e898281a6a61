"""Text the grader writes, one rule for each thing.

Student-controlled text made safe to show anywhere: :func:`safe_text` (terminals, CSV, JUnit,
HTML, which escapes on top of this) and :func:`one_line`.  Numbers: :func:`number` (any value
shown to people), :func:`constant` (a factor, as a fraction where it is one), :func:`shape`
(an array's shape).
"""
from __future__ import annotations

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
