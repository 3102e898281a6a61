"""What is compared of each submission: the code grading would run, or the written answers in
their normalised notation.

Every submission goes through the grader's intake (:func:`grader.intake.discover.prepare`, with
its limits, left-out notes and one-student-several-entries rule), one at a time into a scratch
folder removed as soon as its text is read, so a class is never on disk whole.  Nothing of the
student's is imported or run: code is read as text, and written answers are only tokenised by
:mod:`grader.intake.notation` (never parsed into a tree or evaluated; that happens in the sandbox).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..assignment import Assignment
from ..intake import notation
from ..intake.discover import MAX_ZIP_FILES, Submission, choose_code, discover, files_in, prepare
from ..intake.notebook import NotebookError, read_code_cells
from ..intake.written import answers_file
from ..text import one_line, safe_text

MAX_CHARS = 100_000  # characters compared per submission (all its files); a homework is a few thousand
MAX_PY_FILES = 50  # .py files read per submission, the main file first
PYTHON = "python"  # the Pygments lexer copydetect tokenises code with


@dataclass
class Document:
    """One student's text to compare.  ``language``: ``"python"`` (copydetect tokenises it and
    replaces names, so renamed variables still match) or ``None`` (written answers, already in
    one canonical notation: compared character for character)."""

    student: str
    entry: str  # the entry in the submissions folder it came from
    text: str = ""
    files: list[str] = field(default_factory=list)  # what ``text`` is made of (files or questions)
    language: str | None = PYTHON
    notes: list[str] = field(default_factory=list)
    error: str = ""  # why it could not be read (then it is not compared)


def class_submissions(submissions: Path, asg: Assignment, work: Path) -> list[Submission]:
    """The class's submissions, one a student (none prepared yet: :func:`read_one` each)."""
    return discover(Path(submissions), [q.function for q in asg.questions], work, lazy=True)


def read_one(sub: Submission, asg: Assignment, dest: Path) -> Document:
    """One submission as a :class:`Document`, prepared into ``dest`` (removed after).  One that
    cannot be read (a damaged zip, no .py file) is a document with ``error``."""
    written = asg.kind == "written"
    found: dict[str, tuple] = {}
    build = _written_builder() if written else _code_builder(found)
    try:
        prepare(sub, [q.function for q in asg.questions], dest, build)
        return _document(sub, found, asg)
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def read_class(submissions: Path, asg: Assignment, work: Path) -> list[Document]:
    """Every submission of ``submissions`` as a :class:`Document`, in student id order, one
    after the other (``grader similar`` spreads :func:`read_one` over worker processes)."""
    return [read_one(sub, asg, Path(work) / f"s{i:05d}")
            for i, sub in enumerate(class_submissions(submissions, asg, work))]


def _code_builder(found: dict):
    """For :func:`prepare`: choose the main file as grading does, and keep the notebooks' code."""
    def build(root: Path, functions: list[str]):
        directory, main, error, texts = choose_code(root, functions, [])  # (its notes are about grading)
        if directory is not None:
            found[str(directory)] = texts
        return directory, main, error
    return build


def _written_builder():
    """For :func:`prepare`: the answers file grading would read."""
    def build(root: Path, functions: list[str]):
        answers = answers_file(root)
        if answers is None:
            from ..intake.written import NO_ANSWERS
            return None, "", NO_ANSWERS
        return answers.parent, answers.name, ""
    return build


