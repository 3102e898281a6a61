"""Property tests of the channel from a sandboxed child to the grader, which student code can
write to: the frame decoder (grader.sandbox.wire), the message schema (grader.sandbox.frames), the reader that
splits the pipe into frames (grader.sandbox.supervisor._split), and scoring what the schema lets through.

Whatever arrives -- arbitrary bytes, arbitrary JSON headers and array specs, arbitrary trees --
only the documented errors come out (WireError, frames.Forged), and whatever is accepted holds
only values that are safe to use: finite seconds within the child's lifetime, trials in range,
answers within the element and dimension caps, texts within their caps.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from grader.sandbox import frames, wire
from grader.sandbox.supervisor import _split

SEG = {"dropped": [0, 0], "standins": [], "missing": []}  # what every imported/result message carries

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QIDS = {"1.1": 3, "1.2": 2, "2.5": 1}
EXPECT = frames.Expect(trials=QIDS, max_elements=50, elapsed=5.0)

# JSON values, and the odd ones a hand-written header can hold (NaN, huge numbers)
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                    st.sampled_from(["ok", "error", "missing", "result", "imported", "ready", "done",
                                     "setup_failed", "1.1", "1.2", "2.5", "__nd__"]))
json_trees = st.recursive(scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=5), st.dictionaries(st.text(max_size=8) | st.sampled_from(
        ["kind", "qid", "status", "seconds", "pos", "dropped", "standins", "missing", "next", "trial", "error", "traceback", "types",
         "stacked", "outputs", "ok", "uid", "__nd__"]), kids, max_size=6)), max_leaves=25)
array_specs = st.lists(st.one_of(
    json_trees,
    st.tuples(st.sampled_from(sorted(wire.DTYPES) + ["|O8", "<c16", ">f8", "<U3", ""]) | scalars,
              st.lists(st.integers(min_value=-3, max_value=2 ** 40), max_size=10) | json_trees,
              st.integers(min_value=-5, max_value=200) | scalars,
              st.integers(min_value=-5, max_value=200) | scalars).map(list)), max_size=4)


def raw_frame(head: bytes, blob: bytes = b"") -> bytes:
    return wire.HEADER.pack(wire.MAGIC, len(head), len(blob)) + head + blob


def decode_only_wire_errors(data) -> object | None:
    try:
        return wire.decode(data)
    except wire.WireError:
        return None


def assert_plain(tree, depth=0) -> None:
    """What decode returns: JSON types and plain ndarrays of allowed dtypes, nothing else."""
    assert depth <= wire.MAX_DEPTH + 1
    if isinstance(tree, dict):
        for k, v in tree.items():
            assert type(k) is str
            assert_plain(v, depth + 1)
    elif isinstance(tree, list):
        for v in tree:
            assert_plain(v, depth + 1)
    elif isinstance(tree, np.ndarray):
        assert type(tree) is np.ndarray and tree.dtype.str in wire.DTYPES and tree.ndim <= wire.MAX_NDIM
    else:
        assert type(tree) in (str, int, float, bool, type(None))
        assert not (type(tree) is float and not math.isfinite(tree))  # no NaN, no infinity


# --- wire.decode --------------------------------------------------------------------------------

@SETTINGS
@given(st.binary(max_size=300))
def test_decode_of_arbitrary_bytes(data):
    tree = decode_only_wire_errors(data)
    if tree is not None:
        assert_plain(tree)


@SETTINGS
@given(st.binary(max_size=200), st.binary(max_size=64))
def test_decode_of_arbitrary_header_bytes(head, blob):
    tree = decode_only_wire_errors(raw_frame(head, blob))
    if tree is not None:
        assert_plain(tree)


@SETTINGS
@given(json_trees, array_specs, st.binary(max_size=128), st.booleans())
def test_decode_of_arbitrary_json_headers_and_array_specs(tree, specs, blob, wrap):
    meta = {"tree": tree, "arrays": specs} if wrap else tree
    head = json.dumps(meta, allow_nan=True).encode()  # (NaN and Infinity tokens too)
    got = decode_only_wire_errors(raw_frame(head, blob))
    if got is not None:
        assert_plain(got)


@SETTINGS
@given(st.integers(min_value=0, max_value=80), st.sampled_from(["[", "{\"a\":"]))
def test_decode_of_deep_nesting(depth, opener):
    closer = "]" if opener == "[" else "}"
    head = ('{"tree": ' + opener * depth + "1" + closer * depth + ', "arrays": []}').encode()
    got = decode_only_wire_errors(raw_frame(head))
    if depth <= wire.MAX_DEPTH:
        assert got is not None
    elif depth > wire.MAX_DEPTH + 2:
        assert got is None


@SETTINGS
@given(hnp.arrays(st.sampled_from(sorted(wire.DTYPES)), hnp.array_shapes(min_dims=0, max_dims=wire.MAX_NDIM,
                                                                        min_side=0, max_side=3)),
       json_trees.filter(lambda t: not _has_nonfinite(t) and "__nd__" not in json.dumps(t)))  # (the array marker)
def test_round_trip_of_every_allowed_array_and_tree(arr, tree):
    back = wire.decode(wire.encode({"a": arr, "t": tree}))
    assert back["a"].dtype == arr.dtype.newbyteorder("<") or back["a"].dtype == arr.dtype
    assert back["a"].shape == arr.shape and np.array_equal(back["a"], arr, equal_nan=arr.dtype.kind == "f")
    assert json.dumps(back["t"]) == json.dumps(_as_json(tree))


def _has_nonfinite(t) -> bool:
    if isinstance(t, float):
        return not math.isfinite(t)
    if isinstance(t, dict):
        return any(_has_nonfinite(v) for v in t.values())
    if isinstance(t, list):
        return any(_has_nonfinite(v) for v in t)
    return False


def _as_json(t):
    return json.loads(json.dumps(t))


@SETTINGS
@given(st.binary(min_size=1, max_size=40), st.integers(min_value=0, max_value=10 ** 6))
def test_decode_of_mutated_honest_frames(junk, where):
    honest = wire.encode({"kind": "result", "qid": "1.1", "status": "ok", "stacked": np.arange(6.0).reshape(3, 2),
                          "types": ["ndarray"], "seconds": 0.1, "pos": [0, 0], **SEG, "next": None})
    i = where % len(honest)
    for data in (honest[:i] + junk + honest[i + len(junk):], honest[:i] + junk + honest[i:], honest[:i]):
        tree = decode_only_wire_errors(data)
        if tree is not None:
            assert_plain(tree)
            check_only_forged(tree)


# --- the schema ---------------------------------------------------------------------------------

def check_only_forged(tree, expect: frames.Expect = EXPECT):
    try:
        msg = frames.check(tree, expect)
    except frames.Forged:
        return None
    assert_safe(msg, expect)
    return msg


def assert_safe(msg, expect: frames.Expect) -> None:
    """An accepted message holds only values that cannot hurt what reads them."""
    for name in ("seconds",):
        if hasattr(msg, name):
            v = getattr(msg, name)
            assert type(v) is float and math.isfinite(v) and 0 <= v <= expect.elapsed
    if hasattr(msg, "pos"):
        assert all(type(p) is int and 0 <= p <= frames.POS_MAX for p in msg.pos)
    for name, cap in (("error", frames.ERROR_CHARS), ("traceback", frames.TRACEBACK_CHARS)):
        if hasattr(msg, name):
            assert type(getattr(msg, name)) is str and len(getattr(msg, name)) <= cap
    if isinstance(msg, frames.Result):
        n = expect.trials[msg.qid]
        assert msg.status in frames.STATUSES
        assert msg.next is None or msg.next in expect.trials
        assert msg.trial is None or (type(msg.trial) is int and 0 <= msg.trial < n)
        assert all(type(t) is str and len(t) <= frames.TYPE_CHARS for t in msg.types)
        if msg.status == "ok":
            assert len(msg.outputs) == n
            for o in msg.outputs:
                assert type(o) is np.ndarray and o.ndim < wire.MAX_NDIM and o.size <= expect.max_elements
                assert o.dtype.str in wire.DTYPES
        json.dumps([msg.seconds, msg.error, msg.traceback, msg.trial, msg.types], allow_nan=False)


small_arrays = hnp.arrays(st.sampled_from(sorted(wire.DTYPES)),
                          hnp.array_shapes(min_dims=0, max_dims=wire.MAX_NDIM, min_side=0, max_side=4))
trees_with_arrays = st.recursive(scalars | small_arrays, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.sampled_from(
        ["kind", "qid", "status", "seconds", "pos", "dropped", "standins", "missing", "next", "trial", "error", "traceback", "types",
         "stacked", "outputs", "ok", "uid", "x"]), kids, max_size=8)), max_leaves=20)


@SETTINGS
@given(trees_with_arrays)
def test_schema_over_arbitrary_trees(tree):
    check_only_forged(tree)


@st.composite
def result_messages(draw):
    """Messages shaped like results, each field drawn from honest and hostile values alike."""
    qid = draw(st.sampled_from(sorted(QIDS)) | st.text(max_size=4))
    n = QIDS.get(qid, 2)
    status = draw(st.sampled_from(frames.STATUSES) | scalars)
    tree = {"kind": "result", "qid": qid, "status": status,
            "seconds": draw(st.floats(min_value=0, max_value=6) | scalars),
            "pos": draw(st.lists(st.integers(min_value=-2, max_value=2 ** 63), min_size=2, max_size=2) | scalars),
            "next": draw(st.sampled_from([None, *QIDS]) | scalars)}
    if status == "ok":
        if draw(st.booleans()):
            lead = draw(st.sampled_from([n, n, 0, n + 1]))
            tree["stacked"] = draw(hnp.arrays(st.sampled_from(sorted(wire.DTYPES)), hnp.array_shapes(
                min_dims=0, max_dims=wire.MAX_NDIM - 1, min_side=0, max_side=8)).map(
                lambda a: np.broadcast_to(a, (lead,) + a.shape).copy() if a.size * max(lead, 1) < 5000 else a))
        else:
            tree["outputs"] = draw(st.lists(small_arrays, min_size=n - 1, max_size=n + 1) | scalars)
        tree["types"] = draw(st.lists(st.text(max_size=120), max_size=4) | scalars)
    else:
        tree["error"] = draw(st.text(max_size=50) | scalars)
        if draw(st.booleans()):
            tree["trial"] = draw(st.integers(min_value=-(10 ** 6), max_value=10 ** 6) | scalars)
        if draw(st.booleans()):
            tree["traceback"] = draw(st.text(max_size=50) | scalars)
    for key in draw(st.lists(st.sampled_from(sorted(tree)), max_size=2)):
        tree.pop(key, None)  # a field left out
    if draw(st.booleans()):
        tree[draw(st.text(max_size=6))] = draw(scalars)  # a field added
    return tree


@SETTINGS
@given(result_messages())
def test_schema_over_result_shaped_messages(tree):
    msg = check_only_forged(tree)
    if msg is not None:  # survived the round trip too: what the wire carries, the schema judges alike
        back = decode_only_wire_errors(wire.encode(tree)) if not _has_nonfinite(tree) else None
        if back is not None:
            check_only_forged(back)


def test_schema_accepts_exactly_what_the_runtime_sends():
    """The runtime's own messages pass (a field too many or too few would charge honest code)."""
    honest = [
        {"kind": "ready", "uid": 1000},
        {"kind": "setup_failed", "error": "OSError: no namespaces"},
        {"kind": "imported", "ok": True, "seconds": 0.2, "pos": [0, 0], **SEG, "next": "1.1"},
        {"kind": "imported", "ok": False, "error": "SyntaxError: x", "traceback": "T", "seconds": 0.1, "pos": [5, 0], **SEG},
        {"kind": "result", "qid": "1.1", "status": "ok", "types": ["ndarray"], "seconds": 0.01, "pos": [0, 0], **SEG,
         "next": "1.2", "stacked": np.zeros((3, 2))},
        {"kind": "result", "qid": "1.2", "status": "ok", "types": ["list", "ndarray"], "seconds": 0.0, "pos": [0, 0], **SEG,
         "next": None, "outputs": [np.zeros(2), np.zeros(3)]},
        {"kind": "result", "qid": "1.1", "status": "ok", "types": ["ndarray"], "seconds": 0.01, "pos": [0, 0], **SEG,
         "next": None, "stacked": np.zeros((3, 2)), "changed": [0, 2]},
        {"kind": "result", "qid": "1.1", "status": "ok", "types": ["ndarray"], "seconds": 0.01, "pos": [0, 0], **SEG,
         "next": None, "outputs": [np.zeros(2), np.zeros(0), np.zeros(2)], "raised": [1]},
        {"kind": "result", "qid": "1.1", "status": "error", "trial": 2, "error": "ValueError: x",
         "traceback": "T", "seconds": 0.0, "pos": [0, 0], **SEG, "next": None},
        {"kind": "result", "qid": "1.1", "status": "error", "trial": 0, "error": "returned None",
         "seconds": 0.0, "pos": [0, 0], **SEG, "next": None},
        {"kind": "result", "qid": "2.5", "status": "missing", "error": "no function", "seconds": 0.0,
         "pos": [0, 0], **SEG, "next": None},
        {"kind": "done"},
    ]
    for tree in honest:
        assert check_only_forged(wire.decode(wire.encode(tree))) is not None, tree


