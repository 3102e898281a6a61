"""Find the submissions in a folder and lay each one out privately for its sandbox.

Every entry is a submission: ``NAME.py``, a notebook ``NAME.ipynb``, ``NAME.py.txt``, a folder
``NAME/`` or ``NAME.zip``; the student id is ``NAME`` unchanged (entries giving one id are one
student's, graded once: see :func:`discover`).  Each gets a private directory (a copy of the
file, the extracted zip) so that a sandbox sees its own submission and nothing of its
neighbours'; what lies beyond the limits is left out with a note (:class:`LeftOut`).  Nothing
in the submissions folder is ever written.
"""
from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from . import notebook
from .notebook import MAX_NOTEBOOK_BYTES
from ..assignment import normalize_student
from ..errors import is_machines
from ..text import file_name, one_line, safe_name, safe_text

# What a folder or zip gives its sandbox at most; anything beyond is left out with a note (an
# honest solution.py in a repository with data/, node_modules/... is graded), and only a submission
# with nothing gradable left is refused.
MAX_ZIP_BYTES = 20 << 20  # copied or unpacked, in all, but for notebooks (which carry their plots)
MAX_TOTAL_BYTES = MAX_ZIP_BYTES + MAX_NOTEBOOK_BYTES  # also the largest .zip accepted
MAX_ZIP_FILES = 500  # files copied or unpacked
MAX_ENTRIES = 16 * MAX_ZIP_FILES  # entries a walk reads (ignored ones too), or a zip's directory lists
MAX_DIRECTORY_BYTES = 4 << 20  # a zip's central directory (8,000 entries with long names fit)
MAX_DEPTH = 32  # folders deeper are not entered (deeper trees made mkdir/rglob recurse out of stack)
MAX_FILE_BYTES = 5 << 20
MAX_RATIO = 100  # a zip entry too large to unpack that also compressed more than this: a zip bomb
# what the main file of a multi-file submission is usually called (a tie-breaker only: the file
# defining the most contract functions comes first): hw3.py, homework_5.py, main.py, solution.py ...
PREFERRED_MAIN = re.compile(r"(hw|homework|assignment|lab)[ _-]?\d*|main|submission|solution|answers", re.I)


@dataclass(slots=True, init=False)  # a class of thousands holds one each until grading ends: keep them small
class Submission:
    student: str
    name: str  # the entry's name in the submissions folder ...
    folder: Path  # ... and that folder (one Path object shared by the whole class)
    directory: Path | None  # private directory holding the code (mounted in the sandbox)
    main: str  # the file to import, relative to directory
    error: str  # why it cannot be graded ("" when it can)
    digest: str
    cache_key: str
    notes: list[str]  # what the student should know although it was graded (a .py.txt, a notebook)
    others: tuple[str, ...]  # the student's other entries in ``folder`` (see :func:`prepare`)

    def __init__(self, student: str, source: Path, directory: Path | None = None, main: str = "",
                 error: str = "", digest: str = "", cache_key: str = "", folder: Path | None = None,
                 others: tuple[str, ...] = ()):
        source = Path(source)
        self.student, self.name = student, source.name
        self.folder = folder if folder is not None and folder == source.parent else source.parent
        self.directory, self.main, self.error, self.digest, self.cache_key = directory, main, error, digest, cache_key
        self.notes = []
        self.others = others

    @property
    def source(self) -> Path:
        """The entry in the submissions folder."""
        return self.folder / self.name


def discover(folder: Path, functions: list[str], workdir: Path,
             select: Callable[[str], bool] | None = None, lazy: bool = False,
             staged: dict[str, Staged] | None = None) -> list[Submission]:
    """All submissions in ``folder``, sorted by student id, each prepared under ``workdir``.

    ``select(student_id)`` keeps only some students (``grade --shard``); the others are not
    even unpacked.  ``lazy``: prepare nothing yet (``grade`` prepares each one just before
    grading it, into ``workdir/s{index}``, so a large class is never on disk or in memory whole).
    ``staged``: see :func:`prepare`.

    Entries giving one student id (``alice.py`` beside ``alice.ipynb``; ids compared in the one form inputs derive from,
    :func:`grader.assignment.normalize_student`, as
    shards key them) are one submission: the first by :func:`claim_rank` is ``name``, the
    others are in ``others``, and :func:`prepare` decides which one counts.
    """
    folder = Path(folder)
    entries = sorted((p for p in folder.iterdir() if not _ignored(p)), key=lambda p: p.name)
    claims: dict[str, list[tuple[str, Path]]] = {}  # normalized student id -> (student id, entry) of each entry
    for entry in entries:
        student = student_id(entry.name, not entry.is_dir() or entry.is_symlink())
        if select is None or select(student):
            claims.setdefault(normalize_student(student), []).append((student, entry))
    subs = []
    for i, (key, claim) in enumerate(claims.items()):
        ranked = [claim[0][1]] if len(claim) == 1 else sorted((entry for _s, entry in claim), key=claim_rank)
        ids = {student for student, _entry in claim}
        sub = Submission(student=ids.pop() if len(ids) == 1 else key, source=ranked[0], folder=folder,
                         others=tuple(entry.name for entry in ranked[1:]))
        if not lazy:
            prepare(sub, functions, Path(workdir) / f"s{i:05d}", staged=staged)
        subs.append(sub)
    return subs


