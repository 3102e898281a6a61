"""Sandboxed execution: run a submission's functions in an isolated child, get plain arrays back.

The narrow interface is :class:`Sandbox.run`: a submission and the calls to make go in, a
:class:`SubmissionRun` of plain ndarrays and texts comes out.  Nothing here judges answers.

How it works: each Sandbox owns a *zygote*, a Python process that imported NumPy once and
holds nothing else of ours (see ``_runtime.py``, which also lists the isolation layers).  Per
submission the zygote forks a child that isolates itself and runs the questions in order,
streaming one frame per question over a pipe.  This side enforces the per-question deadline,
reads frames with a byte cap, and kills with SIGKILL only; a question that hangs or kills its
process is charged to that question and a fresh child picks up at the next one.

Where the machine has cgroups we may write (root, cgroup v1 or a delegated v2 subtree), the
zygote lives in cgroups of its own, so every child and everything a child starts is counted:
``pids.max`` (a fork bomb, which RLIMIT_NPROC does not stop for root), a memory cap for the
whole process tree (RLIMIT_AS is per process) and a CPU quota (a submission cannot starve the
others graded next to it).  Between runs every process left in them is killed; without cgroups
the zygote kills the orphans that were reparented to it.
"""
from __future__ import annotations

import itertools
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import wire
from .launch import DEFAULT_TMP_MB, child_env as _env, launch, take
from .text import safe_text

ISOLATION_LEVELS = ("auto", "namespaces", "process")
HEAD_CAP = 1 << 20  # bytes of JSON in one frame: far more than any result needs
FIRST_LOOK = 0.2  # seconds the grader sleeps before it first reads a child's messages (see _collect)
PIPE_BYTES = 1 << 18  # result pipe size


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
    cpus: float | None = None  # a CPU quota for a submission's process tree (with cgroups);
    # without one its cgroup still competes as one task: a fork bomb cannot starve the others


@dataclass
class Call:
    """One question to run: the function and its trials' positional arguments, batched."""

    qid: str
    function: str
    args: list[np.ndarray]
    nargs: list[int]
    n: int


