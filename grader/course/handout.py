"""What students receive, and the self-check that works without the reference.

``build_handout(OUT_DIR)`` writes:

- the starter file (the assignment's file name; every function stubbed, the contract in its docstrings);
- ``README.md``: how to install and run the self-check, the contract, what the statuses mean;
- ``public_tests.json``: a few fixed inputs per question with their expected outputs;
- ``cnn_grader-<version>-py3-none-any.whl``: the grader *without* the ``reference`` package
  (the "student edition"), built here with no network and no build tools;
- ``.github/workflows/selfcheck.yml``: the self-check on every push (for template repos).

No reference code goes in, and the build checks that (:func:`leaks`).  Students install the
wheel; ``grader check FILE`` then finds no reference and grades against the public cases
alone (:func:`check_public`), saying so.  The instructor's install has the reference, and
``check``/``grade`` use fresh per-student random inputs as always, so a submission that
hard-codes the public cases scores nothing there.

The public cases come from the questions' own generators, seeded from a fixed
:class:`numpy.random.SeedSequence` with a spawn key.  Grading streams
(:func:`grader.assignment.student_rng`) never carry a spawn key, so whatever ``--seed`` and
student id, grading draws from different streams than the public cases.
"""
from __future__ import annotations

import base64
import csv
import dataclasses
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .. import DEFAULT_ASSIGNMENT, ENTRY_POINT, __version__
from ..assignment import Assignment, Question, Trials, load_assignment, trial_groups
from ..results import SubmissionResult
from ..text import number

PUBLIC_FILE = "public_tests.json"
PUBLIC_FORMAT = "cnn-grader-public-tests"
PUBLIC_SCHEMA = 1
PUBLIC_TAG = "[public cases]"
_PUBLIC_ENTROPY = int.from_bytes(hashlib.sha256(b"cnn-grader public cases, not a grading seed").digest()[:16], "big")
_PUBLIC_SPAWN = 0x9AB1C


def public_rng(question_index: int) -> np.random.Generator:
    """The fixed generator of one question's public cases (never equal to a grading stream)."""
    return np.random.default_rng(np.random.SeedSequence(_PUBLIC_ENTROPY, spawn_key=(_PUBLIC_SPAWN, question_index)))


def _asg(assignment: str | Assignment) -> Assignment:
    return load_assignment(assignment) if isinstance(assignment, str) else assignment


# --- public cases -----------------------------------------------------------------------------

def public_cases(assignment: str | Assignment = DEFAULT_ASSIGNMENT, per_question: int = 2) -> dict:
    """The public test file's content: ``per_question`` cases per question (one random, then edges).
    A question graded on several shape groups takes its k-th case from group k (mod the
    number of groups), so its public cases show that the shapes change."""
    if per_question < 1:
        raise ValueError("per_question must be at least 1")
    asg = _asg(assignment)
    questions = []
    for i, q in enumerate(asg.questions):
        groups = trial_groups(q.generate(public_rng(i), per_question), q.id)
        cases = [_case(t, j) for t, j in _public_picks(groups, per_question)]
        shape = np.shape(cases[0]["expected"])
        if all(np.ndim(c["expected"]) == len(shape) for c in cases):  # (names for the largest)
            shape = tuple(max(sizes) for sizes in zip(*(np.shape(c["expected"]) for c in cases)))
        names = np.empty(shape, dtype=object)
        for idx in np.ndindex(*shape):
            names[idx] = q.element(tuple(idx))
        questions.append({
            "id": q.id, "function": q.function, "params": list(q.params), "title": q.title,
            "returns": q.returns, "doc": q.doc, "defaults": dict(q.defaults),  # (for `grader starter`)
            "points": float(q.points), "exact": q.exact, "rtol": q.rtol,
            "atol_scale": q.atol_scale, "atol_floor": q.atol_floor,
            "element_names": names.tolist() if shape else "the value", "cases": cases,
            **({"spec": q.spec} if q.spec else {})})  # (a written answer's vocabulary: no answer in it)
    return {"format": PUBLIC_FORMAT, "schema": PUBLIC_SCHEMA, "assignment": asg.name, "title": asg.title,
            "kind": asg.kind, "index_base": asg.index_base,
            "assignment_version": asg.version, "grader_version": __version__, "preamble": asg.preamble,
            "note": ("A few fixed cases per question, to check your file before you submit. The official "
                     "grading calls every function on fresh random inputs, different for each student, "
                     "so passing these cases is necessary but not sufficient."),
            "questions": questions}


