"""The student handout (no reference code in it), the public self-check, and the Gradescope bundle."""
from __future__ import annotations

import ast
import base64
import csv
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, SUBMISSIONS
from grader.course import handout as H

REFERENCE = ROOT / "reference" / "hw4"
# Names that exist only in the reference: none may reach a student.
MARKERS = ("conv_preactivation", "sliding_window_view", "max_pool_argmax", "tie_free", "PRE_MAX", "MIN_GAP")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout") / "hw4-handout"
    return out, H.build_handout(out)


def _all_texts(folder: Path) -> dict[str, str]:
    return dict(H._texts(folder))


def test_handout_files(built):
    out, files = built
    names = sorted(p.relative_to(out).as_posix() for p in files)
    wheel = next(n for n in names if n.endswith(".whl"))
    assert names == sorted([".github/workflows/selfcheck.yml", "README.md", "hw4.py", "public_tests.json", wheel])
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "grader check hw4.py" in readme and f"pip install {wheel}" in readme
    for status in ("passed", "failed", "error", "timeout", "missing"):
        assert f"`{status}`" in readme
    assert "fresh" in readme and "grad_conv_max_pool(y, dE_dz)" in readme
    starter = (out / "hw4.py").read_text(encoding="utf-8")
    assert starter.count("\n    raise NotImplementedError\n") == 9
    compile(starter, "hw4.py", "exec")
    assert "grader check hw4.py --public public_tests.json" in (out / ".github/workflows/selfcheck.yml").read_text()


def test_handout_holds_no_reference_code(built):
    out, _ = built
    texts = _all_texts(out)
    assert not [n for n in texts if "reference/" in n or n.endswith("model.py") or n.endswith("questions.py")]
    present = [m for m in MARKERS if any(m in p.read_text() for p in REFERENCE.glob("*.py"))]
    assert len(present) >= 3  # the markers do describe the reference
    for name, text in texts.items():
        for m in present:
            assert m not in text, f"{name} contains {m}"
        if not name.startswith("cnn_grader-"):  # the starter, README and cases: no NumPy kernels either
            assert "einsum" not in text and "sliding_window" not in text, name
    # the reference's own body of Q2.5, line by line
    src = (REFERENCE / "model.py").read_text()
    fn = next(n for n in ast.parse(src).body if isinstance(n, ast.FunctionDef) and n.name == "grad_conv_max_pool")
    body = [ln.strip() for ln in ast.get_source_segment(src, fn).splitlines()[1:]]
    body = [ln for ln in body if len(ln) >= 15 and not ln.startswith(('"""', "Q2.5"))]
    assert body
    for name, text in texts.items():
        lines = {ln.strip() for ln in text.splitlines()}
        assert not lines & set(body), name
    # and every distinctive code line of the whole reference package
    assert len(H.reference_fingerprints()) > 50
    assert H.leaks(out) == []


def test_leak_check_catches_reference_code(tmp_path):
    (tmp_path / "notes.py").write_text((REFERENCE / "model.py").read_text())
    assert H.leaks(tmp_path)
    with zipfile.ZipFile(tmp_path / "x.whl", "w") as zf:
        zf.writestr("reference/hw4/__init__.py", "")
    assert any("x.whl!reference/" in f for f in H.leaks(tmp_path))


def test_wheel_is_a_valid_student_edition(built):
    out, files = built
    whl = next(p for p in files if p.suffix == ".whl")
    with zipfile.ZipFile(whl) as zf:
        names = zf.namelist()
        assert "grader/cli.py" in names and "grader/templates/report.html.j2" in names
        assert not [n for n in names if n.startswith("reference") or "__pycache__" in n]
        info = next(n for n in names if n.endswith(".dist-info/RECORD")).rsplit("/", 1)[0]
        meta = zf.read(f"{info}/METADATA").decode()
        assert "Name: cnn-grader" in meta and "Requires-Dist: numpy" in meta
        assert "grader = grader.entry:main" in zf.read(f"{info}/entry_points.txt").decode()
        for row in csv.reader(io.StringIO(zf.read(f"{info}/RECORD").decode())):
            if row[1]:
                digest = base64.urlsafe_b64encode(hashlib.sha256(zf.read(row[0])).digest()).rstrip(b"=").decode()
                assert row[1] == f"sha256={digest}" and int(row[2]) == len(zf.read(row[0]))
    again = H.build_student_wheel(out.parent / "again")
    assert again.read_bytes() == whl.read_bytes()  # reproducible


