"""`grader check FILE` against `python -c "import numpy"`: the student's self-check start-up.

    python benchmarks/startup.py [--runs R] [--file PATH]

Runs both commands R times, alternating (a VM's speed drifts: each pair shares a minute), and
prints the medians and their ratio (issue 16's target: <= 2).  The check runs the way a student
runs it: the installed `grader` entry point if there is one on PATH, else `python -m grader`.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--file", type=Path, default=ROOT / "submissions" / "hw4" / "correct_vectorized.py")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a student's install keeps its bytecode
    entry = shutil.which("grader")
    check = [entry] if entry and Path(entry).parent == Path(sys.executable).parent else [sys.executable, "-m", "grader"]
    check += ["check", str(args.file)]
    numpy = [sys.executable, "-c", "import numpy"]
    timed(check, env), timed(numpy, env)  # bytecode written, files in the page cache
    pairs = [(timed(check, env), timed(numpy, env)) for _ in range(args.runs)]
    c, n = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    ratios = sorted(a / b for a, b in pairs)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; medians of {args.runs} alternating runs")
    print(f"grader check {args.file.name}: {1000 * c:.0f} ms; python -c 'import numpy': {1000 * n:.0f} ms")
    print(f"ratio: {c / n:.2f} (per pair: median {statistics.median(ratios):.2f}, best {ratios[0]:.2f}); "
          f"issue 16's target <= 2")


if __name__ == "__main__":
    main()
