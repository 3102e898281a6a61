"""Find the submissions in a folder and lay each one out privately for its sandbox.

Every entry is a submission: ``NAME.py``, a folder ``NAME/`` or ``NAME.zip``; the student id is
``NAME`` unchanged.  Each gets a private directory (a copy of the file, the extracted zip) so
that a sandbox sees its own submission and nothing of its neighbours'.  Nothing in the
submissions folder is ever written.
"""
from __future__ import annotations

import ast
import hashlib
import shutil
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

from .text import safe_text

MAX_ZIP_BYTES = 20 << 20  # uncompressed
MAX_ZIP_FILES = 500
MAX_FILE_BYTES = 5 << 20
PREFERRED_MAIN = ("hw4.py", "main.py", "submission.py", "solution.py", "homework4.py")


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

    def __init__(self, student: str, source: Path, directory: Path | None = None, main: str = "",
                 error: str = "", digest: str = "", cache_key: str = "", folder: Path | None = None):
        source = Path(source)
        self.student, self.name = student, source.name
        self.folder = folder if folder is not None and folder == source.parent else source.parent
        self.directory, self.main, self.error, self.digest, self.cache_key = directory, main, error, digest, cache_key

    @property
    def source(self) -> Path:
        """The entry in the submissions folder."""
        return self.folder / self.name


def discover(folder: Path, functions: list[str], workdir: Path,
             select: Callable[[str], bool] | None = None, lazy: bool = False) -> list[Submission]:
    """All submissions in ``folder``, sorted by student id, each prepared under ``workdir``.

    ``select(student_id)`` keeps only some students (``grade --shard``); the others are not
    even unpacked.  ``lazy``: prepare nothing yet (``grade`` prepares each one just before
    grading it, into ``workdir/s{index}``, so a large class is never on disk or in memory whole).
    """
    folder = Path(folder)
    entries = sorted((p for p in folder.iterdir() if not _ignored(p)), key=lambda p: p.name)
    seen: dict[str, str] = {}  # student id -> the entry's name
    subs = []
    for i, entry in enumerate(entries):
        # a file name is student-controlled text too: no terminal control characters in ids
        student = safe_text(entry.stem if entry.is_file() else entry.name)
        if select is not None and not select(student):
            continue
        sub = Submission(student=student, source=entry, folder=folder)
        if student in seen:
            sub.error = f"{entry.name}: another entry ({seen[student]}) already gives student id {student!r}; keep one"
        else:
            seen[student] = entry.name
            if not lazy:
                prepare(sub, functions, Path(workdir) / f"s{i:05d}")
        subs.append(sub)
    return subs


def _ignored(p: Path) -> bool:
    return p.name.startswith(".") or p.name in ("__pycache__", "__MACOSX", "Thumbs.db")


def prepare(sub: Submission, functions: list[str], dest: Path,
            build: Callable[[Path, list[str]], tuple[Path | None, str, str]] | None = None) -> None:
    """Copy or extract ``sub.source`` into ``dest`` and choose the main file; errors go in ``sub.error``.

    ``build(root, functions)`` replaces the choice of a main .py file (a written assignment's
    submission becomes a generated module: :mod:`grader.written`)."""
    src = sub.source
    try:
        if src.is_symlink():
            sub.error = f"{src.name} is a symbolic link; submit the file itself"
        elif src.is_dir():
            _copy_tree(src, dest)
        elif build is not None and src.is_file() and src.suffix.lower() != ".zip":
            dest.mkdir(parents=True)
            _copy_file(src, dest / src.name)
        elif src.suffix == ".py":
            dest.mkdir(parents=True)
            _copy_file(src, dest / src.name)
        elif src.suffix.lower() == ".zip":
            _extract_zip(src, dest)
        else:
            sub.error = f"{src.name} is not a .py file, a folder or a .zip; submit one of those"
        if not sub.error:
            sub.directory, sub.main, sub.error = (build or _choose_main)(dest, functions)
            if sub.directory is not None:
                sub.digest = _digest(sub.directory)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        sub.error = f"{src.name}: {exc}"
        sub.directory = None


