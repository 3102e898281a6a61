"""Generic findings of issue 26's second round, each on answers computed here the way a student's
code would (not through the finding's own transform): one term of a sum (= for +=), a shift
taken along the wrong axis, a factor that follows a size across shape groups, two changes
together (an activation moved to an argument), a per-column argument indexed by the row."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from grader.assignment import load_assignment, trial_groups
from grader.feedback.diagnose import diagnose, size_factor_finding


def _bare(asg_name, qid):
    q = next(q for q in load_assignment(asg_name).questions if q.id == qid)
    return dataclasses.replace(q, mistakes=(), groups={}, probes=())


def _groups(q, seed):
    return trial_groups(q.generate(np.random.default_rng(seed), 20))


def _said(d) -> str:
    return " ".join([d.message, *d.notes])


def test_one_term_of_a_sum_over_samples_is_named_with_its_position():
    q = _bare("mlp", "2.2")
    tr = _groups(q, 1)[0]
    H, dS = tr.args["H"], tr.args["dS"]
    last = [np.outer(h[-1], g[-1]) for h, g in zip(H, dS)]  # dW = ... inside the loop over n
    first = [np.outer(h[0], g[0]) for h, g in zip(H, dS)]  # the same loop run backwards
    said = _said(diagnose(q, tr, last))
    assert "+=" in said and "last position" in said and "H" in said
    said = _said(diagnose(q, tr, first))
    assert "+=" in said and "first position" in said


def test_one_term_of_a_sum_over_window_positions():
    q = _bare("hw4", "2.4")
    tr = _groups(q, 2)[0]
    outs = []
    for x, y, g in zip(tr.args["x"], tr.args["y"], tr.args["dE_dy"]):
        d = g * y * (1 - y)
        dw = np.zeros((2, 2, y.shape[2]))
        for ci in range(y.shape[0]):
            for cj in range(y.shape[1]):
                for fi in range(2):
                    for fj in range(2):
                        dw[fi, fj] = x[ci + fi, cj + fj] * d[ci, cj]
        outs.append(dw)
    said = _said(diagnose(q, tr, outs))
    assert "+=" in said and "last position along axes 0 and 1" in said


def test_a_shift_along_the_wrong_axis_is_named_on_the_finite_trials():
    q = _bare("mlp", "1.3")
    tr = _groups(q, 3)[0]
    outs = []
    with np.errstate(all="ignore"):
        for S in tr.args["S"]:
            e = np.exp(S - S.max(axis=0))
            outs.append(e / e.sum(axis=1, keepdims=True))
    said = _said(diagnose(q, tr, outs))
    assert "maximum along axis 0" in said


def _parts(q, groups, f):
    return [(g, [np.asarray(f(g, t), dtype=np.float64) for t in range(len(g))]) for g in groups]


def test_a_factor_that_follows_the_batch_size_is_a_hard_coded_size():
    q = _bare("mlp", "2.1")
    groups = _groups(q, 4)

    def hard_coded(g, t):
        P, y = g.args["P"][t].copy(), g.args["y"][t]
        P[np.arange(len(y)), y] -= 1.0
        return P / 4

    note = size_factor_finding(q, _parts(q, groups, hard_coded))
    assert "hard-coded as 4" in note and "len(P)" in note
    twice = size_factor_finding(q, _parts(q, groups, lambda g, t: np.asarray(g.expected)[t] / len(g.args["y"][t])))
    assert "a division by len(P)" in twice and "too many" in twice


def test_no_size_factor_for_a_constant_factor_or_a_right_answer():
    q = _bare("mlp", "2.1")
    groups = _groups(q, 5)
    assert size_factor_finding(q, _parts(q, groups, lambda g, t: 2 * np.asarray(g.expected)[t])) == ""
    assert size_factor_finding(q, _parts(q, groups, lambda g, t: np.asarray(g.expected)[t])) == ""
    noisy = lambda g, t: np.asarray(g.expected)[t] * len(g.args["y"][t]) + 1e-3  # noqa: E731 - not a multiple
    assert size_factor_finding(q, _parts(q, groups, noisy)) == ""


def test_an_activation_moved_from_the_result_to_an_argument():
    q = _bare("mlp", "1.1")
    tr = _groups(q, 6)[0]
    outs = [x @ np.where(w > 0, w, 0.0) + b for x, w, b in zip(tr.args["X"], tr.args["W1"], tr.args["b1"])]
    said = _said(diagnose(q, tr, outs))
    assert "two changes together" in said and "missing on your result" in said and "W1" in said


def test_a_per_column_argument_indexed_by_the_row():
    q = _bare("mlp", "1.2")
    tr = _groups(q, 7)[0]
    outs = []
    for H, W2, b2 in zip(tr.args["H"], tr.args["W2"], tr.args["b2"]):
        S = H @ W2
        outs.append(S + np.resize(b2, len(S))[:, None])
    said = _said(diagnose(q, tr, outs))
    K = tr.args["b2"].shape[1]
    assert f"b2[n % {K}]" in said


def test_right_answers_get_no_new_finding():
    for asg, qid in (("mlp", "1.1"), ("mlp", "1.2"), ("mlp", "2.2"), ("hw4", "2.4")):
        q = _bare(asg, qid)
        tr = _groups(q, 8)[0]
        d = diagnose(q, tr, [np.asarray(e, dtype=np.float64) for e in tr.expected])
        assert not d.message and not d.notes


def test_the_right_terms_summed_over_the_wrong_axes():
    """dw[fi, fj] summed over (row, channel) where (row, column) belongs: 3 columns = 3 channels."""
    q = _bare("hw4", "2.4")
    tr = _groups(q, 9)[0]
    outs = []
    for x, y, g in zip(tr.args["x"], tr.args["y"], tr.args["dE_dy"]):
        delta = g * y * (1 - y)
        dw = np.zeros((2, 2, 3))
        for fi in range(2):
            for fj in range(2):
                dw[fi, fj] = (x[fi:fi + 3, fj:fj + 3][:, :, None] * delta).sum(axis=(0, 2))
        outs.append(dw)
    said = _said(diagnose(q, tr, outs))
    assert "summed over" in said and "wrong axes" in said and "axis 2" in said


def _routed(tr, rule):
    """Max-pool backward as a student's loop routes it: each window's error to rule(window)."""
    outs = []
    for y, g in zip(tr.args["y"], tr.args["dE_dz"]):
        dy = np.zeros_like(y)
        for p in range(2):
            for r in range(2):
                for k in range(y.shape[2]):
                    a, b = rule(y[p:p + 2, r:r + 2, k])
                    dy[p + a, r + b, k] += g[p, r, k]
        outs.append(dy)
    return outs


def _at(w, flat):
    return np.unravel_index(flat, (2, 2))


def test_routing_to_another_position_of_the_window_is_named():
    q = _bare("hw4", "2.5")
    tr = _groups(q, 10)[0]
    cases = {
        "its top-left element": lambda w: (0, 0),
        "mirrored along axis 0": lambda w: (1 - _at(w, np.argmax(w))[0], _at(w, np.argmax(w))[1]),
        "second largest": lambda w: _at(w, np.argsort(w, axis=None)[-2]),
        "decoded off by one": lambda w: divmod((int(np.argmax(w)) + 1) % 4, 2),
        "where y is smallest": lambda w: _at(w, np.argmin(w)),
    }
    for words, rule in cases.items():
        said = _said(diagnose(q, tr, _routed(tr, rule)))
        assert "where y is largest" in said and words in said, (words, said)
        assert "+=" not in said  # (a reduced y gives top-left too: no term of a sum, not said)
    assert not diagnose(q, tr, _routed(tr, lambda w: _at(w, np.argmax(w)))).message


def test_routing_with_one_offset_typed_for_the_other_is_named():
    """c + ar where c + ac belongs: the row offset of the arg-max used for its column too."""
    q = _bare("hw4", "2.5")
    tr = _groups(q, 11)[0]
    rule = lambda w: (_at(w, np.argmax(w))[0], _at(w, np.argmax(w))[0])  # noqa: E731
    said = _said(diagnose(q, tr, _routed(tr, rule)))
    assert "offset along axis 0 used for both" in said, said


def _spread(tr, rows, cols, add=True):
    """Sum-pool backward as a student's loop writes it: each neuron gets the errors of the
    windows rows(i) x cols(j) (2x2 windows, stride 1); add=False assigns each window's block."""
    outs = []
    for g in tr.args["dE_dz"]:
        dy = np.zeros((3, 3, g.shape[2]))
        if add:
            for i in range(3):
                for j in range(3):
                    for p in rows(i):
                        for r in cols(j):
                            dy[i, j] += g[p, r]
        else:
            for p in range(2):
                for r in range(2):
                    dy[p:p + 2, r:r + 2] = g[p, r]
        outs.append(dy)
    return outs