CLAIM_ORDER = ("py", "folder", "zip", "ipynb", "pytxt")  # then any other file


def claim_rank(entry: Path, written: bool = False) -> tuple[bool, int, str]:
    """Which of a student's several entries counts, among those that can be graded: first one
    whose name is the id as written (an extension in lower case, the name in NFC, no spaces
    around the id), as tools write them -- so ``ann .py`` beside ``ann.ipynb`` never stands in
    for ann's own notebook; then a .py file (``written``: the answers file, .md/.tex/.txt), a
    folder, a .zip, a notebook, a .py.txt; then name order.  A fixed rule, never the names' sort order (a broken honest.ipynb sorts before
    honest.py; an added ``alice.PY`` sorts before ``alice.py``) nor the best score (a grade
    must not come from trying alternatives)."""
    try:
        folder = stat.S_ISDIR(os.lstat(entry).st_mode)
    except OSError:
        folder = False
    kind = "folder" if folder else _kind(entry.name) or ("py" if written else "")
    # the extension as discovery reads it (John.Smith.py: .py, not .Smith.py; .py.txt as one)
    stem = entry.name if folder else (entry.name[:-7] if entry.name.lower().endswith(".py.txt") else _stem(entry.name))
    ext = entry.name[len(stem):]
    # an extension in another case, a name in another Unicode form (NFD josé beside NFC josé),
    # an id with spaces around it (" bob.py", "bob\u00a0.py" beside bob.py: one student), or an
    # id another entry's gives only after normalising (Alice@uni.edu beside alice@uni.edu)
    odd = (ext != ext.lower() or unicodedata.normalize("NFC", entry.name) != entry.name
           or stem != stem.strip() or normalize_student(safe_name(stem)) != safe_name(stem))
    rank = CLAIM_ORDER.index(kind) if kind in CLAIM_ORDER else len(CLAIM_ORDER)
    if written and kind == "py" and not folder and ext.lower() not in WRITTEN_FIRST:
        rank = len(CLAIM_ORDER)  # (honest_w.markdown never before honest_w.md: name order is no rule)
    return odd, rank, entry.name


WRITTEN_FIRST = (".md", ".tex", ".txt")  # the answers files the starters and LMS exports name


def claim_rule(written: bool = False) -> str:
    """:func:`claim_rank` in words."""
    first = "the answers file (.md, .tex, .txt)" if written else "a .py file"
    return (f"one that can be graded counts: first one with an extension in lower case, a name in NFC form and "
            f"no spaces around the id; then, in this order, {first}, a folder, a .zip, a notebook, a .py.txt")


def _ignored(p: Path | str) -> bool:
    name = p if isinstance(p, str) else p.name
    return name.startswith(".") or name in ("__pycache__", "__MACOSX", "Thumbs.db")


def student_id(name: str, is_file: bool) -> str:
    """The student id an entry gives: its name without the extension (``.py.txt`` as one)."""
    if is_file:
        name = name[:-7] if name.lower().endswith(".py.txt") else _stem(name)
    return safe_name(name)


def _stem(name: str) -> str:
    """``Path(name).stem`` without building a Path: pathlib interns every name it parses, and
    a class of 5,000 kept a megabyte of names in the interpreter's table for good."""
    i = name.rfind(".")
    return name[:i] if 0 < i < len(name) - 1 else name  # a file name is student-controlled text too: no terminal control characters


class Refused(ValueError):
    """A submission we will not prepare; the message (one line) says why and what to do."""