def test_public_cases(built):
    out, _ = built
    data = H.load_public(out / H.PUBLIC_FILE)
    assert data == H.public_cases()  # deterministic
    from grader.assignment import load_assignment
    asg = load_assignment("hw4")
    assert [q["id"] for q in data["questions"]] == [q.id for q in asg.questions]
    for q in data["questions"]:
        assert len(q["cases"]) == 2 and q["cases"][0]["label"] == "random"
        assert q["cases"][1]["label"].startswith("edge")
    # the public inputs are none of the inputs a grading seed produces
    from grader.api import make_trials
    for seed in (0, 1, 7):
        for student in ("alice", "hw4"):
            trials = make_trials(asg, seed, student)
            for q in data["questions"][1:]:
                arg = q["params"][0]
                graded = trials[q["id"]].args[arg]
                for c in q["cases"]:
                    assert not any(np.array_equal(np.asarray(c["args"][arg]), g) for g in graded)


def test_load_public_errors(tmp_path):
    (tmp_path / "x.json").write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="not a cnn-grader public test file"):
        H.load_public(tmp_path / "x.json")
    with pytest.raises(ValueError, match="no such file"):
        H.load_public(tmp_path / "nope.json")
    (tmp_path / "y.json").write_text("{")
    with pytest.raises(ValueError, match="y.json"):
        H.load_public(tmp_path / "y.json")


def _hard_coder(cases_file: Path) -> str:
    """A submission that returns the public answers it memorized, and zeros otherwise."""
    data = json.loads(cases_file.read_text())
    table = {q["function"]: [(list(c["args"].values()), c["expected"]) for c in q["cases"]] for q in data["questions"]}
    return textwrap.dedent(f"""
        import numpy as np
        _TABLE = {table!r}

        def _lookup(name, args):
            for given, answer in _TABLE[name]:
                if len(given) == len(args) and all(np.allclose(np.asarray(a, dtype=float), np.asarray(g, dtype=float))
                                                   for a, g in zip(args, given)):
                    return np.asarray(answer)
            return np.zeros_like(np.asarray(_TABLE[name][0][1]))

        def _make(name):
            return lambda *args: _lookup(name, args)

        for _name in _TABLE:
            globals()[_name] = _make(_name)
        """)


def test_hard_coding_passes_public_check_but_not_grading(built, tmp_path):
    out, _ = built
    cases = out / H.PUBLIC_FILE
    cheat = tmp_path / "cheat.py"
    cheat.write_text(_hard_coder(cases))
    public = H.check_public(cheat, cases)
    assert public.passed_all and public.score == public.max_score == 20
    assert all(q.message.startswith(H.PUBLIC_TAG) for q in public.questions)
    from grader.api import Options, check
    real = check(cheat, Options(seed=11))
    assert real.score == 0 and all(q.status == "failed" for q in real.questions)


def test_public_check_verdicts(built):
    out, _ = built
    cases = out / H.PUBLIC_FILE
    good = H.check_public(SUBMISSIONS / "correct_float32.py", cases)  # float32 passes the saturated edge case
    assert good.score == 20
    partial = H.check_public(SUBMISSIONS / "partial.py", cases)
    assert partial.score == 6 and {q.status for q in partial.questions[4:]} == {"missing"}
    wrong = H.check_public(SUBMISSIONS / "mistake_sign_flipped.py", cases)
    bad = {q.id: q for q in wrong.questions if q.status != "passed"}
    assert set(bad) == {"2.1", "2.2"} and "public case 1" in bad["2.1"].message
    with pytest.raises(ValueError, match="no such file"):
        H.check_public(SUBMISSIONS / "nonexistent.py", cases)
    assert "18 public cases" in H.public_notice(cases)