@pytest.mark.parametrize("tree, why", [
    ({"kind": "result", "qid": "1.1", "status": "error", "trial": -1000000, "error": "", "seconds": 0.0,
      "pos": [0, 0], **SEG, "next": None}, "trial"),
    ({"kind": "result", "qid": "1.1", "status": "error", "trial": 3, "error": "", "seconds": 0.0,
      "pos": [0, 0], **SEG, "next": None}, "trial"),
    ({"kind": "result", "qid": "1.1", "status": "missing", "error": "", "seconds": float("nan"),
      "pos": [0, 0], **SEG, "next": None}, "seconds"),
    ({"kind": "result", "qid": "1.1", "status": "missing", "error": "", "seconds": 10 ** 400,
      "pos": [0, 0], **SEG, "next": None}, "seconds"),
    ({"kind": "result", "qid": "1.1", "status": "missing", "error": "", "seconds": 5.5,
      "pos": [0, 0], **SEG, "next": None}, "seconds"),  # longer than the child has existed
    ({"kind": "result", "qid": "1.1", "status": "missing", "error": "", "seconds": -1,
      "pos": [0, 0], **SEG, "next": None}, "seconds"),
    ({"kind": "result", "qid": "1.1", "status": "passed", "error": "", "seconds": 0,
      "pos": [0, 0], **SEG, "next": None}, "status"),
    ({"kind": "result", "qid": "9.9", "status": "missing", "error": "", "seconds": 0,
      "pos": [0, 0], **SEG, "next": None}, "question"),
    ({"kind": "result", "qid": "1.1", "status": "missing", "error": "x" * 5000, "seconds": 0,
      "pos": [0, 0], **SEG, "next": None}, "error"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 51))}, "numbers"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((2, 5))}, "stacked"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "outputs": [np.zeros((1,) * 8)] * 3}, "dimensions"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": ["x"] * 4, "seconds": 0, "pos": [0, 0], **SEG,
      "next": None, "stacked": np.zeros((3, 2))}, "types"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, -1], **SEG, "next": None,
      "stacked": np.zeros((3, 2))}, "pos"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "changed": []}, "changed"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "changed": [1, 1]}, "changed"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "changed": [2, 0]}, "changed"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "changed": [-1]}, "changed"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "changed": [True]}, "changed"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "changed": [10 ** 6]}, "changed"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "changed": list(range(65))}, "changed"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "changed": "0"}, "changed"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "changed": [0.0]}, "changed"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "raised": []}, "raised"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "raised": [3]}, "raised"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "raised": [1, 0]}, "raised"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "raised": [0, 0]}, "raised"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "raised": [-1]}, "raised"),
    ({"kind": "result", "qid": "1.1", "status": "ok", "types": [], "seconds": 0, "pos": [0, 0], **SEG, "next": None,
      "stacked": np.zeros((3, 2)), "raised": [0, 1, 2, 3]}, "raised"),
    ({"kind": "done", "extra": np.zeros(10)}, "unknown"),
    ({"kind": "imported", "ok": 1, "seconds": 0, "pos": [0, 0], **SEG, "next": None}, "ok"),
    (["kind", "done"], "mapping"),
])
def test_schema_refuses_each_forgery(tree, why):
    with pytest.raises(frames.Forged, match=why):
        frames.check(tree, frames.Expect(trials=QIDS, max_elements=50, elapsed=5.0))