def _public_picks(groups: tuple[Trials, ...], per_question: int) -> list[tuple[Trials, int]]:
    """(group, trial) of each public case: each group's trials in the order random, edges,
    the other randoms; the k-th case is the k-th of that order in group k mod the number of
    groups (one group: its first ``per_question``), then whatever is left, in order."""
    orders = []
    for g, t in enumerate(groups):
        randoms = [j for j, lab in enumerate(t.labels) if lab == "random"]
        edges = [j for j, lab in enumerate(t.labels) if lab != "random"]
        orders.append([(g, j) for j in randoms[:1] + edges + randoms[1:]])
    picks = [orders[k % len(orders)][k] for k in range(per_question) if k < len(orders[k % len(orders)])]
    rest = [p for order in orders for p in order if p not in picks]
    return [(groups[g], j) for g, j in (picks + rest)[:per_question]]


def _case(t: Trials, j: int) -> dict[str, Any]:
    n = t.nargs[j] if t.nargs is not None else len(t.args)
    case: dict[str, Any] = {"label": t.labels[j],
                            "args": {k: v[j].tolist() for k, v in list(t.args.items())[:n]},
                            "expected": np.asarray(t.expected[j]).tolist()}
    if t.reference is not None:  # what a float32 computation may return, exactly
        low = {k: (v[j:j + 1].astype(np.float32).astype(np.float64) if v.dtype.kind == "f" else v[j:j + 1])
               for k, v in t.args.items()}
        case["expected_for_float32_inputs"] = np.asarray(t.reference(low)[0]).tolist()
    return case


def dump_public(data: dict) -> str:
    """The public test file as text: one line per case, so students can read it."""
    def one(v) -> str:
        return json.dumps(v, ensure_ascii=False, allow_nan=False)
    lines = ["{"]
    head = [k for k in data if k != "questions"]
    lines += [f" {one(k)}: {one(data[k])}," for k in head]
    lines.append(' "questions": [')
    for qi, q in enumerate(data["questions"]):
        lines.append("  {")
        for k, v in q.items():
            if k == "cases":
                continue
            lines.append(f"   {one(k)}: {one(v)},")
        lines.append('   "cases": [')
        lines += [f"    {one(c)}" + ("," if ci < len(q["cases"]) - 1 else "") for ci, c in enumerate(q["cases"])]
        lines.append("   ]")
        lines.append("  }" + ("," if qi < len(data["questions"]) - 1 else ""))
    lines += [" ]", "}", ""]
    return "\n".join(lines)


def load_public(path: Path) -> dict:
    """Read and validate a public test file; errors name the file and the fix."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file; give the public_tests.json from your handout") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable public test file ({exc}); download the handout again") from None
    if not isinstance(data, dict) or data.get("format") != PUBLIC_FORMAT:
        raise ValueError(f"{path} is not a cnn-grader public test file; give the public_tests.json from your handout")
    if data.get("schema") != PUBLIC_SCHEMA:
        raise ValueError(f"{path} was written for another version of cnn-grader (schema {data.get('schema')}); "
                         "install the grader wheel from the same handout")
    try:
        for q in data["questions"]:
            assert isinstance(q["id"], str) and isinstance(q["function"], str) and q["cases"]
            for c in q["cases"]:
                assert isinstance(c["args"], dict) and "expected" in c
    except (KeyError, TypeError, AssertionError):
        raise ValueError(f"{path}: a question or case is incomplete; download the handout again") from None
    return data


class _Float32Answers:
    """``Trials.reference`` for public cases: the stored answer for float32-rounded inputs."""

    def __init__(self, rounded: list[dict[str, np.ndarray]], answers: list[np.ndarray]):
        self.rounded, self.answers = rounded, answers

    def __call__(self, args: dict[str, np.ndarray]) -> np.ndarray:
        """Batched like every ``Trials.reference``: a row per row of ``args``; rows whose inputs
        are not a case's rounded inputs get NaN (nothing passes against them)."""
        n = len(next(iter(args.values()))) if args else 0
        out = np.full((n, *self.answers[0].shape), np.nan)
        for r in range(n):
            for inputs, ans in zip(self.rounded, self.answers):
                if all(k in args and np.array_equal(args[k][r], v) for k, v in inputs.items()):
                    out[r] = ans
                    break
        return out


