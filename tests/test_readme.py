"""The README says what the code does: every option is documented, the schema matches real outputs."""
from __future__ import annotations

import json
import os
import re

import click
import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SCHEMA = json.loads((ROOT / "docs" / "results.schema.json").read_text(encoding="utf-8"))


def _commands():
    from grader.cli import main
    ctx = click.Context(main)
    return {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}


def test_every_command_and_option_shown_by_help_is_in_the_readme():
    missing = []
    for name, cmd in _commands().items():
        if f"grader {name}" not in README and f"`{name}`" not in README:
            missing.append(name)
        for p in cmd.params:
            if isinstance(p, click.Option) and not p.hidden:
                for opt in p.opts + p.secondary_opts:
                    if opt.startswith("--") and opt != "--help" and not re.search(re.escape(opt) + r"\b", README):
                        missing.append(f"{name} {opt}")
    assert "--version" in README
    assert not missing, missing


def test_the_readme_starts_with_the_two_commands_ci_runs():
    block = re.search(r"```bash\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert block[0].startswith("python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]'")
    assert block[0].endswith("grader grade submissions/hw4 --out out") and block[1] == "python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "README.md" in ci and "git clone" in ci  # it runs them, read from here, in a fresh clone


def test_every_environment_variable_the_code_reads_is_documented():
    names = set()
    for p in list((ROOT / "grader").rglob("*.py")) + list((ROOT / "grader" / "templates").rglob("*")):
        if p.is_file():
            names |= set(re.findall(r"CNN_GRADER_[A-Z_]+", p.read_text(encoding="utf-8", errors="replace")))
    missing = sorted(n for n in names if n not in README)
    assert not missing, missing


@pytest.fixture(scope="module")
def validator():
    import jsonschema
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA)


def test_results_json_of_a_real_grading_matches_the_schema(validator, examples_run):
    _run, out = examples_run
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert len(data["submissions"]) > 20


def test_the_schema_names_every_field_the_results_have(validator):
    """A field added to the results dataclasses must be documented in the schema."""
    import dataclasses

    from grader.results import Failure, GradingRun, QuestionResult, SubmissionResult
    defs = SCHEMA["$defs"]
    for cls, props in ((GradingRun, SCHEMA["properties"]), (SubmissionResult, defs["submission"]["properties"]),
                       (QuestionResult, defs["question"]["properties"]), (Failure, defs["failure"]["properties"])):
        fields = {f.name for f in dataclasses.fields(cls)}
        assert fields == set(props), (cls.__name__, sorted(fields ^ set(props)))


def test_check_json_and_roster_outputs_match_the_schema(validator, tmp_path):
    """One submission (`check --json`) is a submission of the schema; a roster run's extra fields too."""
    import shutil

    from conftest import SUBMISSIONS
    from grader.api import Options, check, grade
    from grader.results import to_dict
    res = check(SUBMISSIONS / "mistake_sign_flipped.py", Options(seed=3))
    sub_validator = type(validator)({**SCHEMA["$defs"]["submission"], "$defs": SCHEMA["$defs"]})
    assert not list(sub_validator.iter_errors(to_dict(res)))
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SUBMISSIONS / "partial.py", subs / "ada_lovelace_1001_2_hw4.py")
    (tmp_path / "roster.csv").write_text("id,name,email\n1001,Ada Lovelace,ada@example.edu\n1002,Bob Ng,bob@example.edu\n")
    grade(subs, tmp_path / "out", Options(jobs=1), roster=tmp_path / "roster.csv", shard=(1, 1))
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert not list(validator.iter_errors(data)), [e.message for e in validator.iter_errors(data)][:3]
    assert data["shard"] == [1, 1] and data["roster_digest"] and len(data["submissions"]) == 2


def test_ci_smoke_tests_every_declared_python():
    """.ci/run hands the README's grading to .ci/pythons, which reads the lowest declared Python
    from pyproject.toml's requires-python in the one form it understands (">=3.N")."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert ".ci/pythons .venv/bin/grader" in ci
    declared = re.search(r'^requires-python *= *"(.*)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert re.fullmatch(r">=3\.\d+", declared), declared
    script = (ROOT / ".ci" / "pythons").read_text()
    assert 'seq "$lowest"' in script and "/root/.pyenv/versions" in script
    assert os.access(ROOT / ".ci" / "pythons", os.X_OK)


def test_every_relative_link_of_the_readme_and_docs_is_a_file_of_the_repository():
    """The README linked ../shared/seed/homework4.md, which is not in a clone: the homework
    statement ships in docs/, and every relative link resolves inside the repository."""
    checked = 0
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (doc.parent / target.split("#")[0]).resolve()
            assert path.is_relative_to(ROOT) and path.exists(), f"{doc.name}: {target}"
            checked += 1
    assert checked >= 4
    assert "[docs/homework4.md](docs/homework4.md)" in README


def test_the_readme_says_how_long_the_tests_take_and_when_browser_tests_skip():
    """A newcomer waited on a silent suite, and never learnt that the browser tests had been skipped."""
    first = README[:README.index("## What it is")]
    assert re.search(r"suite takes about \d+.\d+ minutes", first)
    assert re.search(r"browser tests are\s+skipped when Debian's Chromium\s+\(`/usr/bin/chromium`", first)
    conftest = (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
    assert 'CHROMIUM = Path("/usr/bin/chromium")' in conftest and "pytest.skip(" in conftest  # what it says
