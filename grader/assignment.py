"""What the engine knows about an assignment: questions as data, nothing about CNNs.

An assignment is a Python package under ``reference/`` exposing ``ASSIGNMENT``.  Each question
names the student function to call and brings its own input generator, which returns the
arguments of every trial *and* the reference answers (computed vectorized, in this trusted
process only): one :class:`Trials`, or several (shape groups, see :func:`trial_groups`) when
one shape per student would let code that hard-codes a shape pass for the students drawn it.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import importlib.util
import os
import pkgutil
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence, Union

import numpy as np

from . import DEFAULT_ASSIGNMENT
from .text import typed_name


@dataclass(frozen=True)
class Trials:
    """Inputs and expected outputs of one question's trials, batched along axis 0.

    ``args[name]`` has one row per trial (0-d rows become Python scalars when called);
    ``expected`` is the reference answer, one row per trial; ``labels`` says what each trial is
    ("random", "edge: all-zero input", ...).
    """

    args: dict[str, np.ndarray]
    expected: np.ndarray
    labels: Sequence[str]
    nargs: Sequence[int] | None = None  # per trial: pass only the first n args (defaults test)
    # Recomputes ``expected`` from (batched) args.  Lets the comparison accept a float32 answer
    # that is exact for float32-rounded inputs: where an answer is ill-conditioned (1 - o of a
    # saturated activation, say) float32 rounding is all there is, and no float32 code could
    # match the float64 answer there.
    reference: Callable[[dict[str, np.ndarray]], np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def rows(self, idx) -> "Trials":
        """The trials at positions ``idx`` (in that order), as a Trials of their own."""
        idx = np.asarray(idx, dtype=np.intp)
        return Trials(args={k: v[idx] for k, v in self.args.items()}, expected=np.asarray(self.expected)[idx],
                      labels=[self.labels[int(t)] for t in idx],
                      nargs=[self.nargs[int(t)] for t in idx] if self.nargs is not None else None,
                      reference=self.reference)

    def call_args(self, t: int) -> list:
        """Positional arguments of trial ``t`` (scalars as Python numbers, arrays as copies)."""
        values = list(self.args.values())
        if self.nargs is not None:
            values = values[:self.nargs[t]]
        return [a[t].item() if a[t].ndim == 0 else np.array(a[t]) for a in values]


# What a question's generator returns: one Trials, or its shape groups (see trial_groups)
Generated = Union[Trials, Sequence[Trials]]


def trial_groups(generated: Generated, qid: str = "") -> tuple[Trials, ...]:
    """A question's trials as shape groups, in order: one :class:`Trials` is one group.

    Trials are batched along axis 0, so every trial of one ``Trials`` has the same shapes; a
    question whose inputs should vary in shape for each student (a batch of N samples, N
    hard-coded by mistake) gives several, each graded like a question of its own and combined:
    it passes only if every trial of every group passes, trials are counted over all groups
    (numbered in this order), and what a report shows of a failure comes from the first
    failing group.  Empty groups are dropped; the groups must name the same arguments."""
    if isinstance(generated, Trials):
        return (generated,)
    groups = tuple(generated)
    if not groups or not all(isinstance(g, Trials) for g in groups):
        raise ValueError(f"question {qid}: generate must return a Trials or a sequence of Trials")
    kept = tuple(g for g in groups if len(g)) or groups[:1]
    if any(list(g.args) != list(kept[0].args) for g in kept):
        raise ValueError(f"question {qid}: every group of trials must name the same arguments, in the same order")
    return kept


def share(n: int, k: int) -> list[int]:
    """``n`` random trials shared out over ``k`` shape groups as evenly as possible (the first
    groups get one more), so a grouped question keeps the assignment's ``n_random`` in all."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: ``compute(args_batch)`` returns what the mistake produces."""

    id: str
    name: str
    explanation: str
    hint: str
    compute: Callable[[dict[str, np.ndarray]], np.ndarray]
    # The same mistake written another way (loops in another order, ...): any one reproducing
    # every trial names it.
    variants: tuple[Callable[[dict[str, np.ndarray]], np.ndarray], ...] = ()


