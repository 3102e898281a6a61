"""Sandbox runtime: the zygote and the child that runs one submission.

Run as a script by path (``python -I -P _runtime.py``), never imported inside the child from
the ``grader`` package: the zygote process imports NumPy and this file only, so nothing a
student's code can reach in memory knows the reference answers.  The zygote forks one child
per submission; the child isolates itself (namespaces, read-only mounts, rlimits, no
capabilities when it can; a separate process with rlimits when it cannot), imports the
submission, calls its functions on the trials of the job and streams the outputs back as
:mod:`wire` frames.  Judging happens in the grader, never here.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import json
import os
import resource
import signal
import socket
import struct
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_wire():
    spec = importlib.util.spec_from_file_location("_cnn_grader_wire", os.path.join(HERE, "wire.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


wire = _load_wire()

# Linux constants (sched.h, mount.h, prctl.h)
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_RELATIME, MS_NOATIME, MS_NODIRATIME = 1 << 21, 1024, 2048
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
PR_SET_CHILD_SUBREAPER = 36

_libc = None


def libc():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def _check(ret, what):
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source, target, fstype, flags, data=None):
    enc = lambda s: s.encode() if isinstance(s, str) else s
    _check(libc().mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


# --- the zygote -------------------------------------------------------------------------------

def zygote(control_fd: int) -> None:
    """Serve fork requests until the grader closes the control socket."""
    import numpy  # noqa: F401  (the point of the zygote: import once, fork many times)
    import numpy.random  # noqa: F401  numpy 2 imports some submodules lazily
    import numpy.linalg  # noqa: F401
    import math, itertools, functools, collections, copy  # noqa: F401,E401
    if sys.platform.startswith("linux"):
        libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # die with the grader
        libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans come back here ...
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # ... and are reaped automatically
    sock = socket.socket(fileno=control_fd)
    sock.sendall(b"R")  # ready
    while True:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(sock, 1 << 16, 8)
        except (OSError, ValueError):
            return
        if not msg:
            return
        request = json.loads(msg)
        if os.fork() == 0:
            try:
                leader(sock, request, fds)
            finally:
                os._exit(70)
        for fd in fds:
            os.close(fd)


def leader(sock, request, fds) -> None:
    """In the forked child: enter new namespaces if possible, then hand over to the runner."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    mode, why = request["isolation"], ""
    if mode in ("auto", "namespaces") and sys.platform.startswith("linux"):
        flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
        uid, gid = os.getuid(), os.getgid()
        if uid != 0:
            flags |= CLONE_NEWUSER
        if libc().unshare(flags) == 0:
            try:
                if uid != 0:
                    _write("/proc/self/setgroups", "deny")
                    _write("/proc/self/uid_map", f"0 {uid} 1")
                    _write("/proc/self/gid_map", f"0 {gid} 1")
                pid = os.fork()
            except OSError as exc:
                _reply(sock, {"error": f"namespace setup failed: {exc}"})
                return
            if pid:
                _reply(sock, {"pid": pid, "isolation": "namespaces"})
                return
            sock.close()
            child(request, fds, namespaced=True)
            return
        why = f"unshare: {os.strerror(ctypes.get_errno())}"
        if mode == "namespaces":
            _reply(sock, {"error": f"namespaces unavailable ({why})"})
            return
    elif mode != "process":
        why = "namespaces need Linux"
    os.setsid()  # a process group of its own, so the grader can kill it and its children
    _reply(sock, {"pid": os.getpid(), "isolation": "process", "why": why})
    sock.close()
    child(request, fds, namespaced=False)


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _reply(sock, obj):
    data = json.dumps(obj).encode()
    sock.sendall(struct.pack("<I", len(data)) + data)


# --- the child -------------------------------------------------------------------------------

