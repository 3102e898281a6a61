#!/bin/bash
# Grade a class on a Slurm cluster: one array task per shard, then one merge job.
#
#   rm -rf out-*                                                    # old shards break the merge
#   jobid=$(sbatch --parsable slurm-grade.sh)                       # the shards (array 1-4)
#   sbatch --dependency=afterok:$jobid --wrap "grader merge out-* --out graded"
#
# `--shard auto` reads the task's place in the array (SLURM_ARRAY_TASK_ID, _MIN, _STEP, _COUNT),
# so the array's size is the number of shards and nothing else needs to agree with it.
# afterok waits for every task to succeed: a failed shard never yields a merged gradebook, and
# the merge job then stays PENDING (DependencyNeverSatisfied) until you cancel it or the shard
# is rerun. To rerun one failed shard, requeue that task of the same array:
#   scontrol requeue ${jobid}_2
# (not `sbatch --array=2 slurm-grade.sh`: a new array of one task grades the whole class as 1/1).
# Remove the out-* folders of an earlier array before a new one: `grader merge out-*` would mix them.
# Size the tasks to your nodes (a request larger than any node pends forever, with no error):
#   sbatch --cpus-per-task=4 --mem=4G slurm-grade.sh     (command-line options override these)
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
    --out "out-${SLURM_ARRAY_TASK_ID}" \
    --seed "$SEED" \
    --jobs "${SLURM_CPUS_PER_TASK:-1}" \
    --require-sandbox
