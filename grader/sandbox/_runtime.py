"""Sandbox runtime: the zygote and the child that runs one submission.

Started by :data:`grader.sandbox.launch.BOOT` from its source (``python -I -S -c BOOT``), never imported
inside the child from the ``grader`` package: the zygote process imports NumPy and this file only, so nothing a
student's code can reach in memory knows the reference answers (nor, since everything about a
submission travels in its job file, read by its child only, anything of another student).
The zygote forks one child per submission; the child isolates itself and runs the questions,
streaming the outputs back as :mod:`wire` frames.  Judging happens in the grader, never here.

Full isolation (Linux: as root, or without root through a user namespace):

* new PID, mount, IPC and UTS namespaces per child, and an empty network namespace: it is
  PID 1 of its own process tree (so SIGKILL to it ends every process it started), has no
  network but a loopback that is down, and shares no System V IPC, abstract sockets or
  hostname with any other running submission (as root, one network namespace per zygote
  serves its children one after the other: see ``zygote_root``);
* a root built from an allow-list and entered with ``pivot_root``: the system directories
  (``/usr`` and the ``/lib``/``/bin`` links), a handful of ``/etc`` files, the Python
  installation NumPy runs from, a minimal ``/dev`` (null, zero, full, random, urandom), a
  read-only ``/proc`` of the child's own PID namespace (its files about the host -- the kernel
  keyrings, timers, symbols -- masked), a private size-capped ``/tmp`` and
  a copy of the submission alone, read-only, at ``/tmp/submission``.  Everything else -- the grader,
  the reference, other submissions, the output folder, home directories, ``/sys`` -- is not
  under that root at all (what the grader asks to hide inside an allowed directory, a
  pip-installed grader say, is covered by an empty read-only tmpfs).  All of it but ``/tmp``
  is read-only, nosuid and nodev;
* rlimits (address space, CPU, file size, open files, no core dumps); processes, the memory
  of the whole process tree and its CPU share are capped by the cgroups the grader put the
  zygote in (``sandbox.py``);
* no capabilities (bounding set emptied, securebits locked), ``no_new_privs``, and a seccomp
  filter that refuses namespace, mount, keyring, ptrace, BPF, perf and io_uring system calls
  (the kernel keyring is the one store a root uid shares across namespaces), and sockets of
  any family but AF_UNIX (AF_VSOCK, say, reaches a VM's hypervisor whatever the namespace);
* nothing of the host in what the child can read of itself: the zygote's command line is a
  bare name (its settings came over its socket), a namespaced child is never told a host
  path, and its submission is a copy in a tmpfs (a bind would show its host path in
  ``/proc/self/mountinfo``);
* all file descriptors closed but the result pipe; stdin ``/dev/null``; stdout/stderr to
  capped in-memory files; a scrubbed environment.

As root this is cheap: the zygote builds the shared read-only root once, in a mount namespace
of its own, and keeps one *spare* child forked ahead -- already PID 1 of a new PID namespace,
in its own mount/network/IPC/UTS namespaces with its /tmp and /proc -- which, when a request comes, only copies the submission into a tmpfs of its own
(through a descriptor of its directory), drops its privileges and runs.  Without root each child builds the same
view itself, in a user namespace, after a second fork.

Process isolation (no namespaces): a process of its own session with the rlimits, the cgroups
if there are any, no capabilities, ``no_new_privs`` and the seccomp filter.  As root, student
code runs as an unprivileged uid of its own on a private copy of the submission, never as
root: where the Python installation is not world-readable (under /root) it refuses to run at
all (``_root_refusal``).  It cannot hide world-readable files or other processes from the
student code: it is for students checking their own work.
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
import sys
import time
import traceback

# The zygote is started by BOOT (grader.sandbox.launch), which hands it the sources of this file and of
# the two it loads: compiled under these names, no host path is in any code object or module.
SOURCES: dict[str, str] = globals().get("SOURCES") or {}
HERE = "" if SOURCES else os.path.dirname(os.path.abspath(__file__))


def _load(name: str, filename: str):
    """A grader module loaded from its source as the grader sent it (or, in the grader's own
    tests, by path), never through the grader package, which this file never imports."""
    if filename not in SOURCES:
        spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, filename))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    mod = type(sys)(name)
    mod.__file__ = f"<cnn-grader {filename}>"
    exec(compile(SOURCES[filename], mod.__file__, "exec"), mod.__dict__)
    return mod


wire = _load("_cnn_grader_wire", "wire.py")
imports = _load("_cnn_grader_imports", "_imports.py")  # the import policy of student code (loaded here: the child cannot see HERE)

# Linux constants (sched.h, mount.h, prctl.h, seccomp.h)
CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x02000000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
NS_FLAGS = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_RELATIME, MS_NOATIME, MS_NODIRATIME = 1 << 21, 1024, 2048
MNT_DETACH = 2
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC = 1, 2, 4, 8
AT_FDCWD, AT_RECURSIVE = -100, 0x8000
PR_SET_PDEATHSIG, PR_SET_SECCOMP, PR_CAPBSET_DROP, PR_SET_SECUREBITS = 1, 22, 24, 28
PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 36, 38, 47
SECBITS_LOCKED_NOROOT = 0x2F  # NOROOT, NO_SETUID_FIXUP and KEEP_CAPS off, all locked
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_ERRNO, SECCOMP_RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
EPERM, ENOSYS, EAFNOSUPPORT = 1, 38, 97
AF_UNIX = 1

# Per architecture: audit arch, the syscalls refused, clone, clone3, pivot_root, mount_setattr.
_SYSCALLS = {
    "x86_64": dict(
        audit=0xC000003E, x32=True, clone=56, clone3=435, pivot_root=155, mount_setattr=442,
        socket=(41, 53),  # socket, socketpair
        deny=[101, 310, 311,  # ptrace, process_vm_readv/writev
              248, 249, 250,  # add_key, request_key, keyctl
              272, 308,  # unshare, setns
              165, 166, 155, 161,  # mount, umount2, pivot_root, chroot
              428, 429, 430, 431, 432, 433, 442,  # the new mount API, mount_setattr
              321, 298, 323,  # bpf, perf_event_open, userfaultfd
              425, 426, 427,  # io_uring
              303, 304, 103, 438, 440,  # name_to_handle_at, open_by_handle_at, syslog, pidfd_getfd, process_madvise
              246, 320, 175, 313, 176, 169, 167, 168, 163, 179]),  # kexec, modules, reboot, swap, acct, quotactl
    "aarch64": dict(
        audit=0xC00000B7, x32=False, clone=220, clone3=435, pivot_root=41, mount_setattr=442,
        socket=(198, 199),
        deny=[117, 270, 271, 217, 218, 219, 97, 268, 40, 39, 41, 51,
              428, 429, 430, 431, 432, 433, 442, 280, 241, 282, 425, 426, 427,
              264, 265, 116, 438, 440, 104, 294, 105, 273, 106, 142, 224, 225, 89, 60]),
}
ARCH = _SYSCALLS.get(os.uname().machine) if hasattr(os, "uname") else None

# What of the host the new root shows (besides the Python installation found at start-up).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "passwd", "group",
             "nsswitch.conf", "hosts", "host.conf", "protocols", "services", "mime.types", "os-release",
             "alternatives", "fonts")
DEVICES = ("null", "zero", "full", "random", "urandom")
DEV_LINKS = (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
             ("stderr", "/proc/self/fd/2"), ("shm", "/tmp"))
ROOT_MOUNTPOINTS = ("/tmp", "/mnt", "/run", "/var/tmp", "/opt", "/srv", "/media")
STASH = "/.tmp-binds"  # see _stashed()
SCRATCH_DIRS = ("/tmp/", "/var/tmp/", "/dev/", "/run/", "/proc/", "/sys/")  # never exposed whole
PROC_MASKED = ("keys", "key-users", "sys/kernel/keys", "timer_list", "sched_debug", "latency_stats", "kallsyms",
               "kcore", "kmsg", "acpi", "scsi", "asound")

_libc = None
PLAN: dict | None = None  # the new root, computed once in the zygote
SECCOMP = None  # the filter program, built once in the zygote
_fast_pid_ns: int | None = None  # fd of the zygote's own PID namespace (root fast path)


def libc():
    global _libc
    if _libc is None:
        try:  # glibc's name first: find_library runs `ldconfig -p` (a fork and exec per zygote)
            _libc = ctypes.CDLL("libc.so.6", use_errno=True)
        except OSError:  # musl, macOS
            _libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    return _libc


def _check(ret, what):
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _enc(s):
    return s.encode() if isinstance(s, str) else s


def mount(source, target, fstype, flags, data=None):
    _check(libc().mount(_enc(source), _enc(target), _enc(fstype), ctypes.c_ulong(flags), _enc(data)),
           f"mount {target}")


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def mount_setattr(path: str, attrs: int, recursive: bool = True) -> bool:
    """Add ``attrs`` to the mount at ``path`` (and every mount below it); False if unsupported."""
    if ARCH is None:
        return False
    attr = _MountAttr(attrs, 0, 0, 0)
    ret = libc().syscall(ctypes.c_long(ARCH["mount_setattr"]), ctypes.c_long(AT_FDCWD), _enc(path),
                         ctypes.c_long(AT_RECURSIVE if recursive else 0), ctypes.byref(attr),
                         ctypes.c_long(ctypes.sizeof(attr)))
    if ret != 0:
        err = ctypes.get_errno()
        if err in (ENOSYS, EPERM, 22):  # old kernel, or a filesystem that refuses: remount instead
            return False
        raise OSError(err, f"mount_setattr {path}: {os.strerror(err)}")
    return True


_FLAGMAP = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "relatime": MS_RELATIME,
            "noatime": MS_NOATIME, "nodiratime": MS_NODIRATIME}


def remount_readonly(top: str) -> None:
    """Fallback for kernels without mount_setattr: remount every mount under ``top`` one by one."""
    with open("/proc/self/mountinfo") as f:
        targets = [(line.split()[4].encode().decode("unicode_escape"), line.split()[5]) for line in f]
    for target, opts in targets:
        if target != top and not target.startswith(top.rstrip("/") + "/"):
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
        for o in opts.split(","):
            flags |= _FLAGMAP.get(o, 0)  # locked flags must be kept as they are
        mount(None, target, None, flags)


def make_readonly(path: str, extra: int = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV) -> None:
    if not mount_setattr(path, MOUNT_ATTR_RDONLY | extra):
        remount_readonly(path)


# --- the zygote -------------------------------------------------------------------------------

def zygote(control_fd: int, config: dict) -> None:
    """Serve fork requests until the grader closes the control socket.

    ``config`` (from BOOT, never the command line, which every child would show in
    /proc/self/cmdline) says how: ``mode``, the isolation the grader asks for; ``tmp_mb``, the
    size of a child's /tmp; ``hide_fd``, a descriptor holding the host paths no child may see.
    This process never reads that list: only a short-lived process forked to cover those paths
    does (:func:`_cover_hidden`), so no child, which inherits this memory, can find it there.
    As root (and not asked for process isolation) the zygote first enters a mount namespace
    whose root is the shared read-only view, so a child only adds its own /tmp, /proc and
    submission; otherwise each child builds the whole view itself.
    """
    global PLAN, SECCOMP, _fast_pid_ns, _root_ready, _root_why, _control, _tmp_mb, _hide
    sock = socket.socket(fileno=control_fd)
    try:
        mode, hide, tmp_mb = str(config["mode"]), int(config["hide_fd"]), int(config["tmp_mb"])
    except (ValueError, KeyError, TypeError):
        return  # this is not our grader
    _neutral_command_line()
    import numpy  # noqa: F401  (the point of the zygote: import once, fork many times)
    import numpy.linalg  # noqa: F401
    import math, itertools, functools, collections, copy  # noqa: F401,E401
    global DEPENDENCIES
    # what the allowed packages need, read from the installation now, before any student code:
    # in a child, the student's own zipfile.py or csv.py would answer for the metadata readers
    DEPENDENCIES = frozenset(imports.required_modules())
    if sys.platform.startswith("linux"):
        # die with the grader, taking every child along: a child of process isolation may have
        # started processes of its own, which SIGKILL to this one alone would leave running
        signal.signal(signal.SIGTERM, _orphaned)
        libc().prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans come back here ...
        SECCOMP = seccomp_program()
        if mode != "process":
            try:
                PLAN = root_plan()
            except OSError as exc:
                _root_why = f"could not plan the sandbox's file system view: {exc}"
        if PLAN is not None and os.geteuid() == 0 and ARCH is not None and mode != "userns":
            if _stashed(os.path.dirname(numpy.__file__)) != os.path.dirname(numpy.__file__):
                import numpy.random  # noqa: F401  now: in the shared root, NumPy under /tmp is out of reach
            try:
                _fast_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY)
                zygote_root(hide)
                _root_ready = True
                os.close(hide)  # built: no child needs the list
                hide = -1
            except OSError as exc:
                _root_why = f"{exc}"
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # ... and are reaped automatically
    if mode == "process" or PLAN is None or not _root_ready:
        _uid_blocker()  # once, here: every process-isolated child inherits the answer
    import gc
    gc.freeze()  # a child's garbage collections then leave the zygote's pages shared
    _control = sock
    _tmp_mb, _hide = tmp_mb, hide
    preloaded = "numpy.random" in sys.modules
    try:
        sock.sendall(b"R")  # ready (the first spare is made at the first request: by then the
        # grader has put this process in its cgroups, so every child is born inside them)
    except OSError:
        return  # nobody is listening any more (a zygote started early, never adopted)
    while True:
        try:
            msg, fds, flags, _addr = socket.recv_fds(sock, 1 << 20, 8)
        except (OSError, ValueError):
            return
        if not msg:
            _kill_children(wait=True)  # the grader is done: nothing of any submission outlives it
            return
        try:
            if flags & socket.MSG_TRUNC:
                raise ValueError("request too large")
            request = json.loads(msg)
        except ValueError as exc:
            for fd in fds:
                os.close(fd)
            _reply(sock, {"error": f"bad request: {exc}"})
            continue
        _kill_children(wait=False)  # runs are one at a time: any child now is a leftover
        try:
            spawn(sock, request, fds)
        finally:
            _close_all(fds)
        if not preloaded:
            preloaded = True
            # NumPy 2 imports it lazily (12 ms): done once the first child runs, not before it,
            # so a one-file self-check never waits for it and every later child has it (NumPy
            # under /tmp: imported before entering the shared root, see above)
            try:
                import numpy.random  # noqa: F401
            except ImportError:
                pass  # a child that needs it imports it itself, or reports why not
            gc.freeze()


def _neutral_command_line() -> None:
    """What /proc/PID/cmdline shows of the zygote and of every child: a name, no host path.

    The kernel reads the command line from the process's own memory, where nothing uses it
    once Python has started: overwritten in place (as setproctitle does).  ``sys.argv``,
    ``sys.orig_argv`` and the script's own path, which a child could read, go too.
    """
    global HERE
    title = b"cnn-grader-sandbox"
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        start, end = int(fields[45]), int(fields[46])  # arg_start, arg_end (fields 48, 49)
        if end - start > len(title):
            ctypes.memset(start, 0, end - start)
            ctypes.memmove(start, title, len(title))
    except (OSError, ValueError, IndexError):
        pass  # not Linux: no /proc to read it from either
    sys.argv = [title.decode()]
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = [title.decode()]
    HERE = ""
    main = sys.modules.get("__main__")
    if main is not None and hasattr(main, "__file__"):
        del main.__file__


def _close_all(fds: list[int]) -> None:
    """Close the request's descriptors (once: the list is emptied, a number may be reused)."""
    while fds:
        try:
            os.close(fds.pop())
        except OSError:
            pass