def test_terms_kept_one_at_a_time_are_an_assignment_for_an_addition():
    q = _bare("hw4", "2.3")
    tr = _groups(q, 12)[0]
    said = _said(diagnose(q, tr, _spread(tr, None, None, add=False)))
    assert "only one of the terms" in said and "(+=)" in said and "always the last" in said, said


def test_a_window_range_one_short_along_one_axis_is_named():
    q = _bare("hw4", "2.3")
    tr = _groups(q, 13)[0]
    full = lambda i: range(max(0, i - 1), min(i, 1) + 1)  # noqa: E731
    short = lambda i: range(max(0, i - 1), min(i, 1))  # noqa: E731 - the +1 forgotten
    said = _said(diagnose(q, tr, _spread(tr, full, short)))
    assert "largest index along its axis 1" in said and "stops one short" in said, said
    said = _said(diagnose(q, tr, _spread(tr, lambda i: range(max(0, i - 1) + 1, min(i, 1) + 1), full)))
    assert "smallest index along its axis 0" in said and "starts one late" in said, said
    assert not diagnose(q, tr, _spread(tr, full, full)).message


def test_a_vector_broadcast_along_the_wrong_axis_is_named():
    """delta[:, None, None, None] against v (2, 2, 3, 2): delta meets v's first axis, not its last."""
    q = _bare("hw4", "2.2")
    tr = _groups(q, 14)[0]
    outs = []
    for v, o, t in zip(tr.args["v"], tr.args["o"], tr.args["target"]):
        delta = (o - t) * o * (1 - o)
        outs.append((v * delta[:, None, None, None]).sum(axis=-1))
    said = _said(diagnose(q, tr, outs))
    assert "broadcast along the wrong axis" in said and "o and target" in said and "axis 0" in said, said
    right = [(v * ((o - t) * o * (1 - o))).sum(axis=-1) for v, o, t in
             zip(tr.args["v"], tr.args["o"], tr.args["target"])]
    assert not diagnose(q, tr, right).message


def test_rows_of_one_label_wrong_are_named_with_the_label():
    """A one-hot built by a loop over classes that starts at 1: the rows of class 0 lack their 1."""
    q = _bare("mlp", "2.1")
    for tr in _groups(q, 15):
        outs = []
        for P, y in zip(tr.args["P"], tr.args["y"]):
            onehot = np.zeros_like(P)
            for c in range(1, P.shape[1]):
                onehot[y == c, c] = 1.0
            outs.append((P - onehot) / len(P))
        if not (np.asarray(tr.args["y"]) == 0).any():
            continue
        said = _said(diagnose(q, tr, outs))
        assert "whose y is 0" in said and "column 0" in said, said
        assert "normalisation" not in said


def test_an_argument_never_used_is_named_with_what_the_answer_is_instead():
    """ReLU of the incoming gradient where the mask Z > 0 belongs; the mask left out."""
    q = _bare("mlp", "2.4")
    tr = _groups(q, 16)[0]
    a = tr.args
    relu = [np.maximum(dS @ W2.T, 0) for dS, W2 in zip(a["dS"], a["W2"])]
    said = _said(diagnose(q, tr, relu))
    assert "ReLU" in said and "every entry of Z set to 1" in said and "never enter" in said, said
    bare = [dS @ W2.T for dS, W2 in zip(a["dS"], a["W2"])]
    said = _said(diagnose(q, tr, bare))
    assert "every entry of Z set to 1" in said, said


