"""The importable API: every CLI command is one function here.

    discover -> sandbox -> compare -> score -> render/export

``grade`` grades a folder into an output folder; ``check`` grades one file for a student.
"""
from __future__ import annotations

import datetime as _dt
import functools
import os
import queue
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from . import __version__
from .assignment import Assignment, Trials, load_assignment, student_rng
from .discover import Submission, _ignored, discover, prepare, student_id
from .results import GradingRun, SubmissionResult, SubmissionsOnDisk, one_line_json
from .sandbox import Call, Limits, Sandbox, resolved
from .score import score_submission, unrunnable
from .launch import discard_early, hidden_paths as _hidden_paths, start_early
from .text import one_line, safe_text


class UsageError(ValueError):
    """Bad input from the user: the message names the file and the fix."""


@dataclass(frozen=True)
class Options:
    seed: int = 0
    timeout: float = 10.0
    memory_mb: int = 1024
    isolation: str = "auto"  # auto | namespaces | process
    require_sandbox: bool = False
    jobs: int | None = None
    cache: bool = True  # reuse results of unchanged submissions from the previous output


def make_trials(assignment: Assignment, seed: int, student: str) -> dict[str, Trials]:
    """Every question's inputs and reference answers for one student (trusted side only)."""
    return make_trials_many(assignment, seed, [student])[0]


def make_trials_many(assignment: Assignment, seed: int, students: list[str]) -> list[dict[str, Trials]]:
    """:func:`make_trials` for several students, each exactly as alone; questions with a
    ``generate_many`` compute the whole batch at once (NumPy's per-call cost is paid once)."""
    out: list[dict[str, Trials]] = [{} for _ in students]
    for i, q in enumerate(assignment.questions):
        rngs = [student_rng(seed, s, i) for s in students]
        many = q.generate_many(rngs, assignment.n_random) if q.generate_many and len(rngs) > 1 \
            else [q.generate(r, assignment.n_random) for r in rngs]
        for trials, t in zip(out, many):
            trials[q.id] = t
    return out


