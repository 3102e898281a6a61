"""``grader gradescope OUT.zip``: a Gradescope autograder bundle for this assignment.

The zip holds, at its root (as Gradescope requires):

- ``setup.sh``: makes a virtual environment in /opt/cnn-grader and ``pip install``s the grader
  from the source tree in the zip (only PyPI is needed, for NumPy, click and Jinja2), then
  deletes that source tree so the reference lives only inside the virtual environment;
- ``run_autograder``: grades ``/autograder/submission`` (the main .py is found by the contract's
  function names) with ``grader check --gradescope /autograder/results/results.json``, with
  inputs made for this student (their Gradescope email) from the bundle's seed.  If the grader
  itself cannot run, it still writes a results.json that says so, score 0;
- ``cnn-grader/``: the grader and this assignment's reference (``pyproject.toml`` included);
- ``grader.toml``: the course file run_autograder grades with (seed, time and memory limits)
  and ``cnn-grader.json``: how the bundle was made, for regrading.  setup.sh moves both
  where only root can read them (``/opt/cnn-grader-private``, 0700, files 0600): under reduced
  isolation student code runs as an unprivileged uid and must not learn the seed; the full
  sandbox mounts the virtual environment for student code, so the seed is kept outside it.

The seed is fixed when the bundle is built (random unless given) and printed, so the
instructor can reproduce any student's run with ``grader check FILE --seed S --student EMAIL``.
"""
from __future__ import annotations

import datetime as _dt
import importlib
import json
import secrets
import shlex
import zipfile
from pathlib import Path

from .. import DEFAULT_ASSIGNMENT, ENTRY_POINT, __version__, settings
from ..assignment import load_assignment
from ..outputs.formats import VISIBILITIES

DEPENDENCIES = ("numpy>=1.24", "click>=8.1", "jinja2>=3.1", "tomli>=1.1; python_version < '3.11'")
PREFIX = "/opt/cnn-grader"
PRIVATE = "/opt/cnn-grader-private"  # root-only (0700): the bundle's seed, out of the sandbox's sight

SETUP_SH = """#!/usr/bin/env bash
# Gradescope setup for {title}
# (built by cnn-grader {version}: `grader gradescope`).  Runs once, when the image is built.
set -euo pipefail
SRC="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)/cnn-grader"
PREFIX="${{CNN_GRADER_PREFIX:-{prefix}}}"
export DEBIAN_FRONTEND=noninteractive

if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  apt-get update && apt-get install -y python3 python3-venv python3-pip
fi
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else
  "cnn-grader needs Python 3.10 or newer: choose an Ubuntu 22.04 (or newer) base image")'
if ! python3 -m venv "$PREFIX" 2>/dev/null; then
  apt-get update && apt-get install -y python3-venv
  python3 -m venv "$PREFIX"
fi
# --no-cache-dir: pip would otherwise keep the wheel it builds (the reference inside) in
# ~/.cache/pip/wheels, readable outside the locked virtual environment.
"$PREFIX/bin/python" -m pip install --no-cache-dir --disable-pip-version-check --no-input "$SRC"
"$PREFIX/bin/python" -I -m grader --version
# The reference now lives only inside the virtual environment, which the grader's sandbox
# hides from student code; do not leave a second copy next to the submission.
rm -rf "$SRC"
# The grading seed (in the course file and the build record) is for root alone: under reduced
# isolation student code runs as an unprivileged uid and could read /autograder/source.  Kept
# outside the virtual environment, which the full sandbox mounts for student code.
DIR="$(dirname "$SRC")"
PRIVATE="${{CNN_GRADER_PRIVATE:-{private}}}"
install -d -m 0700 "$PRIVATE"
install -m 0600 "$DIR/grader.toml" "$PRIVATE/grader.toml"
install -m 0600 "$DIR/cnn-grader.json" "$PRIVATE/cnn-grader.json"
rm -f "$DIR/grader.toml" "$DIR/cnn-grader.json"
# Where the container allows no namespaces, student code runs as an unprivileged uid of its
# own: make the grader and the reference readable by root alone (NumPy stays readable).
SITE="$("$PREFIX/bin/python" -I -c 'import os, reference; print(os.path.dirname(os.path.dirname(reference.__file__)))')"
chmod -R go-rwx "$SITE/reference" "$SITE/grader"
"$PREFIX/bin/python" -I -m grader --version >/dev/null
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope autograder for {title}
# (built by cnn-grader {version}: `grader gradescope`).  Grades /autograder/submission with
# inputs made for this student and writes /autograder/results/results.json.
set -u
# Wherever the harness starts it: a known folder, and Python isolated from the current folder
# and the environment (-I), so nothing in the submission can stand in for the grader's code.
cd /
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{CNN_GRADER_PYTHON:-{prefix}/bin/python}}"
CONFIG="${{CNN_GRADER_CONFIG:-{private}/grader.toml}}"  # the seed and limits: root-only (setup.sh)
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
# A result from the start, replaced whole when grading ends: even a disk that fills up on the
# way leaves Gradescope one to read (written over in place, it needs no new space).
# (its extra_data marks it as the grader's own, so `check --gradescope` may replace it)
FALLBACK='{{"score": 0, "output": "The autograder could not finish, so your submission was not graded. Please tell the course staff.", "output_format": "text", "tests": [], "extra_data": {{"seed": null, "digest": null, "fallback": true}}}}'
printf '%s\n' "$FALLBACK" > "$RESULTS"

# Per-student inputs: the first submitter's email (or Gradescope id) seeds them, in the one
# form `grader check --student` also uses (grader.assignment.normalize_student).
STUDENT="$("$PY" -I - "$ROOT/submission_metadata.json" <<'EOF' 2>/dev/null || echo student
import json, sys
from grader.course.gradescope import student_from_metadata
try:
    print(student_from_metadata(json.load(open(sys.argv[1], encoding="utf-8"))))
except Exception:
    print("student")
EOF
)"

"$PY" -I -m grader check "$ROOT/submission" --student "$STUDENT" --config "$CONFIG" {options} --gradescope "$RESULTS"
status=$?
if [ "$(cat "$RESULTS" 2>/dev/null)" = "$FALLBACK" ] || [ ! -s "$RESULTS" ]; then
  # The grader itself could not run: never leave Gradescope without a result (the one above
  # stays if even this cannot be written).
  printf '%s\\n' '{{"score": 0, "output": "The autograder could not run, so your submission was not graded. Please tell the course staff (exit status '"$status"').", "output_format": "text", "tests": []}}' > "$RESULTS"
fi
exit 0
"""


