"""Written answers: milliseconds per answer, on a class of 30 answers files.

    python benchmarks/written.py [--students 30] [--jobs 2]

The class is built from the accepted cases of tests/test_written_sweep.py and the correct
answers of tests/test_written.py (each student gets, per question, the next case of that
question, so the notations vary across the class).  Two numbers:

- reading and evaluating each answer on every trial, in this process (what the sandbox does
  per answer): mean and worst ms per answer;
- ``grade`` on the whole class (sandboxes, comparison, reports): wall ms per answer.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    import numpy as np

    from grader.api import Options, grade
    from grader.intake.notation import Answer, equations
    from tests.test_written import ASG, CORRECT, Q
    from tests.test_written_sweep import CASES, OK
    pool: dict = {qid: [] for qid in Q}
    for _cat, qid, expect, text in CASES:
        if expect == OK:
            pool[qid].append(text)
    for qid, texts in CORRECT.items():
        pool[qid] += texts
    cycles = {qid: itertools.cycle(texts) for qid, texts in pool.items()}
    files = ["\n\n".join(f"## {qid}\n{next(cycles[qid])}" for qid in Q) for _ in range(args.students)]

    times = []
    for text in files:
        from grader.intake.notation import sections
        for qid, body in sections(text).items():
            q = Q[qid]
            trials = q.generate(np.random.default_rng(len(times)), ASG.n_random)
            t0 = time.perf_counter()
            a = Answer(equations(body), q.spec)
            for t in range(len(trials)):
                a.values(dict(zip(q.params, trials.call_args(t))))
            times.append(time.perf_counter() - t0)
    print(f"in process: {len(times)} answers, mean {1000 * sum(times) / len(times):.1f} ms, "
          f"worst {1000 * max(times):.1f} ms per answer (reading + every element on {ASG.n_random}+ trials)")

    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        subs.mkdir()
        for i, text in enumerate(files):
            (subs / f"student{i:02d}.md").write_text(text)
        t0 = time.perf_counter()
        run = grade(subs, Path(tmp) / "out", Options(jobs=args.jobs), assignment="hw4-written")
        wall = time.perf_counter() - t0
        n = len(files) * len(Q)
        full = sum(s.score == s.max_score for s in run.submissions)
        print(f"grade: {len(files)} students, {n} answers, {wall:.2f} s wall with {args.jobs} jobs: "
              f"{1000 * wall / n:.1f} ms per answer; {full}/{len(files)} full marks")


if __name__ == "__main__":
    main()
