"""Grading a large class on several machines: deterministic shards, and merging their outputs.

Sharding hashes each entry's student id (SHA-256, mod N).  Round-robin over the sorted names
would balance the shards to within one entry, but an entry's shard would then depend on every
other entry: two runners whose listings differ by one file (a late upload, a stray
``.DS_Store`` one of them filters differently, NFC vs NFD names from a macOS copy) would grade
some students twice and others never.  With a hash, an entry's shard depends on its own id
alone, so shards are disjoint and cover everything *whatever* each runner sees, and a student
stays in the same shard when the class changes.  The cost is balance: for m students over N
shards each gets about m/N +- sqrt(m/N) (300 over 4: 75 +- 9), which is fine for wall time.

The key is the student id as :mod:`grader.discover` derives it (``bob.py`` and ``bob.zip``
are both ``bob``), so entries that collide on an id land in the same shard, where discovery
reports the collision, instead of being graded twice on two runners.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Iterable

from .results import GradingRun

_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
ID_SUFFIXES = (".py", ".zip")


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``: shard K of N, K counted from 1."""
    m = _SPEC.fullmatch(str(text))
    if not m:
        raise ValueError(f"--shard {text!r}: write K/N, e.g. --shard 2/4 for the second of four shards")
    k, n = int(m[1]), int(m[2])
    if n < 1:
        raise ValueError(f"--shard {text}: N must be at least 1")
    if not 1 <= k <= n:
        raise ValueError(f"--shard {text}: K counts from 1 to N; use 1/{n} ... {n}/{n}")
    return k, n


def student_key(entry: str | Path) -> str:
    """The student id an entry gives (as discovery derives it), NFC-normalized."""
    if isinstance(entry, Path):
        name = entry.stem if entry.is_file() else entry.name
    else:
        name = str(entry)
        for suf in ID_SUFFIXES:
            if name.lower().endswith(suf) and len(name) > len(suf):
                name = name[:-len(suf)]
                break
    return unicodedata.normalize("NFC", name)


def shard_of(key: str, n: int) -> int:
    """The 1-based shard of a student id among ``n``."""
    if n < 1:
        raise ValueError("the number of shards must be at least 1")
    digest = hashlib.sha256(unicodedata.normalize("NFC", key).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def shard(entries: Iterable[str | Path], k: int, n: int) -> list:
    """The entries of shard ``k`` of ``n`` (1-based), in sorted order; deterministic."""
    if not 1 <= k <= n:
        raise ValueError(f"shard {k}/{n}: K counts from 1 to N")
    return sorted((e for e in entries if shard_of(student_key(e), n) == k), key=lambda e: str(e))


# --- merging ----------------------------------------------------------------------------------

MUST_AGREE = ("assignment", "assignment_version", "seed", "grader_version", "max_score", "reveal")


def merge(runs: list[GradingRun], labels: list[str] | None = None, command: str = "") -> GradingRun:
    """One run from shard runs: they must agree on assignment, versions and seed; no student twice."""
    if not runs:
        raise ValueError("nothing to merge: give the output folders of every shard")
    labels = labels or [f"run {i + 1}" for i in range(len(runs))]
    first = runs[0]
    for field in MUST_AGREE:
        values = [getattr(r, field) for r in runs]
        if any(v != values[0] for v in values):
            shown = ", ".join(f"{lab}: {v!r}" for lab, v in zip(labels, values))
            hint = ("grade every shard with the same --seed" if field == "seed" else
                    "grade every shard with --reveal, or none" if field == "reveal" else
                    "grade every shard with the same grader and assignment")
            raise ValueError(f"cannot merge: {field} differs ({shown}); {hint}")
    where: dict[str, str] = {}
    subs = []
    for lab, r in zip(labels, runs):
        for s in r.submissions:
            if s.student in where:
                raise ValueError(f"cannot merge: student {s.student!r} is in both {where[s.student]} and {lab}; "
                                 "each student must be graded in exactly one shard (same N for every shard?)")
            where[s.student] = lab
            subs.append(s)
    subs.sort(key=lambda s: s.student)
    merged = dataclasses.replace(first, submissions=subs, created=max(r.created for r in runs),
                                 command=command or first.command)
    names = {f.name for f in dataclasses.fields(GradingRun)}
    if "cached" in names:
        merged.cached = sum(getattr(r, "cached", 0) or 0 for r in runs)
    if "unmatched" in names:  # every shard lists the roster's unmatched entries: once is enough
        merged.unmatched = sorted({u for r in runs for u in (getattr(r, "unmatched", None) or [])})
    return merged


def merge_outputs(folders: list[Path], out: Path, command: str = "") -> GradingRun:
    """``grader merge OUT1 OUT2 ... --out OUT``: one results.json, gradebook, reports and index.

    Each folder is a ``grade`` output (results.json, reports/).  OUT must be new, empty or an
    earlier grading output; it is written whole and moved into place at the end.
    """
    from . import export, results
    folders = [Path(f) for f in folders]
    out = Path(out)
    for f in folders:
        if not (f / "results.json").is_file():
            raise ValueError(f"{f} holds no results.json; give the --out folders of `grader grade --shard K/N`")
        if f.resolve() == out.resolve():
            raise ValueError(f"--out {out} is one of the folders to merge; choose a new folder")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "results.json").exists())):
        raise ValueError(f"--out {out} is not empty and holds no earlier grading (results.json); "
                         "choose an empty or new folder so nothing of yours is overwritten")
    runs = [results.load(f / "results.json") for f in folders]
    run = merge(runs, labels=[str(f) for f in folders], command=command)
    out.resolve().parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".cnn-grader-merge-", dir=out.resolve().parent))
    try:
        (staging / "reports").mkdir()
        used: set[str] = set()
        origin = {id(s): f for f, r in zip(folders, runs) for s in r.submissions}
        for s in run.submissions:
            src = origin[id(s)] / s.report if s.report else None
            if src is not None and src.is_file():
                name = _unique(Path(s.report).name, used)
                shutil.copyfile(src, staging / "reports" / name)
                s.report = f"reports/{name}"
            else:
                s.report = ""
        export.write_all(run, staging)
        try:
            from .assignment import load_assignment
            from .report import Renderer
            Renderer(load_assignment(run.assignment), run).write_index(run.submissions, staging / "index.html")
        except (ValueError, ImportError):
            pass  # no reference installed here: results.json and grades.csv are still complete
        if out.exists():
            old = out.with_name(f".{out.name}.old-merge")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            staging.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return run


def _unique(name: str, used: set[str]) -> str:
    stem, suffix = (name.rsplit(".", 1) + [""])[:2]
    cand, i = name, 2
    while cand.lower() in used:
        cand, i = f"{stem}-{i}.{suffix}" if suffix else f"{stem}-{i}", i + 1
    used.add(cand.lower())
    return cand
