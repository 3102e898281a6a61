"""Whose fault a failure is: the input's or the machine's, and the one line that says so.

Every command maps these to its exit code (:func:`grader.cli._reported`):

- :class:`UsageError` (and any ``ValueError``): bad input from the user, exit 2;
- :class:`MachineError`: the machine stopped the run (a full disk, I/O errors, no file
  descriptors left, no sandbox), exit 3.

:func:`machine_error` is the one place an ``OSError`` becomes a :class:`MachineError`, with the
one-line message that names the folder and the fix; every stage that writes (the output folder,
files renamed into place, a merge, a handout, a bundle) goes through it.
"""
from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import NoReturn

# The errnos of the machine, not of one input: they stop a run wherever they happen (a
# submission that cannot be copied for one of these would fail every other one too).
MACHINE_ERRNOS = frozenset(getattr(errno, n) for n in ("ENOSPC", "EDQUOT", "EROFS", "EMFILE", "ENFILE", "EIO")
                           if hasattr(errno, n))

FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
# A read-only file system stops a run too, but it is a place the user chose and can change
# (``--out`` on a read-only mount): exit 2, "check the path and its permissions".
USERS = frozenset({errno.EROFS})


class UsageError(ValueError):
    """Bad input from the user: the message names the file and the fix (exit 2)."""


class MachineError(RuntimeError):
    """The machine, not the input, stopped the run (a full or failing disk, no descriptors
    left, no sandbox): exit 3.  The message is one line and says what to do."""


def is_machines(exc: BaseException) -> bool:
    """An ``OSError`` that stops the whole run (see :data:`MACHINE_ERRNOS`), not one input's."""
    return isinstance(exc, OSError) and exc.errno in MACHINE_ERRNOS


def is_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in FULL


def mib(n: float) -> str:
    """A size for people: KiB below a MiB, else MiB."""
    return f"{n / 2**10:.0f} KiB" if n < 2**20 else f"{n / 2**20:.1f} MiB"


def free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def machine_error(exc: BaseException, folder: Path | None = None, written: int | None = None,
                  needed: int | None = None, what: str = "") -> BaseException:
    """``exc`` itself unless it is an ``OSError`` of the machine; then a one-line
    :class:`MachineError` to raise in its place (``raise err from exc``).

    A full disk names ``folder`` (default: the folder of the file that failed), ``what`` was
    being written, how much was ``needed`` and ``written`` when it failed, and what is free;
    another fault of the machine (I/O error, no file descriptors left) names the file.
    """
    if not is_machines(exc) or exc.errno in USERS:
        return exc
    if folder is None:
        folder = Path(exc.filename).parent if exc.filename else Path(".")
    if not is_full(exc):
        where = f"{exc.filename}: " if exc.filename else ""
        return MachineError(f"{where}{exc.strerror or exc}: a fault of this machine, not of the input; "
                            "fix it and run again")
    parts = [f"no space left on the disk of {folder}"
             + (f" while writing {what}" if what and what != str(folder) else "")]
    if needed:
        parts.append(f"about {mib(needed)} needed")
    if written is not None:
        parts.append(f"{mib(written)} written when it failed (removed)")
    free = free_bytes(folder)
    if free is not None:
        parts.append(f"{mib(free)} free")
    return MachineError("; ".join(parts) + "; free some space and run again (earlier outputs are untouched)")


def reraise(exc: BaseException, folder: Path | None = None, written: int | None = None,
            needed: int | None = None, what: str = "") -> NoReturn:
    """Raise ``exc`` again (call it in the ``except`` block that caught it), as the
    :class:`MachineError` of :func:`machine_error` when it is the machine's."""
    err = machine_error(exc, folder, written, needed, what)
    if err is exc:
        raise exc
    raise err from exc