# --- check --public is check on the public cases (it had drifted: its own copy of api.check) ---

def test_public_check_names_the_student_as_check_does(built, tmp_path):
    """A Windows editor's ``hw4.py.txt`` was student ``hw4.py`` under --public, ``hw4`` in check."""
    from grader.api import check
    out, _ = built
    sub = tmp_path / "Zoë_hw4.py.txt"
    sub.write_text(CORRECT_SOURCE(), encoding="utf-8")
    public = H.check_public(sub, out / H.PUBLIC_FILE)
    assert public.student == check(sub).student == "Zoë_hw4" and public.score == 20
    assert any(".py.txt" in n for n in public.notes)  # the notes about the file, as check gives them


def test_public_check_turns_a_failure_of_the_grader_into_the_files_result(built, monkeypatch):
    """A grader failure on one file is that file's error result, as in check (it raised)."""
    import grader.api
    import grader.judge.score
    out, _ = built

    def broken(*a, **k):
        raise ZeroDivisionError("a bug of ours")
    for module in (grader.api, grader.judge.score):  # (wherever it is called from)
        monkeypatch.setattr(module, "score_submission", broken)
    res = H.check_public(SUBMISSIONS / "correct_loops.py", out / H.PUBLIC_FILE)
    assert res.score == 0 and "the grader could not grade this submission (ZeroDivisionError" in res.error
    assert all(q.message.startswith(H.PUBLIC_TAG) for q in res.questions)


def test_public_check_gives_partial_credit(built, tmp_path):
    """--partial-credit: a failed question scores points x the fraction of its cases passed (it
    was all or nothing under --public)."""
    from grader.api import Options
    out, _ = built
    data = json.loads((out / H.PUBLIC_FILE).read_text(encoding="utf-8"))
    q = next(q for q in data["questions"] if q["id"] == "1.2")
    assert len(q["cases"]) == 2
    for key in ("expected", "expected_for_float32_inputs"):  # its second case: an answer nobody gives
        q["cases"][1][key] = (np.asarray(q["cases"][1][key]) + 1).tolist()
    cases = tmp_path / H.PUBLIC_FILE
    cases.write_text(json.dumps(data), encoding="utf-8")
    sub = SUBMISSIONS / "correct_vectorized.py"
    whole = {q.id: q for q in H.check_public(sub, cases).questions}
    part = {q.id: q for q in H.check_public(sub, cases, Options(partial_credit=True)).questions}
    assert whole["1.2"].status == part["1.2"].status == "failed"
    assert whole["1.2"].score == 0 and part["1.2"].score == q["points"] / 2
    assert part["1.1"].score == whole["1.1"].score == 1


def CORRECT_SOURCE() -> str:
    return (SUBMISSIONS / "correct_vectorized.py").read_text(encoding="utf-8")


