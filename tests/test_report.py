"""HTML reports: safe, bounded, self-contained, complete, and right in a real browser.

Pure-Python checks run everywhere.  The browser checks drive Debian's chromium headless over
the DevTools pipe (scripts/screenshot.py) and are skipped when /usr/bin/chromium is missing
(CI installs it: ``apt-get install -y chromium``).
"""
from __future__ import annotations


import math
import os
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT

from grader.assignment import load_assignment
from grader.outputs.report import MAX_PAGE_BYTES, Renderer, cause_of, grids, heatmap, notation, prose, trim_traceback, Limits
from grader.results import Failure, GradingRun, QuestionResult, SubmissionResult, submission_from_dict, to_dict

sys.path.insert(0, str(ROOT / "scripts"))

ASG = load_assignment("hw4")
QIDS = [q.id for q in ASG.questions]
XSS = "<script>window.__xss=1</script>"


# ------------------------------------------------------------------------------ helpers
class Attrs(HTMLParser):
    """Every tag and attribute of a page, and the text of its <script> and <style> elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "style") else ""

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.tags.append(("style-text", {"text": data}))

    def handle_endtag(self, tag):
        self._in = ""


def parse(html: str) -> Attrs:
    p = Attrs()
    p.feed(html)
    return p


def external_refs(html: str) -> list[str]:
    """Anything that would make the browser fetch something: src/href/... outside the page."""
    found = []
    for tag, attrs in parse(html).tags:
        if tag == "style-text":
            found += re.findall(r"url\(\s*['\"]?(?!#)([^)'\"]*)", attrs["text"]) + re.findall(r"@import", attrs["text"])
            continue
        for name, value in attrs.items():
            value = value or ""
            if name in ("src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset",
                        "background", "manifest", "ping", "cite", "longdesc"):
                if re.match(r"\s*(?:[a-z][a-z0-9+.-]*:|//)", value, re.I) or "http" in value.lower():
                    found.append(f"{tag} {name}={value}")
            if name == "style" and "url(" in value:
                found.append(f"{tag} style={value}")
        if tag == "link" or (tag == "script" and "src" in attrs) or tag in ("iframe", "img", "object", "embed"):
            found.append(f"<{tag}> {attrs}")
    return found


def question_ids(html: str) -> list[str]:
    return [a["data-question"] for t, a in parse(html).tags if "data-question" in a]


def failure(shape=(3, 3, 3), wrong_at=(1, 0, 2), delta=0.25) -> Failure:
    rng = np.random.default_rng(1)
    exp = rng.normal(size=shape)
    got = exp.copy()
    got[wrong_at] += delta
    mask = np.zeros(shape, bool)
    mask[wrong_at] = True
    return Failure(trial=2, label="random", inputs={"dE_dz": rng.normal(size=(2, 2, 3)).tolist()},
                   expected=exp.tolist(), got=got.tolist(), worst="∂E/∂y_{2,1,k=3}", worst_index=list(wrong_at),
                   expected_value=float(exp[wrong_at]), got_value=float(got[wrong_at]), wrong=1,
                   elements=int(exp.size), wrong_mask=mask.tolist())


def make_result(student="ada", statuses=None, **over) -> SubmissionResult:
    statuses = statuses or {}
    qs = []
    for q in ASG.questions:
        st = statuses.get(q.id, "passed")
        qs.append(QuestionResult(id=q.id, function=q.function, title=q.title, score=q.points if st == "passed" else 0.0,
                                 max_score=float(q.points), status=st, trials=24 if st in ("passed", "failed") else 1,
                                 message="all 24 trials correct" if st == "passed" else f"{st} here",
                                 tolerance="rtol 1e-05"))
    sub = SubmissionResult(student=student, source=f"{student}.py", score=sum(q.score for q in qs),
                           max_score=ASG.max_score, error="", report=f"reports/{student}.html", seed=3,
                           isolation="namespaces", questions=qs)
    for k, v in over.items():
        setattr(sub, k, v)
    return sub


def hostile_result() -> SubmissionResult:
    """Everything a student controls, at its worst: markup, megabytes, huge arrays, junk bytes."""
    huge_text = ("<b>&\"'</b>\x00\x1b[31m" * 700_000)[:10_000_000]  # 10 MB, escape-heavy
    huge = np.zeros((1000, 1000)).tolist()  # 10^6 elements (shared by every question)
    statuses = dict(zip(QIDS, ["failed", "error", "timeout", "missing", "failed", "failed", "failed", "error", "failed"]))
    sub = make_result(XSS, statuses, source=XSS + ".py", stdout=huge_text, stderr=huge_text)
    for q in sub.questions:
        q.message = XSS + "<img src=x onerror=window.__xss=1>" + huge_text[:200_000]
        q.stdout = q.stderr = huge_text
        q.traceback = "Traceback (most recent call last):\n" + '  File "x.py", line 1, in f\n    ' + XSS + "\n" * 3 \
            + huge_text[:1_000_000] + "\nValueError: " + XSS
        q.returned = [XSS] * 1000
        q.misconceptions = ["<i>id</i>"] * 100
        if q.status == "failed":
            q.failure = Failure(trial=0, label=XSS, inputs={XSS: huge, "x": huge, "n": XSS}, expected=huge,
                                got=huge, worst=XSS, worst_index=[1, 1], expected_value=1.0, got_value=None,
                                wrong=10 ** 6, elements=10 ** 6, wrong_mask=huge)
    sub.questions[0].failure = failure()  # one normal failure among the hostile ones
    sub.questions[0].failure.inputs = {"dE_dz": [[["nan", "inf", 1.0]] * 2] * 2}
    sub.questions[0].failure.got = [[[XSS] * 3] * 3] * 3
    return sub


@pytest.fixture(scope="module")
def renderer():
    return Renderer(ASG, GradingRun(assignment="hw4", title=ASG.title, assignment_version="1", grader_version="t",
                                    seed=3, max_score=ASG.max_score, created="2025-01-02T03:04:05+00:00"))


@pytest.fixture(scope="module")
def hostile_html(renderer):
    return renderer.student_html(hostile_result())


# ------------------------------------------------------------------------------ pure Python
def test_example_reports_complete_small_and_self_contained(examples_run):
    run, out = examples_run
    assert run.submissions
    sizes = {}
    for s in run.submissions:
        html = (out / s.report).read_text(encoding="utf-8")
        sizes[s.student] = len(html.encode())
        assert question_ids(html) == QIDS, s.student
        assert external_refs(html) == [], s.student
        assert "http://" not in html and "https://" not in html
        assert s.student in html and f"grader check {s.source} --seed {s.seed}" in html
        for q in s.questions:  # every badge says its status in words, not only in colour
            assert re.search(rf'data-question="{re.escape(q.id)}".*?badge {q.status}"><span aria-hidden="true">[^<]*</span>'
                             rf'{q.status.upper() if q.status != "timeout" else "TIMED OUT"}', html, re.S)
    assert max(sizes.values()) < 200 * 1024, sizes
    index = (out / "index.html").read_text(encoding="utf-8")
    assert external_refs(index) == [] and "http://" not in index and "https://" not in index
    for s in run.submissions:
        assert f'href="{s.report}"' in index


def test_failed_sections_open_and_passed_collapsed(examples_run):
    run, out = examples_run
    s = next(s for s in run.submissions if any(q.status == "failed" for q in s.questions))
    html = (out / s.report).read_text(encoding="utf-8")
    for q in s.questions:
        section = re.search(rf'data-question="{re.escape(q.id)}"[^>]*>\s*<details([^>]*)>', html)
        assert section, q.id
        assert ("open" in section.group(1)) == (q.status != "passed"), q.id


def test_failure_shows_grids_heatmap_and_hint_but_no_formula(examples_run):
    run, out = examples_run
    s = next(s for s in run.submissions if s.source == "mistake_answer_key_quarter.py")
    html = (out / s.report).read_text(encoding="utf-8")
    part = html[html.index('data-question="2.3"'):html.index('data-question="2.4"')]
    q = next(q for q in s.questions if q.id == "2.3")
    assert "<math" not in part and "formula" not in part  # the key's formula only with --reveal
    assert "expected" in part and q.failure.worst and "should be" in q.message  # the numbers stay
    revealed = Renderer(ASG, run, reveal=True).student_html(s)
    part = revealed[revealed.index('data-question="2.3"'):revealed.index('data-question="2.4"')]
    assert '<div class="formula key">' in part and "<math" in part and "&#x2202;" in part  # ∂E/∂y as MathML
    assert "answers released" in part
    assert 'class="hm"' in part and part.count("<rect") == 27  # one heatmap cell per element
    assert part.count("k = 1") >= 2 and "i\\j" in part  # channel grids with 1-based labels
    assert "Likely misconception" in part and q.misconceptions
    assert "∂E/∂y<sub>" in part  # the worst element in the homework's notation


def test_escaping_everywhere(renderer, hostile_html):
    html = hostile_html
    assert XSS not in html and "<img src=x" not in html and "<b>&" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "\x00" not in html and "\x1b" not in html
    scripts = parse(html).scripts
    assert scripts == []  # a student page needs no script at all
    assert question_ids(html) == QIDS
    index = renderer.index_html([hostile_result(), make_result("bob"),
                                 make_result("<i>broken</i>", error="SyntaxError: <script>x</script>")])
    assert XSS not in index and "<i>broken</i>" not in index and "<script>x</script>" not in index
    assert "&lt;i&gt;broken&lt;/i&gt;" in index
    assert len(parse(index).scripts) == 1  # only our sort script


def test_size_bound_whatever_the_submission_did(hostile_html):
    size = len(hostile_html.encode("utf-8"))
    assert size < MAX_PAGE_BYTES, size
    assert "characters not shown" in hostile_html  # truncation is marked
    assert "too large to lay out" in hostile_html


def test_render_is_fast_even_for_the_hostile_result(renderer):
    sub = hostile_result()
    t = time.perf_counter()
    renderer.student_html(sub)
    assert time.perf_counter() - t < 5.0


def test_a_passed_section_rendered_once_reads_as_if_rendered_alone(renderer):
    """Plain "passed" sections are rendered once and reused; anything of the student's own
    (printed output, notes) is never replaced by another student's reused section."""
    fresh = lambda: Renderer(ASG, renderer.run)  # noqa: E731
    a, b = make_result("ada"), make_result("bob")
    b.questions[2].stdout = "debug: <printed by bob>"
    b.questions[3].notes = ["a note for bob only"]
    warm = fresh()
    warm.student_html(a)
    assert warm.student_html(b) == fresh().student_html(b)
    assert warm.student_html(a) == fresh().student_html(a)
    page = warm.student_html(b)
    assert "debug: &lt;printed by bob&gt;" in page and "a note for bob only" in page
    assert "printed by bob" not in warm.student_html(a)


