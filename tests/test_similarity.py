"""``grader similar``: copied work ranks first, the starter and the class's common code never
count, every submission form is read as grading reads it, the page escapes what students wrote."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from conftest import ROOT, SUBMISSIONS

try:
    import copydetect  # noqa: F401
    HAVE_COPYDETECT = True
except ImportError:
    HAVE_COPYDETECT = False


@pytest.fixture(autouse=True)
def needs_copydetect(request):
    """Skipped without copydetect (the optional extra), except in CI, which installs it."""
    if HAVE_COPYDETECT or request.node.name.startswith("test_without_copydetect"):
        return
    if os.environ.get("CNN_GRADER_CI"):
        pytest.fail("CNN_GRADER_CI is set but copydetect is not installed (pip install -e '.[test]')")
    pytest.skip("needs copydetect: pip install -e '.[similarity]'")


VECTORIZED = (SUBMISSIONS / "correct_vectorized.py").read_text(encoding="utf-8")
LOOPS = (SUBMISSIONS / "correct_loops.py").read_text(encoding="utf-8")
PARTIAL = (SUBMISSIONS / "partial.py").read_text(encoding="utf-8")
STARTER = (SUBMISSIONS / "starter.py").read_text(encoding="utf-8")


def renamed(source: str) -> str:
    """``source`` with every local variable renamed and its comments changed."""
    names = set(re.findall(r"^\s+([a-z_][a-z0-9_]*)\s*=(?!=)", source, re.M))
    for i, name in enumerate(sorted(names)):
        source = re.sub(rf"\b{re.escape(name)}\b", f"renamed_{i}_var", source)
    return re.sub(r"#[^\n]*", "# my own work", source)


def as_notebook(source: str) -> str:
    """``source`` as a notebook: one code cell per top-level block, a markdown cell between."""
    cells = []
    for block in source.split("\n\n\n"):
        if block.strip():
            cells.append({"cell_type": "markdown", "metadata": {}, "source": ["My solution"]})
            cells.append({"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
                          "source": block.splitlines(True)})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def run_similar(subs: Path, out: Path, **kw):
    from grader.api import similar
    kw.setdefault("jobs", 1)
    return similar(subs, out, **kw)


def pair(run, a: str, b: str) -> dict | None:
    return next((r for r in run.rows if {r["a"], r["b"]} == {a, b}), None)


def rows(out: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / "similarity.csv").read_text(encoding="utf-8-sig"))))


def grader(*args, timeout=120, env=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=timeout)


# ---------------------------------------------------------------------------------- ranking

def test_renamed_copy_ranks_first(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(VECTORIZED)
    (subs / "ben.py").write_text(renamed(VECTORIZED))
    (subs / "cy.py").write_text(LOOPS)
    (subs / "dee.py").write_text(PARTIAL)
    run = run_similar(subs, tmp_path / "out")
    assert {run.rows[0]["a"], run.rows[0]["b"]} == {"ana", "ben"}
    assert run.rows[0]["similarity"] == 1.0
    assert all(r["similarity"] < 0.9 for r in run.rows[1:])
    table = rows(tmp_path / "out")
    assert [table[0]["student_a"], table[0]["student_b"]] == ["ana", "ben"] and table[0]["rank"] == "1"
    assert float(table[0]["similarity"]) == 1.0
    sims = [float(r["similarity"]) for r in table]
    assert sims == sorted(sims, reverse=True)
    page = (tmp_path / "out" / "similarity.html").read_text(encoding="utf-8")
    assert 'id="pair-1"' in page and "<mark>" in page


def test_reordered_functions_still_match_in_full(tmp_path):
    blocks = VECTORIZED.split("\n\n\n")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(VECTORIZED)
    (subs / "ben.py").write_text("\n\n\n".join([blocks[0]] + blocks[1:][::-1]))
    (subs / "cy.py").write_text(LOOPS)
    run = run_similar(subs, tmp_path / "out")
    assert pair(run, "ana", "ben")["similarity"] == 1.0


def test_starter_only_submissions_do_not_match(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s1.py").write_text(STARTER)
    (subs / "s2.py").write_text(STARTER.replace("    ", "  "))  # reindented: the same tokens
    (subs / "s3.py").write_text(STARTER + "\n# started, nothing else\n")
    (subs / "ana.py").write_text(VECTORIZED)
    run = run_similar(subs, tmp_path / "out")
    assert not any({r["a"], r["b"]} <= {"s1", "s2", "s3"} for r in run.rows)
    assert run.boilerplate > 0
    # (the same class with no boilerplate: the starters are one another's copies)
    from grader.similarity import match
    prints = [match.fingerprint(STARTER, "python"), match.fingerprint(STARTER.replace("    ", "  "), "python")]
    found = match.pairs(prints)
    assert len(found.a) == 1 and found.similarity[0] == 1.0


def test_template_adds_boilerplate(tmp_path):
    """Code the instructor handed out besides the starter (--template) counts for nobody."""
    helper = "def helper_given(a, b):\n" + "".join(f"    a{i} = b * {i} + a\n" for i in range(30)) + "    return a\n"
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(helper + "\n\n" + LOOPS)
    (subs / "ben.py").write_text(helper + "\n\n" + PARTIAL)
    template = tmp_path / "given.py"
    template.write_text(helper)
    without = pair(run_similar(subs, tmp_path / "o1"), "ana", "ben")
    with_template = pair(run_similar(subs, tmp_path / "o2", templates=[template]), "ana", "ben")
    assert without is not None
    assert with_template is None or with_template["shared"] < without["shared"]


def test_notebook_and_py_with_the_same_code_match(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(VECTORIZED)
    (subs / "ben.ipynb").write_text(as_notebook(renamed(VECTORIZED)))
    (subs / "cy.py").write_text(LOOPS)
    run = run_similar(subs, tmp_path / "out")
    top = run.rows[0]
    assert {top["a"], top["b"]} == {"ana", "ben"} and top["similarity"] == 1.0
    assert top["files_b"] == ["ben.ipynb"]


def test_zip_and_folder_submissions(tmp_path):
    """A zip (wrapped in one folder, with a helper module) and a folder are read as grading reads them."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(VECTORIZED)
    with zipfile.ZipFile(subs / "ben.zip", "w") as z:
        z.writestr("hw4/solution.py", renamed(VECTORIZED))
        z.writestr("hw4/helpers.py", "def helper(x):\n    return x\n")
        z.writestr("__MACOSX/._solution.py", "junk")
    (subs / "cy").mkdir()
    (subs / "cy" / "main.py").write_text(LOOPS)
    (subs / "dee.py").write_text(PARTIAL)
    run = run_similar(subs, tmp_path / "out")
    top = run.rows[0]
    assert {top["a"], top["b"]} == {"ana", "ben"} and top["similarity"] == 1.0
    assert top["files_b"] == ["solution.py", "helpers.py"]  # the main file first
    assert pair(run, "cy", "ana") is None or pair(run, "cy", "ana")["similarity"] < 0.9


