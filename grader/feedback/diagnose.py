"""Name the misconception behind a wrong answer.

Called for a question that failed while returning arrays.  Two sources of diagnoses:

1. The question's catalogue (``Question.mistakes``): a known mistake is named only when its
   ``compute`` (or one of its ``variants``: the same mistake with loops in another order)
   reproduces the student's answer on *every* trial (same shape, within the
   question's tolerance, by the rule of :mod:`grader.judge.tolerance`) and differs from the right
   answer on at least one trial.  A trial on which the mistake coincides with the right answer
   therefore neither confirms nor refutes it, but never lets a mismatch through.
2. Generic findings, when no catalogued mistake explains the answer, strongest first: float32
   rounding (a precision problem, never reported as logic); right numbers with the axes
   permuted, reversed, an axis's entries swapped or repeated, or reshaped; every s-th element
   (a stride-s version); one constant factor or offset across all trials; then what the
   student computed (:mod:`grader.feedback.probes`: a factor on one slice, a misread input, and the
   assignment's own probe data -- activation, expression factors, per-element terms); then
   the trials it is wrong on (an edge case, a feature such as "stride is not 1"); a factor
   that changes per trial; and last an element map of which elements are wrong, in the
   homework's notation (``Question.element``), named after a group when the assignment
   supplies one (``groups``), and said to come from few trials when it does.

Nothing here knows about CNNs; everything is checked against every trial, so a finding is a
fact about the answer, never a guess.
"""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Mapping, Sequence

import numpy as np

from .. import text
from ..assignment import Question, Trials
from ..judge import tolerance
from ..judge.compare import Rounded, compare
from .probes import (Activation, ArgNames, Expression, Features, Scores, Terms, label_finding, activation_finding, argument_map_finding,
                     argument_factor_finding, close_trials, condition_finding, expression_finding,
                     half_precision_finding, input_finding, integer_finding, partly_whole_finding, output_map_finding, accumulated_finding,
                     precision_finding, quick_reject, range_finding, slice_factor_finding, terms_finding,
                     regrouped_finding, routing_finding, row_indexed_finding, selection_finding, extra_argument_finding, slice_input_finding,
                     contribution_finding, broadcast_finding, erased_finding, entry_map_finding,
                     upsample_finding)

MAX_LISTED = 12  # elements listed by name in the element map before summarising


@dataclass
class Diagnosis:
    misconceptions: list[str] = field(default_factory=list)  # catalogued mistake ids
    message: str = ""  # one or two sentences naming the mistake in words
    hints: list[dict] = field(default_factory=list)  # {id, name, explanation, hint} per mistake
    notes: list[str] = field(default_factory=list)  # generic findings, in words
    mapped: bool = False  # the message only says which elements are wrong (no finding names a cause)


# ----------------------------------------------------------------------------- tolerance

def wrong_mask(q: Question, got: np.ndarray, exp: np.ndarray) -> np.ndarray | None:
    """Elements of ``got`` outside tolerance of ``exp`` (None if the shapes differ): the rule
    of :mod:`grader.judge.tolerance`, as :func:`grader.judge.compare.compare` applies it."""
    got, exp = np.asarray(got), np.asarray(exp)
    if got.shape != exp.shape:
        return None
    return tolerance.wrong(q, got, exp)


def _close(q: Question, got, exp) -> bool:
    w = wrong_mask(q, got, exp)
    return w is not None and not w.any()


# ----------------------------------------------------------------------------- candidates

@dataclass
class _Candidate:
    """A batched answer to test against the student's: ``full`` for all trials; ``low(args)``
    recomputes it from (batched) rounded arguments, or ``derive(answers)`` makes it from the
    reference's answers (a transpose, a factor...), or neither."""

    full: np.ndarray
    low: Callable[[dict[str, np.ndarray]], np.ndarray] | None = None
    derive: Callable[[np.ndarray], np.ndarray] | None = None


def _explains(q: Question, trials: Trials, outputs: list[np.ndarray], cand: _Candidate) -> bool:
    """True if the candidate reproduces the student's answer on every trial (a trial may match
    the candidate recomputed from its inputs rounded to float32, as :mod:`compare` accepts
    float32 work whatever the container; all inputs rounded together only: every subset, for
    every candidate, would cost more than the whole diagnosis)."""
    full = np.asarray(cand.full)
    shape = _same_shape(outputs)
    if shape is None or full.shape != (len(outputs), *shape):
        return _explains_each(q, trials, outputs, cand, range(len(outputs)))
    got = _stacked(outputs)
    if quick_reject(q, got, full):
        return False  # most candidates fail on the first trial: say so cheaply
    ok = close_trials(q, got, full)  # one batched check
    if ok.all():
        return True
    if q.exact or (cand.low is None and cand.derive is None):
        return False
    # A float32 answer may differ from a float64 candidate by rounding, but only by much where
    # a trial is ill-conditioned (near saturation): far off on most trials means no match.
    if 2 * (~tolerance.trials_within(q, got, full, loosen=tolerance.SCREEN)).sum() > len(got):
        return False
    return _explains_each(q, trials, outputs, cand, np.flatnonzero(~ok))


def _rounded(trials: Trials, cand: "_Candidate") -> Rounded:
    if cand.derive is not None:  # from the reference: its rounded answers are computed once
        return Rounded(trials, trials.reference, subsets=False, transform=cand.derive)
    return Rounded(trials, cand.low, subsets=False)


def _explains_each(q: Question, trials: Trials, outputs, cand: _Candidate, todo) -> bool:
    """The per-trial form of :func:`_explains` (answers whose shape or dtype varies, and the
    trials the batched check could not settle)."""
    full = np.asarray(cand.full)
    rounded = None
    for t in todo:
        got = outputs[t]
        if _close(q, got, full[t]):
            continue
        rounded = rounded or _rounded(trials, cand)
        if not any(_close(q, got, again) for again in rounded.answers(t, got)):
            return False
    return True


def _stacked(outputs: list[np.ndarray]) -> np.ndarray:
    """The outputs as one float64 array, built once per list (the diagnosis checks it often)."""
    key = tuple(map(id, outputs))
    cache = getattr(_LOCAL, "stack", None)
    if cache is None or cache[0] != key:
        cache = _LOCAL.stack = (key, np.stack([o.astype(np.float64) for o in outputs]), list(outputs))
    return cache[1]


# Per thread (the grader scores submissions in several threads): (ids, stacked, the arrays
# themselves, which keeps the ids valid); cleared when diagnose() returns, so an array changed
# in place between two diagnoses is never answered from the cache.
_LOCAL = threading.local()


def _differs(q: Question, trials: Trials, full: np.ndarray) -> bool:
    """True if the candidate is not the right answer on at least one trial."""
    full = np.asarray(full)
    exp = np.asarray(trials.expected)
    if full.shape != exp.shape:
        return True
    return not bool(close_trials(q, full, exp).all())


def _from_expected(trials: Trials, f: Callable[[np.ndarray], np.ndarray]) -> _Candidate:
    """Candidate made by transforming the right answer (batched) with ``f``."""
    return _Candidate(np.asarray(f(np.asarray(trials.expected))), derive=f)


# ----------------------------------------------------------------------------- catalogue

def matching_mistakes(q: Question, trials: Trials, outputs: list[np.ndarray]):
    """The catalogued mistakes that explain every trial and differ from the right answer; a
    mistake's variants (the same mistake with loops in another order ...) count as it."""
    found = []
    for mistake in q.mistakes:
        for compute in (mistake.compute, *getattr(mistake, "variants", ())):
            if _mistake_explains(q, trials, outputs, compute):
                found.append(mistake)
                break
    return found


def _mistake_explains(q: Question, trials: Trials, outputs, compute) -> bool:
    try:
        full = np.asarray(compute(trials.args))
    except Exception:  # noqa: BLE001 - a broken catalogue entry must not break grading
        return False
    if full.shape[:1] != (len(trials),) or full.dtype.kind not in "biuf":
        return False
    if not np.isfinite(full).all():
        return _explains_nonfinite(q, outputs, full) and _differs(q, trials, full)
    return _explains(q, trials, outputs, _Candidate(full, compute)) and _differs(q, trials, full)


def _explains_nonfinite(q: Question, outputs, full: np.ndarray) -> bool:
    """A mistake that overflows (a softmax without its shift: NaN where exp overflowed) names the
    student's answer when both are non-finite at the same elements in the same way (NaN, +inf,
    -inf) and the finite rest agrees by the rule."""
    shape = _same_shape(outputs)
    if shape is None or full.shape != (len(outputs), *shape):
        return False
    got, full = _stacked(outputs).astype(np.float64), full.astype(np.float64)
    if not ((np.isnan(got) == np.isnan(full)).all() and (np.isposinf(got) == np.isposinf(full)).all()
            and (np.isneginf(got) == np.isneginf(full)).all()):
        return False
    finite = np.isfinite(full)
    return tolerance.all_within(q, np.where(finite, got, 0.0), np.where(finite, full, 0.0),
                                axes=tuple(range(1, full.ndim)))


# ----------------------------------------------------------------------------- naming