def test_compiled_templates_are_cached_and_a_bad_cache_is_harmless(renderer, tmp_path, monkeypatch):
    """Templates compile once into the user's cache folder; an unwritable or corrupt cache
    only means compiling again, never a failed grading."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    page = Renderer(ASG, renderer.run).student_html(make_result())  # (a fixed time on the page)
    files = sorted((cache / "cnn-grader" / "templates").iterdir())
    assert len(files) >= 3  # report, question, grid (and the dashboard's)
    for f in files:
        f.write_bytes(b"not a compiled template")
    assert Renderer(ASG, renderer.run).student_html(make_result()) == page
    blocked = tmp_path / "a-file"  # no folder can be made under it, even by root
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert Renderer(ASG, renderer.run).student_html(make_result()) == page


def test_ungradable_listed_on_top_of_the_index(renderer):
    broken = make_result("zed", {q: "error" for q in QIDS}, error="SyntaxError: invalid syntax (zed.py, line 1)")
    subs = [make_result("amy"), broken, make_result("bob", {"2.5": "failed"})]
    html = renderer.index_html(subs)
    assert html.index("Could not be graded") < html.index("Score distribution") < html.index("Students")
    assert "SyntaxError: invalid syntax" in html
    assert external_refs(html) == []
    report = renderer.student_html(broken)
    assert "Your file could not be graded" in report and question_ids(report)[0] == "import"


def test_index_counts_and_causes(renderer):
    f = failure()
    a = make_result("amy", {"2.3": "failed"})
    a.questions[6].failure, a.questions[6].message = f, "∂E/∂y_{2,1,k=3} is 0.1 but should be 0.2 (1 of 27 elements wrong) on trial 3 of 24 (random)"
    b = make_result("bob", {"2.3": "failed"})
    b.questions[6].failure, b.questions[6].message = f, "∂E/∂y_{2,1,k=3} is 0.7 but should be 0.2 (1 of 27 elements wrong) on trial 1 of 24 (random)"
    c = make_result("cyd", {"2.3": "failed"})
    c.questions[6].misconceptions = ["assign_not_accumulate"]
    html = renderer.index_html([a, b, c])
    causes = html[html.index('id="h-causes"'):html.index('id="h-students"')]
    assert re.search(r"2×</span> failed: wrong values", causes)
    mistake = next(m for m in ASG.question("2.3").mistakes if m.id == "assign_not_accumulate")
    assert f"1×</span> {mistake.name}" in causes
    assert "0 of 3 passed" in html  # pass-rate bar's accessible title for Q2.3


def test_cause_normalisation():
    q = QuestionResult(id="1.2", function="f", title="t", score=0, max_score=1, status="error", trials=1,
                       message="IndexError: index 3 is out of bounds for axis 0 with size 3 on trial 2 (random)")
    assert cause_of(q, {}) == ("s:error:IndexError: index 3 is out of bounds for axis 0 with size 3",
                               "error: IndexError: index 3 is out of bounds for axis 0 with size 3")
    q.status, q.message = "timeout", "did not finish within 10 s (an infinite loop?)"
    assert cause_of(q, {})[1] == "timed out: did not finish in time"
    q.status, q.message = "failed", "returned shape (3, 3) but the answer has shape (3, 3, 3) on trial 1 of 24 (random)"
    assert cause_of(q, {})[1] == "failed: returned shape (3, 3) but the answer has shape (3, 3, 3)"


def test_hints_from_results_or_from_the_catalogue(renderer):
    sub = make_result("amy", {"2.5": "failed"})
    q = sub.questions[8]
    q.hints = [{"id": "x", "name": "Sent <everything>", "explanation": "Because y_{2,2,k} <is> max.", "hint": "Use o_1."}]
    html = renderer.student_html(sub)
    assert "Sent &lt;everything&gt;" in html and "y<sub>2,2,k</sub> &lt;is&gt; max" in html and "o<sub>1</sub>" in html
    q.hints = []
    m = ASG.question("2.5").mistakes[0]
    q.misconceptions = [m.id, "no-such-id"]
    html = renderer.student_html(sub)
    assert str(prose(m.name)) in html and "no-such-id" in html


def test_results_json_round_trip_renders_the_same(renderer, examples_run):
    run, _ = examples_run
    s = next(s for s in run.submissions if any(q.failure for q in s.questions))
    again = submission_from_dict(to_dict(s))
    strip = lambda h: re.sub(r"<time.*?</time>", "", h)
    assert strip(renderer.student_html(again)) == strip(renderer.student_html(s))


def test_grids_follow_the_homework_layout():
    v = grids(np.arange(27.0).reshape(3, 3, 3).tolist(), worst=[1, 0, 2])
    assert [g["caption"] for g in v["grids"]] == ["k = 1", "k = 2", "k = 3"]
    g3 = v["grids"][2]
    assert g3["cols"] == ["1", "2", "3"] and [r["label"] for r in g3["rows"]] == ["1", "2", "3"]
    assert g3["rows"][1]["cells"][0]["text"] == "11" and g3["rows"][1]["cells"][0]["worst"]
    v4 = grids(np.zeros((2, 2, 3, 2)).tolist())
    assert len(v4["grids"]) == 6 and v4["grids"][1]["caption"] == "k = 1, m = 2"
    vec = grids([3, 5, 1, 1], columns=["c_w", "c_h", "p_w", "p_h"])
    assert vec["grids"][0]["cols"][0] == "c_w" and vec["grids"][0]["vector"]
    assert grids(7)["scalar"] == "7"
    assert "too large" in grids(np.zeros((100, 100)).tolist())["note"]
    assert "rectangular" in grids([[1, 2], [3]])["note"]


def test_heatmap_marks_wrong_and_worst():
    f = failure()
    h = heatmap(f.expected, f.got, f.wrong_mask, f.worst_index, ASG.question("2.3").element)
    cells = [c for p in h["panels"] for c in p["cells"]]
    assert len(cells) == 27 and h["wrong"] == 1
    worst = [c for c in cells if c["worst"]]
    assert len(worst) == 1 and worst[0]["wrong"] and worst[0]["fill"] != "#ffffff"
    assert "∂E/∂y_{2,1,k=3}" in worst[0]["title"]
    assert heatmap([[1, 2]], [[1, 2, 3]], None, None, None) is None  # shapes differ


def test_notation_and_traceback_trimming():
    assert str(notation("∂E/∂w_{1,2,1,o_2}")) == "∂E/∂w<sub>1,2,1,o<sub>2</sub></sub>"
    assert str(notation("<b>_{x}")) == "&lt;b&gt;<sub>x</sub>"
    assert str(prose("grad_fc_weights and c_w")) == "grad_fc_weights and c<sub>w</sub>"
    tb = ('Traceback (most recent call last):\n  File "/srv/grader/_runtime.py", line 9, in run\n    out = fn(*a)\n'
          '  File "hw.py", line 3, in f\n    return 1/0\nZeroDivisionError: division by zero')
    assert trim_traceback(tb, Limits()) == ('Traceback (most recent call last):\n  File "hw.py", line 3, in f\n'
                                            '    return 1/0\nZeroDivisionError: division by zero')
    only_ours = 'Traceback (most recent call last):\n  File "/x/grader/_runtime.py", line 1, in g\nTypeError: no'
    assert trim_traceback(only_ours, Limits()) == ""
    long = "Traceback (most recent call last):\n" + '  File "hw.py", line 1, in f\n    f()\n' * 500 + "RecursionError: x"
    out = trim_traceback(long, Limits())
    assert out.endswith("RecursionError: x") and "lines not shown" in out and out.count("\n") <= 40


# ------------------------------------------------------------------------------ formulas
def _env(rng):
    from reference.hw4 import model as M
    from reference.hw4.questions import networks
    net = {k: v[0] for k, v in networks(rng, 1).items()}
    b = {k: v[None] for k, v in net.items()}
    dz = M.grad_pool_output(b["v"], b["o"], b["target"])
    dy = M.grad_conv_sum_pool(dz)
    net.update(dE_dz=dz[0], dE_dy=dy[0])
    answers = {
        "1.2": M.conv_forward(b["x"], b["w"])[0], "1.3": M.sum_pool(b["y"])[0], "1.4": M.fc_forward(b["z"], b["v"])[0],
        "2.1": M.grad_fc_weights(b["z"], b["o"], b["target"])[0], "2.2": dz[0], "2.3": dy[0],
        "2.4": M.grad_filters(b["x"], b["y"], dy)[0], "2.5": M.grad_conv_max_pool(b["y"], dz)[0],
    }
    return net, answers


def _value(e, net):
    """Evaluate a formula of reference/hw4/formulas.py on one network's numbers."""
    import sympy as sp
    ev = lambda a: _value(a, net)
    ix = lambda e_: tuple(int(i) - 1 for i in e_.indices)
    if isinstance(e, sp.Sum):
        body = e.function
        (var, lo, hi), rest = e.limits[0], e.limits[1:]
        inner = (lambda b: sp.Sum(b, *rest)) if rest else (lambda b: b)
        return sum(ev(inner(body.xreplace({var: sp.Integer(n)}))) for n in range(int(lo), int(hi) + 1))
    if isinstance(e, sp.Derivative):
        v = e.variables[0]
        return {"z": net["dE_dz"], "y": net["dE_dy"]}[str(v.base)][ix(v)]
    if isinstance(e, sp.Indexed):
        base, idx = str(e.base), e.indices
        if base == "w" and len(idx) == 4:  # fully connected weight w_{i,j,k,o_m}
            return net["v"][tuple(int(i) - 1 for i in idx[:3]) + (int(str(idx[3]).split("_")[1]) - 1,)]
        return net[base][ix(e)]
    if isinstance(e, sp.Symbol):
        name = str(e)
        if name.startswith("o_"):
            return net["o"][int(name[2:]) - 1]
        if name.startswith("y_"):
            return net["target"][int(name[2:]) - 1]
        return net[name]
    if isinstance(e, sp.Add):
        return sum(ev(a) for a in e.args)
    if isinstance(e, sp.Mul):
        return math.prod(ev(a) for a in e.args)
    if isinstance(e, sp.Pow):
        return ev(e.base) ** ev(e.exp)
    if isinstance(e, sp.floor):
        return math.floor(ev(e.args[0]))
    if isinstance(e, sp.Max):
        return max(ev(a) for a in e.args)
    if isinstance(e, sp.Eq):
        return ev(e.lhs) == ev(e.rhs)
    if isinstance(e, sp.Function) and type(e).__name__ == "σ":
        return 1 / (1 + math.exp(-ev(e.args[0])))
    if isinstance(e, sp.Function) and type(e).__name__ == "Iverson":
        return 1.0 if ev(e.args[0]) else 0.0
    if e.is_Number:
        return float(e)
    raise AssertionError(f"unexpected {type(e)} in a formula: {e}")