def child(request, fds, namespaced: bool) -> None:
    job_fd, result_fd, out_fd, err_fd = fds
    try:
        with os.fdopen(job_fd, "rb") as f:
            job = wire.decode(f.read())
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        os.close(out_fd)
        os.close(err_fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        sub_dir, main = request["submission_dir"], request["main"]
        if namespaced:
            sub_dir = isolate_mounts(request)
        else:
            scratch = request.get("scratch") or "/tmp"
            os.chdir(scratch)
        os.closerange(3, result_fd)
        os.closerange(result_fd + 1, 1 << 16)
        limit_resources(request["limits"], len(job["questions"]))
        if namespaced:
            drop_privileges()
        os.environ.clear()
        os.environ.update(request["env"])
    except BaseException as exc:  # the sandbox could not be built: say so, run nothing
        try:
            _send(result_fd, {"kind": "setup_failed", "error": f"{type(exc).__name__}: {exc}"})
        finally:
            os._exit(71)
    run(job, result_fd, sub_dir, main)


def isolate_mounts(request) -> str:
    """Private mounts: the submission alone, read-only; a private /tmp; hidden grader paths."""
    src = os.open(request["submission_dir"], os.O_PATH | os.O_DIRECTORY)
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    tmp = "/tmp"
    mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, f"size={request['limits']['tmp_mb']}m,mode=1777")
    sub = os.path.join(tmp, "submission")
    os.mkdir(sub)
    mount(f"/proc/self/fd/{src}", sub, None, MS_BIND | MS_REC)
    os.close(src)
    for path in request["hide"]:
        try:
            if os.path.isdir(path):
                mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
            elif os.path.exists(path):
                mount("/dev/null", path, None, MS_BIND)
        except OSError:
            pass  # a path on a mount we may not cover (reported by the grader's self-test)
    # Everything but the scratch space becomes read-only.
    mounts = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            mounts.append((parts[4].encode().decode("unicode_escape"), parts[5]))
    flagmap = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "relatime": MS_RELATIME,
               "noatime": MS_NOATIME, "nodiratime": MS_NODIRATIME}
    for target, opts in mounts:
        if target == tmp or target.startswith(tmp + "/") and target != sub:
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for o in opts.split(","):
            flags |= flagmap.get(o, 0)
        try:
            mount(None, target, None, flags)
        except OSError:
            pass
    try:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except OSError:
        mount("tmpfs", "/proc", "tmpfs", MS_RDONLY, "size=4k")
    os.mkdir(os.path.join(tmp, "work"))
    os.chdir(os.path.join(tmp, "work"))
    try:
        socket.sethostname("sandbox")
    except OSError:
        pass
    return sub


