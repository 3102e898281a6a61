"""The engine on an assignment of its own (tests/assignments/neuron: one sigmoid neuron), loaded
from a folder outside the grader's tree: numbers (0-d), vectors, integer labels and booleans are
compared, diagnosed and reported, a question graded on several shape groups, and the neuron's
folder is hidden from student code."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from grader.assignment import Trials

HERE = Path(__file__).resolve().parent
NEURON = HERE / "assignments" / "neuron"
EXAMPLES = HERE / "assignments" / "neuron_examples"


@pytest.fixture(scope="module")
def neuron():
    from grader.assignment import load_assignment
    return load_assignment(str(NEURON))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from grader.api import Options, grade
    out = tmp_path_factory.mktemp("neuron") / "out"
    run = grade(EXAMPLES, out, Options(jobs=2), assignment=str(NEURON))
    return {s.student: s for s in run.submissions}, out


def _q(sub, qid):
    return {q.id: q for q in sub.questions}[qid]


def test_a_folder_assignment_loads_by_path_and_says_where(neuron):
    from grader.assignment import load_assignment
    assert neuron.name == "neuron" and Path(neuron.source) == NEURON.resolve()
    with pytest.raises(ValueError, match="no __init__.py"):
        load_assignment(str(HERE / "assignments"))
    with pytest.raises(ValueError, match="installed: hw4"):
        load_assignment("no-such-homework")


def test_numbers_vectors_labels_and_booleans_are_graded(graded):
    by, out = graded
    assert by["correct"].score == 9 and not by["correct"].error
    assert {q.id: q.status for q in by["shapes"].questions} == {
        "1.1": "failed", "1.2": "passed", "2.1": "passed", "2.2": "passed", "2.3": "failed"}
    bad = by["mistakes"]
    assert not bad.error and bad.score == 1
    for sub in by.values():
        html = (out / sub.report).read_text(encoding="utf-8")
        assert "could not grade" not in html


def test_findings_mean_something_for_a_number(graded):
    """A wrong number is always the right one times some factor: never say so; a constant
    factor in every trial is worth saying, of 'your answer', not of 'every element'."""
    by, _ = graded
    loss, grad = _q(by["mistakes"], "1.2"), _q(by["mistakes"], "2.1")
    assert loss.message.startswith("Your answer is 2 times the right value, in every trial")
    assert "elements wrong" not in loss.message and "factor changes" not in loss.message
    assert "factor changes from trial to trial" in grad.message  # a vector: a real finding
    forward = _q(by["mistakes"], "1.1")
    assert "the sigmoid left out" in forward.message and "Your answer is" in forward.message
    assert "is False but should be True" in _q(by["shapes"], "2.3").message


def test_the_scale_finding_of_one_number_per_trial_is_silent(neuron):
    from grader.assignment import student_rng
    from grader.feedback.diagnose import _scale_findings
    q = neuron.question("1.1")
    trials = q.generate(student_rng(0, "x", 0), 12)
    outputs = [np.asarray(e * (1 + t)) for t, e in enumerate(trials.expected)]
    assert _scale_findings(q, trials, outputs, per_trial=True) == []


def test_check_and_its_html_report_on_a_folder_assignment(tmp_path, neuron):
    from click.testing import CliRunner

    from grader.cli import main
    r = CliRunner().invoke(main, ["check", str(EXAMPLES / "mistakes.py"), "--assignment", str(NEURON),
                                  "--html", str(tmp_path / "r.html")])
    assert r.exit_code == 1 and "1/9" in r.output and "Traceback" not in r.output, r.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Your answer is 2 times the right value" in html and "could not grade" not in html


def test_the_assignment_folder_is_hidden_from_student_code(tmp_path, neuron):
    from grader.api import Options, check
    spy = tmp_path / "spy.py"
    spy.write_text((EXAMPLES / "correct.py").read_text() + f'''

def positive(x):
    import os
    seen = os.path.exists({str(NEURON / "__init__.py")!r})
    print("SEEN" if seen else "HIDDEN")
    return np.asarray(x) > 0 if not seen else np.asarray(x) < 0
''')
    res = check(spy, Options(), assignment=neuron)
    assert {q.id: q.status for q in res.questions}["2.3"] == "passed", res.questions[-1].stdout


def test_handout_and_gradescope_bundle_of_a_folder_assignment(tmp_path):
    """What course staff keep in their own repository hands out and bundles like an installed
    assignment: the starter under the assignment's file name, no reference code in the
    handout, the folder inside the bundle as an installable package that grades."""
    import os
    import subprocess
    import sys
    import zipfile

    from grader.course.gradescope import build_bundle
    from grader.course.handout import build_handout
    files = build_handout(tmp_path / "handout", str(NEURON))
    names = {p.name for p in files}
    assert "solution.py" in names and "README.md" in names
    readme = (tmp_path / "handout" / "README.md").read_text(encoding="utf-8")
    assert "--assignment neuron" in readme and "hw4" not in readme and "saturated" not in readme
    zipped, _seed = build_bundle(tmp_path / "ag.zip", str(NEURON), seed=5)
    with zipfile.ZipFile(zipped) as zf:
        zf.extractall(tmp_path / "bundle")
        assert "--assignment neuron" in zf.read("run_autograder").decode()
    src = tmp_path / "bundle" / "cnn-grader"
    assert (src / "reference" / "neuron" / "__init__.py").is_file()
    env = {**os.environ, "PYTHONPATH": str(src)}
    r = subprocess.run([sys.executable, "-m", "grader", "check", str(EXAMPLES / "correct.py"), "--assignment", "neuron",
                        "--json"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout)["score"] == 9


def test_the_readmes_smallest_assignment_grades_as_written(tmp_path):
    """The README's 'Write an assignment' example, taken from the README itself: a folder with
    that __init__.py grades a right and a wrong solution, and names the catalogued mistake."""
    import re

    from grader.api import Options, grade
    readme = (HERE.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Write an assignment"):]
    code = re.search(r"```python\n# my_course/hw1/__init__.py\n(.*?)```", section, re.S).group(1)
    folder = tmp_path / "my_course" / "hw1"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(code)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.py").write_text("import numpy as np\ndef mean(x):\n    return float(np.mean(x))\n"
                                   "def largest(x):\n    return int(np.argmax(x))\n")
    (subs / "bob.py").write_text("import numpy as np\ndef mean(x):\n    return np.sum(x)\n"
                                 "def largest(x):\n    return np.argmin(x)\n")
    run = grade(subs, tmp_path / "out", Options(jobs=1), assignment=str(folder))
    by = {s.student: s for s in run.submissions}
    assert by["alice"].score == 2 and by["bob"].score == 0
    assert "the sum instead of the mean" in by["bob"].questions[0].message


def test_probes_on_the_engines_own_assignment(tmp_path, neuron):
    """An activation probe declared by the neuron folder names the activation a student used
    instead (tanh for the sigmoid), and says nothing of a right answer."""
    from grader.api import Options, check
    f = tmp_path / "tanh.py"
    f.write_text((EXAMPLES / "correct.py").read_text().replace(
        "return 1 / (1 + np.exp(-(np.dot(x, w) + b)))", "return np.tanh(np.dot(x, w) + b)"))
    res = check(f, Options(), assignment=neuron)
    q = {x.id: x for x in res.questions}["1.1"]
    assert q.status == "failed" and "tanh applied to the weighted sum w . x + b" in q.message, q.message
    ok = check(EXAMPLES / "correct.py", Options(), assignment=neuron)
    assert ok.score == 9 and not any(x.notes for x in ok.questions if x.status == "passed")


# --- a question graded on several shape groups (2.2: batches of 6x4, 3x2 and 9x5 inputs) -----------

def _predict_variant(tmp_path, name: str, body: str):
    f = tmp_path / f"{name}.py"
    f.write_text((EXAMPLES / "correct.py").read_text().replace(
        "def predict(X, w, b):\n    return (np.asarray(X) @ w + b > 0).astype(int)", "def predict(X, w, b):\n" + body))
    return f


def test_shape_groups_are_counted_together_and_all_must_pass(tmp_path, neuron):
    """The question's 12 trials come in 3 groups of shapes: a right answer passes all of them,
    counted together; an answer that hard-codes the 6 inputs of the first group (where it is
    right) fails, and so does one wrong only on the third group."""
    from grader.api import Options, check, make_trials
    from grader.assignment import trial_groups
    groups = trial_groups(make_trials(neuron, 0, "x")["2.2"])
    assert [(len(g), g.args["X"].shape[1:]) for g in groups] == [(4, (6, 4)), (4, (3, 2)), (4, (9, 5))]
    ok = {q.id: q for q in check(EXAMPLES / "correct.py", Options(), assignment=neuron).questions}["2.2"]
    assert ok.status == "passed" and ok.trials == 12 and "all 12 trials correct, in 3 sets of input shapes" in ok.message
    six = _predict_variant(tmp_path, "six", "    out = np.zeros(6, dtype=int)\n    for i in range(6):\n"
                                            "        out[i] = int(X[i] @ w + b > 0)\n    return out\n")
    q = {q.id: q for q in check(six, Options(), assignment=neuron).questions}["2.2"]
    assert q.status == "error" and "on trial 5 (random)" in q.message, q.message  # (then the retry's notes)
    # the set of shapes that answered says what the hard-coded 6 did there, never "one short" for 3 short
    assert "only the first 6 entries" in q.message and "too small" in q.message and "one short" not in q.message
    assert q.failure.trial == 4 and np.shape(q.failure.inputs["X"]) == (3, 2)  # (the second group's first)
    last = _predict_variant(tmp_path, "last", "    out = (np.asarray(X) @ w + b > 0).astype(int)\n"
                                              "    if len(X) == 9:\n        out[0] = 1 - out[0]\n    return out\n")
    res = check(last, Options(partial_credit=True), assignment=neuron)
    q = {q.id: q for q in res.questions}["2.2"]
    assert q.status == "failed" and "on trial 9 of 12 (random)" in q.message, q.message
    assert q.failure.trial == 8 and np.shape(q.failure.inputs["X"]) == (9, 5) and np.shape(q.failure.expected) == (9,)
    assert q.score == round(2 * 8 / 12, 6) and "8 of 12 trials passed" in q.message


def test_a_grouped_question_hands_out_its_shapes_and_checks_against_them(tmp_path, neuron):
    """Public cases of a grouped question come from its groups, in turn (the file shows the
    shapes change), and load back as groups that the self-check grades."""
    from grader.api import Options, check
    from grader.course.handout import public_assignment, public_cases
    data = json.loads(json.dumps(public_cases(neuron, 3)))
    cases = next(q for q in data["questions"] if q["id"] == "2.2")["cases"]
    assert [np.shape(c["args"]["X"]) for c in cases] == [(6, 4), (3, 2), (9, 5)]
    asg, trials = public_assignment(data)
    assert isinstance(trials["1.1"], Trials) and [len(g) for g in trials["2.2"]] == [1, 1, 1]
    res = check(EXAMPLES / "correct.py", Options(), assignment=asg, trials=trials)
    assert res.score == 9, [q.message for q in res.questions]
    six = _predict_variant(tmp_path, "six", "    return (np.asarray(X)[:6] @ w + b > 0).astype(int)\n")
    q = {q.id: q for q in check(six, Options(), assignment=asg, trials=trials).questions}["2.2"]
    assert q.status == "failed" and "on trial 3 of 3 (public case 3: random)" in q.message, q.message


def test_shape_groups_are_reproducible_and_made_alike_for_many(neuron):
    """A student's groups are the same made alone or with a class (the reproduce command)."""
    from grader.api import make_trials, make_trials_many
    from grader.assignment import trial_groups
    students = ["a", "b", "c"]
    for student, batch in zip(students, make_trials_many(neuron, 4, students)):
        alone = make_trials(neuron, 4, student)
        for x, y in zip(trial_groups(alone["2.2"]), trial_groups(batch["2.2"])):
            assert all(np.array_equal(x.args[k], y.args[k]) for k in x.args) and np.array_equal(x.expected, y.expected)