@pytest.mark.parametrize("seed", [0, 1])
def test_formulas_evaluate_to_the_reference(seed):
    """The formula a report shows for each element computes that element's reference value."""
    from reference.hw4.formulas import formula
    net, answers = _env(np.random.default_rng(seed))
    for qid, ans in answers.items():
        for idx in np.ndindex(*ans.shape):
            eq = formula(qid, idx)
            assert eq is not None, (qid, idx)
            assert math.isclose(_value(eq.rhs, net), float(ans[idx]), rel_tol=1e-9, abs_tol=1e-12), (qid, idx, eq)
    from reference.hw4.model import layer_sizes
    geometry = {"width": 9, "height": 7, "filter_size": 3, "pool_size": 2, "stride": 2}
    sizes = layer_sizes(*geometry.values())
    geometry.update(c_w=sizes[0], c_h=sizes[1])
    for n in range(4):
        assert _value(formula("1.1", (n,)).rhs, geometry) == sizes[n]


def test_no_report_shows_a_correct_formula_unless_revealed(examples_run):
    """Every example report and the dashboard, as graded (no --reveal): no formula of the key,
    neither as MathML nor as text; the same pages with reveal show one per failing example."""
    from grader.feedback.formula import formula_text
    run, out = examples_run
    assert run.reveal is False
    assert '"reveal": false' in (out / "results.json").read_text(encoding="utf-8")
    revealer, keys = Renderer(ASG, run, reveal=True), 0
    for s in run.submissions:
        html = (out / s.report).read_text(encoding="utf-8")
        assert "<math" not in html and "formula key" not in html, s.source
        for q in s.questions:
            if q.failure is not None and q.failure.worst_index:
                key = formula_text("hw4", q.id, tuple(q.failure.worst_index))
                assert key and key not in html and key.split(" = ", 1)[1] not in html, (s.source, q.id)
                keys += 1
        shown = revealer.student_html(s)
        assert shown.count('<div class="formula key">') == sum(
            1 for q in s.questions if q.failure is not None and q.failure.worst_index), s.source
    assert keys >= 20
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<math" not in index and "correct formula of the" not in index
    assert "correct formula of the" in revealer.index_html(list(run.submissions))


