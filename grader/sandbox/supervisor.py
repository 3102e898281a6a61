"""Sandboxed execution: run a submission's functions in an isolated child, get plain arrays back.

The narrow interface is :class:`Sandbox.run`: a submission and the calls to make go in, a
:class:`SubmissionRun` of plain ndarrays and texts comes out.  Nothing here judges answers.

How it works: each Sandbox owns a *zygote*, a Python process that imported NumPy once and
holds nothing else of ours (see ``_runtime.py``, which also lists the isolation layers).  Per
submission the zygote forks a child that isolates itself and runs the questions in order,
streaming one frame per question over a pipe.  This side enforces the per-question deadline,
reads frames with a byte cap, checks every message against the schema in ``frames.py`` before
using it, and kills with SIGKILL only; a question that hangs, kills its process or sends a
forged message is charged to that question and a fresh child picks up at the next one.  What a
submission costs in all, across those restarts, is capped: the bytes its children send
(``Limits.submission_bytes``) and their running time (``Limits.submission_timeouts`` timeouts);
once either runs out, the questions left are reported as not run, with the reason.

Where the machine has cgroups we may write (root, cgroup v1 or a delegated v2 subtree), the
zygote lives in cgroups of its own, so every child and everything a child starts is counted:
``pids.max`` (a fork bomb, which RLIMIT_NPROC does not stop for root), a memory cap for the
whole process tree (RLIMIT_AS is per process) and a CPU quota (a submission cannot starve the
others graded next to it).  Between runs every process left in them is killed; without cgroups
the zygote kills the orphans that were reparented to it.
"""
from __future__ import annotations

import errno
import itertools
import json
import os
import select
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import _imports, frames, wire
from ._imports import DISPLAY
from .launch import DEFAULT_TMP_MB, child_env as _env, launch, take
from ..text import number, safe_text

ISOLATION_LEVELS = ("auto", "namespaces", "process")
HEAD_CAP = 1 << 20  # bytes of JSON in one frame: far more than any result needs
FIRST_LOOK = 0.2  # seconds the grader sleeps before it first reads a child's messages (see _collect)
PIPE_BYTES = 1 << 18  # result pipe size
CLOCK_SLACK = 0.5  # seconds: a child's own measure of its time may exceed ours by this much


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds of wall time per question (and for the import)
    memory_mb: int = 1024  # address-space cap per process; with cgroups also for all its processes
    fsize_mb: int = 8  # largest file (stdout/stderr included) the child may write
    tmp_mb: int = DEFAULT_TMP_MB  # private /tmp size
    nproc: int = 64  # processes and threads (RLIMIT_NPROC, and the cgroup's pids.max for root)
    output_cap: int = 16384  # characters of stdout/stderr kept per question
    frame_cap: int = 64 << 20  # bytes the child may send in one frame
    max_elements: int = 100_000  # numbers one returned value may hold
    # What one submission may cost in all, however often its child is restarted (after a
    # question that hangs or crashes, the next one starts in a fresh child, which re-imports):
    submission_bytes: int = 64 << 20  # bytes its children may send, all questions together
    submission_timeouts: float = 4.0  # its wall time, in timeouts: one for the import, three more
    cpus: float | None = None  # a CPU quota for a submission's process tree (with cgroups);
    # without one its cgroup still competes as one task: a fork bomb cannot starve the others


@dataclass
class Call:
    """One question to run: the function and its trials' positional arguments, batched.  A
    question whose trials come in several shapes (grader.assignment.trial_groups) has a batch
    of arguments a group (``groups``, ``sizes`` trials each), called one group after the other;
    trials are counted over all groups (``nargs``, ``n``, the trial an error names)."""

    qid: str
    function: str
    args: list[np.ndarray]  # (the first group's, when there are several)
    nargs: list[int]
    n: int
    groups: list[list[np.ndarray]] | None = None
    sizes: list[int] | None = None
    parts: bool = False  # a written answer: also each term of a sum, to name the wrong ones
    tolerant: bool = False  # (a feedback probe) a call that raises answers an empty array; the others go on


@dataclass
class QuestionRun:
    qid: str
    status: str  # ok | error | missing | timeout | crash
    outputs: list[np.ndarray] = field(default_factory=list)
    stacked: np.ndarray | None = None  # the outputs as one array, when the child sent them so
    parts: np.ndarray | None = None  # a written sum's terms, (trials, terms, *answer) (grader.feedback.terms)
    changed: tuple[int, ...] = ()  # positions of the arguments the function changed in place
    raised: tuple[int, ...] = ()  # (a tolerant probe) the calls that raised
    types: list[str] = field(default_factory=list)
    error: str = ""
    traceback: str = ""
    trial: int | None = None  # trial at which an error happened (or that was running at a timeout)
    started: bool = True  # False: never called (the submission had run out of time or data)
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    dropped: int = 0  # bytes of printed output dropped (the head and tail are kept)


@dataclass
class SubmissionRun:
    isolation: str
    import_error: str = ""
    import_traceback: str = ""
    stdout: str = ""  # printed while importing
    stderr: str = ""
    questions: dict[str, QuestionRun] = field(default_factory=dict)
    seconds: float = 0.0
    note: str = ""  # why isolation is reduced, if it is
    dropped: int = 0  # bytes printed while importing that were dropped
    standins: list[str] = field(default_factory=list)  # display packages replaced by do-nothing stand-ins
    missing_modules: list[str] = field(default_factory=list)  # modules imported that the grader lacks
    timed_out: bool = False  # a time limit was hit (the import's, a question's, the submission's)


