"""Preparing a notebook submission: time and peak memory against line length and notebook size.

    python benchmarks/notebook.py [--quick] [--root CHECKOUT] [--limit-gib 4] [--timeout 120]

Each notebook is prepared (copied, read, converted to .py: what the grader's own process does
before any sandbox runs) in a fresh process, which reports the time ``prepare`` took and its
peak RSS.  Three series, each printed with its ratios to the series' first row (measured in
this one run, on this machine):

- one code line of spaces, a ``?`` and spaces (what made the help regex backtrack), growing;
- a stored output of empty objects (``[{}, {}, ...]``, never used for grading), growing to the
  20 MiB cap, and the same notebook in a zip;
- a stored output of the shape that costs the JSON scanner most per byte: items nested one
  level deeper than it takes in one regex call (``[[[[0]]]], ...``);
- the number of cells, up to the cap (10,000) and beyond it (refused).

Linear time means the time ratio follows the size ratio; bounded memory means the peak stays
flat (the interpreter and the grader's modules, some 40 MiB).  ``--root`` measures another
checkout of the grader (one from before a change: each child is capped at ``--limit-gib`` of
address space and ``--timeout`` seconds, as the former reader needed gigabytes and minutes).
No assertions: see tests/test_notebook.py for those.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import resource, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
if (Path(sys.argv[1]) / "grader" / "intake").is_dir():
    from grader.intake.discover import Submission, prepare
else:  # (a checkout from before the intake/ layout)
    from grader.discover import Submission, prepare
sub = Submission(student="s", source=Path(sys.argv[2]))
t = time.perf_counter()
prepare(sub, ["layer_sizes"], Path(sys.argv[3]))
seconds = time.perf_counter() - t
# VmHWM is this process's own peak (ru_maxrss can include its parent's from before exec)
hwm = [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print(seconds, hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, sub.error or "ok")
"""


def notebook(cells: list[dict]) -> bytes:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def code_cell(source: str, outputs: str = "[]") -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": outputs, "source": source}


def hostile_line(n: int) -> bytes:
    return notebook([code_cell(" " * (n // 2) + "?" + " " * (n // 2) + "x")])


def with_output(size: int, item: bytes) -> bytes:
    """A one-cell notebook of ``size`` bytes, nearly all of them ``item,`` in a stored output."""
    head, tail = notebook([code_cell("x = 1", "@")]).split(b'"@"')
    n = (size - len(head) - len(tail) - 2) // (len(item) + 1)
    return head + b"[" + (item + b",") * (n - 1) + item + b"]" + tail


def many_cells(n: int) -> bytes:
    return notebook([code_cell(f"x{i} = {i}") for i in range(n)])


def measure(path: Path, work: Path, opts: argparse.Namespace) -> tuple[float, float, str]:
    """(seconds, peak MiB, "ok" or the error) of preparing ``path`` in a fresh process."""
    def cap() -> None:
        limit = int(opts.limit_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        out = subprocess.run([sys.executable, "-c", CHILD, str(opts.root), str(path), str(work)], preexec_fn=cap,
                             capture_output=True, text=True, check=True, timeout=opts.timeout).stdout.split(" ", 2)
    except subprocess.TimeoutExpired:
        return float("nan"), float("nan"), f"(over {opts.timeout} s: stopped)"
    return float(out[0]), int(out[1]) / 1024, out[2].strip()


def series(title: str, unit: str, rows: list[tuple[int, bytes]], folder: Path, opts: argparse.Namespace,
           zipped: bool = False) -> None:
    print(f"\n{title}")
    print(f"  {unit:>12} {'file':>10} {'time':>9} {'peak':>9}   {'size x':>7} {'time x':>7} {'peak x':>7}  result")
    folder.mkdir()
    first = None
    for i, (size, data) in enumerate(rows):
        path = folder / f"nb{i}.ipynb"
        path.write_bytes(data)
        if zipped:
            with zipfile.ZipFile(path.with_suffix(".zip"), "w", zipfile.ZIP_DEFLATED) as zf:
                zf.write(path, "sub/hw4.ipynb")
            path.unlink()
            path = path.with_suffix(".zip")
        seconds, peak, result = measure(path, folder / f"work{i}", opts)
        first = first or (size, seconds, peak)
        print(f"  {size:>12,} {path.stat().st_size / 2**20:>8.2f}Mi {seconds * 1e3:>7.0f}ms {peak:>7.0f}Mi   "
              f"{size / first[0]:>7.1f} {seconds / first[1]:>7.1f} {peak / first[2]:>7.2f}  {result[:70]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the smaller sizes only")
    ap.add_argument("--root", type=Path, default=ROOT, help="the grader checkout to measure (default: this one)")
    ap.add_argument("--limit-gib", type=float, default=4.0, help="address space of each child (default 4)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds for each child (default 120)")
    opts = ap.parse_args()
    quick = opts.quick
    lines = [4_000, 16_000, 64_000] + ([] if quick else [300_000, 1_000_000])
    sizes = [1 << 20, 4 << 20] + ([] if quick else [int(19.7 * 2**20)])
    cells = [1_000, 10_000] + ([] if quick else [100_000])
    with tempfile.TemporaryDirectory(prefix="cnn-bench-nb-") as tmp:
        tmp = Path(tmp)
        print(f"preparing notebooks with the grader in {opts.root}")
        series("one hostile code line (spaces, ?, spaces)", "line chars", [(n, hostile_line(n)) for n in lines],
               tmp / "line", opts)
        series("stored output of empty objects", "file bytes", [(s, with_output(s, b"{}")) for s in sizes],
               tmp / "outputs", opts)
        series("the same, zipped", "file bytes", [(s, with_output(s, b"{}")) for s in sizes], tmp / "zipped", opts,
               zipped=True)
        series("stored output of [[[[0]]]] items (the scanner's costliest shape)", "file bytes",
               [(s, with_output(s, b"[[[[0]]]]")) for s in sizes], tmp / "costliest", opts)
        series("cells (cap 10,000)", "cells", [(n, many_cells(n)) for n in cells], tmp / "cells", opts)


if __name__ == "__main__":
    main()
