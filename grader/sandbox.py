"""Sandboxed execution: run a submission's functions in an isolated child, get plain arrays back.

The narrow interface is :class:`Sandbox.run`: a submission and the calls to make go in, a
:class:`SubmissionRun` of plain ndarrays and texts comes out.  Nothing here judges answers.

How it works: each Sandbox owns a *zygote*, a Python process that imported NumPy once and
holds nothing else of ours (see ``_runtime.py``).  Per submission the zygote forks a child
that isolates itself and runs the questions in order, streaming one frame per question over a
pipe.  This side enforces the per-question deadline, reads frames with a byte cap, and kills
with SIGKILL only; a question that hangs or kills its process is charged to that question and
a fresh child picks up at the next one.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import wire

RUNTIME = Path(__file__).with_name("_runtime.py")
ISOLATION_LEVELS = ("auto", "namespaces", "process")


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds of wall time per question (and for the import)
    memory_mb: int = 1024  # address-space cap per submission
    fsize_mb: int = 8  # largest file (stdout/stderr included) the child may write
    tmp_mb: int = 64  # private /tmp size
    nproc: int = 64  # processes (enforced for non-root users)
    output_cap: int = 16384  # characters of stdout/stderr kept per question
    frame_cap: int = 64 << 20  # bytes the child may send in one frame
    max_elements: int = 100_000  # numbers one returned value may hold


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


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the student's code)."""


def _env() -> dict[str, str]:
    """The child's whole environment: nothing of the grader's, one thread for BLAS."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "HOME": "/tmp", "TMPDIR": "/tmp", "PYTHONIOENCODING": "utf-8",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # needed for correctness on some CPUs
        if key in os.environ:
            env[key] = os.environ[key]
    return env


class Sandbox:
    """A pre-warmed zygote and the means to run submissions in children forked from it."""

    def __init__(self, limits: Limits = Limits(), isolation: str = "auto", hide: list[Path] = ()):
        if isolation not in ISOLATION_LEVELS:
            raise ValueError(f"isolation must be one of {ISOLATION_LEVELS}")
        self.limits, self.isolation = limits, isolation
        self.hide = [str(Path(p).resolve()) for p in hide]
        self.note = ""
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None

    # -- zygote lifecycle --
    def _start(self) -> None:
        parent, child = socket.socketpair()
        env = _env()
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-P", str(RUNTIME), "zygote", str(child.fileno())],
            pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL, close_fds=True,
            cwd="/")
        child.close()
        parent.settimeout(60)
        if parent.recv(1) != b"R":
            raise SandboxError("the sandbox zygote did not start")
        parent.settimeout(None)
        self._sock = parent

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- running --
    def run(self, submission_dir: Path, main: str, calls: list[Call]) -> SubmissionRun:
        """Import ``submission_dir/main`` in a child and answer every call, in order."""
        t0 = time.perf_counter()
        result: SubmissionRun | None = None
        pending = list(calls)
        while pending:
            try:
                part = self._run_once(Path(submission_dir), main, pending)
            except SandboxError as exc:
                if self.isolation != "auto":
                    raise
                # namespaces exist but cannot be used here (a container, say): degrade loudly
                self.isolation, self.note = "process", str(exc)
                continue
            if self.note and not part.note:
                part.note = self.note
            if result is None:
                result = part
            else:
                result.questions.update(part.questions)
            if part.import_error:
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
            try:
                data = json.dumps(request).encode()
                socket.send_fds(self._sock, [data], fds)
                self._sock.settimeout(30)
                (size,) = struct.unpack("<I", _recv_exact(self._sock, 4))
                reply = json.loads(_recv_exact(self._sock, size))
                self._sock.settimeout(None)
                return reply
            except (OSError, ValueError, struct.error):
                self.close()
                if attempt:
                    raise
        raise SandboxError("unreachable")

    def _run_once(self, submission_dir: Path, main: str, calls: list[Call]) -> SubmissionRun:
        lim = self.limits
        job = wire.encode({"questions": [
            {"id": c.qid, "function": c.function, "args": c.args, "nargs": c.nargs, "n": c.n,
             "max_elements": lim.max_elements} for c in calls]})
        with tempfile.TemporaryFile() as job_f, tempfile.TemporaryFile() as out_f, \
                tempfile.TemporaryFile() as err_f, tempfile.TemporaryDirectory(prefix="cnn-grader-") as scratch:
            job_f.write(job)
            job_f.flush()
            job_f.seek(0)
            r, w = os.pipe()
            request = {"submission_dir": str(submission_dir.resolve()), "main": main,
                       "isolation": self.isolation, "hide": self.hide, "env": _env(),
                       "scratch": scratch,
                       "limits": {"timeout": lim.timeout, "memory_mb": lim.memory_mb,
                                  "fsize_mb": lim.fsize_mb, "tmp_mb": lim.tmp_mb, "nproc": lim.nproc}}
            try:
                reply = self._spawn(request, [job_f.fileno(), w, out_f.fileno(), err_f.fileno()])
            finally:
                os.close(w)
            try:
                if "error" in reply:
                    raise SandboxError(reply["error"])
                run = SubmissionRun(isolation=reply["isolation"], note=reply.get("why", ""))
                self._collect(reply["pid"], r, calls, run, out_f, err_f)
            finally:
                os.close(r)
        return run

    def _collect(self, pid: int, r: int, calls: list[Call], run: SubmissionRun, out_f, err_f) -> None:
        """Read frames until done, a deadline, or the child's death; then kill whatever is left."""
        lim = self.limits
        pidfd = _pidfd(pid)
        buf = bytearray()
        pos = (0, 0)
        queue = [c.qid for c in calls]
        current = "import"
        deadline = time.monotonic() + lim.timeout
        started = time.perf_counter()
        total = 0
        try:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    self._charge(run, current, "timeout", f"did not finish within {lim.timeout:g} s "
                                 "(an infinite loop, or waiting for input?)", out_f, err_f, pos, started)
                    return
                ready = _wait([r] + ([pidfd] if pidfd is not None else []), deadline - now, pid)
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
                            if kind == "imported":
                                npos = _pos(frame.get("pos"), pos)
                                run.stdout, run.stderr = _slice(out_f, pos, npos, 0, lim), _slice(err_f, pos, npos, 1, lim)
                                pos = npos
                                if not frame.get("ok"):
                                    run.import_error = str(frame.get("error", "import failed"))
                                    run.import_traceback = str(frame.get("traceback", ""))
                                    return
                            elif kind == "started" and queue and frame.get("qid") == queue[0]:
                                current = queue[0]
                                started = time.perf_counter()
                                deadline = time.monotonic() + lim.timeout
                            elif kind == "result" and frame.get("qid") == current:
                                npos = _pos(frame.get("pos"), pos)
                                run.questions[current] = _question(current, frame, calls, out_f, err_f, pos, npos, lim)
                                pos = npos
                                queue.pop(0)
                                current = "between questions"
                            elif kind == "done":
                                return
                            elif kind == "setup_failed":
                                raise SandboxError(f"could not isolate the submission: {frame.get('error')}")
                            else:
                                self._charge(run, current, "crash", "sent an unexpected message",
                                             out_f, err_f, pos, started)
                                return
                        continue
                    if chunk:  # over the byte cap
                        self._charge(run, current, "crash", "sent more data than any answer needs",
                                     out_f, err_f, pos, started)
                        return
                if (pidfd is not None and pidfd in ready) or (r in ready and not chunk) or not _alive(pid):
                    # drain what it wrote before dying, then charge the question in progress
                    self._drain_after_death(r, buf, run, calls, current, queue, out_f, err_f, pos, lim)
                    if current in run.questions or (current == "import" and run.import_error):
                        return
                    self._charge(run, current, "crash", "the process ended while answering "
                                 "(os._exit, a crash such as a segmentation fault, or the memory limit)",
                                 out_f, err_f, pos, started)
                    return
        finally:
            _kill(pid, run.isolation)
            if pidfd is not None:
                os.close(pidfd)

    def _drain_after_death(self, r, buf, run, calls, current, queue, out_f, err_f, pos, lim):
        try:
            os.set_blocking(r, False)
            while True:
                chunk = os.read(r, 1 << 20)
                if not chunk:
                    break
                buf += chunk
                if len(buf) > lim.frame_cap:
                    break
        except (BlockingIOError, OSError):
            pass
        try:
            frames, _ = _split(buf, lim.frame_cap)
        except wire.WireError:
            return
        for frame in frames:
            if isinstance(frame, dict) and frame.get("kind") == "result" and frame.get("qid") == current:
                npos = _pos(frame.get("pos"), pos)
                run.questions[current] = _question(current, frame, calls, out_f, err_f, pos, npos, lim)

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