class LeftOut:
    """What a folder or zip held beyond the limits, left out instead of refusing the whole
    submission: a note for the student when the rest is graded, the error when nothing
    gradable is left and what was left out may have held it (``may_hide_main``: a code file,
    or a folder never looked into)."""

    SHOWN = 3  # paths named per kind of left-out entry

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str], list] = {}  # (noun, why) -> [count, first paths]
        self.may_hide_main = False

    def __bool__(self) -> bool:
        return bool(self._groups)

    def add(self, noun: str, why: str, rel: str, may_hide_main: bool) -> None:
        """One ``noun`` ("file", "folder") at ``rel`` left out because ``why``."""
        group = self._groups.setdefault((noun, why), [0, []])
        group[0] += 1
        if len(group[1]) < self.SHOWN:
            group[1].append(_short(rel))
        self.may_hide_main |= may_hide_main

    def update(self, other: LeftOut | None, prefix: str = "") -> None:
        """Add what ``other`` left out (of the same entry, or of ``prefix``, a part of it)."""
        if other is None:
            return
        for (noun, why), (n, shown) in other._groups.items():
            group = self._groups.setdefault((noun, why), [0, []])
            group[0] += n
            group[1] += [_short(prefix + p) for p in shown[:self.SHOWN - len(group[1])]]
        self.may_hide_main |= other.may_hide_main

    def notes(self) -> list[str]:
        out = []
        for (noun, why), (n, shown) in self._groups.items():
            more = ", ..." if n > len(shown) else ""
            out.append(f"left out {n:,} {noun}{'' if n == 1 else 's'} {why}: {', '.join(shown)}{more}")
        return out

    def refusal(self) -> str:
        """The error of a submission with nothing gradable left."""
        notes = self.notes()
        return "; ".join(notes[:2]) + ("; ..." if len(notes) > 2 else "") + \
            ", and nothing gradable was found in the rest; submit only your homework files"


@dataclass
class Staged:
    """What :func:`grader.course.roster.stage` made of an entry when it laid the class out by roster
    id, for :func:`prepare` to take over: why it could not be copied at all (``error``, the
    student's), or what its copy left out (a note, or the error if nothing gradable is left)."""

    error: str = ""
    left_out: LeftOut | None = None


def _short(rel: str, most: int = 100) -> str:
    rel = safe_name(rel)
    return rel if len(rel) <= most else rel[:most - 3] + "..."


_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
if getattr(zipfile, "bz2", None) is not None:
    _ZIP_METHODS.add(zipfile.ZIP_BZIP2)
if getattr(zipfile, "lzma", None) is not None:
    _ZIP_METHODS.add(zipfile.ZIP_LZMA)


def prepare(sub: Submission, functions: list[str], dest: Path,
            build: Callable[[Path, list[str]], tuple[Path | None, str, str]] | None = None,
            staged: dict[str, Staged] | None = None) -> None:
    """Copy or extract ``sub.source`` into ``dest`` and choose the main file (or, with
    ``build(root, functions)``, let it make one: a written assignment's submission becomes a
    generated module, :mod:`grader.intake.written`).  ``staged``: what the roster's layout made of
    the entries, by name (see :class:`Staged`).

    Never raises for anything about the submission itself: every problem becomes ``sub.error``
    (one line naming the entry and the fix).  Only the machine's own failures (a full disk,
    no file descriptors left) propagate, as they would stop any other submission too."""
    if sub.others:
        _prepare_claims(sub, functions, Path(dest), build, staged)
        return
    label = safe_name(sub.source.name)
    sub.directory = None
    pre = staged.get(sub.name) if staged else None
    if pre is not None and pre.error:
        sub.error, sub.main, sub.digest = pre.error, "", ""
        return
    try:
        _prepare(sub, functions, Path(dest), label, build, pre.left_out if pre is not None else None)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Refused as exc:
        sub.error = f"{label}: {exc}"
    except OSError as exc:
        if is_machines(exc):  # (the machine's: they stop the run)
            raise
        sub.error = f"{label}: could not be read or copied ({_brief(exc)}); submit it again as a plain file, folder or zip"
    except BaseException as exc:  # RecursionError, MemoryError, anything else: this student's problem only
        sub.error = f"{label}: could not be prepared ({_brief(exc)}); submit a .py file, a notebook, a folder or a .zip"
    if sub.error:
        # one line, whatever names inside the submission it quotes (a folder named "\n")
        sub.error = one_line(safe_text(sub.error)) or f"{label}: could not be prepared"
        sub.directory, sub.main, sub.digest = None, "", ""
        shutil.rmtree(dest, ignore_errors=True)


