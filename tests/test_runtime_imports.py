"""What happens to ordinary student files inside the sandboxed child: imports the grader lacks,
functions written for some inputs only, printing, syntax errors, the inputs of a failing call.

The files are shaped as students hand them in: a correct solution (submissions/correct_*.py)
with leftover plotting, progress bars, a torch import, debug printing, and so on.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import SUBMISSIONS

CORRECT = (SUBMISSIONS / "correct_vectorized.py").read_text()
LOOPS = (SUBMISSIONS / "correct_loops.py").read_text()
TIMEOUT = 2.0

FILES = {
    # plotting at the top of the file and inside graded functions, every common import form
    "plots": "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
             "from matplotlib import pyplot as plt2, cm\nimport seaborn as sns\nimport plotly.express as px\n"
             "from ipywidgets import interact\n" + CORRECT + '''
sns.set_theme()
plt.rcParams["figure.figsize"] = (8, 6)
fig, axes = plt.subplots(2, 2, figsize=(8, 8))
axes[0, 1].imshow(np.eye(3), cmap=cm.viridis)
for ax in axes.flat:
    ax.set_title("channel")
fig2, (ax1, ax2) = plt2.subplots(1, 2)
line, = ax1.plot([1, 2], [3, 4])
n, bins, patches = plt.hist([1, 2, 3])
plt.tight_layout()
plt.show()
px.imshow(np.eye(2)).show()

_conv = conv_forward


@interact(k=(0, 2))
def conv_forward(x, w):
    y = _conv(x, w)
    fig, axes = plt.subplots(1, 3)
    for k, ax in enumerate(axes):
        ax.imshow(y[:, :, k])
        ax.axis("off")
    with plt.style.context("ggplot"):
        plt.colorbar(axes[0].images[0] if axes[0].images else None)
    plt.savefig("conv.png")
    plt.close(fig)
    return y
''',
    # progress bars in the graded loops
    "progress": "from tqdm import tqdm, trange\nfrom tqdm.auto import tqdm as atqdm\nimport tqdm.notebook as tqdm_nb\n"
                + LOOPS.replace("for k in range(3):", "for k in tqdm(range(3), desc='k', leave=False):", 1) + '''
_fc = fc_forward


def fc_forward(z, v):
    total = 0
    for i in trange(2):
        total += i
    for _ in atqdm([1, 2], total=2):
        pass
    with tqdm(total=3) as bar:
        bar.update(3)
        bar.set_postfix(loss=0.1)
    tqdm.write("fc done")
    assert total == 1 and len(tqdm(range(4))) == 4
    return _fc(z, v)
''',
    "display": "from IPython.display import display, HTML, Markdown, clear_output\nimport IPython\n" + CORRECT
               + "\ndisplay(Markdown('# Homework 4'))\nclear_output(wait=True)\nHTML('<b>x</b>')\n",
    # torch is used at the top (inert) and in sum_pool only; scipy's absence is handled by the student
    "torch_one": "import torch\nimport torch.nn as nn\nfrom torch.nn import functional as F_\n"
                 "try:\n    from scipy import signal\nexcept ImportError:\n    signal = None\n"
                 + CORRECT + '''
torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Net(nn.Module):
    pass


@torch.no_grad()
def sum_pool(y):
    t = torch.tensor(y)
    return (t[:-1, :-1] + t[:-1, 1:] + t[1:, :-1] + t[1:, 1:]).numpy()


def grad_conv_sum_pool(dE_dz):
    if signal is not None:
        return signal.convolve2d(dE_dz, np.ones((2, 2)))
    dz = np.asarray(dE_dz, dtype=float)
    dy = np.zeros((dz.shape[0] + 1, dz.shape[1] + 1, dz.shape[2]))
    for a, b in ((0, 0), (0, 1), (1, 0), (1, 1)):
        dy[a:a + dz.shape[0], b:b + dz.shape[1]] += dz
    return dy
''',
    "stride_one": CORRECT + '''
def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    if stride != 1:
        raise NotImplementedError("only stride 1")
    c_w, c_h = width - filter_size + 1, height - filter_size + 1
    return c_w, c_h, c_w - pool_size + 1, c_h - pool_size + 1
''',
    "none_sometimes": CORRECT + '''
def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    if stride == 1:
        c_w, c_h = width - filter_size + 1, height - filter_size + 1
        return c_w, c_h, c_w - pool_size + 1, c_h - pool_size + 1
''',
    "chatty": "import os\nimport sys\n" + CORRECT + '''
print("starting" * 1000)
_conv = conv_forward
_line = "debug: " + "x" * 1017 + "\\n"


def conv_forward(x, w):
    for _ in range(2500):  # 2.5 MB per call, 60 MB in all
        sys.stdout.write(_line)
    print("stderr too", file=sys.stderr)
    os.write(1, b"at the descriptor level\\n")
    sys.stdout.buffer.write(b"bytes\\n")
    return _conv(x, w)
''',
    "syntax": CORRECT.replace("def sum_pool(y):", "def sum_pool(y)", 1),
    "unnamed_exception": CORRECT + '''
class _Meta(type):
    def __getattribute__(cls, name):
        if name in ("__name__", "__qualname__"):
            raise RuntimeError("no name for you")
        return super().__getattribute__(name)


class Weird(Exception, metaclass=_Meta):
    def __str__(self):
        raise ValueError("str raised")

    def __repr__(self):
        raise ValueError("repr raised")


def sum_pool(y):
    raise Weird()
''',
    "error_inputs": CORRECT + '''
def grad_filters(x, y, dE_dy):
    raise ValueError("my own message")


def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    while stride == 2:
        pass
    c_w = (width - filter_size) // stride + 1
    c_h = (height - filter_size) // stride + 1
    return c_w, c_h, (c_w - pool_size) // stride + 1, (c_h - pool_size) // stride + 1
''',
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from grader.api import Options, grade
    folder = tmp_path_factory.mktemp("students") / "submissions"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / f"{name}.py").write_text(text)
    out = folder.parent / "out"
    run = grade(folder, out, Options(timeout=TIMEOUT, jobs=2))
    return {s.student: s for s in run.submissions}, out


def q(sub, qid):
    return {x.id: x for x in sub.questions}[qid]


def report(out: Path, sub) -> str:
    return (out / sub.report).read_text(encoding="utf-8")


def test_plotting_imports_cost_nothing(graded):
    by, out = graded
    sub = by["plots"]
    assert sub.score == 20, [(x.id, x.message) for x in sub.questions if x.status != "passed"]
    assert any("matplotlib is not loaded by the grader; your plotting calls were ignored" in n for n in sub.notes)
    assert any(n.startswith("seaborn") for n in sub.notes) and any(n.startswith("plotly") for n in sub.notes)
    assert "your plotting calls were ignored" in report(out, sub)


def test_progress_bars_iterate_what_they_wrap(graded):
    by, _ = graded
    sub = by["progress"]
    assert sub.score == 20, [(x.id, x.message) for x in sub.questions if x.status != "passed"]
    assert "fc done" in q(sub, "1.4").stdout
    assert any(n.startswith("tqdm is not loaded") for n in sub.notes)


def test_display_calls_cost_nothing(graded):
    sub = graded[0]["display"]
    assert sub.score == 20 and any(n.startswith("IPython") for n in sub.notes)


def test_a_missing_module_fails_only_the_questions_that_use_it(graded):
    by, out = graded
    sub = by["torch_one"]
    bad = [x for x in sub.questions if x.status != "passed"]
    assert [x.id for x in bad] == ["1.3"] and sub.score == 19, [(x.id, x.message) for x in bad]
    assert bad[0].status == "error"
    assert "torch is not available in the grader" in bad[0].message and "NumPy" in bad[0].message
    assert any(n.startswith("torch is not available") for n in sub.notes)
    assert not any("scipy" in n for n in sub.notes)  # its absence was handled (try/except ImportError)
    assert bad[0].failure is not None and set(bad[0].failure.inputs) == {"y"}
    html = report(out, sub)
    assert "torch is not available in the grader" in html and "yourself to see the same error" not in html


def test_a_function_written_for_some_inputs_only_is_an_error_with_its_inputs(graded):
    by, out = graded
    for name, words in (("stride_one", "only stride 1"), ("none_sometimes", "returned None for these inputs")):
        x = q(by[name], "1.1")
        assert x.status == "error" and words in x.message, (name, x.status, x.message)
        assert x.failure is not None and x.failure.inputs["stride"] != 1 and x.failure.expected is None
        assert set(x.failure.inputs) == {"width", "height", "filter_size", "pool_size", "stride"}
        assert by[name].score == 19
    html = report(out, by["stride_one"])
    assert "only stride 1" in html and "The call that failed" in html and "<code>stride</code>" in html


def test_still_missing_when_every_call_is_a_stub(graded):
    from grader.api import Options, check
    res = check(SUBMISSIONS / "partial.py", Options(timeout=TIMEOUT))
    missing = {x.id for x in res.questions if x.status == "missing"}
    assert missing == {"2.1", "2.2", "2.3", "2.4", "2.5"}, [(x.id, x.status, x.message) for x in res.questions]


def test_printing_megabytes_is_dropped_not_penalized(graded):
    by, out = graded
    sub = by["chatty"]
    assert sub.score == 20, [(x.id, x.message) for x in sub.questions if x.status != "passed"]
    x = q(sub, "1.2")
    assert x.output_dropped > 50_000_000 and "bytes of output dropped" in x.stdout
    assert x.stdout.startswith("debug: ") and "bytes\n" in x.stdout  # head and tail kept
    assert len(x.stdout) < 20_000 and "stderr too" in x.stderr
    assert sub.stdout.startswith("starting")
    assert f"{x.output_dropped} more bytes of printed output were left out" in report(out, sub)


def test_a_syntax_error_shows_the_students_line_with_a_caret(graded):
    by, out = graded
    sub = by["syntax"]
    assert sub.error.startswith("SyntaxError: ") and "syntax.py, line" in sub.error
    assert "<frozen" not in sub.traceback and "importlib" not in sub.traceback
    line = next(i for i, t in enumerate(CORRECT.splitlines(), 1) if t.startswith("def sum_pool"))
    assert f'File "syntax.py", line {line}' in sub.traceback
    assert "    def sum_pool(y)\n" in sub.traceback and re.search(r"\n\s+\^+\n", sub.traceback)
    html = report(out, sub)
    assert html.count('<section class="q') == 1  # one box, not one per question
    assert "def sum_pool(y)" in html and "yourself to see the same error" in html


def test_an_exception_whose_name_and_message_cannot_be_read_is_an_error_not_a_crash(graded):
    """The runtime reads a raised exception's class name and message to report it: a class
    whose metaclass refuses its name, and whose __str__/__repr__ raise, is still that
    question's error (found grading a folder of new kinds of broken files: it was reported as
    'the process ended while answering (... a segmentation fault ...)')."""
    by, _out = graded
    sub = by["unnamed_exception"]
    bad = q(sub, "1.3")
    assert bad.status == "error" and "process ended" not in bad.message, bad.message
    assert "unprintable" in bad.message
    assert sub.score == 19


def test_errors_and_timeouts_show_the_inputs_of_the_call(graded):
    by, out = graded
    sub = by["error_inputs"]
    err = q(sub, "2.4")
    assert err.status == "error" and "my own message" in err.message
    assert err.failure.trial == 0 and set(err.failure.inputs) == {"x", "y", "dE_dy"}
    slow = q(sub, "1.1")
    assert slow.status == "timeout" and slow.failure is not None and slow.failure.inputs["stride"] == 2
    assert "on trial" in slow.message
    html = report(out, sub)
    assert "The call that did not finish" in html and "The call that failed" in html


def test_a_correct_file_with_a_plotting_import_scores_full_marks_in_check(tmp_path):
    from grader.api import Options, check
    path = tmp_path / "hw4.py"
    path.write_text("import matplotlib.pyplot as plt\n" + CORRECT + "\nplt.plot([1, 2])\nplt.show()\n")
    res = check(path, Options(timeout=5))
    assert res.score == 20 and res.error == ""


# --- the policy's parts, in this process -----------------------------------------------------------

def test_stand_ins_shape_what_plotting_code_unpacks():
    from grader.sandbox import _imports as im
    fig, ax = im._subplots()
    assert isinstance(ax, im._Nothing) and ax.anything(1, k=2)[3].more is not None
    assert im._axes(2, 2).shape == (2, 2) and im._axes(1, 3).shape == (3,) and im._axes(4, 1).shape == (4,)
    assert im._axes(1, 1, squeeze=False).shape == (1, 1) and im._axes(nrows=3, ncols=2).shape == (3, 2)
    assert len(list(im._axes(2, 3).flat)) == 6
    line, = im._SPECIAL["plot"]()
    with ax as inner:
        inner.set_title("x")
    assert list(ax) == [] and (ax + 1) is not None and ax[0, 1] is not None and str(ax)

    def f():
        return 1
    assert ax(f) is f  # a decorator leaves the function as it is
    assert list(im.tqdm(range(3), desc="x")) == [0, 1, 2] and list(im.trange(2, 5)) == [2, 3, 4]
    assert len(im.tqdm(total=7)) == 7 and len(im.tqdm([1, 2])) == 2
    with im.tqdm(total=3) as bar:
        bar.update(2)
        bar.set_postfix(loss=1)


def test_placeholders_are_inert_while_importing_and_fail_when_called():
    from grader.sandbox import _imports as im
    mod = im._MissingModule("torch")
    t = mod.tensor([1, 2]).numpy()
    assert not bool(mod.cuda.is_available()) and list(t) == []

    class Net(mod.nn.Module):
        pass
    Net()
    with pytest.raises(ModuleNotFoundError, match="torch is not available in the grader"):
        import numpy as np
        np.asarray(t)
    im.STATE.calls = True
    try:
        for use in (lambda: mod.tensor, lambda: t + 1, lambda: t(), lambda: bool(t), lambda: Net(), lambda: list(t)):
            with pytest.raises(ModuleNotFoundError, match=r"torch is not available .*NumPy"):
                use()
    finally:
        im.STATE.calls = False


def test_imports_guarded_by_try_except_are_found():
    import textwrap
    from grader.sandbox import _imports as im
    src = textwrap.dedent("""
        try:
            import scipy
        except ImportError:
            scipy = None
        try:
            import torch
        except (ValueError, ModuleNotFoundError):
            pass
        try:
            import pandas
        except KeyError:
            pass
        def f():
            try:
                import sklearn
            except Exception:
                return 1
    """)
    spans = im._guarded_lines_text(src)
    guarded = {n: any(a <= i <= b for a, b in spans) for i, line in enumerate(src.splitlines(), 1)
               for n in ("scipy", "torch", "pandas", "sklearn") if f"import {n}" in line}
    assert guarded == {"scipy": True, "torch": True, "pandas": False, "sklearn": True}


# --- what the grader reads of the child's frames ---------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80),
                       lambda c: st.lists(c, max_size=30) | st.dictionaries(st.text(max_size=10), c, max_size=5),
                       max_leaves=60)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["dropped", "standins", "missing", "other"]), _values, max_size=4))
def test_frame_fields_about_output_and_imports_are_checked(frame):
    """The schema (grader.sandbox.frames) reads these fields or calls the frame forged; what it lets
    through is recorded within bounds."""
    from grader.sandbox import frames
    from grader.sandbox._imports import DISPLAY
    from grader.sandbox.supervisor import SubmissionRun, _modules
    tree = {"pos": [0, 0], "dropped": [0, 0], "standins": [], "missing": [], **frame}
    try:
        seg = frames._segment(tree)
    except frames.Forged:
        return
    assert all(type(d) is int and 0 <= d < 1 << 63 for d in seg["dropped"])
    run = SubmissionRun(isolation="x")
    _modules(run, seg["standins"], seg["missing"])
    _modules(run, seg["standins"], seg["missing"])
    for names in (run.standins, run.missing_modules):
        assert len(names) <= 20 and len(set(names)) == len(names)
        assert all(isinstance(n, str) and n.isidentifier() and len(n) <= 60 for n in names)
    assert set(run.standins) <= set(DISPLAY)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=32), st.integers(0, 5))
def test_the_trial_in_progress_is_read_with_bounds(data, n):
    import os
    import tempfile
    from grader.sandbox.supervisor import Sandbox
    sb = Sandbox.__new__(Sandbox)
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.flush()
        qids = [f"q{i}" for i in range(n)]
        sb._progress = (f.fileno(), qids)
        for qid in qids + ["other"]:
            t = sb._trial_running(qid)
            assert t is None or (type(t) is int and t >= 0 and qid in qids)
        assert os.fstat(f.fileno()).st_size == len(data)


def test_the_student_edition_applies_the_same_import_policy(tmp_path):
    """The self-check of the handout's wheel (no reference) gives a file with a plotting import
    and torch in one function the same statuses and notes as the official run."""
    import json
    import os
    import subprocess
    import sys
    import textwrap
    import zipfile
    from grader.course import handout as H
    from grader.api import Options, check
    whl = H.build_student_wheel(tmp_path / "wheel")
    site = tmp_path / "site"
    with zipfile.ZipFile(whl) as zf:
        zf.extractall(site)
    assert (site / "grader" / "sandbox" / "_imports.py").is_file()
    (tmp_path / H.PUBLIC_FILE).write_text(H.dump_public(H.public_cases()))
    source = tmp_path / "hw4.py"
    source.write_text("import matplotlib.pyplot as plt\n" + FILES["torch_one"])
    code = textwrap.dedent("""
        import json, sys
        sys.modules["reference"] = None
        import grader.course.handout as h
        res = h.check_public("hw4.py", h.find_public_cases(__import__("pathlib").Path("hw4.py")))
        print(json.dumps({"statuses": {q.id: q.status for q in res.questions}, "notes": res.notes}))
        """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    student = json.loads(r.stdout.strip().splitlines()[-1])
    official = check(source, Options(timeout=5))
    assert student["statuses"] == {q.id: q.status for q in official.questions}
    assert student["statuses"]["1.3"] == "error" and official.score == 19
    assert student["notes"] == official.notes and len(official.notes) == 2


def test_the_advice_for_a_file_that_did_not_import_fits_the_reason():
    from grader.outputs.report import Renderer
    from grader.results import SubmissionResult

    def advice(error, tb="Traceback ...\n  File \"hw4.py\", line 1\n"):
        return Renderer.import_advice(SubmissionResult("s", "hw4.py", 0, 20, error, "", traceback=tb))
    assert "python hw4.py yourself" in advice("SyntaxError: invalid syntax (hw4.py, line 3)")
    for error in ("ModuleNotFoundError: No module named 'scipy' (the grader provides NumPy and the Python "
                  "standard library)", "ImportError: cannot import name 'x'"):
        assert "yourself" not in advice(error) and "NumPy and the Python standard library" in advice(error)
    assert "__main__" in advice("importing the file did not finish within 10 s", tb="")
    assert advice("not a .py file, a folder or a .zip", tb="") == ""


def test_what_the_allowed_packages_need_comes_from_the_installation_not_a_name():
    """Code that is not the student's (by its file name, which the student chooses) may load only
    what the allowed packages require: NumPy requires nothing, jinja2 brings markupsafe."""
    from grader.sandbox._imports import required_modules
    assert required_modules(("numpy",)) == {"numpy"}
    assert {"jinja2", "markupsafe"} <= required_modules(("jinja2",))
    needed = required_modules()
    assert "numpy" in needed and not {"sympy", "jinja2", "click", "nbformat", "grader"} & needed
