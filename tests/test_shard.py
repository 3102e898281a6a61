"""Sharding (disjoint, covering, deterministic, keyed on the student id) and merging shard outputs."""
from __future__ import annotations

import json
import random
import re
import shutil
import subprocess

import pytest

from conftest import SUBMISSIONS
from grader.course import shard as S
from grader.results import GradingRun, SubmissionResult

NAMES = [f"student{i:04d}.py" for i in range(200)] + ["élodie.py", "bob.zip", "carol", "x.y.py", "A0001"]


def test_parse_shard():
    assert S.parse_shard("2/4") == (2, 4)
    assert S.parse_shard(" 1 / 1 ") == (1, 1)
    for bad, msg in [("0/4", "counts from 1"), ("5/4", "counts from 1"), ("2", "write K/N"), ("a/b", "write K/N"),
                     ("1/0", "at least 1"), ("-1/4", "write K/N")]:
        with pytest.raises(ValueError, match=msg) as exc:
            S.parse_shard(bad)
        assert "--shard" in str(exc.value)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_partition_disjoint_covering_deterministic(n):
    parts = [S.shard(NAMES, k, n) for k in range(1, n + 1)]
    flat = [e for p in parts for e in p]
    assert sorted(flat) == sorted(NAMES)  # covering
    assert len(flat) == len(set(flat))  # disjoint
    shuffled = NAMES[:]
    random.Random(n).shuffle(shuffled)
    assert [S.shard(shuffled, k, n) for k in range(1, n + 1)] == parts  # order of the listing is irrelevant
    # an entry's shard depends on itself alone: runners that list different folders still agree
    more = NAMES + [f"late{i}.py" for i in range(30)]
    for k in range(1, n + 1):
        assert set(S.shard(more, k, n)) & set(NAMES) == set(parts[k - 1])


def test_same_student_same_shard():
    for n in (2, 3, 5, 8):
        assert S.shard_of(S.student_key("bob.py"), n) == S.shard_of(S.student_key("bob.zip"), n) \
            == S.shard_of(S.student_key("bob"), n)
    # NFD and NFC spellings (a macOS copy) are the same student
    assert S.student_key("e\u0301lodie.py") == S.student_key("\u00e9lodie.py")


def test_paths_keyed_like_discovery(tmp_path):
    (tmp_path / "bob.v2").mkdir()
    (tmp_path / "bob.py").write_text("")
    assert S.student_key(tmp_path / "bob.v2") == "bob.v2" and S.student_key(tmp_path / "bob.py") == "bob"
    # every kind of entry discovery reads: the progress count and the grading pick the same students
    for name, sid in (("carol.py.txt", "carol"), ("dan.ipynb", "dan"), ("erin.zip", "erin")):
        (tmp_path / name).write_text("")
        assert S.student_key(tmp_path / name) == S.student_key(name) == sid


def test_balance():
    names = [f"s{i}" for i in range(1000)]
    sizes = [len(S.shard(names, k, 4)) for k in range(1, 5)]
    assert sum(sizes) == 1000 and min(sizes) > 200 and max(sizes) < 300


def _run(subs, **kw) -> GradingRun:
    base = dict(assignment="hw4", title="HW4", assignment_version="1", grader_version="0.1.0", seed=3,
                max_score=20.0, created="2026-01-01T00:00:00+00:00")
    base.update(kw)
    return GradingRun(**base, submissions=[SubmissionResult(student=s, source=f"{s}.py", score=1.0, max_score=20.0,
                                                            error="", report="") for s in subs])


def test_merge_synthetic():
    m = S.merge([_run(["c", "a"]), _run(["b"], created="2026-01-02T00:00:00+00:00")], command="grader merge x y")
    assert [s.student for s in m.submissions] == ["a", "b", "c"]
    assert m.created == "2026-01-02T00:00:00+00:00" and m.command == "grader merge x y" and m.seed == 3


@pytest.mark.parametrize("field,value", [("seed", 4), ("assignment_version", "2"), ("grader_version", "0.2.0"),
                                         ("assignment", "hw5")])
def test_merge_refuses_disagreeing_runs(field, value):
    with pytest.raises(ValueError, match=f"{field} differs") as exc:
        S.merge([_run(["a"]), _run(["b"], **{field: value})], labels=["out-1", "out-2"])
    assert "out-1" in str(exc.value) and "out-2" in str(exc.value)


