"""Jupyter notebooks as submissions: their code cells become one importable ``.py``.

Done when a submission is prepared (in the grader, which only reads JSON and rewrites text;
nothing of the student's runs here).  The generated file holds the code cells as string
literals and, when imported inside the sandbox, runs them in order the way "Run All" would,
with three differences that keep a working notebook from losing points:

- IPython syntax (``%magic``, ``%%cell magic``, ``!shell``, ``x = !cmd``, ``obj?``) is turned
  into plain Python that does nothing, so no shell ever runs and the import never fails on it;
  ``display``/``get_ipython`` exist as no-ops unless the notebook defines them.
- Each top-level statement runs on its own: one that raises (test code calling a function,
  a plot, a typo) is reported on stderr as ``solution.ipynb, cell 7, line 3: ...`` and the cells
  go on, so every definition still runs.  A cell with a syntax error is skipped; the functions
  it defines raise that syntax error when called, so only their questions are lost.
- Each cell is compiled under the file name ``<notebook>, cell N`` (with its source in
  ``linecache``) and its lines keep their numbers, so tracebacks read
  ``File "solution.ipynb, cell 7", line 3, in mean``.

Cells are numbered 1, 2, ... counting every cell of the notebook (markdown included), as a
student counts them on screen.  Stored outputs are never built: the JSON is only checked there.
"""
from __future__ import annotations

import codecs
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .jsonscan import OTHER, JSONScanError, Reader

MAX_NOTEBOOK_BYTES = 20 << 20  # notebooks carry their plots (base64 images): larger than a .py
MAX_CELLS = 10_000  # every cell counts; a long course notebook has a few hundred
MAX_CODE_BYTES = 5 << 20  # code cells' sources as stored: what a .py file may hold (discover.MAX_FILE_BYTES)
_CODE_KEYS = ("source", "input", "code")  # where a code cell keeps its code: nbformat 4, 2 and 3, 1

# Cell magics whose body is ordinary Python that Jupyter runs; any other cell magic
# (%%bash, %%writefile, %%html, %%timeit, ...) makes the whole cell inert.
_PYTHON_CELL_MAGICS = {"time", "capture", "prun", "debug"}
# The line matchers below run on student text in the grader's own process, so each is linear:
# the line is stripped first, and what a regex still checks has no two adjacent quantifiers that
# can match the same character (nor a repeated group, which costs memory per repetition).
_HELP = re.compile(r"\?\??[\w.]*|[\w.\[\]]*\s*\?\??")  # obj?  obj??  ?obj  ??obj  obj ?  (a stripped line)
_NAME = re.compile(r"[A-Za-z_][\w.]*")  # an assignment target of ``x = !ls`` (a stripped part)
_DEF = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)", re.M)  # (no backtracking past a line)


class NotebookError(ValueError):
    """The file is not a notebook we can read: the message says why, in one line; ``fix``
    what the student can do."""

    def __init__(self, message: str, fix: str = "save it again from Jupyter"):
        super().__init__(message)
        self.fix = fix


def read_code_cells(data: bytes) -> list[tuple[int, str]]:
    """``(cell number, source)`` of every code cell, in order; :class:`NotebookError` if unreadable.

    Only what that needs is read from the JSON: each cell's type and a code cell's source.
    Outputs, attachments and metadata are checked and passed over, never built
    (:mod:`grader.jsonscan`), so memory follows the code (at most :data:`MAX_CELLS` cells and
    :data:`MAX_CODE_BYTES` of code), not the file: 20 MiB of empty objects in a stored output
    took gigabytes as a parsed tree."""
    _check_utf8(data)
    try:
        outline = _outline(data)
    except JSONScanError as exc:
        raise NotebookError(f"is not a notebook Jupyter can open (not JSON: {exc})") from None
    if outline.version != 4:  # (older formats: nbformat converts what was read)
        return _numbered(_upgraded(outline))
    if outline.cells is None:
        raise NotebookError("is not a notebook Jupyter can open (it has no list of cells)")
    return _numbered((c.kind, c.texts.get("source", "")) if c is not None else (None, None) for c in outline.cells)