DEPENDENCIES: frozenset = frozenset()  # see zygote
_root_ready = False  # the zygote is inside the shared root (root fast path)
_control: socket.socket | None = None
_tmp_mb = 64
_hide = -1  # the descriptor of the host paths to hide (see zygote), while children build their own view
_spare: tuple[int, socket.socket] | None = None  # a child forked ahead, waiting for its request
_spare_why = ""
_root_why = ""
_proc_fd: int | None = None  # the host's /proc, kept open by a zygote inside the shared root
_BINDS: list = []  # the host paths the shared root binds (PLAN's, less the hidden ones)


def _children() -> list[int]:
    me = os.getpid()
    opener = (lambda path: os.open(path, os.O_RDONLY, dir_fd=_proc_fd)) if _proc_fd is not None \
        else (lambda path: os.open("/proc/" + path, os.O_RDONLY))
    try:
        fd = opener(f"{me}/task/{me}/children")
        try:
            return [int(x) for x in os.read(fd, 1 << 16).split()]
        finally:
            os.close(fd)
    except OSError:
        pass
    kids = []
    try:
        names = os.listdir(_proc_fd if _proc_fd is not None else "/proc")
    except OSError:
        return kids
    for name in names:
        if not name.isdigit():
            continue
        try:
            fd = opener(f"{name}/stat")
            try:
                stat = os.read(fd, 4096).decode()
            finally:
                os.close(fd)
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                kids.append(int(name))
        except (OSError, ValueError, IndexError):
            pass
    return kids