def _question(qid, frame, calls, out_f, err_f, pos, npos, lim) -> QuestionRun:
    status = frame.get("status")
    q = QuestionRun(qid, status if status in ("ok", "error", "missing") else "crash",
                    error=str(frame.get("error", ""))[:4000], traceback=str(frame.get("traceback", ""))[:8000],
                    seconds=float(frame.get("seconds", 0.0)) if isinstance(frame.get("seconds"), (int, float)) else 0.0,
                    stdout=_slice(out_f, pos, npos, 0, lim), stderr=_slice(err_f, pos, npos, 1, lim))
    trial = frame.get("trial")
    q.trial = trial if isinstance(trial, int) else None
    if q.status == "ok":
        outs = frame.get("outputs")
        n = next(c.n for c in calls if c.qid == qid)
        if not isinstance(outs, list) or len(outs) != n or not all(type(o) is np.ndarray for o in outs):
            q.status, q.error = "crash", "sent a malformed result"
        else:
            q.outputs = outs
            types = frame.get("types")
            q.types = [str(t)[:40] for t in types[:5]] if isinstance(types, list) else []
    return q


def _split(buf: bytearray, cap: int) -> tuple[list, bytearray]:
    frames = []
    while True:
        n = wire.frame_length(buf, cap)
        if n is None or len(buf) < n:
            return frames, buf
        frames.append(wire.decode(bytes(buf[:n])))
        del buf[:n]


def _pos(value, old):
    try:
        a, b = value
        return (max(int(a), old[0]), max(int(b), old[1]))
    except (TypeError, ValueError):
        return old


def _size(f) -> int:
    return os.fstat(f.fileno()).st_size


def _slice(f, start, end, i, lim: Limits) -> str:
    """Captured output between two positions, cut to the cap with a marker."""
    a, b = start[i], min(end[i], _size(f))
    if b <= a:
        return ""
    cap = lim.output_cap
    data = os.pread(f.fileno(), min(b - a, cap * 4), a)
    text = data.decode("utf-8", "replace")
    if len(text) > cap or b - a > len(data):
        text = text[:cap] + f"\n... [output truncated: {b - a} bytes in all]"
    return text


def _recv_exact(sock, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise OSError("zygote closed the connection")
        data += chunk
    return data


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