def _check_utf8(data: bytes) -> None:
    """Refuse a file that is not UTF-8, a megabyte at a time (the whole text as a str could
    take four times the file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for i in range(0, len(data), 1 << 20):
            decoder.decode(view[i:i + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise NotebookError("is not UTF-8 text, as every notebook is") from None


@dataclass(slots=True)
class _Cell:
    kind: object  # its cell_type (jsonscan.OTHER for a value no cell type can be)
    texts: dict = field(default_factory=dict)  # a code cell's _CODE_KEYS that hold text


@dataclass
class _Outline:
    """What is read of a notebook: the version and each cell's type and code (None for a cell
    that is not an object, and for cells or worksheets that are not lists)."""
    version: object = None
    minor: object = None
    cells: list[_Cell | None] | None = None
    worksheets: list[list[_Cell | None] | None] | None = None  # (nbformat 2 and 3)


class _Budget:
    """The caps on what a notebook makes (checked as it is read: reading stops there)."""

    def __init__(self) -> None:
        self.cells = self.code = 0

    def add_cell(self) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise NotebookError(f"has more than {MAX_CELLS} cells", "merge or delete cells")

    def add_code(self, size: int) -> None:
        self.code += size
        if self.code > MAX_CODE_BYTES:
            raise NotebookError(f"has more than {MAX_CODE_BYTES >> 20} MiB of code in its code cells",
                                "keep data in files of its own, not in cells")


def _outline(data: bytes) -> _Outline:
    """The notebook's version and cells, every other value skipped unread."""
    reader, budget, out = Reader(data), _Budget(), _Outline()
    if reader.peek() != b"{":
        what = "it is empty" if not data.strip() else "its JSON is not an object"
        raise NotebookError(f"is not a notebook Jupyter can open ({what})")
    for key in reader.members():
        if key == "nbformat":
            out.version = reader.scalar()
        elif key == "nbformat_minor":
            out.minor = reader.scalar()
        elif key == "cells":
            out.cells = _cells(reader, budget)
        elif key == "worksheets" and reader.peek() == b"[":
            out.worksheets = []
            for _ in reader.items():
                out.worksheets.append(_worksheet_cells(reader, budget))
    reader.end()
    return out


def _worksheet_cells(reader: Reader, budget: _Budget) -> list[_Cell | None] | None:
    """The cells of a worksheet (nbformat 2 and 3 keep their cells in worksheets)."""
    cells = None
    if reader.peek() == b"{":
        for key in reader.members():
            if key == "cells":
                cells = _cells(reader, budget)
    return cells


def _cells(reader: Reader, budget: _Budget) -> list[_Cell | None] | None:
    """The list of cells here (None, and the value skipped, if it is not a list)."""
    if reader.peek() != b"[":
        return None
    cells = []
    for _ in reader.items():
        budget.add_cell()
        cells.append(_cell(reader, budget))
    return cells


def _cell(reader: Reader, budget: _Budget) -> _Cell | None:
    """A cell's type and, for a code cell, its code; a markdown cell's text is never decoded
    (it may hold megabytes of inline images), so its span is noted until the type is known."""
    if reader.peek() != b"{":
        return None
    kind, spans = None, {}
    for key in reader.members():
        if key == "cell_type":
            kind = reader.scalar()
        elif key in _CODE_KEYS:
            spans[key] = reader.span()
    if kind != "code":
        return _Cell(kind)
    for start, end in spans.values():
        budget.add_code(end - start)
    return _Cell(kind, {key: _text(reader.data, span) for key, span in spans.items()})


def _text(data: bytes, span: tuple[int, int]) -> str | None:
    """A source as Jupyter stores it: a string, or a list of lines (other items ignored, as
    before); None for any other value."""
    reader = Reader(data, span[0])
    first = reader.peek()
    if first == b'"':
        return reader.string()
    if first != b"[":
        return None
    lines = []
    for _ in reader.items():
        if reader.peek() == b'"':
            lines.append(reader.string())
    return "".join(lines)


def _numbered(cells) -> list[tuple[int, str]]:
    """``(number, source)`` of the code cells among ``(cell_type, source)`` pairs, numbered as
    a student counts cells on screen (markdown included)."""
    return [(number, source) for number, (kind, source) in enumerate(cells, 1)
            if kind == "code" and isinstance(source, str) and source.strip()]


def _upgraded(outline: _Outline) -> list[tuple[object, object]]:
    """``(cell_type, source)`` of a notebook older than version 4, converted by nbformat from
    what was read (its outputs and metadata left empty: they were never read)."""
    try:
        import nbformat
    except ImportError:  # (a student's install without it)
        raise NotebookError("is not a version-4 notebook (reading older ones needs nbformat)",
                            "pip install nbformat, or save it again from Jupyter") from None
    import json
    import logging  # (here: most runs read no notebook)
    logger = logging.getLogger("traitlets")  # nbformat logs schema problems there; we judge them here
    old = logger.disabled
    logger.disabled = True
    try:
        with warnings.catch_warnings():  # (schema warnings are nbformat's business, not the grader's output)
            warnings.simplefilter("ignore")
            nb = nbformat.reads(json.dumps(_document(outline)), as_version=4)
    except Exception as exc:  # NBFormatError, a version it cannot convert, a malformed structure
        raise NotebookError(f"is not a notebook Jupyter can open ({_brief(exc)})") from None
    finally:
        logger.disabled = old
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("has no list of cells")
    return [(c.get("cell_type"), c.get("source", "")) if isinstance(c, dict) else (None, None) for c in cells]