def test_trial_groups_of_a_generator(neuron):
    from grader.assignment import share, trial_groups
    t = neuron.question("1.1").generate(np.random.default_rng(0), 3)
    assert trial_groups(t) == (t,)
    empty = dataclasses.replace(t, args={k: v[:0] for k, v in t.args.items()}, expected=t.expected[:0], labels=[])
    assert trial_groups([t, empty, t]) == (t, t)  # (empty groups dropped)
    with pytest.raises(ValueError, match="same arguments"):
        trial_groups([t, dataclasses.replace(t, args={"w": t.args["w"], "x": t.args["x"], "b": t.args["b"]})], "1.1")
    with pytest.raises(ValueError, match="question 9: generate must return"):
        trial_groups([], "9")
    assert share(12, 3) == [4, 4, 4] and share(20, 3) == [7, 7, 6] and share(2, 3) == [1, 1, 0]


def test_a_call_that_hangs_in_a_later_group_is_shown_with_its_inputs(tmp_path, neuron):
    """The question's one timeout covers all its groups; the call that did not finish is
    named among all the trials, with its own group's inputs, in the report too."""
    from click.testing import CliRunner

    from grader.api import Options, check
    from grader.cli import main
    hang = _predict_variant(tmp_path, "hang", "    while np.shape(X)[1] == 5:\n        pass\n"
                                              "    return (np.asarray(X) @ w + b > 0).astype(int)\n")
    q = {q.id: q for q in check(hang, Options(timeout=1), assignment=neuron).questions}["2.2"]
    assert q.status == "timeout" and q.message.endswith("on trial 9 (random)"), q.message
    assert q.failure.trial == 8 and np.shape(q.failure.inputs["X"]) == (9, 5)
    last = _predict_variant(tmp_path, "last", "    out = (np.asarray(X) @ w + b > 0).astype(int)\n"
                                              "    if len(X) == 9:\n        out[0] = 1 - out[0]\n    return out\n")
    r = CliRunner().invoke(main, ["check", str(last), "--assignment", str(NEURON), "--html", str(tmp_path / "r.html")])
    assert r.exit_code == 1 and "Traceback" not in r.output, r.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "could not grade" not in html and "trial 9 (random)" in html


def test_a_grouped_question_made_many_at_a_time(neuron):
    """A generate_many of a grouped question gives each student's groups, as generate does."""
    from grader.api import make_trials, make_trials_many
    from grader.assignment import trial_groups
    gen = neuron.question("2.2").generate
    many = dataclasses.replace(neuron.question("2.2"), generate_many=lambda rngs, n: [list(gen(r, n)) for r in rngs])
    asg = dataclasses.replace(neuron, questions=tuple(many if q.id == "2.2" else q for q in neuron.questions))
    for student, batch in zip(["a", "b"], make_trials_many(asg, 1, ["a", "b"])):
        alone = trial_groups(make_trials(neuron, 1, student)["2.2"])
        assert isinstance(batch["2.2"], tuple) and len(batch["2.2"]) == len(alone) == 3
        assert all(np.array_equal(x.args["X"], y.args["X"]) for x, y in zip(alone, batch["2.2"]))