def _document(sub: Submission, found: dict, asg: Assignment) -> Document:
    written = asg.kind == "written"
    # (of the intake's notes, what was left out of a folder or zip; the others are about grading)
    doc = Document(student=sub.student, entry=safe_text(sub.name),
                   notes=[n for n in sub.notes if n.startswith("left out ")])
    if sub.error or sub.directory is None:
        doc.error = sub.error or f"{doc.entry}: could not be read"
        return doc
    extra = found.get(str(sub.directory), {})  # a notebook's generated .py -> its code cells
    try:
        if written:
            doc.language = None
            _read_answers(doc, sub.directory / sub.main, [q.id for q in asg.questions])
        else:
            _read_code(doc, sub.directory, sub.main, extra)
    except OSError as exc:  # one student's unreadable file: noted, not fatal
        from ..errors import is_machines
        if is_machines(exc):
            raise
        doc.error = one_line(f"{doc.entry}: could not be read ({safe_text(exc.strerror or str(exc))})")
    except Exception as exc:  # noqa: BLE001 - anything else one file does is that student's, never the run's
        doc.error = one_line(f"{doc.entry}: could not be read ({type(exc).__name__}: {safe_text(str(exc))[:200]})")
    return doc


def _read_code(doc: Document, directory: Path, main: str, texts: dict[Path, str]) -> None:
    """The main file first, then the other ``.py`` files beside and below it (its importable
    modules), each as the student wrote it (a notebook: its code cells)."""
    # (the tree is the intake's copy: regular files only, at most discover.MAX_ZIP_FILES)
    # (walked as discovery walks, without recursion: never rglob over a student's tree)
    others = sorted((p for p in files_in(directory, MAX_ZIP_FILES) if p.name.endswith(".py") and p != directory / main),
                    key=lambda p: p.as_posix())
    files = [directory / main] + others[:MAX_PY_FILES - 1]
    if len(others) > MAX_PY_FILES - 1:
        doc.notes.append(f"only {MAX_PY_FILES} of its .py files were compared")
    chunks, left, cut = [], MAX_CHARS, []
    for path in files:
        rel = path.relative_to(directory).as_posix()
        label = one_line(safe_text(_notebook_name(rel) if path in texts else rel))  # (a name of the student's)
        text = texts[path] if path in texts else _read_text(path, left)
        if len(text) > left:
            cut.append(label)
            text = text[:left]
        head = f"# ==== {label} ====\n" if len(files) > 1 else ""  # (a comment: not compared)
        chunks.append(head + text)
        doc.files.append(label)
        left -= len(text)
        if left <= 0:
            break
    doc.text = "\n".join(chunks)
    if cut or len(doc.files) < len(files):
        doc.notes.append(f"only the first {MAX_CHARS:,} characters were compared (cut in {cut[0] if cut else 'its files'})")


def _notebook_name(rel: str) -> str:
    """The notebook a generated ``X.py`` (or ``X_ipynb.py``) came from."""
    stem = rel[:-9] if rel.endswith("_ipynb.py") else rel[:-3]
    return stem + ".ipynb"


def _read_text(path: Path, most: int) -> str:
    with open(path, "rb") as f:
        data = f.read(4 * most + 4)  # (at most 4 bytes a character)
    return data.decode("utf-8", "replace")[:most + 1]


def _read_answers(doc: Document, path: Path, questions: list[str]) -> None:
    """Each answered question as ``## ID`` and its equations in one canonical spelling
    (:func:`canonical_notation`)."""
    with open(path, "rb") as f:
        data = f.read(1_000_001)
    try:
        text = notation.read_answers_file(data, path.name)
    except notation.NotationError as exc:
        doc.error = one_line(f"{doc.entry}: {safe_text(str(exc))}")
        return
    doc.text, doc.files, cut = answers_text(text, questions)
    if cut:
        doc.notes.append(f"only the first {MAX_CHARS:,} characters were compared, and {MAX_SECTION:,} of each answer "
                         f"(cut: {', '.join(cut[:5])})")


MAX_SECTION = 4_000  # characters of one question's section compared (an answer is a few hundred)