def test_merge_refuses_a_student_twice():
    with pytest.raises(ValueError, match="'a' is in both out-1 and out-2"):
        S.merge([_run(["a"]), _run(["a", "b"])], labels=["out-1", "out-2"])
    with pytest.raises(ValueError, match="nothing to merge"):
        S.merge([])


def _strip(run):
    return [(s.student, s.source, s.score, s.error, s.seed, [(q.id, q.status, q.score, q.message) for q in s.questions])
            for s in run.submissions]


EXAMPLES = ["correct_loops.py", "mistake_sign_flipped.py", "partial.py", "starter.py", "correct_package",
            "mistake_max_assign.py", "mistake_no_plus_one.py"]


def test_shards_merged_equal_unsharded(tmp_path):
    """Grade a folder whole, and as 3 shards (each its own folder) merged: the same results."""
    from grader.api import Options, grade
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in EXAMPLES:
        src = SUBMISSIONS / name
        (shutil.copytree if src.is_dir() else shutil.copyfile)(src, folder / name)
    opts = Options(seed=9, jobs=2, cache=False) if "cache" in Options.__dataclass_fields__ else Options(seed=9, jobs=2)
    whole = grade(folder, tmp_path / "whole", opts)
    outs = []
    for k in (1, 2, 3):
        part = tmp_path / f"part{k}"
        part.mkdir()
        for entry in S.shard(list(folder.iterdir()), k, 3):
            (shutil.copytree if entry.is_dir() else shutil.copyfile)(entry, part / entry.name)
        if any(part.iterdir()):
            grade(part, tmp_path / f"out{k}", opts)
            outs.append(tmp_path / f"out{k}")
    assert len(outs) >= 2  # the example really is split
    merged = S.merge_outputs(outs, tmp_path / "merged", command="grader merge")
    assert _strip(merged) == _strip(whole)
    on_disk = json.loads((tmp_path / "merged" / "results.json").read_text())
    assert [s["student"] for s in on_disk["submissions"]] == sorted(s.student for s in whole.submissions)
    assert (tmp_path / "merged" / "grades.csv").read_text() == (tmp_path / "whole" / "grades.csv").read_text()
    for s in merged.submissions:  # every report was carried over and its link updated
        assert (tmp_path / "merged" / s.report).is_file()
    assert (tmp_path / "merged" / "index.html").is_file()
    with pytest.raises(ValueError, match="holds no results.json"):
        S.merge_outputs([tmp_path / "part1"], tmp_path / "m2")
    with pytest.raises(ValueError, match="one of the folders to merge"):
        S.merge_outputs(outs, outs[0])


def test_merge_publishes_what_an_unsharded_grading_publishes(tmp_path):
    """merge ends as grade does (grader.outputs.publish): results.json, grades.csv and the
    dashboard are an unsharded grading's, but for when it ran and how long each student took
    (graded apart); each student's line is their shard's, byte for byte.  Graded with --points,
    the dashboard had the assignment's default points (20 where the students had 22)."""
    from grader.api import Options, grade
    from grader.assignment import load_assignment
    asg = load_assignment("hw4").with_points({"2.5": 6})
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in EXAMPLES:
        src = SUBMISSIONS / name
        (shutil.copytree if src.is_dir() else shutil.copyfile)(src, folder / name)
    (folder / "broken.py").write_text("def (:\n")
    opts = Options(seed=9, jobs=1, cache=False)
    grade(folder, tmp_path / "whole", opts, assignment=asg)
    for k in (1, 2):
        grade(folder, tmp_path / f"o{k}", opts, assignment=asg, shard=(k, 2))
    S.merge_outputs([tmp_path / "o1", tmp_path / "o2"], tmp_path / "merged")

    def text(out: str, name: str) -> str:
        t = (tmp_path / out / name).read_text(encoding="utf-8")
        t = re.sub(r'"seconds":[0-9.e-]+', '"seconds":0', t)
        return re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\+00:00", "WHEN", t)
    for name in ("results.json", "grades.csv", "index.html"):
        assert text("merged", name) == text("whole", name), name
    assert "of 22 points" in text("merged", "index.html")
    merged = (tmp_path / "merged" / "results.json").read_text(encoding="utf-8").splitlines()
    shards = [line for k in (1, 2) for line in (tmp_path / f"o{k}" / "results.json").read_text(
        encoding="utf-8").splitlines() if line.startswith('{"student"')]
    assert sorted(line.rstrip(",") for line in merged if line.startswith('{"student"')) == sorted(
        line.rstrip(",") for line in shards)


