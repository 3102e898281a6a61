#!/usr/bin/env bash
# Throughput as the workers grow, then start-up and memory: the figures of the README's
# performance section, on whatever machine this runs.
#
#   bash benchmarks/scaling.sh [N] [JOBS...]      (default: 1000 submissions; jobs = cores, cores/2, ..., 2)
#
# Each step has its own time limit, so one slow step still leaves the others' figures.
# Set PYTHON to pick the interpreter (default python3).
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
N=${1:-1000}
shift || true
CORES=$(nproc)
if [ $# -gt 0 ]; then JOBS="$*"; else
  JOBS=""; j=$CORES; while [ "$j" -ge 2 ]; do JOBS="$JOBS $j"; j=$((j / 2)); done
fi
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
step() { echo; echo "== $*"; timeout "${STEP_LIMIT:-300}" "$@" 2>&1 | tail -12; }
echo "machine: $CORES cores; $(uname -sr); $($PY -c 'import sys, numpy; print("Python", sys.version.split()[0], "NumPy", numpy.__version__)')"
first=1
for j in $JOBS; do
  if [ $first = 1 ]; then step "$PY" benchmarks/throughput.py "$N" --jobs "$j" --repeat 1 --breakdown; first=0
  else step "$PY" benchmarks/throughput.py "$N" --jobs "$j" --repeat 1; fi
done
step "$PY" benchmarks/throughput.py $((N < 300 ? N : 300)) --jobs 1 --repeat 1
step "$PY" benchmarks/startup.py --runs 10
[ "${SKIP_MEMORY:-0}" = 1 ] || step "$PY" benchmarks/memory.py 100 $((N * 5))