@dataclass
class QuestionRun:
    qid: str
    status: str  # ok | error | missing | timeout | crash
    outputs: list[np.ndarray] = field(default_factory=list)
    stacked: np.ndarray | None = None  # the outputs as one array, when the child sent them so
    types: list[str] = field(default_factory=list)
    error: str = ""
    traceback: str = ""
    trial: int | None = None  # trial at which an error happened
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0


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

    _userns_for_tests = False  # as root, take the path of a user without root (a user namespace)

    def __init__(self, limits: Limits = Limits(), isolation: str = "auto", hide: list[Path] = ()):
        if isolation not in ISOLATION_LEVELS:
            raise ValueError(f"isolation must be one of {ISOLATION_LEVELS}")
        self.limits, self.isolation = limits, isolation
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
        mode = "userns" if self._userns_for_tests else self.isolation
        # a zygote launched early (grader.launch.start_early) if one matches, else a new one
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
                self._proc.wait(timeout=2)
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
        while pending:
            try:
                part = self._run_once(Path(submission_dir), main, pending)
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
            if part.import_error:
                if result is not part:  # restarted after a crash, the file no longer imports
                    for c in pending:
                        result.questions.setdefault(c.qid, QuestionRun(
                            c.qid, "crash", error=f"not run: restarted after the previous question, "
                            f"{part.import_error}"[:4000], stdout=part.stdout, stderr=part.stderr))
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

    def _run_once(self, submission_dir: Path, main: str, calls: list[Call]) -> SubmissionRun:
        lim = self.limits
        # (auto may turn out to be process isolation on this very run)
        process = self.isolation == "process" or (self.isolation == "auto" and not self._isolated_once)
        scratch = tempfile.mkdtemp(prefix="cnn-grader-") if process else ""
        # What concerns this submission goes in the job, which only its child reads; the zygote
        # (whose memory every later child inherits) sees nothing of any student.
        job = wire.encode({"questions": [
            {"id": c.qid, "function": c.function, "args": c.args, "nargs": c.nargs, "n": c.n,
             "max_elements": lim.max_elements} for c in calls],
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
                src, src_kind = _submission_fd(submission_dir, self.isolation)
                r, w = os.pipe()
                _widen(r)
                request = {"isolation": self.isolation, "userns": self._userns_for_tests, "src_kind": src_kind}
                try:
                    reply = self._spawn(request, [job_f.fileno(), w, out_f.fileno(), err_f.fileno(), src])
                finally:
                    os.close(w)
                    os.close(src)
                try:
                    if "error" in reply:
                        raise (SandboxRefused if reply.get("refused") else SandboxError)(_clip(reply["error"]))
                    run = SubmissionRun(isolation=reply["isolation"], note=reply.get("why", ""))
                    if self.isolation == "auto" and run.isolation == "process":
                        self.isolation, self.note = "process", run.note  # do not try again each time
                    self._collect(reply["pid"], r, calls, run, out_f, err_f)
                finally:
                    os.close(r)
        finally:
            if scratch:
                _rmtree(scratch)
        return run

    def _collect(self, pid: int, r: int, calls: list[Call], run: SubmissionRun, out_f, err_f) -> None:
        """Read frames until done, a deadline, or the child's death; then kill whatever is left.

        The child's messages must come in the one order the runtime sends them -- ready,
        imported, one result per question in the order asked, then done -- and each question's
        deadline starts with the message that names it as ``next`` (the child starts it as soon
        as that is sent): whatever the student's code writes to the pipe can at most end its
        own run early, never buy time or stand for another question's answer.
        """
        lim = self.limits
        pidfd = _pidfd(pid)
        buf = bytearray()
        pos = (0, 0)
        queue = [c.qid for c in calls]
        state, current = "setup", "import"
        deadline = time.monotonic() + lim.timeout
        started = time.perf_counter()
        total = 0
        if pidfd is not None:
            # Most submissions answer everything within milliseconds: sleep until the child has
            # ended (or the first look) and read all its messages in one wake-up instead of
            # one per message.  A question still running then is timed from then on, so it
            # may run up to FIRST_LOOK longer than the limit: never shorter.
            select.select([pidfd], [], [], min(FIRST_LOOK, lim.timeout / 4))
        try:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    self._charge(run, current, "timeout", f"did not finish within {lim.timeout:g} s "
                                 "(an infinite loop, or waiting for input?)", out_f, err_f, pos, started)
                    return
                ready = _wait([r] + ([pidfd] if pidfd is not None else []), deadline - now, pid)
                chunk = b""
                if r in ready:
                    chunk = os.read(r, 1 << 20)
                    if chunk:
                        buf += chunk
                        total += len(chunk)
                    if chunk and total <= lim.frame_cap * 4:
                        try:
                            frames, buf = _split(buf, lim.frame_cap)
                        except wire.WireError as exc:
                            self._charge(run, current, "crash", f"sent a malformed result ({exc})",
                                         out_f, err_f, pos, started)
                            return
                        for frame in frames:
                            kind = frame.get("kind") if isinstance(frame, dict) else None
                            if state == "setup" and kind == "setup_failed":
                                _setup_failed(frame)
                            elif state == "setup" and kind == "ready":
                                state = "import"
                                if run.isolation == "process" and frame.get("uid") == 0 and self._uid:
                                    raise SandboxRefused("student code was about to run as root")  # (never)
                            elif state == "import" and kind == "imported":
                                npos = _pos(frame.get("pos"), pos)
                                run.stdout, run.stderr = _slice(out_f, pos, npos, 0, lim), _slice(err_f, pos, npos, 1, lim)
                                pos = npos
                                if not frame.get("ok"):
                                    run.import_error = _clip(frame.get("error", "import failed"), 4000) or "import failed"
                                    run.import_traceback = _clip(frame.get("traceback", ""), 8000)
                                    return
                            elif state == "question" and kind == "result" and frame.get("qid") == current:
                                npos = _pos(frame.get("pos"), pos)
                                run.questions[current] = _question(current, frame, calls, out_f, err_f, pos, npos, lim)
                                pos = npos
                                queue.pop(0)
                            elif state == "between" and kind == "done":
                                return
                            else:
                                self._charge(run, current, "crash", "sent an unexpected message (the "
                                             "answer must be returned, not written to the grader's pipe)",
                                             out_f, err_f, pos, started)
                                return
                            if kind in ("imported", "result"):  # and names the question starting now
                                following = queue and frame.get("next") == queue[0]
                                state, current = ("question", queue[0]) if following else ("between", "between questions")
                                started = time.perf_counter()
                                deadline = time.monotonic() + lim.timeout
                        continue
                    if chunk:  # over the byte cap
                        self._charge(run, current, "crash", "sent more data than any answer needs",
                                     out_f, err_f, pos, started)
                        return
                if (pidfd is not None and pidfd in ready) or (r in ready and not chunk) or not _alive(pid):
                    # drain what it wrote before dying, then charge the question in progress
                    if state == "setup":
                        self._drain_setup(r, buf, lim)
                    if state == "question":
                        self._drain_after_death(r, buf, run, calls, current, out_f, err_f, pos, lim)
                    if current in run.questions:
                        return
                    self._charge(run, current, "crash", "the process ended while answering "
                                 "(os._exit, a crash such as a segmentation fault, or the memory limit)",
                                 out_f, err_f, pos, started)
                    return
        finally:
            _kill(pid, run.isolation)
            if self._cgroups is not None and run.isolation == "process":
                self._cgroups.kill(keep=self._proc.pid if self._proc else None)
            if self._uid and run.isolation == "process":
                _kill_uid(self._uid)  # a daemon that left the process group (setsid) ends too
            if pidfd is not None:
                if run.isolation == "namespaces":
                    # A namespace's PID 1 finishes exiting only once every process in it is
                    # gone: wait for that, so nothing of this submission overlaps the next.
                    select.select([pidfd], [], [], 2.0)
                os.close(pidfd)

    @staticmethod
    def _drain(r, buf, lim) -> list:
        try:
            os.set_blocking(r, False)
            while len(buf) <= lim.frame_cap:
                chunk = os.read(r, 1 << 20)
                if not chunk:
                    break
                buf += chunk
        except (BlockingIOError, OSError):
            pass
        try:
            frames, _ = _split(buf, lim.frame_cap)
        except wire.WireError:
            return []
        return frames

    def _drain_setup(self, r, buf, lim) -> None:
        for frame in self._drain(r, buf, lim):
            if isinstance(frame, dict) and frame.get("kind") == "setup_failed":
                _setup_failed(frame)
            break

    def _drain_after_death(self, r, buf, run, calls, current, out_f, err_f, pos, lim):
        frames = self._drain(r, buf, lim)
        if frames and isinstance(frames[0], dict) and frames[0].get("kind") == "result" \
                and frames[0].get("qid") == current:
            npos = _pos(frames[0].get("pos"), pos)
            run.questions[current] = _question(current, frames[0], calls, out_f, err_f, pos, npos, lim)

    def _charge(self, run, current, status, message, out_f, err_f, pos, started) -> None:
        """Record a timeout or crash against the question in progress (or the import)."""
        end = (_size(out_f), _size(err_f))
        out, err = _slice(out_f, pos, end, 0, self.limits), _slice(err_f, pos, end, 1, self.limits)
        if current == "import":
            run.import_error = "importing the file " + message.replace("while answering", "while importing")
            run.stdout, run.stderr = out, err
        elif current != "between questions":
            run.questions[current] = QuestionRun(current, status, error=message, stdout=out, stderr=err,
                                                 seconds=time.perf_counter() - started)


def _setup_failed(frame: dict) -> None:
    if frame.get("refused") is True:
        raise SandboxRefused(_clip(frame.get("error")))
    raise SandboxError(f"could not isolate the submission: {_clip(frame.get('error'))}")


def _question(qid, frame, calls, out_f, err_f, pos, npos, lim) -> QuestionRun:
    status = frame.get("status")
    q = QuestionRun(qid, status if status in ("ok", "error", "missing") else "crash",
                    error=_clip(frame.get("error", ""), 4000), traceback=_clip(frame.get("traceback", ""), 8000),
                    seconds=float(frame.get("seconds", 0.0)) if type(frame.get("seconds")) in (int, float) else 0.0,
                    stdout=_slice(out_f, pos, npos, 0, lim), stderr=_slice(err_f, pos, npos, 1, lim))
    trial = frame.get("trial")
    q.trial = trial if type(trial) is int else None
    if q.status == "crash" and not q.error:
        q.error = "sent a malformed result"
    if q.status == "ok":
        n = next(c.n for c in calls if c.qid == qid)
        stacked, outs = frame.get("stacked"), frame.get("outputs")
        if type(stacked) is np.ndarray and stacked.ndim >= 1 and stacked.shape[0] == n:
            q.outputs = [stacked[i, ...] for i in range(n)]  # views, each a plain ndarray (0-d too)
            q.stacked = stacked
        elif isinstance(outs, list) and len(outs) == n and all(type(o) is np.ndarray for o in outs):
            q.outputs = outs
        else:
            q.status, q.error = "crash", "sent a malformed result"
            return q
        types = frame.get("types")
        q.types = [_clip(t, 40) for t in types[:5]] if isinstance(types, list) else []
    return q


def _clip(value, cap: int = 2000) -> str:
    return safe_text(value[:cap]) if isinstance(value, str) else ""


def _split(buf: bytearray, cap: int) -> tuple[list, bytearray]:
    """Whole frames off the front of ``buf``; anything that is not a frame we sent is WireError."""
    frames = []
    while True:
        if len(buf) >= wire.HEADER.size:
            magic, hlen, _blen = wire.HEADER.unpack_from(buf)
            if magic == wire.MAGIC and hlen > HEAD_CAP:
                raise wire.WireError(f"frame header of {hlen} bytes")
        n = wire.frame_length(buf, cap)
        if n is None or len(buf) < n:
            return frames, buf
        try:
            frames.append(wire.decode(bytes(buf[:n])))
        except wire.WireError:
            raise
        except Exception as exc:  # deeply nested JSON (RecursionError), absurd numbers, ...
            raise wire.WireError(f"undecodable frame ({type(exc).__name__})") from None
        del buf[:n]


def _pos(value, old):
    try:
        a, b = value
        return (max(int(a), old[0]), max(int(b), old[1]))
    except (TypeError, ValueError, OverflowError):
        return old


def _submission_fd(directory: Path, isolation: str) -> tuple[int, str]:
    """A descriptor of the submission's directory, through which the child copies its files
    (or of /dev/null, if it cannot be opened: the child then reports the failure)."""
    try:
        return os.open(directory, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)), "dir"
    except OSError:
        return os.open(os.devnull, os.O_RDONLY), "none"


def _memfile(name: str):
    """An anonymous in-memory file (no disk, nothing in /tmp), or a temporary file elsewhere."""
    if hasattr(os, "memfd_create"):
        try:
            return open(os.memfd_create(f"cnn-grader-{name}", os.MFD_CLOEXEC), "w+b")
        except OSError:
            pass
    return tempfile.TemporaryFile()


def _rmtree(path: str) -> None:
    import shutil
    shutil.rmtree(path, ignore_errors=True)


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
    data = os.pread(f.fileno(), min(b - a, cap * 4), a)
    text = safe_text(data.decode("utf-8", "replace"))
    if len(text) > cap or b - a > len(data):
        text = text[:cap] + f"\n... [output truncated: {b - a} bytes in all]"
    return text


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