@dataclass(frozen=True)
class Question:
    """One graded function of the student contract."""

    id: str  # "1.2"
    function: str  # name the student defines
    params: tuple[str, ...]  # positional parameter names, in call order
    title: str  # one line: what it computes
    returns: str  # what the student returns, for the starter file and reports
    points: float
    # (rng, n_random) -> Trials, or a sequence of Trials: shape groups, each batched on its own
    # (see trial_groups); the question passes only if every trial of every group does
    generate: Callable[[np.random.Generator, int], Generated]
    rtol: float = 1e-5
    atol_scale: float = 1e-5  # atol = atol_scale * max|expected| of the trial (+ atol_floor)
    atol_floor: float = 1e-300  # exact zeros must come back (near-)exact
    exact: bool = False  # integer answers compare exactly
    element: Callable[[tuple[int, ...]], str] = lambda idx: "[" + ",".join(map(str, idx)) + "]"
    doc: str = ""  # contract text for the starter file's docstring
    defaults: dict[str, object] = field(default_factory=dict)  # signature defaults for the starter
    mistakes: tuple[Mistake, ...] = ()
    groups: dict = field(default_factory=dict)  # named element sets for diagnoses ("shared neurons")
    probes: tuple = ()  # data for grader.feedback.probes (Activation, Expression, Terms, Features, ArgNames)
    # Optional: the trials of several students at once, one generator each, exactly what
    # ``generate`` gives for each -- a batch costs little more than one student's trials.
    generate_many: Callable[[Sequence[np.random.Generator], int], Sequence[Generated]] | None = None
    # Data for preparing a submission of another kind than code (written answers: what the
    # answer defines and may use, for grader.intake.notation); empty for code.
    spec: dict = field(default_factory=dict)

    @property
    def signature(self) -> str:
        parts = [f"{p}={self.defaults[p]!r}" if p in self.defaults else p for p in self.params]
        return f"{self.function}({', '.join(parts)})"


@dataclass(frozen=True)
class Assignment:
    name: str  # short id, as --assignment names it
    title: str
    version: str  # bump when questions, generators or tolerances change (keys the cache)
    questions: tuple[Question, ...]
    n_random: int = 20  # randomized trials per question, before the fixed edge cases
    preamble: str = ""  # the contract's common text, for the starter file and reports
    kind: str = "code"  # "code": students submit functions; "written": answers in notation (grader.intake.written)
    filename: str = ""  # the student's file ("" : solution.py, or answers.md for a written assignment)
    edge_cases: str = ""  # what the official trials add to random inputs, for the student README
    notation: tuple[tuple[str, str], ...] = ()  # a written assignment's (what to write, what it is) rows
    index_base: int = 0  # how the homework counts indices in reports' tables (1: x_{1,1} is x[0, 0])
    source: str = ""  # the folder its package was loaded from (set by load_assignment; hidden from student code)
    default_points: tuple[tuple[str, float], ...] = ()  # (id, points) as shipped, once re-weighted (with_points)

    @property
    def student_file(self) -> str:
        """The file students hand in: the assignment's own name for it, else a neutral one."""
        return self.filename or ("answers.md" if self.kind == "written" else "solution.py")

    @property
    def check_options(self) -> str:
        """What ``grader check FILE`` needs besides the file to check against this assignment."""
        return "" if self.name == DEFAULT_ASSIGNMENT else f" --assignment {self.name}"

    @property
    def max_score(self) -> float:
        return float(sum(q.points for q in self.questions))

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def with_points(self, points: dict[str, float]) -> "Assignment":
        """A copy with some questions re-weighted (``{"2.5": 4}``)."""
        unknown = set(points) - {q.id for q in self.questions}
        if unknown:
            raise ValueError(f"unknown question id(s) {sorted(unknown)}; known: "
                             + ", ".join(q.id for q in self.questions))
        from dataclasses import replace
        qs = tuple(replace(q, points=float(points.get(q.id, q.points))) for q in self.questions)
        shipped = self.default_points or tuple((q.id, float(q.points)) for q in self.questions)
        return replace(self, questions=qs, default_points=shipped)

    def points_options(self) -> list[str]:
        """``--points ID=N`` for each question re-weighted from the assignment as shipped."""
        from .text import number
        shipped = dict(self.default_points)
        return [part for q in self.questions if q.id in shipped and float(q.points) != shipped[q.id]
                for part in ("--points", f"{q.id}={number(q.points)}")]