def test_formula_text_every_element():
    """The plain-text formula (terminal, JUnit, Gradescope under --reveal), in the homework's notation."""
    from grader.feedback.formula import formula_text
    for q in ASG.questions:
        shape = np.asarray(q.generate(np.random.default_rng(0), 1).expected).shape[1:]
        for idx in np.ndindex(*shape):
            t = formula_text("hw4", q.id, idx)
            assert " = " in t and "Indexed" not in t and "[" not in t.split(" = ")[0], (q.id, idx, t)
    assert formula_text("hw4", "2.5", (0, 1, 0)).startswith("∂E/∂y_{1,2,1} = [y_{1,2,1} = max(y_{1,1,1}, ")
    assert formula_text("hw4", "2.1", (0, 1, 2, 1)) == "∂E/∂w_{1,2,3,o_2} = ((o_2 - y_2)*o_2*(1 - o_2))*z_{1,2,3}"
    assert formula_text("hw4", "9.9", (0,)) == formula_text("no_such_assignment", "1.1", (0,)) == ""


def test_every_element_has_mathml():
    from grader.feedback.formula import formula_mathml
    for q in ASG.questions:
        shape = np.asarray(q.generate(np.random.default_rng(0), 1).expected).shape[1:]
        for idx in np.ndindex(*shape):
            m = formula_mathml("hw4", q.id, idx)
            assert m.startswith("<math display=\"block\">") and m.endswith("</math>"), (q.id, idx)
            assert "http" not in m and "&dd;" not in m and "&InvisibleTimes;" not in m
    assert formula_mathml("hw4", "9.9", (0,)) == ""
    assert formula_mathml("no_such_assignment", "1.1", (0,)) == ""


