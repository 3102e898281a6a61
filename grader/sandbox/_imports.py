"""The import policy of student code: what a submission may import, and what stands in for the rest.

Loaded by path into the sandbox's zygote (like ``wire.py``) and imported normally by the grader
(the handout lists :data:`ALLOWED` and :data:`DISPLAY` from here): standard library only.

Student code may import the Python standard library, :data:`ALLOWED` (NumPy) and its own
modules.  For anything else it imports itself (not what NumPy or the standard library import),
the import never fails the file:

* a plotting, display or progress-bar package (:data:`DISPLAY`), installed or not, becomes a
  *stand-in* that does nothing (plots are not graded, and the real package's import -- seconds
  for matplotlib building its font cache in a fresh sandbox -- would spend the file's time limit): any attribute, call, ``with``, subscript; ``plt.subplots(2, 2)``
  gives a figure and a 2x2 grid of axes; ``tqdm(x)`` iterates ``x``, ``trange(n)`` is ``range(n)``;
* anything else -- installed or not, so that a student's own machine applies the same policy as
  the official run -- becomes a *placeholder*: while the file is imported its uses do nothing
  (``torch.manual_seed(0)`` at the top of a file costs nothing), and once the graded functions
  are called every use raises ``ModuleNotFoundError`` naming the module and what the grader
  provides, so only the questions whose functions need it fail.

An import written inside ``try: ... except ImportError:`` (or ``except Exception:``) still raises
``ModuleNotFoundError`` there, as on a machine without the package: the student's fallback runs.
"""
from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
import types

ALLOWED = ("numpy",)  # third-party packages student code may import (with the standard library)
PLOTTING = ("matplotlib", "mpl_toolkits", "pylab", "seaborn", "plotly", "bokeh", "altair")
PROGRESS = ("tqdm",)
DISPLAYING = ("IPython", "ipywidgets")
DISPLAY = PLOTTING + PROGRESS + DISPLAYING
PROVIDES = "NumPy and the Python standard library"


def standin_note(name: str) -> str:
    """The report's note for a stand-in package."""
    if name in PROGRESS:
        return f"{name} is not loaded by the grader; your progress bars were left out (the loops ran as written)."
    if name in DISPLAYING:
        return f"{name} is not loaded by the grader; your display calls were ignored."
    return f"{name} is not loaded by the grader; your plotting calls were ignored."


def missing_note(name: str) -> str:
    """The report's note for a module the grader does not provide."""
    return (f"{name} is not available in the grader, which provides {PROVIDES} only: your file was "
            f"graded without it, and every question whose function uses {name} fails.")


class _State:
    calls = False  # False while the submission is imported, True once its functions are called


STATE = _State()


def _missing_error(top: str, what: str) -> ModuleNotFoundError:
    return ModuleNotFoundError(f"{top} is not available in the grader, which provides {PROVIDES} only "
                               f"({what} cannot be used)", name=top)


# --- the stand-in: does nothing ----------------------------------------------------------------

class _Nothing:
    """Any attribute, call, subscript, ``with`` or arithmetic gives another stand-in."""

    __slots__ = ("_path",)

    def __init__(self, path: str = "stand-in"):
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # no protocol (array, path, ...) is faked
        special = _SPECIAL.get(name)
        if special is not None:
            return special
        return _Nothing(f"{self._path}.{name}")

    def __setattr__(self, name, value):
        pass

    def __delattr__(self, name):
        pass

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and isinstance(args[0], (types.FunctionType, type)):
            return args[0]  # used as a decorator (ipywidgets' @interact): the function stays
        return _Nothing(f"{self._path}()")

    def __getitem__(self, key):
        return _Nothing(f"{self._path}[]")

    def __setitem__(self, key, value):
        pass

    def __delitem__(self, key):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __bool__(self):
        return True

    def __repr__(self):
        return f"<{self._path}: not loaded by the grader, ignored>"

    def __format__(self, spec):
        return repr(self)


def _with_operators(cls, op) -> None:
    """Every arithmetic, bitwise and comparison operator of ``cls`` (plain, reflected, in-place) is ``op``."""
    for name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
                 "lshift", "rshift"):
        for form in ("__%s__", "__r%s__", "__i%s__"):
            setattr(cls, form % name, op)
    for name in ("__neg__", "__pos__", "__abs__", "__invert__", "__lt__", "__le__", "__gt__", "__ge__"):
        setattr(cls, name, op)


def _nothing_op(self, *args):
    return _Nothing(f"{self._path}")


