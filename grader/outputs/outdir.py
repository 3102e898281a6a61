"""The output folder: written whole beside OUT, then swapped in; the instructor's files kept.

A grading is built in a staging folder ``.cnn-grader-out-*`` beside OUT.  Its marker file
``.cnn-grader.json`` says which output it is for, which run made it (host, boot, PID, start
time) and, once complete, every file the grader wrote.  Replacing an earlier output:

1. the finished staging folder's marker lists its files (state ``complete``);
2. OUT's own marker is rewritten to say it is the old one (state ``old``) and this run owns it;
3. every entry of OUT the grader did not write (notes, a ``manual/`` folder, a ``junit.xml``
   from ``--junit``) is renamed into the staging folder, at the same place;
4. the two folders are swapped in one ``renameat2(RENAME_EXCHANGE)`` (Linux), so OUT always
   exists; elsewhere OUT is renamed aside and the staging folder renamed to OUT, two calls
   apart;
5. the old output (now the staging folder's name) loses the files its marker lists; anything
   else found there (a file the instructor saved into OUT meanwhile) goes back into OUT.

A run killed at any point leaves at most its staging/old folder.  The next run for the same
OUT finishes or undoes it (:func:`recover`): it moves back into OUT what the grader did not
write, completes a replace that was cut between its two renames, and deletes the rest, but
only for folders whose marker names this OUT and whose run is no longer alive.  Nothing the
grader did not write is ever deleted.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .. import __version__
from .atomic import alive, exchange, identity, pid_exists

MARKER = ".cnn-grader.json"
MARKER_SCHEMA = 1
STAGING_PREFIXES = (".cnn-grader-out-", ".cnn-grader-merge-")
NEWBORN = ".cnn-grader-new-"  # a staging folder before its marker is written
NEWBORN_GRACE_S = 600  # an empty one this old was left by a run killed in its first instant


class NotAnOutput(ValueError):
    """A folder that holds something other than a grading output of ours."""


# --- the marker -------------------------------------------------------------------------------

def read_marker(folder: Path) -> dict | None:
    """The marker of a folder the grader made, or None (no marker, or not ours)."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("cnn_grader_output") != MARKER_SCHEMA:
        return None
    files = data.get("files")
    if files is not None and not (isinstance(files, list) and all(isinstance(f, str) for f in files)):
        return None
    return data


def _write_marker(folder: Path, data: dict) -> None:
    """Replace the marker in one rename (a reader sees the old one or the new one)."""
    tmp = folder / f"{MARKER}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / MARKER)


def _marker(out: Path, state: str, files: list[str] | None) -> dict:
    return {"cnn_grader_output": MARKER_SCHEMA, "tool": "cnn-grader", "grader_version": __version__,
            "state": state, "output": str(out), "writer": identity(),
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), "files": files}


def _files(folder: Path) -> list[str]:
    """Every file below ``folder`` (relative, '/'-separated), the marker and its temp left out."""
    out = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        rel = Path(root).relative_to(folder)
        for n in sorted(names):
            p = (rel / n).as_posix()
            if not p.startswith(MARKER):
                out.append(p)
    return out


# --- which files of a folder are the grader's -------------------------------------------------

LEGACY_TOP = ("results.json", "grades.csv", "index.html")


def legacy_owned(folder: Path) -> set[str] | None:
    """The files of an output written before markers existed, recognised by its exact shape:
    a results.json in the grader's schema (run fields and a submissions list), grades.csv,
    index.html and reports/; owned are those three and the reports results.json links to."""
    if not all((folder / n).is_file() for n in LEGACY_TOP) or not (folder / "reports").is_dir():
        return None
    from ..results import scan_submissions
    try:
        with open(folder / "results.json", "rb") as f:
            head = f.read(4096)
        if not all(k in head for k in (b'"schema"', b'"grader_version"', b'"assignment"', b'"seed"')):
            return None
        reports = set()
        for _where, s in scan_submissions(folder / "results.json"):
            if not isinstance(s, dict) or "student" not in s:
                return None
            rep = s.get("report")
            if isinstance(rep, str) and re.fullmatch(r"reports/[^/\\]+\.html", rep):
                reports.add(rep)
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    return set(LEGACY_TOP) | {r for r in reports if (folder / r).is_file()}


def owned(folder: Path) -> set[str] | None:
    """The files in ``folder`` the grader wrote, or None when it is not a grading output."""
    m = read_marker(folder)
    if m is not None and m.get("files") is not None:
        return set(m["files"])
    if m is None and folder.is_dir() and not any(folder.iterdir()):
        return set()  # an empty folder: nothing to keep, nothing to lose
    return legacy_owned(folder) if m is None else None


