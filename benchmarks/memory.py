"""Peak memory of `grader grade` as the class grows: N1 submissions against N2.

    python benchmarks/memory.py [N1] [N2]        (default 100 and 5000)

Each grading runs in a fresh process (so peaks do not mix); prints, for both sizes, the peak RSS
of the coordinator and of the largest of its worker processes (and zygotes), and their ratios
(the target: within 10%).  The class mixes correct
and wrong submissions, so failure details (inputs, expected, returned) are part of the load.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STYLES = ("correct_loops.py", "correct_vectorized.py", "mistake_answer_key_quarter.py", "mistake_max_assign.py")

CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from grader.api import Options, grade
t = time.perf_counter()
run = grade({subs!r}, {out!r}, Options(cache=False))
# VmHWM is this process's own peak (ru_maxrss would include its parent's RSS from before exec)
hwm = [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print(len(run.submissions), hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - t)
"""


def peak(n: int, tmp: Path) -> tuple[int, int, float]:
    subs, out = tmp / f"subs{n}", tmp / f"out{n}"
    subs.mkdir()
    sources = [(ROOT / "submissions" / "hw4" / s).read_text() for s in STYLES]
    for i in range(n):
        (subs / f"student{i:05d}.py").write_text(f"# student {i}\n" + sources[i % len(sources)])
    r = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), subs=str(subs), out=str(out))],
                       capture_output=True, text=True, check=True)
    graded, kib, worker_kib, seconds = r.stdout.split()
    assert int(graded) == n
    shutil.rmtree(subs)
    shutil.rmtree(out)
    return int(kib), int(worker_kib), float(seconds)


def main() -> None:
    n1 = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    n2 = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    with tempfile.TemporaryDirectory(prefix="cnn-bench-mem-") as tmp:
        (a, wa, ta), (b, wb, tb) = peak(n1, Path(tmp)), peak(n2, Path(tmp))
    print(f"peak RSS grading {n1}: coordinator {a / 1024:.1f} MiB, largest worker {wa / 1024:.1f} MiB ({ta:.1f} s); "
          f"grading {n2}: coordinator {b / 1024:.1f} MiB, largest worker {wb / 1024:.1f} MiB ({tb:.1f} s)")
    print(f"ratio coordinator {b / a:.2f}, worker {wb / wa:.2f}  (target <= 1.10)")


if __name__ == "__main__":
    main()