# --- the reader -----------------------------------------------------------------------------------

pieces = st.lists(st.one_of(
    st.sampled_from([wire.encode({"kind": "done"}), wire.encode({"kind": "ready", "uid": 3}),
                     wire.encode({"x": np.arange(5)})]),
    st.binary(max_size=30),
    json_trees.map(lambda t: raw_frame(json.dumps({"tree": t, "arrays": []}).encode()))), max_size=6)


@SETTINGS
@given(pieces, st.integers(min_value=1, max_value=64))
def test_reader_splits_any_stream_into_the_frames_before_the_first_bad_one(parts, chunk):
    data = b"".join(parts)
    buf, got, error = bytearray(), [], None
    for i in range(0, len(data), chunk):  # as the pipe delivers it: in pieces
        buf += data[i:i + chunk]
        trees, error = _split(buf, 1 << 20)
        got += trees
        if error is not None:
            break
    assert error is None or isinstance(error, wire.WireError)
    expected = []
    for part in parts:  # each whole frame that decodes, up to the first that does not
        tree = decode_only_wire_errors(part)
        if tree is None:
            break
        expected.append(tree)
    assert json.dumps(got[:len(expected)], default=lambda a: a.tolist()) == \
        json.dumps(expected[:len(got)], default=lambda a: a.tolist())


