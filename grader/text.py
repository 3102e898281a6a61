"""Text the grader writes, one rule for each thing.

Student-controlled text, made safe for where it goes:

* :func:`safe_text`: terminals, messages, CSV, JUnit (HTML escapes on top of this): every
  character that could drive a terminal becomes a visible escape (``\\x1b``); :func:`safe_name`
  for a name, which stays on one line;
* :func:`printable`: pages and files other programs parse (HTML, XML, JSON, Markdown):
  terminal escape sequences dropped, every other character such a file should not hold
  replaced (by U+FFFD on a page, by nothing where the format cannot hold it at all);
* :func:`one_line`: a message on one line.

Numbers: :func:`number` (any value shown to people), :func:`constant` (a factor, as a fraction
where it is one), :func:`shape` (an array's shape).  File names: :func:`file_name` (the length
rule) and :func:`student_file_name` (a file named after a student id).
"""
from __future__ import annotations

import functools
import os
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


# A name's bytes that are not UTF-8 reach Python as surrogate escapes (U+DC80..U+DCFF, one per
# byte: os.fsdecode); shown as the byte they stand for (``\\xe9``), never as U+FFFD, so that
# latin-1 ``René.py`` and ``Renè.py`` stay two students (``Ren\\xe9``, ``Ren\\xe8``), each the same
# on every run.  The C1 controls (U+0080..U+009F, valid UTF-8) are ``\\u0085`` in a name, never
# ``\\x85``, which is the undecodable byte 0x85.
# Characters a page or a terminal shows as nothing (zero-width and format characters, the soft
# hyphen, variation selectors, fillers) or as a line break: in a name they would make a second row that reads exactly like
# another student's (``honest_a`` + U+200B), so a name shows them as escapes.  Unicode's Cf
# characters and U+2028/U+2029, listed (a scan costs an import ~20 ms).  Spaces other than
# U+0020 stay: around an id they are removed like any space (one student, never counting first).
_INVISIBLE = [0xad, *range(0x600, 0x606), 0x61c, 0x6dd, 0x70f, 0x890, 0x891, 0x8e2, 0x180e,
              *range(0x200b, 0x2010), 0x2028, 0x2029, *range(0x202a, 0x202f), *range(0x2060, 0x2065),
              *range(0x2066, 0x2070), 0xfeff, 0xfff9, 0xfffa, 0xfffb, 0x110bd, 0x110cd,
              *range(0x13430, 0x13440), *range(0x1bca0, 0x1bca4), *range(0x1d173, 0x1d17b), 0xe0001,
              *range(0xe0020, 0xe0080),
              # blank without being format characters: variation selectors, the combining grapheme
              # joiner, Hangul and Khmer fillers, Mongolian selectors, the braille blank
              *range(0xfe00, 0xfe10), *range(0xe0100, 0xe01f0), 0x34f, 0x115f, 0x1160, 0x17b4, 0x17b5,
              *range(0x180b, 0x1810), 0x2800, 0x3164, 0xffa0, 0x1d159]
_UNSAFE_NAME = {**_UNSAFE, 0x09: "\\x09", 0x0a: "\\x0a", **{c: f"\\u{c:04x}" for c in range(0x80, 0xa0)},
                **{c: (f"\\u{c:04x}" if c <= 0xffff else f"\\U{c:08x}") for c in _INVISIBLE},
                **{0xdc00 + b: f"\\x{b:02x}" for b in range(0x80, 0x100)}}
# A backslash of the name itself where it could be read as (part of) an escape: before ``x``,
# ``u``, ``U``, another backslash, or a character shown by an escape.  Doubled there, so a file
# literally named ``Ren\\xe9.py`` (id ``Ren\\\\xe9``) is never latin-1 ``René.py`` (``Ren\\xe9``).
_AMBIGUOUS_BACKSLASH = "\\\\(?=[\\\\xuU" + "".join(f"\\u{c:04x}" if c <= 0xffff else f"\\U{c:08x}"
                                                for c in sorted(_UNSAFE_NAME)
                                                if _UNSAFE_NAME[c].startswith("\\")) + "])"