class _TrialsAhead:
    """Trials made ``batch`` students at a time, in the order the workers take submissions,
    and handed out one student at a time (a student's come back as if made alone)."""

    def __init__(self, assignment: Assignment, seed: int, students: list[str], batch: int = 16):
        self._asg, self._seed, self._students, self._batch = assignment, seed, students, batch
        self._made: dict[int, dict[str, Trials]] = {}  # made, not yet taken
        self._started = bytearray(len(students))  # 1: made at some point (a byte a student)
        self._lock = threading.Lock()

    def take(self, i: int) -> dict[str, Trials]:
        with self._lock:
            if i not in self._made:
                block = [j for j in range(i, min(i + self._batch, len(self._students)))
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


def calls_for(assignment: Assignment, trials: dict[str, Trials]) -> list[Call]:
    out = []
    for q in assignment.questions:
        t = trials[q.id]
        nargs = list(t.nargs) if t.nargs is not None else [len(t.args)] * len(t)
        out.append(Call(q.id, q.function, list(t.args.values()), nargs, len(t)))
    return out


def hidden_paths(*extra: Path) -> list[Path]:
    """What a sandboxed child must not see (see :func:`grader.launch.hidden_paths`)."""
    return [Path(p) for p in _hidden_paths(*extra)]


def cache_key(sub: Submission, assignment: Assignment, opts: Options) -> str:
    """What decides a submission's result: its content, its inputs, the questions, the limits."""
    import hashlib
    import json
    parts = [sub.digest, sub.student, opts.seed, assignment.name, assignment.version, _code_fingerprint(),
             opts.timeout, opts.memory_mb, opts.isolation, [(q.id, q.points) for q in assignment.questions]]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


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
    """results.json lines written to disk as results come, read back in the final order."""

    def __init__(self, path: Path, by_result: bool):
        self._f = open(path, "w+b")
        self._where: list[tuple[str, int, int]] = []  # (student, offset, length) per result
        self._of: dict[int, int] = {}  # id(result) -> its position in _where, if by_result
        self._by_result = by_result

    def add(self, res: SubmissionResult) -> None:
        line = one_line_json(res).encode("utf-8")
        start = self._f.seek(0, os.SEEK_END)
        self._f.write(line)
        if self._by_result:
            self._of[id(res)] = len(self._where)
        self._where.append((res.student, start, len(line)))

    def lines(self, results: list[SubmissionResult] | None = None) -> Iterator[str]:
        """The lines of ``results`` in their order, or all of them ordered by student."""
        order = [self._where[self._of[id(r)]] for r in results] if results is not None else sorted(self._where)
        for _student, start, n in order:
            self._f.seek(start)
            yield self._f.read(n).decode("utf-8")

    def close(self) -> None:
        self._f.close()


def grade_submission(sandbox: Sandbox, assignment: Assignment, sub: Submission, seed: int,
                     trials: dict[str, Trials] | None = None) -> SubmissionResult:
    if sub.error or sub.directory is None:
        res = unrunnable(assignment, sub.student, safe_text(sub.source.name), seed,
                         one_line(safe_text(sub.error or "could not be prepared")))
        res.notes = list(sub.notes)
        return res
    trials = trials if trials is not None else make_trials(assignment, seed, sub.student)
    run = sandbox.run(sub.directory, sub.main, calls_for(assignment, trials))
    res = score_submission(assignment, trials, run, sub.student, safe_text(sub.source.name), seed, sub.digest)
    res.cache_key = sub.cache_key
    res.notes = list(sub.notes)
    return res


def _isolation(opts: Options) -> str:
    # --require-sandbox must never silently fall back to a weaker layer: ask for namespaces outright
    return "namespaces" if opts.require_sandbox and opts.isolation == "auto" else opts.isolation


def _limits(opts: Options) -> Limits:
    return Limits(timeout=opts.timeout, memory_mb=opts.memory_mb)


def _sandbox(opts: Options, hide: list[Path]) -> Sandbox:
    return Sandbox(_limits(opts), isolation=_isolation(opts), hide=hide)


def _check_isolation(result: SubmissionResult, opts: Options) -> None:
    if opts.require_sandbox and result.isolation != "namespaces":
        raise UsageError("--require-sandbox: full isolation is not available here "
                         f"({result.isolation_note or result.isolation}); run as root or enable user namespaces")


def _jobs(opts: Options, n: int) -> int:
    return max(1, min(opts.jobs or os.cpu_count() or 1, n or 1))


def _start_sandboxes(opts: Options, hide: list[Path], n: int) -> None:
    """Launch the workers' zygotes now, so their NumPy imports overlap our own start-up; each
    worker's :class:`Sandbox` adopts one (see :mod:`grader.launch`)."""
    if not Sandbox._userns_for_tests:
        start_early(*_early_key(opts, hide), _jobs(opts, n))


def _early_key(opts: Options, hide: list[Path]) -> tuple[str, list[str], int]:
    """What a worker's Sandbox will ask grader.launch for (see Sandbox._start)."""
    return _isolation(opts), resolved(hide), _limits(opts).tmp_mb


def grade_many(subs: list[Submission], opts: Options, hide: list[Path],
               grade_one: Callable[[Sandbox, Submission, int], SubmissionResult],
               on_result: Callable[[SubmissionResult], None]) -> None:
    """Grade submissions on ``jobs`` workers (each with its own warm sandbox), streaming results:
    ``grade_one(sandbox, submission, index)`` runs in the workers, ``on_result`` in the caller."""
    jobs = _jobs(opts, len(subs))
    todo = iter(enumerate(subs))  # shared by the workers, under a lock (nothing queued up front)
    lock = threading.Lock()
    # Bounded: a worker waits while results are still to be written, so a class never piles
    # up in memory behind a slow disk (the flat-memory target).
    done: queue.Queue = queue.Queue(maxsize=2 * jobs)
    errors: list[BaseException] = []
    stop = threading.Event()

    def hand_over(item) -> None:
        while not stop.is_set():
            try:
                done.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def worker():
        with _sandbox(opts, hide) as sb:
            while not errors and not stop.is_set():
                with lock:
                    i, s = next(todo, (None, None))
                if s is None:
                    return
                try:
                    result = grade_one(sb, s, i)
                except BaseException as exc:  # an infrastructure failure: stop everything
                    errors.append(exc)
                    hand_over(None)
                    return
                hand_over((i, result))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(jobs)]
    for t in threads:
        t.start()
    try:
        for _ in range(len(subs)):
            item = done.get()
            if item is None:
                break
            on_result(item[1])
    finally:
        stop.set()  # (on_result may raise: the workers must not wait for us forever)
        for t in threads:
            t.join()
    if errors:
        raise errors[0]


