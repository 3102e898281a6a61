"""The importable API: every CLI command is one function here.

    discover -> sandbox -> compare -> score -> render/export

``grade`` grades a folder into an output folder; ``check`` grades one file for a student;
``similar`` ranks a folder's pairs of submissions by shared code.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import functools
import json
import os
import shutil
import struct
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from . import DEFAULT_ASSIGNMENT, __version__, settings
from .assignment import Assignment, Generated, Trials, load_assignment, student_rng, trial_groups
from .errors import MachineError, UsageError, is_machines  # (the first two: grader.api.*, for API users too)
from .intake.discover import Staged, Submission, _ignored, discover, prepare, student_id
from .results import GradingRun, SubmissionResult
from .sandbox.supervisor import Call, Limits, Sandbox, resolved
from .judge.score import apply_late, score_submission, unrunnable
from .sandbox.launch import discard_early, hidden_paths as _hidden_paths, start_early
from .course.config import LatePolicy
from .text import one_line, safe_name, safe_text, student_file_name

if TYPE_CHECKING:
    from .outputs.similarity import SimilarityRun


@dataclass(frozen=True)
class Options:
    seed: int = 0
    timeout: float = settings.DEFAULT_TIMEOUT
    memory_mb: int = 1024
    isolation: str = "auto"  # auto | namespaces | process
    require_sandbox: bool = False
    jobs: int | None = None
    cache: bool = True  # reuse results of unchanged submissions from the previous output
    reveal: bool = False  # reports show the correct formulas (answers released after the deadline)
    partial_credit: bool = False  # a question scores points x the fraction of its trials passed
    late: "LatePolicy | None" = None  # grader.course.config.LatePolicy, from the roster's late flags

    def __post_init__(self) -> None:
        """The seed and limits obey the rules the course file and the flags do (the CLI has
        checked them already, naming the key or flag); an API caller's ``nan`` seconds would
        otherwise time every question out, and the seed is kept modulo 2**32, as used."""
        from . import settings
        for name, rule in (("seed", settings.SEED), ("timeout", settings.TIMEOUT), ("memory_mb", settings.MEMORY)):
            try:
                object.__setattr__(self, name, rule.check(getattr(self, name)))
            except settings.SettingError as exc:
                raise UsageError(f"Options.{name}: {exc}") from None


StudentTrials = dict[str, Generated]  # question id -> its Trials, or its shape groups


def make_trials(assignment: Assignment, seed: int, student: str) -> StudentTrials:
    """Every question's inputs and reference answers for one student (trusted side only): a
    question's :class:`Trials` as its generator made it, one or several shape groups (see
    :func:`grader.assignment.trial_groups`)."""
    return make_trials_many(assignment, seed, [student])[0]


def make_trials_many(assignment: Assignment, seed: int, students: list[str]) -> list[StudentTrials]:
    """:func:`make_trials` for several students, each exactly as alone; questions with a
    ``generate_many`` compute the whole batch at once (NumPy's per-call cost is paid once)."""
    out: list[StudentTrials] = [{} for _ in students]
    for i, q in enumerate(assignment.questions):
        rngs = [student_rng(seed, s, i) for s in students]
        many = q.generate_many(rngs, assignment.n_random) if q.generate_many and len(rngs) > 1 \
            else [q.generate(r, assignment.n_random) for r in rngs]
        for trials, t in zip(out, many):
            trials[q.id] = t if isinstance(t, Trials) else trial_groups(t, q.id)  # (checked once, here)
    return out


class _TrialsAhead:
    """Trials made ``batch`` students at a time, in the order the workers take submissions,
    and handed out one student at a time (a student's come back as if made alone)."""

    def __init__(self, assignment: Assignment, seed: int, students: list[str], batch: int = 16):
        self._asg, self._seed, self._students, self._batch = assignment, seed, students, batch
        self._made: dict[int, StudentTrials] = {}  # made, not yet taken
        self._started = bytearray(len(students))  # 1: made at some point (a byte a student)
        self._lock = threading.Lock()

    def take(self, i: int, end: int | None = None) -> StudentTrials:
        """Student ``i``'s trials; made with those of the next students up to ``end`` (a
        worker's block: the students it will grade itself)."""
        with self._lock:
            if i not in self._made:
                stop = min(i + self._batch, len(self._students), end if end is not None else len(self._students))
                block = [j for j in range(i, stop)
                         if j == i or not self._started[j]]
                for j, t in zip(block, make_trials_many(self._asg, self._seed, [self._students[j] for j in block])):
                    self._made[j] = t
                    self._started[j] = 1
            return self._made.pop(i)

    def forget(self, i: int) -> None:
        """Student ``i`` needs no trials (unchanged since last time, or not runnable): drop
        any made for it, so that such students cost no memory."""
        with self._lock:
            self._made.pop(i, None)
            self._started[i] = 1


def calls_for(assignment: Assignment, trials: StudentTrials) -> list[Call]:
    """One sandbox call a question: every trial of every shape group, in order."""
    out = []
    for q in assignment.questions:
        groups = trial_groups(trials[q.id], q.id)
        nargs = [k for t in groups for k in (list(t.nargs) if t.nargs is not None else [len(t.args)] * len(t))]
        more = [list(t.args.values()) for t in groups] if len(groups) > 1 else None
        out.append(Call(q.id, q.function, list(groups[0].args.values()), nargs, len(nargs), groups=more,
                        sizes=[len(t) for t in groups] if more else None, parts=assignment.kind == "written"))
    return out


def hidden_paths(*extra: Path) -> list[Path]:
    """What a sandboxed child must not see (see :func:`grader.sandbox.launch.hidden_paths`)."""
    return [Path(p) for p in _hidden_paths(*extra)]


def _assignment_folder(asg: Assignment) -> list[Path]:
    """The folder an assignment was loaded from: its reference answers, hidden from student code
    wherever course staff keep it (an installed one is hidden with the rest of ``reference``)."""
    return [Path(asg.source)] if asg.source else []


def cache_key(sub: Submission, assignment: Assignment, opts: Options) -> str:
    """What decides a submission's result: its content, its inputs, the questions, the limits."""
    import hashlib
    import json
    parts = [sub.digest, sub.main, sub.student, opts.seed, assignment.name, assignment.version, _code_fingerprint(),
             _folder_fingerprint(assignment.source),
             opts.timeout, opts.memory_mb, opts.isolation, [(q.id, q.points) for q in assignment.questions],
             opts.partial_credit, sub.name, sub.notes]  # (the notes: the student's other entries, what was left out)
    # JSON is an unambiguous encoding of these (strings are quoted and escaped, lone surrogates
    # of undecodable names escaped as such); the tree itself is encoded by discover._digest
    return hashlib.sha256(json.dumps(parts, ensure_ascii=True).encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Hash of the grader's and the assignments' code: any change to either invalidates the cache."""
    import hashlib
    import reference
    h = hashlib.sha256(__version__.encode())
    for root in (Path(__file__).resolve().parent, Path(reference.__file__).resolve().parent):
        for p in sorted(root.rglob("*.py")):
            h.update(p.read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=8)
def _folder_fingerprint(folder: str) -> str:
    """Hash of an assignment folder's code (one kept outside the grader's tree changes too)."""
    import hashlib
    h = hashlib.sha256()
    if folder:
        for p in sorted(Path(folder).rglob("*.py")):
            h.update(str(p.relative_to(folder)).encode("utf-8", "surrogateescape") + b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()


class _Previous:
    """The results of an earlier grading in ``out``, by cache key, read from disk one at a time
    when a submission turns out unchanged.  Results with a timeout are left out: the machine
    may have been loaded, so those students are graded again.  An unreadable or missing
    results.json gives nothing (everyone is graded)."""

    def __init__(self, out: Path):
        from .results import scan_submissions, submission_from_dict
        self.path = out / "results.json"
        self._at: dict[str, tuple[int, int]] = {}  # cache key -> its line, read when taken
        self._loaded: dict[str, SubmissionResult] = {}  # (a file not written one a line)
        self._lock = threading.Lock()
        try:
            for where, s in scan_submissions(self.path):
                key = s.get("cache_key")
                if not key or not isinstance(key, str) or any(
                        isinstance(q, dict) and q.get("status") == "timeout" for q in s.get("questions", [])):
                    continue
                if where is not None:
                    self._at[key] = where
                else:
                    self._loaded[key] = submission_from_dict(s)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self._at, self._loaded = {}, {}

    def take(self, key: str) -> SubmissionResult | None:
        from .results import read_at
        with self._lock:
            if key in self._loaded:
                return self._loaded.pop(key)
            at = self._at.pop(key, None)
            if at is None:
                return None
            try:
                return read_at(self.path, at)
            except (OSError, ValueError, KeyError, TypeError):
                return None


DETAIL_LIMIT = 200  # larger classes: GradingRun.submissions reads them back from results.json


class _Spool:
    """What the workers made of each student -- its results.json line, and the pieces of the
    gradebook and the dashboard (see :class:`_Graded`) -- written to disk as results come and
    read back in the final order (by student id, then by the entry's place in the folder)."""

    def __init__(self, path: Path):
        self._f = open(path, "w+b")
        # (student, order, offset) a record: the parts' lengths are in the record's head on disk,
        # so what stays in memory per student is the same however many parts there are
        self._where: list[tuple[str, int, int]] = []

    @property
    def count(self) -> int:
        return len(self._where)

    def add(self, student: str, order: int, *parts: str) -> None:
        data = [p.encode("utf-8") for p in parts]
        start = self._f.seek(0, os.SEEK_END)
        self._f.write(struct.pack(f"<H{len(data)}Q", len(data), *map(len, data)) + b"".join(data))
        self._where.append((student, order, start))

    def lines(self, part: int = 0) -> Iterator[str]:
        """Part ``part`` of every student's record, in the final order (0: results.json line)."""
        for _student, _order, start in sorted(self._where):
            self._f.seek(start)
            k, = struct.unpack("<H", self._f.read(2))
            sizes = struct.unpack(f"<{k}Q", self._f.read(8 * k))
            self._f.seek(start + 2 + 8 * k + sum(sizes[:part]))
            yield self._f.read(sizes[part]).decode("utf-8")

    def close(self) -> None:
        self._f.close()


def is_machine_error(exc: BaseException) -> bool:
    """Whether ``exc`` stops the whole run: the sandbox unavailable or the disk failing.  Any
    other failure while grading one submission is that submission's result."""
    from .sandbox.supervisor import SandboxError
    if isinstance(exc, (SandboxError, MachineError, KeyboardInterrupt, SystemExit)):
        return True
    return is_machines(exc)


def failed_submission(assignment: Assignment, sub: Submission, seed: int, exc: BaseException) -> SubmissionResult:
    """The result of a submission the grader itself failed on: a one-line reason, the run goes on."""
    what = one_line(safe_text(f"{type(exc).__name__}: {exc}"))[:300]
    res = unrunnable(assignment, sub.student, safe_name(sub.source.name), seed,
                     f"the grader could not grade this submission ({what}); "
                     "tell your instructor, who can regrade it alone with grader check")
    res.digest, res.cache_key = "", ""  # never reused: the next run tries again
    return res


def submission_builder(assignment: Assignment):
    """How a submission of this assignment becomes an importable module: ``None`` for code
    (the main .py is chosen), the generated module of :mod:`grader.intake.written` for written answers."""
    if assignment.kind == "written":
        from .intake.written import builder
        return builder(assignment)
    return None


def grade_submission(sandbox: Sandbox, assignment: Assignment, sub: Submission, seed: int,
                     trials: StudentTrials | None = None, partial_credit: bool = False) -> SubmissionResult:
    if sub.error or sub.directory is None:
        res = unrunnable(assignment, sub.student, safe_name(sub.source.name), seed,
                         one_line(safe_text(sub.error or "could not be prepared")))
        res.notes = list(sub.notes)
        return res
    trials = trials if trials is not None else make_trials(assignment, seed, sub.student)
    run = sandbox.run(sub.directory, sub.main, calls_for(assignment, trials))
    res = score_submission(assignment, trials, run, sub.student, safe_name(sub.source.name), seed, sub.digest,
                           partial_credit)
    if not run.timed_out and assignment.kind != "written":
        _probe_dependence(sandbox, assignment, sub, trials, run, res)
    # a time limit hit is never reused: the machine may have been loaded (the import's included)
    res.cache_key = "" if run.timed_out else sub.cache_key
    res.notes = list(sub.notes) + res.notes  # about the file (a .py.txt, a notebook), then its imports
    _suggest_names(assignment, sub, res)
    return res


def _probe_dependence(sandbox: Sandbox, assignment: Assignment, sub: Submission,
                      trials: StudentTrials, run, res: SubmissionResult) -> None:
    """Failed questions' functions called again in the sandbox, one argument changed at a time
    (:mod:`grader.feedback.dependence`): what a wrong answer does not depend on is said first.
    After scoring, so no verdict depends on it; one more sandbox run for the whole submission."""
    from .feedback import dependence
    by_id = {q.id: q for q in assignment.questions}
    plans, retries = {}, {}
    for r in res.questions:
        qrun = run.questions.get(r.id)
        if qrun is None or qrun.seconds > dependence.MAX_SECONDS:
            continue
        if r.status == "error" and qrun.status == "error" and qrun.trial is not None:
            groups = trial_groups(trials[r.id], r.id)
            # the sizes the error names, as the failing call's argument lengths
            try:
                sizes = dependence.error_sizes(groups, qrun.trial, (r.traceback or r.message).strip().splitlines()[-1])
            except Exception:  # noqa: BLE001 - a note is a bonus
                sizes = ""
            if sizes:
                r.notes = list(r.notes) + [sizes]
                r.message = f"{r.message.rstrip('.')}. {sizes}"
            # does the failing call raise in a fresh start, and what do the other calls answer?
            again = dependence.retry(groups, qrun.trial)
            if again is not None:
                retries[r.id] = again
            continue
        if r.status != "failed":
            continue
        group = trial_groups(trials[r.id], r.id)[0]  # (one shape group is enough to probe with)
        p = dependence.plan(group)
        if p is not None:
            plans[r.id] = p, group
    if not plans and not retries:
        return
    calls = [Call(qid, by_id[qid].function, list(p.args.values()),
                  [p.nargs] * p.n, p.n) for qid, (p, _group) in plans.items()]
    for qid, again in retries.items():
        groups, nargs, sizes = again.call()
        calls.append(Call(qid, by_id[qid].function, groups[0], nargs, len(nargs), tolerant=True,
                          **({"groups": groups, "sizes": sizes} if len(groups) > 1 else {})))
    try:
        probed = sandbox.run(sub.directory, sub.main, calls)
    except Exception:  # noqa: BLE001 - a probe is a bonus: the graded result stands as it is
        return
    for r in res.questions:
        qrun = probed.questions.get(r.id)
        if r.id in retries:
            if qrun is not None and qrun.status == "ok":
                try:
                    said = dependence.retry_notes(by_id[r.id], retries[r.id], qrun.outputs, qrun.raised,
                                                   (r.traceback or r.message).strip().splitlines()[-1])
                except Exception:  # noqa: BLE001 - a probe is a bonus
                    said = []
                if said:
                    r.notes = said + list(r.notes)
                    r.message = f"{r.message.rstrip('.')}. {' '.join(said)}"
            continue
        if r.id not in plans or qrun is None or qrun.status != "ok":
            continue
        try:
            p, group = plans[r.id]
            note, lead = dependence.finding(by_id[r.id], group, p, qrun.outputs)
        except Exception:  # noqa: BLE001
            note, lead = "", False
        if note and lead and not r.misconceptions:  # (a catalogued mistake's story comes first)
            r.notes = [note] + list(r.notes)
            r.message = f"{note} {r.message}"
        elif note:
            r.notes = list(r.notes) + [note]


def _suggest_names(assignment: Assignment, sub: Submission, res: SubmissionResult) -> None:
    """"no function named f is defined" says "did you mean g?" where the file defines a close name."""
    absent = [q for q in res.questions if q.status == "missing" and q.message.startswith("no function named ")]
    if not absent or assignment.kind == "written" or not sub.main:
        return
    from .intake.discover import MAX_FILE_BYTES, close_name
    try:
        with open(Path(sub.directory) / sub.main, "rb") as f:
            text = f.read(MAX_FILE_BYTES).decode("utf-8", "replace")
    except OSError:
        return
    taken = {q.function for q in assignment.questions}
    for q in absent:
        near = close_name(q.function, text, taken)
        if near:
            q.message = f"no function named {q.function} is defined \u2014 did you mean {safe_text(near)}?"


def _isolation(opts: Options) -> str:
    # --require-sandbox must never silently fall back to a weaker layer: ask for namespaces outright
    return "namespaces" if opts.require_sandbox and opts.isolation == "auto" else opts.isolation


def _limits(opts: Options) -> Limits:
    return Limits(timeout=opts.timeout, memory_mb=opts.memory_mb)


def _sandbox(opts: Options, hide: list[Path]) -> Sandbox:
    return Sandbox(_limits(opts), isolation=_isolation(opts), hide=hide)


def _check_isolation(result: SubmissionResult, opts: Options) -> None:
    """``--require-sandbox`` is about the machine: an entry that never ran (a bad zip, a .txt)
    carries no isolation and says nothing about it."""
    if opts.require_sandbox and result.isolation and result.isolation != "namespaces":
        raise MachineError("--require-sandbox: full isolation is not available here "
                           f"({result.isolation_note or result.isolation}); run as root or enable user namespaces")


def _jobs(opts: Options, n: int) -> int:
    return max(1, min(opts.jobs or os.cpu_count() or 1, n or 1))


def _start_sandboxes(opts: Options, hide: list[Path], n: int) -> None:
    """Launch the workers' zygotes now, so their NumPy imports overlap our own start-up; each
    worker's :class:`Sandbox` adopts one (see :mod:`grader.sandbox.launch`)."""
    start_early(*_early_key(opts, hide), _jobs(opts, n))


def _early_key(opts: Options, hide: list[Path]) -> tuple[str, list[str], int]:
    """What a worker's Sandbox will ask grader.sandbox.launch for (see Sandbox._start)."""
    return _isolation(opts), resolved(hide), _limits(opts).tmp_mb


def _check_out_dir(out: Path, submissions: Path) -> None:
    """OUT must be outside the submissions, and new, empty or an earlier grading output (see
    :mod:`grader.outputs.outdir`); what killed runs of this OUT left beside it is cleaned up first."""
    from .outputs.publish import check_target
    out, submissions = out.resolve(), submissions.resolve()
    if out == submissions or submissions in out.parents:
        raise UsageError(f"--out {out} is inside the submissions folder {submissions}; choose a folder outside it")
    if out in submissions.parents:
        raise UsageError(f"--out {out} contains the submissions folder; choose a separate folder")
    check_target(out)


def _check_not_empty(submissions: Path) -> None:
    """An empty folder is a mistyped path far more often than an empty class: refuse it."""
    if not any(not _ignored(p) for p in submissions.iterdir()):
        raise UsageError(f"{submissions} holds no submissions (it is empty); give the folder that holds "
                         "the students' files (a mistyped path?)")


def grade(submissions: Path, out: Path, opts: Options = Options(), assignment: str | Assignment = DEFAULT_ASSIGNMENT,
          on_result: Callable[[SubmissionResult], None] | None = None, command: str = "",
          roster: Path | None = None, shard: tuple[int, int] | None = None, lms_column: str | None = None,
          lms_missing: str = "zero", policy: dict | None = None,
          on_start: Callable[[], None] | None = None, ledger: Path | None = None,
          only: list[str] | None = None, lms_new_column: bool = False) -> GradingRun:
    """Grade every submission in ``submissions`` into ``out`` (results.json, grades.csv, HTML).

    ``roster``: a class list (CSV); entries are matched to it (LMS download names included)
    and graded under the roster's ids, every roster student without a submission gets a row
    with 0 points and error ``no submission``, and entries matching nobody are still graded
    under their own names and listed in ``run.unmatched``.
    When the roster is a Canvas gradebook export or a Moodle grading worksheet, the same file
    comes back filled in as ``OUT/canvas-import.csv`` / ``OUT/moodle-import.csv`` (column
    ``lms_column``, or the one named like the assignment; students without a submission get 0,
    or nothing with ``lms_missing="blank"``); ``run.lms`` says what was written.  An
    ``lms_column`` that is no column of the export is a :class:`UsageError` listing them,
    unless ``lms_new_column`` (then a new column of that name is added).
    ``policy``: what to record in results.json of the course file used (``grader.course.config``).
    ``only``: grade these students alone and update their results in the existing ``out``
    (a regrade request); everyone else's results, reports and rows are kept as they were.
    ``ledger``: the overrides to apply (:mod:`grader.course.ledger`), at publish time.
    ``shard=(K, N)``: grade only the students of shard K of N (see :mod:`grader.course.shard`);
    ``grader merge`` combines the shards' outputs.
    ``on_start`` is called once the inputs are read and checked (the roster, the LMS export,
    OUT), before the first student is graded: what is wrong with them is raised before it.
    ``on_result`` sees every whole result as it comes.  The returned run's ``submissions`` is
    a list for classes up to ``DETAIL_LIMIT``; for larger ones a
    :class:`~grader.results.SubmissionsOnDisk` that reads each result back from
    ``out/results.json`` when asked, so memory stays flat however large the class.

    Three stages: :func:`plan_class` (who is graded, from what), :func:`grade_class` (worker
    processes grade and write each student's report), :func:`grader.outputs.publish.publish`
    (results.json, the gradebook and the dashboard, moved into ``out`` at once; ``merge`` ends
    the same way).
    """
    submissions, out = Path(submissions), Path(out)
    if not submissions.is_dir():
        raise UsageError(f"{submissions} is not a folder; give the folder that holds the submissions")
    _check_not_empty(submissions)
    _check_out_dir(out, submissions)
    asg = load_assignment(assignment) if isinstance(assignment, str) else assignment
    run = GradingRun(assignment=asg.name, title=asg.title, assignment_version=asg.version,
                     grader_version=__version__, seed=opts.seed, max_score=asg.max_score,
                     created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), command=command,
                     reveal=bool(opts.reveal))
    late_policy = opts.late or LatePolicy()
    run.policy = {**(policy or {}), "partial_credit": opts.partial_credit, "late": late_policy.to_dict(),
                  "late_rule": late_policy.describe(), "lms_missing": lms_missing,
                  "lms_column": lms_column or "", "lms_new_column": bool(lms_new_column),
                  "roster": str(roster) if roster is not None else "", "timeout": opts.timeout}
    if shard is not None:
        run.shard = list(shard)  # merge checks that it has every shard, each once
    table, lms, book = None, None, None
    if ledger is not None:
        from .course.ledger import Ledger, check_all
        book = Ledger(Path(ledger))
        check_all(book.path, book.entries, asg)
    if roster is not None:  # read (and its LMS column found) before anything is graded
        from .outputs import export
        from .course import roster as roster_mod
        table = roster_mod.read_roster(roster)
        lms = export.lms_target(table, asg.title, asg.name, lms_column, lms_missing, lms_new_column)
    kept = _kept_for_only(out, run, only) if only else None
    from .outputs.outdir import scratch
    from .outputs.publish import building, publish
    from .outputs.report import Renderer
    with scratch("cnn-grader-work-") as work:  # (one a killed run left is removed by the next)
        plan = plan_class(submissions, asg, Path(work), table, shard, only=kept.students if kept else None)
        if kept is not None:
            kept.check(plan)
        run.unmatched, run.roster_ids = plan.unmatched, plan.roster_ids
        if roster is not None:
            from .course.roster import roster_digest
            run.roster_digest = roster_digest(plan.roster_ids)
        spool = None
        # a full disk: one line, nothing half-written left
        with building(out, Path(work), plan.expected, lambda: spool.count if spool else 0) as staging:
            # the work folder holds every student's private copy: hidden, so no one reads another's
            plan.hide = hidden_paths(submissions, out, staging, Path(work), *_assignment_folder(asg))
            try:
                renderer = Renderer(asg, run)  # (compiled once, before the workers start)
                if on_start is not None:
                    on_start()
                spool = grade_class(plan, opts, run, renderer, staging, out if opts.cache else None, on_result)
                if kept is not None:
                    kept.add(spool, run, renderer, staging)
                publish(run, renderer, spool, staging, out, lms, book)
            finally:
                if spool is not None:
                    spool.close()
    return run


class _Kept:
    """``grade --only``: the earlier grading in OUT, whose other students are kept as they were
    (their results.json lines, reports, gradebook and dashboard rows)."""

    def __init__(self, out: Path, only: list[str]):
        from .assignment import normalize_student
        from .results import load
        self.out, self.asked = out, list(only)
        self.students = {normalize_student(s) for s in only}
        path = out / "results.json"
        if not path.is_file():
            raise UsageError(f"--only updates an earlier grading: {out} holds no results.json; grade the class first")
        try:
            self.run = load(path)
        except (ValueError, TypeError, KeyError) as exc:
            raise UsageError(f"--only: {path} is not a cnn-grader results.json ({exc})") from None
        known = {normalize_student(s.student) for s in self.run.submissions}
        unknown = [s for s in only if normalize_student(s) not in known]
        self.new = unknown  # (graded now for the first time, if their entry is there)
        self.others = [s for s in self.run.submissions if normalize_student(s.student) not in self.students]
        self.report_of = {normalize_student(s.student): s.report for s in self.run.submissions}

    def check(self, plan: "ClassPlan") -> None:
        """Every student asked for has an entry (or is a roster student), and keeps their report's name."""
        from .assignment import normalize_student
        found = {normalize_student(s.student) for s in plan.subs} | {normalize_student(st.id) for st in plan.missing}
        lost = [s for s in self.asked if normalize_student(s) not in found]
        if lost:
            raise UsageError(f"--only {lost[0]}: no submission of that student in the folder (ids: as in "
                             f"{self.out / 'results.json'})")
        who = [s.student for s in plan.subs] + [st.id for st in plan.missing]
        for i, student in enumerate(who):
            old = self.report_of.get(normalize_student(student))
            if old:
                plan.reports[i] = old

    def add(self, spool: "_Spool", run: GradingRun, renderer, staging: Path) -> None:
        """The other students, as they were: their pieces into the spool, their reports copied."""
        from .outputs.publish import pieces
        for i, s in enumerate(self.others):
            if s.report and (self.out / s.report).is_file():
                (staging / s.report).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.out / s.report, staging / s.report)
            spool.add(s.student, (1 << 40) + i, *pieces(s, renderer))
        if run.submissions is not None:
            run.submissions = sorted([*run.submissions, *self.others], key=lambda s: s.student)
        run.unmatched = sorted(set(run.unmatched) | set(self.run.unmatched))
        run.collisions = sorted({c["student"]: c for c in [*self.run.collisions, *run.collisions]}.values(),
                                key=lambda c: c["student"])


