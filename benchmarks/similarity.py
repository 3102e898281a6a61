"""``grader similar`` on a synthetic class: time and pairs per second, measured in one run.

    python benchmarks/similarity.py [--students 1000] [--seed 0] [--keep DIR]

Makes a class of ``--students`` submissions from the bundled hw4 examples
(``submissions/hw4/*.py``): each a variant of one example with its variables renamed, its
functions in another order and a few lines of its own inserted (so honest variants of one
example share only part of their code), one in twenty a notebook; every tenth student hands in
a renamed copy of another's (the copied pairs the ranking must put first).  Then runs
:func:`grader.api.similar` on it once and prints the time of each stage, the whole time, the
pairs of the class per second, and whether the copied pairs came first.

The issue's target: 1,000 students (499,500 pairs) in under a minute on 2 cores.  No
assertions: tests/test_similarity.py checks behaviour, not time.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_ASSIGNED = re.compile(r"^\s+([a-z_][a-z0-9_]*)\s*=(?!=)", re.M)
_DEF = re.compile(r"^def ", re.M)


def variant(source: str, rng: random.Random, noise: float = 0.25) -> str:
    """``source`` with its local variables renamed, its top-level functions shuffled and a line
    of its own inserted after about ``noise`` of the lines in function bodies."""
    for name in set(_ASSIGNED.findall(source)):
        new = f"{name[:2]}_{rng.randrange(10**6)}"
        source = re.sub(rf"\b{re.escape(name)}\b", new, source)
    starts = [m.start() for m in _DEF.finditer(source)]
    if starts:
        head, blocks = source[:starts[0]], [source[a:b] for a, b in zip(starts, starts[1:] + [len(source)])]
        rng.shuffle(blocks)
        source = head + "".join(b if b.endswith("\n\n") else b + "\n\n" for b in blocks)
    out = []
    for line in source.split("\n"):
        out.append(line)
        stripped = line.strip()
        if line.startswith(" ") and stripped and stripped[-1] not in ":,([\\" and rng.random() < noise:
            indent = line[:len(line) - len(line.lstrip())]
            out.append(f"{indent}_chk{rng.randrange(1000)} = {rng.random():.6f} * {rng.randrange(2, 99)}")
    return "\n".join(out)


def notebook(source: str) -> str:
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": block.splitlines(True)} for block in source.split("\n\n\n") if block.strip()]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def make_class(folder: Path, n: int, seed: int) -> list[tuple[str, str]]:
    """Write the class into ``folder``; returns the copied pairs (original, copier)."""
    rng = random.Random(seed)
    examples = sorted(p for p in (ROOT / "submissions" / "hw4").glob("*.py") if p.name != "starter.py")
    texts = [p.read_text(encoding="utf-8") for p in examples]
    written: dict[str, str] = {}
    copies = []
    for i in range(n):
        student = f"s{i:04d}"
        if i % 10 == 9:  # a renamed copy of an earlier student's own work (each copied once)
            original = rng.choice(sorted(set(written) - {s for pair in copies for s in pair}))
            code = variant(written[original], rng, noise=0.0)
            copies.append((original, student))
        else:
            code = variant(texts[rng.randrange(len(texts))], rng)
        written[student] = code
        if i % 20 == 3:
            (folder / f"{student}.ipynb").write_text(notebook(code), encoding="utf-8")
        else:
            (folder / f"{student}.py").write_text(code, encoding="utf-8")
    return copies


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2, help="Worker processes (default 2: the issue's target machine).")
    ap.add_argument("--stages", action="store_true", help="Also time each stage in this process, one core.")
    ap.add_argument("--keep", type=Path, default=None, help="Make the class (and OUT) here and keep them.")
    args = ap.parse_args(argv)
    import numpy as np

    from grader.api import similar
    from grader.similarity import match, sources
    from grader.api import starter
    from grader.assignment import load_assignment
    from grader.outputs.outdir import scratch

    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        subs, out = base / "class", base / "out"
        subs.mkdir(parents=True, exist_ok=True)
        copies = make_class(subs, args.students, args.seed)
        n = args.students
        all_pairs = n * (n - 1) // 2

        if args.stages:  # what similar() does, less the outputs, one stage at a time on one core
            asg = load_assignment("hw4")
            t0 = time.perf_counter()
            with scratch() as work:
                docs = sources.read_class(subs, asg, Path(work))
            t1 = time.perf_counter()
            bp = match.boilerplate_hashes([starter(asg)], sources.PYTHON)
            prints = [match.fingerprint(d.text, d.language, bp) for d in docs if not d.error]
            t2 = time.perf_counter()
            match.drop_common(prints)
            found = match.pairs(prints)
            t3 = time.perf_counter()
            print(f"stages (one core): read {t1 - t0:.1f} s, fingerprint {t2 - t1:.1f} s, index and pairs "
                  f"{t3 - t2:.1f} s ({found.compared:,} pairs share a fingerprint, {len(found.a):,} listed)")

        t = time.perf_counter()
        run = similar(subs, out, "hw4", jobs=args.jobs)
        whole = time.perf_counter() - t
        rank = {frozenset((r["a"], r["b"])): r["rank"] for r in run.rows}
        ranks = sorted(rank.get(frozenset(c), 10**9) for c in copies)
        top = sum(1 for r in ranks if r <= len(copies))
        print(f"grader similar, {args.jobs} worker processes: {n:,} students ({all_pairs:,} pairs) in {whole:.1f} s: "
              f"{all_pairs / whole:,.0f} pairs/s; {len(run.rows):,} pairs in similarity.csv, "
              f"{len(run.above):,} at or above {run.threshold}")
        print(f"copied pairs: {len(copies)}, {top} of them in the first {len(copies)} rows "
              f"(worst rank {ranks[-1] if ranks else '-'}); similarity of the copies: "
              f"min {min((r['similarity'] for r in run.rows if frozenset((r['a'], r['b'])) in set(map(frozenset, copies))), default=float('nan')):.2f}")
        print(f"similarity of the other pairs listed: median {np.median([r['similarity'] for r in run.rows if frozenset((r['a'], r['b'])) not in set(map(frozenset, copies))] or [0]):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
