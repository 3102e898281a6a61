"""Student-controlled text made safe to show anywhere: terminals, CSV, JUnit, HTML (which
escapes on top of this)."""
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