def resolved(hide) -> list[str]:
    """The paths to hide as the zygote gets them (absolute, links resolved)."""
    return [str(Path(p).resolve()) for p in hide]


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the student's code)."""


class SandboxRefused(SandboxError):
    """This machine cannot run student code safely as asked; the message says how to fix it."""


# --- cgroups ----------------------------------------------------------------------------------

_CG_SEQ = itertools.count()
_UID_SEQ = itertools.count()


class Cgroups:
    """The zygote's own cgroups (pids, memory, cpu), v1 or v2, as far as the machine allows.

    Everything degrades: a controller we cannot create or limit is simply left out, and with
    none at all :attr:`dirs` is empty (a laptop, a container, a user without delegation).
    """

    def __init__(self, limits: Limits):
        self.dirs: list[str] = []
        self.controllers: list[str] = []
        if not sys.platform.startswith("linux"):
            return
        try:
            mounts, v2 = self._mounts()
            own = self._own()
        except (OSError, ValueError):
            return
        self._sweep(mounts, v2, own)
        name = f"cnn-grader-{os.getpid()}-{next(_CG_SEQ)}"
        mem = (limits.memory_mb + limits.tmp_mb + 64) << 20
        quota = max(1000, int(limits.cpus * 100_000)) if limits.cpus else None
        want = {"pids": ({"pids.max": str(limits.nproc)}, {"pids.max": str(limits.nproc)}),
                "memory": ({"memory.limit_in_bytes": str(mem)}, {"memory.max": str(mem), "memory.swap.max": "0"}),
                "cpu": ({"cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": str(quota)} if quota else {},
                        {"cpu.max": f"{quota} 100000"} if quota else {})}
        for ctrl, (v1_files, v2_files) in want.items():
            if ctrl in mounts:
                path, files = os.path.join(mounts[ctrl] + own.get(ctrl, "/"), name), v1_files
            elif v2 and ctrl in self._v2_available(v2, own.get("", "/")):
                path, files = os.path.join(v2 + own.get("", "/"), name), v2_files
            else:
                continue
            if path in self.dirs:  # co-mounted controllers (cpu,cpuacct) share one directory
                continue
            try:
                os.mkdir(path, 0o755)
            except OSError:
                continue
            try:
                for key, value in files.items():
                    if key == "memory.swap.max" and not os.path.exists(os.path.join(path, key)):
                        continue
                    with open(os.path.join(path, key), "w") as f:
                        f.write(value)
            except OSError:
                _rmdir(path)
                continue
            self.dirs.append(path)
            self.controllers.append(ctrl)

    @staticmethod
    def _mounts() -> tuple[dict[str, str], str]:
        v1, v2 = {}, ""
        with open("/proc/self/mountinfo") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                fields, rest = left.split(), right.split()
                if len(fields) < 5 or len(rest) < 3:
                    continue
                target = fields[4].encode().decode("unicode_escape")
                if rest[0] == "cgroup":
                    for opt in rest[2].split(","):
                        if opt in ("pids", "memory", "cpu"):
                            v1.setdefault(opt, target)
                elif rest[0] == "cgroup2" and not v2:
                    v2 = target
        return v1, v2

    @staticmethod
    def _own() -> dict[str, str]:
        own = {}
        with open("/proc/self/cgroup") as f:
            for line in f:
                hid, ctrls, path = line.rstrip("\n").split(":", 2)
                for c in ctrls.split(","):
                    own[c] = path
                if hid == "0":
                    own[""] = path
        return own

    @staticmethod
    def _v2_available(v2: str, own: str) -> list[str]:
        try:
            with open(os.path.join(v2 + own, "cgroup.subtree_control")) as f:
                return f.read().split()
        except OSError:
            return []

    @staticmethod
    def _sweep(mounts, v2, own) -> None:
        """Remove empty cgroups left by graders that died (their pid no longer runs)."""
        parents = {mounts[c] + own.get(c, "/") for c in mounts} | ({v2 + own.get("", "/")} if v2 else set())
        for parent in parents:
            try:
                names = [n for n in os.listdir(parent) if n.startswith("cnn-grader-")]
            except OSError:
                continue
            for n in names:
                try:
                    pid = int(n.split("-")[2])
                except (IndexError, ValueError):
                    continue
                if pid != os.getpid() and not _alive(pid):
                    _rmdir(os.path.join(parent, n))

    def join(self, pid: int) -> None:
        """Move ``pid`` (the zygote, before it forks anything) into every cgroup."""
        for path in list(self.dirs):
            try:
                with open(os.path.join(path, "cgroup.procs"), "w") as f:
                    f.write(str(pid))
            except OSError:
                i = self.dirs.index(path)
                del self.dirs[i], self.controllers[i]
                _rmdir(path)

    def members(self) -> set[int]:
        for path in self.dirs:
            try:
                with open(os.path.join(path, "cgroup.procs")) as f:
                    return {int(x) for x in f.read().split()}
            except (OSError, ValueError):
                continue
        return set()

    def kill(self, keep: int | None = None) -> set[int]:
        """SIGKILL every process in the cgroups but ``keep``; return those that were there."""
        if not self.dirs:
            return set()
        found = self.members() - {keep}
        for pid in found:
            try:
                fd = os.pidfd_open(pid)
            except (AttributeError, OSError):
                fd = None
            try:
                if pid in self.members():  # holding a pidfd, the pid cannot be recycled under us
                    if fd is not None:
                        signal.pidfd_send_signal(fd, signal.SIGKILL)
                    else:
                        os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            finally:
                if fd is not None:
                    os.close(fd)
        return found

    def settle(self, keep: int | None, wait: bool = False, timeout: float = 2.0) -> bool:
        """Kill everything but ``keep`` until no new process shows up (a fork racing the kill);
        with ``wait``, until they are all gone.  True if nothing is left or dying."""
        deadline = time.monotonic() + timeout
        killed: set[int] = set()
        while True:
            found = self.kill(keep)
            if not found or (not wait and found <= killed):
                return True  # the SIGKILLed ones are dying: they cannot run another instruction
            if time.monotonic() > deadline:
                return False
            killed |= found
            time.sleep(0.001)

    def remove(self) -> None:
        self.settle(None, wait=True)
        for path in self.dirs:
            _rmdir(path)
        self.dirs, self.controllers = [], []