def _orphaned(_signum, _frame) -> None:
    """The grader is gone (the death signal): end every child and orphan of ours, then ourselves."""
    _kill_children(wait=True)
    os._exit(0)


def _kill_children(wait: bool) -> None:
    """SIGKILL every child of the zygote: orphans of a submission (a daemon) are reparented here."""
    deadline = time.monotonic() + 2.0
    while True:
        kids = [k for k in _children() if _spare is None or k != _spare[0] or wait]
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if not kids or not wait or time.monotonic() > deadline:
            return
        time.sleep(0.002)


def spawn(sock, request, fds) -> None:
    """Fork the child for one submission and tell the grader its pid and isolation level."""
    mode = request["isolation"]
    linux = sys.platform.startswith("linux")
    why = _root_why if linux else "namespaces need Linux"
    if mode != "process" and _root_ready and _fast_pid_ns is not None:
        # root: the spare child, already PID 1 of a new PID namespace with its own mounts,
        # takes this request; the next spare is forked while this one runs
        global _spare
        for _attempt in (0, 1):
            if _spare is None:
                _make_spare()
            if _spare is None:
                break
            (pid, conn), _spare = _spare, None
            try:
                socket.send_fds(conn, [json.dumps(request).encode()], fds)
                sent = True
            except OSError:
                sent = False
            conn.close()
            if sent:
                _close_all(fds)  # before the next fork: no spare may inherit this run's pipes
                _reply(sock, {"pid": pid, "isolation": "namespaces"})
                _make_spare()
                return
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        # namespaces work here: never answer with a weaker sandbox, let the grader decide
        _reply(sock, {"error": f"could not start a sandboxed child ({_spare_why or 'unknown'})"})
        return
    elif mode != "process" and linux and PLAN is not None and not _root_ready:
        if os.fork() == 0:
            try:
                leader(sock, request, fds)
            finally:
                os._exit(70)
        return  # the leader replies
    if mode == "namespaces":
        _reply(sock, {"error": f"namespaces unavailable ({why or 'not asked for'})"})
        return
    if _root_refusal():
        _reply(sock, {"error": _root_refusal(), "refused": True})
        return
    pid = os.fork()
    if pid == 0:
        _child_entry(request, fds, "process", sock)
    _reply(sock, {"pid": pid, "isolation": "process", "why": why if mode != "process" else ""})


def _make_spare() -> None:
    """Fork the next child into a new PID namespace (back to ours after) and let it prepare."""
    global _spare, _spare_why
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)  # one message, one record
    if libc().unshare(CLONE_NEWPID) != 0:
        _spare_why = f"unshare: {os.strerror(ctypes.get_errno())}"
        a.close()
        b.close()
        return
    deadline = time.monotonic() + 3.0
    while True:
        try:
            pid = os.fork()
            break
        except OSError as exc:  # the last run's processes, killed, may still hold the cgroup's pids
            pid, _spare_why = -1, f"fork: {exc}"
            if time.monotonic() > deadline:
                break
            time.sleep(0.005)
    if pid == 0:
        try:
            a.close()
            _control.close()
            spare_main(b)
        finally:
            os._exit(70)
    if libc().setns(_fast_pid_ns, CLONE_NEWPID) != 0:
        os._exit(72)  # stuck in a dead namespace: the grader starts a new zygote
    b.close()
    if pid < 0:
        a.close()
        return
    _spare = (pid, a)


def spare_main(conn) -> None:
    """A spare child: namespaces and private mounts now, the submission when a request comes."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    error = ""
    try:
        # (the network namespace is the zygote's own, empty one: see zygote_root)
        _check(libc().unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
        private_base(_tmp_mb)
        try:
            socket.sethostname("sandbox")
        except OSError:
            pass
        drop_bounding_set()  # what is left (mounting the submission) needs no more than that
        # (no warm-up here: taking the child's copy-on-write faults ahead moved them, it did not
        # save them, and its own work cost 0.9 ms of machine CPU a submission on 2 cores)
    except BaseException as exc:  # reported on the result pipe once there is one
        error = f"{_kind(exc)}: {exc}"
    try:
        msg, fds, _flags, _addr = socket.recv_fds(conn, 1 << 20, 8)
    except (OSError, ValueError):
        os._exit(0)
    if not msg or len(fds) != 5:
        os._exit(0)
    conn.close()
    child(json.loads(msg), fds, "spare", error)


def _child_entry(request, fds, how: str, sock) -> None:
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        sock.close()
        child(request, fds, how)
    finally:
        os._exit(70)


def leader(sock, request, fds) -> None:
    """Each child builds its own view: a second fork is needed to be PID 1 of the new namespace.

    Without root this is the only way (a user namespace comes too).  The leader stays until
    that child ends, so that the child's death signal (set against its parent) fires only when
    the zygote, and so the grader, is gone.
    """
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    mode = request["isolation"]
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    if uid != 0 or request.get("userns"):
        flags |= CLONE_NEWUSER
    if libc().unshare(flags) == 0:
        try:
            if flags & CLONE_NEWUSER:
                _write("/proc/self/setgroups", "deny")
                _write("/proc/self/uid_map", f"0 {uid} 1")
                _write("/proc/self/gid_map", f"0 {gid} 1")
            pid = os.fork()
        except OSError as exc:
            _reply(sock, {"error": f"namespace setup failed: {exc}"})
            return
        if pid == 0:
            _child_entry(request, fds, "own-root", sock)
        _reply(sock, {"pid": pid, "isolation": "namespaces"})
        sock.close()
        for fd in fds:
            os.close(fd)
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
        return
    why = f"unshare: {os.strerror(ctypes.get_errno())}"
    if mode == "namespaces":
        _reply(sock, {"error": f"namespaces unavailable ({why})"})
        return
    if _root_refusal():
        _reply(sock, {"error": _root_refusal(), "refused": True})
        return
    _reply(sock, {"pid": os.getpid(), "isolation": "process", "why": why})  # the leader runs it
    _child_entry(request, fds, "process", sock)


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _reply(sock, obj):
    sock.send(json.dumps(obj).encode())  # a SOCK_SEQPACKET record: the message is the record


# --- the new root -----------------------------------------------------------------------------

def root_plan() -> dict:
    """What the sandbox's root shows, worked out once: host paths to bind, links to recreate."""
    binds: list[str] = []
    links: dict[str, str] = {}

    def expose(path: str, depth: int = 0) -> None:
        path = os.path.normpath(path)
        if depth > 16 or not path.startswith("/") or not os.path.lexists(path):
            return
        parts = [p for p in path.split("/") if p]
        cur = ""
        for i, part in enumerate(parts):
            cur += "/" + part
            if os.path.islink(cur):
                target = os.readlink(cur)
                links[cur] = target
                expose(os.path.join(os.path.dirname(cur), target, *parts[i + 1:]), depth + 1)
                return
        binds.append(path)

    for d in SYSTEM_DIRS:
        expose(d)
    for name in ETC_FILES:
        expose("/etc/" + name)
    import numpy
    python = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
              os.path.dirname(os.path.dirname(numpy.__file__)), os.path.dirname(os.__file__)]
    python += [p for p in sys.path if p and os.path.isdir(p)]
    try:  # every shared library this process has loaded (an unusual install lives somewhere)
        with open("/proc/self/maps") as f:
            for line in f:
                fields = line.split(None, 5)
                path = fields[5].strip() if len(fields) == 6 else ""
                if ".so" in os.path.basename(path) and path.startswith("/") and not path.endswith("(deleted)") \
                        and not path.startswith(SCRATCH_DIRS):
                    python.append(os.path.dirname(path))
    except OSError:
        pass
    for p in python:
        expose(p)
    binds = sorted(set(binds))
    binds = [b for b in binds if not any(b.startswith(o.rstrip("/") + "/") for o in binds if o != b)]
    inside = lambda p: any(p == b or p.startswith(b.rstrip("/") + "/") for b in binds)
    links = {k: v for k, v in links.items() if not any(k.startswith(b.rstrip("/") + "/") for b in binds)}
    mountpoint = next((m for m in ROOT_MOUNTPOINTS if os.path.isdir(m) and not os.path.islink(m)
                       and not inside(m) and not any(b.startswith(m + "/") for b in binds)), None)
    if mountpoint is None:
        raise OSError("no directory to build the sandbox root on")
    return {"binds": [(b, os.path.isdir(b)) for b in binds], "links": sorted(links.items()),
            "mountpoint": mountpoint}