def _prepare_claims(sub: Submission, functions: list[str], dest: Path, build, staged) -> None:
    """Several entries give this student's id: prepare each (into ``dest/entryK``), count the
    first that can be graded by :func:`claim_rank` (or, if none can, the first), and note why
    each other one was not counted.  No entry ever costs another its grade: a broken
    honest.ipynb used to make honest.py a "duplicate student id" error."""
    written = build is not None
    tried = []
    for k, name in enumerate((sub.name, *sub.others)):
        one = Submission(sub.student, sub.folder / name, folder=sub.folder)
        prepare(one, functions, dest / f"entry{k}", build, staged)
        tried.append((one, dest / f"entry{k}"))
    tried.sort(key=lambda t: (bool(t[0].error), claim_rank(t[0].source, written)))
    counted = tried[0][0]
    for _one, where in tried[1:]:
        shutil.rmtree(where, ignore_errors=True)
    sub.name, sub.others = counted.name, tuple(one.name for one, _where in tried[1:])
    sub.directory, sub.main, sub.error, sub.digest = counted.directory, counted.main, counted.error, counted.digest
    sub.notes = counted.notes + [_not_counted(one, counted, written) for one, _where in tried[1:]]
    if sub.error:
        shutil.rmtree(dest, ignore_errors=True)  # (as for one entry: nothing left of an error)


def _not_counted(one: Submission, counted: Submission, written: bool) -> str:
    """The note on a student's result about an entry of theirs that was not counted."""
    label = safe_name(one.name)
    if one.error:
        why = one.error[len(label) + 2:] if one.error.startswith(label + ": ") else one.error
    else:
        why = f"{safe_name(counted.name)} counts instead ({claim_rule(written)})"
    return one_line(f"also submitted {label}, not counted: {why}")