def test_grade_shard_option(tmp_path):
    from grader.api import Options, grade
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in EXAMPLES[:4]:
        shutil.copyfile(SUBMISSIONS / name, folder / name) if name.endswith(".py") else None
    opts = Options(seed=9, jobs=2)
    runs = [grade(folder, tmp_path / f"o{k}", opts, shard=(k, 2)) for k in (1, 2)]
    got = sorted(s.student for r in runs for s in r.submissions)
    assert got == sorted(p.stem for p in folder.iterdir())
    assert _strip(S.merge(runs)) == _strip(grade(folder, tmp_path / "all", opts))


# --- --shard auto: the job array's own variables ---------------------------------------------

def _slurm(k: int, n: int, first: int = 1, step: int = 1) -> dict[str, str]:
    return {"SLURM_ARRAY_TASK_ID": str(first + (k - 1) * step), "SLURM_ARRAY_TASK_MIN": str(first),
            "SLURM_ARRAY_TASK_MAX": str(first + (n - 1) * step), "SLURM_ARRAY_TASK_STEP": str(step),
            "SLURM_ARRAY_TASK_COUNT": str(n), "SLURM_ARRAY_JOB_ID": "4242"}


def _kubernetes(k: int, n: int) -> dict[str, str]:
    return {"JOB_COMPLETION_INDEX": str(k - 1), S.SHARDS_VAR: str(n), "HOSTNAME": f"grade-{k - 1}-x7"}


def _github(k: int, n: int) -> dict[str, str]:  # as templates/ci/instructor-grade.yml sets them
    return {"GITHUB_ACTIONS": "true", S.INDEX_VAR: str(k - 1), S.SHARDS_VAR: str(n)}


@pytest.mark.parametrize("engine", [_slurm, _kubernetes, _github])
def test_shard_auto_reads_each_engine(engine):
    for n in (1, 3, 8):
        assert [S.parse_shard("auto", engine(k, n)) for k in range(1, n + 1)] == [(k, n) for k in range(1, n + 1)]


def test_shard_auto_slurm_any_first_id_and_step():
    assert [S.parse_shard("auto", _slurm(k, 4, first=0)) for k in (1, 4)] == [(1, 4), (4, 4)]
    assert [S.parse_shard("auto", _slurm(k, 3, first=10, step=5)) for k in (1, 2, 3)] == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("env, words", [
    ({}, "no job array found"),
    ({"JOB_COMPLETION_INDEX": "0"}, "CNN_GRADER_SHARDS"),
    ({"JOB_COMPLETION_INDEX": "4", S.SHARDS_VAR: "4"}, "disagree"),
    ({"JOB_COMPLETION_INDEX": "x", S.SHARDS_VAR: "4"}, "not a whole number"),
    ({**_slurm(1, 4), "SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_MAX": "7"}, "grid"),
    ({S.INDEX_VAR: "-1", S.SHARDS_VAR: "2"}, "disagree"),
])
def test_shard_auto_refuses_what_it_cannot_read(env, words):
    with pytest.raises(ValueError, match=words):
        S.parse_shard("auto", env)


def test_shard_auto_refuses_a_slurm_comma_list_in_every_task():
    """--array=1,3,7: task 1 graded shard 1/3, task 3 shard 3/3, task 7 failed with "shard index
    6 of 3 ... disagree"; now every task refuses and says to submit a range."""
    for task in (1, 3, 7):
        env = {**_slurm(1, 3), "SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MAX": "7"}
        with pytest.raises(ValueError, match=r"from 1 to 7, which is not a range.*--array=1-3.*scontrol requeue"):
            S.parse_shard("auto", env)
    assert S.parse_shard("auto", {**_slurm(2, 3, first=1, step=3)}) == (2, 3)  # --array=1-7:3 is one


def test_shards_run_as_the_engines_run_them_merge_to_the_whole_class(tmp_path):
    """Each engine's N shards, run as it would run them (its variables, `--shard auto`), each on
    the whole folder, merge to exactly the unsharded grading."""
    from grader.api import Options, grade
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in EXAMPLES:
        src = SUBMISSIONS / name
        (shutil.copytree if src.is_dir() else shutil.copyfile)(src, folder / name)
    opts = Options(seed=3, jobs=2)
    whole = _strip(grade(folder, tmp_path / "whole", opts))
    for engine, n in ((_slurm, 3), (_kubernetes, 2), (_github, 4)):
        outs = [tmp_path / f"{engine.__name__}-{k}" for k in range(1, n + 1)]
        for k, out in enumerate(outs, 1):
            grade(folder, out, opts, shard=S.parse_shard("auto", engine(k, n)))
        merged = S.merge_outputs(outs, tmp_path / f"{engine.__name__}-merged")
        assert _strip(merged) == whole, engine.__name__