# --- scoring what the schema lets through -------------------------------------------------------

@pytest.fixture(scope="module")
def hw4():
    from grader.api import make_trials
    from grader.assignment import load_assignment
    asg = load_assignment("hw4")
    return asg, make_trials(asg, 0, "fuzz")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow])
@given(st.data())
def test_any_accepted_answer_scores_into_valid_json(hw4, data):
    """Whatever answer passes the schema, scoring it raises nothing and results.json stays
    valid JSON (no NaN) and small."""
    from grader.results import SubmissionResult, one_line_json
    from grader.sandbox.supervisor import QuestionRun
    from grader.judge.score import score_question
    asg, trials = hw4
    q = data.draw(st.sampled_from(asg.questions))
    n = len(trials[q.id])
    exp_shape = np.asarray(trials[q.id].expected[0]).shape
    shapes = st.sampled_from([exp_shape, (0,), (), exp_shape[::-1], (3,) * min(7, len(exp_shape) + 2), (4000,)])
    dtypes = st.sampled_from(sorted(wire.DTYPES))
    outputs = [data.draw(hnp.arrays(dtypes, shapes.map(tuple)) if i == 0 or data.draw(st.booleans())
                         else st.just(np.asarray(trials[q.id].expected[i]))) for i in range(n)]
    tree = {"kind": "result", "qid": q.id, "status": "ok", "types": ["ndarray"], "seconds": 0.0,
            "pos": [0, 0], **SEG, "next": None, "outputs": outputs}
    msg = frames.check(tree, frames.Expect({q.id: n}, 100_000, 1.0))
    qrun = QuestionRun(q.id, "ok", outputs=msg.outputs, stacked=msg.stacked, types=msg.types)
    res = score_question(q, trials[q.id], qrun, "")
    sub = SubmissionResult(student="s", source="s.py", score=res.score, max_score=asg.max_score, error="",
                           report="", questions=[res])
    assert len(one_line_json(sub)) < 400_000