def _rmdir(path: str) -> None:
    for _ in range(50):
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.01)  # the last process is still being torn down


# --- the sandbox ------------------------------------------------------------------------------

class Sandbox:
    """A pre-warmed zygote and the means to run submissions in children forked from it."""

    def __init__(self, limits: Limits = Limits(), isolation: str = "auto", hide: list[Path] = (),
                 userns: bool = False):
        """``userns``: as root, build each child's view the way a user without root does (in a
        user namespace) instead of the shared root -- the path a student's laptop takes."""
        if isolation not in ISOLATION_LEVELS:
            raise ValueError(f"isolation must be one of {ISOLATION_LEVELS}")
        self.limits, self.isolation, self.userns = limits, isolation, userns
        self.hide = resolved(hide)
        self.note = ""
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._cgroups: Cgroups | None = None
        self._isolated_once = False  # namespaces worked here: a later failure is no reason to degrade
        # As root, process isolation runs student code as a uid of this sandbox's own (see
        # _runtime.become_sandbox_user): one per sandbox, so sweeping it kills nobody else's.
        self._uid = _sandbox_uid() if sys.platform.startswith("linux") and os.geteuid() == 0 else None

    # -- zygote lifecycle --
    def _start(self) -> None:
        self._cgroups = Cgroups(self.limits)
        mode = "userns" if self.userns else self.isolation
        # a zygote launched early (grader.sandbox.launch.start_early) if one matches, else a new one
        self._proc, parent = take(mode, self.hide, self.limits.tmp_mb) or launch(mode, self.hide, self.limits.tmp_mb)
        # before it forks anything (its first child comes with the first request): every
        # child is born inside the cgroups
        self._cgroups.join(self._proc.pid)
        parent.settimeout(60)
        try:
            ready = parent.recv(1)
        except OSError:
            ready = b""
        if ready != b"R":
            parent.close()
            self.close()
            raise SandboxError("the sandbox zygote did not start")
        parent.settimeout(None)
        self._sock = parent

    def close(self) -> None:
        """End the zygote and everything any submission left behind; remove the cgroups."""
        if self._sock is not None:
            self._sock.close()  # the zygote kills its remaining children and exits
            self._sock = None
        if self._proc is not None:
            try:
                _exited(self._proc, timeout=2)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self._cgroups is not None:
            self._cgroups.remove()
            self._cgroups = None

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def cgroup_controllers(self) -> list[str]:
        """The cgroup controllers limiting the children ([] before the first run or without)."""
        return list(self._cgroups.controllers) if self._cgroups else []

    # -- running --
    def run(self, submission_dir: Path, main: str, calls: list[Call]) -> SubmissionRun:
        """Import ``submission_dir/main`` in a child and answer every call, in order."""
        t0 = time.perf_counter()
        result: SubmissionRun | None = None
        pending = list(calls)
        retried = False
        budget = _Budget.of(self.limits)
        while pending:
            if budget.spent and result is not None:  # nothing more runs: say so for each question left
                status, why = budget.spent
                for c in pending:
                    result.questions.setdefault(c.qid, QuestionRun(c.qid, status, error=f"not run: {why}",
                                                                   started=False))
                break
            try:
                part = self._run_once(Path(submission_dir), main, pending, budget)
            except SandboxRefused:
                self.close()
                raise  # no retry, no weaker level: nothing weaker is left
            except SandboxError as exc:
                self.close()  # a new zygote, with new cgroups
                if self._isolated_once and not retried:
                    retried = True  # it worked before: a fresh start, never a weaker sandbox
                    continue
                if self.isolation != "auto" or self._isolated_once:
                    raise
                # namespaces exist but cannot be used here (a container, say): degrade loudly
                self.isolation, self.note = "process", str(exc)
                continue
            if part.isolation == "namespaces":
                self._isolated_once = True
            if self.note and not part.note:
                part.note = self.note
            if result is None:
                result = part
            else:
                result.questions.update(part.questions)
                _modules(result, part.standins, part.missing_modules)
                result.timed_out = result.timed_out or part.timed_out
            if part.import_error:
                if result is not part:  # restarted after a crash, the file no longer imports
                    status, why = budget.spent or ("crash", f"restarted after the previous question, "
                                                            f"{part.import_error}"[:4000])
                    for c in pending:
                        result.questions.setdefault(c.qid, QuestionRun(
                            c.qid, status, error=f"not run: {why}", stdout=part.stdout, stderr=part.stderr,
                            started=False))
                break
            left = [c for c in pending if c.qid not in result.questions]
            if len(left) == len(pending):  # the child died between questions: no progress
                c = left.pop(0)
                result.questions[c.qid] = QuestionRun(c.qid, "crash", error="the process ended "
                                                      "before this question could run")
            pending = left
        if result is None:
            result = SubmissionRun(isolation=self.isolation)
        result.seconds = time.perf_counter() - t0
        return result

    def _spawn(self, request: dict, fds: list[int]) -> dict:
        for attempt in (0, 1):
            if self._proc is None or self._proc.poll() is not None:
                self.close()
                self._start()
            elif self._cgroups is not None and self.isolation == "process":
                # nothing of the last run is left (with namespaces, killing its PID 1 did that;
                # and the zygote's spare child, waiting in the cgroup, must live)
                self._cgroups.settle(keep=self._proc.pid)
            try:
                data = json.dumps(request).encode()
                socket.send_fds(self._sock, [data], fds)
                self._sock.settimeout(30)
                data = self._sock.recv(1 << 20)
                if not data:
                    raise OSError("the zygote closed the connection")
                reply = json.loads(data)
                self._sock.settimeout(None)
                if not isinstance(reply, dict):
                    raise ValueError("bad reply")
                return reply
            except (OSError, ValueError):
                self.close()
                if attempt:
                    raise
        raise SandboxError("unreachable")

    def _run_once(self, submission_dir: Path, main: str, calls: list[Call], budget: "_Budget") -> SubmissionRun:
        lim = self.limits
        # (auto may turn out to be process isolation on this very run)
        process = self.isolation == "process" or (self.isolation == "auto" and not self._isolated_once)
        scratch = tempfile.mkdtemp(prefix="cnn-grader-") if process else ""
        # What concerns this submission goes in the job, which only its child reads; the zygote
        # (whose memory every later child inherits) sees nothing of any student.
        job = wire.encode({"questions": [
            {"id": c.qid, "function": c.function, "nargs": c.nargs, "n": c.n, "max_elements": lim.max_elements,
             "parts": c.parts, "tolerant": c.tolerant,
             **({"args": [], "groups": c.groups, "sizes": c.sizes} if c.groups else {"args": c.args})}
            for c in calls], "output_cap": lim.output_cap,
            "allowed_imports": list(_imports.ALLOWED),  # the policy is defined grader-side, once
            # (the host path only where the child runs there: a namespaced one never learns it)
            "setup": {"submission_dir": str(submission_dir.resolve()) if process else "", "main": main, "env": _env(),
                      "scratch": scratch, "uid": self._uid, "limits": {"timeout": lim.timeout, "memory_mb": lim.memory_mb,
                                                     "fsize_mb": lim.fsize_mb, "tmp_mb": lim.tmp_mb,
                                                     "nproc": lim.nproc}}})
        try:
            with _memfile("job") as job_f, _memfile("stdout") as out_f, _memfile("stderr") as err_f:
                job_f.write(job)
                job_f.flush()
                job_f.seek(0)
                src = _submission_fd(submission_dir)
                r, w = os.pipe()
                _widen(r)
                request = {"isolation": self.isolation, "userns": self.userns}
                born = time.perf_counter()  # (before the child exists: no time it measures is longer)
                try:
                    reply = self._spawn(request, [job_f.fileno(), w, out_f.fileno(), err_f.fileno(), src])
                finally:
                    os.close(w)
                    os.close(src)
                try:
                    if "error" in reply:
                        raise (SandboxRefused if reply.get("refused") else SandboxError)(safe_text(str(reply["error"])[:2000]))
                    run = SubmissionRun(isolation=reply["isolation"], note=reply.get("why", ""))
                    if self.isolation == "auto" and run.isolation == "process":
                        self.isolation, self.note = "process", run.note  # do not try again each time
                    self._progress = (job_f.fileno(), [c.qid for c in calls])
                    watch = _DiskWatch(scratch, self._uid, lim.tmp_mb << 20) if run.isolation == "process" else None
                    self._collect(reply["pid"], r, calls, run, out_f, err_f, budget, born, watch)
                finally:
                    os.close(r)
        finally:
            if scratch:
                _rmtree(scratch)
        return run

    def _collect(self, pid: int, r: int, calls: list[Call], run: SubmissionRun, out_f, err_f,
                 budget: "_Budget", born: float, watch: "_DiskWatch | None" = None) -> None:
        """Read messages until done, a deadline, or the child's death; then kill whatever is left.

        The child's messages must come in the one order the runtime sends them -- ready,
        imported, one result per question in the order asked, then done -- each within the
        schema of :mod:`grader.sandbox.frames`, and each question's deadline starts with the message
        that names it as ``next`` (the child starts it as soon as that is sent): whatever the
        student's code writes to the pipe can at most end its own run early, never buy time or
        stand for another question's answer.  Every byte read counts against ``budget``, which
        spans every child started for this submission.
        """
        lim = self.limits
        pidfd = _pidfd(pid)
        buf = bytearray()
        reader = _Reader(self, run, calls, out_f, err_f, budget, born)
        if pidfd is not None:
            # Most submissions answer everything within milliseconds: sleep until the child has
            # ended (or the first look) and read all its messages in one wake-up instead of
            # one per message.  A question still running then is timed from then on, so it
            # may run up to FIRST_LOOK longer than the limit: never shorter.
            select.select([pidfd], [], [], min(FIRST_LOOK, lim.timeout / 4, watch.every if watch else FIRST_LOOK))
        try:
            while not reader.over:
                now = time.monotonic()
                if now >= reader.deadline:
                    reader.time_out()
                    return
                if watch is not None and watch.over():
                    why = f"wrote more than {lim.tmp_mb} MiB to disk"
                    reader.charge("crash", why)
                    budget.spent = budget.spent or ("crash", f"the submission {why}")
                    return
                wait = min(reader.deadline - now, watch.every) if watch is not None else reader.deadline - now
                ready = _wait([r] + ([pidfd] if pidfd is not None else []), wait, pid)
                chunk = b""
                if r in ready:
                    chunk = os.read(r, 1 << 20)
                    if chunk:
                        self._feed(reader, buf, chunk)
                        continue
                if (pidfd is not None and pidfd in ready) or (r in ready and not chunk) or not _alive(pid):
                    # read what it wrote before dying, then charge the question in progress
                    self._drain(reader, r, buf)
                    if not reader.over:
                        reader.charge("crash", "the process ended while answering (os._exit, a crash "
                                      "such as a segmentation fault, or the memory limit)")
                    return
        finally:
            budget.seconds_left -= time.monotonic() - reader.begun
            _kill(pid, run.isolation)
            if self._cgroups is not None and run.isolation == "process":
                self._cgroups.kill(keep=self._proc.pid if self._proc else None)
            if self._uid and run.isolation == "process":
                _kill_uid(self._uid)  # a daemon that left the process group (setsid) ends too
                if watch is not None:
                    watch.sweep()  # and what it left in the folders every user may write
            if pidfd is not None:
                if run.isolation == "namespaces":
                    # A namespace's PID 1 finishes exiting only once every process in it is
                    # gone: wait for that, so nothing of this submission overlaps the next.
                    select.select([pidfd], [], [], 2.0)
                os.close(pidfd)

    def _feed(self, reader: "_Reader", buf: bytearray, chunk: bytes) -> None:
        """Count ``chunk`` against the budget, then act on every whole message it completes."""
        budget = reader.budget
        budget.bytes_left -= len(chunk)
        if budget.bytes_left < 0:
            reader.charge("crash", "sent more data than any answer needs")
            budget.spent = budget.spent or ("crash", f"the submission sent more data than its answers need "
                                                     f"(at most {self.limits.submission_bytes >> 20} MiB in all)")
            return
        buf += chunk
        trees, error = _split(buf, reader.frame_cap)
        for tree in trees:
            reader.take(tree)
            if reader.over:
                return
        if error is not None:  # the messages before it count; the question in progress is charged
            reader.charge("crash", f"sent a malformed result ({error})")

    def _drain(self, reader: "_Reader", r: int, buf: bytearray) -> None:
        """What a child that ended left in the pipe, read without blocking, within the budget."""
        try:
            os.set_blocking(r, False)
            while not reader.over:
                chunk = os.read(r, 1 << 20)
                if not chunk:
                    break
                self._feed(reader, buf, chunk)
        except (BlockingIOError, OSError):
            pass


    _progress: tuple[int, list[str]] | None = None  # (job file, question ids) of the run in progress

    def _trial_running(self, qid: str) -> int | None:
        """The trial the child was calling when it stopped (it writes which at the start of
        the job file before each call); None if unknown.  Only ever picks which of this
        question's own inputs the report shows."""
        if self._progress is None:
            return None
        fd, qids = self._progress
        try:
            magic, qi, t = wire.PROGRESS.unpack(os.pread(fd, wire.PROGRESS.size, 0))
        except (OSError, ValueError, struct.error):
            return None
        if magic != wire.PROGRESS_MAGIC or not 0 <= qi < len(qids) or qids[qi] != qid or t < 0:
            return None
        return t


