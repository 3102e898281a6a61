"""Compare a student's returned arrays with the reference, trusting nothing they returned.

Everything arriving here is already a plain ``np.ndarray`` decoded by :mod:`wire`; we still
re-check type, dtype kind and shape, then compare by the rule of :mod:`grader.judge.tolerance`
(``|got - expected| <= atol + rtol * |expected|``, atol scaled by the size of the answer; NaN
and inf never pass).

Float32 work: ``expected`` is the reference's answer for the inputs as given *or* for the same
inputs, all or some of them, rounded to float32.  Near saturation, ``1 - o`` of a float32 ``o`` is all rounding and no
float32 code can match the float64 answer, yet it is exactly right for its rounded inputs.  The
rule never looks at the returned dtype: a float32 computation returned as a list, a float64
array or a float32 array gets the same verdict (deciding by the container made correct float32
code lose points on some seeds only).  Rounding inputs to float32 moves a well-conditioned
answer by ~1e-7 relative, far inside the tolerance, so real mistakes still fail.
"""
from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import numpy as np

from .. import text
from ..assignment import Question, Trials
from ..results import Failure
from . import tolerance


@dataclass
class Verdict:
    passed: bool
    message: str
    failure: Failure | None = None


ROUNDED = np.float32  # the low precision whose work passes: inputs rounded to it


def tolerance_text(q: Question) -> str:
    if q.exact:
        return "exact (integers)"
    return f"rtol {text.number(q.rtol)}, atol {text.number(q.atol_scale)} x largest |expected|; float32-rounded inputs accepted"


def rounded_args(trials: Trials, t: int, dtype=ROUNDED) -> dict[str, np.ndarray]:
    """Trial ``t``'s arguments (a batch of one) with every float array rounded to ``dtype``."""
    return {k: v[t:t + 1].astype(dtype).astype(np.float64) if v.dtype.kind == "f" else v[t:t + 1]
            for k, v in trials.args.items()}


MAX_SUBSET_ARGS = 4  # up to this many float arguments, every subset of them may be the rounded one


class Rounded:
    """What a batched function (the reference, or a catalogued mistake) answers when the trials'
    float inputs are rounded: all of them, then each smaller non-empty subset (code that casts
    only some inputs is float32 work too: with ``o`` cast and ``target`` not, ``o - target`` is
    1e-8 where the right answer is exactly 0), to float32 and to an answer's own narrower dtype.
    Each variant is computed once, for every trial at once, and only when first needed."""

    def __init__(self, trials: Trials, fn: Callable[[dict[str, np.ndarray]], np.ndarray] | None,
                 subsets: bool = True, transform: Callable[[np.ndarray], np.ndarray] | None = None):
        self.trials, self.fn, self.transform = trials, fn, transform
        floats = [k for k, v in trials.args.items() if v.dtype.kind == "f"]
        self.subsets = [tuple(floats)] if floats else []
        if subsets and 1 < len(floats) <= MAX_SUBSET_ARGS:
            self.subsets += [c for r in range(len(floats) - 1, 0, -1) for c in itertools.combinations(floats, r)]
        # The reference's variants serve every candidate the diagnosis derives from it: shared
        self._base = _shared(trials, fn) if fn is not None and fn is trials.reference else {}
        self._done: dict[tuple, np.ndarray | None] = {}

    def _answers(self, dtype, subset: tuple[str, ...]) -> np.ndarray | None:
        key = (np.dtype(dtype).str, subset)
        if key not in self._base:
            args = {k: v.astype(dtype).astype(np.float64) if k in subset else v for k, v in self.trials.args.items()}
            try:
                self._base[key] = _batch(np.asarray(self.fn(args)), len(self.trials))
            except Exception:  # noqa: BLE001 - a function that cannot recompute: no variant
                self._base[key] = None
        if self.transform is None:
            return self._base[key]
        if key not in self._done:
            try:
                base = self._base[key]
                self._done[key] = None if base is None else _batch(np.asarray(self.transform(base)), len(self.trials))
            except Exception:  # noqa: BLE001
                self._done[key] = None
        return self._done[key]

    def batches(self, got) -> Iterator[np.ndarray]:
        """Every trial's answer (stacked) for each rounding of the inputs, most likely first."""
        if self.fn is None:
            return
        for dtype in low_precisions(got):
            for subset in self.subsets:
                a = self._answers(dtype, subset)
                if a is not None:
                    yield a

    def answers(self, t: int, got) -> Iterator[np.ndarray]:
        """Trial ``t``'s answer for each rounding of its inputs, most likely first."""
        for a in self.batches(got):
            yield a[t]