def _check_out_dir(out: Path, submissions: Path) -> None:
    out, submissions = out.resolve(), submissions.resolve()
    if out == submissions or submissions in out.parents:
        raise UsageError(f"--out {out} is inside the submissions folder {submissions}; choose a folder outside it")
    if out in submissions.parents:
        raise UsageError(f"--out {out} contains the submissions folder; choose a separate folder")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; choose a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "results.json").exists():
        raise UsageError(f"--out {out} is not empty and holds no earlier grading (results.json); "
                         "choose an empty or new folder so nothing of yours is overwritten")


def grade(submissions: Path, out: Path, opts: Options = Options(), assignment: str | Assignment = "hw4",
          on_result: Callable[[SubmissionResult], None] | None = None, command: str = "",
          roster: Path | None = None, shard: tuple[int, int] | None = None) -> GradingRun:
    """Grade every submission in ``submissions`` into ``out`` (results.json, grades.csv, HTML).

    ``roster``: a class list (CSV); entries are matched to it (LMS download names included)
    and graded under the roster's ids, every roster student without a submission gets a row
    with 0 points and error ``no submission``, and entries matching nobody are still graded
    under their own names and listed in ``run.unmatched``.
    ``shard=(K, N)``: grade only the students of shard K of N (see :mod:`grader.shard`);
    ``grader merge`` combines the shards' outputs.
    ``on_result`` sees every whole result as it comes.  The returned run's ``submissions`` is
    a list for classes up to ``DETAIL_LIMIT``; for larger ones a
    :class:`~grader.results.SubmissionsOnDisk` that reads each result back from
    ``out/results.json`` when asked, so memory stays flat however large the class.
    """
    from . import export, report
    submissions, out = Path(submissions), Path(out)
    if not submissions.is_dir():
        raise UsageError(f"{submissions} is not a folder; give the folder that holds the submissions")
    _check_out_dir(out, submissions)
    asg = load_assignment(assignment) if isinstance(assignment, str) else assignment
    run = GradingRun(assignment=asg.name, title=asg.title, assignment_version=asg.version,
                     grader_version=__version__, seed=opts.seed, max_score=asg.max_score,
                     created=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), command=command)
    select = None
    if shard is not None:
        from .shard import shard_of
        k, n = shard
        select = lambda student: shard_of(student, n) == k  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="cnn-grader-work-") as work:
        source_dir, origin, found = submissions, {}, None
        if roster is not None:
            from . import roster as roster_mod
            found = roster_mod.match(roster_mod.read_roster(roster),
                                     [p.name for p in submissions.iterdir() if not _ignored(p)])
            source_dir = Path(work) / "by-roster"
            origin = roster_mod.stage(submissions, found, source_dir)
            run.unmatched = list(found.unmatched)
        subs = discover(source_dir, [q.function for q in asg.questions], Path(work) / "prepared", select, lazy=True)
        staging = Path(tempfile.mkdtemp(prefix=".cnn-grader-out-", dir=out.resolve().parent))
        # the work folder holds every student's private copy: hidden, so no one reads another's
        hide = hidden_paths(submissions, out, staging, Path(work))
        _start_sandboxes(opts, hide, len(subs))
        try:
            (staging / "reports").mkdir()
            names: set[str] = set()
            renderer = report.Renderer(asg, run)

            # Every result goes to disk as it comes (its report, its results.json line); a large
            # class keeps nothing of it in memory, so memory does not grow with the class.
            expected = len(subs) + (len(found.missing) if found is not None else 0)
            keep_details = expected <= DETAIL_LIMIT
            spool = _Spool(Path(work) / "results.jsonl", by_result=keep_details)

            def keep(res: SubmissionResult) -> None:
                res.report = f"reports/{_file_name(res.student, names)}.html"
                renderer.write_student(res, staging / res.report)
                spool.add(res)
                if keep_details:
                    run.submissions.append(res)

            def collect(res: SubmissionResult) -> None:
                _check_isolation(res, opts)
                if res.source in origin:  # graded from the roster's layout: name the student's own files
                    res.source = ", ".join(origin[res.source])
                keep(res)
                if on_result:
                    on_result(res)

            previous = _Previous(out) if opts.cache else None
            functions, prepared = [q.function for q in asg.questions], Path(work) / "prepared"
            lock = threading.Lock()
            ahead = _TrialsAhead(asg, opts.seed, [s.student for s in subs])

            def grade_one(sb: Sandbox, s: Submission, i: int) -> SubmissionResult:
                """In a worker: unpack, reuse an unchanged earlier result, or grade; clean up."""
                here = prepared / f"s{i:05d}"
                try:
                    if s.directory is None and not s.error:
                        prepare(s, functions, here)
                    s.cache_key = cache_key(s, asg, opts) if s.digest else ""
                    old = previous.take(s.cache_key) if previous is not None and s.cache_key else None
                    if old is not None:
                        with lock:
                            run.cached += 1
                        return old
                    return grade_submission(sb, asg, s, opts.seed, ahead.take(i))
                finally:
                    ahead.forget(i)
                    shutil.rmtree(here, ignore_errors=True)
                    s.directory, s.digest, s.cache_key = None, "", ""  # (the result keeps them)

            grade_many(subs, opts, hide, grade_one, collect)
            if found is not None:
                for st in found.missing:
                    if select is None or select(st.id):
                        res = roster_mod.no_submission(st, asg)
                        res.seed = opts.seed
                        keep(res)
            run.submissions.sort(key=lambda s: s.student)
            where = export.write_results(run, staging, spool.lines(run.submissions if keep_details else None))
            spool.close()
            if not keep_details:  # read back from results.json, one at a time, whenever needed
                run.submissions = SubmissionsOnDisk(staging / "results.json", where)
            export.write_gradebook_file(run, staging)
            renderer.write_index(run.submissions, staging / "index.html")
            _replace_dir(staging, out)
            if isinstance(run.submissions, SubmissionsOnDisk):
                run.submissions.path = out / "results.json"
        finally:
            discard_early(*_early_key(opts, hide))  # any zygote no worker adopted
            shutil.rmtree(staging, ignore_errors=True)
    return run