def test_a_running_best_never_reset_for_each_window_is_named():
    """Max-pool backward whose best value is reset per row of windows, not per window."""
    q = _bare("hw4", "2.5")
    tr = _groups(q, 17)[0]
    outs = []
    for y, g in zip(tr.args["y"], tr.args["dE_dz"]):
        dy = np.zeros_like(y)
        for k in range(y.shape[2]):
            for p in range(2):
                best, at = -np.inf, None
                for r in range(2):
                    for a in range(2):
                        for b in range(2):
                            if y[p + a, r + b, k] > best:
                                best, at = y[p + a, r + b, k], (p + a, r + b)
                    dy[at[0], at[1], k] += g[p, r, k]
        outs.append(dy)
    said = _said(diagnose(q, tr, outs))
    assert "running best never reset" in said and "axis 1" in said, said


def test_each_window_adding_itself_with_other_weights_is_described_by_position():
    q = _bare("hw4", "2.3")
    tr = _groups(q, 18)[0]
    three, diag = [], []
    for g in tr.args["dE_dz"]:
        a3, ad = np.zeros((3, 3, g.shape[2])), np.zeros((3, 3, g.shape[2]))
        for p in range(2):
            for r in range(2):
                for a, b in ((0, 0), (0, 1), (1, 0)):  # the window's bottom-right neuron left out
                    a3[p + a, r + b] += g[p, r]
                for a in range(2):
                    for b in range(2):
                        ad[p + a, r + a] += g[p, r]  # the row offset typed for the column one
        three.append(a3)
        diag.append(ad)
    said = _said(diagnose(q, tr, three))
    assert "nothing to the element at (1, 1)" in said and "last element is never reached" in said, said
    said = _said(diagnose(q, tr, diag))
    assert "2 times its value to the elements at (0, 0), (1, 1)" in said and "one offset used for both" in said, said


def test_a_mask_replaced_by_another_function_of_its_argument_is_named():
    """clip(Z, 0, 1) where the ReLU's derivative 1[Z > 0] belongs."""
    q = _bare("mlp", "2.4")
    tr = _groups(q, 19)[0]
    a = tr.args
    outs = [(dS @ W2.T) * np.clip(Z, 0, 1) for dS, W2, Z in zip(a["dS"], a["W2"], a["Z"])]
    said = _said(diagnose(q, tr, outs))
    assert "times clip(Z, 0, 1) entry by entry" in said, said


def test_entries_at_other_rows_labels_are_named_as_a_fancy_index_over_all_rows():
    """G[:, y] -= 1 where G[np.arange(N), y] -= 1 belongs."""
    q = _bare("mlp", "2.1")
    tr = _groups(q, 20)[0]
    outs = []
    for P, y in zip(tr.args["P"], tr.args["y"]):
        G = np.array(P, dtype=float)
        G[:, y] -= 1
        outs.append(G / len(P))
    said = _said(diagnose(q, tr, outs))
    assert "[:, y]" in said and "another row" in said and "normalisation" not in said, said


def test_one_term_of_a_sum_inside_the_activation_is_named():
    """net = z·w inside the loop (for +=): only the last product reaches the sigmoid."""
    q = next(q for q in load_assignment("hw4").questions if q.id == "1.4")
    q = dataclasses.replace(q, mistakes=(), groups={})  # (the probes kept: the sigmoid's inverse)
    tr = _groups(q, 21)[0]
    outs = [1 / (1 + np.exp(-(z[-1, -1, -1] * v[-1, -1, -1, :]))) for z, v in zip(tr.args["z"], tr.args["v"])]
    said = _said(diagnose(q, tr, outs))
    assert "last position along axes 0 and 1 and 2" in said and "(+=)" in said, said


def test_a_running_total_over_every_position_is_named():
    """The conv's total reset once per channel, not at each position (c_i, c_j)."""
    q = next(q for q in load_assignment("hw4").questions if q.id == "1.2")
    q = dataclasses.replace(q, mistakes=(), groups={})  # (the probes kept: the sigmoid)
    tr = _groups(q, 22)[0]
    outs = []
    for x, w in zip(tr.args["x"], tr.args["w"]):
        y = np.zeros((3, 3, w.shape[2]))
        for k in range(w.shape[2]):
            s = 0.0
            for i in range(3):
                for j in range(3):
                    s += (x[i:i + 2, j:j + 2] * w[:, :, k]).sum()
                    y[i, j, k] = 1 / (1 + np.exp(-s))
        outs.append(y)
    said = _said(diagnose(q, tr, outs))
    assert "axes 0 and 1 together" in said and "running total" in said, said


def test_a_window_start_one_off_is_named():
    """Sum pooling through a selection matrix np.eye(3, 2, k=1) where k=-1 belongs."""
    q = _bare("hw4", "1.3")
    tr = _groups(q, 23)[0]
    E = np.eye(3, 2, k=1) + np.eye(3, 2)  # rows p-1 and p: each window one up and one left
    outs = [np.einsum("ap,bq,abk->pqk", E, E, y) for y in tr.args["y"]]
    said = _said(diagnose(q, tr, outs))
    assert "moved by one" in said and "start one off" in said, said