def _element_namer(names):
    def element(idx: tuple[int, ...]) -> str:
        try:
            v = names
            for i in idx:
                v = v[i]
            return str(v)
        except (IndexError, TypeError, KeyError):
            return "[" + ",".join(map(str, idx)) + "]"
    return element


def public_assignment(data: dict) -> tuple[Assignment, dict]:
    """An :class:`Assignment` whose every trial is a public case, and those trials: a
    question's cases batched together, or, where their shapes differ (a question graded on
    several shape groups), one :class:`Trials` per run of cases of one shape."""
    questions, trials = [], {}
    for qd in data["questions"]:
        cases = qd["cases"]
        params = list(qd.get("params") or cases[0]["args"].keys())
        groups, first = [], 0
        for run in _same_shapes(cases, params):
            groups.append(_public_trials(qd, run, params, first))
            first += len(run)
        t = groups[0] if len(groups) == 1 else tuple(groups)
        trials[qd["id"]] = t
        questions.append(Question(
            id=qd["id"], function=qd["function"], params=tuple(params), title=qd.get("title", ""),
            returns=qd.get("returns", ""), points=float(qd.get("points", 1)), doc=str(qd.get("doc") or ""),
            defaults=dict(qd["defaults"]) if isinstance(qd.get("defaults"), dict) else {},
            generate=lambda rng, n, t=t: t, rtol=float(qd.get("rtol", 1e-5)),
            atol_scale=float(qd.get("atol_scale", 1e-5)), atol_floor=float(qd.get("atol_floor", 1e-300)),
            exact=bool(qd.get("exact", False)), element=_element_namer(qd.get("element_names")),
            spec=dict(qd["spec"]) if isinstance(qd.get("spec"), dict) else {}))
    asg = Assignment(name=data.get("assignment", DEFAULT_ASSIGNMENT), title=data.get("title", ""),
                     version=str(data.get("assignment_version", "")), questions=tuple(questions),
                     preamble=str(data.get("preamble") or ""),
                     kind="written" if data.get("kind") == "written" else "code",
                     index_base=1 if data.get("index_base") == 1 else 0)
    return asg, trials


def _same_shapes(cases: list[dict], params: list[str]) -> list[list[dict]]:
    """The cases in runs of one shape (every argument's and the answer's), in order."""
    def shapes(c: dict) -> tuple:
        return (tuple(np.shape(c["args"].get(p)) for p in params), np.shape(c["expected"]))
    runs: list[list[dict]] = []
    for c in cases:
        if runs and shapes(runs[-1][0]) == shapes(c):
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


def _public_trials(qd: dict, cases: list[dict], params: list[str], first: int) -> Trials:
    """One batch of public cases of one shape (``first``: the number of cases before them)."""
    args: dict[str, np.ndarray] = {}
    for p in params:
        given = [c["args"][p] for c in cases if p in c["args"]]
        filler = given[0] if given else 0
        args[p] = np.array([c["args"].get(p, filler) for c in cases])
    nargs = [len(c["args"]) for c in cases]
    expected = np.array([c["expected"] for c in cases])
    if qd.get("exact"):
        expected = expected.astype(np.int64)
    ref = None
    if all("expected_for_float32_inputs" in c for c in cases):
        rounded = [{k: (np.asarray(v, dtype=np.float64).astype(np.float32).astype(np.float64)
                        if np.asarray(v).dtype.kind == "f" else np.asarray(v)) for k, v in c["args"].items()}
                   for c in cases]
        ref = _Float32Answers(rounded, [np.asarray(c["expected_for_float32_inputs"], dtype=np.float64) for c in cases])
    return Trials(args=args, expected=expected, reference=ref,
                  labels=[f"public case {first + i + 1}: {c.get('label', '')}" for i, c in enumerate(cases)],
                  nargs=nargs if any(n != len(params) for n in nargs) else None)