def user_entries(folder: Path, mine: set[str]) -> list[str]:
    """The topmost entries of ``folder`` that hold nothing the grader wrote (relative paths)."""
    dirs_with_mine = {p.as_posix() for f in mine for p in Path(f).parents if str(p) != "."}
    found = []

    def walk(rel: Path) -> None:
        for child in sorted((folder / rel).iterdir(), key=lambda p: p.name):
            r = (rel / child.name).as_posix() if str(rel) != "." else child.name
            if r.startswith(MARKER) and str(rel) == ".":
                continue
            if child.is_dir() and not child.is_symlink() and r in dirs_with_mine:
                walk(Path(r))
            elif r not in mine:
                found.append(r)
    walk(Path("."))
    return found


# --- checks and staging -----------------------------------------------------------------------

def check_target(out: Path, flag: str = "--out") -> None:
    """OUT may be new, empty or an earlier grading output; anything else is refused."""
    if out.exists() and not out.is_dir():
        raise NotAnOutput(f"{flag} {out} is a file; choose a folder")
    if out.is_dir() and os.path.ismount(out):
        raise NotAnOutput(f"{flag} {out} is a mount point, which cannot be swapped for a new grading; "
                          f"give a folder inside it, e.g. {flag} {out / 'grading'}")
    if out.is_dir() and any(out.iterdir()) and owned(out) is None:
        raise NotAnOutput(f"{flag} {out} is not empty and holds no grading output of cnn-grader "
                          f"(no {MARKER}); choose an empty or new folder so nothing of yours is overwritten")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_staging(out: Path, prefix: str = ".cnn-grader-out-") -> Path:
    """An empty staging folder beside OUT (parents created), marked as this run's."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    # made under another name and renamed once marked: a folder named like a staging folder
    # always has its marker until its very last step (empty, then removed)
    # (named with this machine and process: a run killed in this instant leaves a newborn the
    # next run on this machine recognises as dead and removes)
    born = Path(tempfile.mkdtemp(prefix=f"{NEWBORN}{host_tag()}-{os.getpid()}-", dir=out.parent))
    try:
        os.chmod(born, 0o777 & ~_umask())  # (mkdtemp's 0700 would become OUT's: TAs could not read it)
        _write_marker(born, _marker(out, "building", None))
        staging = out.parent / (prefix + born.name[len(NEWBORN):])
        os.rename(born, staging)
    except BaseException:
        remove_marked(born)
        raise
    return staging


def discard_staging(staging: Path) -> None:
    """Remove a staging folder this run made, unless it holds anything the grader did not write
    (then it is left for :func:`recover`, which puts those files back)."""
    m = read_marker(staging)
    if m is None:
        return  # gone (renamed into OUT), or not recognisably ours: never deleted blindly
    if m.get("files") is None:
        remove_marked(staging)
    else:
        _dispose(staging, Path(m.get("output") or staging))


def finish(staging: Path, out: Path) -> None:
    """Put the finished output ``staging`` in place of OUT, keeping every file of the user's."""
    out = out.resolve()
    _write_marker(staging, _marker(out, "complete", _files(staging)))
    if not out.exists():
        os.rename(staging, out)  # atomic: OUT appears whole
        return
    mine = owned(out)
    if mine is None:
        raise NotAnOutput(f"--out {out} is not a grading output of cnn-grader; choose an empty or new folder")
    theirs = user_entries(out, mine)
    clash = [u for u in theirs if _exists_in(staging, u)]
    if clash:
        raise NotAnOutput(f"--out {out} holds files of yours where the grading writes its own: "
                          + ", ".join(clash[:10]) + (" ..." if len(clash) > 10 else "")
                          + "; move or rename them and run again (nothing was changed)")
    _write_marker(out, _marker(out, "old", sorted(mine)))
    for rel in theirs:  # the user's files go into the new output (killed here: recover() puts them back)
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        os.rename(out / rel, staging / rel)
    if exchange(staging, out):
        old = staging  # the old output now has the staging folder's name
    else:  # two renames: OUT is absent between them (recover() completes a replace cut here)
        old = staging.with_name(staging.name + "-old")
        os.rename(out, old)
        os.rename(staging, out)
    _dispose(old, out)


def _exists_in(folder: Path, rel: str) -> bool:
    p = folder
    for part in Path(rel).parts:
        p = p / part
        if p.is_file() or p.is_symlink():
            return True
        if not p.exists():
            return False
    return True