def _batch(out: np.ndarray, n: int) -> np.ndarray | None:
    return out if out.shape[:1] == (n,) and out.dtype.kind in "biuf" else None


_SHARED_MAX = 16  # questions whose reference variants are kept (one per worker at a time)
_shared_lock = threading.Lock()
_shared_cache: OrderedDict[tuple[int, int], tuple[Trials, Callable, dict]] = OrderedDict()


def _shared(trials: Trials, fn: Callable) -> dict:
    """The variant cache of (trials, fn); the entry holds both, so their ids cannot be reused."""
    key = (id(trials), id(fn))
    with _shared_lock:
        hit = _shared_cache.get(key)
        if hit is not None and hit[0] is trials and hit[1] is fn:
            _shared_cache.move_to_end(key)
            return hit[2]
        cache: dict = {}
        _shared_cache[key] = (trials, fn, cache)
        while len(_shared_cache) > _SHARED_MAX:
            _shared_cache.popitem(last=False)
        return cache


def low_precisions(got) -> list:
    """The roundings an answer is also checked against: float32 always (whatever the container),
    and the answer's own dtype when it is narrower still (float16)."""
    out = [ROUNDED]
    if type(got) is np.ndarray and got.dtype.kind == "f" and got.dtype.itemsize < np.dtype(ROUNDED).itemsize:
        out.append(got.dtype)
    return out


def _plain(a) -> object:
    """JSON-ready nested lists; NaN/inf become strings so results.json stays valid JSON."""
    arr = np.asarray(a)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        return np.where(np.isfinite(arr), arr.astype(object), arr.astype(str).astype(object)).tolist()
    return arr.tolist()


def compare(q: Question, trials: Trials, outputs: list[np.ndarray], stacked: np.ndarray | None = None,
            offset: int = 0, total: int | None = None) -> Verdict:
    """Check every trial; describe the first one that fails.  ``stacked``, if given, is the
    outputs as one array (as the sandbox receives them): it spares stacking them again.
    ``offset`` and ``total``: where these trials stand among all of the question's (one shape
    group of several, see :func:`compare_groups`), for the failure's number."""
    n = len(trials)
    if len(outputs) != n:
        return Verdict(False, f"returned {len(outputs)} answers for {n} calls")
    first = _first_suspect(q, trials.expected, outputs, stacked)
    if first is None:
        return Verdict(True, f"{_all_trials(n)} correct ({tolerance_text(q)})")
    rounded = Rounded(trials, trials.reference) if not q.exact else None
    for t in range(first, n):
        problem, fail = _trial_problem(q, trials, rounded, t, outputs[t])
        if problem:
            fail.trial, fail.label = offset + t, trials.labels[t]
            fail.inputs = {k: _plain(v[t]) for k, v in list(trials.args.items())[
                :(trials.nargs[t] if trials.nargs is not None else None)]}
            where = f"trial {offset + t + 1} of {total or n} ({trials.labels[t]})"
            return Verdict(False, f"{problem} on {where}", fail)
    return Verdict(True, f"{_all_trials(n)} correct ({tolerance_text(q)})")


def split(groups: Sequence[Trials], outputs: list, stacked: np.ndarray | None = None
          ) -> Iterator[tuple[Trials, list, np.ndarray | None, int]]:
    """Each shape group's (trials, answers, answers stacked or None, index of its first trial
    among all): the sandbox answers a question's groups one after the other, in one list."""
    at = 0
    for g in groups:
        n = len(g)
        yield g, outputs[at:at + n], (stacked[at:at + n] if stacked is not None else None), at
        at += n


def compare_groups(q: Question, groups: Sequence[Trials], outputs: list[np.ndarray],
                   stacked: np.ndarray | None = None) -> tuple[Verdict, int | None]:
    """:func:`compare` over a question's shape groups (grader.assignment.trial_groups) as one
    question: it passes only if every trial of every group passes, and the failure described
    is the first failing group's first failing trial, numbered among all the trials.  Also
    gives that group's index (None when every trial passes).  One group is :func:`compare`."""
    if len(groups) == 1:
        verdict = compare(q, groups[0], outputs, stacked)
        return verdict, None if verdict.passed else 0
    total = sum(len(g) for g in groups)
    if len(outputs) != total:
        return Verdict(False, f"returned {len(outputs)} answers for {total} calls"), 0
    for i, (g, outs, st, first) in enumerate(split(groups, outputs, stacked)):
        verdict = compare(q, g, outs, st, offset=first, total=total)
        if not verdict.passed:
            return verdict, i
    return Verdict(True, f"{_all_trials(total)} correct, in {len(groups)} sets of input shapes "
                         f"({tolerance_text(q)})"), None