def test_ci_templates_use_shard_auto():
    from conftest import ROOT
    ci = ROOT / "grader" / "templates" / "ci"
    slurm = (ci / "slurm-grade.sh").read_text()
    assert "--shard auto" in slurm and "#SBATCH --array=" in slurm and "afterok" in slurm
    kube = (ci / "kubernetes-grade.yml").read_text()
    completions = re.search(r"completions: (\d+)", kube)[1]
    assert f'value: "{completions}"     # = spec.completions' in kube and "--shard auto" in kube
    assert "completionMode: Indexed" in kube
    gh = (ci / "instructor-grade.yml").read_text()
    assert "--shard auto" in gh and f"{S.INDEX_VAR}: ${{{{ strategy.job-index }}}}" in gh
    assert f"{S.SHARDS_VAR}: ${{{{ strategy.job-total }}}}" in gh
# --- a complete, consistent set of shards ---------------------------------------------------------

def _shard_run(k, n, subs, **kw):
    return _run(subs, shard=[k, n], **kw)


def test_kubernetes_and_github_templates_say_what_to_size_activate_rerun_and_clean_up():
    """Each cluster template says what to size and activate, how to rerun one shard, and cleans
    up after itself (the Kubernetes Job used every core of the node whatever its request, and
    its Job, pods and shard folders stayed forever)."""
    from conftest import ROOT
    ci = ROOT / "grader" / "templates" / "ci"
    kube = (ci / "kubernetes-grade.yml").read_text()
    cpus = re.search(r'requests: \{cpu: "(\d+)"', kube)[1]
    assert f'name: CPUS\n              value: "{cpus}"     # = resources.requests.cpu' in kube
    assert '--jobs "$CPUS"' in kube and "Insufficient cpu" in kube
    assert "ttlSecondsAfterFinished:" in kube and "rm -rf /work/shards" in kube
    assert "kubectl delete job grade" in kube and "nothing needs\n# activating" in kube
    assert '--out "shards/out-$((JOB_COMPLETION_INDEX + 1))"' in kube and "merge /work/shards/out-*" in kube
    gh = (ci / "instructor-grade.yml").read_text()
    assert "Re-run failed jobs" in gh and "Nothing needs activating" in gh and "Size:" in gh
    assert re.findall(r"retention-days: (\d+)", gh)[:1] == ["7"] and "Clean up:" in gh


def test_merge_refuses_a_missing_shard_and_allow_partial_lists_it():
    with pytest.raises(ValueError, match=r"shard 2/3 missing .*--allow-partial"):
        S.merge([_shard_run(1, 3, ["a"]), _shard_run(3, 3, ["c"])], labels=["o1", "o3"])
    m = S.merge([_shard_run(1, 3, ["a"]), _shard_run(3, 3, ["c"])], allow_partial=True)
    assert m.missing_shards == [2] and [s.student for s in m.submissions] == ["a", "c"] and m.shard == []
    whole = S.merge([_shard_run(k, 3, [s]) for k, s in ((2, "b"), (1, "a"), (3, "c"))])
    assert whole.missing_shards == [] and [s.student for s in whole.submissions] == ["a", "b", "c"]


@pytest.mark.parametrize("runs,msg", [
    ([(1, 2), (1, 2)], r"shard 1/2 is given twice \(o1 and o2\)"),
    ([(1, 2), (2, 3)], "number of shards differs"),
    ([(1, 2), None], "o2 was not graded with --shard"),
])
def test_merge_refuses_doubled_or_mismatched_shards(runs, msg):
    made = [_shard_run(*sp, [f"s{i}"]) if sp else _run([f"s{i}"]) for i, sp in enumerate(runs)]
    with pytest.raises(ValueError, match=msg):
        S.merge(made, labels=["o1", "o2"], allow_partial=True)


def test_merge_refuses_different_rosters():
    with pytest.raises(ValueError, match="roster_digest differs.*same --roster"):
        S.merge([_shard_run(1, 2, ["a"], roster_digest="x"), _shard_run(2, 2, ["b"], roster_digest="y")])