# ------------------------------------------------------------------------------ browser
# (the browser and accessible fixtures are conftest's: any test file's pages can use them)


def _load(browser, tmp_path, name: str, html: str, width: int) -> dict:
    from screenshot import instrumented, layout_facts
    page = tmp_path / name
    page.write_text(instrumented(html), encoding="utf-8")
    browser.open(page.as_uri(), width)
    facts = layout_facts(browser)
    facts["console"] = browser.errors()
    return facts


@pytest.mark.parametrize("width", [400, 1280])
def test_browser_report_and_dashboard(browser, examples_run, renderer, hostile_html, tmp_path, width):
    run, out = examples_run
    failing = max(run.submissions, key=lambda s: sum(q.failure is not None for q in s.questions))
    pages = {
        "failing.html": (Renderer(ASG, run, reveal=True).student_html(failing), QIDS),
        "hostile.html": (hostile_html, QIDS),
        "index.html": ((out / "index.html").read_text(encoding="utf-8"), []),
    }
    for name, (html, sections) in pages.items():
        facts = _load(browser, tmp_path, name, html, width)
        assert facts["innerWidth"] == width
        assert facts["scrollWidth"] <= width, (name, facts)
        assert facts["overflowing"] == [], (name, facts["overflowing"])
        assert facts["errors"] == [] and facts["console"] == [], (name, facts)
        assert facts["sections"] == sections, name
        assert browser.evaluate("window.__xss === undefined"), name
        if name == "failing.html":
            assert facts["mathml"] >= 1
            assert browser.evaluate("document.querySelector('math').getBoundingClientRect().width > 20")
            assert browser.evaluate("[...document.querySelectorAll('details')].filter(d => d.open).length") >= 1