def reference_available(assignment: str = DEFAULT_ASSIGNMENT) -> bool:
    """True in the instructor's install (the assignment's reference imports)."""
    try:
        load_assignment(assignment)
        return True
    except (ValueError, ImportError):
        return False


def find_public_cases(file: Path) -> Path | None:
    """``public_tests.json`` next to the checked file, or in the current folder."""
    file = Path(file)
    for folder in (file.parent if file.is_file() else file, file.parent, Path.cwd()):
        cand = folder / PUBLIC_FILE
        if cand.is_file():
            return cand
    return None


def check_public(path: Path, cases_file: Path, opts=None, student: str | None = None) -> SubmissionResult:
    """Grade one file, folder or zip against the public cases only (no reference needed): it is
    :func:`grader.api.check` (the student's name, the guard that makes a failure of the grader
    the file's result, partial credit) with the public cases as every question's trials.

    Every question's message starts with ``[public cases]``; the score is what these cases
    give, not the grade (see :func:`public_notice`).
    """
    from ..api import Options, check
    opts = opts or Options()
    asg, trials = public_assignment(load_public(cases_file))
    # (the public cases are fixed: no seed made them, and the result says so)
    res = check(path, dataclasses.replace(opts, seed=0), assignment=asg, student=student, trials=trials)
    for q in res.questions:
        q.message = f"{PUBLIC_TAG} {q.message}"
    return res


def public_notice(cases_file: Path) -> str:
    """What ``check`` prints (and puts in its outputs) when it graded against public cases."""
    n = None
    try:
        n = sum(len(q["cases"]) for q in load_public(cases_file)["questions"])
    except ValueError:
        pass
    what = f"the {n} public cases" if n else "the public cases"
    return (f"This score covers {what} in {cases_file} only; it is not your grade. Your grade comes from "
            "the official grading, which calls every function on fresh random inputs made for you: pass "
            "these first, then make sure your code is right for any input.")


# --- student wheel ------------------------------------------------------------------------------

STUDENT_DEPENDENCIES = ("numpy>=1.24", "click>=8.1", "jinja2>=3.1")


def _grader_files() -> dict[str, bytes]:
    """The grader package as installed files: its modules (every stage's package) and
    grader/templates/**."""
    from ..outputs.report import templates_dir
    here = Path(__file__).resolve().parent.parent
    files: dict[str, bytes] = {}
    for p in sorted(here.rglob("*.py")):
        rel = p.relative_to(here)
        if "__pycache__" not in rel.parts and rel.parts[0] != "templates":
            files[f"grader/{rel.as_posix()}"] = p.read_bytes()
    tdir = templates_dir()
    for p in sorted(tdir.rglob("*")):
        rel = p.relative_to(tdir)
        if p.is_file() and "__pycache__" not in rel.parts and not p.name.startswith("."):
            files[f"grader/templates/{rel.as_posix()}"] = p.read_bytes()
    return files