def _brief(exc: BaseException) -> str:
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    text = " ".join(safe_text(text).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _prepare(sub: Submission, functions: list[str], dest: Path, label: str, build=None,
             staged: LeftOut | None = None) -> None:
    src = sub.source
    mode = os.lstat(src).st_mode
    kind = _kind(src.name)
    left_out = LeftOut()
    if stat.S_ISLNK(mode):
        raise Refused("is a symbolic link; submit the file itself")
    if stat.S_ISDIR(mode):
        left_out = _copy_tree(src, dest, label)
    elif not stat.S_ISREG(mode):
        raise Refused("is not a regular file or folder; submit a .py file, a notebook, a folder or a .zip")
    elif kind == "zip":
        left_out = _extract_zip(src, dest)
    elif kind or build is not None:
        dest.mkdir(parents=True)
        _copy_file(src, dest / _disk_name(src.name), _file_cap(src.name))
    else:
        raise Refused("is not a .py file, a notebook (.ipynb), a folder or a .zip; submit one of those")
    left_out.update(staged)
    if build is not None:  # (a notebook of written answers is read as it is: its Markdown)
        sub.directory, sub.main, sub.error = build(dest, functions)
    else:
        sub.directory, sub.main, sub.error, _texts = choose_code(dest, functions, sub.notes)
    if sub.error and left_out.may_hide_main:
        raise Refused(left_out.refusal())  # what was left out may have been the homework: say so
    sub.notes += left_out.notes()
    if sub.directory is not None:
        sub.digest = _digest(sub.directory)


def _kind(name: str) -> str:
    lower = name.lower()
    for ext, kind in ((".py.txt", "pytxt"), (".py", "py"), (".ipynb", "ipynb"), (".zip", "zip")):
        if lower.endswith(ext) and len(name) > len(ext):
            return kind
    return ""


def _file_cap(name: str) -> int:
    return MAX_NOTEBOOK_BYTES if name.lower().endswith(".ipynb") else MAX_FILE_BYTES


def _charge(totals: list[int], name: str, size: int) -> None:
    """Add ``size`` to the notebooks' or the other files' budget; refused beyond it."""
    nb = name.lower().endswith(".ipynb")
    totals[nb] += size
    cap = MAX_NOTEBOOK_BYTES if nb else MAX_ZIP_BYTES
    if totals[nb] > cap:
        raise Refused(f"unpacks to more than {cap >> 20} MiB of {'notebooks' if nb else 'files'}; "
                      "submit only your homework files")


def _disk_name(name: str) -> str:
    """``name`` as valid UTF-8 (a file name in bytes that are not becomes U+FFFD) within a file
    name's length (:func:`grader.text.file_name`)."""
    fixed = os.fsencode(name).decode("utf-8", "replace")
    if _kind(fixed) == "py" and not fixed.endswith(".py"):
        fixed = fixed[:-3] + ".py"  # (.PY: the import machinery knows only .py)
    return file_name(fixed)


def _copy_file(src: Path, dst: Path, cap: int, what: str = "") -> int:
    """Copy at most ``cap`` bytes (refused beyond); never follows a link or blocks on a pipe.
    ``what``: the file as the student knows it ("" for the entry itself)."""
    fd = os.open(src, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fin:
        if not stat.S_ISREG(os.fstat(fin.fileno()).st_mode):
            raise Refused(f"{what or 'it'} is not a regular file; submit the file itself")
        return _copy_stream(fin, dst, cap, what)


def _copy_stream(fin, dst: Path, cap: int, what: str) -> int:
    left = cap + 1
    try:
        fout = open(dst, "xb")  # never over another file (two names that became one)
    except FileExistsError:
        raise Refused(f"holds two files named {safe_name(dst.name)!r} (after fixing their names); rename one") from None
    with fout:
        while left > 0 and (chunk := fin.read(min(1 << 16, left))):
            fout.write(chunk)
            left -= len(chunk)
    if left <= 0:
        fix = "clear its outputs in Jupyter and save it again" if dst.name.lower().endswith(".ipynb") \
            else "submit only your homework files"
        raise Refused(f"{what + ' ' if what else ''}is larger than {cap >> 20} MiB; {fix}")
    return cap + 1 - left


def _walk(root: Path, left_out: LeftOut | None = None,
          limit: int | None = MAX_ENTRIES) -> Iterator[tuple[Path, tuple[str, ...], os.stat_result]]:
    """``(path, relative parts, lstat)`` of everything under ``root`` but the ignored, without
    recursion or following links.  Breadth-first, each folder in name order: a solution.py at the
    top is found first whatever sits beside or below it.  Bounded: it reads at most ``limit``
    entries (ignored ones too; ``None``: a tree the grader made, bounded already) and enters no
    folder deeper than MAX_DEPTH; what it does not look into goes to ``left_out``."""
    left_out = left_out if left_out is not None else LeftOut()
    queue = deque([(root, ())])
    budget = limit
    while queue:
        folder, rel = queue.popleft()
        with os.scandir(folder) as it:
            read = list(it if budget is None else itertools.islice(it, budget + 1))
        complete = budget is None or len(read) <= budget
        if not complete:
            read = read[:budget]  # (in the directory's own order: the rest is never read)
        if budget is not None:
            budget -= len(read)
        for e in sorted(read, key=lambda e: e.name):
            if _ignored(e.name):
                continue
            st = e.stat(follow_symlinks=False)
            parts = rel + (e.name,)
            if stat.S_ISDIR(st.st_mode):
                if len(parts) >= MAX_DEPTH:
                    left_out.add("folder", f"nested more than {MAX_DEPTH} folders deep", "/".join(parts), True)
                    continue
                queue.append((Path(e.path), parts))
            yield Path(e.path), parts, st
        if not complete:
            why = f"beyond the first {limit:,} files and folders the grader reads"
            for _folder, unread in itertools.chain([(folder, rel)], queue):
                left_out.add("folder", why, "/".join(unread) or ".", True)
            return


def files_in(root: Path, most: int) -> list[Path]:
    """At most ``most`` regular files of the folder ``root`` (a submission as handed in, or a
    copy of it) as discovery finds them: breadth-first, without recursion or following links,
    ignored names skipped, no deeper than MAX_DEPTH, reading at most MAX_ENTRIES entries: a
    chain of thousands of folders or a folder of 40,000 files costs no more than the limits."""
    return list(itertools.islice((p for p, _parts, st in _walk(root) if stat.S_ISREG(st.st_mode)), max(most, 0)))


def _is_source(name: str) -> bool:
    """Code or answers (copied first when not everything fits): .py, .py.txt, notebooks, and
    the written assignment's Markdown and LaTeX."""
    return _kind(name) in ("py", "pytxt", "ipynb") or name.lower().endswith((".md", ".markdown", ".tex"))


def _fit(files: list, left_out: LeftOut) -> list:
    """Which of ``files`` ((parts, size, item) each, size as listed) to copy or unpack: sources
    first, then shallow before deep, then by path; each within its own cap, at most
    MAX_ZIP_FILES of them, within the totals.  The rest is left out."""
    kept, totals = [], [0, 0]
    for parts, size, item in sorted(files, key=lambda f: (not _is_source(f[0][-1]), len(f[0]), f[0])):
        name, rel = parts[-1], "/".join(parts)
        nb, source = name.lower().endswith(".ipynb"), _is_source(name)
        budget = MAX_NOTEBOOK_BYTES if nb else MAX_ZIP_BYTES
        if size > _file_cap(name):
            left_out.add("file", f"larger than {_file_cap(name) >> 20} MiB", rel, source)
        elif len(kept) >= MAX_ZIP_FILES:
            left_out.add("file", f"beyond the first {MAX_ZIP_FILES}", rel, source)
        elif totals[nb] + size > budget:
            left_out.add("file", f"beyond {budget >> 20} MiB of {'notebooks' if nb else 'files'} in all", rel, source)
        else:
            totals[nb] += size
            kept.append((parts, size, item))
    return kept


def _copy_tree(src: Path, dest: Path, label: str) -> LeftOut:
    """Copy regular files only (no links, devices or sockets), as many as the limits take;
    returns what was left out."""
    dest.mkdir(parents=True)
    left_out = LeftOut()
    # folders come with their files; links could point at other students' work
    files = [(parts, st.st_size, path) for path, parts, st in _walk(src, left_out) if stat.S_ISREG(st.st_mode)]
    made, totals = {dest}, [0, 0]
    for parts, _size, path in _fit(files, left_out):
        target = dest.joinpath(*(_disk_name(p) for p in parts))
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        # (checked again as copied: a file may have grown since it was listed)
        _charge(totals, path.name, _copy_file(path, target, _file_cap(path.name), safe_text("/".join(parts))))
    return left_out


def _extract_zip(src: Path, dest: Path) -> LeftOut:
    """Extract safely: the archive's own directory is sized before it is parsed, then every
    entry is checked (name, type, method, encryption, size) before anything is written.
    Returns what was left out."""
    size = os.stat(src).st_size
    if size > MAX_TOTAL_BYTES:
        raise Refused(f"is larger than {MAX_TOTAL_BYTES >> 20} MiB; zip only your homework files")
    with open(src, "rb") as fp:
        try:
            end = zipfile._EndRecData(fp)  # the end record only: a few KiB read, nothing parsed yet
        except (OSError, EOFError, struct.error, zipfile.BadZipFile):
            end = None
        if not end:
            raise Refused("is not a zip file or is damaged; create the zip again")
        count, cd_size = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
        if count > MAX_ENTRIES or cd_size > MAX_DIRECTORY_BYTES:
            raise Refused(f"lists {count} entries ({cd_size} bytes of file names); the grader reads at most "
                          f"{MAX_ENTRIES:,} and takes at most {MAX_ZIP_FILES} files: zip only your homework files")
        try:
            zf = zipfile.ZipFile(fp)
        except UnicodeDecodeError:
            raise Refused("has file names that are not valid UTF-8 although it says they are; create the zip again") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, struct.error, ValueError, OverflowError) as exc:
            raise Refused(f"is not a zip file or is damaged ({_brief(exc)}); create the zip again") from None
        with zf:
            return _extract_entries(zf, dest)


def _extract_entries(zf: zipfile.ZipFile, dest: Path) -> LeftOut:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise Refused(f"lists more than {MAX_ENTRIES:,} entries; zip only your homework files")
    left_out, files, names = LeftOut(), [], set()
    for info in infos:
        parts = _zip_parts(info)
        if parts is None or any(_ignored(p) for p in parts):
            continue  # the zip's own root, a folder entry, macOS metadata
        _check_entry(info)
        key = "/".join(parts)
        if key in names:
            raise Refused(f"the zip holds two entries named {_show(key)}; create the zip again from the folder itself")
        names.add(key)
        if len(parts) > MAX_DEPTH:
            left_out.add("file", f"nested more than {MAX_DEPTH} folders deep", key, _is_source(parts[-1]))
        else:
            files.append((parts, info.file_size, info))  # its size as the zip declares it: checked again while unpacking
    plan = _fit(files, left_out)
    dest.mkdir(parents=True)
    written = [0, 0]
    for parts, _size, info in plan:
        _charge(written, parts[-1], _unpack(zf, info, dest.joinpath(*parts)))
    return left_out


def _check_entry(info: zipfile.ZipInfo) -> None:
    """Refuse the whole zip for an entry no honest zip holds: a password, a link, a method we
    cannot read, or a zip bomb (an entry too large to unpack that also compressed more than
    MAX_RATIO times: an honest data file compresses far less; what we do unpack is capped anyway)."""
    if info.flag_bits & 0x1:
        raise Refused("the zip is password-protected; zip it again without a password")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise Refused(f"the zip entry {_show(info.filename)} is a symbolic link; zip the files themselves")
    if info.compress_type not in _ZIP_METHODS:
        method = zipfile.compressor_names.get(info.compress_type, f"method {info.compress_type}")
        raise Refused(f"the zip entry {_show(info.filename)} is compressed with {method}, which the grader "
                      "cannot read; create the zip again with ordinary (deflate) compression")
    cap = _file_cap(info.filename)
    if info.file_size > cap and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise Refused(f"the zip entry {_show(info.filename)} unpacks to {info.file_size >> 20} MiB from "
                      f"{info.compress_size:,} bytes (a zip bomb?); zip only your homework files")


def _unpack(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> int:
    """Write one entry (within its cap); a damaged entry refuses the zip."""
    what = f"the zip entry {_show(info.filename)}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as fin:
            return _copy_stream(fin, target, _file_cap(target.name), what)
    except Refused:
        raise
    except OSError as exc:
        if is_machines(exc):  # (the machine's: they stop the run)
            raise
        raise Refused(f"could not unpack {what} ({_brief(exc)}); create the zip again from the folder itself") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError,
            struct.error, OverflowError) as exc:
        if info.flag_bits & 0x1 or "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise Refused("the zip is password-protected; zip it again without a password") from None
        raise Refused(f"{what} is damaged ({_brief(exc)}); create the zip again") from None


def _show(name: str) -> str:
    return repr(safe_text(name[:120]) + ("..." if len(name) > 120 else ""))


def _zip_parts(info: zipfile.ZipInfo) -> tuple[str, ...] | None:
    """The entry's path as checked parts, or None for a folder entry (nothing to write)."""
    raw = info.filename.replace("\\", "/")
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":") or ".." in raw.split("/"):
        raise Refused(f"the zip entry {_show(info.filename)} points outside the zip; "
                      "create the zip again from the folder itself")
    parts = tuple(p for p in raw.split("/") if p not in ("", "."))
    if raw.endswith("/"):
        return None
    if not parts:
        raise Refused(f"the zip holds a file named {_show(info.filename)}, which is not a file name; create the zip again")
    for p in parts:
        if "\0" in p or len(p.encode("utf-8", "surrogateescape")) > 255:
            raise Refused(f"the zip entry {_show(info.filename)} has a name no disk can hold; rename it and zip again")
    return parts


