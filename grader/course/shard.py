"""Grading a large class on several machines: deterministic shards, and merging their outputs.

Sharding hashes each entry's student id (SHA-256, mod N).  Round-robin over the sorted names
would balance the shards to within one entry, but an entry's shard would then depend on every
other entry: two runners whose listings differ by one file (a late upload, a stray
``.DS_Store`` one of them filters differently, NFC vs NFD names from a macOS copy) would grade
some students twice and others never.  With a hash, an entry's shard depends on its own id
alone, so shards are disjoint and cover everything *whatever* each runner sees, and a student
stays in the same shard when the class changes.  The cost is balance: for m students over N
shards each gets about m/N +- sqrt(m/N) (300 over 4: 75 +- 9), which is fine for wall time.

The key is the student id as :mod:`grader.intake.discover` derives it (``bob.py`` and ``bob.zip``
are both ``bob``, NFC-normalized as discovery groups them), so entries that collide on an id
land in the same shard, where discovery grades the student once from the entry that counts,
instead of twice on two runners.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import Iterable, Mapping

from ..results import GradingRun

_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def parse_shard(text: str, environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``: shard K of N, K counted from 1; ``"auto"``: see :func:`auto_shard`."""
    if str(text).strip().lower() == "auto":
        return auto_shard(os.environ if environ is None else environ)
    m = _SPEC.fullmatch(str(text))
    if not m:
        raise ValueError(f"--shard {text!r}: write K/N, e.g. --shard 2/4 for the second of four shards")
    k, n = int(m[1]), int(m[2])
    if n < 1:
        raise ValueError(f"--shard {text}: N must be at least 1")
    if not 1 <= k <= n:
        raise ValueError(f"--shard {text}: K counts from 1 to N; use 1/{n} ... {n}/{n}")
    return k, n


SHARDS_VAR = "CNN_GRADER_SHARDS"  # N, where the engine does not say it
INDEX_VAR = "CNN_GRADER_SHARD_INDEX"  # K - 1, where the engine gives no variable of its own