def test_unreadable_submission_is_noted_and_skipped(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(VECTORIZED)
    (subs / "ben.py").write_text(renamed(VECTORIZED))
    (subs / "broken.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    (subs / "empty").mkdir()
    run = run_similar(subs, tmp_path / "out")
    assert run.students == 2
    assert [who for who, _why in run.not_read] == ["broken", "empty"]
    assert "zip" in dict(run.not_read)["broken"]
    page = (tmp_path / "out" / "similarity.html").read_text(encoding="utf-8")
    assert "Not compared (2)" in page and "broken" in page


# ---------------------------------------------------------------------------------- written

PLAIN = """## 1.2
y[ci,cj,k] = σ(x[ci,cj]*w[1,1,k] + x[ci,cj+1]*w[1,2,k] + x[ci+1,cj]*w[2,1,k] + x[ci+1,cj+1]*w[2,2,k])

## 1.3
z[pi,pj,k] = y[pi,pj,k] + y[pi,pj+1,k] + y[pi+1,pj,k] + y[pi+1,pj+1,k]

## 2.1
dE/dw[pi,pj,k,o1] = (o1 - y1) * o1 * (1 - o1) * z[pi,pj,k]
"""

LATEX = r"""# My answers

### Q1.2 the convolution
$$y_{c_i,c_j,k} = \sigma(x_{c_i,c_j} \cdot w_{1,1,k} + x_{c_i,c_{j+1}} \cdot w_{1,2,k} + x_{c_{i+1},c_j} \cdot w_{2,1,k} + x_{c_{i+1},c_{j+1}} \cdot w_{2,2,k})$$

### Q1.3
$$z_{p_i,p_j,k} = y_{p_i,p_j,k} + y_{p_i,p_{j+1},k} + y_{p_{i+1},p_j,k} + y_{p_{i+1},p_{j+1},k}$$

### Q2.1
$$\frac{\partial E}{\partial w_{p_i,p_j,k,o_1}} = (o_1 - y_1) \cdot o_1 (1 - o_1) z_{p_i,p_j,k}$$
"""

OTHER = """## 1.2
y[ci,cj,k] = sigma(sum(sum(x[ci+fi-1,cj+fj-1] * w[fi,fj,k], fj=1..2), fi=1..2))

## 1.3
z[pi,pj,k] = sum(sum(y[pi+a-1,pj+b-1,k], b=1..2), a=1..2)

## 2.1
dE/dw[pi,pj,k,om] = (o[m] - y[m]) o[m] (1 - o[m]) z[pi,pj,k]
"""


def test_written_answers_in_two_spellings_match(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.md").write_text(PLAIN)
    (subs / "ben").mkdir()
    (subs / "ben" / "answers.tex").write_text(LATEX)
    (subs / "cy.md").write_text(OTHER)
    run = run_similar(subs, tmp_path / "out", assignment="hw4-written")
    top = run.rows[0]
    assert {top["a"], top["b"]} == {"ana", "ben"} and top["similarity"] == 1.0
    assert pair(run, "ana", "cy") is None or pair(run, "ana", "cy")["similarity"] < 0.5
    assert top["files_a"] == ["1.2", "1.3", "2.1"]


def test_written_starter_is_boilerplate(tmp_path):
    from grader.api import starter
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s1.md").write_text(starter("hw4-written"))
    (subs / "s2.md").write_text(starter("hw4-written"))
    (subs / "ana.md").write_text(PLAIN)
    run = run_similar(subs, tmp_path / "out", assignment="hw4-written")
    assert pair(run, "s1", "s2") is None


def test_long_answers_are_cut_and_noted(tmp_path):
    """A hostile answers file (a section of unclosed ``\\[``, whose math extraction can take
    the square of its length) is compared only up to the caps, with a note."""
    from grader.similarity.sources import MAX_SECTION
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.md").write_text(PLAIN + "\n## 2.2\n" + "\\[ x" * 200_000)
    (subs / "ben.md").write_text(PLAIN)
    run = run_similar(subs, tmp_path / "out", assignment="hw4-written")
    assert any(who == "ana" and f"{MAX_SECTION:,} of each answer" in note and "2.2" in note for who, note in run.notes)
    assert pair(run, "ana", "ben")["similarity"] == 1.0


def test_notation_that_does_not_tokenise_falls_back_to_words():
    from grader.similarity.sources import canonical_notation
    assert canonical_notation("The  Answer IS   y → 3\n") == "the answer is y → 3"
    assert canonical_notation("> the prompt only\n") == ""
    assert canonical_notation("x_{1} = \\sigma(a) \\cdot b") == canonical_notation("x[1] = sigmoid(a) b")
    assert (canonical_notation("$$\\frac{\\partial E}{\\partial z_{p_i}} = 1$$") == canonical_notation("∂E/∂z[pi] = 1")
            == canonical_notation("dE/dz[pi] = 1") == "de/dzpi=1")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_canonical_notation_never_raises_and_stays_bounded(text):
    from grader.similarity.sources import answers_text, canonical_notation
    out = canonical_notation(text)
    assert len(out) <= 4 * len(text) + 10
    assert canonical_notation(text) == out
    compared, ids, _cut = answers_text("## 1.2\n" + text, ["1.2", "1.3"])
    assert set(ids) <= {"1.2", "1.3"} and len(compared) <= 4 * len(text) + 100


# ---------------------------------------------------------------------------------- safety

def test_hostile_names_and_code_are_escaped(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    hostile = "<img src=x onerror=alert(1)>"
    code = VECTORIZED + '\n\ndef extra():\n    return "</pre><script>alert(2)</script>\x1b[31m"\n'
    (subs / f"{hostile}.py").write_text(code)
    (subs / "=cmd|calc.py").write_text(renamed(code))
    run = run_similar(subs, tmp_path / "out", threshold=0.5)
    assert run.shown
    page = (tmp_path / "out" / "similarity.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "<script>alert" not in page and "\x1b" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;/pre&gt;&lt;script&gt;" in page
    table = rows(tmp_path / "out")
    assert {table[0]["student_a"], table[0]["student_b"]} == {hostile, "'=cmd|calc"}  # no spreadsheet formula


def test_huge_file_is_cut_and_noted(tmp_path):
    from grader.similarity.sources import MAX_CHARS
    subs = tmp_path / "subs"
    subs.mkdir()
    filler = "".join(f"junk_{i} = {i} * 3 + {i % 7}\n" for i in range(150_000))  # ~3.5 MB, under the intake's cap
    (subs / "ana.py").write_text(VECTORIZED + filler)
    (subs / "ben.py").write_text(renamed(VECTORIZED))
    run = run_similar(subs, tmp_path / "out")
    assert any(who == "ana" and f"first {MAX_CHARS:,} characters" in note for who, note in run.notes)
    assert pair(run, "ana", "ben")["similarity"] == 1.0
    shown = run.shown[0]["sides"]
    assert max(len(s["html"]) for s in shown) < 4 * MAX_CHARS
    assert "characters were compared" in (tmp_path / "out" / "similarity.html").read_text(encoding="utf-8")


def test_users_files_in_out_are_kept_and_a_grading_output_refused(tmp_path, examples_run):
    from grader.errors import UsageError
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(VECTORIZED)
    (subs / "ben.py").write_text(LOOPS)
    out = tmp_path / "out"
    run_similar(subs, out)
    (out / "my_notes.txt").write_text("keep me")
    run_similar(subs, out, threshold=0.1)
    assert (out / "my_notes.txt").read_text() == "keep me" and (out / "similarity.csv").is_file()
    with pytest.raises(UsageError, match="grading output"):
        run_similar(subs, examples_run[1])
    # and the other way (attack 60): a grading into a similarity report's folder lost it
    from grader.api import grade
    with pytest.raises(UsageError, match="holds a similarity report"):
        grade(subs, out)
    assert (out / "similarity.csv").is_file() and (out / "similarity.html").is_file()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("x")
    with pytest.raises(UsageError, match="not empty"):
        run_similar(subs, mine)


# ---------------------------------------------------------------------------------- the index

def _random_prints(rng, n: int):
    from grader.similarity import match
    pool = rng.integers(0, 400, size=(n, 60))
    return [match.Print(25, h.astype(np.int64), np.arange(len(h), dtype=np.int64), np.zeros((0, 2), dtype=np.int64),
                        np.unique(h.astype(np.int64))) for h in pool]


def test_index_counts_what_pairwise_intersection_counts(monkeypatch):
    """The inverted index's count per pair is the size of the two sets' intersection, on the
    dense and on the sparse counter alike."""
    from grader.similarity import match
    rng = np.random.default_rng(3)
    prints = _random_prints(rng, 30)
    monkeypatch.setattr(match, "MIN_SHARED", 1)
    monkeypatch.setattr(match, "COMMON_MIN", 100)  # nothing is common here
    dense = match.pairs(prints)
    monkeypatch.setattr(match, "_DENSE_MAX", 0)
    monkeypatch.setattr(match, "_CHUNK", 7)  # many merges
    sparse = match.pairs(prints)
    for found in (dense, sparse):
        got = {(int(a), int(b)): int(s) for a, b, s in zip(found.a, found.b, found.shared)}
        want = {(i, j): len(np.intersect1d(prints[i].unique, prints[j].unique))
                for i in range(30) for j in range(i + 1, 30)}
        assert got == {k: v for k, v in want.items() if v}
    assert np.array_equal(dense.similarity, sparse.similarity)


def test_common_fingerprints_are_left_out():
    from grader.similarity import match
    shared = np.arange(1000, 1100, dtype=np.int64)
    prints = [match.Print(25, np.r_[shared, 10_000 * i + np.arange(50)], np.arange(150), np.zeros((0, 2)),
                          np.unique(np.r_[shared, 10_000 * i + np.arange(50)])) for i in range(60)]
    assert match.drop_common(prints) == 100
    assert all(len(p.unique) == 50 for p in prints)
    assert len(match.pairs(prints).a) == 0


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="defFclassOV():=+1 ", max_size=300))
def test_windows_never_cross_a_function_start(code):
    from grader.similarity import match
    k = 7
    n = max(0, len(code) - k + 1)
    keep = match.within_units(code, n, k, "python")
    starts = [m.start() for m in match._UNIT["python"].finditer(code)]
    for i in np.flatnonzero(keep):
        assert not any(i < b < i + k for b in starts)
    for i in np.flatnonzero(~keep):
        assert any(i < b < i + k for b in starts)


def test_window_hashes_do_not_depend_on_the_process():
    """Python's str hash() is salted per process (copydetect's k-gram hash); ours is not."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from grader.similarity.match import window_hashes; "
            "print(window_hashes('defF(V):returnV+1' * 5, 25).sum())")
    outs = {subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout for seed in ("1", "2")}
    assert len(outs) == 1


# ---------------------------------------------------------------------------------- CLI

def test_cli_writes_both_files_and_exit_codes(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(VECTORIZED)
    (subs / "ben.py").write_text(renamed(VECTORIZED))
    (subs / "cy.py").write_text(LOOPS)
    (subs / "dee.py").write_text(LOOPS[:len(LOOPS) // 3])  # in cy: 1.00 too, with fewer shared: ranked after ana and ben
    r = grader("similar", subs, "--out", tmp_path / "out", "--top", "1", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    assert "2 pairs share code (1 most similar kept)" in r.stdout and "1.00  ana  ben" in r.stdout
    assert len(rows(tmp_path / "out")) == 1
    for args, expect in [(("similar", tmp_path / "nope", "--out", tmp_path / "o2"), "is not a folder"),
                         (("similar", subs, "--out", tmp_path / "o3", "--threshold", "2"), "--threshold"),
                         (("similar", subs, "--out", subs / "inside"), "overlaps the submissions"),
                         (("similar", subs, "--out", tmp_path / "o4", "--template", tmp_path / "nope.py"), "--template"),
                         (("similar", subs, "--out", tmp_path / "o5", "--assignment", "nope"), "nope")]:
        r = grader(*args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert expect in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_without_copydetect_one_line_and_exit_2(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.py").write_text(VECTORIZED)
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "copydetect.py").write_text("raise ImportError('blocked for this test')\n")
    env = {"PYTHONPATH": os.pathsep.join([str(blocker), str(ROOT)])}
    r = grader("similar", subs, "--out", tmp_path / "out", env=env)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert "pip install 'cnn-grader[similarity]'" in r.stderr
    assert not (tmp_path / "out").exists()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=600))
def test_fingerprint_of_any_text_is_consistent(text):
    """Whatever a student's file holds, fingerprinting never raises and its positions lie in the
    filtered text; the regions to highlight lie in the text itself."""
    from grader.similarity import match
    from grader.similarity.sources import Document
    p = match.fingerprint(text, "python")
    code, _offsets = match.filtered(text, "python")
    assert len(p.hashes) == len(p.idx) and np.all((p.idx >= 0) & (p.idx + p.k <= max(len(code), p.k)))
    slices, share = match.overlap(Document("a", "a.py", text), p, p)
    assert 0.0 <= share <= 1.0 and (slices.size == 0 or (slices.min() >= 0 and slices.max() <= len(text)))


# ---------------------------------------------------------------------------------- the page in a browser

@pytest.fixture(scope="module")
def browser():
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        if os.environ.get("CNN_GRADER_CI"):  # set by .ci/run: CI must not skip these
            pytest.fail("CNN_GRADER_CI is set but /usr/bin/chromium is missing")
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    sys.path.insert(0, str(ROOT / "scripts"))
    from screenshot import Browser
    with Browser(str(chromium)) as b:
        yield b


@pytest.mark.parametrize("width", [400, 1280])
def test_page_fits_runs_nothing_of_the_students_and_shows_the_pairs(browser, tmp_path, width):
    from screenshot import instrumented, layout_facts
    subs = tmp_path / "subs"
    subs.mkdir()
    name = '<img src=x onerror="window.__xss=1">' + "w" * 150
    code = VECTORIZED + '\n\ndef extra():\n    return "<img src=x onerror=window.__xss=2>' + "x" * 400 + '"\n'
    (subs / f"{name[:200]}.py").write_text(code)
    (subs / "ben.py").write_text(renamed(code))
    (subs / "cy.py").write_text(LOOPS)
    (subs / "broken.zip").write_bytes(b"not a zip")
    run_similar(subs, tmp_path / "out")
    page = tmp_path / "page.html"
    page.write_text(instrumented((tmp_path / "out" / "similarity.html").read_text(encoding="utf-8")), encoding="utf-8")
    browser.open(page.as_uri(), width)
    facts = layout_facts(browser)
    assert facts["scrollWidth"] <= width and facts["overflowing"] == [], facts
    assert facts["errors"] == [] and browser.errors() == []
    assert browser.evaluate("window.__xss === undefined")
    assert browser.evaluate("document.querySelectorAll('article.pairbox').length") == 1
    assert browser.evaluate("document.querySelectorAll('article.pairbox pre mark').length") >= 2
    assert browser.evaluate("document.querySelectorAll('table.list thead th[scope=col]').length") == 6


def test_code_of_a_deep_tree_is_read_without_recursion(tmp_path):
    """The .py files beside a main file were listed with rglob, which recurses once per folder
    level: they are walked as discovery walks (no recursion, no deeper than its limit)."""
    from test_discover import _deep_folder, _remove_deep

    from grader.similarity.sources import Document, _read_code
    root = tmp_path / "tree"
    root.mkdir()
    (root / "hw4.py").write_text("def conv_forward(x):\n    return x\n")
    (root / "helpers.py").write_text("def helper(y):\n    return y + 1\n")
    fd = _deep_folder(root, 1300)
    os.close(os.open("x.py", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd))
    try:
        doc = Document(student="deep", entry="deep")
        _read_code(doc, root, "hw4.py", {})
        assert "def helper" in doc.text and "def conv_forward" in doc.text
    finally:
        _remove_deep(root, 1300, fd)