def test_partial_merge_with_a_roster_lists_the_missing_shards_students():
    """With a roster, the students of a missing shard get a row saying so; they never vanish."""
    ids = [f"s{i}" for i in range(12)]
    by = {k: [i for i in ids if S.shard_of(i, 3) == k] for k in (1, 2, 3)}
    assert all(by.values())
    runs = [_shard_run(k, 3, by[k], roster_ids=ids, roster_digest="d") for k in (1, 3)]
    m = S.merge(runs, allow_partial=True)
    assert sorted(s.student for s in m.submissions) == sorted(ids)
    for s in m.submissions:
        assert (s.error == "not graded: shard 2/3 missing from the merge") == (s.student in by[2])


def test_merge_cli_exit_codes_and_the_shard_record(tmp_path):
    """`grader merge` of 1 of 2 shards exited 0 with a partial gradebook; now it is refused
    (exit 2), and --allow-partial merges, lists who is missing and exits 1."""
    import os
    import subprocess
    import sys

    from conftest import ROOT
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copyfile(SUBMISSIONS / "correct_loops.py", folder / "A0001.py")
    roster = tmp_path / "roster.csv"
    ids = ["A0001"] + [f"B{i:03d}" for i in range(8)]
    roster.write_text("student_id,name\n" + "".join(f"{i},Student {i}\n" for i in ids))

    def grader(*args):
        return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True, text=True,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    for k in (1, 2):
        r = grader("grade", folder, "--out", tmp_path / f"out-{k}", "--shard", f"{k}/2", "--roster", roster,
                   "--jobs", "1")
        assert r.returncode == 0, r.stderr
        data = json.loads((tmp_path / f"out-{k}" / "results.json").read_text())
        assert data["shard"] == [k, 2] and len(data["roster_digest"]) == 64 and data["roster_ids"] == sorted(ids)
    r = grader("merge", tmp_path / "out-1", "--out", tmp_path / "m")
    assert r.returncode == 2 and "shard 2/2 missing" in r.stderr and not (tmp_path / "m").exists()
    r = grader("merge", tmp_path / "out-1", tmp_path / "out-1", "--out", tmp_path / "m")
    assert r.returncode == 2 and "given twice" in r.stderr
    r = grader("merge", tmp_path / "out-1", "--out", tmp_path / "m", "--allow-partial")
    assert r.returncode == 1 and "INCOMPLETE" in r.stderr
    missing = [i for i in ids if S.shard_of(i, 2) == 2]
    got = {s["student"]: s["error"] for s in json.loads((tmp_path / "m" / "results.json").read_text())["submissions"]}
    assert sorted(got) == sorted(ids) and all(got[i].startswith("not graded: shard 2/2") for i in missing)
    assert all(i in r.stderr for i in missing)
    r = grader("merge", tmp_path / "out-1", tmp_path / "out-2", "--out", tmp_path / "m")
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "m" / "results.json").read_text())
    assert data["missing_shards"] == [] and sorted(s["student"] for s in data["submissions"]) == sorted(ids)


def test_a_students_several_entries_are_graded_once_in_one_shard(tmp_path):
    """Entries giving one student id (NFC or NFD alike, as shards key them) land in one shard,
    are graded there once from the entry that counts, and merge to the unsharded result."""
    from click.testing import CliRunner

    from grader.api import Options, grade
    from grader.cli import main
    folder = tmp_path / "subs"
    folder.mkdir()
    honest = (SUBMISSIONS / "correct_vectorized.py").read_bytes()
    (folder / "honest.ipynb").write_text('{"cells": [')
    (folder / "honest.py").write_bytes(honest)
    (folder / "\u00e9lodie.py").write_bytes(honest)  # NFC ...
    (folder / "e\u0301lodie.ipynb").write_text('{"cells": [')  # ... and NFD: one student
    for name in ("a", "b", "c", "d"):
        shutil.copyfile(SUBMISSIONS / "partial.py", folder / f"{name}.py")
    opts = Options(seed=9, jobs=1)
    runs = [grade(folder, tmp_path / f"o{k}", opts, shard=(k, 3)) for k in (1, 2, 3)]
    for student in ("honest", "\u00e9lodie"):
        assert sum(c["student"] == student for r in runs for c in r.collisions) == 1
    merged = S.merge_outputs([tmp_path / f"o{k}" for k in (1, 2, 3)], tmp_path / "merged")
    whole = grade(folder, tmp_path / "whole", opts)
    assert _strip(merged) == _strip(whole) and merged.collisions == whole.collisions
    assert [(c["student"], c["counted"]) for c in whole.collisions] == [("honest", "honest.py"), ("\u00e9lodie", "\u00e9lodie.py")]
    assert {s.student: s.score for s in whole.submissions}["\u00e9lodie"] == 20 and len(whole.submissions) == 6
    r = CliRunner().invoke(main, ["grade", str(folder), "--out", str(tmp_path / "cli"), "--jobs", "1"])
    assert r.exit_code == 0, r.output
    assert "2 students gave several entries, graded once from one" in r.output and "honest (honest.py counted)" in r.output


