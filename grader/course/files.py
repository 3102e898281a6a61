"""Reading a file the instructor names (a course file, a roster): bounded, regular files only.

One rule for both, because the same mistakes happen with both: a folder or a pipe given by
mistake (a FIFO would block), ``/dev/zero`` or a log file (it must not fill the memory), a
file that cannot be read.  Each is one line naming the file and the fix; only the machine's
own failures (a full disk, an I/O error) propagate as they are.
"""
from __future__ import annotations

import stat
from pathlib import Path

from ..errors import is_machines


def read_bounded(path: Path, limit: int, shown: str, what: str, fix: str, error: type[Exception]) -> bytes:
    """At most ``limit + 1`` bytes of ``path`` (the caller says what more than ``limit`` means);
    ``error`` (a ValueError) in one line: "SHOWN: why; FIX", ``what`` naming the file's kind."""
    try:
        mode = Path(path).stat().st_mode
        if stat.S_ISDIR(mode):
            raise error(f"{shown}: is a folder; {fix}")
        if not stat.S_ISREG(mode):
            raise error(f"{shown}: not a regular file (a pipe or a device); {fix}")
        with open(path, "rb") as f:
            return f.read(limit + 1)
    except (FileNotFoundError, NotADirectoryError):
        raise error(f"{shown}: no such {what}; {fix}") from None
    except OSError as exc:
        if is_machines(exc):
            raise  # the machine's fault, not the file's (the CLI says so, exit 3)
        raise error(f"{shown}: cannot read the {what} ({exc.strerror or type(exc).__name__}); "
                    "check its permissions") from None