_with_operators(_Nothing, _nothing_op)


def _axes(nrows=1, ncols=1, *args, squeeze=True, **kwargs):
    """A grid of stand-in axes shaped as matplotlib's ``subplots`` returns it."""
    import numpy as np
    try:
        nrows, ncols = max(int(nrows), 1), max(int(ncols), 1)
    except (TypeError, ValueError):
        nrows = ncols = 1
    grid = np.empty((nrows, ncols), dtype=object)
    for idx in np.ndindex(nrows, ncols):
        grid[idx] = _Nothing("axes")
    if squeeze:
        if grid.size == 1:
            return grid[0, 0]
        if nrows == 1 or ncols == 1:
            return grid.reshape(-1)
    return grid


def _subplots(*args, **kwargs):
    return _Nothing("figure"), _axes(*args, **kwargs)


def _mosaic(*args, **kwargs):
    return _Nothing("figure"), _AnyKey()


class _AnyKey(dict):
    def __missing__(self, key):
        return _Nothing("axes")


_SPECIAL = {
    "subplots": _axes,  # Figure.subplots; pyplot's (the module's) gives the figure too
    "subplot_mosaic": lambda *a, **k: _AnyKey(),
    "plot": lambda *a, **k: [_Nothing("line")],  # `line, = ax.plot(x, y)`
    "hist": lambda *a, **k: (_Nothing("counts"), _Nothing("bins"), _Nothing("patches")),
    "get_xlim": lambda *a, **k: (0.0, 1.0),
    "get_ylim": lambda *a, **k: (0.0, 1.0),
    "get_legend_handles_labels": lambda *a, **k: ([], []),
}
_MODULE_SPECIAL = {**_SPECIAL, "subplots": _subplots, "subplot_mosaic": _mosaic}


class tqdm:
    """tqdm without the bar: iterates what it is given."""

    def __init__(self, iterable=None, *args, total=None, **kwargs):
        self.iterable, self.total, self.n = iterable, total, 0

    def __iter__(self):
        return iter(self.iterable if self.iterable is not None else ())

    def __len__(self):
        try:
            return len(self.iterable)
        except TypeError:
            return int(self.total or 0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n=1):
        self.n += n

    @classmethod
    def write(cls, s, file=None, end="\n", nolock=False):
        print(s, file=file or sys.stdout, end=end)

    @classmethod
    def pandas(cls, *args, **kwargs):
        pass

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return lambda *a, **k: None  # set_description, set_postfix, close, refresh, ...


def trange(*args, **kwargs):
    return tqdm(range(*args), **kwargs)


_TQDM = {"tqdm": tqdm, "trange": trange, "tqdm_notebook": tqdm, "tnrange": trange,
         "tzip": zip, "tenumerate": enumerate, "tmap": map}
# submodules reached as attributes (`import matplotlib as mpl; mpl.pyplot.subplots(...)`)
_SUBMODULES = {"matplotlib.pyplot", "matplotlib.cm", "matplotlib.colors", "matplotlib.animation",
               "matplotlib.patches", "matplotlib.gridspec", "matplotlib.ticker", "mpl_toolkits.mplot3d",
               "plotly.express", "plotly.graph_objects", "plotly.subplots", "plotly.io", "IPython.display",
               "IPython.core", "tqdm.auto", "tqdm.notebook", "tqdm.std", "tqdm.contrib", "ipywidgets.widgets"}