def _makedirs(path: str) -> None:
    try:
        os.makedirs(path, mode=0o755, exist_ok=True)
    except FileExistsError:
        pass


def shared_root(hide_fd: int) -> str:
    """Build (not yet enter) the read-only root every child shares; return where it is.

    Needs a private mount namespace.  Built once in the zygote when it runs as root, else once
    per child.  Nothing here depends on the submission.  The paths to hide are read from
    ``hide_fd`` by a process forked for that alone (:func:`_cover_hidden`).
    """
    plan = PLAN
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = plan["mountpoint"]
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    global _BINDS
    binds = _BINDS = list(plan["binds"])
    # the tree first (tmpfs only: never create anything below a bind, that would write the host)
    for link, target in plan["links"]:
        _makedirs(root + os.path.dirname(link))
        os.symlink(target, root + link)
    for b, isdir in binds:
        if isdir:
            _makedirs(root + _stashed(b))
        else:
            _makedirs(root + os.path.dirname(_stashed(b)))
            os.close(os.open(root + _stashed(b), os.O_CREAT | os.O_WRONLY, 0o644))
    for d in ("tmp", "dev", "proc"):
        _makedirs(os.path.join(root, d))
    for b, _isdir in binds:
        mount(b, root + _stashed(b), None, MS_BIND | MS_REC)
    _in_a_process(_cover_hidden, root, hide_fd, binds)
    make_readonly(root)  # everything so far: read-only, nosuid, nodev
    dev = root + "/dev"  # then devices, which must not be nodev
    mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
    for name in DEVICES:
        if os.path.exists("/dev/" + name):
            os.close(os.open(f"{dev}/{name}", os.O_CREAT | os.O_WRONLY, 0o666))
            mount("/dev/" + name, f"{dev}/{name}", None, MS_BIND)
    for name, target in DEV_LINKS:
        os.symlink(target, f"{dev}/{name}")
    make_readonly(dev, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC)
    return root


