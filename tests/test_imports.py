"""The grader's modules form no import cycle, and each imports first, in a fresh interpreter.

A cycle works only while the import that closes it stays inside a function or comes late
enough; reordered, it fails with "partially initialized module".  (It was one once, for one
string: cli -> course.handout -> entry -> cli, for the console script's name.)
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "grader"
# run, not imported: ``python -m grader`` is the program itself
NOT_IMPORTED = {"grader.__main__"}


def _modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package: its name -> (its file, whether it is a package)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        if "templates" in rel.parts:
            continue  # (data: the files the starter and the CI templates are made from)
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _targets(name: str, is_package: bool, node: ast.AST, modules: set[str]) -> set[str]:
    """The grader modules an import statement of module ``name`` imports."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in modules}
    if not isinstance(node, ast.ImportFrom):
        return set()
    if node.level:
        base = name.split(".") if is_package else name.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        where = ".".join(base + ([node.module] if node.module else []))
    else:
        where = node.module or ""
    # ``from . import notebook`` imports the module grader.intake.notebook; ``from .x import f``, grader.x
    return {f"{where}.{a.name}" if f"{where}.{a.name}" in modules else where for a in node.names} & modules


def _graph(top_level_only: bool) -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, (path, is_package) in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if top_level_only else ast.walk(tree)
        graph[name] = set().union(*(_targets(name, is_package, n, set(modules)) for n in nodes)) - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """A cycle of ``graph`` (its modules in order, the first repeated at the end), or []."""
    state: dict[str, int] = {}  # 1: on the path being explored, 2: done
    path: list[str] = []

    def visit(m: str) -> list[str]:
        state[m] = 1
        path.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return path[path.index(n):] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        path.pop()
        state[m] = 2
        return []

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return []


def test_the_graph_sees_imports_of_every_form():
    graph = _graph(top_level_only=False)
    assert "grader.intake.notebook" in graph["grader.intake.discover"]  # from . import notebook
    assert "grader.course.handout" in graph["grader.cli"]  # from .course.handout import ... (in a function)
    assert "grader.outputs.publish" in graph["grader.course.shard"]  # from ..outputs import publish (in a function)
    assert "grader.errors" in graph["grader.outputs.atomic"]  # from ..errors import reraise
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("top_level_only", [True, False], ids=["module level", "functions too"])
def test_no_import_cycle_among_the_graders_modules(top_level_only):
    """None at module level (where one breaks an import), and none through the imports
    functions make when they run, either."""
    cycle = _cycle(_graph(top_level_only))
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_every_module_imports_first_in_a_fresh_interpreter():
    """Each module imported before any other of the grader's (as a test, a worker or a user's
    script might): none needs another to have been imported first."""
    names = sorted(set(_modules()) - NOT_IMPORTED)
    code = ("import importlib, sys\n"
            "for name in sys.argv[1:]:\n"
            "    for m in [m for m in sys.modules if m == 'grader' or m.startswith('grader.')]:\n"
            "        del sys.modules[m]\n"
            "    try:\n"
            "        importlib.import_module(name)\n"
            "    except Exception as exc:\n"
            "        print(f'{name}: {type(exc).__name__}: {exc}')\n")
    r = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert r.returncode == 0 and not r.stdout, r.stdout + r.stderr