def test_student_install_checks_without_reference(built, tmp_path):
    """The wheel alone (no reference package importable) self-checks against the public cases."""
    out, files = built
    whl = next(p for p in files if p.suffix == ".whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(whl) as zf:
        zf.extractall(site)
    (tmp_path / "hw4.py").write_bytes((SUBMISSIONS / "correct_loops.py").read_bytes())
    code = textwrap.dedent(f"""
        import sys
        sys.modules["reference"] = None  # as in a student's install: there is no reference package
        import grader, grader.course.handout as h
        assert grader.__file__.startswith({str(site)!r}), grader.__file__
        assert not h.reference_available("hw4")
        cases = h.find_public_cases(__import__("pathlib").Path("hw4.py"))
        res = h.check_public("hw4.py", cases)
        print(res.score, res.isolation, cases)
        """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    (tmp_path / H.PUBLIC_FILE).write_bytes((out / H.PUBLIC_FILE).read_bytes())
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    score, _isolation, found = r.stdout.split()
    assert float(score) == 20 and found == H.PUBLIC_FILE


def test_build_handout_refuses_a_used_folder(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not empty"):
        H.build_handout(tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


# --- Gradescope bundle --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    from grader.course.gradescope import build_bundle
    path, seed = build_bundle(tmp_path_factory.mktemp("gs") / "autograder.zip", seed=1234)
    return path, seed


def test_bundle_layout(bundle, tmp_path):
    path, seed = bundle
    assert seed == 1234
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        for top in ("setup.sh", "run_autograder"):  # at the root, executable
            assert top in names
            assert stat.S_IMODE(zf.getinfo(top).external_attr >> 16) == 0o755
        assert "cnn-grader/pyproject.toml" in names and "cnn-grader/reference/hw4/model.py" in names
        assert "cnn-grader/grader/cli.py" in names and "cnn-grader/grader/templates/report.html.j2" in names
        assert not [n for n in names if "__pycache__" in n]
        run = zf.read("run_autograder").decode()
        setup = zf.read("setup.sh").decode()
        config = json.loads(zf.read("cnn-grader.json"))
        zf.extractall(tmp_path)
    assert "/results/results.json" in run and "submission_metadata.json" in run and "--config" in run
    assert "1234" not in run  # the seed is in the root-only course file, not in a script students may read
    assert "pip install --no-cache-dir" in setup and 'rm -rf "$SRC"' in setup
    assert config["seed"] == 1234 and config["assignment"] == "hw4"
    assert "seed = 1234" in (tmp_path / "grader.toml").read_text()
    with zipfile.ZipFile(path) as zf:
        for secret in ("grader.toml", "cnn-grader.json"):
            assert stat.S_IMODE(zf.getinfo(secret).external_attr >> 16) == 0o600
    for script in ("setup.sh", "run_autograder"):
        r = subprocess.run(["bash", "-n", str(tmp_path / script)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    from grader.course.config import _toml
    tomllib = _toml()  # (tomli on Python 3.10)
    pyproject = tomllib.loads((tmp_path / "cnn-grader" / "pyproject.toml").read_text())
    assert {"grader", "reference", "reference.hw4"} <= set(pyproject["tool"]["setuptools"]["packages"])


def test_run_autograder_writes_results(bundle, tmp_path):
    """Run the bundle's run_autograder on a fake /autograder (the grader from the bundle's source tree)."""
    path, seed = bundle
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(path) as zf:
        zf.extractall(root / "source")
    (root / "submission" / "hw4.py").write_bytes((SUBMISSIONS / "mistake_max_assign.py").read_bytes())
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "Alice@Uni.edu", "id": 7}]}))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "CNN_GRADER_PYTHON": sys.executable,
           "PYTHONPATH": str(root / "source" / "cnn-grader"),
           "CNN_GRADER_CONFIG": str(root / "source" / "grader.toml")}
    env.pop("GITHUB_STEP_SUMMARY", None)
    r = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                       cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    from test_formats import assert_gradescope_schema
    assert_gradescope_schema(results)
    from grader.api import Options, check
    expected = check(root / "submission", Options(seed=seed), student="alice@uni.edu")
    assert results["score"] == expected.score == 16
    assert results["extra_data"]["student"] == "alice@uni.edu"
    # the documented regrade, with the email as Gradescope shows it, reproduces the same inputs
    from grader.api import make_trials
    from grader.assignment import load_assignment
    asg = load_assignment("hw4")
    for q in asg.questions:
        a, b = make_trials(asg, seed, "Alice@Uni.edu")[q.id], make_trials(asg, seed, results["extra_data"]["student"])[q.id]
        assert all((a.args[k] == b.args[k]).all() for k in a.args)
    assert [t["status"] for t in results["tests"]].count("failed") == 1
    # the grader cannot start: Gradescope still gets a result that says so
    env["CNN_GRADER_PYTHON"] = str(tmp_path / "no-python")
    r = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                       timeout=60)
    failed = json.loads((root / "results" / "results.json").read_text())
    assert failed["score"] == 0 and "could not run" in failed["output"]