def _in_a_process(work, *args) -> None:
    """Run ``work(*args)`` in a forked process (same namespaces, same mounts) and wait for it:
    what it reads dies with it, and never enters this process's memory, which children inherit."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            work(*args)
            code = 0
        finally:
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise OSError("could not hide the grader's folders from the sandbox")


def _cover_hidden(root: str, hide_fd: int, binds: list) -> None:
    """Cover, under ``root``, every path to hide: an empty read-only tmpfs over a folder,
    /dev/null over a file, whether it lies inside an allowed directory (a pip-installed grader)
    or an allowed directory lies inside it (a checkout's tests/ on the grader's sys.path)."""
    size = os.fstat(hide_fd).st_size
    hide = [os.path.normpath(str(h)) for h in json.loads(os.pread(hide_fd, size, 0) or b"[]")]
    covered = [b for b, _ in binds if any(b == h or b.startswith(h.rstrip("/") + "/") for h in hide)]
    inside = [h for h in hide if any(h.startswith(b.rstrip("/") + "/") for b, _ in binds)]
    done = _keep_only(root, inside)
    for h in covered + inside:
        if h in done:
            continue
        at = root + _stashed(h)
        if not os.path.lexists(at) or os.path.realpath(at) != at:
            continue  # reached through a link: a mount there would cover the link's target
        if os.path.isdir(at):
            mount("tmpfs", at, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
        else:
            mount("/dev/null", at, None, MS_BIND)


def _keep_only(root: str, hidden: list[str], most: int = 8) -> set[str]:
    """A folder with more than ``most`` entries to hide (site-packages: all but NumPy) gets an
    empty tmpfs, the entries it keeps bound back, rather than a mount per hidden entry: every
    mount is copied into each child's mount namespace and torn down with it (80 of them cost
    ~1 ms a submission).  Returns the hidden paths so covered."""
    by_folder: dict[str, set[str]] = {}
    for h in hidden:
        by_folder.setdefault(os.path.dirname(h), set()).add(os.path.basename(h))
    done: set[str] = set()
    for folder, names in by_folder.items():
        at = root + _stashed(folder)
        if len(names) <= most or not os.path.isdir(at) or os.path.realpath(at) != at:
            continue
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        mount("tmpfs", at, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")  # (read-only with the rest)
        for name in entries:
            if name in names:
                continue
            src, dst = os.path.join(folder, name), os.path.join(at, name)
            if os.path.islink(src):
                os.symlink(os.readlink(src), dst)
            elif os.path.isdir(src):
                os.mkdir(dst, 0o755)
                mount(src, dst, None, MS_BIND | MS_REC)
            else:
                os.close(os.open(dst, os.O_CREAT | os.O_WRONLY, 0o644))
                mount(src, dst, None, MS_BIND)
        done.update(os.path.join(folder, n) for n in names)
    return done


def _stashed(path: str) -> str:
    """Where an allowed path is mounted in the shared root: a Python installation under /tmp
    (a CI job's virtual environment, say) would vanish under each child's private /tmp, so it
    waits under STASH and :func:`private_base` binds it back into place."""
    return STASH + path if path.startswith("/tmp/") else path


def private_base(tmp_mb: int, root: str = "") -> None:
    """The child's own /tmp and /proc (of its PID namespace), under ``root``."""
    tmp = root + "/tmp"
    mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(tmp_mb)}m,mode=1777")
    os.mkdir(tmp + "/submission", 0o755)
    os.mkdir(tmp + "/work", 0o1777)
    for b, isdir in _BINDS:  # (those of the shared root: none that is hidden)
        if b.startswith("/tmp/"):
            if isdir:
                _makedirs(root + b)
            else:
                _makedirs(root + os.path.dirname(b))
                os.close(os.open(root + b, os.O_CREAT | os.O_WRONLY, 0o644))
            mount(root + STASH + b, root + b, None, MS_BIND | MS_REC)
            make_readonly(root + b)
    mount("proc", root + "/proc", "proc", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mask_proc(root)


def mask_proc(root: str = "") -> None:
    """Cover the /proc files that describe the host rather than the child: the kernel keyrings
    (names readable by uid 0, capabilities or not), timers and scheduler state of every host
    process, kernel symbols and messages.  Files get /dev/null, folders an empty tmpfs."""
    for name in PROC_MASKED:
        path = f"{root}/proc/{name}"
        if not os.path.lexists(path) or os.path.islink(path):
            continue
        if os.path.isdir(path):
            mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
        else:
            mount(root + "/dev/null", path, None, MS_BIND)


def private_submission(src: int, root: str = "") -> None:
    """The submission, read-only, at /tmp/submission under ``root``: its files copied, through
    the descriptor ``src`` of its directory (opened by the grader), into a tmpfs of its own.

    A copy, not a bind mount: /proc/self/mountinfo shows a bind's source path, which is the
    host path of the grader's work folder; a tmpfs shows nothing.  (Submissions are small:
    at most 20 MiB, the archive limit; the copy counts against the child's memory.)
    """
    sub = root + "/tmp/submission"
    size, count = _tree_size(src)
    mount("tmpfs", sub, "tmpfs", MS_NOSUID | MS_NODEV,
          f"size={size + 4096 * (count + 16)},nr_inodes={count + 16},mode=0755")
    _copy_tree(src, sub)
    os.close(src)
    make_readonly(sub)


def _tree_size(src: int) -> tuple[int, int]:
    """Bytes of the regular files under the directory ``src``, and how many entries."""
    import stat
    size, count = 0, 0
    for _top, dirs, files, topfd in os.fwalk(".", dir_fd=src):
        count += 1 + len(dirs) + len(files)
        for name in files:
            try:
                st = os.stat(name, dir_fd=topfd, follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                size += st.st_size
    return size, count


def _copy_tree(src: int, dest: str) -> None:
    """Copy the regular files and folders under the directory ``src`` (a descriptor) to ``dest``."""
    import stat
    for top, _dirs, files, topfd in os.fwalk(".", dir_fd=src):
        target = os.path.normpath(os.path.join(dest, top))
        if target != dest:
            os.mkdir(target, 0o755)
        for name in files:
            try:
                fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=topfd)
            except OSError:
                continue
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    continue
                out = os.open(os.path.join(target, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                try:
                    while data := os.read(fd, 1 << 20):
                        os.write(out, data)
                finally:
                    os.close(out)
            finally:
                os.close(fd)


def pivot(root: str) -> None:
    os.chdir(root)
    _check(libc().syscall(ctypes.c_long(ARCH["pivot_root"]), b".", b".") if ARCH else -1, "pivot_root")
    _check(libc().umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")


def zygote_root(hide: list[str]) -> None:
    """As root: enter, once, a mount namespace whose root is the shared read-only view, and a
    network namespace with nothing in it (loopback down).

    The children share that network namespace, one at a time: each worker has a zygote of its
    own and runs one submission after the other, so no two students' code is ever in it
    together (a process that outlives its PID 1 by a moment could only reach code that
    listens, which graded functions do not).  Nothing persists in it: changing it needs
    capabilities no child has.  A namespace per child cost ~3.5 ms of CPU per submission.
    """
    global _proc_fd
    _check(libc().unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    _proc_fd = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)  # to find leftovers (host PIDs)
    pivot(shared_root(hide))


# --- privileges -------------------------------------------------------------------------------

class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def seccomp_program(arch: dict | None = None):
    """A BPF filter: refuse (EPERM) what a graded function never needs; clone3 says ENOSYS.

    Sockets: only AF_UNIX (socket and socketpair; what multiprocessing and asyncio use).  Every
    other family says EAFNOSUPPORT, as a kernel without it would: a graded function needs no
    network, and the empty network namespace covers IP but not AF_VSOCK (on a VM, a way to
    the hypervisor), nor netlink, packet, Bluetooth or crypto (AF_ALG) sockets, each more
    kernel surface; under process isolation there is no network namespace at all.
    """
    arch = arch or ARCH
    if arch is None:
        return None
    LD, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
    prog = [(LD, 0, 0, 4), (JEQ, 0, "kill", arch["audit"]), (LD, 0, 0, 0)]
    if arch["x32"]:
        prog.append((JGE, "eperm", 0, 0x40000000))
    for nr in arch["deny"]:
        prog.append((JEQ, "eperm", 0, nr))
    for nr in arch["socket"]:
        prog.append((JEQ, "socket", 0, nr))
    prog += [(JEQ, "enosys", 0, arch["clone3"]), (JEQ, 0, "allow", arch["clone"]),
             (LD, 0, 0, 16), (JSET, "eperm", "allow", NS_FLAGS),  # clone(flags): no new namespaces
             (LD, 0, 0, 16), (JEQ, "allow", "eafnosupport", AF_UNIX)]  # socket(family) (an int: low half)
    labels = {"socket": len(prog) - 2}
    for name, ins in (("allow", (RET, 0, 0, SECCOMP_RET_ALLOW)), ("eperm", (RET, 0, 0, SECCOMP_RET_ERRNO | EPERM)),
                      ("enosys", (RET, 0, 0, SECCOMP_RET_ERRNO | ENOSYS)),
                      ("eafnosupport", (RET, 0, 0, SECCOMP_RET_ERRNO | EAFNOSUPPORT)),
                      ("kill", (RET, 0, 0, SECCOMP_RET_KILL_PROCESS))):
        labels[name] = len(prog)
        prog.append(ins)  # the program ends with a return, as the kernel requires
    out = (_SockFilter * len(prog))()
    for i, (code, jt, jf, k) in enumerate(prog):
        jt = labels[jt] - i - 1 if isinstance(jt, str) else jt
        jf = labels[jf] - i - 1 if isinstance(jf, str) else jf
        out[i] = _SockFilter(code, jt, jf, k)
    return out, _SockFprog(len(prog), ctypes.cast(out, ctypes.POINTER(_SockFilter)))


def drop_bounding_set() -> None:
    """No capability can come back through exec (a setuid binary, root's exec rule)."""
    lib = libc()
    for cap in range(64):
        if lib.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows
    lib.prctl(PR_CAP_AMBIENT, 4, 0, 0, 0)  # PR_CAP_AMBIENT_CLEAR_ALL
    _check(lib.prctl(PR_SET_SECUREBITS, SECBITS_LOCKED_NOROOT, 0, 0, 0), "securebits")


def drop_privileges(can_setpcap: bool, bounding_dropped: bool = False) -> None:
    """No capabilities now or after any exec; no new privileges; the seccomp filter."""
    lib = libc()
    if can_setpcap:
        if not bounding_dropped:
            drop_bounding_set()
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
        data = (ctypes.c_uint32 * 6)()
        _check(lib.capset(header, data), "capset")
    _check(lib.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if SECCOMP is not None:
        _check(lib.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(SECCOMP[1]), 0, 0), "seccomp")


# --- the child -------------------------------------------------------------------------------

def child(request, fds, how: str, error: str = "") -> None:
    """Isolate (``how``: spare, own-root or process), then run the submission."""
    global _hide
    job_fd, result_fd, out_fd, err_fd, src = fds
    namespaced = how != "process"
    refused = False  # (the machine cannot run student code safely: not this student's fault)
    try:
        if error:
            raise OSError(error)
        linux = sys.platform.startswith("linux")
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # (the zygote's handler is not the child's)
        if linux:
            libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        # A session and process group of its own, in every mode: kill(0, SIGKILL) in student
        # code signals the caller's group, which was the grader's own (one submission ended the
        # whole class's run); under process isolation it also lets the grader kill the group.
        os.setsid()
        with os.fdopen(job_fd, "rb", closefd=False) as f:  # (kept open: progress is written there)
            data = bytearray(f.read())
        job = wire.decode(data, copy=False)  # views: every call gets a copy
        hlen = wire.HEADER.unpack_from(data)[1]
        data[wire.HEADER.size:wire.HEADER.size + hlen] = bytes(hlen)  # the setup's paths, gone from memory ...
        os.pwrite(job_fd, bytes(hlen), wire.HEADER.size)  # ... and from the job file, whose first page stays mapped
        del data
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        setup = job.pop("setup")
        main, limits, env = setup["main"], setup["limits"], setup["env"]
        if how == "spare":
            private_submission(src)
        elif how == "own-root":
            root = shared_root(_hide)
            _hide = -1  # (closed with every other descriptor below)
            private_base(limits["tmp_mb"], root)
            private_submission(src, root)
            pivot(root)
        else:
            os.close(src)
            sub_dir, scratch = setup.get("submission_dir") or "", setup.get("scratch") or ""
            if linux and os.geteuid() == 0:
                if _root_refusal() or not (setup.get("uid") and scratch):
                    refused = True
                    raise OSError(_root_refusal() or "no unprivileged uid to run student code as")
                sub_dir = become_sandbox_user(int(setup["uid"]), sub_dir, scratch)
            os.chdir(scratch or "/tmp")
        del setup
        if namespaced:
            sub_dir = "/tmp/submission"
            os.chdir("/tmp/work")
            try:
                socket.sethostname("sandbox")
            except OSError:
                pass
        _close_all_but(result_fd, job_fd)  # the job file stays: the trial in progress is written there
        limit_resources(limits, len(job["questions"]))
        if linux:
            drop_privileges(can_setpcap=namespaced or os.geteuid() == 0, bounding_dropped=how == "spare")
        os.environ.clear()
        os.environ.update(env)
    except BaseException as exc:  # the sandbox could not be built: say so, run nothing
        try:
            _send(result_fd, {"kind": "setup_failed", "refused": refused,
                              "error": str(exc) if refused else f"{_kind(exc)}: {exc}"})
        finally:
            os._exit(71)
    run(job, result_fd, sub_dir, main, job_fd)


_UID_BLOCKER: str | None = None


def _root_refusal() -> str:
    """As root without namespaces, why student code cannot run here ("" if it can): it never
    runs as root (it could write the grader's own installation, a .pth that runs in every
    later grader start), and an unprivileged uid needs a Python it can read."""
    if not (sys.platform.startswith("linux") and os.geteuid() == 0 and _uid_blocker()):
        return ""
    return (f"--isolation process as root needs a Python every user can read ({_uid_blocker()}): "
            "use a Python installed where every user can read it (not under /root or a private home), "
            "run as a normal user, or grade with namespaces")


def _uid_blocker() -> str:
    """Why student code could not run as an unprivileged uid here ("" if it can).

    After setuid, every lazy import must still be readable: the standard library and NumPy
    (and the folders above them) have to be world-readable.  A Python under a 0700 home
    directory (pyenv as root, say) is not: process isolation as root then refuses to run.
    """
    global _UID_BLOCKER
    if _UID_BLOCKER is None:
        import numpy
        import stat
        _UID_BLOCKER = ""
        for top in (os.path.dirname(os.__file__), os.path.dirname(numpy.__file__)):
            path = os.path.realpath(top)
            while True:
                try:
                    mode = os.stat(path).st_mode
                except OSError:
                    mode = 0
                if not mode & stat.S_IXOTH or (path == os.path.realpath(top) and not mode & stat.S_IROTH):
                    _UID_BLOCKER = f"{path} is not world-readable"
                    return _UID_BLOCKER
                if path == "/":
                    break
                path = os.path.dirname(path)
    return _UID_BLOCKER


def become_sandbox_user(uid: int, sub_dir: str, scratch: str) -> str:
    """Process isolation as root: run the student as ``uid`` (no home, no groups, owning only
    ``scratch``), so that it cannot write the grader, the submissions or the output, nor read
    what only root can.  The submission is copied into ``scratch``: its private copy sits in
    the grader's 0700 work folder, next to everyone else's.  Returns the new submission dir."""
    import shutil
    dest = os.path.join(scratch, "submission")
    shutil.copytree(sub_dir, dest, symlinks=False)
    for top, dirs, files in os.walk(scratch):
        for name in [top, *(os.path.join(top, n) for n in dirs + files)]:
            os.lchown(name, uid, uid)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # capabilities go with uid 0
    libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # cleared by the credential change
    return dest


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
    if limits.get("nproc"):
        setr(resource.RLIMIT_NPROC, limits["nproc"])  # ignored for root: the cgroup counts then


# --- running the student's code --------------------------------------------------------------

TEXT_CAPS = {"error": wire.ERROR_CHARS, "traceback": wire.TRACEBACK_CHARS}  # characters: the grader refuses longer


def _send(fd: int, tree) -> None:
    for key, cap in TEXT_CAPS.items():
        if type(tree.get(key)) is str and len(tree[key]) > cap:
            tree[key] = tree[key][:cap - 20] + "... [cut]"
    data = wire.encode(tree)
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _text(obj, limit=2000) -> str:
    try:
        s = str(obj)
        if type(s) is not str:
            s = "<unprintable>"
    except BaseException:  # a hostile __str__
        s = "<unprintable>"
    return s if len(s) <= limit else s[:limit] + f"... [{len(s) - limit} more characters]"


def _kind(exc: BaseException) -> str:
    """The exception's class name: a student's metaclass may refuse even that."""
    try:
        name = type(exc).__name__
        return name if type(name) is str else "<unnamed exception>"
    except BaseException:
        return "<unnamed exception>"


def _student_traceback(exc: BaseException, root: str) -> str:
    """The traceback trimmed to frames in the student's own files."""
    try:
        if isinstance(exc, SyntaxError):
            return _syntax_excerpt(exc, root)
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
        return head + "".join(lines) + f"{_kind(exc)}: {_text(exc, 1000)}"
    except BaseException:
        return f"{_kind(exc)}"


def _relative(filename, root: str) -> str:
    name = str(filename or "")
    return os.path.relpath(name, root) if name.startswith(root + os.sep) else name


NULL_BYTES = ("the file contains NUL (zero) bytes, which Python source cannot hold: was it saved as "
              "UTF-16 or copied from a binary file? Save it as plain UTF-8 text and submit it again")


def _null_bytes(exc: BaseException) -> bool:
    """Python's "source code string cannot contain null bytes" (a SyntaxError from 3.12, a
    ValueError before), which names no file or line: ``SyntaxError: ... null bytes ()``."""
    try:
        return isinstance(exc, (SyntaxError, ValueError)) and "null bytes" in str(
            exc.msg if isinstance(exc, SyntaxError) else exc)
    except BaseException:
        return False


def _syntax_excerpt(exc: SyntaxError, root: str) -> str:
    """Python's own excerpt of a syntax error (file, line, the line's text, a caret), named
    relative to the submission: the frames of importlib that compiled it are no one's code."""
    if _null_bytes(exc):
        return f"{_kind(exc)}: {NULL_BYTES}"
    exc.filename = _relative(exc.filename, root)
    return "".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n")


def _import_error(exc: BaseException, root: str) -> str:
    """The one-line reason a file did not import."""
    if _null_bytes(exc):
        return f"{_kind(exc)}: {NULL_BYTES}"
    if isinstance(exc, SyntaxError):
        where = f" ({_text(_relative(exc.filename, root), 200)}, line {exc.lineno})" if exc.lineno else ""
        return f"{_kind(exc)}: {_text(exc.msg, 300)}{where}"
    return _describe(exc)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return "called sys.exit() / exit(): a graded function must return its answer"
    if isinstance(exc, KeyboardInterrupt):
        return "raised KeyboardInterrupt"
    if isinstance(exc, RecursionError):
        return "RecursionError: maximum recursion depth exceeded"
    if isinstance(exc, MemoryError):
        return "MemoryError: ran out of the memory allowed per submission"
    return f"{_kind(exc)}: {_text(exc, 500)}"


def _to_array(ret, max_elements: int, np):
    """The returned value as a plain ndarray the wire carries, or an exception that says why not."""
    if type(ret) is not np.ndarray:  # (a plain ndarray, the usual answer, is taken as it is)
        if isinstance(ret, np.ndarray):
            ret = np.asarray(ret).view(np.ndarray)  # subclasses are read as plain arrays
        if isinstance(ret, (str, bytes)):  # (NumPy would read "1.5" as a number)
            raise TypeError(f"returned {type(ret).__name__} that is not an array of numbers "
                            "(text is never read as numbers)")
        arr = np.asarray(ret)
    else:
        arr = ret
    if type(arr) is not np.ndarray:  # (np.asarray replaced by the student's code)
        raise TypeError("returned a value NumPy does not read as an array")
    if arr.ndim >= wire.MAX_NDIM:  # (answers travel stacked over the trials: one dimension more)
        raise ValueError(f"returned an array of {arr.ndim} dimensions; at most {wire.MAX_NDIM - 1} are accepted")
    if arr.size > max_elements:
        raise ValueError(f"returned {arr.size} numbers; far more than the answer holds")
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind == "c":
            raise TypeError("returned complex numbers")
        if arr.dtype.kind != "O":  # text, bytes, dates, records: never numbers
            raise TypeError(f"returned an array of {_text(arr.dtype, 40)}, not an array of numbers")
        try:  # Python objects: numbers (ints too large for a float raise OverflowError)
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"returned {_text(type(ret).__name__, 40)} that is not an array of numbers") from None
    if arr.dtype.str not in wire.DTYPES:
        arr = arr.astype(np.float64 if arr.dtype.kind == "f" else np.int64)
    return np.array(arr, copy=True), "ndarray" if type(ret) is np.ndarray else _text(type(ret).__name__, 40)


def _close_all_but(*keep: int) -> None:
    """Close every descriptor from 3 up but ``keep``."""
    low = 3
    for fd in sorted(set(keep)):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)


class _Capture:
    """``sys.stdout``/``sys.stderr`` of student code: printing never raises nor costs points.

    Of each segment (the import, then each question) the first ``head`` bytes go straight to
    the captured file and the last ``tail`` are kept back; in between, output is counted and
    dropped, so a student printing megabytes in a loop neither fills the file (whose size
    limit would make ``print`` fail) nor slows the grader down.  :meth:`end_segment` writes the
    kept tail after a marker and returns how many bytes were dropped.
    """

    encoding, errors, newlines, line_buffering, closed = "utf-8", "replace", None, True, False

    def __init__(self, fd: int, name: str, head: int, tail: int):
        self._fd, self.name, self._head, self._tail = fd, name, head, tail
        self._kept, self._seen, self._last = 0, 0, bytearray()
        self.buffer = _CaptureBytes(self)

    def write(self, s) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        self.write_bytes(s.encode("utf-8", "replace"))
        return len(s)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def write_bytes(self, data: bytes) -> None:
        room = self._head - self._kept
        if room > 0:
            self._raw(data[:room])
            self._kept += min(room, len(data))
            data = data[room:]
        if data:
            self._seen += len(data)
            self._last += data
            if len(self._last) > 2 * self._tail + 4096:
                del self._last[:len(self._last) - self._tail]

    def _raw(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view):]
        except OSError:  # closed or full at the descriptor level: drop, never raise
            pass

    def end_segment(self) -> int:
        tail = bytes(self._last[len(self._last) - self._tail:]) if self._tail else b""
        dropped = self._seen - len(tail)
        if dropped > 0:
            self._raw(f"\n... [{dropped} bytes of output dropped here] ...\n".encode())
        self._raw(tail)
        self._kept, self._seen, self._last = 0, 0, bytearray()
        return max(dropped, 0)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    def reconfigure(self, *args, **kwargs) -> None:
        pass


class _CaptureBytes:
    """``sys.stdout.buffer``: bytes written through the same bounds."""

    def __init__(self, text: _Capture):
        self._text = text

    def write(self, data) -> int:
        data = bytes(data)
        self._text.write_bytes(data)
        return len(data)

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return self._text.fileno()


def run(job, result_fd: int, sub_dir: str, main: str, progress_fd: int | None = None) -> None:
    import numpy as np
    _send(result_fd, {"kind": "ready", "uid": os.getuid() if hasattr(os, "getuid") else -1})  # student code next
    sys.path[:] = [sub_dir] + [p for p in sys.path if p and os.path.isdir(p)]
    sys.argv = [main]
    root = os.path.realpath(sub_dir)
    policy = imports.install(root, job.get("allowed_imports") or imports.ALLOWED, DEPENDENCIES)
    os.environ.setdefault("MPLBACKEND", "Agg")  # a real matplotlib never opens a window and waits

    def stdout_pos():
        try:
            return (os.lseek(1, 0, os.SEEK_CUR), os.lseek(2, 0, os.SEEK_CUR))
        except OSError:  # the student closed or replaced them
            return (0, 0)
    cap = int(job.get("output_cap") or 16384)
    streams = (_Capture(1, "<stdout>", cap * 3 // 4, max(cap // 4 - 200, 0)),
               _Capture(2, "<stderr>", cap * 3 // 4, max(cap // 4 - 200, 0)))
    sys.stdout, sys.stderr = streams
    sys.__stdout__, sys.__stderr__ = streams
    sys.stdin = open(0, "r", closefd=False)

    def segment() -> dict:
        """Close one segment of output: what goes in the frame about it."""
        dropped = [s.end_segment() for s in streams]
        return {"dropped": dropped, "pos": stdout_pos(), **policy.new_notes()}

    progress = _progress_writer(progress_fd)
    name = os.path.splitext(main)[0]
    t0 = time.perf_counter()
    try:
        spec = importlib.util.spec_from_file_location(name if name.isidentifier() else "submission",
                                                      os.path.join(sub_dir, main))
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    except BaseException as exc:
        _send(result_fd, {"kind": "imported", "ok": False, "error": _import_error(exc, root),
                          "traceback": _student_traceback(exc, root), "seconds": time.perf_counter() - t0,
                          **segment()})
        os._exit(0)
    imports.STATE.calls = True  # from now on, using a module the grader lacks is an error
    # every message names the question that starts as soon as it is sent ("next"): the grader
    # times that one from then on (one message per question instead of two)
    qids = [q["id"] for q in job["questions"]] + [None]
    _send(result_fd, {"kind": "imported", "ok": True, "seconds": time.perf_counter() - t0, **segment(),
                      "next": qids[0]})
    for i, q in enumerate(job["questions"]):
        t0 = time.perf_counter()
        result = answer(module, q, root, np, lambda t, i=i: progress(i, t))
        result.setdefault("seconds", time.perf_counter() - t0)
        seg = segment()
        result.update(kind="result", qid=q["id"], next=qids[i + 1], **seg)
        try:
            _send(result_fd, result)
        except Exception as exc:  # an answer the wire cannot carry costs its own question only
            _send(result_fd, {"kind": "result", "qid": q["id"], "status": "error", **seg, "next": qids[i + 1],
                              "seconds": time.perf_counter() - t0,
                              "error": f"returned a value that cannot be sent back ({_describe(exc)})"})
    _send(result_fd, {"kind": "done"})
    os._exit(0)


def _progress_writer(fd: int | None):
    """``progress(question, trial)``, written at the start of the job file before each call (the
    grader reads it when a call hangs or crashes).  Through a shared mapping of that page: a
    store, where a pwrite was a system call per trial (200 a submission)."""
    if fd is None:
        return lambda qi, t: None
    try:
        import mmap
        page = mmap.mmap(fd, wire.PROGRESS.size)  # MAP_SHARED: the grader's pread sees it
    except (OSError, ValueError, ImportError):
        page = None

    def progress(qi: int, t: int) -> None:
        try:
            if page is not None:
                wire.PROGRESS.pack_into(page, 0, wire.PROGRESS_MAGIC, qi, t)
            else:
                os.pwrite(fd, wire.PROGRESS.pack(wire.PROGRESS_MAGIC, qi, t), 0)
        except (OSError, ValueError, TypeError):
            pass
    return progress


def _stub(q, t: int, exc: BaseException | None, root: str, partial: bool) -> dict:
    """The result for a call that raised NotImplementedError or returned None: ``missing`` when
    every call did so, else an ``error`` at the first such call (written for some inputs only)."""
    fn = q["function"]
    if not partial:
        if exc is not None:
            return {"status": "missing", "error": f"{fn} raises NotImplementedError (not written yet)"}
        return {"status": "missing", "error": f"{fn} returned None (not written yet?)"}
    if exc is None:
        return {"status": "error", "trial": t, "error": "returned None for these inputs, though other calls "
                "returned an answer (is a return missing on some path?)"}
    return {"status": "error", "trial": t, "traceback": _student_traceback(exc, root),
            "error": f"{_describe(exc)} (raised for these inputs, though other calls returned an answer: "
                     "every valid input must be handled)"}


def _trials(q):
    """(trial, its group's batched arguments, its row there, those arguments' scalars) of every
    trial in order: a question's one batch, or each of its shape groups in turn (trials are
    counted over all groups).  Scalars: per argument, its values as Python numbers (one
    .tolist() for a group's trials), or None for an array argument, which every call gets as a
    fresh writable copy."""
    t = 0
    for args, n in zip(q.get("groups") or [q["args"]], q.get("sizes") or [q["n"]]):
        scalars = [a.tolist() if a.ndim == 1 else None for a in args]
        for r in range(n):
            yield t, args, r, scalars
            t += 1


MAX_PARTS = 16  # terms of a written answer's sum evaluated one by one


def _parts(module, q, np):
    """A written answer that is a sum of terms: each term's values on every trial, stacked
    (trials, terms, *answer), from the generated module's ``<function>_parts``; None when
    there is none, it declines (not a sum), or anything goes wrong: these numbers only help
    name the wrong terms of a rejected answer, outside the sandbox (grader.feedback.terms)."""
    pf = getattr(module, q["function"] + "_parts", None)
    if not callable(pf):
        return None
    try:
        got = []
        for t, args, r, scalars in _trials(q):
            call = [a[r].copy() if s is None else s[r] for a, s in zip(args[:q["nargs"][t]], scalars)]
            p = pf(*call)
            if p is None:
                return None
            arr = np.asarray(p, dtype=np.float64)
            if arr.ndim < 1 or not 1 <= arr.shape[0] <= MAX_PARTS or arr.size > MAX_PARTS * q["max_elements"]:
                return None
            got.append(arr)
        return np.stack(got) if got and all(g.shape == got[0].shape for g in got) else None
    except BaseException:  # (a term that cannot be evaluated alone: no parts, the verdict stands)
        return None


CHANGED_CALLS = 2  # calls whose array arguments are compared afterwards (a function that changes
# an argument does so on every call; comparing every call cost a third of the students' own time)


def _changed(call, args, r, scalars, np) -> list[int]:
    """Positions of the array arguments whose copy the call changed in place: an aliasing
    mistake (``err = o; err -= y`` changes o) leaves its mark here, which the report names for
    a wrong answer.  The copies are the call's own, so no later call sees the change."""
    out = []
    for i, (c, s) in enumerate(zip(call, scalars)):
        if s is None:
            try:
                if not np.array_equal(c, args[i][r], equal_nan=True):
                    out.append(i)
            except Exception:  # (an array replaced by something else: nothing to say)
                pass
    return out


def answer(module, q, root, np, progress=lambda t: None) -> dict:
    """Call the student's function on every trial of one question.

    A call that raises NotImplementedError or returns None makes the question ``missing``
    only if every call does: a function written for some inputs only is an ``error``, shown
    with the inputs of its first such call."""
    fn = getattr(module, q["function"], None)
    if fn is None:
        return {"status": "missing", "error": f"no function named {q['function']} is defined"}
    if not callable(fn):
        return {"status": "missing", "error": f"{q['function']} is defined but is not a function"}
    nargs = q["nargs"]
    outputs, types = [], set()
    changed = set()  # positions of array arguments a call changed in place (feedback only)
    raised = []  # (tolerant: a feedback probe) the calls that raised, each answered by an empty array
    stub = None  # (trial, exception or None) of the first call that did not answer
    t0 = time.perf_counter()
    for t, args, r, scalars in _trials(q):
        progress(t)
        call = [a[r].copy() if s is None else s[r] for a, s in zip(args[:nargs[t]], scalars)]
        try:
            ret = fn(*call)
            if t < CHANGED_CALLS:
                changed.update(_changed(call, args, r, scalars, np))
        except NotImplementedError as exc:
            stub = stub or (t, exc)
            continue
        except Exception as exc:
            if q.get("tolerant"):
                raised.append(t)
                outputs.append(np.zeros(0))
                continue
            if stub is not None:
                return _stub(q, *stub, root, partial=True)
            return {"status": "error", "trial": t, "error": _describe(exc),
                    "traceback": _student_traceback(exc, root)}
        except BaseException as exc:
            if stub is not None:
                return _stub(q, *stub, root, partial=True)
            return {"status": "error", "trial": t, "error": _describe(exc),
                    "traceback": _student_traceback(exc, root)}
        if ret is None:
            stub = stub or (t, None)
            continue
        if stub is not None:
            return _stub(q, *stub, root, partial=True)
        try:  # the student's code is done: a failure here is about the value, not their frames
            arr, kind = _to_array(ret, q["max_elements"], np)
        except BaseException as exc:
            return {"status": "error", "trial": t,
                    "error": f"returned a value that cannot be read as numbers ({_describe(exc)})"}
        outputs.append(arr)
        types.add(kind)
    if stub is not None:  # no later call answered; an earlier one may have
        return _stub(q, *stub, root, partial=bool(outputs))
    result = {"status": "ok", "types": sorted(types), "seconds": time.perf_counter() - t0, "outputs": outputs}
    if changed:
        result["changed"] = sorted(changed)
    if raised:
        result["raised"] = raised
    if q.get("parts"):
        parts = _parts(module, q, np)
        if parts is not None:
            result["parts"] = parts
    try:
        shape, dtype = outputs[0].shape, outputs[0].dtype
        if all(o.shape == shape and o.dtype == dtype for o in outputs):
            result["stacked"] = np.stack(outputs)  # one array on the wire instead of n
            del result["outputs"]
    except Exception:  # (a student may have replaced all() or np.stack: send them one by one)
        pass
    return result


def main(control_fd: int, config: dict) -> None:
    """The zygote's life, as BOOT (grader.sandbox.launch) starts it."""
    zygote(control_fd, config)
    sys.stderr.flush()
    os._exit(0)  # nothing left to finalize: skipping NumPy's teardown ends it ~5 ms sooner (the grader waits)