# --- the child's side: what a graded function may return ----------------------------------------

class _Raises:
    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("no")


class _FloatRaises:
    def __float__(self):
        raise RuntimeError("no")


def _matrix():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)  # (students still use it)
        return np.matrix([[1, 2]])


ODD_RETURNS = {
    "empty": np.zeros(0), "0-d": np.array(3.5), "numpy scalar": np.float32(2), "bool": True,
    "int": 7, "huge int": 10 ** 400, "big ints": [10 ** 30, 1], "complex": np.zeros(3, complex),
    "object numbers": np.array([1, 2.5], dtype=object), "object mixed": np.array([1, "a"], dtype=object),
    "text": "1.5", "bytes": b"12", "dict": {"a": 1}, "generator": (i for i in range(3)),
    "ragged": [[1, 2], [3]], "nested arrays": [np.zeros(2), np.ones(2)], "matrix": _matrix(),
    "masked": np.ma.masked_array([1.0, 2.0], mask=[0, 1]), "9-d": np.zeros((1,) * 9),
    "8-d": np.zeros((1,) * 8), "7-d": np.zeros((1,) * 7), "too many numbers": np.zeros(100_001),
    "big-endian": np.zeros(3, dtype=">f8"), "datetime": np.array(["2020-01-01"], dtype="datetime64[D]"),
    "structured": np.zeros(2, dtype=[("a", "f8")]), "__array__ raises": _Raises(),
    "__float__ raises": [_FloatRaises()], "half": np.zeros(2, np.float16), "uint64": np.array([2 ** 64 - 1], np.uint64),
    "longdouble": np.zeros(2, np.longdouble), "none in list": [None, 1.0],
}


@pytest.mark.parametrize("name", sorted(ODD_RETURNS))
def test_every_odd_return_is_an_answer_or_a_per_question_error(name):
    """The runtime reads a returned value as an array the wire and the schema accept, or raises
    an ordinary Exception that costs that question alone -- never a frame the grader refuses."""
    from grader.sandbox import _runtime
    try:
        arr, kind = _runtime._to_array(ODD_RETURNS[name], 100_000, np)
    except Exception as exc:
        assert str(exc), name
        return
    assert type(arr) is np.ndarray and type(kind) is str
    tree = {"kind": "result", "qid": "1.1", "status": "ok", "types": [kind], "seconds": 0.0, "pos": [0, 0], **SEG,
            "next": None, "outputs": [arr] * 3}
    stacked = dict(tree, stacked=np.stack([arr] * 3))
    del stacked["outputs"]
    for t in (tree, stacked):
        assert frames.check(wire.decode(wire.encode(t)), frames.Expect(QIDS, 100_000, 1.0)).status == "ok", name
