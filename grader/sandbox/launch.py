"""Starting the sandbox's zygote, with the standard library only.

``grader check`` spends a third of its time in the zygote importing NumPy.  Launched from here
before the grader itself imports NumPy, the two imports run side by side on two cores; the
:class:`~grader.sandbox.supervisor.Sandbox` that needs a zygote then adopts the one already starting
(:func:`take`), or launches its own.  Nothing here imports NumPy or the reference.
"""
from __future__ import annotations

import atexit
import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

RUNTIME = Path(__file__).with_name("_runtime.py")
DEFAULT_TMP_MB = 64  # a child's private /tmp (sandbox.Limits.tmp_mb)

_early: dict[tuple, list[tuple[subprocess.Popen, socket.socket]]] = {}


def child_env() -> dict[str, str]:
    """The child's whole environment: nothing of the grader's, one thread for BLAS."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "HOME": "/tmp", "TMPDIR": "/tmp", "PYTHONIOENCODING": "utf-8",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # needed for correctness on some CPUs
        if key in os.environ:
            env[key] = os.environ[key]
    return env


# What the zygote runs: it reads its sources, settings and search path from a descriptor, so
# that neither its command line nor its memory names a host path it is not meant to see (a
# script run by path is known by that path to every code object it defines; ``-S``: no
# ``.pth`` runs, an editable install's finder holding the checkout's path among them).
BOOT = """import json, os, sys
boot = json.loads(os.read(int(sys.argv[2]), int(sys.argv[3])))
os.close(int(sys.argv[2]))
sys.path[:] = boot.pop("path")
runtime = type(sys)("_cnn_grader_runtime")
runtime.SOURCES = boot.pop("sources")
exec(compile(runtime.SOURCES["_runtime.py"], "<cnn-grader _runtime.py>", "exec"), runtime.__dict__)
runtime.main(int(sys.argv[1]), boot)
"""
_SIBLINGS = ("_runtime.py", "wire.py", "_imports.py")


def launch(mode: str, hide: list[str], tmp_mb: int) -> tuple[subprocess.Popen, socket.socket]:
    """Start a zygote (it says b"R" on the socket when ready); returns it and our socket end."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)  # records: no framing
    fds = [child.fileno()]
    try:
        hide_fd = _data_fd(json.dumps(list(hide)).encode())
        fds.append(hide_fd)
        boot = json.dumps({"mode": mode, "tmp_mb": tmp_mb, "hide_fd": hide_fd, "path": search_path(hide),
                           "sources": {name: RUNTIME.with_name(name).read_text(encoding="utf-8")
                                       for name in _SIBLINGS}}).encode()
        boot_fd = _data_fd(boot)
        fds.append(boot_fd)
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", BOOT, str(child.fileno()), str(boot_fd), str(len(boot))],
            pass_fds=fds, env=child_env(), stdin=subprocess.DEVNULL, close_fds=True, cwd="/")
    except BaseException:
        parent.close()
        raise
    finally:
        child.close()
        for fd in fds[1:]:
            os.close(fd)
    return proc, parent


def _data_fd(data: bytes) -> int:
    """A descriptor holding ``data`` from offset 0, in memory where the system allows."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("cnn-grader", 0)
    else:
        import tempfile
        with tempfile.TemporaryFile() as f:
            fd = os.dup(f.fileno())
    try:
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd


def search_path(hide: list[str]) -> list[str]:
    """The zygote's ``sys.path``: what an isolated interpreter (``-I``) of ours searches -- the
    installation's own folders (standard library, site-packages) and NumPy's, never the
    current folder, a checkout or PYTHONPATH -- less anything hidden."""
    numpy = importlib.util.find_spec("numpy")  # (found, not imported: it may sit where a .pth points)
    where = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    if numpy is not None and numpy.origin:
        where.append(os.path.dirname(os.path.dirname(numpy.origin)))
    prefixes = {os.path.realpath(p).rstrip("/") + "/" for p in where}
    hidden = [os.path.realpath(h).rstrip("/") for h in hide]
    out = []
    for p in sys.path:
        real = os.path.realpath(p) if p else ""
        if real and os.path.isdir(p) and any((real + "/").startswith(pre) for pre in prefixes) \
                and not any(real == h or real.startswith(h + "/") for h in hidden):
            out.append(p)
    return out


def start_early(mode: str, hide: list[str], tmp_mb: int, count: int = 1) -> None:
    """Launch ``count`` zygotes now, for the first Sandboxes that ask for exactly these."""
    waiting = _early.setdefault((mode, tuple(hide), tmp_mb), [])
    while len(waiting) < count:
        try:
            waiting.append(launch(mode, list(hide), tmp_mb))
        except OSError:
            return  # the Sandbox will try again, and report what fails


def take(mode: str, hide: list[str], tmp_mb: int) -> tuple[subprocess.Popen, socket.socket] | None:
    key = (mode, tuple(hide), tmp_mb)
    waiting = _early.get(key)
    if not waiting:
        return None
    taken = waiting.pop()
    if not waiting:
        del _early[key]
    return taken


@atexit.register
def discard_early(mode: str | None = None, hide: list[str] = (), tmp_mb: int = DEFAULT_TMP_MB) -> None:
    """Zygotes nobody adopted (the command failed first) end now, or with us at the latest:
    those launched for ``mode``/``hide``/``tmp_mb``, or with no ``mode`` all of them."""
    keys = list(_early) if mode is None else [(mode, tuple(hide), tmp_mb)]
    for key in keys:
        for proc, sock in _early.pop(key, []):
            sock.close()
            proc.kill()  # never asked for anything: it has no children to clean up
            proc.wait()


def cache_dir() -> Path:
    """The grader's own cache (compiled report templates): never shown to a sandboxed child."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cnn-grader"