@dataclass
class _Budget:
    """What one submission may still cost, across every child started for it."""

    bytes_left: int
    seconds_left: float  # of its children's running time (starting a child is ours: not counted)
    seconds: float  # the whole allowance, for messages
    spent: tuple[str, str] | None = None  # (status, why) once it ran out: nothing more runs

    @classmethod
    def of(cls, lim: Limits) -> "_Budget":
        seconds = lim.timeout * lim.submission_timeouts
        return cls(bytes_left=lim.submission_bytes, seconds_left=seconds, seconds=seconds)


class _Reader:
    """One child's messages: the order they must come in, and what each does to the run."""

    def __init__(self, sandbox: Sandbox, run: SubmissionRun, calls: list[Call], out_f, err_f,
                 budget: _Budget, born: float):
        self.lim, self.uid, self.sandbox = sandbox.limits, sandbox._uid, sandbox
        self.run, self.out_f, self.err_f, self.budget, self.born = run, out_f, err_f, budget, born
        self.trials = {c.qid: c.n for c in calls}
        # No honest message is larger than every call's answer at its largest (8-byte numbers):
        # a frame declaring more is refused from its header, before any of it is held.
        most = max(self.trials.values(), default=1) * self.lim.max_elements * 8
        self.frame_cap = min(self.lim.frame_cap, wire.HEADER.size + HEAD_CAP + most)
        self.queue = [c.qid for c in calls]
        self.state, self.current = "setup", "import"
        self.pos = (0, 0)
        self.over = False  # the run of this child is finished (done, charged, or failed to import)
        self.begun = time.monotonic()
        self.ends = self.begun + budget.seconds_left  # the submission's total runs out
        self._start_clock()

    def _start_clock(self) -> None:
        self.started = time.perf_counter()
        own = time.monotonic() + self.lim.timeout
        self.by_budget = self.ends < own  # the submission's total runs out first
        self.deadline = min(own, self.ends)

    def take(self, tree) -> None:
        """Act on one decoded message: anything off the schema or out of order ends the run."""
        expect = frames.Expect(self.trials, self.lim.max_elements, time.perf_counter() - self.born + CLOCK_SLACK)
        try:
            msg = frames.check(tree, expect)
        except frames.Forged as exc:
            self.charge("crash", f"sent a malformed result ({exc})")
            return
        run, kind = self.run, type(msg)
        if self.state == "setup" and kind is frames.SetupFailed:
            if msg.refused:  # the machine cannot run student code safely as asked: says how to fix it
                raise SandboxRefused(safe_text(msg.error[:2000]))
            raise SandboxError(f"could not isolate the submission: {safe_text(msg.error[:2000])}")
        elif self.state == "setup" and kind is frames.Ready:
            self.state = "import"
            if run.isolation == "process" and msg.uid == 0 and self.uid:
                raise SandboxRefused("student code was about to run as root")  # (never: the child refuses first)
        elif self.state == "import" and kind is frames.Imported:
            npos = self._advance_pos(msg.pos)
            run.stdout, run.stderr = self._output(self.pos, npos)
            run.dropped = sum(msg.dropped)
            _modules(run, msg.standins, msg.missing)
            self.pos = npos
            if not msg.ok:
                run.import_error = safe_text(msg.error) or "import failed"
                run.import_traceback = safe_text(msg.traceback)
                self.over = True
                return
            self._next(msg.next)
        elif self.state == "question" and kind is frames.Result and msg.qid == self.current:
            npos = self._advance_pos(msg.pos)
            run.questions[self.current] = self._question(msg, npos)
            _modules(run, msg.standins, msg.missing)
            self.pos = npos
            self.queue.pop(0)
            self._next(msg.next)
        elif self.state == "between" and kind is frames.Done:
            self.over = True
        else:
            self.charge("crash", "sent an unexpected message (the answer must be returned, not "
                                 "written to the grader's pipe)")

    def _next(self, following: str | None) -> None:
        """The message just read names the question starting now (or none)."""
        if self.queue and following == self.queue[0]:
            self.state, self.current = "question", self.queue[0]
        else:
            self.state, self.current = "between", "between questions"
        self._start_clock()

    def _advance_pos(self, pos: tuple[int, int]) -> tuple[int, int]:
        return max(pos[0], self.pos[0]), max(pos[1], self.pos[1])

    def _output(self, start, end) -> tuple[str, str]:
        return _slice(self.out_f, start, end, 0, self.lim), _slice(self.err_f, start, end, 1, self.lim)

    def _question(self, msg: frames.Result, npos) -> QuestionRun:
        out, err = self._output(self.pos, npos)
        q = QuestionRun(msg.qid, msg.status, error=safe_text(msg.error), traceback=safe_text(msg.traceback),
                        trial=msg.trial, seconds=msg.seconds, stdout=out, stderr=err, dropped=sum(msg.dropped))
        if msg.status == "ok":
            q.outputs, q.stacked, q.parts, q.changed = msg.outputs, msg.stacked, msg.parts, msg.changed
            q.raised = msg.raised
            q.types = [safe_text(t[:40]) for t in msg.types[:5]]
        return q

    def time_out(self) -> None:
        if self.by_budget:
            why = (f"the submission's total time limit of {number(self.budget.seconds)} s ran out "
                   f"({number(self.lim.submission_timeouts)} x the {number(self.lim.timeout)} s timeout)")
            self.budget.spent = self.budget.spent or ("timeout", why)
            self.charge("timeout", f"did not finish: {why}")
        else:
            self.charge("timeout", f"did not finish within {number(self.lim.timeout)} s "
                                   "(an infinite loop, or waiting for input?)")

    def charge(self, status: str, message: str) -> None:
        """Record a timeout or crash against the question in progress (or the import)."""
        self.over = True
        run, current = self.run, self.current
        run.timed_out = run.timed_out or status == "timeout"
        out, err = self._output(self.pos, (_size(self.out_f), _size(self.err_f)))
        if current == "import":
            run.import_error = "importing the file " + message.replace("while answering", "while importing")
            run.stdout, run.stderr = out, err
        elif current != "between questions":
            run.questions[current] = QuestionRun(current, status, error=message, stdout=out, stderr=err,
                                                 seconds=time.perf_counter() - self.started,
                                                 trial=self.sandbox._trial_running(current))