def _name(q: Question, idx: tuple[int, ...]) -> str:
    try:
        return str(q.element(tuple(int(i) for i in idx)))
    except Exception:  # noqa: BLE001
        return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def _wild_name(q: Question, idx: tuple[int, ...], axes: tuple[int, ...], shape) -> str:
    """Element name with a ``*`` ("any value") in place of each index on ``axes``."""
    base_idx = list(idx)
    for a in axes:
        base_idx[a] = 0
    base = _name(q, tuple(base_idx))
    spans = []
    for a in axes:
        if shape[a] < 2:
            continue
        alt = list(base_idx)
        alt[a] = 1
        other = _name(q, tuple(alt))
        p = 0
        while p < min(len(base), len(other)) and base[p] == other[p]:
            p += 1
        s = 0
        while s < min(len(base), len(other)) - p and base[-1 - s] == other[-1 - s]:
            s += 1
        if p >= len(base) - s:
            return base  # the namer ignores this axis
        spans.append((p, len(base) - s))
    spans.sort()
    if any(b[0] < a[1] for a, b in zip(spans, spans[1:])):
        return base
    for lo, hi in reversed(spans):
        base = base[:lo] + "*" + base[hi:]
    return base


# ----------------------------------------------------------------------------- generic

def _same_shape(outputs: list[np.ndarray]) -> tuple[int, ...] | None:
    shapes = {o.shape for o in outputs}
    return shapes.pop() if len(shapes) == 1 else None


def _perm_words(perm: tuple[int, ...]) -> str:
    moved = [i for i, p in enumerate(perm) if p != i]
    if len(moved) == 2:
        return f"axes {moved[0]} and {moved[1]} are swapped"
    return ("your axes " + ", ".join(map(str, range(len(perm)))) + " run over the right answer's axes "
            + ", ".join(map(str, perm)) + " respectively")


def _axis_findings(q: Question, trials: Trials, outputs, got_shape, exp_shape) -> list[str]:
    """Right numbers, wrong arrangement: a transpose, a reversal, or a reshape."""
    notes: list[str] = []
    nd = len(exp_shape)
    # (a) a permutation of axes (possibly with the same shape, e.g. (3, 3, 3))
    if len(got_shape) == nd and sorted(got_shape) == sorted(exp_shape) and nd >= 2:
        perms = [perm for perm in itertools.permutations(range(nd))
                 if perm != tuple(range(nd)) and tuple(exp_shape[p] for p in perm) == tuple(got_shape)]
        exp = np.asarray(trials.expected)
        perms = _screen(q, outputs, [exp.transpose(0, *(p + 1 for p in perm)) for perm in perms], perms)
        for perm in perms:
            cand = _from_expected(trials, lambda e, perm=perm: e.transpose(0, *(p + 1 for p in perm)))
            if _explains(q, trials, outputs, cand) and _differs(q, trials, cand.full):
                notes.append(_perm_note(q, trials, perm, got_shape, exp_shape))
                return notes
    # reversed along some axes (same shape)
    if tuple(got_shape) == tuple(exp_shape):
        axes_ok = [a for a in range(nd) if exp_shape[a] > 1]
        flips = [axes for r in range(1, len(axes_ok) + 1) for axes in itertools.combinations(axes_ok, r)]
        exp = np.asarray(trials.expected)
        flips = _screen(q, outputs, [np.flip(exp, axis=tuple(a + 1 for a in axes)) for axes in flips], flips)
        for axes in flips:
            cand = _from_expected(trials, lambda e, axes=axes: np.flip(e, axis=tuple(a + 1 for a in axes)))
            if _explains(q, trials, outputs, cand) and _differs(q, trials, cand.full):
                idx = tuple(0 for _ in range(nd))
                src = tuple(exp_shape[a] - 1 if a in axes else 0 for a in range(nd))
                notes.append(
                    f"Right numbers in reversed order along axis {', '.join(map(str, axes))}: "
                    f"where {_name(q, idx)} should be, you return the value of {_name(q, src)}.")
                return notes
        # entries swapped, repeated or skipped along one axis (two outputs, two channels, the
        # returned tuple's order, one channel copied to all): any map of a short axis's indices
        for a in axes_ok:
            if exp_shape[a] > 4:
                continue
            n_a = exp_shape[a]
            maps = (itertools.permutations(range(n_a)) if n_a == 4
                    else itertools.product(range(n_a), repeat=n_a))
            maps = [m for m in maps if m != tuple(range(n_a)) and m != tuple(reversed(range(n_a)))]
            for order in _screen_maps(q, outputs, np.asarray(trials.expected), a, maps):
                cand = _from_expected(trials, lambda e, a=a, o=order: np.take(e, o, axis=a + 1))
                if _explains(q, trials, outputs, cand) and _differs(q, trials, cand.full):
                    pairs = []
                    for i, src in enumerate(order):
                        if src != i and len(pairs) < 4:
                            at = [0] * nd
                            at[a] = i
                            fr = [0] * nd
                            fr[a] = src
                            pairs.append(f"where {_wild_name(q, tuple(at), tuple(x for x in range(nd) if x != a), exp_shape)} "
                                         f"should be, you return {_wild_name(q, tuple(fr), tuple(x for x in range(nd) if x != a), exp_shape)}")
                    star = " (* = any index)" if nd > 1 else ""
                    what = "in the wrong places" if len(set(order)) == n_a else "some of them repeated"
                    notes.append(f"Right numbers, {what} along axis {a}: " + "; ".join(pairs) + f"{star}.")
                    return notes
    if tuple(got_shape) == tuple(exp_shape) and nd >= 2:
        note = _rolled_finding(q, trials, outputs, exp_shape) or \
            _relaid_finding(q, trials, outputs, exp_shape) or _reduced_finding(q, trials, outputs, exp_shape)
        if note:
            return [note]
    # same numbers, another shape (reshaped, possibly after a transpose)
    if int(np.prod(got_shape)) == int(np.prod(exp_shape)) and tuple(got_shape) != tuple(exp_shape):
        for perm in itertools.permutations(range(nd)):
            cand = _from_expected(trials, lambda e, perm=perm: e.transpose(0, *(p + 1 for p in perm))
                                  .reshape(len(e), *got_shape))
            if _explains(q, trials, outputs, cand):
                how = "in the right order" if perm == tuple(range(nd)) else \
                    f"after reordering the axes as {perm}"
                notes.append(f"Right numbers ({how}) but reshaped: you return shape "
                             f"{text.shape(got_shape)}, the answer has shape {text.shape(exp_shape)}.")
                return notes
    return notes


def _roll_options(shape) -> list[tuple[tuple[int, ...], int]]:
    """(axes, shift) of every one-step cyclic shift of the axes longer than 1 (1-based
    formulas on 0-based arrays shift every index by one; negative indices wrap around)."""
    axes_ok = [a for a in range(len(shape)) if shape[a] > 1]
    return [(axes, s) for r in range(1, min(len(axes_ok), 3) + 1)
            for axes in itertools.combinations(axes_ok, r) for s in (1, -1)]


def _rolled_finding(q: Question, trials: Trials, outputs, exp_shape) -> str:
    """The right numbers with every index along some axes shifted by one, wrapping around."""
    exp = np.asarray(trials.expected)
    opts = _roll_options(exp_shape)
    opts = _screen(q, outputs, [np.roll(exp, s, axis=tuple(a + 1 for a in axes)) for axes, s in opts], opts)
    for axes, s in opts:
        cand = _from_expected(trials, lambda e, axes=axes, s=s: np.roll(e, s, axis=tuple(a + 1 for a in axes)))
        if _explains(q, trials, outputs, cand) and _differs(q, trials, cand.full):
            at = tuple(0 if s == 1 else exp_shape[a] - 1 if a in axes else 0 for a in range(len(exp_shape)))
            src = tuple((i - s) % exp_shape[a] if a in axes else i for a, i in enumerate(at))
            words = "axis" if len(axes) == 1 else "axes"
            return (f"Right numbers, every index along {words} {', '.join(map(str, axes))} shifted by one "
                    f"(wrapping around at the end): where {_name(q, at)} should be, you return the value of "
                    f"{_name(q, src)}. A formula written with 1-based indices (i−1, or i+1) used on "
                    f"0-based arrays does this; negative indices wrap around in Python.")
    return ""


def _relaid_finding(q: Question, trials: Trials, outputs, exp_shape) -> str:
    """The right numbers computed with the axes in another order and then reshaped (not
    transposed) back to the answer's shape: the same numbers, in the wrong places."""
    nd = len(exp_shape)
    perms = [p for p in itertools.permutations(range(nd))
             if tuple(exp_shape[i] for i in p) != tuple(exp_shape)]
    if not perms or len(perms) > 120:
        return ""
    exp = np.asarray(trials.expected)

    def relaid(e, p):
        return e.transpose(0, *(i + 1 for i in p)).reshape(len(e), *exp_shape)
    perms = _screen(q, outputs, [relaid(exp, p) for p in perms], perms)
    for p in perms:
        cand = _from_expected(trials, lambda e, p=p: relaid(e, p))
        if _explains(q, trials, outputs, cand) and _differs(q, trials, cand.full):
            # an element whose value comes from elsewhere
            idx = np.arange(int(np.prod(exp_shape))).reshape(exp_shape)
            moved = idx.transpose(p).reshape(exp_shape)
            shown = ""
            for i in np.ndindex(*exp_shape):
                j = np.unravel_index(int(moved[i]), exp_shape)
                if tuple(j) != i:
                    shown = f" For example, where {_name(q, i)} should be, you return the value of {_name(q, tuple(j))}."
                    break
            laid = text.shape(tuple(exp_shape[i] for i in p))
            return (f"Right numbers in another arrangement: your array is the right answer laid out "
                    f"as shape {laid} (axes in the order {p}) and then reshaped to "
                    f"{text.shape(exp_shape)}.{shown} A reshape keeps the numbers' order; "
                    f"it does not move an axis (that takes a transpose), and np.outer(a, b) puts a's "
                    f"index first.")
    return ""


