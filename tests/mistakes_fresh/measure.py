"""Measure feedback on the fresh mistake files: for each failing question of each file, is the
real mistake named (every EXPECT word in the feedback), and what was said.  Run:
PYTHONPATH=. python tests/mistakes_fresh/measure.py"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    named = total = 0
    for f in sorted(HERE.glob("*.py")):
        if f.name == "measure.py":
            continue
        spec = importlib.util.spec_from_file_location(f.stem, f)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        out = subprocess.run([sys.executable, "-m", "grader", "check", str(f), "--json",
                              "--assignment", mod.ASSIGNMENT, "--student", getattr(mod, "STUDENT", "fresh")], capture_output=True, text=True)
        res = json.loads(out.stdout)
        for q in res["questions"]:
            if q["id"] not in mod.EXPECT:
                continue
            total += 1
            said = " ".join([q["message"], *q["notes"], *q["misconceptions"]])
            ok = q["status"] == "failed" and all(w.lower() in said.lower() for w in mod.EXPECT[q["id"]])
            named += ok
            print(f"{'NAMED ' if ok else 'MISSED'} {f.stem} {q['id']} [{mod.CAUSE[q['id']]}]: {said[:400]}\n")
    print(f"named {named}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