def _kept_for_only(out: Path, run: GradingRun, only: list[str]) -> _Kept:
    kept = _Kept(out, only)
    for field in ("assignment", "assignment_version", "seed", "reveal", "shard"):
        if getattr(kept.run, field) != getattr(run, field):
            raise UsageError(f"--only: {out} was graded with another {field} ({getattr(kept.run, field)!r}); "
                             "regrade one student with the settings the class was graded with")
    return kept


@dataclass
class ClassPlan:
    """Who is graded and from what, decided before any student runs (stage 1 of ``grade``)."""

    assignment: Assignment
    subs: list[Submission]  # in the folder's order; each unpacked only when its turn comes
    reports: list[str]  # report path of each submission, then of each student in ``missing``
    missing: list = dataclasses.field(default_factory=list)  # roster students without a submission
    origin: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # staged name -> own files
    unmatched: list[str] = dataclasses.field(default_factory=list)
    roster_ids: list[str] = dataclasses.field(default_factory=list)  # the whole roster's, sorted
    whose: dict = dataclasses.field(default_factory=dict)  # student id -> their roster entry (names, late days)
    staged: dict[str, Staged] = dataclasses.field(default_factory=dict)  # what the roster's layout could not copy
    hide: list[Path] = dataclasses.field(default_factory=list)  # what no sandboxed child may see (set by grade)
    work: Path = Path()  # private: every student's unpacked copy, the spool

    @property
    def expected(self) -> int:
        """Results this grading writes."""
        return len(self.subs) + len(self.missing)