def hidden_paths(*extra: Path) -> list[str]:
    """What a sandboxed child must not see: our code, the reference, and the given folders.

    A folder that contains the interpreter or NumPy (a ``.venv`` inside the checkout, say) is
    not hidden whole: its other entries are, so the child can still import what it needs.
    Every importable copy of the grader and the reference is hidden (running from a checkout
    with the project also pip-installed leaves a second one in site-packages).  Found without
    importing anything, so that it can run before NumPy is imported.
    """
    here = Path(__file__).resolve().parent.parent  # the grader package, every stage of it
    spec = importlib.util.find_spec("reference")
    paths = [here] + ([Path(spec.origin).resolve().parent] if spec and spec.origin else [])
    root = here.parent
    if (root / "pyproject.toml").exists():  # running from a source checkout
        paths.append(root)
    paths += [cache_dir()] + [Path(p) for p in extra if p]
    for entry in sys.path:
        for name in ("grader", "reference"):
            if entry and (Path(entry) / name / "__init__.py").is_file():
                paths.append(Path(entry) / name)
    numpy = importlib.util.find_spec("numpy")
    needed = [sys.prefix, sys.base_prefix, os.path.dirname(os.__file__),
              Path(numpy.origin).parent.parent if numpy and numpy.origin else sys.prefix]
    sites, allowed = _site_packages(numpy)
    return [str(p) for p in hide_around(paths + sites, needed[:3] + allowed)]


def _site_packages(numpy) -> tuple[list[Path], list[Path]]:
    """The folders packages are installed in, and what in them student code may load: NumPy,
    the display packages, what they require (their modules, data and metadata).  Everything
    else there -- sympy, jinja2, the grader's other dependencies -- is covered, so no way of
    loading a module by path reaches what the import policy leaves out."""
    from ._imports import _canonical, required_distributions, required_modules
    wanted = {_canonical(t) for t in required_modules()} | required_distributions()
    sites = {Path(p) for p in sys.path if p and os.path.basename(p) in ("site-packages", "dist-packages")}
    if numpy is not None and numpy.origin:
        sites.add(Path(numpy.origin).parent.parent)
    allowed = []
    for site in sorted(sites):
        try:
            names = os.listdir(site)
        except OSError:
            continue
        allowed += [site / n for n in names if _canonical(n.split(".")[0].split("-")[0]) in wanted]
    return sorted(sites), allowed


def hide_around(paths: list, needed: list) -> list[Path]:
    """The real paths to cover so that ``paths`` are hidden but every ``needed`` one is not.

    Everything is compared as a real path, and a link is never mounted over (the mount would
    follow it and cover its target: a venv's ``lib64 -> lib`` link met inside a hidden folder
    would cover the ``lib`` that holds site-packages).  A path given is taken as the folder it
    resolves to; a link met inside one is skipped: its target is not part of that folder
    (and is seen in the sandbox only if it is allowed there anyway).  A folder holding a
    needed path is not hidden whole: its other entries are.
    """
    need = {Path(os.path.realpath(n)) for n in needed}
    holders = {parent for n in need for parent in n.parents}  # folders with a needed path inside
    out: list[Path] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        if p in seen:
            return
        seen.add(p)
        if p not in need and p not in holders:
            out.append(p)
        elif p not in need and p.is_dir():
            try:
                children = sorted(p.iterdir())
            except OSError:
                return
            for child in children:
                if not child.is_symlink():
                    add(child)

    for p in paths:
        add(Path(os.path.realpath(p)))
    # covered already by a folder hidden whole (a set of them: one look per parent, not a pair)
    whole = set(out)
    return [p for p in out if not any(parent in whole for parent in p.parents)]