def student_from_metadata(metadata: dict) -> str:
    """The student id run_autograder grades under: the first submitter's email, else their
    Gradescope id, normalized as every input is (so ``grader check --student`` with the
    email as Gradescope shows it reproduces the same inputs)."""
    from ..assignment import normalize_student
    users = (metadata.get("users") or [{}]) if isinstance(metadata, dict) else [{}]
    u = users[0] if isinstance(users, list) and users and isinstance(users[0], dict) else {}
    return normalize_student(str(u.get("email") or u.get("id") or "student")) or "student"


def course_toml(seed: int, timeout: float, memory_mb: int) -> str:
    """The bundle's course file: what run_autograder grades with (kept root-only by setup.sh)."""
    return (f"# cnn-grader course file for the Gradescope bundle (grader gradescope)\n[grading]\n"
            f"seed = {int(seed)}\ntimeout = {float(timeout)!r}\nmemory = {int(memory_mb)}\n")


def _pyproject(packages: list[str]) -> str:
    deps = ", ".join(json.dumps(d) for d in DEPENDENCIES)
    pk = ", ".join(json.dumps(p) for p in packages)
    return f"""[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "cnn-grader"
version = "{__version__}"
description = "cnn-grader with its reference, for a Gradescope autograder"
requires-python = ">=3.10"
dependencies = [{deps}]

[project.scripts]
grader = "{ENTRY_POINT}"

[tool.setuptools]
packages = [{pk}]

[tool.setuptools.package-data]
"grader.templates" = ["*", "*/*"]
"""


def source_files(assignment: str = DEFAULT_ASSIGNMENT) -> dict[str, bytes]:
    """The grader, its templates and the assignment's reference package, as installable files
    (an assignment folder kept elsewhere goes in as ``reference.<its name>``)."""
    from .handout import _grader_files
    files = {f"cnn-grader/{k}": v for k, v in _grader_files().items()}
    from ..assignment import assignment_module, is_folder_name
    packages = ["grader.templates", "grader.templates.ci"]
    if is_folder_name(assignment):
        module = _folder_package(Path(assignment), files, packages)
        wanted = [n for n in _package_tree(module, Path(assignment)) if n != module]
    else:
        wanted = _package_tree(assignment_module(assignment))
    for name in wanted:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            pkg_name = ".".join(parts[:i])
            if pkg_name in packages:
                continue
            pkg = Path(importlib.import_module(pkg_name).__file__).resolve().parent
            for p in sorted(pkg.glob("*.py")) if i == len(parts) else [pkg / "__init__.py"]:
                files[f"cnn-grader/{'/'.join(parts[:i])}/{p.name}"] = p.read_bytes()
            packages.append(pkg_name)
    packages += [name[len("cnn-grader/"):-len("/__init__.py")].replace("/", ".") for name in files
                 if name.startswith("cnn-grader/grader") and name.endswith("/__init__.py")]
    files["cnn-grader/pyproject.toml"] = _pyproject(sorted(set(packages))).encode()
    return files