def _zip_write(zf: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def build_student_wheel(dest_dir: Path) -> Path:
    """A pure-Python wheel of the grader without the reference, reproducible byte for byte."""
    dist = f"cnn_grader-{__version__}"
    info = f"{dist}.dist-info"
    files = _grader_files()
    files[f"{info}/METADATA"] = "\n".join([
        "Metadata-Version: 2.1", "Name: cnn-grader", f"Version: {__version__}",
        "Summary: cnn-grader, student edition: self-check against public cases (no reference solution)",
        "Requires-Python: >=3.10", *[f"Requires-Dist: {d}" for d in STUDENT_DEPENDENCIES], "", ""]).encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: cnn-grader handout\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n\n")
    files[f"{info}/entry_points.txt"] = f"[console_scripts]\ngrader = {ENTRY_POINT}\n".encode()
    files[f"{info}/top_level.txt"] = b"grader\n"
    record = io.StringIO()
    w = csv.writer(record, lineterminator="\n")
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        w.writerow([name, f"sha256={digest}", len(data)])
    w.writerow([f"{info}/RECORD", "", ""])
    files[f"{info}/RECORD"] = record.getvalue().encode()
    from ..outputs.atomic import replacing
    path = Path(dest_dir) / f"{dist}-py3-none-any.whl"
    with replacing(path, "wb") as f, zipfile.ZipFile(f, "w") as zf:  # (whole or not at all)
        for name, data in files.items():
            _zip_write(zf, name, data)
    return path


# --- the handout ----------------------------------------------------------------------------------

STATUSES_TEXT = """| status | meaning |
|---|---|
| `passed` | every case gave the right answer (within the tolerance) |
| `failed` | a wrong value or shape: the message names the first wrong element, expected vs. got |
| `error` | the function raised an exception (the traceback points into your file) |
| `timeout` | the function ran longer than allowed (an endless loop?) |
| `missing` | the function is not defined, or raises `NotImplementedError` (or returns `None`) on every call |"""


def imports_text() -> str:
    """The README's list of what student code may import: the policy the sandbox applies, in
    the official run and in the self-check alike (grader/_imports.py)."""
    from ..sandbox._imports import ALLOWED, DISPLAY, PROVIDES
    allowed = ", ".join(f"`{m}`" for m in ALLOWED)
    display = ", ".join(f"`{m}`" for m in DISPLAY)
    return f"""The grader provides {PROVIDES}: import {allowed}, any standard-library module, and
your own modules handed in with your file. Nothing else is available, whether or not it is
installed on your machine (`grader check` applies the same rule):

- plotting, display and progress-bar packages ({display}) never cost points: installed
  or not, a stand-in that does nothing replaces it (your plots are skipped, `tqdm(x)`
  iterates `x`), and the report says so;
- any other package (`scipy`, `torch`, `pandas`, ...) imports as a placeholder: the questions
  whose functions use it fail with an error naming it, the others are graded as usual. An
  import inside `try: ... except ImportError:` fails as it would without the package, so your
  fallback runs."""


def student_readme(assignment: str | Assignment = DEFAULT_ASSIGNMENT, filename: str | None = None,
                   wheel: str | None = None, ci: bool = True) -> str:
    asg = _asg(assignment)
    filename = filename or asg.student_file
    if asg.kind == "written":
        return _written_readme(asg, filename, wheel, ci)
    rows = "\n".join(f"| {q.id} | `{q.signature}` | {q.returns} | {number(q.points)} |" for q in asg.questions)
    edges = f" (plus edge cases such as {asg.edge_cases})" if asg.edge_cases else ""
    exact = [f"`{q.function}`" for q in asg.questions if q.exact]
    exact = f"{', '.join(exact)} compare{'s' if len(exact) == 1 else ''} exactly (integers, booleans); " if exact else ""
    ci_row = ("| `.github/workflows/selfcheck.yml` | runs the self-check on every push (GitHub) |\n" if ci else "")
    return f"""# {asg.title}

Your handout:

| file | what it is |
|---|---|
| `{filename}` | the starter file: write every function in it, one per sub-question |
| `{PUBLIC_FILE}` | a few fixed test cases per question, with their expected answers |
| `{wheel or 'cnn_grader-*.whl'}` | the self-check tool (`grader`) |
{ci_row}
{_install_block(filename + asg.check_options, wheel)}
`grader check` runs your file in a sandbox, calls every function on the cases in
`{PUBLIC_FILE}`, and explains each result. It exits 0 when every question passes.
`grader check {filename}{asg.check_options} --html report.html` writes a report you can open in a browser;
`--json` prints the result as JSON. The score it prints covers the public cases only: it is
not your grade. `grader starter FILE.py` writes a fresh copy of the starter file.

**These public cases are only a self-check.** The official grading calls every function on fresh
random inputs, made for each student{edges}. Code that merely returns the answers of the public
cases scores nothing there.
Passing the public cases is necessary, not sufficient: make your code right for any valid input.

## The contract

Define these module-level functions in `{filename}` (keep the names and argument order):

| Q | function | returns | points |
|---|---|---|---|
{rows}

```
{asg.preamble}
```

The docstrings in `{filename}` say more about each function. Leave the stub (its
`NotImplementedError`) in any function you do not answer: it is reported as `missing`, not as
an error. A function that works for some inputs only (say it raises `NotImplementedError` for
inputs it was not written for) is an `error`, shown with the inputs that failed. Printing is fine (long output is
shortened, never penalized); reading files, the network or other students' work is not available
while grading.

## What you may import

{imports_text()}

## What the statuses mean

{STATUSES_TEXT}

Each question scores its points only when every case passes. Shapes must match exactly;
{exact}other values pass when
|yours − expected| ≤ 1e-5 · max|expected| + 1e-5 · |expected| for every element, where expected is
the right answer for the inputs as given or for the same inputs rounded to float32 (so float32
work passes whether you return float32 arrays, float64 arrays or lists). NaN or infinity never
passes. A failing case shows its inputs and the expected numbers, never a formula.
"""


def _install_block(filename: str, wheel: str | None) -> str:
    """The student README's "Check your work" commands (both kinds of assignment)."""
    install = (f"pip install {wheel}" if wheel else "pip install cnn-grader   # or the wheel your course provides")
    return f"""## Check your work

Python 3.10 or newer, on Linux or macOS (on Windows, use WSL):

```bash
python3 -m venv .venv && . .venv/bin/activate
{install}
grader check {filename}
```
"""


def _written_readme(asg: Assignment, filename: str, wheel: str | None, ci: bool) -> str:
    """The student README of a written assignment: the answers file, the notation, the check."""
    rows = "\n".join(f"| {q.id} | {q.title} | {q.spec.get('vocabulary', '')} | {number(q.points)} |" for q in asg.questions)
    ci_row = ("| `.github/workflows/selfcheck.yml` | runs the self-check on every push (GitHub) |\n" if ci else "")
    return f"""# {asg.title}

Your handout:

| file | what it is |
|---|---|
| `{filename}` | your answers file: a heading per question (`## 1.2`), the notation at its top |
| `{PUBLIC_FILE}` | a few fixed cases per question, to check your expressions against |
| `{wheel or 'cnn_grader-*.whl'}` | the self-check tool (`grader`) |
{ci_row}
{_install_block(filename + asg.check_options, wheel)}
`grader check` reads each answer (it prints how it read it), evaluates it for every element of
the asked quantity on the cases in `{PUBLIC_FILE}`, and explains each result; it exits 0 when
every question passes. `--html report.html` writes a report you can open in a browser. The score
it prints covers the public cases only: it is not your grade. The official grading evaluates your
expressions for every element on fresh random networks made for each student, plus edge cases.

## The questions

Under each heading, write the answer in LaTeX (`$$ … $$`) or in plain notation on lines of its
own (see the notation table at the top of `{filename}`). A question without an answer is
`missing`; an answer that cannot be read is an `error` that points at the spot.

| Q | what | your answer may use | points |
|---|---|---|---|
{rows}

## What the statuses mean

- `passed`: every element is right on every case.
- `failed`: some elements are wrong; the report names them in the homework's notation, with the
  numbers of a failing case.
- `error`: the answer cannot be read (the message points at the spot), uses a quantity the
  question does not give, or has an index that nothing binds (`for`, a sum, or the left side).
- `missing`: no heading for the question, or no equation under it.

Each question scores its points only when every element is right on every case (within
1e-5 · max|expected| + 1e-5 · |expected|). A failing case shows the elements that are wrong and
the numbers, never the correct expression.
"""


def _code_lines(source: str) -> set[str]:
    """Stripped lines that hold code (not only strings, comments or blanks), imports left out."""
    import tokenize
    skip = {tokenize.STRING, tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
            tokenize.DEDENT, tokenize.ENDMARKER, tokenize.ENCODING}
    skip |= {getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, n)}
    rows = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type not in skip:
                rows.add(tok.start[0])
    except (tokenize.TokenError, SyntaxError):
        rows = set(range(1, source.count("\n") + 2))
    lines = source.splitlines()
    out = set()
    for r in rows:
        s = lines[r - 1].strip() if r <= len(lines) else ""
        if not s.startswith(("import ", "from ")):
            out.add(s)
    return out