def plan_class(submissions: Path, asg: Assignment, work: Path, roster=None,
               shard: tuple[int, int] | None = None, only: "set[str] | None" = None) -> ClassPlan:
    """Match the roster (a :func:`grader.course.roster.read_roster` table), discover the entries,
    keep the shard's (``only``: those students' alone, by normalized id), name every report (stage 1)."""
    select = None
    if shard is not None:
        from .course.shard import shard_of
        k, n = shard
        select = lambda student: shard_of(student, n) == k  # noqa: E731
    if only is not None:
        from .assignment import normalize_student
        in_shard = select or (lambda student: True)
        select = lambda student: in_shard(student) and normalize_student(student) in only  # noqa: E731
    source_dir, origin, missing, unmatched, roster_ids, whose = submissions, {}, [], [], [], {}
    staged: dict[str, Staged] = {}  # what the roster's layout could not copy of an entry (see Staged)
    if roster is not None:
        from .course import roster as roster_mod
        roster_ids = sorted(st.id for st in roster.students)
        found = roster_mod.match(roster, [p.name for p in submissions.iterdir() if not _ignored(p)])
        source_dir = work / "by-roster"
        origin = roster_mod.stage(submissions, found, source_dir, staged=staged)
        missing = [st for st in found.missing if select is None or select(st.id)]
        unmatched = [safe_name(e) for e in found.unmatched]  # (entry names: raw bytes, controls)
        whose = {st.id: st for st in found.matched.values()}
    subs = discover(source_dir, [q.function for q in asg.questions], work / "prepared", select, lazy=True)
    names: set[str] = set()
    reports = [f"reports/{student_file_name(who, names, '.html')}" for who in [s.student for s in subs] + [st.id for st in missing]]
    return ClassPlan(asg, subs, reports, missing, origin, unmatched, roster_ids, whose, work=work, staged=staged)