def _document(outline: _Outline) -> dict:
    """The notebook as nbformat's converters need it, from what was read."""
    def cell(c: _Cell | None):
        if c is None:
            return None
        kind = None if c.kind is OTHER else c.kind
        extra = {"outputs": []} if kind == "code" else {"source": ""}
        return {"cell_type": kind, "metadata": {}, **extra, **c.texts}

    doc: dict = {"metadata": {}}
    if outline.version is not None:
        doc["nbformat"] = None if outline.version is OTHER else outline.version
    if outline.minor is not None:
        doc["nbformat_minor"] = None if outline.minor is OTHER else outline.minor
    if outline.cells is not None:
        doc["cells"] = [cell(c) for c in outline.cells]
    if outline.worksheets is not None:
        doc["worksheets"] = [{"metadata": {}, **({"cells": [cell(c) for c in ws]} if ws is not None else {})}
                             for ws in outline.worksheets]
    return doc


def _brief(exc: BaseException) -> str:
    msg = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def neutralize(source: str) -> str:
    """``source`` with IPython-only syntax made inert, line for line (numbers stay the same)."""
    lines = source.split("\n")
    body = 0  # where the Python starts: after the cell magics that keep their body (%%time)
    while True:
        first = next((i for i in range(body, len(lines)) if lines[i].strip()), None)
        if first is None or not lines[first].lstrip().startswith("%%"):
            break
        magic = lines[first].strip()[2:].split(None, 1)
        if not magic or magic[0] not in _PYTHON_CELL_MAGICS:  # %%bash, %%writefile, ...: nothing runs
            return "\n".join(lines[:body] + [""] * (len(lines) - body))
        lines[first] = ""  # (an empty line keeps the numbering)
        body = first + 1
    starts = _statement_starts(lines)
    return "\n".join(_line(ln) if start else ln for ln, start in zip(lines, starts))