def _dispose(folder: Path, out: Path) -> bool:
    """Empty a folder of ours: the files its marker lists are deleted, anything else is moved
    into OUT (where OUT has nothing of that name).  True when the folder is gone."""
    m = read_marker(folder)
    mine = set(m["files"]) if m and m.get("files") is not None else (legacy_owned(folder) or set())
    kept = []
    if out.is_dir():
        for rel in user_entries(folder, mine):
            if _exists_in(out, rel):
                kept.append(rel)
                continue
            try:
                (out / rel).parent.mkdir(parents=True, exist_ok=True)
                os.rename(folder / rel, out / rel)
            except OSError:
                kept.append(rel)
    else:
        kept = user_entries(folder, mine)
    if kept:  # never deleted: the folder stays, its own files removed
        for rel in mine:
            _unlink(folder / rel)
        return False
    for rel in mine:
        _unlink(folder / rel)
    for root, dirs, _names in os.walk(folder, topdown=False):
        for d in dirs:
            try:
                os.rmdir(os.path.join(root, d))
            except OSError:
                pass
    for p in folder.iterdir():
        if p.name.startswith(MARKER):
            _unlink(p)
    try:
        os.rmdir(folder)
    except OSError:
        return False
    return True


def remove_marked(folder: Path) -> None:
    """Delete a folder of ours with its marker last: a run killed meanwhile leaves a folder
    still recognisably ours (the next run finishes the job), never an unmarked remnant."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    markers = [p for p in entries if p.name.startswith((MARKER, SCRATCH_MARKER))]
    for p in entries:
        if p in markers:
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            _unlink(p)
    for p in markers:
        _unlink(p)
    try:
        os.rmdir(folder)
    except OSError:
        pass


def host_tag() -> str:
    """A short tag of this machine, for names that say which machine's process made them."""
    import hashlib
    import socket
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def _dead_newborn(p: Path) -> bool:
    """A newborn staging folder of a process of this machine that no longer runs."""
    m = re.match(re.escape(NEWBORN) + r"([0-9a-f]{8})-(\d+)-", p.name)
    return bool(m) and m[1] == host_tag() and not pid_exists(int(m[2]))


def _unlink(p: Path) -> None:
    try:
        if p.is_file() or p.is_symlink():
            p.unlink()
    except OSError:
        pass


# --- what killed runs left behind ---------------------------------------------------------------

def leftovers(out: Path) -> list[tuple[Path, dict | None]]:
    """The staging/old folders of dead runs for this OUT: (folder, its marker or None for the
    ``.OUT.old-PID`` folders of earlier grader versions, recognised by their exact shape)."""
    out = out.resolve()
    found = []
    try:
        entries = list(out.parent.iterdir())
    except OSError:
        return found
    legacy = re.compile(r"^\." + re.escape(out.name) + r"\.old-(\d+|merge)$")  # grade's, merge's
    for p in entries:
        if not p.is_dir() or p.is_symlink() or p == out:
            continue
        if p.name.startswith(NEWBORN) and _dead_newborn(p):
            found.append((p, {"files": None}))  # killed before its marker was in place: nothing else in it
        elif p.name.startswith(STAGING_PREFIXES + (NEWBORN,)) and _empty(p) and (
                not p.name.startswith(NEWBORN) or time.time() - p.stat().st_mtime > NEWBORN_GRACE_S):
            found.append((p, {"files": None}))  # empty: a dispose killed before its last rmdir
        elif p.name.startswith(STAGING_PREFIXES):
            m = read_marker(p)
            if m is not None and m.get("output") == str(out) and isinstance(m.get("writer"), dict) \
                    and not alive(m["writer"]):
                found.append((p, m))
        elif (lm := legacy.match(p.name)) and (lm[1] == "merge" or not pid_exists(int(lm[1]))) \
                and legacy_owned(p) is not None:
            found.append((p, None))
    return found


def _empty(p: Path) -> bool:
    try:
        return not any(p.iterdir())
    except OSError:
        return False


def recover(out: Path) -> list[Path]:
    """Finish or undo what killed runs of this OUT left beside it; returns the folders removed.
    A replace cut between its two renames (OUT absent, a complete new output beside it) is
    completed first; then every leftover gives back the user's files and is deleted."""
    out = out.resolve()
    left = leftovers(out)
    if not out.exists():
        ready = sorted((m.get("created", ""), str(p)) for p, m in left if m and m.get("state") == "complete")
        if ready:
            os.rename(ready[-1][1], out)
            left = [(p, m) for p, m in left if str(p) != ready[-1][1]]
    removed = []
    for p, m in left:
        if m is not None and m.get("files") is None:  # still building: only the grader's files
            remove_marked(p)
            removed.append(p)
        elif _dispose(p, out):
            removed.append(p)
    return removed