class _Grader:
    """What a worker does for one submission: unpack it, reuse its unchanged earlier result or
    grade it, write its report, and hand back its results.json line (a small message)."""

    def __init__(self, plan: ClassPlan, opts: Options, renderer, staging: Path, previous: "_Previous | None"):
        self.plan, self.opts, self.renderer, self.staging, self.previous = plan, opts, renderer, staging, previous
        self.functions = [q.function for q in plan.assignment.questions]
        self.build = submission_builder(plan.assignment)

    @contextlib.contextmanager
    def worker(self) -> Iterator["_Worker"]:
        """A worker's state: its own warm sandbox, and the inputs it made ahead for its block."""
        with _sandbox(self.opts, self.plan.hide) as sb:
            yield _Worker(sb, _TrialsAhead(self.plan.assignment, self.opts.seed, [s.student for s in self.plan.subs]))

    def task(self, w: "_Worker", i: int, end: int) -> "_Graded":
        s = self.plan.subs[i]
        here = self.plan.work / "prepared" / f"s{i:05d}"
        cached = False
        try:
            res, cached = self._result(w, s, i, end, here)
        except Exception as exc:  # noqa: BLE001 - one student's failure is that student's result
            if is_machine_error(exc):
                raise
            res = failed_submission(self.plan.assignment, s, self.opts.seed, exc)
        finally:
            w.ahead.forget(i)
            shutil.rmtree(here, ignore_errors=True)
            s.directory, s.digest, s.cache_key = None, "", ""  # (the result keeps them)
        self.from_roster(res)
        g = self.record(res, self.plan.reports[i], cached)
        g.counted = s.name if s.others else ""  # (decided by prepare, here in the worker)
        return g

    def from_roster(self, res: SubmissionResult) -> None:
        """The student's own file names, name and email, and the late policy, from the roster
        (a reused result is scored again: the policy is not part of the cache key)."""
        from .course import roster as roster_mod
        entries = self.plan.origin.get(res.source, [res.source])
        if res.source in self.plan.origin:  # graded from the roster's layout: name the student's own files
            res.source = ", ".join(map(safe_name, entries))
        st = self.plan.whose.get(res.student)
        if st is not None:
            res.name, res.email = roster_mod.display_name(st), st.email
        late = any(roster_mod.parse_entry(e).late for e in entries)  # Canvas: LATE in the name
        apply_late(res, late, st.days_late if st else None, self.opts.late)

    def _result(self, w: "_Worker", s: Submission, i: int, end: int, here: Path) -> tuple[SubmissionResult, bool]:
        if s.directory is None and not s.error:
            prepare(s, self.functions, here, self.build, self.plan.staged)
        s.cache_key = cache_key(s, self.plan.assignment, self.opts) if s.digest else ""
        old = self.previous.take(s.cache_key) if self.previous is not None and s.cache_key else None
        if old is not None and not (self.opts.require_sandbox and old.isolation and old.isolation != "namespaces"):
            from .course.ledger import reset
            reset(old)  # (as graded: publish applies the ledger in force now)
            return old, True
        return grade_submission(w.sb, self.plan.assignment, s, self.opts.seed, w.ahead.take(i, end),
                                self.opts.partial_credit), False

    def record(self, res: SubmissionResult, report: str, cached: bool = False) -> "_Graded":
        """Write the report and make the results.json line; a result we cannot render or
        record becomes that student's error."""
        try:
            return self._record(res, report, cached)
        except Exception as exc:  # noqa: BLE001
            if is_machine_error(exc):
                raise
            return self._record(failed_submission(self.plan.assignment, Submission(res.student, Path(res.source or res.student)),
                                                  self.opts.seed, exc), report, False)

    def _record(self, res: SubmissionResult, report: str, cached: bool) -> "_Graded":
        from .outputs.publish import pieces
        res.report = report
        self.renderer.write_student(res, self.staging / report)
        return _Graded(res.student, res.isolation, res.isolation_note, cached, pieces(res, self.renderer))

    def failed(self, i: int, why: str) -> "_Graded":
        """The result of a submission whose worker died under it."""
        s = self.plan.subs[i]
        return self.record(failed_submission(self.plan.assignment, s, self.opts.seed, RuntimeError(why)), self.plan.reports[i])