@pytest.mark.skipif(not (sys.platform.startswith("linux") and os.geteuid() == 0), reason="setup.sh runs as root")
def test_setup_sh_installs_and_locks_the_reference(bundle, tmp_path):
    """setup.sh as Gradescope runs it: the grader installs, its source copy is gone, and the
    installed grader and reference are readable by root alone (the sandbox's uid cannot)."""
    path, _seed = bundle
    src = tmp_path / "source"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(src)
    prefix, home, tmp = tmp_path / "opt", tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    private = tmp_path / "private"
    env = {**os.environ, "CNN_GRADER_PREFIX": str(prefix), "HOME": str(home), "TMPDIR": str(tmp),
           "XDG_CACHE_HOME": str(home / ".cache"), "CNN_GRADER_PRIVATE": str(private)}
    env.pop("PIP_CACHE_DIR", None)
    env.pop("PIP_NO_CACHE_DIR", None)
    r = subprocess.run(["bash", str(src / "setup.sh")], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert not (src / "cnn-grader").exists()
    # no copy of the reference outside the locked site-packages: not in pip's cache (a wheel
    # holds it), not in the temporary folders, not beside the submission
    marker = (REFERENCE / "model.py").read_bytes()[:400]
    for where in (home, tmp, src):
        for p in where.rglob("*"):
            if p.is_file():
                if zipfile.is_zipfile(p):
                    with zipfile.ZipFile(p) as zf:
                        assert not [n for n in zf.namelist() if n.startswith("reference/")], p
                assert marker not in p.read_bytes(), p
    # the seed is root's alone: not in the source folder nor in the virtual environment (which
    # the sandbox mounts), but in a 0700 folder of root's, files 0600
    assert not (src / "grader.toml").exists() and not (src / "cnn-grader.json").exists()
    assert not list(prefix.rglob("grader.toml")) and stat.S_IMODE(private.stat().st_mode) == 0o700
    for secret in ("grader.toml", "cnn-grader.json"):
        st = (private / secret).stat()
        assert stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == 0
    assert "seed = 1234" in (private / "grader.toml").read_text()
    site = subprocess.run([str(prefix / "bin" / "python"), "-I", "-c",
                           "import os, reference; print(os.path.dirname(os.path.dirname(reference.__file__)))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    for name in ("reference", "grader"):
        for p in [Path(site) / name, *(Path(site) / name).rglob("*")]:
            assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, p


# --- the student edition's command line -----------------------------------------------------------

@pytest.fixture(scope="module")
def student_site(built, tmp_path_factory):
    """The handout's wheel unpacked as a student's site-packages (no reference package)."""
    out, files = built
    site = tmp_path_factory.mktemp("student-site")
    with zipfile.ZipFile(next(p for p in files if p.suffix == ".whl")) as zf:
        zf.extractall(site)
    return site


def _student_grader(site: Path, cwd: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """`grader ARGS` as the student edition runs it: the wheel's code alone, no reference importable."""
    code = ("import sys; sys.modules['reference'] = None; import grader.cli as c; "
            f"assert c.__file__.startswith({str(site)!r}), c.__file__; sys.argv[0] = 'grader'; c.main()")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GITHUB_STEP_SUMMARY")}
    env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_student_edition_help_lists_only_what_works(student_site, tmp_path):
    r = _student_grader(student_site, tmp_path, "--help")
    assert r.returncode == 0, r.stderr
    commands = [line.split()[0] for line in r.stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert commands == ["check", "starter"], r.stdout
    assert "not your grade" in r.stdout and "--version" in r.stdout
    r = _student_grader(student_site, tmp_path, "check", "--help")
    assert r.returncode == 0 and "--reveal" not in r.stdout and "--public" in r.stdout
    r = _student_grader(student_site, tmp_path, "grade", "subs", "--out", "o")  # hidden, and says why
    assert r.returncode == 2 and "student edition" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_student_edition_check_says_not_the_grade_and_never_reveals(built, student_site, tmp_path):
    out, _ = built
    (tmp_path / H.PUBLIC_FILE).write_bytes((out / H.PUBLIC_FILE).read_bytes())
    (tmp_path / "hw4.py").write_bytes((SUBMISSIONS / "mistake_max_assign.py").read_bytes())
    r = _student_grader(student_site, tmp_path, "check", "hw4.py", "--reveal")
    assert r.returncode == 2 and "--reveal" in r.stderr and "student edition" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    r = _student_grader(student_site, tmp_path, "check", "hw4.py", "--html", "r.html")
    assert r.returncode == 1, r.stderr
    assert "on the public cases only: not your grade" in r.stdout and "it is not your grade" in r.stdout
    assert "correct formula" not in r.stdout
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Public cases only: this score is not your grade." in html
    assert "<math" not in html and 'class="formula' not in html


def test_student_edition_starter_from_the_public_cases(built, student_site, tmp_path):
    """`grader starter` needs no reference: the handout's public_tests.json carries the contract,
    and the file it writes is the handout's own starter."""
    out, _ = built
    (tmp_path / H.PUBLIC_FILE).write_bytes((out / H.PUBLIC_FILE).read_bytes())
    r = _student_grader(student_site, tmp_path, "starter", "hw4.py")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "hw4.py").read_text(encoding="utf-8") == (out / "hw4.py").read_text(encoding="utf-8")
    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    r = _student_grader(student_site, elsewhere, "starter", "mine.py")
    assert r.returncode == 2 and "public_tests.json" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (elsewhere / "mine.py").exists()
    r = _student_grader(student_site, elsewhere, "starter", "mine.py", "--public", tmp_path / H.PUBLIC_FILE)
    assert r.returncode == 0 and "raise NotImplementedError" in (elsewhere / "mine.py").read_text(encoding="utf-8")


def test_run_autograder_started_inside_the_submission_runs_none_of_its_code(bundle, tmp_path):
    """Found by an attack round: started from /autograder/submission, run_autograder ran a
    submitted grader/__main__.py as root, before any sandbox, which wrote a score of 100/20."""
    path, _seed = bundle
    root = tmp_path / "autograder"
    sub = root / "submission"
    (sub / "grader").mkdir(parents=True)
    with zipfile.ZipFile(path) as zf:
        zf.extractall(root / "source")
    (sub / "hw4.py").write_bytes((SUBMISSIONS / "mistake_max_assign.py").read_bytes())
    forged = ('import json, os, sys\nout = sys.argv[sys.argv.index("--gradescope") + 1] if "--gradescope" in sys.argv '
              'else os.path.join(os.environ.get("AUTOGRADER_ROOT", "/autograder"), "results", "results.json")\n'
              'open(out, "w").write(json.dumps({"score": 100, "output": "forged", "tests": []}))\n')
    for name in ("__init__.py", "__main__.py"):
        (sub / "grader" / name).write_text(forged)
    (sub / "sitecustomize.py").write_text(forged)
    (sub / "numpy.py").write_text("raise SystemExit('planted numpy')\n")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "CNN_GRADER_PYTHON": sys.executable,
           "CNN_GRADER_CONFIG": str(root / "source" / "grader.toml"), "PYTHONPATH": str(sub)}
    env.pop("GITHUB_STEP_SUMMARY", None)
    r = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                       cwd=sub, timeout=120)
    assert r.returncode == 0, r.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 16 and "forged" not in json.dumps(results), results