def reference_fingerprints(assignment: str | Assignment = DEFAULT_ASSIGNMENT, min_len: int = 24) -> set[str]:
    """Distinctive code lines of the assignment's reference package, for leak checks: lines of
    at least ``min_len`` characters that hold code (strings such as the contract text, which
    the starter file publishes on purpose, are not fingerprints)."""
    pkg = Path(_asg(assignment).source)
    out = set()
    for p in sorted(pkg.rglob("*.py")):
        out |= {s for s in _code_lines(p.read_text(encoding="utf-8")) if len(s) >= min_len}
    return out


def _texts(folder: Path):
    """(name, text) of every file under ``folder``, wheel and zip members included."""
    for p in sorted(Path(folder).rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if p.suffix in (".whl", ".zip"):
            with zipfile.ZipFile(p) as zf:
                for name in zf.namelist():
                    yield f"{p.name}!{name}", zf.read(name).decode("utf-8", "replace")
        else:
            yield str(p.relative_to(folder)), data.decode("utf-8", "replace")


def leaks(folder: Path, assignment: str | Assignment = DEFAULT_ASSIGNMENT) -> list[str]:
    """Files under ``folder`` holding reference code: ``["file: line", ...]`` (empty when clean)."""
    prints = reference_fingerprints(assignment)
    found = []
    for name, text in _texts(folder):
        if name.startswith("reference/") or "!reference/" in name:
            found.append(f"{name}: a reference file")
            continue
        lines = {ln.strip() for ln in text.splitlines()}
        hit = sorted(lines & prints)
        if hit:
            found.append(f"{name}: {hit[0]}")
    return found


def build_handout(out_dir: Path, assignment: str = DEFAULT_ASSIGNMENT, per_question: int = 2, filename: str | None = None,
                  wheel: bool = True, ci: bool = True, force: bool = False) -> list[Path]:
    """Write the student handout into ``out_dir`` (new or empty, or ``force``); returns the files."""
    from ..api import starter
    from ..errors import UsageError
    from ..outputs.atomic import write_many
    from ..outputs.report import templates_dir
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} is a file; give a folder for the handout")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ValueError(f"{out} is not empty; choose a new folder for the handout (or add --force)")
    asg = _asg(assignment)
    filename = filename or asg.student_file
    out.mkdir(parents=True, exist_ok=True)
    written = []
    whl = build_student_wheel(out) if wheel else None
    if whl:
        written.append(whl)
    files = {
        filename: starter(asg, filename=filename),
        PUBLIC_FILE: dump_public(public_cases(asg, per_question)),
        "README.md": student_readme(asg, filename, whl.name if whl else None, ci=ci),
    }
    if ci:
        wf = templates_dir() / "ci" / "student-selfcheck.yml"
        if wf.is_file():
            # (the template names the default file; the handout's may be another, answers.md say)
            files[".github/workflows/selfcheck.yml"] = wf.read_text(encoding="utf-8").replace("{{ filename }}", filename)
    try:  # all or none (a full disk: one line, and no file half-written)
        written += write_many((out / rel, text) for rel, text in files.items())
    except BaseException:
        for p in written:
            p.unlink(missing_ok=True)
        raise
    found = leaks(out, asg)
    if found:
        for p in written:
            p.unlink(missing_ok=True)
        raise UsageError("the handout would contain reference code, so nothing was handed out: "
                         + "; ".join(found[:3]))
    return written