@dataclass
class _Worker:
    sb: Sandbox
    ahead: "_TrialsAhead"


@dataclass
class _Graded:
    """A worker's message for one submission: small, plain, pickled once."""

    student: str
    isolation: str
    isolation_note: str
    cached: bool
    # its pieces of the class's files (grader.outputs.publish.pieces: its results.json line,
    # grades.csv row, what the dashboard needs of it, its dashboard rows), so that publishing is
    # pasting (on 16 cores, rendering them in the coordinator took a fifth of a class's time);
    # its report is already written
    pieces: tuple[str, ...] = ()
    counted: str = ""  # of a student's several entries, the one graded (see discover.prepare); "": none


def grade_class(plan: ClassPlan, opts: Options, run: GradingRun, renderer, staging: Path,
                previous_out: Path | None = None,
                on_result: Callable[[SubmissionResult], None] | None = None) -> "_Spool":
    """Stage 2: grade every submission on ``opts.jobs`` workers; each report goes to
    ``staging/reports`` and each results.json line to the spool as it comes.  Classes up to
    ``DETAIL_LIMIT`` keep their results in ``run.submissions`` too (larger ones: ``None``,
    and :func:`publish` reads them back from results.json)."""
    from .course import roster as roster_mod
    from .results import submission_from_dict
    from .run.workers import run_tasks, use_processes
    (staging / "reports").mkdir()
    keep_details = len(plan.subs) + len(plan.missing) <= DETAIL_LIMIT
    spool = _Spool(plan.work / "results.jsonl")
    kept: list[tuple[str, int, SubmissionResult]] = []
    grader = _Grader(plan, opts, renderer, staging, _Previous(previous_out) if previous_out is not None else None)

    def accept(i: int, g: _Graded) -> None:
        """In the coordinator: as little as possible (the workers did the rest)."""
        _check_isolation(SubmissionResult(g.student, "", 0, 0, "", "", isolation=g.isolation,
                                          isolation_note=g.isolation_note), opts)
        spool.add(g.student, i, *g.pieces)
        run.cached += g.cached
        if i < len(plan.subs) and plan.subs[i].others:
            run.collisions.append(collision(plan, plan.subs[i], g.counted))
        if keep_details or on_result:
            res = submission_from_dict(json.loads(g.pieces[0]))  # (its results.json line)
            if keep_details:
                kept.append((g.student, i, res))
            if on_result:
                on_result(res)

    jobs = _jobs(opts, len(plan.subs))
    if not use_processes(jobs):  # (worker processes launch their own zygotes)
        _start_sandboxes(opts, plan.hide, len(plan.subs))
    try:
        run_tasks(len(plan.subs), jobs, grader.worker, grader.task, grader.failed, accept)
        for j, st in enumerate(plan.missing, len(plan.subs)):
            res = roster_mod.no_submission(st, plan.assignment)
            res.seed = opts.seed
            accept(j, grader.record(res, plan.reports[j]))
    except BaseException:
        spool.close()
        raise
    finally:
        discard_early(*_early_key(opts, plan.hide))  # any zygote no worker adopted
    run.submissions = [res for _s, _i, res in sorted(kept, key=lambda k: k[:2])] if keep_details else None
    run.collisions.sort(key=lambda c: c["student"])
    return spool