def _copy_file(src: Path, dst: Path) -> None:
    if src.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"{src.name} is larger than {MAX_FILE_BYTES >> 20} MiB")
    shutil.copyfile(src, dst)


def _copy_tree(src: Path, dest: Path) -> None:
    """Copy regular files only (no links, devices or sockets), within the zip's limits."""
    total = count = 0
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(_ignored(Path(part)) for part in rel.parts):
            continue
        mode = path.lstat().st_mode
        if stat.S_ISDIR(mode):
            continue
        if not stat.S_ISREG(mode):
            continue  # symlinks could point at other students' work
        count += 1
        total += path.stat().st_size
        if count > MAX_ZIP_FILES or total > MAX_ZIP_BYTES:
            raise ValueError(f"folder {src.name} holds more than {MAX_ZIP_FILES} files or {MAX_ZIP_BYTES >> 20} MiB")
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest / rel)
    dest.mkdir(parents=True, exist_ok=True)


def _extract_zip(src: Path, dest: Path) -> None:
    """Extract safely: no absolute paths, no '..', no links, bounded size and count."""
    with zipfile.ZipFile(src) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_FILES:
            raise ValueError(f"the zip holds {len(infos)} files (at most {MAX_ZIP_FILES})")
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise ValueError(f"the zip unpacks to more than {MAX_ZIP_BYTES >> 20} MiB")
        dest.mkdir(parents=True)
        for info in infos:
            name = info.filename.replace("\\", "/")
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ":" in parts[0] or ".." in parts or not parts:
                raise ValueError(f"the zip entry {info.filename!r} points outside the zip; re-create the zip from the folder itself")
            if any(_ignored(Path(p)) for p in parts):
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ValueError(f"the zip entry {info.filename!r} is a symbolic link; zip the files themselves")
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as fin, open(target, "wb") as fout:
                left = MAX_FILE_BYTES + 1
                while chunk := fin.read(min(1 << 16, left)):
                    fout.write(chunk)
                    left -= len(chunk)
                if left <= 0:
                    raise ValueError(f"{info.filename!r} unpacks to more than {MAX_FILE_BYTES >> 20} MiB")


def _choose_main(root: Path, functions: list[str]) -> tuple[Path | None, str, str]:
    """The .py file defining the most contract functions (its folder is the import root)."""
    # A zip or folder that wraps everything in one directory: descend into it.
    while True:
        kids = [p for p in root.iterdir() if not _ignored(p)]
        if len(kids) == 1 and kids[0].is_dir():
            root = kids[0]
        else:
            break
    candidates = sorted(p for p in root.rglob("*.py") if not any(_ignored(Path(x)) for x in p.relative_to(root).parts))
    if not candidates:
        return None, "", "no .py file found; submit your Python file (or a folder / .zip holding it)"
    wanted = set(functions)

    def score(p: Path) -> tuple:
        try:
            tree = ast.parse(p.read_bytes())
            defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.Assign, ast.ImportFrom))
                       and hasattr(n, "name")} | {
                t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)} | {
                a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
            hits = len(wanted & defined)
        except (SyntaxError, ValueError):
            hits = 0
        return (hits, p.name in PREFERRED_MAIN, -len(p.relative_to(root).parts), p.name)

    if len(candidates) == 1:  # the common case: nothing to choose, nothing to parse
        return candidates[0].parent, candidates[0].name, ""
    scores = {p: score(p) for p in candidates}  # parse each file once
    best = max(candidates, key=scores.__getitem__)
    if scores[best][0] == 0:
        names = ", ".join(sorted(p.relative_to(root).as_posix() for p in candidates)[:5])
        return None, "", (f"none of its .py files ({names}) defines any of the functions "
                          f"{', '.join(functions[:3])}, ...; check the function names")
    return best.parent, best.name, ""


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(unicodedata.normalize("NFC", p.relative_to(root).as_posix()).encode() + b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()