def _modules(run: SubmissionRun, standins: list[str], missing: list[str]) -> None:
    """Record the stand-ins and missing modules a message reports (names checked by the schema)."""
    for names, known, display_only in ((standins, run.standins, True), (missing, run.missing_modules, False)):
        for name in names:
            if (not display_only or name in DISPLAY) and name not in known and len(known) < 20:
                known.append(name)


def _split(buf: bytearray, cap: int) -> tuple[list, wire.WireError | None]:
    """Whole messages off the front of ``buf`` (decoded, in order), and the WireError that
    stopped the reading if something that is not a frame we sent came after them."""
    trees = []
    while True:
        try:
            if len(buf) >= wire.HEADER.size:
                magic, hlen, _blen = wire.HEADER.unpack_from(buf)
                if magic == wire.MAGIC and hlen > HEAD_CAP:
                    raise wire.WireError(f"frame header of {hlen} bytes")
            n = wire.frame_length(buf, cap)
            if n is None or len(buf) < n:
                return trees, None
            trees.append(wire.decode(memoryview(buf)[:n]))  # (the arrays are copied out: no other copy)
        except wire.WireError as exc:
            return trees, wire.WireError(str(exc))  # (not the original: its traceback holds views of buf)
        del buf[:n]


def _submission_fd(directory: Path) -> int:
    """A descriptor of the submission's directory, through which the child copies its files
    (or of /dev/null, if it cannot be opened: the child then reports the failure)."""
    try:
        return os.open(directory, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return os.open(os.devnull, os.O_RDONLY)


def _memfile(name: str):
    """An anonymous in-memory file (no disk, nothing in /tmp), or a temporary file elsewhere."""
    if hasattr(os, "memfd_create"):
        try:
            return open(os.memfd_create(f"cnn-grader-{name}", os.MFD_CLOEXEC), "w+b")
        except OSError:
            pass
    return tempfile.TemporaryFile()


_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


def _rmtree(path: str) -> None:
    """Remove the folder ``path`` and all it holds, ignoring errors (as ``shutil.rmtree(path,
    ignore_errors=True)``), in time linear in its entries and without recursion: student code
    may leave a chain of thousands of folders in its scratch folder or /tmp, and shutil.rmtree
    recurses on Python < 3.12 (a RecursionError in the grader's own process, which
    ignore_errors does not catch).  Each folder met is moved up into ``path`` before it is
    emptied, so at most two descriptors are open (``path``'s and one folder's) however deep the
    tree; folders are opened with O_NOFOLLOW relative to their parent and entries removed by
    name relative to it, so a link is removed, never followed."""
    try:
        top = os.open(path, _DIR_FLAGS)
    except OSError:
        return
    tag, moved = f".cnn-grader-rm-{os.getpid()}-", 0
    try:
        pending: list[str | None] = [None]  # folders to empty: None is ``path`` itself, a name one in it
        while pending:
            name = pending.pop()
            try:
                fd = top if name is None else os.open(name, _DIR_FLAGS, dir_fd=top)
            except OSError:
                continue
            try:
                for entry in os.listdir(fd):
                    try:
                        if not stat.S_ISDIR(os.lstat(entry, dir_fd=fd).st_mode):
                            os.unlink(entry, dir_fd=fd)
                        elif name is None:
                            pending.append(entry)  # (already one level down)
                        else:
                            for _try in range(8):  # (a name of ours taken by a folder of the student's: the next)
                                moved += 1
                                try:
                                    os.rename(entry, f"{tag}{moved}", src_dir_fd=fd, dst_dir_fd=top)
                                    break
                                except OSError as exc:
                                    if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                                        raise
                            else:
                                continue
                            pending.append(f"{tag}{moved}")
                    except OSError:
                        continue
            except OSError:
                pass
            finally:
                if fd != top:
                    os.close(fd)
            if name is not None:
                try:
                    os.rmdir(name, dir_fd=top)
                except OSError:
                    pass
    finally:
        os.close(top)
    try:
        os.rmdir(path)
    except OSError:
        pass


def _size(f) -> int:
    return os.fstat(f.fileno()).st_size


def _slice(f, start, end, i, lim: Limits) -> str:
    """Captured output between two positions, cut to the cap with a marker."""
    if end[i] <= start[i]:  # nothing printed (the usual case): no system call
        return ""
    a, b = start[i], min(end[i], _size(f))
    if b <= a:
        return ""
    cap = lim.output_cap
    if b - a <= cap * 4:
        text = safe_text(os.pread(f.fileno(), b - a, a).decode("utf-8", "replace"))
        if len(text) <= cap:
            return text
        head, tail = text[:cap * 3 // 4], text[len(text) - cap // 4:]
    else:  # the start and the end, as the child keeps them (the end is where it stopped)
        head = safe_text(os.pread(f.fileno(), cap * 3 // 4, a).decode("utf-8", "replace"))
        tail = safe_text(os.pread(f.fileno(), cap // 4, b - cap // 4).decode("utf-8", "replace"))
    return f"{head}\n... [output truncated: {b - a} bytes in all] ...\n{tail}"


def _widen(fd: int) -> None:
    """Room in the result pipe for every answer of a submission (256 KiB, where Linux allows),
    so that the child never waits for us to read while we sleep until it is done."""
    try:
        import fcntl
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (OSError, ImportError):
        pass  # another system, or over /proc/sys/fs/pipe-max-size: the default size works too


def _pidfd(pid: int):
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _exited(proc: subprocess.Popen, timeout: float) -> None:
    """``proc.wait(timeout)``, woken the moment it exits: Popen.wait polls with growing sleeps,
    which made every ``grader check`` wait ~10 ms longer than the zygote took to end."""
    fd = _pidfd(proc.pid) if proc.returncode is None else None
    if fd is not None:
        try:
            select.select([fd], [], [], timeout)
        finally:
            os.close(fd)
    proc.wait(timeout=timeout)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _wait(fds, timeout, pid) -> list[int]:
    # without a pidfd (macOS, old kernels) poll the pid a few times a second
    timeout = min(timeout, 0.25) if len(fds) == 1 else timeout
    ready, _, _ = select.select(fds, [], [], max(timeout, 0))
    return ready


SHARED_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")  # where any uid may write, namespaces or not


class _DiskWatch:
    """A process-isolated child's disk use, capped (namespaces give it a size-capped tmpfs).

    Without a file system of its own, student code can write its scratch folder and, as the
    sandbox's uid, the folders every user may write.  Each wake-up reads their free space
    (statvfs, microseconds); only when it has fallen by more than the cap since the child
    started is what the child owns there counted -- another worker's child may be the writer --
    and the child is over when that is.  Without root the child's files cannot be told from
    ours: only its scratch folder is counted."""

    every = 0.05  # seconds between looks: ~20 MiB at the speed a student filled a disk

    def __init__(self, scratch: str, uid: int | None, cap: int, files: int = 20_000):
        self.uid, self.cap, self.files = uid, cap, files
        self.dirs = [d for d in ([scratch] if scratch else []) + (list(SHARED_WRITABLE) if uid else [])
                     if os.path.isdir(d)]
        self.base = self._free()

    def _free(self) -> dict[int, tuple[int, int]]:
        free = {}
        for d in self.dirs:
            try:
                st = os.statvfs(d)
                free[os.stat(d).st_dev] = (st.f_bavail * st.f_frsize, st.f_favail)
            except OSError:
                pass
        return free

    def over(self) -> bool:
        now = self._free()
        fallen = sum(max(0, self.base.get(dev, v)[0] - v[0]) for dev, v in now.items())
        files = sum(max(0, self.base.get(dev, v)[1] - v[1]) for dev, v in now.items())
        if fallen <= self.cap and files <= self.files:
            return False
        size, count = self._owned()
        if size > self.cap or count > self.files:
            return True
        self.base = now  # someone else's writing: measure from here
        return False

    def _owned(self) -> tuple[int, int]:
        """Bytes and entries the child owns under the watched folders (it can only write in
        folders it owns or every user may write); stops counting once over either cap."""
        uid = self.uid if self.uid else os.getuid()
        size = count = 0
        todo = list(self.dirs)
        while todo:
            try:
                it = os.scandir(todo.pop())
            except OSError:
                continue
            with it:
                for e in it:
                    try:
                        st = e.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if st.st_uid == uid:
                        size, count = size + st.st_blocks * 512, count + 1
                    if stat.S_ISDIR(st.st_mode) and (st.st_uid == uid or st.st_mode & 0o002):
                        todo.append(e.path)
                    if size > self.cap or count > self.files:
                        return size, count
        return size, count

    def sweep(self) -> None:
        """Remove what the sandbox's uid left in the folders every user may write."""
        if not self.uid:
            return
        for d in SHARED_WRITABLE:
            try:
                entries = list(os.scandir(d))
            except OSError:
                continue
            for e in entries:
                try:
                    if e.stat(follow_symlinks=False).st_uid != self.uid:
                        continue
                    if e.is_dir(follow_symlinks=False):
                        _rmtree(e.path)
                    else:
                        os.unlink(e.path)
                except OSError:
                    pass


def _sandbox_uid() -> int:
    """An unprivileged uid no account uses: 100000 + a number unique to this sandbox."""
    used = set()
    try:
        with open("/etc/passwd", encoding="utf-8", errors="replace") as f:
            used = {int(line.split(":")[2]) for line in f if line.count(":") >= 3 and line.split(":")[2].isdigit()}
    except OSError:
        pass
    while True:
        uid = 100_000 + (os.getpid() % 10_000) * 64 + next(_UID_SEQ) % 64
        if uid not in used:
            return uid


def _kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid`` (ours alone), until none is left or a fork race is lost."""
    for _ in range(20):
        found = False
        try:
            pids = [p for p in os.listdir("/proc") if p.isdigit()]
        except OSError:
            return
        for p in pids:
            try:
                with open(f"/proc/{p}/status", "rb") as f:
                    uids = next(line for line in f if line.startswith(b"Uid:")).split()[1:]
            except (OSError, StopIteration):
                continue
            if any(int(u) == uid for u in uids):
                found = True
                try:
                    os.kill(int(p), signal.SIGKILL)
                except OSError:
                    pass
        if not found:
            return


def _kill(pid: int, isolation: str) -> None:
    """SIGKILL only: for a namespace's PID 1 this ends every process inside it."""
    try:
        if isolation == "process":
            os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