def limit_resources(limits, n_questions: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails instead of killing
    cpu = int(limits["timeout"] * (n_questions + 1)) + 5

    def setr(res, value):
        try:
            soft, hard = resource.getrlimit(res)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(res, (value, value))
        except (ValueError, OSError):
            pass
    setr(resource.RLIMIT_AS, limits["memory_mb"] << 20)
    setr(resource.RLIMIT_CPU, cpu)
    setr(resource.RLIMIT_FSIZE, limits["fsize_mb"] << 20)
    setr(resource.RLIMIT_NOFILE, 64)
    setr(resource.RLIMIT_CORE, 0)
    if os.getuid() != 0 and limits.get("nproc"):
        setr(resource.RLIMIT_NPROC, limits["nproc"])


def drop_privileges() -> None:
    """No capabilities now or after any exec; a root uid without them cannot undo the mounts."""
    lib = libc()
    for cap in range(64):
        lib.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()
    _check(lib.capset(header, data), "capset")
    _check(lib.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


# --- running the student's code --------------------------------------------------------------

def _send(fd: int, tree) -> None:
    data = wire.encode(tree)
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _text(obj, limit=2000) -> str:
    try:
        s = str(obj)
    except BaseException:  # a hostile __str__
        s = "<unprintable>"
    return s if len(s) <= limit else s[:limit] + f"... [{len(s) - limit} more characters]"


def _student_traceback(exc: BaseException, root: str) -> str:
    """The traceback trimmed to frames in the student's own files."""
    try:
        frames = traceback.extract_tb(exc.__traceback__)
        mine = [f for f in frames if os.path.abspath(f.filename).startswith(root + os.sep)]
        if frames and (not mine or mine[-1] is not frames[-1]):
            mine.append(frames[-1])  # where it actually broke (NumPy, say)
        lines = []
        for f in mine[-12:]:
            name = os.path.relpath(f.filename, root) if f.filename.startswith(root) else f.filename
            lines.append(f'  File "{name}", line {f.lineno}, in {f.name}\n')
            if f.line:
                lines.append(f"    {f.line.strip()[:300]}\n")
        head = "Traceback (most recent call last):\n" if lines else ""
        return head + "".join(lines) + f"{type(exc).__name__}: {_text(exc, 1000)}"
    except BaseException:
        return f"{type(exc).__name__}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return "called sys.exit() / exit(): a graded function must return its answer"
    if isinstance(exc, KeyboardInterrupt):
        return "raised KeyboardInterrupt"
    if isinstance(exc, RecursionError):
        return "RecursionError: maximum recursion depth exceeded"
    if isinstance(exc, MemoryError):
        return "MemoryError: ran out of the memory allowed per submission"
    return f"{type(exc).__name__}: {_text(exc, 500)}"


def _to_array(ret, max_elements: int):
    import numpy as np
    if isinstance(ret, np.ndarray) and type(ret) is not np.ndarray:
        ret = np.asarray(ret).view(np.ndarray)  # subclasses are read as plain arrays
    arr = np.asarray(ret)
    if arr.size > max_elements:
        raise ValueError(f"returned {arr.size} numbers; far more than the answer holds")
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind == "c":
            raise TypeError("returned complex numbers")
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"returned {type(ret).__name__} that is not an array of numbers") from None
    if arr.dtype.str not in wire.DTYPES:
        arr = arr.astype(np.float64 if arr.dtype.kind == "f" else np.int64)
    return np.array(arr, copy=True), type(ret).__name__


def run(job, result_fd: int, sub_dir: str, main: str) -> None:
    import numpy as np
    sys.path[:] = [sub_dir] + [p for p in sys.path if p and os.path.isdir(p)]
    sys.argv = [main]
    root = os.path.realpath(sub_dir)
    stdout_pos = lambda: (os.lseek(1, 0, os.SEEK_CUR), os.lseek(2, 0, os.SEEK_CUR))
    sys.stdout = open(1, "w", buffering=1, closefd=False, errors="replace")
    sys.stderr = open(2, "w", buffering=1, closefd=False, errors="replace")
    sys.stdin = open(0, "r", closefd=False)
    name = os.path.splitext(main)[0]
    t0 = time.perf_counter()
    try:
        spec = importlib.util.spec_from_file_location(name if name.isidentifier() else "submission",
                                                      os.path.join(sub_dir, main))
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    except BaseException as exc:
        _flush()
        _send(result_fd, {"kind": "imported", "ok": False, "error": _describe(exc),
                          "traceback": _student_traceback(exc, root), "seconds": time.perf_counter() - t0,
                          "pos": stdout_pos()})
        os._exit(0)
    _flush()
    _send(result_fd, {"kind": "imported", "ok": True, "seconds": time.perf_counter() - t0, "pos": stdout_pos()})
    for q in job["questions"]:
        _send(result_fd, {"kind": "started", "qid": q["id"]})
        result = answer(module, q, root, np)
        _flush()
        result.update(kind="result", qid=q["id"], pos=stdout_pos())
        _send(result_fd, result)
    _send(result_fd, {"kind": "done"})
    os._exit(0)


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def answer(module, q, root, np) -> dict:
    """Call the student's function on every trial of one question."""
    fn = getattr(module, q["function"], None)
    if fn is None:
        return {"status": "missing", "error": f"no function named {q['function']} is defined"}
    if not callable(fn):
        return {"status": "missing", "error": f"{q['function']} is defined but is not a function"}
    args, nargs, n = q["args"], q["nargs"], q["n"]
    outputs, types = [], set()
    t0 = time.perf_counter()
    for t in range(n):
        call = [a[t].item() if a[t].ndim == 0 else np.array(a[t]) for a in args[:nargs[t]]]
        try:
            ret = fn(*call)
            if ret is None:
                if t == 0:
                    return {"status": "missing", "error": f"{q['function']} returned None (not written yet?)"}
                return {"status": "error", "trial": t, "error": "returned None"}
            arr, kind = _to_array(ret, q["max_elements"])
        except NotImplementedError as exc:
            if t == 0:
                return {"status": "missing", "error": f"{q['function']} raises NotImplementedError (not written yet)"}
            return {"status": "error", "trial": t, "error": _describe(exc),
                    "traceback": _student_traceback(exc, root)}
        except BaseException as exc:
            return {"status": "error", "trial": t, "error": _describe(exc),
                    "traceback": _student_traceback(exc, root)}
        outputs.append(arr)
        types.add(kind)
    return {"status": "ok", "outputs": outputs, "types": sorted(types), "seconds": time.perf_counter() - t0}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "zygote":
        zygote(int(sys.argv[2]))
    else:
        sys.exit("usage: _runtime.py zygote FD (started by the grader, not by hand)")