def auto_shard(env: Mapping[str, str]) -> tuple[int, int]:
    """K/N from the job array this runs in (``--shard auto``).

    - Slurm job array (``sbatch --array=1-8``, any first id and step): ``SLURM_ARRAY_TASK_ID``,
      ``SLURM_ARRAY_TASK_MIN``, ``SLURM_ARRAY_TASK_STEP`` and ``SLURM_ARRAY_TASK_COUNT``.
    - Kubernetes Indexed Job: ``JOB_COMPLETION_INDEX`` (0-based); a pod is not told the number
      of completions, so the Job sets ``CNN_GRADER_SHARDS`` to it.
    - GitHub Actions matrix (or anything else): ``CNN_GRADER_SHARD_INDEX`` (0-based) and
      ``CNN_GRADER_SHARDS``, which the workflow sets from ``strategy.job-index``/``job-total``.
    """
    def number(name: str) -> int:
        try:
            return int(str(env[name]).strip())
        except (KeyError, ValueError):
            raise ValueError(f"--shard auto: {name}={env.get(name)!r} is not a whole number") from None

    def checked(index: int, n: int, where: str) -> tuple[int, int]:
        if n < 1 or not 0 <= index < n:
            raise ValueError(f"--shard auto: {where} gives shard index {index} of {n}; "
                             "the job array and the number of shards disagree")
        return index + 1, n

    if "SLURM_ARRAY_TASK_ID" in env:
        task, first, n = number("SLURM_ARRAY_TASK_ID"), number("SLURM_ARRAY_TASK_MIN"), number("SLURM_ARRAY_TASK_COUNT")
        step = number("SLURM_ARRAY_TASK_STEP") if env.get("SLURM_ARRAY_TASK_STEP") else 1
        last = number("SLURM_ARRAY_TASK_MAX") if env.get("SLURM_ARRAY_TASK_MAX") else None
        if last is not None and step >= 1 and last != first + (n - 1) * step:
            # a comma list (--array=1,3,7): its ids are no grid, and every task must refuse, or
            # some would grade a shard of the wrong N and the merge would miss the rest
            raise ValueError(f"--shard auto: this Slurm array's {n} task ids run from {first} to {last}, which "
                             f"is not a range (a list such as --array=1,3,7?); submit --array=1-{n}, and "
                             "rerun one task with `scontrol requeue JOBID_TASK`")
        if step < 1 or (task - first) % step:
            raise ValueError(f"--shard auto: Slurm task {task} is not on the array's grid "
                             f"(first {first}, step {step}); use a plain range such as --array=1-{n}")
        return checked((task - first) // step, n, "Slurm")
    if "JOB_COMPLETION_INDEX" in env:
        if SHARDS_VAR not in env:
            raise ValueError(f"--shard auto: a Kubernetes Indexed Job must set {SHARDS_VAR} to its completions")
        return checked(number("JOB_COMPLETION_INDEX"), number(SHARDS_VAR), "the Kubernetes Job")
    if INDEX_VAR in env and SHARDS_VAR in env:
        return checked(number(INDEX_VAR), number(SHARDS_VAR), f"{INDEX_VAR}/{SHARDS_VAR}")
    raise ValueError("--shard auto: no job array found (Slurm's SLURM_ARRAY_TASK_ID, a Kubernetes Indexed "
                     f"Job's JOB_COMPLETION_INDEX, or {INDEX_VAR} and {SHARDS_VAR}); give --shard K/N instead")


def student_key(entry: str | Path) -> str:
    """The student id an entry gives, by discovery's own rule (a ``str`` is a file's name), in
    the one form discovery groups by (:func:`grader.assignment.normalize_student`)."""
    from ..intake.discover import student_id
    if isinstance(entry, Path):
        sid = student_id(entry.name, not entry.is_dir() or entry.is_symlink())
    else:
        sid = student_id(str(entry), True)
    from ..assignment import normalize_student
    return normalize_student(sid)


def shard_of(key: str, n: int) -> int:
    """The 1-based shard of a student id among ``n``."""
    if n < 1:
        raise ValueError("the number of shards must be at least 1")
    from ..assignment import normalize_student
    digest = hashlib.sha256(normalize_student(key).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


def shard(entries: Iterable[str | Path], k: int, n: int) -> list:
    """The entries of shard ``k`` of ``n`` (1-based), in sorted order; deterministic."""
    if not 1 <= k <= n:
        raise ValueError(f"shard {k}/{n}: K counts from 1 to N")
    return sorted((e for e in entries if shard_of(student_key(e), n) == k), key=lambda e: str(e))


# --- merging ----------------------------------------------------------------------------------

MUST_AGREE = ("assignment", "assignment_version", "seed", "grader_version", "max_score", "roster_digest",
              "reveal")


POLICY_PATHS = ("config", "roster")  # where each runner found the files: may differ (the roster's ids may not)


def _same_policy(runs: list[GradingRun], labels: list[str]) -> None:
    """The shards were graded under one policy (partial credit, late rule, timeout, LMS column
    and what the absent get): a merge of two policies is no one grading's result."""
    def rules(r: GradingRun) -> dict:
        return {k: v for k, v in (getattr(r, "policy", None) or {}).items() if k not in POLICY_PATHS}
    first = rules(runs[0])
    for lab, r in zip(labels[1:], runs[1:]):
        other = rules(r)
        if other != first:
            key = sorted(k for k in {*first, *other} if first.get(k) != other.get(k))[0]
            raise ValueError(f"cannot merge: the policy's {key} differs ({labels[0]}: {first.get(key)!r}, "
                             f"{lab}: {other.get(key)!r}); grade every shard with the same course file and options")


def _shard_set(runs: list[GradingRun], labels: list[str]) -> tuple[int, list[int]]:
    """Check the runs form one shard set: (N, the missing K's).  (0, []) for unsharded runs
    (disjoint gradings merged as they are).  Doubled or mismatched shards are refused."""
    specs = [tuple(getattr(r, "shard", None) or ()) for r in runs]
    if not any(specs):
        return 0, []
    if not all(specs):
        plain = ", ".join(lab for lab, sp in zip(labels, specs) if not sp)
        raise ValueError(f"cannot merge: {plain} was not graded with --shard K/N but the others were; "
                         "merge the outputs of one `grader grade --shard K/N` set")
    ns = {sp[1] for sp in specs}
    if len(ns) > 1:
        shown = ", ".join(f"{lab}: {k}/{n}" for lab, (k, n) in zip(labels, specs))
        raise ValueError(f"cannot merge: the number of shards differs ({shown}); grade every shard with the same N")
    n = ns.pop()
    seen: dict[int, str] = {}
    for lab, (k, _n) in zip(labels, specs):
        if k in seen:
            raise ValueError(f"cannot merge: shard {k}/{n} is given twice ({seen[k]} and {lab}); give each shard once")
        seen[k] = lab
    return n, [k for k in range(1, n + 1) if k not in seen]


def merge(runs: list[GradingRun], labels: list[str] | None = None, command: str = "",
          allow_partial: bool = False) -> GradingRun:
    """One run from shard runs: they must agree on assignment, versions, seed and roster, form
    one complete set of shards (each K of N once), and hold no student twice.

    ``allow_partial``: merge an incomplete set anyway; the result lists the missing shards
    (``missing_shards``) and, with a roster, has a row for each of their students with the
    error ``not graded: shard K of N missing``, so nobody vanishes from the gradebook."""
    if not runs:
        raise ValueError("nothing to merge: give the output folders of every shard")
    labels = labels or [f"run {i + 1}" for i in range(len(runs))]
    first = runs[0]
    for field in MUST_AGREE:
        values = [getattr(r, field, None) for r in runs]
        if any(v != values[0] for v in values):
            shown = ", ".join(f"{lab}: {v!r}" for lab, v in zip(labels, values))
            hint = ("grade every shard with the same --seed" if field == "seed" else
                    "grade every shard with the same --roster" if field == "roster_digest" else
                    "grade every shard with --reveal, or none" if field == "reveal" else
                    "grade every shard with the same grader and assignment")
            raise ValueError(f"cannot merge: {field} differs ({shown}); {hint}")
    _same_policy(runs, labels)
    n, missing = _shard_set(runs, labels)
    if missing and not allow_partial:
        raise ValueError(f"cannot merge: shard{'s' if len(missing) > 1 else ''} "
                         + ", ".join(f"{k}/{n}" for k in missing)
                         + " missing (did a grading job fail?); give every shard's output folder, "
                         "or --allow-partial to merge what there is")
    where: dict[str, str] = {}
    subs = []
    for lab, r in zip(labels, runs):
        for s in r.submissions:
            if s.student in where:
                raise ValueError(f"cannot merge: student {s.student!r} is in both {where[s.student]} and {lab}; "
                                 "each student must be graded in exactly one shard (same N for every shard?)")
            where[s.student] = lab
            subs.append(s)
    if missing:
        subs += _not_graded(first, subs, [i for i in (first.roster_ids or []) if i not in where], n, missing)
    subs.sort(key=lambda s: s.student)
    merged = dataclasses.replace(first, submissions=subs, created=max(r.created for r in runs),
                                 command=command or first.command, shard=[], missing_shards=missing,
                                 lms={})  # (the shards' LMS files: merge_outputs writes the class's)
    merged.cached = sum(getattr(r, "cached", 0) or 0 for r in runs)
    merged.collisions = sorted((c for r in runs for c in (getattr(r, "collisions", None) or [])),
                               key=lambda c: c["student"])  # (a student's entries are all in one shard)
    # every shard lists the roster's unmatched entries: once is enough
    merged.unmatched = sorted({u for r in runs for u in (getattr(r, "unmatched", None) or [])})
    return merged


def _not_graded(run: GradingRun, graded: list, ids: list[str], n: int, missing: list[int]) -> list:
    """Rows for the roster students of the missing shards: 0 points, the reason as the error."""
    from ..results import QuestionResult, SubmissionResult
    template = graded[0].questions if graded else []
    rows = []
    for sid in ids:
        k = shard_of(sid, n)
        if k not in missing:
            continue  # (a roster student of a merged shard is always there: graded or "no submission")
        why = f"not graded: shard {k}/{n} missing from the merge"
        qs = [QuestionResult(id=q.id, function=q.function, title=q.title, score=0.0, max_score=q.max_score,
                             status="error", trials=0, message=why) for q in template]
        rows.append(SubmissionResult(student=sid, source="", score=0.0, max_score=run.max_score, error=why,
                                     report="", seed=run.seed, questions=qs))
    return rows


def merge_outputs(folders: list[Path], out: Path, command: str = "", allow_partial: bool = False,
                  ledger: Path | None = None, roster: Path | None = None, lms_column: str | None = None,
                  lms_missing: str | None = None, lms_new_column: bool | None = None,
                  course=None) -> GradingRun:
    """``grader merge OUT1 OUT2 ... --out OUT``: one results.json, gradebook, reports and index.

    Each folder is a ``grade`` output (results.json, reports/).  OUT must be new, empty or an
    earlier grading output (the instructor's other files there are kept); it is built beside
    OUT and swapped in at the end, by the stage that ends ``grade``
    (:mod:`grader.outputs.publish`), so the merge writes what one unsharded grading writes.
    ``ledger``: the overrides to apply (default: the ledger the shards applied, if it is still
    there); applied once, whatever the shards applied.

    The LMS file (Canvas ``canvas-import.csv``, Moodle ``moodle-import.csv``) is written for the
    whole class, as one unsharded ``grade`` writes it.  Each LMS setting -- ``roster`` (the LMS
    export), ``lms_column``, ``lms_missing``, ``lms_new_column`` -- is, in this order: the
    argument (``None``: not given); what the shards were graded with, as their results.json
    records it (when they were graded with an LMS export: that is the run being completed);
    ``course``'s ``[lms]`` key (a :class:`grader.course.config.Course`: the course file found
    as ``grade`` finds it, for shards graded without one); the default.  The export's students
    must be the shards' roster (the same ids).  The merged results.json records the settings
    used."""
    from ..outputs import publish as stage
    from .. import results
    folders = [Path(f) for f in folders]
    out = Path(out)
    seen: dict[Path, Path] = {}
    for f in folders:
        if not (f / "results.json").is_file():
            raise ValueError(f"{f} holds no results.json; give the --out folders of `grader grade --shard K/N`")
        if f.resolve() == out.resolve():
            raise ValueError(f"--out {out} is one of the folders to merge; choose a new folder")
        if f.resolve() in seen:
            raise ValueError(f"cannot merge: {f} is given twice ({seen[f.resolve()]} and {f}); give each shard once")
        seen[f.resolve()] = f
    stage.check_target(out)
    runs = []
    for f in folders:
        try:
            runs.append(results.load(f / "results.json"))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"{f / 'results.json'} is not a cnn-grader results.json ({exc}); "
                             "give the --out folders of `grader grade --shard K/N`") from None
    run = merge(runs, labels=[str(f) for f in folders], command=command, allow_partial=allow_partial)
    lms = _lms(run, any(getattr(r, "lms", None) for r in runs),
               LmsSettings(roster, lms_column, lms_missing, lms_new_column), course)
    used: set[str] = set()
    with stage.building(out, expected=len(run.submissions), done=lambda: len(used), prefix=".cnn-grader-merge-",
                        what="the merged grading") as staging:
        (staging / "reports").mkdir()
        origin = {id(s): f for f, r in zip(folders, runs) for s in r.submissions}
        for s in run.submissions:
            src = origin[id(s)] / s.report if s.report and id(s) in origin else None
            if src is not None and src.is_file():
                name = _unique(Path(s.report).name, used)
                shutil.copyfile(src, staging / "reports" / name)
                s.report = f"reports/{name}"
            else:
                s.report = ""
        renderer = _renderer(run)
        stage.publish(run, renderer, stage.Made(run.submissions, renderer), staging, out, lms,
                      ledger=_ledger(ledger, runs, renderer))
    return run


@dataclasses.dataclass(frozen=True)
class LmsSettings:
    """The LMS settings of a merge, as given (``None``: not given)."""

    roster: Path | None = None
    column: str | None = None
    missing: str | None = None
    new_column: bool | None = None


def _lms(run: GradingRun, graded_with_lms: bool, given: LmsSettings, course):
    """The LMS file to fill for the merged class (:func:`merge_outputs` says which setting wins),
    or ``None`` when there is none to fill; the settings used go into ``run.policy``.
    ``graded_with_lms``: the shards filled an LMS export in.  Read, and its column found, before
    anything is written."""
    from ..outputs import export
    from . import roster as roster_mod
    policy = dict(getattr(run, "policy", None) or {})
    recorded = LmsSettings(
        roster=Path(policy["roster"]) if graded_with_lms and policy.get("roster") else None,
        column=policy.get("lms_column") if graded_with_lms else None,  # ("": the default column)
        missing=policy.get("lms_missing") if graded_with_lms else None,
        new_column=policy.get("lms_new_column") if graded_with_lms else None)
    from_course = LmsSettings(getattr(course, "roster", None), getattr(course, "lms_column", None),
                              getattr(course, "lms_missing", None), getattr(course, "lms_new_column", None))

    def pick(name: str):
        for source in (given, recorded, from_course):
            if getattr(source, name) is not None:
                return getattr(source, name)
        return None
    roster = pick("roster")
    if roster is None:
        if given != LmsSettings():
            raise ValueError("--lms-column/--lms-missing/--lms-new-column fill in an LMS export, and the shards "
                             "were graded without one: give it as --roster")
        return None
    if given.roster is None and not Path(roster).is_file():
        where = "the shards were graded with" if recorded.roster is not None else "the course file names"
        raise ValueError(f"the LMS export {where}, {roster}, is not there any more; give it as --roster")
    column, missing, new_column = pick("column") or None, pick("missing") or "zero", bool(pick("new_column"))
    table = roster_mod.read_roster(Path(roster))
    if getattr(run, "roster_digest", "") and _roster_digest(table) != run.roster_digest:
        raise ValueError(f"--roster {roster} is not the class list the shards were graded with (other student "
                         "ids); give the LMS export given to `grader grade --roster`")
    target = export.lms_target(table, run.title, run.assignment, column, missing, new_column)
    if target is None:
        raise ValueError(f"--roster {roster} is not an LMS export (a Canvas gradebook export or a Moodle "
                         "grading worksheet): there is no LMS file to fill in")
    run.policy = {**policy, "roster": str(roster), "lms_column": column or "", "lms_missing": missing,
                  "lms_new_column": new_column}
    return target


def _roster_digest(table) -> str:
    """The roster's digest as ``grade`` records it (its student ids)."""
    from .roster import roster_digest
    return roster_digest([st.id for st in table.students])


def _ledger(path: Path | None, runs: list[GradingRun], renderer):
    """The ledger to apply to a merge: ``path``, else the one the shards applied (if any)."""
    from .ledger import Ledger, check_all
    if path is None:
        used = {(getattr(r, "ledger", None) or {}).get("file") for r in runs} - {None, ""}
        path = Path(sorted(used)[0]) if len(used) == 1 and Path(sorted(used)[0]).is_file() else None
    if path is None:
        return None
    book = Ledger(Path(path))
    if renderer is not None:
        check_all(book.path, book.entries, renderer.assignment)
    return book


def _renderer(run: GradingRun):
    """The dashboard's renderer for the assignment the shards graded, with the points they
    graded it with; None where its reference is not installed here (results.json and
    grades.csv are still whole, the dashboard is left out)."""
    try:
        from ..assignment import load_assignment
        from ..outputs.report import Renderer
        asg = load_assignment(run.assignment)
    except (ValueError, ImportError):
        return None
    graded = next((s for s in run.submissions if s.questions), None)
    if graded is not None:  # (--points or the course file's [points])
        try:
            asg = asg.with_points({q.id: q.max_score for q in graded.questions})
        except ValueError:
            pass  # (questions of another version: refused by merge, which checks the versions)
    return Renderer(asg, run)


def _unique(name: str, used: set[str]) -> str:
    stem, suffix = (name.rsplit(".", 1) + [""])[:2]
    cand, i = name, 2
    while cand.lower() in used:
        cand, i = f"{stem}-{i}.{suffix}" if suffix else f"{stem}-{i}", i + 1
    used.add(cand.lower())
    return cand