def _folder_package(folder: Path, files: dict[str, bytes], packages: list[str]) -> str:
    """Put an assignment folder in the bundle as ``reference.<name>``; return that module."""
    asg = load_assignment(str(folder))
    name = asg.name.replace("-", "_")
    if not name.isidentifier():
        raise ValueError(f"{folder}: the assignment's name {asg.name!r} cannot name a package; "
                         "use letters, digits, - and _")
    files.setdefault("cnn-grader/reference/__init__.py", b"")
    for p in sorted(folder.resolve().rglob("*.py")):
        rel = p.relative_to(folder.resolve())
        if "__pycache__" not in rel.parts:
            files[f"cnn-grader/reference/{name}/{rel.as_posix()}"] = p.read_bytes()
    packages.append("reference")
    for init in sorted(folder.resolve().rglob("__init__.py")):
        rel = init.parent.relative_to(folder.resolve())
        packages.append(".".join(["reference", name, *rel.parts]))
    return f"reference.{name}"


def _package_tree(module: str, folder: Path | None = None) -> list[str]:
    """The assignment's package and the packages of its tree that its files import (a written
    assignment may use another one's model and generators): read from the import statements, so the bundle does not
    depend on what this process happens to have imported.  ``folder``: where ``module``'s files
    are, when it is not installed."""
    import ast
    top = module.split(".")[0]
    todo, seen = [module], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        pkg = folder.resolve() if name == module and folder is not None else \
            Path(importlib.import_module(name).__file__).resolve().parent
        for p in sorted(pkg.glob("*.py")):
            for node in ast.walk(ast.parse(p.read_bytes())):
                names = [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else \
                    [a.name for a in node.names] if isinstance(node, ast.Import) else []
                for n in names:
                    if n.startswith(top + "."):
                        parts = n.split(".")
                        # the package: the longest prefix that is one (reference.a.model -> reference.a)
                        for i in range(len(parts), 1, -1):
                            cand = ".".join(parts[:i])
                            if getattr(importlib.import_module(cand), "__path__", None):
                                todo.append(cand)
                                break
    return sorted(seen)


def build_bundle(out_zip: Path, assignment: str = DEFAULT_ASSIGNMENT, seed: int | None = None, timeout: float = settings.DEFAULT_TIMEOUT,
                 memory_mb: int = 1024, visibility: str = "visible") -> tuple[Path, int]:
    """Write the autograder zip; returns (its path, the seed it grades with)."""
    out_zip = Path(out_zip)
    if out_zip.suffix.lower() != ".zip":
        raise ValueError(f"{out_zip}: give a file name ending in .zip (Gradescope uploads a zip)")
    if out_zip.is_dir():
        raise ValueError(f"{out_zip} is a folder; give a file name such as autograder.zip")
    if visibility not in VISIBILITIES:
        raise ValueError(f"--visibility {visibility!r}: choose one of {', '.join(VISIBILITIES)}")
    asg = load_assignment(assignment)  # the reference must be here: this is the instructor's side
    seed = secrets.randbelow(2 ** 31) if seed is None else int(seed)
    opts = ["--assignment", asg.name]  # the seed and limits are in grader.toml, root-only once set up
    if visibility != "visible":
        opts += ["--gradescope-visibility", visibility]
    fmt = {"title": asg.title.replace("\n", " "), "version": __version__, "prefix": PREFIX, "private": PRIVATE,
           "options": shlex.join(opts)}
    files = {"setup.sh": (SETUP_SH.format(**fmt).encode(), 0o755),
             "run_autograder": (RUN_AUTOGRADER.format(**fmt).encode(), 0o755)}
    for name, data in source_files(assignment).items():
        files[name] = (data, 0o644)
    config = {"assignment": asg.name, "assignment_version": asg.version, "grader_version": __version__,
              "seed": seed, "timeout": timeout, "memory_mb": memory_mb, "visibility": visibility,
              "built": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
              "regrade": f"grader check FILE --seed {seed} --student EMAIL"}
    files["cnn-grader.json"] = ((json.dumps(config, indent=1) + "\n").encode(), 0o600)
    files["grader.toml"] = (course_toml(seed, timeout, memory_mb).encode(), 0o600)
    from ..outputs.atomic import replacing
    with replacing(out_zip, "wb") as f, zipfile.ZipFile(f, "w") as zf:  # (whole or not at all)
        for name, (data, mode) in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.create_system = 3  # Unix, so the executable bits are honoured
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return out_zip, seed