def _reduced_finding(q: Question, trials: Trials, outputs, exp_shape) -> str:
    """Every entry along one axis holds the sum (or the mean) of the right values along it: a
    sum or mean taken over that axis too (np.sum without axis=, or over too many axes)."""
    if q.exact:
        return ""
    nd = len(exp_shape)
    for a in range(nd):
        if exp_shape[a] < 2:
            continue
        for how, f in (("sum", np.sum), ("mean", np.mean)):
            cand = _from_expected(trials, lambda e, a=a, f=f: np.broadcast_to(
                f(e, axis=a + 1, keepdims=True), e.shape).copy())
            if _explains(q, trials, outputs, cand) and _differs(q, trials, cand.full):
                wild = _wild_name(q, tuple([0] * nd), (a,), exp_shape)
                return (f"Every entry along axis {a} holds the {how} of the right values along that axis "
                        f"({wild}, * = every index, all {exp_shape[a]} the same): your {how} also runs over "
                        f"axis {a} (np.{how} without axis=, or over one axis too many), where each entry "
                        f"along axis {a} has its own value.")
    return ""


def _screen_maps(q: Question, outputs, exp: np.ndarray, a: int, maps: list) -> list:
    """The index maps along axis ``a`` worth a full check (see :func:`_screen`)."""
    if not maps:
        return []
    cands = np.moveaxis(np.take(np.asarray(exp, dtype=np.float64), np.asarray(maps), axis=a + 1), a + 1, 0)
    return _screen(q, outputs, cands, maps)


def _screen(q: Question, outputs, cands, keys: list) -> list:
    """The keys whose candidate answer (all stacked: one batched comparison) is worth a full
    check: close to the student's within :data:`~grader.judge.tolerance.SCREEN` times the
    tolerance on most trials, so that a float32 answer, exact only for rounded inputs, still
    gets the careful check (the same screen as :func:`_explains`)."""
    if not keys:
        return []
    got = _stacked(outputs).reshape(len(outputs), -1)
    cands = np.asarray(cands, dtype=np.float64).reshape(len(keys), len(outputs), -1)
    if cands.shape[2] != got.shape[1]:
        return list(keys)
    near = tolerance.within(q, got[None], cands, axes=-1, loosen=tolerance.SCREEN)
    # a float32 answer is far off only on ill-conditioned trials: keep maps close on most
    keep = 2 * near.all(axis=-1).sum(axis=1) >= len(outputs)
    return [m for m, k in zip(keys, keep) if k]


def _perm_note(q, trials, perm, got_shape, exp_shape) -> str:
    nd = len(perm)
    shown = ""
    if tuple(got_shape) == tuple(exp_shape):
        # an element whose value comes from elsewhere: got[i] = exp[j] with j[perm[d]] = i[d]
        for i in np.ndindex(*got_shape):
            j = [0] * nd
            for d in range(nd):
                j[perm[d]] = i[d]
            if tuple(j) != i:
                shown = f" For example, where {_name(q, i)} should be, you return the value of {_name(q, tuple(j))}."
                break
    pretty = ", ".join(map(str, perm))
    return (f"Right numbers, wrong axis order: your answer is the right one transposed "
            f"(axes reordered as ({pretty})): {_perm_words(perm)}.{shown}")


def _sign_split_finding(q: Question, trials: Trials, got: np.ndarray, exp: np.ndarray) -> str:
    """Right exactly where an argument of the answer's shape is positive and wrong where it is
    negative (or the other way round), in every trial: what the code does on one side of 0 is
    the mistake (a derivative taken as the sign, a branch for negative values)."""
    right = tolerance.within(q, got, exp, axes=tuple(range(1, exp.ndim)))
    if right.all() or not right.any():
        return ""
    for name, arr in trials.args.items():
        if arr.shape != got.shape or arr.dtype.kind != "f":
            continue
        nz = arr != 0
        for side, words in ((arr > 0, ("> 0", "< 0")), (arr < 0, ("< 0", "> 0"))):
            if side[nz].any() and (~side[nz]).any() and (right[nz] == side[nz]).all():
                return (f"Your answer is right exactly where {name} {words[0]} and wrong wherever {name} {words[1]}, "
                        f"in every trial: check what your code does where {name} {words[1]} (a derivative or a "
                        f"branch for those values).")
    return ""


def _invariant_sum_finding(q: Question, got: np.ndarray, exp: np.ndarray) -> str:
    """Along an axis where every right answer sums to 1 (probabilities) or to 0 (the gradient of
    a softmax's input), in every trial: yours does not (a normalisation left out or done with
    other numbers than the ones it divides)."""
    if got.ndim < 2:
        return ""
    for axis in range(1, got.ndim):
        if exp.shape[axis] < 2:
            continue
        right = exp.sum(axis=axis)
        for total, words in ((1.0, "1, as probabilities do"), (0.0, "0")):
            if np.abs(right - total).max() > 1e-9:
                continue
            mine = got.sum(axis=axis)
            off = ~tolerance.trials_within(q, mine, np.full_like(mine, total))
            if off.mean() > 0.5:
                lo, hi = text.number(float(mine.min()), 3), text.number(float(mine.max()), 3)
                theirs = f"always to {lo}" if lo == hi else f"to values from {lo} to {hi}"
                return (f"In the right answer the entries along axis {axis - 1} sum to {words}, in every trial; "
                        f"yours sum {theirs}: a normalisation left out or made with other numbers than the ones "
                        "it divides does this, as does a term added or taken away at the wrong entries.")
    return ""


def _label_rows_finding(q: Question, trials: Trials, got: np.ndarray, exp: np.ndarray) -> str:
    """The answer is wrong exactly in the rows whose label (an integer argument, one per row of
    the answer) has one value, in every trial, and right in every other row: a loop over the
    classes that skips that one, a comparison that is false for it.  Where only the entry at
    the row's own label is off in those rows, that is said too (a one-hot row left empty)."""
    if got.ndim < 3 or got.shape != exp.shape:
        return ""
    wrong = tolerance.wrong(q, got, exp, axes=tuple(range(1, got.ndim)))  # (each trial its own tolerance)
    for arg, arr in trials.args.items():
        lab = np.asarray(arr)
        if lab.dtype.kind not in "iu" or lab.ndim != 2:
            continue
        for axis in range(1, got.ndim):
            if got.shape[axis] != lab.shape[1]:
                continue
            rows = np.moveaxis(wrong, axis, 1).reshape(len(got), lab.shape[1], -1).any(axis=2)  # (T, N)
            for v in np.unique(lab):
                hit = lab == v
                if not hit.any() or hit.all() or not np.array_equal(rows, hit):
                    continue
                said = (f"Your answer is wrong exactly in the entries along axis {axis - 1} whose {arg} is {int(v)} "
                        f"(in every trial) and right in every other: check what your code does when {arg} is "
                        f"{int(v)} (a loop or range that skips it, a comparison that is false for it)")
                if got.ndim == 3:  # (rows x classes): only the entry at the row's own label?
                    cols = np.moveaxis(wrong, axis, 1)  # (T, N, K)
                    own = np.zeros_like(cols)
                    if v < cols.shape[2]:
                        own[:, :, int(v)] = hit
                    if np.array_equal(cols, own):
                        said += (f"; in those rows only the entry at the row's own {arg} (column {int(v)}) "
                                 "is off: that row's label term is missing (its one-hot row left all 0, say)")
                return said + "."
    return ""


def _label_columns_finding(q: Question, trials: Trials, got: np.ndarray, exp: np.ndarray) -> str:
    """The answer (rows x classes, an integer label per row) is wrong exactly at the entries whose
    column is the label of another row of the batch, in every trial: ``G[:, y]`` reaches every row
    at every label the batch holds, where ``G[np.arange(N), y]`` reaches each row at its own."""
    if got.ndim != 3 or got.shape != exp.shape:
        return ""
    wrong = tolerance.wrong(q, got, exp, axes=(1, 2))
    for arg, arr in trials.args.items():
        lab = np.asarray(arr)
        if lab.dtype.kind not in "iu" or lab.shape != got.shape[:2] or lab.min() < 0 or lab.max() >= got.shape[2]:
            continue
        cols = np.zeros(got.shape, dtype=bool)
        for t in range(len(lab)):
            cols[t][:, np.unique(lab[t])] = True
        own = np.zeros(got.shape, dtype=bool)
        np.put_along_axis(own, lab[..., None], True, axis=2)
        if wrong.any() and np.array_equal(wrong, cols & ~own):
            return (f"Your answer is wrong exactly at the entries whose column is the {arg} of another row of the "
                    f"batch, in every trial, and right at each row's own {arg}: indexing with [:, {arg}] reaches every "
                    f"row at every {arg} the batch holds (an N × N block), where [np.arange(N), {arg}] reaches each "
                    f"row at its own.")
    return ""