@pytest.mark.parametrize("rule, words", [
    (lambda n, f, s: n - f // s + 1, "n − ⌊f/s⌋ + 1"),  # parentheses missing: the division binds first
    (lambda n, f, s: int(round((n - f) / s)) + 1, "Python's round"),
])
def test_size_rules_students_write_are_named(rule, words):
    q = next(q for q in load_assignment("hw4").questions if q.id == "1.1")
    q = dataclasses.replace(q, mistakes=(), groups={})
    tr = _groups(q, 24)[0]
    outs = []
    for t in range(len(tr)):
        a = {k: int(np.asarray(v)[t]) for k, v in tr.args.items()}
        cw, ch = rule(a["width"], a["filter_size"], a["stride"]), rule(a["height"], a["filter_size"], a["stride"])
        outs.append(np.array([cw, ch, rule(cw, a["pool_size"], a["stride"]), rule(ch, a["pool_size"], a["stride"])]))
    d = diagnose(q, tr, outs)
    assert words in _said(d), _said(d)


def test_one_position_of_the_window_routed_to_another_is_named():
    """The arg-max at the window's bottom-right sent to its bottom-left (one branch's offset)."""
    q = _bare("hw4", "2.5")
    tr = _groups(q, 25)[0]

    def rule(w):
        r, c = _at(w, np.argmax(w))
        return (r, c - 1) if (r, c) == (1, 1) else (r, c)
    said = _said(diagnose(q, tr, _routed(tr, rule)))
    assert "position (1, 1)" in said and "position (1, 0) instead" in said, said


def test_the_sizes_an_error_names_are_said_as_the_arguments_lengths():
    from grader.feedback.dependence import error_sizes
    q = next(q for q in load_assignment("mlp").questions if q.id == "1.2")
    groups = _groups(q, 26)
    g = groups[0]
    M, K = np.shape(g.args["W2"])[1:]
    said = error_sizes(groups, 0, f"IndexError: index {K} is out of bounds for axis 1 with size {K}")
    assert f"{K} is W2.shape[1] = len(b2)" in said and f"H.shape[1] = len(W2) ({M})" in said, said
    said = error_sizes(groups, 0, f"ValueError: operands could not be broadcast together with shapes ({M},) ({K},)")
    assert f"{M} is H.shape[1] = len(W2)" in said and "one past" not in said, said
    assert error_sizes(groups, 0, "ZeroDivisionError: division by zero") == ""


def test_a_size_counted_from_label_values_is_said_as_such():
    """A one-hot with y.max() + 1 columns: the error's odd size is the labels' largest plus one."""
    from grader.feedback.dependence import error_sizes
    q = load_assignment("mlp").question("2.1")
    groups = _groups(q, 47)
    first, checked = 0, 0
    for g in groups:
        n, K = np.shape(g.args["P"])[1:]
        for t, y in enumerate(np.asarray(g.args["y"])):
            c = int(y.max()) + 1
            if c not in (n, K) and c >= 2:
                said = error_sizes(groups, first + t, f"ValueError: operands could not be broadcast together "
                                                      f"with shapes ({n},{K}) ({n},{c})")
                assert f"{c} is y.max() + 1" in said, said
                checked += 1
        first += len(g)
    assert checked


def test_routing_compared_with_a_wider_or_narrower_maximum_is_named():
    """Max-pool backward masks built from another maximum than the window's: the channel's whole
    map (windows without it pass nothing) and a maximum over one axis of the window."""
    q = _bare("hw4", "2.5")
    tr = _groups(q, 26)[0]
    wide, per_column = [], []
    for y, g in zip(tr.args["y"], tr.args["dE_dz"]):
        a, b = np.zeros_like(y), np.zeros_like(y)
        for k in range(y.shape[2]):
            top = y[:, :, k].max()
            for p in range(2):
                for r in range(2):
                    win = y[p:p + 2, r:r + 2, k]
                    a[p:p + 2, r:r + 2, k] += (win == top) * g[p, r, k]
                    b[p:p + 2, r:r + 2, k] += (win == win.max(axis=0)) * g[p, r, k]
        wide.append(a)
        per_column.append(b)
    said = _said(diagnose(q, tr, wide))
    assert "at every index along axes 0 and 1" in said and "passes nothing" in said, said
    said = _said(diagnose(q, tr, per_column))
    assert "among the entries across the window along axis 0 (" in said, said


def test_a_running_best_never_updated_is_named():
    """Each element compared with the window's first value only: the last one to beat it wins."""
    q = _bare("hw4", "2.5")
    tr = _groups(q, 27)[0]

    def rule(w):
        best, at = w[0, 0], (0, 0)
        for a in range(2):
            for b in range(2):
                if w[a, b] > best:
                    at = (a, b)  # (best itself never updated)
        return at
    said = _said(diagnose(q, tr, _routed(tr, rule)))
    assert "last element (row-major) whose y is larger than the window's first" in said, said


def test_an_index_error_from_a_flat_position_decoded_with_the_wrong_width_is_named():
    """divmod(i, 3) of a 2-wide window's arg-max: past the array's end at the edge windows (an
    IndexError on those calls), the wrong element elsewhere; both reproduced, the width said."""
    from grader.feedback.probes import routing_error_finding
    q = _bare("hw4", "2.5")
    tr = _groups(q, 28)[0]
    outputs, raised, error = [], set(), ""
    for t, (y, g) in enumerate(zip(tr.args["y"], tr.args["dE_dz"])):
        dy = np.zeros_like(y)
        try:
            for p in range(2):
                for r in range(2):
                    for k in range(y.shape[2]):
                        a, b = divmod(int(np.argmax(y[p:p + 2, r:r + 2, k])), 3)
                        dy[p + a, r + b, k] += g[p, r, k]
        except IndexError as e:
            raised.add(t)
            error = error or str(e)
            dy = np.zeros(0)
        outputs.append(dy)
    assert raised and len(raised) < len(tr)
    said = routing_error_finding(q, tr, outputs, raised, error)
    assert "width 3 where the window is 2 wide" in said and "every call that raised" in said, said
    # the same error with another cause (a loop one too long) is not explained this way
    assert not routing_error_finding(q, tr, outputs, raised | {min(set(range(len(tr))) - raised)}, error)
    assert not routing_error_finding(q, tr, outputs, raised, "index 5 is out of bounds for axis 0 with size 3")


def test_a_window_reaching_one_past_its_end_is_named():
    """Sum-pool backward with the membership test p <= c <= p + 2 along the columns: each
    window's error also reaches the column after it."""
    q = _bare("hw4", "2.3")
    tr = _groups(q, 29)[0]
    outs = []
    for g in tr.args["dE_dz"]:
        dy = np.zeros((3, 3, g.shape[2]))
        for i in range(3):
            for j in range(3):
                for p in range(2):
                    for r in range(2):
                        if p <= i <= p + 1 and r <= j <= r + 2:
                            dy[i, j] += g[p, r]
        outs.append(dy)
    said = _said(diagnose(q, tr, outs))
    assert "one past its end along axis 1" in said and "(0, 2), (1, 2)" in said, said


def test_two_index_lists_picking_a_diagonal_are_named():
    """dy[[p, p+1], [r, r+1]] += g: fancy indexing pairs the lists, the block's diagonal only."""
    q = _bare("hw4", "2.3")
    tr = _groups(q, 30)[0]
    outs = []
    for g in tr.args["dE_dz"]:
        dy = np.zeros((3, 3, g.shape[2]))
        for p in range(2):
            for r in range(2):
                dy[[p, p + 1], [r, r + 1]] += g[p, r]
        outs.append(dy)
    said = _said(diagnose(q, tr, outs))
    assert "Two lists used as indices" in said and "a[p:p+2, q:q+2]" in said, said


def test_a_maximum_found_with_a_tolerance_is_named():
    """np.isclose(win, win.max(), atol=0.01): near-ties get the window's error too."""
    q = _bare("hw4", "2.5")
    tr = _groups(q, 31)[0]
    outs = []
    for y, g in zip(tr.args["y"], tr.args["dE_dz"]):
        dy = np.zeros_like(y)
        for p in range(2):
            for r in range(2):
                for k in range(y.shape[2]):
                    win = y[p:p + 2, r:r + 2, k]
                    dy[p:p + 2, r:r + 2, k] += np.isclose(win, win.max(), atol=0.05) * g[p, r, k]
        outs.append(dy)
    assert any(not np.allclose(o, e) for o, e in zip(outs, tr.expected))
    said = _said(diagnose(q, tr, outs))
    assert "within 0.05 of the window's largest value" in said, said


def test_an_argument_and_its_answer_both_reshaped_through_another_axis_order_are_named():
    """y.reshape(3, 3, 3) taken as channel-first, pooled per channel, the (3, 2, 2) result
    reshaped to (2, 2, 3): two reshapes where transposes belong."""
    q = _bare("hw4", "1.3")
    tr = _groups(q, 32)[0]
    outs = []
    for y in tr.args["y"]:
        chans = y.reshape(3, 3, 3)
        z = np.stack([c[:-1, :-1] + c[:-1, 1:] + c[1:, :-1] + c[1:, 1:] for c in chans])
        outs.append(z.reshape(2, 2, 3))
    said = _said(diagnose(q, tr, outs))
    assert "with the result then laid out as shape (3, 2, 2)" in said and "(2, 0, 1)" in said, said


def _sig(a):
    return 1 / (1 + np.exp(-a))


def test_activation_slips_of_parentheses_and_branches_are_named():
    """1.0 / 1.0 + exp(-a) (the division binds first) and np.where(z > 0, 0, z) (branches swapped)."""
    q = dataclasses.replace(load_assignment("hw4").question("1.2"), mistakes=(), groups={})
    tr = _groups(q, 33)[0]
    from reference.hw4 import model
    pre = [model.conv_preactivation(x[None], w[None])[0] for x, w in zip(tr.args["x"], tr.args["w"])]
    said = _said(diagnose(q, tr, [1.0 / 1.0 + np.exp(-p) for p in pre]))
    assert "without parentheses around its denominator" in said, said
    q = dataclasses.replace(load_assignment("mlp").question("1.1"), mistakes=(), groups={})
    tr = _groups(q, 34)[0]
    outs = [np.where(X @ W + b > 0, 0, X @ W + b) for X, W, b in zip(tr.args["X"], tr.args["W1"], tr.args["b1"])]
    assert "branches swapped" in _said(diagnose(q, tr, outs))


def test_the_activation_applied_to_each_channels_part_and_added_is_named():
    """o_m = Σ_k σ(Σ_ij z_ijk v_ijkm): the sigmoid inside the loop over channels."""
    q = dataclasses.replace(load_assignment("hw4").question("1.4"), mistakes=(), groups={})
    tr = _groups(q, 35)[0]
    outs = [_sig(np.einsum("ijk,ijkm->km", z, v)).sum(axis=0) for z, v in zip(tr.args["z"], tr.args["v"])]
    said = _said(diagnose(q, tr, outs))
    assert "partial sums" in said and "axis 2 of z" in said, said


def test_routing_to_every_element_but_the_maximum_is_named():
    q = _bare("hw4", "2.5")
    tr = _groups(q, 36)[0]
    outs = []
    for y, g in zip(tr.args["y"], tr.args["dE_dz"]):
        dy = np.zeros_like(y)
        for p in range(2):
            for r in range(2):
                for k in range(y.shape[2]):
                    win = y[p:p + 2, r:r + 2, k]
                    dy[p:p + 2, r:r + 2, k] += np.where(win == win.max(), 0.0, g[p, r, k])
        outs.append(dy)
    said = _said(diagnose(q, tr, outs))
    assert "except the one where y is largest" in said, said


def test_every_write_landing_on_the_last_position_is_named():
    """z[i, j] = total with i, j the finished inner loop's variables: only z[1, 1] written."""
    q = _bare("hw4", "1.3")
    tr = _groups(q, 37)[0]
    outs = []
    for y in tr.args["y"]:
        z = np.zeros((2, 2, y.shape[2]))
        for p in range(2):
            for r in range(2):
                for i in range(2):
                    for j in range(2):
                        pass
                z[i, j] = y[p:p + 2, r:r + 2].sum(axis=(0, 1))
        outs.append(z)
    said = _said(diagnose(q, tr, outs))
    assert "last position along axes 0 and 1" in said and "inner loop" in said, said


def test_a_vector_laid_out_with_repeat_instead_of_tile_is_named():
    q = _bare("mlp", "1.2")
    tr = _groups(q, 38)[0]
    outs = [H @ W + np.repeat(b, len(H)).reshape(len(H), len(b)) for H, W, b in zip(tr.args["H"], tr.args["W2"], tr.args["b2"])]
    said = _said(diagnose(q, tr, outs))
    assert "np.repeat(b2" in said and "uses b2[0] where b2[1] belongs" in said, said


def test_a_flat_index_with_the_wrong_row_length_is_named():
    q = _bare("hw4", "2.3")
    tr = _groups(q, 39)[0]
    outs = []
    for g in tr.args["dE_dz"]:
        flat = np.zeros((9, g.shape[2]))
        for p in range(2):
            for r in range(2):
                for a in range(2):
                    for b in range(2):
                        flat[(p + a) * 2 + (r + b)] += g[p, r]
        outs.append(flat.reshape(3, 3, g.shape[2]))
    said = _said(diagnose(q, tr, outs))
    assert "rows 2 long (r·2 + c) where the rows are 3 long" in said, said


def test_an_activation_that_erases_the_answer_is_no_evidence_of_a_moved_activation():
    """(o - t) * o * 1 - o is negative everywhere: ReLU of it is 0, which the right computation
    also gives with o replaced by the target; that is no cause (F16: said as one)."""
    q = _bare("hw4", "2.1")
    tr = _groups(q, 40)[0]
    outs = [z[..., None] * ((o - t) * o * 1 - o) for z, o, t in zip(tr.args["z"], tr.args["o"], tr.args["target"])]
    said = _said(diagnose(q, tr, outs))
    assert "replaced by the argument target" not in said, said


def test_a_window_moved_by_one_is_named():
    """np.pad(dE_dz, ((0, 2), (0, 2))) then 2x2 window sums: each neuron collects the windows
    after the ones that contain it."""
    q = _bare("hw4", "2.3")
    tr = _groups(q, 41)[0]
    outs = []
    for g in tr.args["dE_dz"]:
        p = np.pad(g, ((0, 2), (0, 2), (0, 0)))
        outs.append(p[:3, :3] + p[1:4, :3] + p[:3, 1:4] + p[1:4, 1:4])
    said = _said(diagnose(q, tr, outs))
    assert "window moved by one (−1 along axis 0, −1 along axis 1)" in said, said


def test_an_input_read_through_a_flat_index_with_short_rows_is_named():
    """A convolution matrix built with the output's width (3) as the image's row length (4)."""
    q = dataclasses.replace(load_assignment("hw4").question("1.2"), mistakes=(), groups={})
    tr = _groups(q, 42)[0]
    outs = []
    for x, w in zip(tr.args["x"], tr.args["w"]):
        flat = x.ravel()
        y = np.zeros((3, 3, w.shape[2]))
        for i in range(3):
            for j in range(3):
                for a in range(2):
                    for b in range(2):
                        y[i, j] += w[a, b] * flat[(i + a) * 3 + (j + b)]
        outs.append(_sig(y))
    said = _said(diagnose(q, tr, outs))
    assert "flat index with rows 3 long where its rows (axis 1) are 4 long" in said, said


def test_a_mask_of_every_windows_maximum_applied_to_every_window_is_named():
    q = _bare("hw4", "2.5")
    tr = _groups(q, 43)[0]
    outs = []
    for y, g in zip(tr.args["y"], tr.args["dE_dz"]):
        is_max = np.zeros(y.shape, dtype=bool)
        for p in range(2):
            for r in range(2):
                win = y[p:p + 2, r:r + 2]
                is_max[p:p + 2, r:r + 2] |= win == win.max(axis=(0, 1))
        spread = np.zeros_like(y)
        for p in range(2):
            for r in range(2):
                spread[p:p + 2, r:r + 2] += g[p, r]
        outs.append(is_max * spread)
    said = _said(diagnose(q, tr, outs))
    assert "the largest of some window, this one or another" in said, said


def test_a_mask_reduced_over_the_batch_is_named():
    q = _bare("mlp", "2.4")
    tr = _groups(q, 44)[0]
    outs = [(dS @ W.T) * np.any(Z > 0, axis=0, keepdims=True)
            for dS, W, Z in zip(tr.args["dS"], tr.args["W2"], tr.args["Z"])]
    said = _said(diagnose(q, tr, outs))
    assert "reduced over axis 0 with np.any" in said, said


def test_each_row_off_by_exp_of_its_max_is_a_log_sum_exp_without_its_max():
    q = _bare("mlp", "1.3")
    tr = _groups(q, 45)[0]
    outs = []
    with np.errstate(over="ignore"):
        for S in tr.args["S"]:
            m = S.max(axis=1, keepdims=True)
            outs.append(np.exp(S - np.log(np.exp(S - m).sum(axis=1, keepdims=True))))
    said = _said(diagnose(q, tr, outs))
    assert "exp(max of S's line)" in said and "log-sum-exp" in said, said


def test_whole_numbers_on_some_trials_only_are_a_type_set_by_the_first_value():
    """np.vectorize(lambda z: max(0, z)): an int array whenever the first z is negative."""
    q = _bare("mlp", "1.1")
    tr = _groups(q, 46)[0]
    relu = np.vectorize(lambda z: max(0, z))
    outs = [relu(X @ W + b) for X, W, b in zip(tr.args["X"], tr.args["W1"], tr.args["b1"])]
    assert {o.dtype.kind for o in outs} == {"i", "f"}
    said = _said(diagnose(q, tr, outs))
    assert "np.vectorize" in said and "cut toward 0" in said, said


def test_a_window_sum_with_one_offset_for_both_axes_is_named_from_the_answers_side():
    """z[p, r] += y[p + a, r + a]: each window sums its diagonal twice (1.3's windows are seen
    from z's side: y's corner entries reach fewer windows)."""
    q = _bare("hw4", "1.3")
    tr = _groups(q, 48)[0]
    outs = []
    for y in tr.args["y"]:
        z = np.zeros((2, 2, y.shape[2]))
        for p in range(2):
            for r in range(2):
                for a in range(2):
                    for b in range(2):
                        z[p, r] += y[p + a, r + a]
        outs.append(z)
    said = _said(diagnose(q, tr, outs))
    assert "2 times the entries at (0, 0), (1, 1)" in said and "one offset used for both axes" in said, said


def test_a_bias_added_at_every_pass_of_the_loop_is_named():
    q = _bare("mlp", "1.2")
    tr = _groups(q, 49)[0]
    outs = [H @ W + H.shape[1] * b for H, W, b in zip(tr.args["H"], tr.args["W2"], tr.args["b2"])]
    said = _said(diagnose(q, tr, outs))
    M = np.shape(tr.args["H"])[2]
    assert f"b2 is counted {M} times" in said and "H.shape[1]" in said, said


def test_routing_with_windows_of_another_stride_is_named():
    """A max-pool backward helper whose stride defaults to its window size (2)."""
    q = _bare("hw4", "2.5")
    tr = _groups(q, 50)[0]
    outs = []
    for y, g in zip(tr.args["y"], tr.args["dE_dz"]):
        dy = np.zeros_like(y)
        for i in range(2):
            for j in range(2):
                for k in range(y.shape[2]):
                    win = y[2 * i:2 * i + 2, 2 * j:2 * j + 2, k]
                    a, b = np.unravel_index(np.argmax(win), win.shape)
                    dy[2 * i + a, 2 * j + b, k] += g[i, j, k]
        outs.append(dy)
    said = _said(diagnose(q, tr, outs))
    assert "windows with a stride of 2" in said, said


def test_a_size_counted_from_values_is_said_beside_a_length_when_the_error_names_a_larger_one():
    from grader.feedback.dependence import error_sizes
    q = load_assignment("mlp").question("2.1")
    groups = _groups(q, 51)
    g = groups[0]
    n, K = np.shape(g.args["P"])[1:]
    y = np.asarray(g.args["y"])
    y[0] = np.arange(n) % (K - 1)  # (the last class absent: y.max() + 1 = K - 1)
    c = int(y[0].max()) + 1
    said = error_sizes(groups, 0, f"ValueError: operands could not be broadcast together with shapes ({n},{K}) ({n},{c})")
    assert f"{c} is y.max() + 1" in said or f"and also y.max() + 1" in said, said
    y[1] = np.arange(n) % K  # (every class present: the count is the right size, not brought up)
    said = error_sizes(groups, 1, f"IndexError: index {K} is out of bounds for axis 1 with size {K}")
    assert "y.max() + 1" not in said, said


@pytest.mark.parametrize("how, words", [
    ("roll", "np.roll shifts the image the other way"),
    ("strided", "as_strided with strides (s0, s1, s1, s1)"),
])
def test_window_views_of_the_image_built_the_wrong_way_are_named(how, words):
    q = dataclasses.replace(load_assignment("hw4").question("1.2"), mistakes=(), groups={})
    tr = _groups(q, 52)[0]
    outs = []
    for x, w in zip(tr.args["x"], tr.args["w"]):
        acc = np.zeros((3, 3, w.shape[2]))
        for a in range(2):
            for b in range(2):
                if how == "roll":
                    patch = np.roll(np.roll(x, a, axis=0), b, axis=1)[:3, :3]
                else:
                    s0, s1 = x.strides
                    view = np.lib.stride_tricks.as_strided(x, (3, 3, 2, 2), (s0, s1, s1, s1))
                    patch = view[:, :, a, b]
                acc += patch[:, :, None] * w[a, b][None, None, :]
        outs.append(_sig(acc))
    said = _said(diagnose(q, tr, outs))
    assert words in said, said


def test_an_argument_tiled_where_each_entry_should_repeat_is_named():
    """np.tile(z.ravel(), 2).reshape(2, 2, 3, 2) times each output's delta: the copies land
    entry after entry, not one per output."""
    q = _bare("hw4", "2.1")
    tr = _groups(q, 53)[0]
    outs = []
    for z, o, t in zip(tr.args["z"], tr.args["o"], tr.args["target"]):
        d = (o - t) * o * (1 - o)
        outs.append(np.tile(z.ravel(), 2).reshape(2, 2, 3, 2) * d)
    said = _said(diagnose(q, tr, outs))
    assert "np.tile(z.ravel(), 2).reshape(2, 2, 3, 2)" in said, said


def test_routing_that_leaves_one_cell_of_the_window_out_of_the_comparison_is_named():
    q = _bare("hw4", "2.5")
    tr = _groups(q, 54)[0]

    def rule(w):
        cells = [(0, 0), (0, 1), (1, 0)]  # (the bottom-right cell forgotten)
        return max(cells, key=lambda c: w[c])
    said = _said(diagnose(q, tr, _routed(tr, rule)))
    assert "4th element (row-major) is left out of the comparison" in said, said


def test_the_sizes_of_a_concatenation_error_are_said_as_the_arguments_lengths():
    from grader.feedback.dependence import error_sizes
    q = load_assignment("mlp").question("1.2")
    groups = _groups(q, 55)
    N, M = np.shape(groups[0].args["H"])[1:]
    said = error_sizes(groups, 0, "ValueError: all the input array dimensions except for the concatenation axis "
                                  f"must match exactly, but along dimension 0, the array at index 0 has size {N} and "
                                  f"the array at index 1 has size {M}")
    assert f"{N} is len(H)" in said and f"{M} is H.shape[1]" in said, said


def test_an_argument_read_in_column_major_order_is_named():
    """A ReLU mask built from Z.ravel(order='F') reshaped in C order (MATLAB's Z(:) habit)."""
    q = _bare("mlp", "2.4")
    tr = _groups(q, 56)[0]
    outs = [(dS @ W.T) * (Z.ravel(order="F").reshape(Z.shape) > 0)
            for dS, W, Z in zip(tr.args["dS"], tr.args["W2"], tr.args["Z"])]
    said = _said(diagnose(q, tr, outs))
    assert "read in column-major order" in said and "Z" in said, said


def test_row_numbers_returned_for_labels_are_named():
    """np.where(mask)[0]: the row numbers 0..N-1 in place of each row's class."""
    q = _bare("mlp", "1.5")
    tr = _groups(q, 57)[0]
    said = _said(diagnose(q, tr, [np.arange(len(X)) for X in tr.args["X"]]))
    assert "own index along axis 0" in said and "np.where" in said, said


def test_an_outer_product_summed_where_a_dot_product_belongs_is_named():
    q = dataclasses.replace(load_assignment("hw4").question("1.4"), mistakes=(), groups={})
    tr = _groups(q, 58)[0]
    outs = [_sig(np.array([(z.reshape(-1, 1) * v[..., m].reshape(-1)).sum() for m in range(2)]))
            for z, v in zip(tr.args["z"], tr.args["v"])]
    said = _said(diagnose(q, tr, outs))
    assert "product of sums" in said and "outer product" in said, said


def test_output_sigmoid_derivatives_mixed_or_summed_are_named():
    q = dataclasses.replace(load_assignment("hw4").question("2.1"), mistakes=(), groups={})
    tr = _groups(q, 59)[0]
    outs = [z[..., None] * ((o - t) * (o @ (1 - o))) for z, o, t in zip(tr.args["z"], tr.args["o"], tr.args["target"])]
    assert "a dot product (o @ (1 − o))" in _said(diagnose(q, tr, outs))
    q = dataclasses.replace(load_assignment("hw4").question("2.2"), mistakes=(), groups={})
    tr = _groups(q, 60)[0]
    outs = []
    for v, o, t in zip(tr.args["v"], tr.args["o"], tr.args["target"]):
        d = np.array([(o[0] - t[0]) * o[0] * (1 - o[0]), (o[1] - t[1]) * o[1] * (1 - o[0])])
        outs.append(v @ d)
    said = _said(diagnose(q, tr, outs))
    assert "Only the o_2 term is off" in said and "mixes the outputs" in said, said


def test_pooling_sizes_counted_by_a_range_from_one_are_named():
    q = dataclasses.replace(load_assignment("hw4").question("1.1"), mistakes=(), groups={})
    tr = _groups(q, 61)[0]
    outs = []
    for wd, ht, f, p, s in zip(*(np.asarray(tr.args[k]) for k in ("width", "height", "filter_size", "pool_size", "stride"))):
        cw, ch = (wd - f) // s + 1, (ht - f) // s + 1
        outs.append(np.array([cw, ch, len(range(1, cw - p + 1, s)), len(range(1, ch - p + 1, s))], dtype=np.int64))
    said = _said(diagnose(q, tr, outs))
    assert "len(range(1, c − p + 1, s))" in said, said


def test_an_input_patch_broadcast_against_the_wrong_axes_is_named():
    """A (3, 3) patch times the (3, 3, K) error: its axes meet (c_j, k), not (c_i, c_j)."""
    q = dataclasses.replace(load_assignment("hw4").question("2.4"), mistakes=(), groups={})
    tr = _groups(q, 62)[0]
    outs = []
    for x, y, g in zip(tr.args["x"], tr.args["y"], tr.args["dE_dy"]):
        d = g * y * (1 - y)
        outs.append(np.array([[(x[a:a + 3, b:b + 3] * d).sum(axis=(0, 1)) for b in range(2)] for a in range(2)]))
    said = _said(diagnose(q, tr, outs))
    assert "without an axis for the channel" in said, said


def test_labels_that_pick_another_score_than_the_largest_are_named():
    from reference.mlp import model as mm
    q = _bare("mlp", "1.5")
    q = dataclasses.replace(q, probes=load_assignment("mlp").question("1.5").probes)
    tr = _groups(q, 63)[0]
    S = mm.logits(mm.hidden_forward(tr.args["X"], tr.args["W1"], tr.args["b1"]), tr.args["W2"], tr.args["b2"])
    said = _said(diagnose(q, tr, [np.argsort(s, axis=-1)[:, 0] for s in S]))
    assert "the smallest of the logits S" in said, said
    best0 = [np.where(s.max(-1) > 0, s.argmax(-1), 0) for s in S]
    assert any(not np.array_equal(b, s.argmax(-1)) for b, s in zip(best0, S))  # (some row all negative)
    said = _said(diagnose(q, tr, best0))
    assert "running best started at 0" in said, said


def test_one_filter_weight_used_in_place_of_another_is_named():
    """The x_{i+1,j} term multiplied by w[0, 1] where w[1, 0] belongs: w_{2,1} never used."""
    q = dataclasses.replace(load_assignment("hw4").question("1.2"), mistakes=(), groups={})
    tr = _groups(q, 64)[0]
    outs = []
    for x, w in zip(tr.args["x"], tr.args["w"]):
        y = np.zeros((3, 3, w.shape[2]))
        for i in range(3):
            for j in range(3):
                y[i, j] = (x[i, j] * w[0, 0] + x[i, j + 1] * w[0, 1] + x[i + 1, j] * w[0, 1]
                           + x[i + 1, j + 1] * w[1, 1])
        outs.append(_sig(y))
    said = _said(diagnose(q, tr, outs))
    assert "entry (2, 1) along axes 0 and 1 replaced by its entry (1, 2)" in said, said


def test_the_activation_applied_after_every_term_is_named():
    """y += term; y = sigmoid(y) inside the loop over the filter taps (F8, F22)."""
    q = dataclasses.replace(load_assignment("hw4").question("1.2"), mistakes=(), groups={})
    tr = _groups(q, 65)[0]
    outs = []
    for x, w in zip(tr.args["x"], tr.args["w"]):
        y = np.zeros((3, 3, w.shape[2]))
        for a in range(2):
            for b in range(2):
                y = _sig(y + x[a:a + 3, b:b + 3, None] * w[a, b])
        outs.append(y)
    said = _said(diagnose(q, tr, outs))
    assert "after every term of the sum" in said, said


def test_a_routing_is_found_when_the_trials_never_pick_one_position_of_a_window():
    """The windows are the boxes the picks span: with few trials a window position that no
    trial's maximum fell on left the routing unrecognised (F25: a channel-wide mask said as
    '26 of 27 elements are wrong')."""
    from grader.feedback.probes import _window_boxes
    W = _window_boxes([np.array([0, 1, 3]), np.array([1, 2, 4, 5])], (3, 3))
    assert W.tolist() == [[0, 1, 3, 4], [1, 2, 4, 5]]
    assert _window_boxes([np.array([0]), np.array([1, 2])], (3, 3)) is None


def test_a_shape_in_an_error_that_is_an_argument_made_a_column_is_said():
    """b2.reshape(-1, 1) added to the (N, K) logits: '(2, 1)' is b2 as a column (F25)."""
    from grader.feedback.dependence import error_sizes
    q = load_assignment("mlp").question("1.2")
    groups = _groups(q, 66)
    N, K = len(groups[0].args["H"][0]), len(groups[0].args["b2"][0])
    said = error_sizes(groups, 0, f"ValueError: operands could not be broadcast together with shapes ({N},{K}) ({K},1)")
    assert f"({K}, 1) is the shape of b2 made a column" in said, said
