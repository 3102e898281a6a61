#!/bin/bash
# Grade a class on a Slurm cluster: one array task per shard, then one merge job.
#
#   jobid=$(sbatch --parsable slurm-grade.sh)                       # the shards (array 1-4)
#   sbatch --dependency=afterok:$jobid --wrap "grader merge out-* --out graded"
#
# `--shard auto` reads the task's place in the array (SLURM_ARRAY_TASK_ID, _MIN, _STEP, _COUNT),
# so the array's size is the number of shards and nothing else needs to agree with it.
# afterok waits for every task to succeed: a failed shard never yields a merged gradebook.
# Run from the folder that holds submissions/ (and roster.csv, if you pass --roster).
#SBATCH --job-name=grade
#SBATCH --array=1-4
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=01:00:00
#SBATCH --output=grade-%A_%a.log
set -euo pipefail

SEED="${SEED:-0}"  # sbatch --export=ALL,SEED=7 slurm-grade.sh ; keep it to reproduce a grading
grader grade submissions \
    --shard auto \
    --out "out-${SLURM_ARRAY_TASK_ID}" \
    --seed "$SEED" \
    --jobs "${SLURM_CPUS_PER_TASK:-1}" \
    --require-sandbox