def _file_name(student: str, used: set[str]) -> str:
    """A safe, unique report file name that keeps unicode."""
    base = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in student).strip(".") or "student"
    # a file name holds 255 bytes (a legal 254-byte submission name did not fit with ".html")
    base = base.encode("utf-8", "replace")[:200].decode("utf-8", "ignore")
    name, i = base, 2
    while name.lower() in used:
        name, i = f"{base}-{i}", i + 1
    used.add(name.lower())
    return name


def _replace_dir(staging: Path, out: Path) -> None:
    """Move the finished output into place; an earlier grading there is replaced whole."""
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)


def check(path: Path, opts: Options = Options(), assignment: str | Assignment = "hw4",
          student: str | None = None) -> SubmissionResult:
    """Grade one file, folder or zip, as a student would to self-check."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such file; give the path to your .py file")
    asg = load_assignment(assignment) if isinstance(assignment, str) else assignment
    with tempfile.TemporaryDirectory(prefix="cnn-grader-check-") as work:
        sub = Submission(student=student or student_id(path.name, not path.is_dir()), source=path)
        prepare(sub, [q.function for q in asg.questions], Path(work) / "s")
        hide = hidden_paths()  # the student's own folder stays: it is their machine
        with _sandbox(Options(**{**opts.__dict__, "jobs": 1}), hide) as sb:
            res = grade_submission(sb, asg, sub, opts.seed)
    _check_isolation(res, opts)
    return res


def starter(assignment: str | Assignment = "hw4", filename: str = "hw4.py") -> str:
    """The student starter file: every function stubbed, the contract in its docstrings."""
    from .report import environment
    asg = load_assignment(assignment) if isinstance(assignment, str) else assignment
    env = environment()
    env.autoescape = False  # Python source, not HTML
    return env.get_template("starter.py.j2").render(assignment=asg, filename=filename)