def _convert_tree(root: Path, notes: list[str]) -> tuple[dict[Path, str], list[str]]:
    """Notebooks become ``.py`` files (their code cells) and ``X.py.txt`` becomes ``X.py``.

    Returns the converted notebooks' code (to choose the main file) and why a notebook could
    not be read (the error when nothing else can be graded)."""
    texts, problems = {}, []
    for path, parts, st in list(_walk(root, limit=None)):
        if not stat.S_ISREG(st.st_mode):
            continue
        rel = "/".join(parts)
        kind = _kind(path.name)
        if kind == "pytxt":
            target = path.with_name(path.name[:-7] + ".py")
            if not target.exists():
                path.rename(target)
                notes.append(f"{safe_text(rel)} was graded as Python; save it as {safe_text(target.name)} "
                             "(your editor added .txt)")
                _utf8(target, rel, notes)
        elif kind == "py":
            _utf8(path, rel, notes)
        elif kind == "ipynb":
            stem = path.name[:-6]
            target = next((c for c in (path.with_name(stem + ".py"), path.with_name(stem + "_ipynb.py"))
                           if not c.exists()), None)
            try:
                if target is None:
                    continue
                texts[target] = notebook.convert(path, target)
                notes.append(f"{safe_text(rel)}: its code cells were graded in order; IPython commands "
                             "(%magic, !shell) were skipped and errors in top-level code did not stop it")
            except notebook.NotebookError as exc:
                problems.append(f"{safe_text(rel)} {exc}; {exc.fix}")
            finally:
                path.unlink()  # its stored outputs are never used; the sandbox gets only the code
    return texts, problems


