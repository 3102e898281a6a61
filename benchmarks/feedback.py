"""Feedback: CPU milliseconds per failing question, on the repository's mistake corpora.

    python benchmarks/feedback.py [--seed 0]

Every file of tests/mistakes and tests/mistakes_fresh (our own student-style files, each with
one or two known mistakes) is imported here and its functions called on each question's trials
(a benchmark of the diagnosis, which runs outside the sandbox on the returned numbers; these
files are trusted test data, never student work).  For each failing question, the diagnosis of
:func:`grader.feedback.diagnose.diagnose` is timed in CPU time (the issue's budget: 50 ms per
failing question).  Prints the mean, the 90th percentile and the worst, with the worst few named,
and the share of failing questions whose diagnosis is a count only ("N of M elements are wrong").
"""
from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNT_ONLY = re.compile(r"^(?:All \d+ elements are wrong|\d+ of \d+ elements (?:are )?wrong)[^:]*\.?$")


def _module(path: Path):
    spec = importlib.util.spec_from_file_location(f"_bench_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import numpy as np

    from grader.assignment import load_assignment, trial_groups
    from grader.feedback.diagnose import diagnose
    from grader.judge.compare import compare

    asg = load_assignment("hw4")
    files = sorted((ROOT / "tests" / "mistakes").glob("*.py")) + sorted((ROOT / "tests" / "mistakes_fresh").glob("*.py"))
    times, count_only = [], 0
    for path in files:
        if "mlp" in path.stem:
            continue  # (hw4's corpus: every question of one assignment, one shape group)
        try:
            mod = _module(path)
        except Exception:  # noqa: BLE001 - a corpus file that does not import is no timing
            continue
        for q in asg.questions:
            f = getattr(mod, q.function, None)
            if f is None:
                continue
            trials = trial_groups(q.generate(np.random.default_rng(args.seed), asg.n_random))[0]
            try:
                outs = [np.asarray(f(*trials.call_args(t))) for t in range(len(trials))]
            except Exception:  # noqa: BLE001 - an error is diagnosed elsewhere (the sizes note)
                continue
            if any(o.dtype.kind not in "biuf" for o in outs) or compare(q, trials, outs).passed:
                continue
            t0 = time.process_time()
            d = diagnose(q, trials, outs)
            times.append((time.process_time() - t0, f"{path.name} {q.id}"))
            count_only += bool(COUNT_ONLY.match(d.message or ""))
    if not times:
        print("no failing question found")
        return
    ms = sorted((1000 * t, name) for t, name in times)
    values = [v for v, _ in ms]
    p90 = values[int(0.9 * (len(values) - 1))]
    print(f"{len(values)} failing questions: mean {sum(values) / len(values):.1f} ms, 90th percentile {p90:.1f} ms, "
          f"worst {values[-1]:.1f} ms CPU per diagnosis (budget 50 ms)")
    print("worst: " + "; ".join(f"{name} {v:.0f} ms" for v, name in ms[-3:][::-1]))
    print(f"count-only messages: {count_only}/{len(values)}")


if __name__ == "__main__":
    main()