# --- scratch folders under /tmp -----------------------------------------------------------------

SCRATCH_MARKER = ".cnn-grader-scratch.json"


@contextmanager
def scratch(prefix: str = "cnn-grader-work-") -> Iterator[str]:
    """A temporary folder (like :class:`tempfile.TemporaryDirectory`) marked with this run's
    identity, so that the next run removes those of killed runs (students' unpacked copies)."""
    clean_scratch(prefix)
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        (folder / SCRATCH_MARKER).write_text(json.dumps({"writer": identity()}), encoding="utf-8")
        yield str(folder)
    finally:
        remove_marked(folder)


def clean_scratch(prefix: str = "cnn-grader-work-") -> list[Path]:
    removed = []
    try:
        entries = list(Path(tempfile.gettempdir()).iterdir())
    except OSError:
        return removed
    for p in entries:
        if not p.name.startswith(prefix) or p.is_symlink() or not p.is_dir():
            continue
        try:
            writer = json.loads((p / SCRATCH_MARKER).read_text(encoding="utf-8"))["writer"]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not marked (an earlier version's, or in its first instant): left alone
        if isinstance(writer, dict) and not alive(writer):
            remove_marked(p)
            removed.append(p)
    return removed


# --- report files named by an option (--junit, --gradescope, --html) ----------------------------
#
# One rule for every file a command writes outside OUT because an option named it: it must not
# be (or be inside) anything the run reads, nor a file the run writes into OUT, nor another
# report of the same run; and a file already there is replaced only when it is empty or
# recognisably a report of that kind cnn-grader wrote.  A slip of the finger (``--junit
# subs/alice.py``, ``--html alice.py``) is then one line (exit 2), with nothing changed.

REPORT_HEAD = 8192  # bytes read of an existing file to recognise it
GRADESCOPE_MOST = 16 << 20  # a Gradescope results file of ours is far smaller (TEXT_CAP a text)
JUNIT_MARK = "<!-- written by cnn-grader -->"  # after the XML declaration of every --junit file
HTML_MARK = b'<meta name="generator" content="cnn-grader '  # in the head of every page of ours
REPORT_KINDS = {  # kind: (what it is called, a file name to suggest)
    "junit": ("JUnit XML", "junit.xml"),
    "html": ("HTML report", "report.html"),
    "gradescope": ("Gradescope results file", "results.json"),
    "gradescope-dir": ("folder of Gradescope results", "gradescope"),
}
SIMILARITY_FILES = ("similarity.csv", "similarity.html")  # what ``grader similar`` writes into its OUT
GRADING_FILES = ("results.json", "grades.csv", "index.html", "reports", *SIMILARITY_FILES)


def earlier_report(path: Path, kind: str) -> bool:
    """Whether the existing file ``path`` may be replaced by a report of ``kind``: it is empty,
    or it is recognisably one cnn-grader wrote -- JUnit XML with :data:`JUNIT_MARK` (or, from
    versions before it, an XML declaration, ``<testsuites`` and the grader's ``seed`` and
    ``digest`` properties) in its first 8 KiB; an HTML page with the grader's generator tag in
    its first 8 KiB; a Gradescope results file (at most 16 MiB) whose JSON has ``tests`` and the
    grader's ``extra_data`` (``seed``, ``digest``).  Reads a bounded prefix; never raises."""
    try:
        st = path.lstat()
        if not path.is_file() or path.is_symlink():
            return False
        if st.st_size == 0:
            return True  # nothing to lose
        if kind == "gradescope":
            if st.st_size > GRADESCOPE_MOST:
                return False
            data = json.loads(path.read_bytes().decode("utf-8"))
            if not isinstance(data, dict):
                return False
            extra = data.get("extra_data")
            return isinstance(data.get("tests"), list) and isinstance(extra, dict) \
                and "seed" in extra and "digest" in extra
        with open(path, "rb") as f:
            head = f.read(REPORT_HEAD)
    except (OSError, ValueError, RecursionError):
        return False
    if kind == "junit":
        return head.startswith(b"<?xml") and (JUNIT_MARK.encode() in head or (
            b"<testsuites" in head and b'<property name="seed" value="' in head
            and b'<property name="digest" value="' in head))
    if kind == "html":
        return HTML_MARK in head
    return False


def _inside(p: Path, folder: Path) -> bool:
    return p == folder or folder in p.parents


def _earlier_output(folder: Path) -> str:
    """What ``folder`` is, when it is an output of another run a report must not be written
    into (its index.html, a classmate's reports/<id>.html and similarity.html carry the
    generator tag :func:`earlier_report` accepts): a grading or similarity output (it holds
    :data:`MARKER`), or a similarity report (both :data:`SIMILARITY_FILES`, which a check
    report alone never leaves); "" otherwise.  A few stats; never raises."""
    try:
        if (folder / MARKER).is_file():
            return f"an output of cnn-grader (it holds {MARKER})"
        if all((folder / n).is_file() for n in SIMILARITY_FILES):
            return "a similarity report of cnn-grader"
    except OSError:
        pass
    return ""


def _grading_names(out: Path) -> set[str]:
    """What a grading writes into OUT (relative paths): its fixed files, the files OUT's marker
    lists (an LMS file, the reports), the folders that hold them, and the marker."""
    names = set(GRADING_FILES) | {MARKER}
    for f in owned(out) or ():
        names.add(f)
        names.update(p.as_posix() for p in Path(f).parents if str(p) != ".")
    return names


def check_report(target: Path, flag: str, kind: str, inputs: Iterable[tuple[str, Path | None]] = (),
                 outs: Iterable[Path] = (), others: Iterable[tuple[str, Path | None, str]] = ()) -> None:
    """Refuse (:class:`~grader.errors.UsageError`, one line naming the file and the fix) a report
    ``target`` of ``kind`` (see :data:`REPORT_KINDS`) that is, or is inside, one of ``inputs``
    ((what, path): the submissions, the checked file, a shard, a roster...), is OUT (one of
    ``outs``) or a file a grading writes into it, is another report of the run (``others``:
    (flag, path, kind)), is inside (at any depth) an earlier grading or similarity output other
    than OUT (:func:`_earlier_output`: its pages carry the generator tag too), or is an existing
    file :func:`earlier_report` does not recognise.
    Called before the run (nothing is changed by a refusal) and again just before writing."""
    from ..errors import UsageError
    label, example = REPORT_KINDS[kind]
    folder_kind = kind.endswith("-dir")
    t = Path(os.path.abspath(target)).resolve()
    fix = f"choose another place, e.g. {flag} {example}"
    for what, p in inputs:
        if p is None:
            continue
        rp = Path(os.path.abspath(p)).resolve()
        if _inside(t, rp):
            where = "is" if t == rp else "is inside"
            raise UsageError(f"{flag} {target} {where} {what} {p}, which this run reads and never overwrites; {fix}")
    for out in outs:
        ro = Path(os.path.abspath(out)).resolve()
        if t == ro:
            raise UsageError(f"{flag} {target} is the --out folder; {fix}")
        if not folder_kind and t in ro.parents:
            raise UsageError(f"{flag} {target} holds the --out folder {out}; give a file name, e.g. {flag} {example}")
        if ro in t.parents:
            rel = t.relative_to(ro).as_posix()
            names = _grading_names(ro)
            if any(rel == n or rel.startswith(n + "/") for n in names) or rel.startswith(MARKER):
                raise UsageError(f"{flag} {target} is where the grading in --out {out} writes its own files; "
                                 f"{fix} (or a name of your own inside {out})")
    for other_flag, p, other_kind in others:
        if p is None:
            continue
        rp = Path(os.path.abspath(p)).resolve()
        if t == rp or (other_kind.endswith("-dir") and rp in t.parents) or (folder_kind and t in rp.parents):
            raise UsageError(f"{flag} {target} is also where {other_flag} {p} is written; give each its own file")
    mine = {Path(os.path.abspath(o)).resolve() for o in outs}
    for folder in ([t] if folder_kind else []) + list(t.parents):
        what = "" if folder in mine else _earlier_output(folder)
        # (only where the target is one of that output's own files or folders: a folder that
        # merely lies below an output, ~/course after `similar --out ~`, is the user's)
        if what and t != folder and t.relative_to(folder).parts[0] not in _grading_names(folder):
            what = ""
        if what:
            raise UsageError(f"{flag} {target} is inside {folder}, {what}, whose files this would replace; "
                             f"{fix} outside that folder")
    if t.is_dir():
        if not folder_kind:
            raise UsageError(f"{flag} {target} is a folder; give a file name such as {example}")
        return
    if folder_kind:
        if t.exists() or t.is_symlink():
            raise UsageError(f"{flag} {target} is a file; give a folder (one results file per student)")
        return
    if (t.exists() or Path(target).is_symlink()) and not earlier_report(t, kind):
        raise UsageError(f"{flag} {target} already exists and is not a {label} written by cnn-grader; "
                         f"{fix} (or move that file away: it is never overwritten)")