_WIDE_BOMS = {b"\xff\xfe\x00\x00": "utf-32", b"\x00\x00\xfe\xff": "utf-32",
              b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}


def _utf8(path: Path, rel: str, notes: list[str]) -> None:
    """A Python file saved as UTF-16 or UTF-32 (Windows Notepad's "Unicode") is rewritten as UTF-8,
    with a note: Python reads source as UTF-8 only, and the file is otherwise right."""
    with open(path, "rb") as f:
        head = f.read(4)
    encoding = next((enc for bom, enc in _WIDE_BOMS.items() if head.startswith(bom)), None)
    if encoding is None:
        return
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError:
        return  # not really that encoding: Python's own error will say what is wrong
    path.write_text(text.lstrip("\ufeff"), encoding="utf-8")
    notes.append(f"{safe_text(rel)} was saved as {encoding.upper()}; it was read as such; save it as UTF-8")


_DEFS = re.compile(r"^(?:async[ \t]+)?def[ \t]+(\w+)|^(\w+)[ \t]*(?::[^=\n]*)?=(?!=)|^from[ \t]+[\w.]+[ \t]+import[ \t]+\(?([^)\n]*)",
                   re.M)


def _defined(text: str, functions_only: bool = False) -> set[str]:
    """Names a file defines at its top level, from a text scan (no parsing: a hostile file
    cannot make it recurse or blow up, and one that does not parse still counts).
    ``functions_only``: only the names of its top-level ``def``s."""
    names = set()
    for fn, var, imported in _DEFS.findall(text):
        if functions_only:
            if fn:
                names.add(fn)
            continue
        names.update(n for n in (fn, var) if n)
        for item in imported.split(","):
            words = item.split()
            if words:
                names.add(words[-1])
    return names