def collision(plan: ClassPlan, sub: Submission, counted: str) -> dict:
    """results.json's record of a student who gave several entries: each entry (the student's
    own file names, with a roster) and the one graded ("" if the grader itself failed first)."""
    def own(name: str) -> list[str]:
        return [safe_name(n) for n in plan.origin.get(name, [name])]
    return {"student": sub.student, "entries": sorted(n for e in (sub.name, *sub.others) for n in own(e)),
            "counted": ", ".join(own(counted)) if counted else ""}


def check(path: Path, opts: Options = Options(), assignment: str | Assignment = DEFAULT_ASSIGNMENT,
          student: str | None = None, trials: StudentTrials | None = None) -> SubmissionResult:
    """Grade one file, folder or zip, as a student would to self-check.

    ``trials``: every question's inputs and answers, when they are not the student's own
    random ones (the public cases: :func:`grader.course.handout.check_public`)."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such file; give the path to your .py file")
    asg = load_assignment(assignment) if isinstance(assignment, str) else assignment
    with tempfile.TemporaryDirectory(prefix="cnn-grader-check-") as work:
        sub = Submission(student=student or student_id(path.name, not path.is_dir()), source=path)
        prepare(sub, [q.function for q in asg.questions], Path(work) / "s", submission_builder(asg))
        hide = hidden_paths(*_assignment_folder(asg))  # the student's own folder stays: it is their machine
        with _sandbox(Options(**{**opts.__dict__, "jobs": 1}), hide) as sb:
            try:
                res = grade_submission(sb, asg, sub, opts.seed, trials, opts.partial_credit)
            except Exception as exc:  # noqa: BLE001 - reported as the file's result, in one line
                if is_machine_error(exc):
                    raise
                res = failed_submission(asg, sub, opts.seed, exc)
    _check_isolation(res, opts)
    return res


def starter(assignment: str | Assignment = DEFAULT_ASSIGNMENT, filename: str | None = None) -> str:
    """The student starter file: every function stubbed, the contract in its docstrings."""
    from .outputs.report import environment
    asg = load_assignment(assignment) if isinstance(assignment, str) else assignment
    env = environment()
    env.autoescape = False  # Python source or Markdown, not HTML
    template = "starter.md.j2" if asg.kind == "written" else "starter.py.j2"
    return env.get_template(template).render(assignment=asg, filename=filename or asg.student_file,
                                             check_options=asg.check_options)


def similar(submissions: Path, out: Path, assignment: str | Assignment = DEFAULT_ASSIGNMENT,
            templates: list[Path] | tuple[Path, ...] = (), threshold: float = 0.5, top: int | None = None,
            command: str = "", jobs: int | None = None) -> "SimilarityRun":
    """Rank the pairs of submissions by how much code (or, for a written assignment, notation)
    they share, into ``out``: ``similarity.csv`` (every pair sharing code, most similar first;
    the first ``top`` with ``top``) and ``similarity.html`` (the pairs at or above ``threshold``,
    side by side with the shared regions highlighted).

    Every submission is read as grading reads it (:mod:`grader.similarity.sources`; nothing is
    run), fingerprinted once with copydetect and paired through an inverted index
    (:mod:`grader.similarity.match`).  The assignment's starter and the ``templates`` files are
    boilerplate: what they contain never counts.  A submission that cannot be read is listed,
    not compared.  ``jobs``: worker processes reading and fingerprinting (default: all cores).
    Raises :class:`UsageError` when copydetect is not installed (the optional extra
    ``similarity``).  The returned run's ``rows`` are the ranking (``ia``/``ib``: the two
    documents' positions among those read)."""
    import time
    from .similarity import match, sources
    from .outputs import similarity as outputs
    from .outputs.outdir import scratch
    started = time.perf_counter()
    submissions, out = Path(submissions), Path(out)
    need = match.missing()
    if need:
        raise UsageError(need)
    if not 0.0 <= threshold <= 1.0:
        raise UsageError(f"--threshold {threshold}: give a similarity from 0 to 1")
    if top is not None and top < 1:
        raise UsageError(f"--top {top}: give a number of pairs, 1 or more")
    if not submissions.is_dir():
        raise UsageError(f"{submissions} is not a folder; give the folder that holds the submissions")
    _check_not_empty(submissions)
    outputs.check_out(out, submissions)
    asg = load_assignment(assignment) if isinstance(assignment, str) else assignment
    written = asg.kind == "written"
    language = None if written else sources.PYTHON
    boiler = [sources.answers_text(starter(asg), [q.id for q in asg.questions])[0] if written else starter(asg)]
    boiler += [sources.template_text(Path(t), asg) for t in templates]
    run = outputs.SimilarityRun(assignment=asg.name, title=asg.title, threshold=threshold, command=command,
                                created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                                written=written)
    bp = match.boilerplate_hashes(boiler, language)
    run.boilerplate = len(bp)
    with scratch("cnn-grader-work-") as work:
        docs, prints = _fingerprint_class(submissions, asg, Path(work), bp, jobs)
        read = [d for d in docs if not d.error]
        prints = [p for d, p in zip(docs, prints) if not d.error]
        run.not_read = [(d.student, d.error) for d in docs if d.error]
        run.notes = [(d.student, n) for d in docs for n in d.notes]
        run.students = len(read)
        run.common = match.drop_common(prints)
        found = match.pairs(prints)
        run.compared, run.listed = found.compared, len(found.a)
        count = len(found.a) if top is None else min(top, len(found.a))
        sizes = [len(p.unique) for p in prints]
        for i in range(count):
            a, b = int(found.a[i]), int(found.b[i])
            run.rows.append({"rank": i + 1, "a": read[a].student, "b": read[b].student,
                             "similarity": float(found.similarity[i]), "shared": int(found.shared[i]),
                             "prints_a": sizes[a], "prints_b": sizes[b], "entry_a": read[a].entry,
                             "entry_b": read[b].entry, "files_a": read[a].files, "files_b": read[b].files,
                             "shown": False, "ia": a, "ib": b})
        for r in run.above[:outputs.SHOWN_PAIRS]:
            a, b = r["ia"], r["ib"]
            sa, share_a = match.overlap(read[a], prints[a], prints[b])
            sb, share_b = match.overlap(read[b], prints[b], prints[a])
            r["shown"] = True
            run.shown.append({**r, "share_a": share_a, "share_b": share_b, "sides": [
                {"student": read[a].student, "files": read[a].files, "html": outputs.highlighted(read[a].text, sa)},
                {"student": read[b].student, "files": read[b].files, "html": outputs.highlighted(read[b].text, sb)}]})
        run.seconds = time.perf_counter() - started
        outputs.write(run, out, Path(work))
    return run


def _fingerprint_class(submissions: Path, asg: Assignment, work: Path, boilerplate, jobs: int | None):
    """Every submission read and fingerprinted, on ``jobs`` worker processes (tokenising is most
    of the time): ``(documents, prints)`` in student id order (a print is None where the
    document could not be read)."""
    from .run.workers import run_tasks
    from .similarity import match, sources
    subs = sources.class_submissions(submissions, asg, work)
    got: list = [None] * len(subs)

    def task(_state, i: int, _end: int):
        doc = sources.read_one(subs[i], asg, work / f"s{i:05d}")
        return doc, (None if doc.error else match.fingerprint(doc.text, doc.language, boilerplate))

    def failed(i: int, why: str):
        return sources.Document(subs[i].student, safe_text(subs[i].name), error=f"{safe_text(subs[i].name)}: {why}"), None

    def on_message(i: int, message) -> None:
        got[i] = message

    run_tasks(len(subs), max(1, min(jobs or os.cpu_count() or 1, len(subs))), contextlib.nullcontext, task, failed,
              on_message)
    return [g[0] for g in got], [g[1] for g in got]