def test_browser_sorts_the_student_table(browser, examples_run, tmp_path):
    _, out = examples_run
    _load(browser, tmp_path, "index.html", (out / "index.html").read_text(encoding="utf-8"), 1280)
    names = "[...document.querySelectorAll('table.students tbody th')].map(t => t.textContent.trim())"
    before = browser.evaluate(names)
    assert before == sorted(before)
    totals = "[...document.querySelectorAll('table.students tbody td.total')].map(t => parseFloat(t.dataset.v))"
    browser.evaluate("document.querySelector('table.students thead th:last-child button').click()")
    asc = browser.evaluate(totals)
    assert asc == sorted(asc)
    browser.evaluate("document.querySelector('table.students thead th:last-child button').click()")
    assert browser.evaluate(totals) == sorted(asc, reverse=True)
    assert browser.errors() == []


def _graded(student: str, source: str = "", error: str = "") -> SubmissionResult:
    qs = [QuestionResult(q.id, q.function, q.title, q.points, q.points, "passed", 20, "") for q in ASG.questions]
    return SubmissionResult(student=student, source=source, score=ASG.max_score if not error else 0,
                            max_score=ASG.max_score, error=error, report=f"reports/{student}.html",
                            questions=qs if not error else [])


def test_dashboard_tags_entries_off_the_roster_and_counts_the_submitted():
    """An entry that matched no roster student looked like any other row (only the terminal
    warned), and 4 submitted of 5 students read "5 submissions … 1 with no submission"."""
    from grader.course.roster import NO_SUBMISSION
    run = GradingRun(assignment=ASG.name, title=ASG.title, assignment_version="1", grader_version="0", seed=0,
                     max_score=ASG.max_score, created="2026-01-01T00:00:00+00:00", roster_ids=["A1", "A2", "A3", "A4"])
    subs = [_graded("A1", "a1.py"), _graded("A2", "a2.py"), _graded("A3", "a3.py"),
            _graded("A4", "", NO_SUBMISSION), _graded("stranger", "stranger.py")]
    html = Renderer(ASG, run).index_html(subs)
    summary = re.search(r'<p class="summary">(.*?)</p>', html, re.S).group(1)
    assert "5 submissions" not in summary and "5 students, 4 with a submission" in summary, summary
    assert "1 with no submission" in summary and "1 matched nobody on the roster" in summary, summary
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<tr[^>]*><th scope="row" data-v="([^"]*)".*?</tr>', html)}
    assert "not on the roster" in rows["stranger"]
    assert all("not on the roster" not in rows[s] for s in ("A1", "A2", "A3", "A4"))
    plain = Renderer(ASG, GradingRun(assignment=ASG.name, title=ASG.title, assignment_version="1", grader_version="0",
                                   seed=0, max_score=ASG.max_score, created="2026-01-01T00:00:00+00:00"))
    page = plain.index_html(subs[:3])
    assert "not on the roster" not in page and "3 submissions" in page