def close_name(wanted: str, text: str, taken=()) -> str:
    """A top-level function of ``text`` whose name is close to ``wanted`` (a typo, another case,
    underscores), not one of the names in ``taken``; "" when none is."""
    import difflib
    names = sorted(_defined(text, functions_only=True) - set(taken) - {wanted})[:5000]
    key = lambda n: n.lower().replace("_", "")
    same = [n for n in names if key(n) == key(wanted)]
    if same:
        return same[0]
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.85)
    return close[0] if close else ""


def unwrapped(root: Path) -> Path:
    """The folder that holds the submission: a zip or folder that wraps everything in one
    directory is entered (at most MAX_DEPTH levels)."""
    for _ in range(MAX_DEPTH):
        kids = [p for p in root.iterdir() if not _ignored(p)]
        if len(kids) == 1 and kids[0].is_dir() and not kids[0].is_symlink():
            root = kids[0]
        else:
            break
    return root


def choose_code(root: Path, functions: list[str], notes: list[str]) -> tuple[Path | None, str, str, dict[Path, str]]:
    """What grading runs of the tree ``root`` (copied or unpacked, within the limits): its
    notebooks turned into ``.py`` files and ``X.py.txt`` into ``X.py`` (noted in ``notes``), then
    the main file chosen.  Returns ``(import root, main file, error, code)``: ``code`` maps each
    generated ``.py`` of a notebook to its code cells' text (what the student wrote; the file
    itself is the grader's driver).  ``grade`` and ``grader similar`` both see code through it."""
    texts, problems = _convert_tree(root, notes)
    directory, main, error = _choose_main(root, functions, texts, problems)
    return directory, main, error, texts


def _choose_main(root: Path, functions: list[str], texts: dict[Path, str],
                 problems: list[str]) -> tuple[Path | None, str, str]:
    """The .py file defining the most contract functions (its folder is the import root)."""
    root = unwrapped(root)
    candidates = sorted(p for p, _, st in _walk(root, limit=None) if stat.S_ISREG(st.st_mode) and p.name.endswith(".py"))
    if not candidates:
        if problems:
            return None, "", problems[0]
        return None, "", "no .py file or notebook found; submit your Python file or notebook (or a folder / .zip holding it)"
    if len(candidates) == 1:  # the common case: nothing to choose, nothing to read
        return candidates[0].parent, candidates[0].name, ""
    wanted = set(functions)

    def score(p: Path) -> tuple:
        text = texts.get(p)
        if text is None:
            with open(p, "rb") as f:
                text = f.read(MAX_FILE_BYTES).decode("utf-8", "replace")
        return (len(wanted & _defined(text)), PREFERRED_MAIN.fullmatch(p.stem) is not None, -len(p.relative_to(root).parts),
                p not in texts, p.name)

    scores = {p: score(p) for p in candidates}  # read each file once
    best = max(candidates, key=scores.__getitem__)
    if scores[best][0] == 0:
        names = ", ".join(sorted(safe_text(p.relative_to(root).as_posix()) for p in candidates)[:5])
        return None, "", (f"none of its .py files ({names}) defines any of the functions "
                          f"{', '.join(functions[:3])}, ...; check the function names")
    return best.parent, best.name, ""


def _digest(root: Path) -> str:
    """sha256 of an unambiguous encoding of exactly the tree that is graded.

    Every entry (ignored names included: the sandbox sees them), in the order of its raw name
    bytes, as its kind, its relative name's raw bytes and, for a file, its content, each with
    its length: names are never normalized (two Unicode spellings of one name import
    differently) and no boundary between a name and a content can move.  Folders count (an
    empty one is a namespace package), links and other entries by their kind and target."""
    entries = []  # (raw relative name, lstat mode, path)
    folders = [(root, b"")]
    while folders:
        folder, rel = folders.pop()
        with os.scandir(folder) as it:
            for e in it:
                name, mode = rel + os.fsencode(e.name), e.stat(follow_symlinks=False).st_mode
                entries.append((name, mode, e.path))
                if stat.S_ISDIR(mode):
                    folders.append((Path(e.path), name + b"/"))
    h = hashlib.sha256(b"cnn-grader tree 2\0")
    for name, mode, path in sorted(entries):
        if stat.S_ISDIR(mode):
            _field(h, b"d", name)
        elif stat.S_ISREG(mode):
            _field(h, b"f", name)
            _field(h, b"c", Path(path).read_bytes())
        else:
            _field(h, b"o", name + b"\0" + (os.fsencode(os.readlink(path)) if stat.S_ISLNK(mode) else b""))
    return h.hexdigest()


def _field(h, kind: bytes, data: bytes) -> None:
    h.update(kind + len(data).to_bytes(8, "big") + data)
