#!/bin/bash
# Grade a class on a Slurm cluster: one array task per shard, then one merge job.
#
#   jobid=$(sbatch --parsable slurm-grade.sh)                       # the shards (array 1-4)
#   sbatch --dependency=afterok:$jobid --wrap \
#       ". .venv/bin/activate && grader merge shards-$jobid/out-* --out graded && rm -rf shards-$jobid"
#
# `--shard auto` reads the task's place in the array (SLURM_ARRAY_TASK_ID, _MIN, _STEP, _COUNT),
# so the array's size is the number of shards and nothing else needs to agree with it. Give a
# range (--array=1-8, or 1-15:2); a list such as --array=1,3,7 is refused by every task.
# Each array writes its shards into a folder of its own, shards-JOBID/out-K: an earlier array's
# folders can never be merged with this one's, and the merge job removes its array's folder once
# the merged gradebook is written (the merge copies every report; grade-*.log files stay).
# afterok waits for every task to succeed: a failed shard never yields a merged gradebook, and
# the merge job then stays PENDING (DependencyNeverSatisfied) until you cancel it or the shard
# is rerun. To rerun one failed shard, requeue that task of the same array:
#   scontrol requeue ${jobid}_2
# (not `sbatch --array=2 slurm-grade.sh`: a new array of one task grades the whole class as 1/1).
# Size the tasks to your nodes (a request larger than any node pends forever, with no error;
# `sinfo -o "%n %c %m"` lists each node's CPUs and memory); --jobs follows --cpus-per-task:
#   sbatch --cpus-per-task=4 --mem=4G slurm-grade.sh     (command-line options override these)
# Activate: each task starts a fresh shell, so the script activates $VENV (default ./.venv, the
# README's; sbatch --export=ALL,VENV=/path/to/venv slurm-grade.sh for another), and so must the
# merge job's --wrap (as above).
# Run from the folder that holds submissions/ (and roster.csv, if you pass --roster).
#SBATCH --job-name=grade
#SBATCH --array=1-4
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=01:00:00
#SBATCH --output=grade-%A_%a.log
set -euo pipefail

SEED="${SEED:-0}"            # sbatch --export=ALL,SEED=7 slurm-grade.sh ; keep it to reproduce a grading
VENV="${VENV:-$PWD/.venv}"   # the virtual environment the grader is installed in
SUBMISSIONS="${SUBMISSIONS:-submissions}"
if [ -f "$VENV/bin/activate" ]; then
    # shellcheck disable=SC1091
    . "$VENV/bin/activate"   # each task starts a fresh shell: without this, "grader: command not found"
fi
command -v grader >/dev/null || { echo "grader not found: set VENV=/path/to/venv (pip install cnn-grader there)" >&2; exit 2; }
grader grade "$SUBMISSIONS" \
    --shard auto \
    --out "shards-${SLURM_ARRAY_JOB_ID}/out-${SLURM_ARRAY_TASK_ID}" \
    --seed "$SEED" \
    --jobs "${SLURM_CPUS_PER_TASK:-1}" \
    --require-sandbox