def test_reproduce_line_has_the_timeout_and_points_that_scored_it():
    """The Reproduce line dropped --timeout and configured points (a rerun scored out of 20,
    not 22); the student edition's showed --seed 0, which means nothing there."""
    sub = _graded("alice", "alice.py")
    sub.seed = 7
    weighted = ASG.with_points({"2.5": 6}).with_points({"1.1": 3})
    run = GradingRun(assignment=ASG.name, title=ASG.title, assignment_version="1", grader_version="0", seed=7,
                     max_score=weighted.max_score, created="2026-01-01T00:00:00+00:00", policy={"timeout": 30.0})
    cmd = Renderer(weighted, run).command(sub)
    assert cmd.startswith("grader check alice.py --seed 7") and "--timeout 30" in cmd, cmd
    assert "--points 1.1=3" in cmd and "--points 2.5=6" in cmd and cmd.count("--points") == 2, cmd
    from grader.api import Options
    from grader.settings import DEFAULT_TIMEOUT
    assert Options.timeout == DEFAULT_TIMEOUT and "--timeout" not in Renderer(ASG, run, timeout=10.0).command(sub)
    assert Renderer(ASG).command(sub) == "grader check alice.py --seed 7"
    student = Renderer(ASG, notice="public cases only: not your grade").student_html(sub)
    assert "--seed" not in student and "grader check alice.py" in student


def test_a_misconception_is_explained_once_on_the_report():
    """The message quoted the misconception's explanation and the aside below it said it again."""
    explanation = "Your sizes are those of a window that always moves one pixel at a time. With a stride, fewer fit."
    q = QuestionResult("1.1", "layer_sizes", "Sizes", 0, 1, "failed", 24,
                       "Looks like a known mistake: ignored the stride (it reproduces your answer on every trial). "
                       "Your sizes are those of a window that always moves one pixel at a time. p_w is 10 but should be 1",
                       hints=[{"id": "stride", "name": "Ignored the stride", "explanation": explanation, "hint": "Try it."}])
    sub = SubmissionResult(student="bob", source="bob.py", score=0, max_score=1, error="", report="", questions=[q])
    html = Renderer(ASG).student_html(sub)
    assert html.count("always moves one pixel at a time") == 1, html
    assert "Likely misconception" in html and "p_w is 10 but should be 1" in html.replace("<sub>", "_").replace("</sub>", "")


def test_a_file_with_nul_bytes_says_so_clearly(tmp_path):
    """Python's "source code string cannot contain null bytes" named no file or line: the
    report read "null bytes ()"."""
    from grader.api import check
    from conftest import SUBMISSIONS
    f = tmp_path / "nul.py"
    f.write_bytes((SUBMISSIONS / "correct_vectorized.py").read_bytes().replace(b"\n", b"\n\x00", 1))
    res = check(f)
    assert res.score == 0 and "NUL (zero) bytes" in res.error and "UTF-8" in res.error, res.error
    assert "()" not in res.error and "()" not in res.traceback, res.traceback
    html = Renderer(ASG).student_html(res)
    assert "null bytes ()" not in html and "NUL (zero) bytes" in html