def _subsample_findings(q: Question, trials: Trials, outputs, got_shape, exp_shape) -> tuple[bool, list[str]]:
    """A smaller answer that is part of the right one: every s-th element along some axes
    (stride-s / no-overlap windows), or only the leading entries (a size or loop bound one
    short).  (exact, notes): every explanation that reproduces the numbers is said, together
    when several do; without one, what the shape alone suggests (exact False)."""
    nd = len(exp_shape)
    if len(got_shape) != nd or tuple(got_shape) == tuple(exp_shape):
        return False, []
    shrunk = [a for a in range(nd) if got_shape[a] < exp_shape[a]]
    if not shrunk or any(got_shape[a] > exp_shape[a] for a in range(nd)):
        return False, []
    axes = ", ".join(map(str, shrunk))
    found, shaped = [], ""
    for s in (2, 3, 4):
        if any(-(-exp_shape[a] // s) != got_shape[a] for a in shrunk):
            continue
        sl = tuple(slice(None, None, s) if a in shrunk else slice(None) for a in range(nd))
        cand = _from_expected(trials, lambda e, sl=sl: e[(slice(None), *sl)])
        if _explains(q, trials, outputs, cand):
            found.append(f"every {s}{'nd' if s == 2 else 'rd' if s == 3 else 'th'} element of the right "
                         f"answer along axis {axes}, as if a sliding window moved {s} steps at a time "
                         f"(without overlap) instead of 1")
        elif not shaped:
            shaped = (f"Your shape {text.shape(got_shape)} is what a stride-{s} (non-overlapping) version "
                      f"of the answer would have along axis {axes}; the answer has shape "
                      f"{text.shape(exp_shape)}.")
    sl = tuple(slice(0, got_shape[a]) for a in range(nd))
    cand = _from_expected(trials, lambda e, sl=sl: e[(slice(None), *sl)])
    if _explains(q, trials, outputs, cand):
        one_short = all(got_shape[a] == exp_shape[a] - 1 for a in shrunk)
        found.append(f"only the first {' × '.join(str(got_shape[a]) for a in shrunk)} entries of the right "
                     f"answer along axis {axes}, as " + (
                         "a size or loop bound one short gives (a missing +1: range(n − f) where "
                         "range(n − f + 1) is needed)" if one_short else
                         "a size or loop bound too small gives (a number written where the argument's "
                         "size belongs, or a size taken from another axis)"))
    if not found:
        return False, [shaped] if shaped else []
    size = f" (shape {text.shape(got_shape)} instead of {text.shape(exp_shape)})"
    if len(found) == 1:
        return True, [f"You return {found[0]}{size}."]
    return True, [f"Your numbers{size} are exactly what several mistakes give: "
                  + " \u2014 or ".join(found) + "."]


def _superset_finding(q: Question, trials: Trials, outputs, got_shape, exp_shape) -> str:
    """A larger answer that holds the right one as a block: extra entries along some axes, all
    zero (padding, as np.pad gives when it pads every axis) or not (a size or a loop bound too
    large)."""
    nd = len(exp_shape)
    grown = [a for a in range(nd) if len(got_shape) == nd and got_shape[a] > exp_shape[a]]
    if not grown or any(got_shape[a] < exp_shape[a] for a in range(nd)):
        return ""
    offsets = list(itertools.product(*(range(got_shape[a] - exp_shape[a] + 1) for a in grown)))
    if len(offsets) > 64 or _same_shape(outputs) is None:
        return ""
    got = _stacked(outputs)
    exp = np.asarray(trials.expected, dtype=np.float64)
    for off in offsets:
        start = dict(zip(grown, off))
        block = tuple(slice(start.get(a, 0), start.get(a, 0) + exp_shape[a]) for a in range(nd))
        if not close_trials(q, got[(slice(None), *block)], exp).all():
            continue
        rest = np.ones(got.shape[1:], bool)
        rest[block] = False
        zero = bool((got[:, rest] == 0).all())
        where = "; ".join(f"along axis {a}, entries {start[a] + 1} to {start[a] + exp_shape[a]} of "
                          f"{got_shape[a]}" for a in grown)
        extra = ("every extra entry is 0: an array made larger than the answer and never written there "
                 "(np.zeros with another size), or padding along an axis that must keep its size (np.pad "
                 "pads every axis unless it is given a width per axis, (0, 0) for the others)") if zero else (
            "a size or a loop bound too large, or an array made larger than the answer")
        return (f"Your answer (shape {text.shape(got_shape)}) holds the right one (shape "
                f"{text.shape(exp_shape)}) as a block ({where}), in every trial; {extra}.")
    return ""


def _scale_findings(q: Question, trials: Trials, outputs, per_trial: bool = False) -> list[str]:
    """got == c * expected: one c for all trials, or (``per_trial``) one c per trial."""
    exp = np.asarray(trials.expected, dtype=np.float64)
    got = np.stack([o.astype(np.float64) for o in outputs])
    if not np.isfinite(got).all():
        return []
    n = len(outputs)
    flat_e, flat_g = exp.reshape(n, -1), got.reshape(n, -1)
    norm = (flat_e ** 2).sum(axis=1)
    live = norm > 0
    if not live.any():
        return []
    c_t = np.where(live, (flat_g * flat_e).sum(axis=1) / np.where(live, norm, 1.0), np.nan)
    if (np.abs(flat_g[~live]) > 0).any():
        return []  # nonzero where the answer is exactly zero: not a multiple
    c = float(np.median(c_t[live]))
    tol = tolerance.relative(q, tolerance.FACTOR)
    if per_trial:
        return _per_trial_factor(q, outputs, exp, c_t, live, tol)
    if abs(c - 1.0) > tol:
        for value in (float(Fraction(c).limit_denominator(16)), c):
            cand = _from_expected(trials, lambda e, value=value: value * e)
            if _explains(q, trials, outputs, cand) and _differs(q, trials, cand.full):
                one = flat_e.shape[1] == 1  # (a number: no "every element")
                if value == 0:
                    return [("You return zero every time." if one else "You return zero everywhere.")
                            + " A factor that is always 0 does this: an integer array that truncates "
                            "every small value to 0 (np.array([0, 0]) or np.zeros(n, dtype=int) holds "
                            "integers), an integer division (1 // 2 is 0), or an array never written."]
                if value == -1:
                    return [("Your answer has the wrong sign" if one else "Every element has the wrong sign")
                            + ": it is exactly -1 times the right one, in every trial."]
                return [("Your answer is" if one else "Every element is") + f" {text.constant(value)} times the "
                        "right value, in every trial: a constant factor is missing or extra."
                        + _known_constant(value)]
    return []


# Factors a wrong function or base gives (a log in another base, an exponential's base).
_LOGS = ((1 / np.log(10), "1/ln 10: the logarithm in base 10 where the natural log belongs (np.log10 for np.log)"),
         (np.log(10), "ln 10: the natural logarithm where a base-10 one belongs"),
         (1 / np.log(2), "1/ln 2: the logarithm in base 2 where the natural log belongs (np.log2 for np.log)"),
         (np.log(2), "ln 2: the natural logarithm where a base-2 one belongs"))


def _known_constant(c: float) -> str:
    """What a factor that is no fraction is, when it is a known one (1/ln 10 ...)."""
    for value, words in _LOGS:
        if abs(c - value) <= 1e-6 * value:
            return f" The factor is {words}."
    return ""


def _offset_findings(q: Question, trials: Trials, outputs, got, exp) -> list[str]:
    """got == a * expected + b with one constant b != 0 (and a nice a) in every trial."""
    if got is None or q.exact:
        return []
    e, g = exp.ravel(), got.ravel()
    A = np.stack([e, np.ones_like(e)], axis=1)
    try:
        (a, b), *_ = np.linalg.lstsq(A, g, rcond=None)
    except np.linalg.LinAlgError:
        return []
    a = float(Fraction(float(a)).limit_denominator(16))
    fb = Fraction(float(b)).limit_denominator(16)
    b = float(fb) if abs(float(fb) - b) <= 1e-6 * max(1.0, abs(b)) else float(b)
    if b == 0 or not np.isfinite(b):
        return []
    cand = _from_expected(trials, lambda x, a=a, b=b: a * x + b)
    if not (_explains(q, trials, outputs, cand) and _differs(q, trials, cand.full)):
        return []
    scale = "" if a == 1 else f"{text.constant(a)} times "
    start = (f" (an accumulator that starts at {text.constant(b)} instead of 0, such as np.ones or "
             f"np.full where np.zeros belongs, does this too)") if a == 1 and b in (1.0, -1.0) else ""
    return [f"Your answer is {scale}the right one plus a constant {text.constant(b)}, in every trial: "
            f"a constant term is extra{start}."]


def _per_trial_offset(q: Question, trials: Trials, got, exp) -> str:
    """Every element the right value plus one number per trial, changing between trials (a
    scalar term added to every element): said, with the number named when it is an entry of
    an argument, or the difference of two arguments' entries (an error term o_m − y_m)."""
    if q.exact or got.ndim < 2 or got[0].size < 2:
        return ""
    if tolerance.trials_within(q, got, exp).all():
        return ""  # right (rounding differs by trial): nothing added
    d = (got - exp).reshape(len(got), -1)
    delta = d.mean(axis=1)
    if tolerance.all_within(q, delta, np.broadcast_to(delta[:1], delta.shape)) or not tolerance.trials_within(
            q, got, exp + delta.reshape((-1,) + (1,) * (got.ndim - 1))).all():
        return ""
    names = _probe(q, ArgNames)
    namer = (names.names if names is not None else {})

    def nm(arg, idx):
        f = namer.get(arg)
        try:
            return f(idx) if f is not None else f"{arg}[{', '.join(map(str, idx))}]"
        except Exception:  # noqa: BLE001
            return f"{arg}[{', '.join(map(str, idx))}]"
    small = {k: v.reshape(len(v), -1) for k, v in trials.args.items()
             if v.dtype.kind == "f" and v.ndim >= 2 and int(np.prod(v.shape[1:])) <= 8}
    cands = []
    for k, v in small.items():
        shape = trials.args[k].shape[1:]
        for j in range(v.shape[1]):
            idx = tuple(int(i) for i in np.unravel_index(j, shape))
            cands.append((nm(k, idx), v[:, j]))
            for k2, v2 in small.items():
                if k2 != k and v2.shape == v.shape:
                    cands.append((f"({nm(k, idx)} − {nm(k2, idx)})", v[:, j] - v2[:, j]))
    named = [name for name, c in cands if tolerance.all_within(q, delta, c)]
    what = (f": the number is {' — or '.join(named[:2])} of that trial" if named else "")
    return (f"Every element of your answer is the right value plus one number that is the same for "
            f"all elements of a trial and changes from trial to trial{what}. A term added to every "
            f"element (where it belongs in a product, or not at all) does this.")


def _per_trial_factor(q, outputs, exp, c_t, live, tol) -> list[str]:
    """One factor per trial, varying between trials (not for an answer that is one number:
    any number is the right one times some factor, which teaches nothing)."""
    if exp[0].size <= 1:
        return []
    per = []
    for t in np.flatnonzero(live):
        scaled = c_t[t] * exp[t]
        if not _close(q, outputs[t], scaled):
            return []
        per.append(c_t[t])
    per = np.asarray(per)
    if len(per) >= 2 and np.ptp(per) > tol * max(1.0, float(np.abs(per).max())) \
            and np.abs(per - 1.0).max() > tol:
        return [f"In each trial your answer is the right one times a factor, but the factor changes "
                f"from trial to trial (from {text.number(per.min(), 3)} to {text.number(per.max(), 3)}): a factor that depends "
                f"on the inputs is missing or extra."]
    return []


def _element_map(q: Question, trials: Trials, outputs, groups: Mapping[str, np.ndarray]) -> list[str]:
    """Which elements are wrong in at least one trial, in the homework's notation."""
    shape = _same_shape(outputs)
    exp = np.asarray(trials.expected)
    if shape is None or tuple(shape) != exp.shape[1:]:
        return []
    got = _stacked(outputs)
    axes = tuple(range(1, exp.ndim))  # (each trial's own tolerance)
    w = tolerance.wrong(q, got, exp, axes)
    if w.any():  # right for rounded inputs is not wrong (as in compare), element by element
        for again in Rounded(trials, trials.reference).batches(outputs[0]):
            if again.shape == exp.shape:
                w &= tolerance.wrong(q, got, again, axes)
    if int(np.prod(shape)) == 1:  # one number: which trials, not which elements
        n = int(w.reshape(len(w), -1).any(axis=1).sum())
        return [f"Your answer is wrong in {n} of {len(w)} trials."] if 0 < n < len(w) else []
    wrong_any = w.any(axis=0)
    if wrong_any is None or not wrong_any.any():
        return []
    notes = _element_sets(q, wrong_any, groups)
    failing = np.flatnonzero(w.reshape(len(w), -1).any(axis=1))
    if notes and 2 * len(failing) < len(w):
        # drawn from a few trials only: say so rather than let it read as a general rule
        labels = list(dict.fromkeys(trials.labels[int(t)] for t in failing))
        notes = [f"Only {len(failing)} of {len(w)} trials fail ({'; '.join(labels[:3])}). In "
                 f"{'it' if len(failing) == 1 else 'them'}: {notes[0][0].lower()}{notes[0][1:]}"]
    return notes


def _element_sets(q: Question, wrong_any: np.ndarray, groups: Mapping[str, np.ndarray]) -> list[str]:
    """The element map's wording for a mask of wrong elements."""
    shape = wrong_any.shape
    total, n_wrong = wrong_any.size, int(wrong_any.sum())
    for gname, mask in groups.items():
        mask = np.asarray(mask, dtype=bool)
        if mask.shape == shape and np.array_equal(mask, wrong_any):
            return [f"The wrong elements are exactly {gname} (each wrong in at least one trial); "
                    f"every other element is right in every trial."]
    if n_wrong == total:
        return [f"All {total} elements are wrong in at least one trial."]
    # axes along which the pattern does not change: shown as "*"
    const = tuple(a for a in range(len(shape)) if shape[a] > 1 and
                  (wrong_any == np.take(wrong_any, [0], axis=a)).all())
    reduced = wrong_any[tuple(slice(0, 1) if a in const else slice(None) for a in range(len(shape)))]
    wrong_idx = [tuple(i) for i in np.argwhere(reduced)]
    right_idx = [tuple(i) for i in np.argwhere(~reduced)]
    star = " (* = any index)" if const else ""

    def listing(idxs):
        names = [_wild_name(q, i, const, shape) for i in idxs[:MAX_LISTED]]
        return ", ".join(names) + (f" and {len(idxs) - MAX_LISTED} more" if len(idxs) > MAX_LISTED else "")

    if len(wrong_idx) <= len(right_idx) or len(right_idx) > MAX_LISTED:
        return [f"{n_wrong} of {total} elements are wrong (in at least one trial): "
                f"{listing(wrong_idx)}{star}; the others are right in every trial."]
    return [f"{n_wrong} of {total} elements are wrong; only {listing(right_idx)}{star} "
            f"are right in every trial."]


def _probe(q: Question, kind):
    return next((p for p in getattr(q, "probes", ()) or () if isinstance(p, kind)), None)


def generic_notes(q: Question, trials: Trials, outputs: list[np.ndarray],
                  groups: Mapping[str, np.ndarray] | None = None) -> list[str]:
    """Findings that need no catalogue, strongest first (an empty list for a right answer).

    Order: precision (a rounding problem is never reported as logic), the answer's arrangement
    (axes, shape), a constant factor, then what the student computed (a factor on one slice, a
    misread input, the assignment's probes), then the trials it is wrong on, and last the
    element map.  Each family states only what holds on every trial it speaks of."""
    return _generic(q, trials, outputs, groups)[1]


# The families of generic findings that explain an answer exactly (the others describe it:
# where it is wrong, by how much); "input" names another cause than the computation's own
# steps (an input misread), so it stands beside a catalogued mistake as a second explanation.
EXACT = ("integer", "axis", "subsample", "scale", "slice", "factor", "input", "regrouped", "routing", "activation",
         "accumulated", "expression",
         "terms")


def exact_explanation(q: Question, trials: Trials, outputs: list[np.ndarray], groups=None,
                      families=EXACT) -> str:
    """The first generic finding when it comes from one of ``families`` (an explanation that
    reproduces the answer exactly, not a description of where it is wrong); "" otherwise."""
    family, notes = _generic(q, trials, outputs, groups)
    return notes[0] if family in families and notes else ""


def _generic(q: Question, trials: Trials, outputs: list[np.ndarray], groups=None) -> tuple[str, list[str]]:
    """generic_notes, and the family of its first note ("" for a description, not a cause)."""
    exp_shape = tuple(np.asarray(trials.expected).shape[1:])
    got_shape = _same_shape(outputs)
    if got_shape is None:
        return "", ["Your answer's shape changes from trial to trial ("
                       + ", ".join(sorted({text.shape(o.shape) for o in outputs})) + f"); it should always be "
                       f"{text.shape(exp_shape)}."]
    got = exp = None
    if tuple(got_shape) == exp_shape:
        got = np.stack([o.astype(np.float64) for o in outputs])
        exp = np.asarray(trials.expected, dtype=np.float64)
        if not np.isfinite(got).all():
            got = None
    if got is None and tuple(got_shape) == exp_shape:  # some trials NaN or inf: what the others show
        note = _normalised_finding(q, _stacked(outputs), np.asarray(trials.expected, dtype=np.float64))
        if note:
            return "axis", [note]
        note = _finite_part(q, trials, outputs)
        if note:
            return "", [note]
        stacked = _stacked(outputs)
        finite = np.isfinite(stacked).reshape(len(stacked), -1).all(axis=1)
        if finite.any():
            note = _invariant_sum_finding(q, stacked[finite], np.asarray(trials.expected, dtype=np.float64)[finite])
            if note:
                return "", [note]
        note = _finite_input(q, trials, outputs)
        if note:
            return "input", [note]
    if tuple(got_shape) == () and exp_shape:
        return "", [f"Your function returns one number where the answer has shape {text.shape(exp_shape)}: "
                    "a reduction over the whole array does this (np.argmax, np.max, np.sum or np.mean "
                    "without axis=)."]
    gone = [a for a in range(len(exp_shape)) if exp_shape[:a] + exp_shape[a + 1:] == tuple(got_shape)]
    if gone and len(exp_shape) >= 2:
        a = gone[0]
        axes = f"axis {a}" + (f" (or {', '.join(map(str, gone[1:]))}: of the same length)" if len(gone) > 1 else "")
        return "", [f"Your answer has shape {text.shape(got_shape)}: the answer's shape {text.shape(exp_shape)} "
                    f"without its {axes}. A reduction along that axis does this (np.max(x, {a}), np.sum(x, "
                    f"axis={a}), a mean) where the answer keeps it: np.max(x, 0) is a maximum along axis 0, "
                    f"not the element-wise np.maximum(x, 0)."]
    if q.exact and tuple(got_shape) == exp_shape:
        note = _fractional_for_whole(outputs)
        if note:
            return "", [note]
    if got is not None:
        note = _own_index(q, got, exp) or _same_every_trial(q, trials, got, exp)
        if note:
            return "", [note]
        note = integer_finding(q, outputs, exp) or partly_whole_finding(q, trials, outputs, exp)
        if note:
            return "integer", [note]
        note = precision_finding(q, trials, got, outputs)
        if note:
            return "", [note]
    notes = _axis_findings(q, trials, outputs, got_shape, exp_shape)
    if notes:
        if got is not None:  # a misread input giving the same numbers is said with it, not hidden
            other = input_finding(q, trials, got, exp, _probe(q, ArgNames)) \
                or contribution_finding(q, trials, got, exp, _probe(q, ArgNames)) or _terms(q, trials, got, exp) \
                or _expression(q, trials, got, exp)
            if other:
                notes = [notes[0].rstrip(".") + " \u2014 or, the same numbers: " + other[0].lower() + other[1:]] + notes[1:]
        return "axis", notes
    if tuple(got_shape) != exp_shape:
        note = _superset_finding(q, trials, outputs, got_shape, exp_shape)
        if note:
            return "subsample", [note]
        exact, notes = _subsample_findings(q, trials, outputs, got_shape, exp_shape)
        return ("subsample" if exact else ""), notes
    notes = _scale_findings(q, trials, outputs) or _offset_findings(q, trials, outputs, got, exp)
    if notes:
        return "scale", notes
    note = _normalised_finding(q, got, exp) if got is not None else ""
    if note:
        return "axis", [note]
    if got is not None and any(o.dtype == np.float16 for o in outputs):
        note = half_precision_finding(q, trials, got, outputs, exp)  # float16 returned: a fact
        notes = [note] if note else []
    if not notes and got is not None:
        note = argument_map_finding(q, trials, got, exp)  # (an argument as it is: the sums follow)
        if note:
            return "output", [note]
        note = _label_rows_finding(q, trials, got, exp) or _label_columns_finding(q, trials, got, exp) \
            or _invariant_sum_finding(q, got, exp)
        if note:
            return "", [note]
    if notes:
        return "", notes
    if got is None:
        return "map", _element_map(q, trials, outputs, groups or {})
    cond = condition_finding(q, trials, got, exp, _probe(q, Features))
    act = _probe(q, Activation)
    facts = range_finding(got, act) if act is not None else []  # said with whatever is found
    wild = lambda idx, axes, shape: _wild_name(q, idx, axes, shape)  # noqa: E731
    finders = (("label", lambda: label_finding(q, trials, got, exp, _probe(q, Scores))),
               ("slice", lambda: slice_factor_finding(q, trials, got, exp, wild)),
               ("factor", lambda: argument_factor_finding(q, trials, got, exp)
                or extra_argument_finding(q, trials, got, exp)),
               ("input", lambda: input_finding(q, trials, got, exp, _probe(q, ArgNames))
                or upsample_finding(q, trials, got, exp) or row_indexed_finding(q, trials, got, exp)
                or broadcast_finding(q, trials, got, exp, _probe(q, ArgNames))
                or entry_map_finding(q, trials, got, exp, _probe(q, ArgNames))
                or erased_finding(q, trials, got, exp, _probe(q, ArgNames))),
               ("output", lambda: output_map_finding(q, got, exp)),
               ("accumulated", lambda: accumulated_finding(q, trials, got, exp, _probe(q, Activation))),
               ("regrouped", lambda: regrouped_finding(q, trials, got, exp)),
               ("routing", lambda: routing_finding(q, trials, got, exp)),
               ("activation", lambda: _activation(q, trials, got, exp)),
               ("expression", lambda: _expression(q, trials, got, exp)),
               ("contributions", lambda: contribution_finding(q, trials, got, exp, _probe(q, ArgNames))),
               # (one part of the answer from a misread argument: after every rule for the whole answer)
               ("input", lambda: slice_input_finding(q, trials, got, exp, _probe(q, ArgNames), wild)),
               ("terms", lambda: _terms(q, trials, got, exp)),
               ("selection", lambda: selection_finding(q, trials, got, exp)))
    note = _uncomputed(q, got, exp, act)  # (before the misreadings: one could mimic σ(0) = 0.5 there)
    if note:
        return "", [note] + facts
    for at, (family, find) in enumerate(finders):
        if family == "terms":  # (entries never written, said as such before listing them one by one)
            note = _unwritten(q, got, exp)
            if note:
                return "", [note] + facts
        found = _tried(find)
        if isinstance(found, str):
            found = [found] if found else []
        if found:
            # another family's explanation of exactly these numbers is said with it, none
            # asserted over the other (the per-element terms excepted: they restate at length)
            for other_family, other_find in finders[at + 1:]:
                if other_family == "terms":
                    break
                other = _tried(other_find)
                other = other[0] if isinstance(other, list) and other else other if isinstance(other, str) else ""
                if other and other != found[0]:
                    found = [found[0].rstrip(".") + " \u2014 or, the same numbers: " + other[0].lower()
                             + other[1:]] + found[1:]
                    break
            return family, found + ([cond] if cond and q.exact else []) + facts
    note = _unwritten(q, got, exp)
    if note:
        return "", [note] + facts
    if cond:
        return "", [cond] + facts
    note = _sign_split_finding(q, trials, got, exp)
    if note:
        return "", [note] + facts
    if facts:
        return "", facts
    note = half_precision_finding(q, trials, got, outputs, exp)  # last: small error, no other fact
    if note:
        return "", [note]
    note = _per_trial_offset(q, trials, got, exp)
    if note:
        return "", [note]
    notes = _scale_findings(q, trials, outputs, per_trial=True)
    if notes:
        return "", notes
    return "map", _element_map(q, trials, outputs, groups or {})


def _tried(find):
    """One finder's result, or nothing where it raises: one family's failure on odd numbers
    must not silence the others (the diagnosis as a whole is guarded in :func:`_diagnose`)."""
    try:
        return find()
    except Exception:  # noqa: BLE001 - a finding is a bonus
        return ""


def _unwritten(q: Question, got: np.ndarray, exp: np.ndarray) -> str:
    """Right at some elements and exactly 0 at all the others, in every trial: entries never
    written (left at an array's initial zero); named as a stride when they form a lattice."""
    axes = tuple(range(1, exp.ndim))
    right = ~tolerance.wrong(q, got, exp, axes).any(axis=0)
    zero = (got == 0).all(axis=0)
    if not (right | zero).all() or right.all() or not right.any():
        return ""
    shape = right.shape
    nd = len(shape)
    long = [a for a in range(nd) if shape[a] > 1]
    for r in range(1, len(long) + 1):
        for ax in itertools.combinations(long, r):
            for step in (2, 3):
                grid = np.ones(shape, dtype=bool)
                for a in ax:
                    keep = (np.arange(shape[a]) % step == 0).reshape([-1 if b == a else 1 for b in range(nd)])
                    grid = grid & keep
                if np.array_equal(grid, right):
                    return (f"Your answer is right at every {step}{'nd' if step == 2 else 'rd'} index along axis "
                            f"{', '.join(map(str, ax))} (from the first) and exactly 0 everywhere else, in every "
                            f"trial: a loop that steps by {step} (range(0, n, {step})) and never writes the "
                            f"entries in between, which keep the array's initial zero.")
    idx = [tuple(int(i) for i in j) for j in np.argwhere(~right)]
    listed = ", ".join(_name(q, i) for i in idx[:MAX_LISTED]) + (f" and {len(idx) - MAX_LISTED} more" if len(idx) > MAX_LISTED else "")
    said = (f"Your answer is right wherever it is not 0, and exactly 0 at {listed} in every trial: "
            f"those entries are never written (they keep the array's initial zero): a loop that skips them")
    for r in range(len(long), 0, -1):  # only the last position along some axes written
        for ax in itertools.combinations(long, r):
            last = np.ones(shape, dtype=bool)
            for a in ax:
                last &= (np.arange(shape[a]) == shape[a] - 1).reshape([-1 if b == a else 1 for b in range(nd)])
            if np.array_equal(last, right):
                return (said + f", or writes that all land on the last position along "
                        f"{'axis' if len(ax) == 1 else 'axes'} {' and '.join(map(str, ax))}: an index made of variables that do not move with the loop "
                        f"(an inner loop's variables, which keep their last value after it ends, written where "
                        f"the outer loop's belong, or a constant), so every pass writes that one element and the "
                        f"last pass's value, the right one for it, stays.")
    return said + "."


def _uncomputed(q: Question, got: np.ndarray, exp: np.ndarray, act) -> str:
    """Right at some elements and exactly the activation of 0 at all the others (σ(0) = 0.5), in
    every trial: the weighted sums there never computed, left at 0 before the activation."""
    if act is None or act.function is None:
        return ""
    try:
        c = float(np.asarray(act.function(np.zeros(1)), dtype=np.float64)[0])
    except Exception:  # noqa: BLE001 - a probe that cannot run says nothing
        return ""
    if c == 0 or not np.isfinite(c):
        return ""  # (0: _unwritten's story)
    axes = tuple(range(1, exp.ndim))
    right = ~tolerance.wrong(q, got, exp, axes).any(axis=0)
    const = (np.abs(got - c) <= 1e-12).all(axis=0)
    if not (right | const).all() or right.all() or not right.any():
        return ""
    idx = [tuple(int(i) for i in j) for j in np.argwhere(~right)]
    listed = ", ".join(_name(q, i) for i in idx[:MAX_LISTED]) + (f" and {len(idx) - MAX_LISTED} more" if len(idx) > MAX_LISTED else "")
    return (f"Your answer is right everywhere but at {listed}, which are exactly {text.number(c)} in every trial: "
            f"{act.name} of 0 ({act.inputs}: never computed there, left at an initial 0 before "
            f"{act.name}): a loop that skips them, or a range that stops short.")


def _finite_part(q: Question, trials: Trials, outputs) -> str:
    """Some trials NaN or infinite: what a constant factor says of the finite ones, and which
    trials are not finite (an overflow: exp of a large number)."""
    part = _finite_part_trials(trials, outputs)
    if part is None:
        return ""
    sub, outs, bad = part
    notes = _scale_findings(q, sub, outs)
    if not notes:  # (a factor of each line's own: a log-sum-exp without its max, overflowing elsewhere)
        g = _stacked(outs)
        note = argument_factor_finding(q, sub, g.astype(np.float64), np.asarray(sub.expected, dtype=np.float64)) \
            if g is not None else ""
        notes = [note] if note else []
    if not notes:
        return ""
    return (f"{notes[0].rstrip('.')} (on the {len(outs)} trials where your answer is finite); on "
            f"{len(bad)} other{'s' if len(bad) > 1 else ''} ({'; '.join(dict.fromkeys(bad))}) it is NaN or "
            f"infinite.")


def _finite_part_trials(trials: Trials, outputs) -> tuple[Trials, list, list[str]] | None:
    """The trials where the answer is finite (more than half of them), those answers, and the
    labels of the others; None when half or more are NaN or infinite."""
    got = _stacked(outputs)
    fin = np.isfinite(got).reshape(len(got), -1).all(axis=1)
    if fin.all() or 2 * fin.sum() <= len(got):
        return None
    idx = np.flatnonzero(fin)
    sub = trials.rows(idx)
    return sub, [outputs[int(t)] for t in idx], [trials.labels[int(t)] for t in np.flatnonzero(~fin)]


def _finite_input(q: Question, trials: Trials, outputs) -> str:
    """Some trials NaN or infinite: a misread input that reproduces every finite one (a shift
    taken along the wrong axis overflows exactly where the inputs are large)."""
    part = _finite_part_trials(trials, outputs)
    if part is None:
        return ""
    sub, outs, bad = part
    got = np.stack([o.astype(np.float64) for o in outs])
    note = input_finding(q, sub, got, np.asarray(sub.expected, dtype=np.float64), _probe(q, ArgNames))
    if not note:
        return ""
    return (f"{note} (This holds on the {len(outs)} trials where your answer is finite; on {len(bad)} "
            f"other{'s' if len(bad) > 1 else ''} ({'; '.join(dict.fromkeys(bad))}) it is NaN or infinite.)")


def _fractional_for_whole(outputs) -> str:
    """Fractional numbers where the answer is whole numbers (labels, sizes, indices)."""
    vals = np.concatenate([np.asarray(o, dtype=np.float64).ravel() for o in outputs])
    frac = np.isfinite(vals) & (vals != np.round(vals))
    if not frac.any():
        return ""
    example = text.number(float(vals[np.flatnonzero(frac)[0]]))
    return (f"You return fractional numbers (such as {example}) where the answer is whole numbers (labels, "
            f"sizes or indices): your function returns a value computed along the way (a probability, a "
            f"maximum, a ratio) instead of the index or count asked for.")


def _own_index(q: Question, got: np.ndarray, exp: np.ndarray) -> str:
    """Each element is its own index along one axis (0, 1, 2, …), in every trial: positions
    returned where values belong (the rows of np.where(mask), whose [1] holds the columns)."""
    if got.ndim < 2 or got.size == 0:
        return ""
    for a in range(got.ndim - 1):
        if got.shape[a + 1] < 2:
            continue
        idx = np.broadcast_to(np.arange(got.shape[a + 1]).reshape([-1 if b == a else 1 for b in range(got.ndim - 1)]),
                              got.shape[1:])
        if np.array_equal(got, np.broadcast_to(idx, got.shape)) and not np.array_equal(exp, np.broadcast_to(idx, exp.shape)):
            return (f"Your answer is each element's own index along axis {a} (0, 1, 2, …), in every trial, "
                    f"whatever the inputs: positions returned where values belong. np.where(mask) gives a tuple, "
                    f"the rows first and the columns in [1]; np.arange or a loop counter returned in place of what "
                    f"it counts do this too.")
    return ""


def _same_every_trial(q: Question, trials: Trials, got: np.ndarray, exp: np.ndarray) -> str:
    """The same numbers returned in every trial, whatever the inputs, where the right answers
    differ (and are not all zero: a zero answer has its own findings)."""
    if len(got) < 3 or not np.any(got):
        return ""
    if not tolerance.trials_within(q, got, np.broadcast_to(got[:1], got.shape)).all():
        return ""
    if tolerance.trials_within(q, exp, np.broadcast_to(exp[:1], exp.shape)).all():
        return ""  # the right answers are the same too
    right = np.flatnonzero(tolerance.trials_within(q, got, exp))
    where = (f"; it is the right answer of {_trial_words(trials, right)} only" if len(right) else "")
    return (f"You return the same numbers in all {len(got)} trials, whatever the inputs{where}: your "
            f"function does not compute from its arguments. A result kept from an earlier call (a cache, "
            f"a module-level variable) or numbers computed from module-level data do this.")


def _trial_words(trials: Trials, idx) -> str:
    labels = [trials.labels[int(t)] for t in idx]
    return (f"trial {int(idx[0]) + 1} ({labels[0]})" if len(idx) == 1
            else f"{len(idx)} trials ({'; '.join(dict.fromkeys(labels))})")


def _normalised_finding(q: Question, got: np.ndarray, exp: np.ndarray) -> str:
    """Numbers normalised along the wrong axis: the right answer sums to 1 along one axis (a
    softmax's rows, a distribution), the student's sums to 1 along another and not along that one
    -- the denominator (a softmax's sum, a mean's count) runs over the wrong axis."""
    if q.exact or got.ndim < 3 or got.shape != exp.shape:
        return ""
    finite = np.isfinite(got).reshape(len(got), -1).all(axis=1) & np.isfinite(exp).reshape(len(exp), -1).all(axis=1)
    if 2 * finite.sum() <= len(got):
        return ""
    got, exp = got[finite], exp[finite]
    shape = got.shape[1:]

    def ones(arr, a):
        sums = arr.sum(axis=a + 1)
        return tolerance.all_within(q, sums, np.ones_like(sums))

    axes = [a for a in range(len(shape)) if shape[a] > 1]
    right = [a for a in axes if ones(exp, a)]
    mine = [a for a in axes if ones(got, a)]
    if not right or not mine or set(mine) & set(right):
        return ""
    a, b = right[0], mine[0]
    along_mine = _wild_name(q, tuple([0] * len(shape)), (b,), shape)
    along_right = _wild_name(q, tuple([0] * len(shape)), (a,), shape)
    return (f"Your numbers sum to 1 along axis {b} (e.g. over {along_mine}, * = every index) where the "
            f"right answer's sum to 1 along axis {a} (over {along_right}): you normalise over the wrong "
            f"axis (the sum in the denominator is taken along axis {b} instead of along axis {a}"
            + (f"; this holds on the {int(finite.sum())} trials where your answer is finite)." if not finite.all() else ")."))


def _activation(q, trials, got, exp) -> list[str]:
    act = _probe(q, Activation)
    return activation_finding(q, trials, got, exp, act) if act is not None else []


def _expression(q, trials, got, exp) -> str:
    ex = _probe(q, Expression)
    return expression_finding(q, trials, got, exp, ex) if ex is not None else ""


def _terms(q, trials, got, exp) -> str:
    tm = _probe(q, Terms)
    return terms_finding(q, trials, got, exp, tm) if tm is not None else ""


# ----------------------------------------------------------------------------- entry point

def diagnose(q: Question, trials: Trials, outputs: list[np.ndarray],
             groups: Mapping[str, np.ndarray] | None = None) -> Diagnosis:
    """Explain a failed question's answers.  ``groups`` (or ``q.groups`` if the question has
    such an attribute) maps a description to a boolean mask over one trial's answer; a wrong
    set equal to a mask is named by its description."""
    if len(outputs) != len(trials) or not outputs:
        return Diagnosis()
    if any(type(o) is not np.ndarray or o.dtype.kind not in "biuf" for o in outputs):
        return Diagnosis()
    if _passes(q, trials, outputs):
        return Diagnosis()
    if groups is None:
        groups = getattr(q, "groups", None) or {}
    try:
        return _diagnose(q, trials, outputs, groups)
    finally:
        _LOCAL.stack = None


def _passes(q: Question, trials: Trials, outputs: list[np.ndarray]) -> bool:
    """compare()'s verdict, with a batched shortcut for the common float64 answer."""
    shape = _same_shape(outputs)
    exp = np.asarray(trials.expected)
    if not q.exact and shape is not None and tuple(shape) == exp.shape[1:] \
            and close_trials(q, _stacked(outputs), exp).all():
        return True
    return compare(q, trials, outputs).passed  # (float32 work, whatever its container, as compare decides)


def _diagnose(q: Question, trials: Trials, outputs: list[np.ndarray], groups) -> Diagnosis:
    try:
        found = matching_mistakes(q, trials, outputs)
    except Exception:  # noqa: BLE001 - a diagnosis is a bonus; never let it break grading
        found = []
    if found:
        names = [m.name[0].lower() + m.name[1:] for m in found]
        every = "every trial" if len(trials) > 1 else "the trial"
        try:  # another explanation that gives exactly these numbers is said with it, not hidden
            other = exact_explanation(q, trials, outputs, groups, families=("input", "subsample"))
        except Exception:  # noqa: BLE001
            other = ""
        if len(found) == 1 and not other:
            first = found[0].explanation.split(". ")[0].rstrip(".")
            msg = f"Looks like a known mistake: {names[0]} (it reproduces your answer on {every}). {first}."
        else:  # more than one explanation gives exactly these numbers: each is said, none asserted
            alts = [f"{n} ({m.explanation.split('. ')[0].rstrip('.')})" for n, m in zip(names, found)]
            msg = (f"Your numbers are exactly what a known mistake gives (on {every}): "
                   + " \u2014 or ".join(alts))
            msg += f" \u2014 or: {other[0].lower()}{other[1:]}" if other else "."
        return Diagnosis(misconceptions=[m.id for m in found], message=msg,
                         hints=[{"id": m.id, "name": m.name, "explanation": m.explanation,
                                 "hint": m.hint} for m in found])
    try:
        family, notes = _generic(q, trials, outputs, groups)
    except Exception:  # noqa: BLE001 - a diagnosis is a bonus; never let it break grading
        family, notes = "", []
    if family not in ("integer", "axis", "scale", "slice"):  # (those say the whole answer's story)
        try:
            part = slice_mistake(q, trials, outputs)
        except Exception:  # noqa: BLE001 - a diagnosis is a bonus; never let it break grading
            part = None
        if part is not None:
            mistake, note = part
            if family in ("terms", "contributions") and notes:
                # each element's own terms say exactly what is there; a catalogued mistake made
                # in one part only is the same numbers' other reading, said after them
                note = notes[0].rstrip(".") + " \u2014 or, the same numbers: " + note[0].lower() + note[1:]
            return Diagnosis(message=note, notes=[note],
                             hints=[{"id": mistake.id, "name": mistake.name, "explanation": mistake.explanation,
                                     "hint": mistake.hint}])
    return Diagnosis(message=notes[0] if notes else "", notes=notes, mapped=family == "map")


def slice_mistake(q: Question, trials: Trials, outputs: list[np.ndarray]):
    """One output's part wrong: along an axis of 2 to 8 entries (o_1, o_2; a channel) some
    slices are right on every trial and the others are exactly what a catalogued mistake gives
    there.  (mistake, note) or None."""
    shape = _same_shape(outputs)
    exp = np.asarray(trials.expected, dtype=np.float64)
    if shape is None or tuple(shape) != exp.shape[1:] or not q.mistakes or exp.ndim < 2:
        return None
    got = _stacked(outputs)
    axes = tuple(range(1, got.ndim))
    bad = tolerance.wrong(q, got, exp, axes)
    fulls = []
    for ax in range(len(shape)):
        n = shape[ax]
        if not 2 <= n <= 8:
            continue
        per = np.moveaxis(bad, ax + 1, 0).reshape(n, -1).any(axis=1)
        if per.all() or not per.any():
            continue
        if not fulls:
            for mistake in q.mistakes:
                for compute in (mistake.compute, *getattr(mistake, "variants", ())):
                    try:
                        full = np.asarray(compute(trials.args), dtype=np.float64)
                    except Exception:  # noqa: BLE001 - a broken catalogue entry must not break grading
                        continue
                    if full.shape == got.shape and np.isfinite(full).all():
                        fulls.append((mistake, full))
        pick = np.zeros(n, bool)
        pick[per] = True
        mask = pick.reshape([1] * (ax + 1) + [n] + [1] * (len(shape) - ax - 1))
        for mistake, full in fulls:
            if tolerance.wrong(q, full, exp, axes)[np.broadcast_to(mask, got.shape)].sum() == 0:
                continue  # the mistake changes nothing there
            cand = np.where(mask, full, exp)
            if not close_trials(q, got, cand).all():
                continue
            wild = tuple(a for a in range(len(shape)) if a != ax)
            part = lambda i: _wild_name(q, tuple(i if a == ax else 0 for a in range(len(shape))), wild, shape)  # noqa: E731
            wrong_part = ", ".join(part(i) for i in np.flatnonzero(per))
            right_part = ", ".join(part(i) for i in np.flatnonzero(~per))
            name = mistake.name[0].lower() + mistake.name[1:]
            first = mistake.explanation.split(". ")[0].rstrip(".")
            every = "every trial" if len(trials) > 1 else "the trial"
            return mistake, (f"One part of your answer is wrong: {right_part} is right on {every}, but "
                             f"{wrong_part} is exactly what a known mistake gives there: {name} ({first}), "
                             f"made for {wrong_part} only.")
    return None


# ----------------------------------------------------------------------------- across shape groups

def _group_ratio(q: Question, trials: Trials, outputs) -> float | None:
    """The one number c with answer == c x right on every trial of one shape group, or None."""
    shape = _same_shape(outputs)
    exp = np.asarray(trials.expected, dtype=np.float64)
    if shape is None or tuple(shape) != exp.shape[1:] or q.exact:
        return None
    got = _stacked(outputs).astype(np.float64)
    if not np.isfinite(got).all():
        return None
    norm = float((exp ** 2).sum())
    if norm == 0:
        return None
    c = float((got * exp).sum()) / norm
    return c if bool(tolerance.trials_within(q, got, c * exp).all()) else None


def _sizes(trials: Trials) -> dict[str, int]:
    """Each argument's axis length (one trial's axes), named as the student reads it."""
    out: dict[str, int] = {}
    for name, arr in trials.args.items():
        for ax, n in enumerate(np.shape(arr)[1:]):
            out[f"len({name})" if ax == 0 else f"{name}.shape[{ax}]"] = int(n)
    return out


def _size_ratio(sizes: list[dict], r: np.ndarray, tol: float) -> dict:
    """The factors r (one per shape group) as a ratio a/b of two of the arguments' sizes, the
    same two in every group: {("a/b", 0): (names of a, names of b)} (names of equal sizes
    together), or {}."""
    by_value: dict[tuple, list[str]] = {}
    for name in sizes[0]:
        if all(name in g for g in sizes):
            by_value.setdefault(tuple(float(g[name]) for g in sizes), []).append(name)
    for (va, a), (vb, b) in itertools.permutations(by_value.items(), 2):
        sa, sb = np.asarray(va), np.asarray(vb)
        if len(set(sa / sb)) > 1 and np.all(np.abs(r * sb / sa - 1) <= tol):
            return {("a/b", 0): (a, b)}
    return {}


def size_factor_finding(q: Question, parts: Sequence[tuple[Trials, list]]) -> str:
    """Across a question's shape groups, the answer is c_g x the right one in each group g, c_g
    differing between groups and equal to size/c or c/size for one size of the arguments (the
    same in every group) and a small whole number c: a size hard-coded where the argument's
    belongs (``/ 4`` for ``/ N``), or a division by a size missing or extra.  Every group must
    show its factor exactly (the ones that pass count, with c_g = 1)."""
    if len(parts) < 2:
        return ""
    ratios, sizes = [], []
    for trials, outputs in parts:
        c = _group_ratio(q, trials, outputs)
        if c is None or c == 0:
            return ""
        ratios.append(c)
        sizes.append(_sizes(trials))
    r = np.asarray(ratios)
    tol = tolerance.relative(q, tolerance.FACTOR)
    if np.all(np.abs(r / r[0] - 1) <= tol):
        return ""  # one constant factor: said by the group's own findings
    found: dict[tuple[str, int], list[str]] = {}
    for name in sizes[0]:
        if any(name not in s for s in sizes):
            continue
        s = np.asarray([float(g[name]) for g in sizes])
        if len(set(s)) < 2:
            continue
        for form, cs in (("s/c", s / r), ("c/s", r * s)):
            c = float(np.round(cs[0]))
            if 1 <= c <= 64 and np.all(np.abs(cs - c) <= tol * c):
                found.setdefault((form, int(c)), []).append(name)
    if not found:
        found.update(_size_ratio(sizes, r, tol))
    if not found:
        return ""
    said = []
    for (form, c), names in found.items():
        if form == "a/b":
            a, b = names
            values = "; ".join(f"{g[a[0]]}/{g[b[0]]}" for g in sizes)
            a, b = " = ".join(a), " = ".join(b)
            said.append((f"{a} / {b} ({values} in these sets)",
                         f"a division by {b} where {a} belongs: a mean or a normalisation over the "
                         f"axis of length {b} (or by that size) instead of the one of length {a}"))
            continue
        same = f" = {' = '.join(names[1:])}" if len(names) > 1 else ""
        values = ", ".join(str(g[names[0]]) for g in sizes)
        name = f"{names[0]} ({names[0]}{same}: {values} in these sets)"
        if c == 1 and form == "s/c":
            cause = f"a factor {name} extra: a division by it missing, or a multiplication by it too many"
        elif c == 1:
            cause = (f"a division by {name} too many: a mean (over an axis of that length) where a sum "
                     f"belongs, or that division taken twice")
        else:
            cause = (f"the number {c} used where the size {name} belongs: a size hard-coded as {c}, or "
                     f"taken from an example or a module-level value, instead of read from the arguments")
        expr = f"{names[0]}/{c}" if form == "s/c" else f"{c}/{names[0]}"
        said.append((expr, cause))
    mult = ", ".join(text.constant(float(x)) for x in r)
    head = (f"In each set of input shapes your answer is another multiple of the right one ({mult} times, "
            f"in the {len(r)} sets), and that multiple is always {said[0][0]}: {said[0][1]}")
    for expr, cause in said[1:]:
        head += f" \u2014 or, the same numbers, {expr}: {cause}"
    return head + "."