def safe_name(text: str) -> str:
    """A name (a file's) as one cell of one line, and the student id it gives: :func:`safe_text`,
    with tab and line feed escaped too (a line feed in a file name once forged rows of the
    gradebook and the terminal table for every reader that reads by lines), each byte of the
    name that is not UTF-8 as its escape (``\\xe9``: two names differing only there stay two
    names), and a backslash of the name doubled where it could be read as an escape: two names
    never give one id (see :func:`typed_name` for an id given back to the grader)."""
    if "\\" in text:
        text = _pattern(_AMBIGUOUS_BACKSLASH).sub(r"\\\\", text)
    return text.translate(_UNSAFE_NAME)


def typed_name(text: str) -> str:
    """A student id as given back to the grader (typed after ``--only``, read from a grade file,
    a ledger or a shard it wrote): its backslashes are the id's own escapes, kept as they are;
    raw bytes and control characters in it take :func:`safe_name`'s escapes.  So an id is its
    own form (``typed_name(safe_name(n)) == safe_name(n)``), and ``--only $'Ren\\xe9'`` (raw
    bytes) and ``--only 'Ren\\xe9'`` (the id as shown) name the same student."""
    return text.translate(_UNSAFE_NAME)


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


# --- file names -----------------------------------------------------------------------------

NAME_MAX = 255  # bytes in one file name (ext4, XFS, btrfs, APFS...): a longer one cannot be made


def file_name(name: str, limit: int = NAME_MAX) -> str:
    """``name`` within ``limit`` bytes, as the file system counts them: whole characters cut
    from the end of its stem, its extension (``.json``) kept; unchanged when it fits."""
    raw = _fs_bytes(name)
    if len(raw) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    tail = _fs_bytes(dot + ext) if dot and stem else b""
    if len(tail) >= limit:
        tail = b""  # (an "extension" that long is not one: cut the name from its end)
    return os.fsdecode(_cut(raw[:len(raw) - len(tail)], limit - len(tail)) + tail)


def student_file_name(student: str, used: set[str], extension: str = "", limit: int = NAME_MAX) -> str:
    """A file name for a student id: letters and digits of any script and ``-_.@`` kept,
    anything else (a path separator...) ``_``, no dot at either end (no hidden file, no
    ``..``), then ``extension``; unique in ``used`` ignoring case (``-2``, ``-3``... before the
    extension), as a case-blind file system needs; within ``limit`` bytes, suffix included.
    The name is added to ``used`` (lower-cased)."""
    base = _fs_bytes("".join(c if c.isalnum() or c in "-_.@" else "_" for c in student).strip(".") or "student")
    i = 1
    while True:
        tail = (f"-{i}" if i > 1 else "") + extension
        name = os.fsdecode(_cut(base, limit - len(_fs_bytes(tail)))) + tail
        if name.lower() not in used:
            used.add(name.lower())
            return name
        i += 1


def _fs_bytes(name: str) -> bytes:
    """``name`` as the file system gets it (UTF-8; bytes that were not UTF-8 as they came)."""
    try:
        return os.fsencode(name)
    except UnicodeEncodeError:  # a lone surrogate no file system can hold
        return name.encode("utf-8", "replace")


def _cut(raw: bytes, limit: int) -> bytes:
    """The first ``limit`` bytes of ``raw``, without a UTF-8 character cut in two."""
    n = max(limit, 0)
    if n >= len(raw):
        return raw
    start = n
    while start > 0 and n - start < 3 and raw[start] & 0xC0 == 0x80:  # inside a character:
        start -= 1  # back to its first byte
    return raw[:start] if raw[start] & 0xC0 == 0xC0 else raw[:n]
