"""Writing outputs so that a killed or starved run leaves nothing half-written and loses nothing.

* Files outside an output folder (``--junit``, ``--gradescope``, ``check --html``, LMS files)
  are written to a temporary name beside the target and renamed over it: readers see the old
  file or the new one, never a part.  A temporary name carries the writer's identity (boot,
  PID, process start time), so the next run removes those a killed run left, and only those.
* :func:`exchange` swaps two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``), so an
  output folder being replaced never stops existing; elsewhere it falls back to two renames,
  with a window of two system calls where the folder is absent.
* A full disk (or another fault of the machine) while writing is a one-line
  :class:`~grader.errors.MachineError` (:func:`grader.errors.reraise`), with nothing left behind.
"""
from __future__ import annotations

import ctypes
import errno
import os
import re
import socket
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterable, Iterator

from ..errors import reraise
from ..text import NAME_MAX, file_name


# --- who wrote a temporary file: the same process, still running? ---------------------------

def pid_exists(pid: int) -> bool:
    """Whether a process ``pid`` exists (one we may not signal exists too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _boot_tag() -> str:
    """This boot of this machine (the kernel's boot id; the host name where there is no /proc)."""
    try:
        tag = Path("/proc/sys/kernel/random/boot_id").read_text().strip().replace("-", "")[:12]
    except OSError:
        tag = socket.gethostname()[:32] or "host"
    return re.sub(r"[^0-9A-Za-z_]", "_", tag)


def _start_ticks(pid: int) -> int | None:
    """The process's start time (clock ticks since boot, /proc/PID/stat field 22), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    try:  # the command name (field 2) may hold spaces and parentheses: split after the last ')'
        return int(stat[stat.rindex(b")") + 2:].split()[19])
    except (ValueError, IndexError):
        return None


def identity() -> dict:
    """This process, as recorded in a staging marker and in temporary names."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "boot": _boot_tag(), "pid": pid, "start": _start_ticks(pid) or 0}


def alive(ident: dict) -> bool:
    """Could the process that wrote ``ident`` still be running?  True when in doubt (another
    machine sharing the folder, no /proc to tell a reused PID): its files are never touched."""
    try:
        pid, start = int(ident["pid"]), int(ident.get("start") or 0)
    except (KeyError, TypeError, ValueError):
        return True
    host = ident.get("host")
    if host is not None and host != socket.gethostname():
        return True  # another machine writing to a shared folder
    if not os.path.isdir("/proc/self"):
        return pid_exists(pid)
    if ident.get("boot") != _boot_tag():
        return host is None  # this machine before a reboot (dead), or unknown (leave it)
    now = _start_ticks(pid)
    return now is not None and (not start or now == start)


# --- temporary files renamed into place -----------------------------------------------------

_TMP = re.compile(r"^\.(?P<name>.+)\.(?P<boot>[0-9A-Za-z_]+)-(?P<pid>\d+)-(?P<start>\d+)-[0-9a-f]{8}\.cnn-grader-tmp$")


def temp_name(target: Path) -> Path:
    me = identity()
    suffix = f".{me['boot']}-{me['pid']}-{me['start']}-{os.urandom(4).hex()}.cnn-grader-tmp"
    return target.with_name(f".{_temp_stem(target.name, suffix)}{suffix}")


def _temp_stem(name: str, suffix: str) -> str:
    """``name`` as a temporary file beside it holds it: cut where the whole temporary name
    would not fit in a file name (a 250-byte target is legal; its temporary name was not)."""
    return file_name(name, NAME_MAX - 1 - len(suffix.encode("ascii")))


def remove_stale_temps(target: Path, any_name: bool = False) -> list[Path]:
    """Remove the temporary files that killed runs left for ``target`` (for any file of its
    folder with ``any_name``), never a live run's."""
    removed = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    for p in entries:
        m = _TMP.match(p.name)
        if not m or (not any_name and m["name"] != _temp_stem(target.name, p.name[1 + len(m["name"]):])) \
                or p.is_symlink() or not p.is_file():
            continue
        if alive({"host": None, "boot": m["boot"], "pid": m["pid"], "start": m["start"]}):
            continue
        try:
            p.unlink()
            removed.append(p)
        except OSError:
            pass
    return removed


@contextmanager
def replacing(target: Path, mode: str = "w", encoding: str | None = "utf-8",
              newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``target``; on success it replaces ``target`` in one rename,
    on any failure it is removed and ``target`` is left as it was.  A full disk becomes a
    :class:`MachineError` naming ``target``.  Missing parent folders are created."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(target)
    tmp = temp_name(target)
    kw = {} if "b" in mode else {"encoding": encoding, "newline": newline}
    try:
        with open(tmp, mode, **kw) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _keep_mode(target, tmp)
        os.replace(tmp, target)
    except OSError as exc:
        written = tmp.stat().st_size if tmp.exists() else 0
        _unlink(tmp)
        reraise(exc, target.parent, written=written, what=str(target))
    except BaseException:
        _unlink(tmp)
        raise


def write_text(target: Path, text: str, encoding: str = "utf-8") -> Path:
    with replacing(target, encoding=encoding, newline="") as f:
        f.write(text)
    return Path(target)


def write_many(files: Iterable[tuple[Path, str]], encoding: str = "utf-8") -> list[Path]:
    """Several files, all or none: each is written to a temporary name first, and only when
    every one is on disk are they renamed into place (a rename needs no space).  ``files`` is
    consumed one at a time (a large class is never all in memory)."""
    temps: list[tuple[Path, Path]] = []
    target = Path(".")
    try:
        for target, text in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = temp_name(target)
            temps.append((tmp, target))
            with open(tmp, "w", encoding=encoding, newline="") as f:
                f.write(text)
            _keep_mode(target, tmp)
    except OSError as exc:
        written = sum(t.stat().st_size for t, _ in temps if t.exists())
        for t, _ in temps:
            _unlink(t)
        reraise(exc, target.parent, written=written, what=f"{len(temps)} files")
    except BaseException:
        for t, _ in temps:
            _unlink(t)
        raise
    for tmp, target in temps:
        os.replace(tmp, target)
    return [t for _, t in temps]


def append_text(target: Path, text: str, encoding: str = "utf-8") -> None:
    """Append whole or not at all: a failed append is cut back to the file's earlier size
    (a file someone else owns, like $GITHUB_STEP_SUMMARY, cannot be replaced by a rename)."""
    with open(target, "ab") as f:
        size = f.tell()
        try:
            f.write(text.encode(encoding))
            f.flush()
        except OSError as exc:
            try:
                f.truncate(size)
            except OSError:
                pass
            reraise(exc, Path(target).parent, what=str(target))


def _keep_mode(target: Path, tmp: Path) -> None:
    """A replaced file keeps its permissions; a new one gets the usual umask's."""
    try:
        os.chmod(tmp, target.stat().st_mode & 0o7777)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)


def _unlink(p: Path) -> None:
    try:
        p.unlink()
    except OSError:
        pass


# --- sizes -------------------------------------------------------------------------------------

def tree_size(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


# --- swapping two folders -------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):  # not glibc/Linux
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` atomically; False where the system or filesystem
    cannot (then nothing changed and the caller renames instead)."""
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False  # not supported here (old kernel, some network or FUSE filesystems)
    raise OSError(err, os.strerror(err), str(a), None, str(b))