class _StandinModule(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        top = self.__name__.partition(".")[0]
        if top == "tqdm" and name in _TQDM:
            return _TQDM[name]
        if f"{self.__name__}.{name}" in _SUBMODULES:
            import importlib
            return importlib.import_module(f"{self.__name__}.{name}")
        special = _MODULE_SPECIAL.get(name)
        return special if special is not None else _Nothing(f"{self.__name__}.{name}")


# --- the placeholder: inert while importing, an error when a graded function uses it -------------

class _Missing:
    __slots__ = ("_top", "_path")

    def __init__(self, top: str, path: str):
        object.__setattr__(self, "_top", top)
        object.__setattr__(self, "_path", path)

    def _use(self, what: str):
        if STATE.calls:
            raise _missing_error(self._top, what)
        return _Missing(self._top, what)

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._use(f"{self._path}.{name}")

    def __setattr__(self, name, value):
        self._use(self._path)

    def __call__(self, *args, **kwargs):
        if not STATE.calls and len(args) == 1 and not kwargs and isinstance(args[0], (types.FunctionType, type)):
            return args[0]  # a decorator (@torch.no_grad()): the function stays, and fails only if it uses torch
        return self._use(f"{self._path}()")

    def __getitem__(self, key):
        return self._use(f"{self._path}[...]")

    def __setitem__(self, key, value):
        self._use(self._path)

    def __iter__(self):
        self._use(self._path)
        return iter(())

    def __len__(self):
        self._use(self._path)
        return 0

    def __bool__(self):
        self._use(self._path)
        return False

    def __enter__(self):
        return self._use(self._path)

    def __exit__(self, *exc):
        return False

    def __array__(self, *args, **kwargs):
        raise _missing_error(self._top, self._path)

    def __index__(self):
        raise _missing_error(self._top, self._path)

    __int__ = __float__ = __complex__ = __index__

    def __mro_entries__(self, bases):
        return (_missing_base(self._top, self._path),)  # class Net(torch.nn.Module): ...

    def __repr__(self):
        return f"<{self._path}: {self._top} is not available in the grader>"


def _missing_op(self, *args):
    return self._use(self._path)


_with_operators(_Missing, _missing_op)


def _missing_base(top: str, path: str) -> type:
    def __init__(self, *args, **kwargs):
        if STATE.calls:
            raise _missing_error(top, path)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _Missing(top, f"{path}.{name}")._use(f"{path}.{name}")
    return type(path.rpartition(".")[2] or top, (), {"__init__": __init__, "__getattr__": __getattr__})


class _MissingModule(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        top = self.__name__.partition(".")[0]
        if STATE.calls:
            raise _missing_error(top, f"{self.__name__}.{name}")
        return _Missing(top, f"{self.__name__}.{name}")


# --- the finder -------------------------------------------------------------------------------------

class _Loader(importlib.abc.Loader):
    def __init__(self, cls):
        self.cls = cls

    def create_module(self, spec):
        module = self.cls(spec.name)
        module.__path__ = []  # a package: `import matplotlib.pyplot`, `from torch.nn import ...`
        return module

    def exec_module(self, module):
        pass


_GUARDS = (ImportError.__name__, ModuleNotFoundError.__name__, "Exception", "BaseException")


def _guarded_lines(filename: str) -> list[tuple[int, int]]:
    """Line ranges of the ``try`` bodies in ``filename`` whose handlers catch an ImportError."""
    try:
        with open(filename, "rb") as f:
            return _guarded_lines_text(f.read())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return []


def _guarded_lines_text(source) -> list[tuple[int, int]]:
    tree = ast.parse(source)
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and node.body:
            for h in node.handlers:
                kinds = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
                names = {k.id if isinstance(k, ast.Name) else getattr(k, "attr", "") for k in kinds if k is not None}
                if h.type is None or names & set(_GUARDS):
                    spans.append((node.body[0].lineno, node.body[-1].end_lineno or node.body[-1].lineno))
                    break
    return spans


class Policy(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path``: decides the imports that the student's own files make."""

    def __init__(self, root: str, allowed=ALLOWED, dependencies=()):
        self.root = os.path.realpath(root) + os.sep
        self.allowed = set(allowed)
        # what the allowed packages need: worked out by the grader (:func:`required_modules`),
        # never here, where the student's own zipfile.py or csv.py would answer the question
        self.needed = frozenset(dependencies) | frozenset(allowed)
        self.stdlib = set(getattr(sys, "stdlib_module_names", ())) | set(sys.builtin_module_names)
        self.kinds: dict[str, str] = {}  # top-level name -> "standin" | "missing"
        self.reported: set[str] = set()
        self._guards: dict[str, list[tuple[int, int]]] = {}

    def new_notes(self) -> dict[str, list[str]]:
        """The packages stood in for, or missing, since the last call (for the report's notes)."""
        fresh = sorted(set(self.kinds) - self.reported)
        self.reported.update(fresh)
        return {"standins": [n for n in fresh if self.kinds[n] == "standin"],
                "missing": [n for n in fresh if self.kinds[n] == "missing"]}

    def _importer(self):
        """(file, line) of the code that asked for the import: the first frame outside importlib."""
        f = sys._getframe(1)
        while f is not None:
            name = f.f_code.co_filename
            if not (name.startswith("<frozen importlib") or name == __file__
                    or os.path.basename(os.path.dirname(name)) == "importlib"):
                return name, f.f_lineno
            f = f.f_back
        return None, 0

    def _guarded(self, filename: str, line: int) -> bool:
        spans = self._guards.get(filename)
        if spans is None:
            spans = self._guards[filename] = _guarded_lines(filename)
        return any(a <= line <= b for a, b in spans)

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        kind = self.kinds.get(top)
        if kind is not None:
            return self._spec(fullname, kind)
        if top != fullname or top in self.stdlib or top in self.allowed:
            return None
        own = importlib.machinery.PathFinder.find_spec(top, [self.root])
        if own is not None and own.origin is not None:
            return None  # one of the student's own modules (a bare folder, a namespace portion,
            # is not: Python would go on to an installed package of that name)
        filename, line = self._importer()
        if not filename or not os.path.realpath(filename).startswith(self.root):
            # NumPy's own optional imports, or a plotting package's -- or student code compiled
            # under another file name, which is the student's to choose: only what the allowed
            # packages need may load, the rest is absent (as on a machine without it)
            if top in self.needed or _in_stdlib(top):
                return None
            raise ModuleNotFoundError(f"No module named {top!r} (the grader provides {PROVIDES})", name=top)
        if self._guarded(filename, line):  # the student handles its absence: it is absent
            raise ModuleNotFoundError(f"No module named {top!r} (the grader provides {PROVIDES})", name=top)
        kind = "standin" if top in DISPLAY else "missing"
        self.kinds[top] = kind
        return self._spec(fullname, kind)

    @staticmethod
    def _spec(fullname: str, kind: str):
        loader = _Loader(_StandinModule if kind == "standin" else _MissingModule)
        return importlib.machinery.ModuleSpec(fullname, loader, is_package=True)


def required_modules(tops=None) -> set[str]:
    """The importable top-level names of the installed distributions that provide ``tops`` and
    of everything they require, transitively: decided from the installation before any student
    code runs, never from anything a submission names.  Read from the ``.dist-info`` folders
    themselves (a few small files; importing importlib.metadata cost the zygote ~40 ms)."""
    return _required(tops)[0]


def required_distributions(tops=None) -> set[str]:
    """The canonical names of those distributions themselves: a wheel's vendored libraries sit
    in ``<distribution>.libs`` (Pillow's in ``pillow.libs``, beside the module ``PIL``)."""
    return _required(tops)[1]


def _required(tops) -> tuple[set[str], set[str]]:
    tops = ALLOWED if tops is None else tops  # (read now: a course may allow more)
    infos = _dist_infos()
    out = set(tops)
    todo = list(tops)
    seen: set[str] = set()
    while todo:
        name = _canonical(todo.pop())
        if name in seen or name not in infos:
            continue
        seen.add(name)
        info = infos[name]
        out.update(_read(os.path.join(info, "top_level.txt")).split() or _recorded_tops(info))
        for line in _read(os.path.join(info, "METADATA")).splitlines():
            if not line:
                break  # the headers end at the first empty line (a continuation line has spaces)
            if line.startswith("Requires-Dist:") and "extra ==" not in line and "extra==" not in line:
                match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line[len("Requires-Dist:"):])
                if match:
                    todo.append(match.group(1))
    return out, seen


def _dist_infos() -> dict[str, str]:
    """Canonical distribution name -> its ``.dist-info`` folder, for every folder on sys.path
    (the first one found wins, as for imports)."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            if entry.endswith(".dist-info"):
                found.setdefault(_canonical(entry[:-len(".dist-info")].split("-")[0]), os.path.join(folder, entry))
    return found


def _recorded_tops(info: str) -> set[str]:
    """Top-level names a distribution installs, from its RECORD (wheels without top_level.txt)."""
    tops = set()
    for line in _read(os.path.join(info, "RECORD")).splitlines():
        first = line.split(",", 1)[0].split("/", 1)[0]
        name = first.split(".", 1)[0]
        if name.isidentifier() and not name.startswith("__") and not first.endswith((".dist-info", ".data", ".pth")):
            tops.add(name)
    return tops


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read(1 << 20)
    except OSError:
        return ""


def _in_stdlib(top: str) -> bool:
    """Whether ``top`` is a module of the standard library's own folders (a platform's
    ``_sysconfigdata_*``, say, which ``sys.stdlib_module_names`` does not list)."""
    lib = os.path.dirname(os.__file__)
    return importlib.machinery.PathFinder.find_spec(top, [lib, os.path.join(lib, "lib-dynload")]) is not None


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def install(root: str, allowed=ALLOWED, dependencies=()) -> Policy:
    """Put the policy first on ``sys.meta_path`` (in the sandboxed child, before student code)."""
    policy = Policy(root, allowed, dependencies)
    sys.meta_path.insert(0, policy)
    return policy