def normalize_student(student: str) -> str:
    """The one form of a student id that inputs derive from: NFC, outer spaces removed, and an
    email in lower case (Gradescope's ``Alice@Uni.edu`` and a regrade's ``alice@uni.edu`` are
    one student).  Other ids keep their case.  An id given as raw bytes (``--only`` typed as
    ``$'Ren\\xe9'``) takes the form a submission's id has (:func:`grader.text.typed_name`:
    ``Ren\\xe9``); an id's own escapes are kept, so this is the same for an id and its form."""
    s = unicodedata.normalize("NFC", typed_name(student)).strip()
    return s.lower() if "@" in s else s


def student_rng(seed: int, student: str, question_index: int) -> np.random.Generator:
    """Generator for one student's question: reproducible, different per student and question.

    Questions get independent streams so that no question's inputs contain another question's
    answers (e.g. the ``y`` handed to ``sum_pool`` is not ``conv_forward`` of its own trials).
    """
    return np.random.default_rng(np.random.SeedSequence([seed & 0xFFFFFFFF, *_words(normalize_student(student)),
                                                         question_index]))


@functools.lru_cache(maxsize=64)  # (a student's questions come one after the other)
def _words(student: str) -> tuple[int, ...]:
    digest = hashlib.sha256(student.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))


def assignment_module(name: str) -> str:
    """The module of an installed assignment: ``a-b`` is ``reference.a_b``; a dotted name is a
    module path as it is."""
    return name if "." in name else f"reference.{name.replace('-', '_')}"


def is_folder_name(name: str) -> bool:
    """Whether ``--assignment`` names a folder (a path) rather than an installed assignment."""
    return "/" in name or os.sep in name or name.startswith(".") or Path(name).is_dir()


def load_assignment(name: str = DEFAULT_ASSIGNMENT) -> Assignment:
    """The ``ASSIGNMENT`` of an installed assignment (``reference.<name>`` or a dotted module
    path) or of a folder course staff keep anywhere (a path: a package folder with an
    ``__init__.py``); a bad name or folder is a ``ValueError`` in one line."""
    if is_folder_name(name):
        mod, where = _import_folder(Path(name)), Path(name)
    else:
        module = assignment_module(name)
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            raise ValueError(f"no assignment named {name!r} (looked for module {module}: {exc}); "
                             f"installed: {', '.join(installed_assignments()) or 'none'}; "
                             "or give the path of an assignment folder") from None
        where = Path(mod.__file__).parent if getattr(mod, "__file__", None) else Path()
    assignment = getattr(mod, "ASSIGNMENT", None)
    if not isinstance(assignment, Assignment):
        raise ValueError(f"{name}: defines no ASSIGNMENT (grader.assignment.Assignment) in its __init__.py")
    return dataclasses.replace(assignment, source=str(where.resolve()))


def _import_folder(folder: Path):
    """Import an assignment folder as a package of its own (its modules may import each other
    relatively), under a name derived from its real path."""
    init = folder / "__init__.py"
    if not init.is_file():
        raise ValueError(f"{folder}: not an assignment folder (no __init__.py defining ASSIGNMENT); "
                         "see the README's 'Write an assignment'")
    real = str(folder.resolve())
    module = "_cnn_assignment_" + hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    if module in sys.modules:
        return sys.modules[module]
    spec = importlib.util.spec_from_file_location(module, init, submodule_search_locations=[real])
    mod = importlib.util.module_from_spec(spec)
    sys.modules[module] = mod
    try:
        spec.loader.exec_module(mod)
    except Exception as exc:  # noqa: BLE001 - the course's own code: one line naming it
        del sys.modules[module]
        raise ValueError(f"{folder}: the assignment could not be loaded ({type(exc).__name__}: "
                         f"{' '.join(str(exc).split())[:300]})") from None
    return mod


def installed_assignments() -> list[str]:
    """The assignments installed with the grader: the packages under ``reference``."""
    try:
        import reference
    except ImportError:
        return []
    return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(reference.__path__) if m.ispkg)