def test_slurm_template_sizes_activates_and_says_how_to_rerun_a_shard():
    """As shipped, the template asked for 8 CPUs and 8G (pending forever on a smaller node),
    never activated the virtual environment, and said nothing of rerunning one shard."""
    from conftest import ROOT
    path = ROOT / "grader" / "templates" / "ci" / "slurm-grade.sh"
    slurm = path.read_text()
    assert "--cpus-per-task=8" not in slurm and "--mem=8G" not in slurm
    assert 'VENV="${VENV:-' in slurm and '. "$VENV/bin/activate"' in slurm
    assert "scontrol requeue" in slurm and "PENDING" in slurm and "shards-$jobid" in slurm
    assert subprocess.run(["bash", "-n", str(path)]).returncode == 0


def test_the_slurm_template_runs_as_an_array_and_its_merge_job_cleans_up(tmp_path):
    """The template as shipped, run as Slurm runs it: each array task in a fresh shell with
    the array's variables, the grader only in the virtual environment; then the merge job's
    --wrap command from the template's own header.  The gradebook equals an unsharded one, the
    array's shard folders are gone, and an earlier array's stale folders are not merged."""
    import os
    import sys

    from conftest import ROOT
    template = ROOT / "grader" / "templates" / "ci" / "slurm-grade.sh"
    subs = tmp_path / "submissions"
    subs.mkdir()
    for name in ("correct_loops.py", "mistake_sign_flipped.py", "partial.py", "mistake_no_plus_one.py"):
        shutil.copyfile(SUBMISSIONS / name, subs / name)
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "grader").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m grader "$@"\n')
    (venv / "grader").chmod(0o755)
    (venv / "activate").write_text(f'export PATH="{venv}:$PATH"\nexport PYTHONPATH="{ROOT}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM") and k != "PYTHONPATH"}
    env["PATH"] = "/usr/bin:/bin"  # no grader on it: only the venv's
    (tmp_path / "shards-76" / "out-3").mkdir(parents=True)  # an earlier array's leftovers
    shutil.copytree(SUBMISSIONS / "correct_package", tmp_path / "shards-76" / "out-3" / "junk")
    for task in (1, 2, 3):
        slurm = {"SLURM_ARRAY_JOB_ID": "77", "SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": "1",
                 "SLURM_ARRAY_TASK_MAX": "3", "SLURM_ARRAY_TASK_STEP": "1", "SLURM_ARRAY_TASK_COUNT": "3",
                 "SLURM_CPUS_PER_TASK": "1"}
        r = subprocess.run(["bash", str(template)], cwd=tmp_path, env={**env, **slurm}, capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, r.stderr
    wrap = re.search(r'--wrap \\\n#\s+"(.*)"', template.read_text())[1].replace("$jobid", "77")
    r = subprocess.run(["bash", "-c", wrap], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "shards-77").exists() and (tmp_path / "shards-76").exists()
    r = subprocess.run([sys.executable, "-m", "grader", "grade", subs, "--out", tmp_path / "whole"], cwd=tmp_path,
                       env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "graded" / "grades.csv").read_bytes() == (tmp_path / "whole" / "grades.csv").read_bytes()
    assert len((tmp_path / "graded" / "grades.csv").read_text().splitlines()) == 1 + 4
    # without the virtual environment: one line saying what to set, not "grader: command not found"
    r = subprocess.run(["bash", str(template)], cwd=tmp_path, env={**env, **slurm, "VENV": str(tmp_path / "none")},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "set VENV=" in r.stderr


def test_merge_with_the_lms_roster_writes_the_whole_classs_lms_file(tmp_path):
    """Each shard's canvas-import.csv is filled for its own students only, and `grader merge`
    wrote none: with --roster it writes the one file an unsharded grading writes."""
    import os
    import subprocess
    import sys

    from conftest import ROOT
    from test_lms import CANVAS
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copyfile(SUBMISSIONS / "correct_vectorized.py", subs / "garciajose_123456_789012_hw4.py")
    shutil.copyfile(SUBMISSIONS / "correct_vectorized.py", subs / "doejane_223456_789013_hw4.py")
    canvas = tmp_path / "canvas.csv"
    canvas.write_bytes(CANVAS.encode("utf-8"))

    def grader(*args):
        return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True, text=True,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    r = grader("grade", subs, "--out", tmp_path / "whole", "--roster", canvas, "--jobs", "2")
    assert r.returncode == 0, r.stderr
    for k in (1, 2):
        r = grader("grade", subs, "--out", tmp_path / f"out-{k}", "--shard", f"{k}/2", "--roster", canvas, "--jobs", "1")
        assert r.returncode == 0, r.stderr
    r = grader("merge", tmp_path / "out-1", tmp_path / "out-2", "--out", tmp_path / "m", "--roster", canvas)
    assert r.returncode == 0, r.stderr
    assert "canvas-import.csv: your Canvas gradebook" in r.stdout
    assert (tmp_path / "m" / "canvas-import.csv").read_bytes() == (tmp_path / "whole" / "canvas-import.csv").read_bytes()
    r = grader("merge", tmp_path / "out-1", tmp_path / "out-2", "--out", tmp_path / "m2", "--lms-column", "Quiz 9")
    assert r.returncode == 2 and "'Quiz 9' matches no column" in r.stderr  # (the shards' export, read again)


def _cli(tmp_path, cwd):
    import os
    import sys

    from conftest import ROOT

    def grader(*args):
        return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True, text=True,
                              cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    return grader


CANVAS_CLASS = ('"Seven, Ann",723456,A0007,ann@uni.edu,Sec 2,,5,90\r\n')  # (A0007: shard 1 of 2, the others' 2)


def _canvas_class(tmp_path):
    """Four submissions (mistakes among them) of a Canvas class of five, downloaded as Canvas
    names them; shard 1 of 2 holds one submitter and the absent student, shard 2 the others."""
    from test_lms import CANVAS
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copyfile(SUBMISSIONS / "correct_vectorized.py", subs / "garciajose_123456_789012_hw4.py")
    shutil.copyfile(SUBMISSIONS / "mistake_sign_flipped.py", subs / "doejane_223456_789013_hw4.py")
    shutil.copyfile(SUBMISSIONS / "partial.py", subs / "othershard_423456_789014_hw4.py")
    shutil.copyfile(SUBMISSIONS / "mistake_no_plus_one.py", subs / "sevenann_723456_789015_hw4.py")
    course = tmp_path / "course"
    course.mkdir()
    (course / "canvas.csv").write_bytes((CANVAS + CANVAS_CLASS).encode("utf-8"))
    assert {S.shard_of(i, 2) for i in ("A0001", "223456", "A0004")} == {2} and S.shard_of("A0007", 2) == 1
    return subs, course


def _same_outputs(a, b, lms="canvas-import.csv"):
    for name in (lms, "grades.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_merge_writes_the_lms_file_with_the_course_files_lms_keys_as_one_unsharded_run(tmp_path):
    """A class graded by a course file whose [lms] names the Canvas export, a new column and
    "blank" for the absent: graded whole, and as 2 shards merged with no option at all (from
    the course folder, and from elsewhere): byte-identical LMS files and gradebooks.  Before,
    merge wrote no LMS file, and given --roster it filled the assignment's own column with 0s."""
    subs, course = _canvas_class(tmp_path)
    (course / "grader.toml").write_text('[grading]\nseed = 3\n[lms]\nroster = "canvas.csv"\n'
                                        'column = "Homework 4 auto"\nnew_column = true\nmissing = "blank"\n')
    grader = _cli(tmp_path, course)
    r = grader("grade", subs, "--out", tmp_path / "whole", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    assert "'Homework 4 auto' (new)" in r.stdout  # the course file's new column, and its name
    for k in (1, 2):
        r = grader("grade", subs, "--out", tmp_path / f"out-{k}", "--shard", f"{k}/2", "--jobs", "1")
        assert r.returncode == 0, r.stderr
    shard_lms = [(tmp_path / f"out-{k}" / "canvas-import.csv").read_bytes() for k in (1, 2)]
    whole = (tmp_path / "whole" / "canvas-import.csv").read_bytes()
    assert whole not in shard_lms  # each shard's is filled for its own students only
    r = grader("merge", tmp_path / "out-1", tmp_path / "out-2", "--out", tmp_path / "merged")
    assert r.returncode == 0, r.stderr
    assert "canvas-import.csv: your Canvas gradebook" in r.stdout
    _same_outputs(tmp_path / "whole", tmp_path / "merged")
    policy = json.loads((tmp_path / "merged" / "results.json").read_text())["policy"]
    assert (policy["lms_column"], policy["lms_new_column"], policy["lms_missing"]) == ("Homework 4 auto", True, "blank")
    away = _cli(tmp_path, tmp_path)  # no course file here: the shards' record is enough
    r = away("merge", tmp_path / "out-1", tmp_path / "out-2", "--out", tmp_path / "merged2")
    assert r.returncode == 0, r.stderr
    _same_outputs(tmp_path / "whole", tmp_path / "merged2")
    # an option still wins over what the shards used
    r = away("merge", tmp_path / "out-1", tmp_path / "out-2", "--out", tmp_path / "merged3", "--lms-missing", "zero")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "merged3" / "canvas-import.csv").read_bytes() != whole
    assert (tmp_path / "merged3" / "grades.csv").read_bytes() == (tmp_path / "whole" / "grades.csv").read_bytes()


def test_merge_keeps_the_lms_flags_the_shards_were_graded_with(tmp_path):
    """Shards graded with flags (--roster, --lms-column of another column, --lms-missing blank)
    and merged with none: the LMS file and gradebook of the unsharded run with the same flags."""
    subs, course = _canvas_class(tmp_path)
    grader = _cli(tmp_path, tmp_path)
    flags = ["--roster", course / "canvas.csv", "--lms-column", "Quiz 1", "--lms-missing", "blank", "--seed", "5"]
    r = grader("grade", subs, "--out", tmp_path / "whole", "--jobs", "2", *flags)
    assert r.returncode == 0, r.stderr
    for k in (1, 2):
        r = grader("grade", subs, "--out", tmp_path / f"out-{k}", "--shard", f"{k}/2", "--jobs", "1", *flags)
        assert r.returncode == 0, r.stderr
    r = grader("merge", tmp_path / "out-1", tmp_path / "out-2", "--out", tmp_path / "merged")
    assert r.returncode == 0, r.stderr
    assert "'Quiz 1 (99)'" in r.stdout
    _same_outputs(tmp_path / "whole", tmp_path / "merged")
    # another class list than the shards' is refused
    other = tmp_path / "other.csv"
    from test_lms import CANVAS
    other.write_text((CANVAS + CANVAS_CLASS).replace("A0004", "A0009"), encoding="utf-8")
    r = grader("merge", tmp_path / "out-1", tmp_path / "out-2", "--out", tmp_path / "m2", "--roster", other)
    assert r.returncode == 2 and "not the class list the shards were graded with" in r.stderr
    assert not (tmp_path / "m2").exists()


def test_merge_reads_a_named_course_files_lms_keys_for_shards_graded_without_an_export(tmp_path):
    """Shards graded with no LMS export: `merge --config` fills the course file's [lms] roster;
    LMS options without any export are one line, exit 2."""
    subs, course = _canvas_class(tmp_path)
    grader = _cli(tmp_path, tmp_path)
    for k in (1, 2):
        r = grader("grade", subs, "--out", tmp_path / f"out-{k}", "--shard", f"{k}/2", "--jobs", "1")
        assert r.returncode == 0, r.stderr
    r = grader("merge", tmp_path / "out-1", tmp_path / "out-2", "--out", tmp_path / "m", "--lms-column", "HW4")
    assert r.returncode == 2 and "give it as --roster" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    (course / "grader.toml").write_text('[lms]\nroster = "canvas.csv"\nmissing = "blank"\n')
    r = grader("merge", tmp_path / "out-1", tmp_path / "out-2", "--out", tmp_path / "m", "--config",
               course / "grader.toml")
    assert r.returncode == 0, r.stderr
    rows = (tmp_path / "m" / "canvas-import.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[4].startswith('"Nosub, Eve",323456') and rows[4].split(",")[6] == ""  # blank: no submission


def test_merge_refuses_shards_graded_under_different_policies():
    runs = [_run(["a"]), _run(["b"])]
    runs[0].policy = {"partial_credit": False, "late_rule": "none", "config": "/n1/grader.toml"}
    runs[1].policy = {"partial_credit": True, "late_rule": "none", "config": "/n2/grader.toml"}
    with pytest.raises(ValueError, match="policy's partial_credit differs"):
        S.merge(runs)
    runs[1].policy["partial_credit"] = False  # (the course file's path may differ between runners)
    assert [s.student for s in S.merge(runs).submissions] == ["a", "b"]