def passed_trials(q: Question, trials: Trials, outputs: list, start: int = 0) -> int:
    """How many of the trials from ``start`` on pass, each by :func:`compare`'s own rule (partial
    credit); the reference's answers to rounded inputs come from the cache compare filled."""
    rounded = Rounded(trials, trials.reference) if not q.exact else None
    return sum(not _trial_problem(q, trials, rounded, t, outputs[t])[0] for t in range(start, len(trials)))


def _trial_problem(q: Question, trials: Trials, rounded: "Rounded | None", t: int, got) -> tuple[str, Failure]:
    """What is wrong with trial ``t``'s answer ("" if it passes, float32-rounded inputs included)."""
    problem, fail = _check_one(q, got, np.asarray(trials.expected[t]))
    if problem and _right_when_rounded(q, rounded, t, got):
        problem = ""
    return problem, fail


def _right_when_rounded(q: Question, rounded: Rounded | None, t: int, got) -> bool:
    """True if ``got`` is right, by the same tolerance rule, for trial ``t``'s inputs rounded."""
    if rounded is None or type(got) is not np.ndarray or got.dtype.kind not in "biuf":
        return False
    return any(again.shape == got.shape and not _check_one(q, got, again)[0] for again in rounded.answers(t, got))


def _first_suspect(q: Question, expected: np.ndarray, outputs: list, stacked: np.ndarray | None = None) -> int | None:
    """All trials at once: None if every one passes, else the first trial to look at closely."""
    if type(stacked) is np.ndarray and stacked.shape == expected.shape and stacked.dtype.kind in "biuf":
        got = stacked.astype(np.float64)
    elif all(type(o) is np.ndarray and o.shape == expected.shape[1:] and o.dtype.kind in "biuf" for o in outputs):
        got = np.stack(outputs).astype(np.float64)
    else:
        return 0
    bad = ~tolerance.trials_within(q, got, expected)
    return int(np.argmax(bad)) if bad.any() else None


def _check_one(q: Question, got, exp: np.ndarray) -> tuple[str, Failure]:
    fail = Failure(trial=0, label="", inputs={}, expected=_plain(exp), elements=int(exp.size))
    if type(got) is not np.ndarray or got.dtype.kind not in "biuf":
        return "returned something that is not an array of numbers", fail
    fail.got = _plain(got)
    if got.shape != exp.shape:
        if got.size == exp.size:
            return (f"returned shape {text.shape(got.shape)} but the answer has shape "
                    f"{text.shape(exp.shape)} (same number of elements: reshaped or transposed?)"), fail
        return f"returned shape {text.shape(got.shape)} but the answer has shape {text.shape(exp.shape)}", fail
    g = got.astype(np.float64)
    wrong = tolerance.wrong(q, g, exp)
    if not wrong.any():
        return "", fail
    finite = np.isfinite(g)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(finite, np.abs(g - exp), np.inf)
    idx = np.unravel_index(int(np.argmax(np.where(wrong, diff, -1.0))), exp.shape) if exp.ndim else ()
    fail.worst_index = [int(i) for i in idx]
    fail.worst = q.element(tuple(fail.worst_index)) if exp.ndim else "the value"
    fail.expected_value, fail.got_value = float(exp[idx]), float(g[idx])
    fail.wrong, fail.wrong_mask = int(wrong.sum()), wrong.tolist()
    if not finite[idx]:
        fail.got_value = None
        return f"{fail.worst} is {g[idx]} (NaN or infinity never passes)", fail
    show = (lambda v: str(bool(v))) if exp.dtype.kind == "b" else text.number  # (True/False, not 1/0)
    problem = (f"{fail.worst if exp.ndim else 'Your answer'} is {show(g[idx])} but should be {show(exp[idx])}"
               + (f" ({fail.wrong} of {exp.size} elements wrong)" if exp.size > 1 else ""))
    return problem, fail



def _all_trials(n: int) -> str:
    return "the 1 trial" if n == 1 else f"all {n} trials"