def answers_text(text: str, questions: list[str]) -> tuple[str, list[str], list[str]]:
    """An answers file's text as compared: ``## ID`` and the canonical equations of each of the
    assignment's ``questions`` answered, in the assignment's order; the ids of those answered;
    and what was cut (the file at :data:`MAX_CHARS`, a section at :data:`MAX_SECTION`).  The
    cuts bound the work: extracting the math of a section is a regex whose time can grow with
    the square of a hostile section's length."""
    cut = ["the file"] if len(text) > MAX_CHARS else []
    found = notation.sections(text[:MAX_CHARS], questions)
    out, ids = [], []
    for qid in questions:
        body = found.get(qid)
        if body is None:
            continue
        if len(body) > MAX_SECTION:
            body = body[:MAX_SECTION]
            cut.append(qid)
        canon = canonical_notation(body)
        if canon:
            out.append(f"## {qid}\n{canon}")
            ids.append(qid)
    return "\n".join(out), ids, cut


# spellings of one thing in the notation (after tokenising), and marks that change nothing
_SAME = {"sigmoid": "sigma", "indicator": "1", "**": "^", "Sum": "sum", "\\partial": "d"}
_DROPPED = {"_", "{", "}", "[", "]", "*", "\\mathbf", "\\mathrm", "\\text", "\\operatorname", "\\displaystyle"}


def canonical_notation(body: str) -> str:
    """One section's equations in one spelling: ``x[i,j]``, ``x_{i,j}`` and ``x_{i}_{j}`` alike;
    ``σ``, ``\\sigma``, ``sigmoid``; ``·``, ``\\cdot``, ``*`` and side by side; ``𝟙``,
    ``\\mathbf{1}``, ``Indicator``.  Tokens come from :func:`grader.intake.notation.tokenize`
    (what grading reads); a section it cannot tokenise falls back to its words in lower case
    with single spaces.  The starter's prompts (``>`` lines) are left out."""
    body = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith(">"))
    math = notation.equations(body) or body
    lines = []
    for line in math.splitlines():
        if not line.strip():
            continue
        try:
            toks = notation.tokenize(line)
        except (notation.NotationError, RecursionError, ValueError):
            lines.append(" ".join(line.split()).lower())
            continue
        lines.append(_spelled([t.text for t in toks]))
    return "\n".join(x for x in lines if x)


def _spelled(toks: list[str]) -> str:
    """Tokens in one spelling, run together; ``\\frac{A}{B}`` becomes ``A/B`` (so
    ``\\frac{\\partial E}{\\partial w}``, ``∂E/∂w`` and ``dE/dw`` are one)."""
    out, depth, fracs = [], 0, []  # fracs: [depth before it, groups closed] of each open \frac
    for tok in toks:
        if tok == "\\frac":
            fracs.append([depth, 0])
            continue
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if fracs and depth == fracs[-1][0]:
                fracs[-1][1] += 1
                if fracs[-1][1] == 1:
                    out.append("/")
                else:
                    fracs.pop()
        out.append(_token(tok))
    return "".join(out)


def _token(text: str) -> str:
    if text in _DROPPED:
        return ""
    text = _SAME.get(text, text)
    if text.startswith("\\") and text[1:].isalpha():
        text = text[1:]
    return _SAME.get(text.lower(), text.lower())


def template_text(path: Path, asg: Assignment) -> str:
    """A ``--template`` file's text as it is compared (code, a notebook's code cells, or an answers
    file normalised); a file that cannot be read is a one-line error naming it."""
    from ..errors import UsageError
    try:
        data = path.read_bytes()[:4 * MAX_CHARS]
    except OSError as exc:
        raise UsageError(f"--template {path}: cannot be read ({exc.strerror or exc}); give the starter file's path") from None
    if asg.kind == "written":
        try:
            return answers_text(notation.read_answers_file(data, path.name), [q.id for q in asg.questions])[0]
        except notation.NotationError as exc:
            raise UsageError(f"--template {path}: {exc}; give the starter answers file") from None
    if path.name.lower().endswith(".ipynb"):
        try:
            return "\n".join(src for _n, src in read_code_cells(data))
        except NotebookError as exc:
            raise UsageError(f"--template {path} {exc}; {exc.fix}") from None
    return data.decode("utf-8", "replace")[:MAX_CHARS]