def _line(line: str) -> str:
    """One line that begins a statement: IPython syntax becomes ``pass`` (or a harmless value)."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if not stripped or stripped.startswith("#"):
        return line
    timed = _timed_statement(stripped)
    if timed is not None:
        return indent + timed
    if stripped[0] in "%!":
        return indent + "pass"
    assigned = _shell_assignment(stripped)
    if assigned is not None:  # (neither "= !" nor "= %" can start valid Python)
        targets, kind = assigned
        return f"{indent}{targets} = " + ("[]" if kind == "!" else "None")
    if _is_help(stripped):
        return indent + "pass"
    return line


def _timed_statement(stripped: str) -> str | None:
    """``stmt`` of ``%time stmt`` (it runs, untimed); None for any other line."""
    rest = stripped[5:]
    if stripped.startswith("%time") and rest[:1].isspace():
        return rest.lstrip()
    return None


def _shell_assignment(stripped: str) -> tuple[str, str] | None:
    """``("a, b", "!")`` for ``a, b = !cmd`` (or ``= %magic``), targets as written; else None.
    String logic rather than one regex: a regex repeating ``\\s*,\\s*name`` kept a backtracking
    record per name, hundreds of megabytes for a line of a million commas."""
    head, eq, rest = stripped.partition("=")  # (a target holds no "=": the first one is it)
    rest = rest.lstrip()
    if not eq or rest[:1] not in ("!", "%"):
        return None
    targets = head.rstrip()
    if not all(_NAME.fullmatch(name.strip()) for name in targets.split(",")):
        return None
    return targets, rest[0]


def _is_help(stripped: str) -> bool:
    """``obj?``, ``obj??``, ``?obj``, ``??obj`` (IPython's help).  The line is stripped here, not
    in the regex: ``^\\s*...\\s*\\s*$`` took quadratic time on a line of spaces and a ``?``."""
    return _HELP.fullmatch(stripped.rstrip()) is not None


def _statement_starts(lines: list[str]) -> list[bool]:
    """For each line: does a new statement begin there (not inside a string, brackets or a
    backslash continuation)?  A small scanner, so IPython lines (which Python cannot parse)
    are found without parsing, and ``%`` continuing an expression is left alone."""
    starts = []
    depth = 0
    quote = ""  # the open string's delimiter: ', ", ''' or """
    cont = False
    for line in lines:
        starts.append(depth == 0 and not quote and not cont)
        cont = False
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if quote:
                if c == "\\":
                    i += 2
                    continue
                if line.startswith(quote, i):
                    i += len(quote)
                    quote = ""
                    continue
                i += 1
                continue
            if c == "#":
                break
            if c in "'\"":
                quote = line[i:i + 3] if line.startswith(c * 3, i) else c
                i += len(quote)
                continue
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth = max(0, depth - 1)
            elif c == "\\" and i == n - 1:
                cont = True
            i += 1
        if quote in ("'", '"'):  # a one-quote string never spans lines (unless continued)
            cont = cont or line.endswith("\\")
            quote = quote if cont else ""
    return starts


def defined_names(source: str) -> list[str]:
    """Top-level ``def``/``class`` names of a cell (a text scan: the cell may not parse)."""
    return list(dict.fromkeys(_DEF.findall(source)))


def to_python(cells: list[tuple[int, str]], label: str) -> str:
    """The importable ``.py`` running ``cells`` (see the module docstring)."""
    entries = ",\n".join(f"    ({n}, {neutralize(src)!r}, {tuple(defined_names(src))!r})" for n, src in cells)
    # (plain replacement, not str.format: the driver's own code has braces)
    label = safe_comment(label)  # (it is shown in tracebacks: one printable line)
    return (_DRIVER.replace("@LABEL@", label).replace("@LABEL_REPR@", repr(label))
            .replace("@CELLS@", entries))


def safe_comment(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)[:200]


def convert(source: Path, target: Path) -> str:
    """Write ``target`` (a ``.py``) from the notebook ``source``; returns its code cells' text
    (for choosing the main file).  :class:`NotebookError` when it cannot be read."""
    if source.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB", "clear its outputs and save it again")
    cells = read_code_cells(source.read_bytes())
    with open(target, "x", encoding="utf-8") as f:
        f.write(to_python(cells, source.name))
    return "\n".join(src for _, src in cells)


_DRIVER = r'''# Generated by cnn-grader from the notebook @LABEL@: its code cells, run in order.
# Each statement runs on its own; one that raises is reported on stderr and the cells go on.
def __cnn_grader_notebook__(g, label, cells):
    import ast, linecache, os, sys
    here = os.path.dirname(os.path.realpath(g.get("__file__") or "x"))

    class _Inert:
        """display(), get_ipython() and what hangs off them: does nothing."""
        def __call__(self, *a, **k):
            return self
        def __getattr__(self, name):
            return self
    g.setdefault("display", _Inert())
    g.setdefault("get_ipython", _Inert())
    shown = 0

    def warn(text):
        nonlocal shown
        shown += 1
        if shown <= 20:
            print(text[:500], file=sys.stderr)
        elif shown == 21:
            print("(more problems in top-level notebook code not shown)", file=sys.stderr)

    def broken(name, exc, filename):
        """A function that raises the cell's syntax error, at the cell's line (so its traceback
        shows the student's own line)."""
        ns = {"exc": exc}
        line = exc.lineno if isinstance(getattr(exc, "lineno", None), int) and exc.lineno > 0 else 1
        try:
            exec(compile("\n" * (line - 1) + "def " + name + "(*args, **kwargs): raise exc.with_traceback(None)",
                         filename, "exec"), ns)
            return ns[name]
        except Exception:
            def stand_in(*args, **kwargs):
                raise exc.with_traceback(None)
            return stand_in

    for number, source, names in cells:
        where = label + ", cell " + str(number)
        filename = os.path.join(here, where)
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            tree = compile(source, filename, "exec", ast.PyCF_ONLY_AST)
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            msg = getattr(exc, "msg", None) or str(exc)
            warn(where + (", line " + str(line) if line else "") + ": " + type(exc).__name__ + ": " + str(msg)
                 + " (this cell was skipped)")
            for name in names:  # what the cell meant to define fails with the cell's own error
                if name not in g:
                    g[name] = broken(name, exc, filename)
            continue
        for node in tree.body:
            try:
                exec(compile(ast.Module(body=[node], type_ignores=[]), filename, "exec"), g)
            except (Exception, SystemExit) as exc:  # (exit() in a cell: Jupyter goes on too)
                tb, line = exc.__traceback__, node.lineno
                while tb is not None:  # the deepest line in this cell
                    if tb.tb_frame.f_code.co_filename == filename:
                        line = tb.tb_lineno
                    tb = tb.tb_next
                text = " ".join(str(exc).split())[:300]
                warn(where + ", line " + str(line) + ": " + type(exc).__name__ + (": " + text if text else "")
                     + " (top-level code; the notebook went on)")


__cnn_grader_notebook__(globals(), @LABEL_REPR@, [
@CELLS@
])
del __cnn_grader_notebook__
'''