# ------------------------------------------------------------------------------ accessibility
def test_the_dashboard_and_a_failing_report_are_accessible(accessible, examples_run):
    """axe-core's WCAG 2.2 AA rules (tests/accessibility.py) on the class dashboard and on the
    report with the most failed questions (grids, heatmaps, formulas, open sections)."""
    run, out = examples_run
    accessible((out / "index.html").read_text(encoding="utf-8"), "the dashboard")
    failing = max(run.submissions, key=lambda s: sum(q.failure is not None for q in s.questions))
    assert sum(q.failure is not None for q in failing.questions) >= 2
    accessible((out / failing.report).read_text(encoding="utf-8"), "a report with failures")
    accessible(Renderer(ASG, run, reveal=True).student_html(failing), "a report with --reveal")


def test_a_written_answers_report_is_accessible(accessible, tmp_path):
    from grader.api import Options, grade
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "bob.md").write_text((ROOT / "tests" / "written" / "answer_key.md").read_text(encoding="utf-8"))
    run = grade(subs, tmp_path / "out", Options(jobs=1), assignment="hw4-written")
    bob = run.submissions[0]
    assert {q.status for q in bob.questions} >= {"passed", "failed"}
    html = (tmp_path / "out" / bob.report).read_text(encoding="utf-8")
    assert "How your answer to 1.2 was read" in html
    accessible(html, "a written-answer report")
    accessible((tmp_path / "out" / "index.html").read_text(encoding="utf-8"), "a written class's dashboard")


def test_an_overridden_grades_report_and_dashboard_are_accessible(accessible, examples_run, tmp_path):
    """An instructor's decisions (a question's points, the total, a waived late penalty) shown
    on the student's report and marked on the dashboard."""
    import copy

    from grader.course import ledger as L
    run, _out = examples_run
    failing = copy.deepcopy(max(run.submissions, key=lambda s: sum(q.failure is not None for q in s.questions)))
    other = copy.deepcopy(next(s for s in run.submissions if s.student != failing.student and not s.error))
    q = next(q for q in failing.questions if q.score < q.max_score)
    path = tmp_path / "ledger.jsonl"
    L.record(path, failing.student, q.id, q.max_score, "regrade request: sign convention accepted", by="ta")
    L.record(path, failing.student, "late-waived", None, "doctor's note", by="ta")
    L.record(path, other.student, "excused", None, "medical", by="ta")
    book = L.Ledger(path)
    assert book.apply(failing) and book.apply(other)
    renderer = Renderer(ASG, run)
    html = renderer.student_html(failing)
    assert "Your instructor changed this grade" in html and "sign convention accepted" in html
    accessible(html, "an overridden grade's report")
    accessible(renderer.student_html(other), "an excused student's report")
    index = renderer.index_html([failing, other, *[s for s in run.submissions
                                                   if s.student not in (failing.student, other.student)]])
    assert "overridden" in index
    accessible(index, "a dashboard with overrides")


def test_the_accessibility_check_finds_what_it_is_for(browser, tmp_path):
    """The check itself: axe-core loads, runs the WCAG 2.2 AA rules, and reports a page's
    violations (so a clean report above is a real pass, not a check that ran nothing)."""
    from accessibility import TAGS, describe, violations
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html><head><title>x</title></head><body><main><img src="a.png">'
                    '<p style="color:#bbb;background:#fff">faint</p><button></button>'
                    '<a href="#x" style="display:inline-block;width:10px;height:10px"></a></main></body></html>')
    found = {v["id"] for v in violations(browser, page)}
    assert {"image-alt", "color-contrast", "button-name", "link-name", "html-has-lang"} <= found, found
    assert "button-name" in describe(violations(browser, page))
    rules = browser.evaluate(f"axe.getRules({list(TAGS)!r}).length")
    assert rules >= 50 and browser.evaluate("axe.version") == "4.14.1"


def test_the_similarity_page_is_accessible(accessible, tmp_path):
    """`grader similar`'s page (the pairs side by side), checked as every report is."""
    from test_similarity import HAVE_COPYDETECT, LOOPS, VECTORIZED, renamed, run_similar
    if not HAVE_COPYDETECT:
        if os.environ.get("CNN_GRADER_CI"):
            pytest.fail("CNN_GRADER_CI is set but copydetect is not installed (pip install -e '.[test]')")
        pytest.skip("needs copydetect: pip install -e '.[similarity]'")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "amy.py").write_text(VECTORIZED)
    (subs / "ben.py").write_text(renamed(VECTORIZED))
    (subs / "cy.py").write_text(LOOPS)
    run_similar(subs, tmp_path / "out")
    html = (tmp_path / "out" / "similarity.html").read_text(encoding="utf-8")
    assert "pairbox" in html
    accessible(html, "the similarity page")
