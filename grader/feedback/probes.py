"""Probes: find *what the student computed* when no catalogued mistake explains a wrong answer.

Every probe proposes candidate answers (batched over trials), keeps one only if it reproduces
the student's answer on **every** trial (the comparison's own tolerance) and differs from the
right answer, and then says in words what the student's answer is -- never what the right
formula is.  The probe kinds are generic; an assignment supplies the data (``Question.probes``):

* :class:`Activation` -- the answer is an activation of known pre-activations: which function
  (tanh, identity, ReLU, a clipped sigmoid, ...) did the student apply, and range facts.
* :class:`Expression` -- the answer is a product of factors, each slot with a right option and
  plausible wrong ones, times a constant per branch (e.g. per output): which options, which
  constants reproduce the answer; the student's own expression is rendered.
* :class:`Terms` -- each element is a linear combination of named terms (e.g. the errors of the
  windows that cover it): the coefficients are fitted per element and the elements whose
  combination differs are described.
* :class:`Features` -- per-trial facts ("stride is not 1") so that an answer right on some
  trials and wrong on others gets the condition, not a per-trial factor.

Generic probes need no data: float32 precision, a transformed input (an argument read reversed
or transposed), a factor on one slice of the answer (one output, one channel).
All work is bounded: a fixed number of candidates, vectorized over trials, stopping at the
first level of explanation that works.
"""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Callable, Mapping

import re

import numpy as np

from ..text import constant
from ..judge import tolerance

Args = Mapping[str, np.ndarray]

# Constants a student plausibly multiplies by mistake (a missing 1/2, a sign, a 1/4 ...).
NICE = (1.0, -1.0, 0.0, 2.0, -2.0, 0.5, -0.5, 0.25, -0.25, 4.0, -4.0, 3.0, 1 / 3)


# ----------------------------------------------------------------------------- data kinds

@dataclass(frozen=True)
class Factor:
    """One option of a slot: how it reads in the student's expression and its batched value
    (broadcastable to what the Expression's ``build`` expects).  ``note`` says what choosing
    it means when it is not the slot's right option ("the sigmoid's derivative is missing")."""

    text: str
    value: Callable[[Args], np.ndarray]
    note: str = ""


@dataclass(frozen=True)
class Expression:
    """answer = sum over branches b of c_b * build(args, chosen factors)[b].

    ``slots[i][0]`` is the right option of slot i.  ``build`` returns the branch bases, shape
    (B, T, *answer shape).  ``render(texts)`` writes the right-hand side of the student's
    expression from the chosen options' texts (options reading "1" are passed as "");
    ``branches`` names each branch for a
    constant that differs between them ("o_2").  ``constants=False`` fixes every c_b at 1
    (integer answers)."""

    slots: tuple[tuple[Factor, ...], ...]
    build: Callable[[Args, list], np.ndarray]
    render: Callable[[list[str]], str]
    lhs: str = ""  # what the expression is of ("∂E/∂w_{p_i,p_j,k,o_m}"); "" for a list of rules
    branches: tuple[str, ...] = ()
    constants: bool = True
    max_changes: int = 2  # wrong slots tried at most (bounds the work)
    # True: the chosen factors' values are multiplied (broadcast) into one array P and
    # ``build(args, P)`` maps a stack of them, shape (N, T, ...), to bases (N, B, T, *answer);
    # every candidate of a level is then evaluated at once.  False: ``build(args, values)``
    # gets the chosen values of one candidate and returns (B, T, *answer).
    product: bool = False
    # Optional: ``build_many(args, combos)`` -> bases (N, B, T, *answer) for a list of option
    # index tuples at once (any structure the data can vectorize, e.g. integer size rules).
    build_many: Callable[[Args, list], np.ndarray] | None = None


@dataclass(frozen=True)
class Activation:
    """The answer is ``what`` = an activation (``name``) of the pre-activations ``pre(args)``.

    What the probes may try is the assignment's to say: ``options``, the activations a student
    may have applied instead (by default the common ones, :data:`ACTIVATIONS`); with
    ``function`` and its ``inverse``, whether the student clipped the input to ±c (``note``:
    what the assignment adds about its inputs)."""

    pre: Callable[[Args], np.ndarray]
    name: str  # "the sigmoid"
    what: str  # "y"
    inputs: str  # how the pre-activations read: "the window's weighted sum"
    range: tuple[float, float] | None = None  # open interval every element must lie in
    options: tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...] | None = None  # None: ACTIVATIONS
    function: Callable[[np.ndarray], np.ndarray] | None = None  # the right activation
    inverse: Callable[[np.ndarray], np.ndarray] | None = None  # its inverse, where it has one
    note: str = ""  # e.g. "Inputs here reach about ±30 and need no clipping."


@dataclass(frozen=True)
class Scores:
    """The answer is, along the last axis of ``scores(args)``, the index of the largest score
    (a classifier's predicted labels): what the label probes compare the student's labels with."""

    scores: Callable[[Args], np.ndarray]
    what: str = "scores"  # how the scores are named ("the logits S")


@dataclass(frozen=True)
class Terms:
    """Each answer element is sum_j c_j * terms(args)[:, j, ...elem]: fitted per element
    (shared along ``shared_axis``, e.g. channels), coefficients compared with the right ones.
    ``name(j, idx)`` names term j at element idx (idx without the shared axis)."""

    terms: Callable[[Args], np.ndarray]  # (T, J, *answer shape)
    name: Callable[[int, tuple[int, ...]], str]
    element: Callable[[tuple[int, ...]], str]  # answer element without the shared axis
    shared_axis: int | None = -1
    # Subsets of the terms to fit, tried in order (term indices); () fits all of them at once.
    # Few terms per fit keep it determined: gated variants of one term are often collinear.
    subsets: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class Features:
    """Per-trial facts: (description, args -> bool per trial), e.g. ("the stride is not 1", ...)."""

    items: tuple[tuple[str, Callable[[Args], np.ndarray]], ...]


@dataclass(frozen=True)
class ArgNames:
    """How to name an argument's elements in findings about a transformed input."""

    names: Mapping[str, Callable[[tuple[int, ...]], str]] = field(default_factory=dict)
    skip: tuple[str, ...] = ()  # arguments never transformed


NO_NAMES = ArgNames()  # (one object: what the misreadings are kept by)


# ----------------------------------------------------------------------------- tolerance

def close_trials(q, got: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """Per trial: ``got`` within tolerance of ``cand`` (:mod:`grader.judge.tolerance`, batched)."""
    g = np.asarray(got, dtype=np.float64)
    e = np.asarray(cand, dtype=np.float64)
    if g.shape != e.shape:
        return np.zeros(len(g), dtype=bool)
    return tolerance.trials_within(q, g, e)


def quick_reject(q, got: np.ndarray, cand: np.ndarray, t: int = 0) -> bool:
    """True when trial ``t`` alone already shows the candidate is not the answer (cheap)."""
    g, e = got[t].ravel(), np.asarray(cand[t], dtype=np.float64).ravel()
    return g.shape != e.shape or not tolerance.all_within(q, g, e)


def _explains(q, got, cand, exp) -> bool:
    """cand reproduces got on every trial and is not the right answer."""
    if np.shape(cand) != got.shape or quick_reject(q, got, cand):
        return False
    return bool(close_trials(q, got, cand).all()) and not bool(close_trials(q, cand, exp).all())


def _nice(c: np.ndarray) -> np.ndarray:
    """Each value snapped to the nearest NICE constant."""
    nice = np.asarray(NICE)
    return nice[np.abs(np.asarray(c)[..., None] - nice).argmin(axis=-1)]


# ----------------------------------------------------------------------------- precision

def precision_finding(q, trials, got: np.ndarray, outputs) -> str:
    """Single-precision numbers that are right for float32-rounded inputs: rounding, not logic."""
    if trials.reference is None or q.exact or got.dtype.kind != "f":
        return ""
    if not all(o.dtype.itemsize >= 8 for o in outputs):
        low_dtype = min((o.dtype for o in outputs), key=lambda d: d.itemsize)
    else:
        # float64 numbers computed (at least partly) in float32: right for float32-rounded
        # inputs though not for the exact ones
        if np.array_equal(np.asarray(trials.expected, np.float64).astype(np.float32).astype(np.float64),
                          np.asarray(trials.expected, np.float64)):
            return ""  # the right answer itself is float32-exact: no evidence either way
        low_dtype = np.dtype(np.float32)
    low = {k: v.astype(low_dtype).astype(np.float64) if v.dtype.kind == "f" else v
           for k, v in trials.args.items()}
    try:
        again = np.asarray(trials.reference(low), dtype=np.float64)
    except Exception:  # noqa: BLE001
        return ""
    exp = np.asarray(trials.expected, dtype=np.float64)
    # float32 computation also rounds each step: allow float32-sized error, not the question's
    if again.shape != got.shape or not tolerance.trials_within(tolerance.FLOAT32, got, again).all():
        return ""
    bad = np.flatnonzero(~close_trials(q, got, exp))
    if not len(bad):
        return ""
    where = _trial_list(trials, bad)
    return (f"A precision problem, not a logic error: your numbers carry single-precision "
            f"(float32) rounding, and they are right for float32-rounded inputs. In float32, a difference of "
            f"two nearly equal numbers (such as 1 minus a value close to 1) is mostly rounding, "
            f"which exceeds the tolerance {where}. Compute in float64 (or return your float32 "
            f"array unconverted: the grader then checks it against float32-rounded inputs).")


def integer_finding(q, outputs, exp: np.ndarray) -> str:
    """An integer (or whole-number) answer where the right one has fractions: values truncated
    by an integer array (the dtype is named when the student's array has one), or rounded by the
    arithmetic (``//``, ``round``) -- told apart by which rounding of the right values gives
    the student's, where one does."""
    if q.exact or not len(outputs):
        return ""
    e = np.asarray(exp, dtype=np.float64)
    if not np.isfinite(e).all() or np.array_equal(e, np.round(e)):
        return ""  # the right answer is whole too: no evidence
    kinds = {o.dtype.kind for o in outputs}
    if kinds <= set("iu"):
        dt = outputs[0].dtype.name
        what = f"You return an integer array ({dt}) where the answer has fractional values"
    elif all(o.dtype.kind == "f" and o.size and np.isfinite(o).all()
             and np.array_equal(o, np.round(o)) for o in outputs) \
            and any(np.any(o != 0) for o in outputs):
        what = "Every number you return is a whole number, where the answer has fractional values"
    else:
        return ""
    zero = all(not np.any(o) for o in outputs)
    stored = ("a value stored in an integer array is truncated toward 0 (0.7 becomes 0). An array made from an "
              "integer one keeps its integer dtype: np.zeros_like or np.empty_like of an integer array (indices, "
              "labels, an int shape array), or np.zeros(..., dtype=int). Check the dtype of the array you "
              "accumulate into")
    rounded = _rounding(outputs, e)
    floor = ("a floor division (//) where / belongs (7.9 // 2 is 3.0, a whole number even for floats), or "
             "np.floor")
    if rounded == {"floor"}:
        how = f": yours are the right values rounded down (the floor of each, in every trial): {floor}."
    elif rounded == {"round"}:
        how = (": yours are the right values rounded to the nearest whole number (in every trial): round(), "
               "np.round or np.rint where the value itself belongs.")
    elif rounded == {"floor", "trunc"}:
        how = (f": yours are the right values rounded down (here, with no negative values, the same as cut toward 0): "
               f"{floor}, or int(); or {stored}.")
    elif rounded == {"trunc"}:
        how = f": yours are the right values cut toward 0 (in every trial): int() or .astype(int), or {stored}."
    else:
        how = f" (here every one truncates to 0): {stored}." if zero else f": {stored}."
    return what + how


def partly_whole_finding(q, trials, outputs, exp: np.ndarray) -> str:
    """Right on some trials and, on all the others, the right values cut to whole numbers: the
    answer's type set by a first value that varies with the inputs (np.vectorize takes its
    output type from the first result)."""
    if q.exact or len(outputs) < 2:
        return ""
    e = np.asarray(exp, dtype=np.float64)
    try:
        got = np.stack([np.asarray(o, dtype=np.float64) for o in outputs])
    except ValueError:
        return ""
    if got.shape != e.shape or not np.isfinite(e).all():
        return ""
    right = close_trials(q, got, e)
    whole = np.array([np.array_equal(got[t], np.trunc(e[t])) and not np.array_equal(e[t], np.trunc(e[t]))
                      for t in range(len(e))])
    if not (right | whole).all() or whole.sum() < 2 or not right.any():
        return ""
    if any(not np.any(got[t]) for t in np.flatnonzero(whole)):
        return ""  # (all 0 there: an answer never computed on those trials says as much)
    ints = sum(1 for t in np.flatnonzero(whole) if np.asarray(outputs[int(t)]).dtype.kind in "iu")
    typed = f" (returned as an integer array on {ints} of them)" if ints else ""
    return (f"On {int(whole.sum())} of {len(e)} trials your answer is the right one cut toward 0 to whole numbers"
            f"{typed}, and it is right on the others: a type that depends on the inputs does this. np.vectorize "
            f"takes its output type from its first result (max(0, z) gives the int 0 when the first z is negative, "
            f"and every later value is then cut to an int: pass otypes=[float], or use np.maximum), as does an "
            f"array built from a list whose first entry is an int.")


def _rounding(outputs, e: np.ndarray) -> set:
    """Which roundings of the right values ``e`` give the student's, element for element."""
    try:
        got = np.stack([np.asarray(o, dtype=np.float64) for o in outputs])
    except ValueError:
        return set()
    if got.shape != e.shape:
        return set()
    return {name for name, f in (("floor", np.floor), ("trunc", np.trunc), ("round", np.round))
            if np.array_equal(got, f(e))}


def label_finding(q, trials, got, exp, sc: "Scores | None") -> str:
    """Labels that pick another score than the largest: the smallest (an ascending sort's first),
    the second largest, or the largest of those above 0 (a running best started at 0, so a row
    whose scores are all negative keeps label 0)."""
    if sc is None or not q.exact:
        return ""
    try:
        S = np.asarray(sc.scores(trials.args), dtype=np.float64)
    except Exception:  # noqa: BLE001
        return ""
    if S.shape[:-1] != got.shape or S.shape[-1] < 2 or not np.array_equal(np.argmax(S, axis=-1), exp):
        return ""
    order = np.argsort(S, axis=-1, kind="stable")
    rules = (
        (f"the smallest of the {sc.what}, not the largest: np.argsort sorts in ascending order, so its first "
         f"column is the least likely class (np.argmax, or np.argsort(…)[:, -1])", order[..., 0]),
        (f"the second largest of the {sc.what} (np.argsort(…)[:, -2] where [:, -1] belongs)", order[..., -2]),
        (f"the largest of the {sc.what} only where it is above 0, and 0 where every score is negative: a running "
         f"best started at 0 instead of the first score (or −∞)", np.where(S.max(axis=-1) > 0, np.argmax(S, axis=-1), 0)),
    )
    for words, cand in rules:
        if np.array_equal(cand, got) and not np.array_equal(cand, exp):
            return f"Your labels are, for each row, the index of {words}."
    return ""


def half_precision_finding(q, trials, got: np.ndarray, outputs, exp: np.ndarray) -> str:
    """Numbers right to about 3 significant digits: half-precision (float16) work, named as such
    when the student's array is float16; otherwise the size of the error is what is said."""
    if q.exact or got.dtype.kind != "f":
        return ""
    half = any(o.dtype == np.float16 for o in outputs)
    ok = tolerance.trials_within(tolerance.FLOAT16, got, exp)
    if trials.reference is not None and not ok.all():
        low = {k: v.astype(np.float16).astype(np.float64) if v.dtype.kind == "f" else v
               for k, v in trials.args.items()}
        try:
            again = np.asarray(trials.reference(low), dtype=np.float64)
            ok |= tolerance.trials_within(tolerance.FLOAT16, got, again) if again.shape == got.shape else ok
        except Exception:  # noqa: BLE001
            pass
    if not ok.all():
        return ""
    if not half:  # float64 numbers: only errors float16 rounding can make (a few 1e-3 at most)
        if not tolerance.trials_within(tolerance.Tolerance(rtol=3e-3, atol_scale=3e-3), got, exp).all():
            return ""
    scale = np.abs(exp).reshape(len(exp), -1).max(axis=1)
    live = scale > 0
    if not live.any():
        return ""
    rel = float((np.abs(got - exp).reshape(len(exp), -1).max(axis=1)[live] / scale[live]).max())
    if rel <= tolerance.relative(q, tolerance.FACTOR):
        return ""  # within a few tolerances: the float32 rule's business, not this one
    size = f"{rel:.0e}"
    if half:
        return (f"A precision problem, not a logic error: you return half-precision (float16) "
                f"numbers, which keep about 3 significant digits; your answer is off by up to {size} of "
                f"its size, the size of float16 rounding. Compute and return float64 (np.float16 "
                f"anywhere in the computation, or an array created as float16, rounds every step).")
    return (f"Your numbers are right to about 3 significant digits but no better (off by up to {size} "
            f"of the answer's size, in every trial): the size of half-precision (float16) rounding. "
            f"Look for float16 somewhere in your computation (an array or dtype made float16) "
            f"or an intermediate value rounded to a few digits.")


def _trial_list(trials, idx) -> str:
    labels = [trials.labels[int(t)] for t in idx]
    distinct = sorted(set(labels), key=labels.index)
    n = len(idx)
    words = "; ".join(distinct[:3]) + (" ..." if len(distinct) > 3 else "")
    return f"on {n} of {len(trials)} trial{'s' if len(trials) != 1 else ''} ({words})"


# ----------------------------------------------------------------------------- slices

def slice_factor_finding(q, trials, got, exp, wild_name) -> str:
    """got == exp times a constant that depends only on the index along one axis (one output's
    or one channel's elements scaled, e.g. the sign flipped for o_2 only)."""
    if q.exact or got.ndim < 2:
        return ""
    shape = got.shape[1:]
    for ax in range(len(shape)):
        n = shape[ax]
        if n < 2 or n > 8:
            continue
        g = np.moveaxis(got, ax + 1, 1).reshape(len(got), n, -1)
        e = np.moveaxis(exp, ax + 1, 1).reshape(len(exp), n, -1)
        num = (g * e).sum(axis=(0, 2))
        den = (e * e).sum(axis=(0, 2))
        if (den == 0).any():
            continue
        c = _nice(num / den)
        if np.all(c == c[0]):
            continue  # one constant for all: the scale finding's business
        bshape = [1] * got.ndim
        bshape[ax + 1] = n
        cand = exp * c.reshape(bshape)
        if not _explains(q, got, cand, exp):
            continue
        parts = []
        for i in range(n):
            if c[i] == 1:
                continue
            idx = [0] * len(shape)
            idx[ax] = i
            wild = tuple(a for a in range(len(shape)) if a != ax)
            who = wild_name(tuple(idx), wild, shape)
            what = ("zero" if c[i] == 0 else "the right value with the wrong sign" if c[i] == -1
                    else f"{constant(float(c[i]))} times the right value")
            parts.append(f"{who} is {what}")
        rest = [i for i in range(n) if c[i] == 1]
        tail = " in every trial"
        if rest:
            idx = [0] * len(shape)
            idx[ax] = rest[0]
            wild = tuple(a for a in range(len(shape)) if a != ax)
            tail += f"; {'the others' if len(rest) > 1 else wild_name(tuple(idx), wild, shape)} "
            tail += "are right" if len(rest) > 1 else "is right"
        if not np.any((c != 0) & (c != 1)):
            # only zeros and right values: entries never written (left at an array's initial 0)
            return ("Part of your answer is never written: " + "; ".join(parts) + tail + " (* = any index). "
                    "Entries left at their initial 0 come from a loop that ends early (a return or a break "
                    "inside it, one indentation level too deep) or a range that stops short of that axis's "
                    "last entries.")
        return ("Only part of your answer is off, by a constant factor: " + "; ".join(parts) + tail
                + " (* = any index).")
    return ""


def argument_factor_finding(q, trials, got, exp) -> str:
    """got == exp times (or divided by) an element-wise function of an argument of the answer's
    shape: a factor too many or too few that varies element by element (y, y(1 − y), 1 − y)."""
    if q.exact:
        return ""
    for arg, arr in trials.args.items():
        if arr.dtype.kind != "f" or arr.shape != got.shape:
            continue
        a = arr.astype(np.float64)
        for what, g in ((arg, a), (f"{arg}(1 − {arg})", a * (1 - a)), (f"(1 − {arg})", 1 - a)):
            for how, cand in (("multiplied", exp * g), ("divided", None)):
                if cand is None:
                    if not np.all(g != 0):
                        continue
                    with np.errstate(all="ignore"):
                        cand = exp / g
                if np.isfinite(cand).all() and _explains(q, got, cand, exp):
                    return (f"Your answer is exactly the right one {how} element by element by {what}: a "
                            f"factor {'too many' if how == 'multiplied' else 'too few'}, where each element "
                            f"{'gets' if how == 'multiplied' else 'lacks'} its own entry of {what}.")
        said = _row_factor(q, got, exp, arg, a)
        if said:
            return said
    return ""


def extra_argument_finding(q, trials, got, exp) -> str:
    """The right answer plus a whole multiple of one argument as it is broadcast into the
    answer (a bias added at every pass of a loop where it belongs once, after it; a term added
    twice): the multiple, and the argument length it equals where one does."""
    if q.exact or got.shape != exp.shape:
        return ""
    d = got - exp
    sizes: dict[int, list[str]] = {}
    for name, arr in trials.args.items():
        for ax, n in enumerate(np.shape(arr)[1:]):
            sizes.setdefault(int(n), []).append(f"len({name})" if ax == 0 else f"{name}.shape[{ax}]")
    for arg, arr in trials.args.items():
        a = np.asarray(arr)
        if a.dtype.kind != "f" or a.ndim < 2:
            continue
        sa = a.shape[1:]
        if sa != got.shape[1:] and not (len(sa) == 1 and got.ndim >= 3 and got.shape[-1] == sa[0]):
            continue
        B = a if sa == got.shape[1:] else a.reshape((len(a),) + (1,) * (got.ndim - 2) + sa)
        B = np.broadcast_to(B, got.shape)
        den = float((B * B).sum())
        if den == 0:
            continue
        c = float((d * B).sum() / den)
        k = round(c)
        if k == 0 or abs(c - k) > 1e-6 * max(1.0, abs(c)):
            continue
        if not _explains(q, got, exp + k * B, exp):
            continue
        times = k + 1
        which = f" ({' = '.join(sizes[times][:3])} here)" if times in sizes else ""
        if k > 0:
            return (f"Your answer is the right one plus {k} more time{'s' if k > 1 else ''} {arg}: {arg} is counted "
                    f"{times} times{which} where it belongs once. An addition inside a loop that runs {times} times "
                    f"(a bias added at every pass over the units being summed, where it belongs once, after the "
                    f"loop) does this, as does a term added in two places.")
        return (f"Your answer is the right one minus {-k} time{'s' if k < -1 else ''} {arg}: "
                + (f"{arg} is left out, or added with the wrong sign." if k == -1 else f"{arg} is taken away {-k} times."))
    return ""


def _row_factor(q, got, exp, arg: str, a: np.ndarray) -> str:
    """Each line of the answer along one axis the right one times its own factor, and that
    factor exp(±max) (or exp of the sum) of the argument's same line: a log-sum-exp without
    its max added back, a shift made on one side of a fraction only."""
    if got.ndim < 3:
        return ""
    for ax in range(1, got.ndim):
        m = a.max(axis=ax, keepdims=True)
        with np.errstate(all="ignore"):
            factors = ((f"exp(max of {arg}'s line)", np.exp(m)), (f"exp(−max of {arg}'s line)", np.exp(-m)),
                       (f"the sum of exp over {arg}'s line", np.exp(a).sum(axis=ax, keepdims=True)))
        for what, f in factors:
            if not np.isfinite(f).all() or np.ptp(f) == 0:
                continue  # overflowing, or one factor for everything (the scale finding's business)
            with np.errstate(all="ignore"):
                cand = exp * f
            if np.isfinite(cand).all() and _explains(q, got, cand, exp):
                return (f"Each line of your answer along axis {ax - 1} is the right one times its own factor, "
                        f"{what}: a log-sum-exp without its max added back (log Σ exp({arg} − m) where "
                        f"m + log Σ exp({arg} − m) belongs), or a shift by the max made on one side of a "
                        f"fraction only, does this. A shift must leave the answer unchanged.")
    return ""


# ----------------------------------------------------------------------------- inputs

def _input_transforms(arr: np.ndarray):
    """(description, f) for plausible misreadings of one batched argument."""
    shape = arr.shape[1:]
    out = []
    nd = len(shape)
    for a, b in itertools.combinations(range(nd), 2):
        if shape[a] == shape[b] and shape[a] > 1:
            perm = list(range(nd))
            perm[a], perm[b] = perm[b], perm[a]
            out.append((("transposed", a, b), lambda x, p=tuple(perm): x.transpose(0, *(i + 1 for i in p))))
    for a in range(nd):
        if 2 <= shape[a] <= 4:
            out.append((("reversed", a), lambda x, a=a: np.flip(x, axis=a + 1)))
    # reversed along two axes at once (rotated by 180 degrees): a convolution's flip where the
    # computation is a correlation, or the other way round
    for a, b in itertools.combinations(range(nd), 2):
        if 2 <= shape[a] <= 8 and 2 <= shape[b] <= 8:
            out.append((("reversed2", a, b), lambda x, a=a, b=b: np.flip(x, axis=(a + 1, b + 1))))
        if shape[a] == 3:  # a swap of two of three indices (the third stays)
            for i, j in ((0, 1), (1, 2), (0, 2)):
                if (i, j) == (0, 2):
                    continue  # that's the reversal
                order = list(range(3))
                order[i], order[j] = order[j], order[i]
                out.append((("swapped", a, i, j), lambda x, a=a, o=tuple(order): np.take(x, o, axis=a + 1)))
    # one index stuck at a single value along a short axis (v[..., 0] written where v[..., m]
    # belongs: every output's error sent back through the first output's weights)
    for a in range(nd):
        if 2 <= shape[a] <= 4:
            for i in range(shape[a]):
                out.append((("fixed", a, i), lambda x, a=a, i=i, n=shape[a]: np.take(x, [i] * n, axis=a + 1)))
    # the first or the last entry along an axis left out (as 0): a loop that starts at 1 or stops
    # one short, so that entry never enters a sum (a sample, a channel, a window position)
    for a in range(nd):
        if 2 <= shape[a] <= 64:
            for i in sorted({0, shape[a] - 1}):
                out.append((("dropped", a, i), lambda x, a=a, i=i: _zeroed(x, a + 1, i)))
    # one index written where another belongs (z[i, i] for z[i, j]): along two axes of one
    # length, the second axis's index taken from the first (or the first's from the second)
    for a, b in itertools.combinations(range(nd), 2):
        if shape[a] == shape[b] and 2 <= shape[a] <= 8:
            for src, dst in ((a, b), (b, a)):
                idx = np.indices(shape)
                idx[dst] = idx[src]
                out.append((("tied", src, dst), lambda x, idx=tuple(idx): x[(slice(None), *idx)]))
    # the first or the last entry along an axis counted twice: an accumulator that starts from
    # that entry (total = x[0]) and then adds every entry, that one included
    for a in range(nd):
        if 2 <= shape[a] <= 64:
            for i in sorted({0, shape[a] - 1}):
                out.append((("doubled", a, i), lambda x, a=a, i=i: _zeroed(x, a + 1, i, 2.0)))
    # only the first or the last entry along one axis, or one pair of axes, kept (the others as
    # 0): where the answer is a sum over those positions, one term of it -- a loop that assigns
    # (=) where it should add (+=) keeps the last position's term (the first's, run backwards)
    long_axes = [a for a in range(nd) if 2 < shape[a] <= 64]
    kept_axes = [axes for r in (1, 2) for axes in itertools.combinations(long_axes, r)]
    every = tuple(a for a in range(nd) if 2 <= shape[a] <= 64)
    if len(every) > 1 and every not in kept_axes:  # (one entry of the whole argument: net = z·w in the loop)
        kept_axes.append(every)
    for axes in kept_axes:
        for i in ("first", "last"):
            out.append((("kept", axes, i), lambda x, ax=axes, i=i: _only(x, ax, i)))
    # the last entry along two axes left out at once (a 2-D loop with both bounds one short)
    for a, b in itertools.combinations([a for a in range(nd) if 2 <= shape[a] <= 64], 2):
        out.append((("dropped2", a, b), lambda x, a=a, b=b: _zeroed(_zeroed(x, a + 1, shape[a] - 1), b + 1, shape[b] - 1)))
    # every entry along a short axis replaced by their sum or mean (a vector collapsed to a number)
    for a in range(nd):
        if 2 <= shape[a] <= 8:
            out.append((("summed", a, "sum"), lambda x, a=a: np.broadcast_to(x.sum(axis=a + 1, keepdims=True), x.shape)))
            out.append((("summed", a, "mean"), lambda x, a=a: np.broadcast_to(x.mean(axis=a + 1, keepdims=True), x.shape)))
    # a stabilising shift (x - max) taken along another axis than the one the computation
    # normalises over: x minus its maximum along axis a, kept as a broadcastable axis
    if nd >= 2:
        for a in range(nd):
            if shape[a] > 1:
                out.append((("shifted", a), lambda x, a=a: x - x.max(axis=a + 1, keepdims=True)))
    # every index along one or two axes shifted by one, the entries past the edge as 0: a window's
    # start one off (y[p-1:p+1] for y[p:p+2], an np.eye diagonal k on the wrong side)
    for r in (1, 2):
        for axes in itertools.combinations([a for a in range(nd) if 2 <= shape[a] <= 64], r):
            for steps in itertools.product((1, -1), repeat=r):
                out.append((("offset", axes, steps), lambda x, ax=axes, st=steps: _offset(x, ax, st)))
    # every index along some axes shifted by one, wrapping (1-based formulas on 0-based arrays)
    axes_ok = [a for a in range(nd) if shape[a] > 1]
    for r in range(1, min(len(axes_ok), 2) + 1):
        for axes in itertools.combinations(axes_ok, r):
            for s in (1, -1):
                out.append((("rolled", axes, s), lambda x, ax=axes, s=s: np.roll(x, s, axis=tuple(a + 1 for a in ax))))
    # the numbers read as if laid out with the axes in another order (x.reshape instead of a transpose)
    if 2 <= nd <= 4:
        for p in itertools.permutations(range(nd)):
            laid = tuple(shape[i] for i in p)
            if laid != tuple(shape):
                inv = tuple(int(i) + 1 for i in np.argsort(p))
                out.append((("relaid", p, laid), lambda x, laid=laid, inv=inv:
                            x.reshape(len(x), *laid).transpose(0, *inv)))
    # one position of a 2 x 2 block (a filter) read where another belongs, the rest right: one term
    # of a sum written with another's index (w[0, 1] where w[1, 0] belongs), on the first two
    # neighbouring axes of length 2
    pair = next((a for a in range(nd - 1) if shape[a] == shape[a + 1] == 2), None)
    if pair is not None:
        cells = [(0, 0), (0, 1), (1, 0), (1, 1)]
        for dst in cells:
            for src in cells:
                if src != dst:
                    out.append((("cell", pair, dst, src), lambda x, a=pair, d=dst, s_=src: _cell_copied(x, a, d, s_)))
    # two neighbouring axes read through a flat index with shorter rows (x.ravel()[r * d + c]
    # where r * W + c belongs: a Toeplitz or im2col index built with another array's width)
    for a in range(nd - 1):
        H, W = shape[a], shape[a + 1]
        if 2 <= H <= 64 and 2 <= W <= 64:
            for d in range(2, W):  # (rows of one: no index anyone builds)
                out.append((("flatwidth", a, d, W), lambda x, a=a, d=d, H=H, W=W: np.take(
                    x.reshape(x.shape[:a + 1] + (H * W,) + x.shape[a + 3:]),
                    (np.arange(H)[:, None] * d + np.arange(W)[None, :]).ravel(), axis=a + 1).reshape(x.shape)))
    # the numbers read in column-major order: its axes reversed, then reshaped back (x.ravel(order='F')
    # or x.T.ravel() reshaped in C order, MATLAB's x(:))
    if 2 <= nd <= 4 and len(set(shape)) > 1:  # (equal lengths: a transpose, said as one above)
        rev = tuple(range(nd))[::-1]
        out.append((("fortran",), lambda x, rev=rev: np.ascontiguousarray(
            x.transpose(0, *(i + 1 for i in rev))).reshape(x.shape)))
    # an activation applied to the argument (a layer too early)
    out.append((("activated", "the sigmoid σ"), _sig))
    if (arr < 0).any():
        out.append((("activated", "ReLU, max(0, ·)"), lambda x: np.maximum(x, 0.0)))
        out.append((("mapped", "its absolute value |·| (np.abs)"), np.abs))  # the sign lost
    if (arr <= 0).any() and (arr > 0).any():  # (ReLU outputs have zeros): a mask for the values
        out.append((("mapped", "its indicator 1[· > 0] (the values replaced by 1 where positive, 0 elsewhere)"),
                    lambda x: (x > 0).astype(np.float64)))
    # the argument scaled (a temperature, a sign, a half left in)
    for c, words in ((0.5, "1/2"), (2.0, "2"), (-1.0, "−1")):
        out.append((("mapped", f"{words} times itself"), lambda x, c=c: c * x))
    return out


def _additive(q, trials, arg: str, axes: tuple[int, ...], exp: np.ndarray, inverse=None) -> bool:
    """The right answer is the sum, over every position along ``axes`` of ``arg``, of the right
    computation with ``arg`` reduced to that position (one reference call); with ``inverse`` (of
    the answer's activation), the pre-activations are that sum (o = σ(Σ z·w): one term inside)."""
    arr = np.asarray(trials.args[arg], dtype=np.float64)
    n = len(arr)
    positions = list(itertools.product(*(range(arr.shape[a + 1]) for a in axes)))
    parts = []
    for pos in positions:
        part = np.zeros_like(arr)
        index: list = [slice(None)] * arr.ndim
        for a, i in zip(axes, pos):
            index[a + 1] = i
        part[tuple(index)] = arr[tuple(index)]
        parts.append(part)
    big = {k: (np.concatenate(parts) if k == arg else np.concatenate([v] * len(parts)))
           for k, v in trials.args.items()}
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(trials.reference(big), dtype=np.float64)
    except Exception:  # noqa: BLE001
        return False
    out = out.reshape((len(parts), n) + exp.shape[1:])
    if inverse is not None:
        with np.errstate(all="ignore"):
            out, exp = np.asarray(inverse(out), dtype=np.float64), np.asarray(inverse(exp), dtype=np.float64)
        if not (np.isfinite(out).all() and np.isfinite(exp).all()):
            return False
        return bool(close_trials(q, out.sum(axis=0), exp).all())
    out = out.sum(axis=0)
    return bool(np.isfinite(out).all() and close_trials(q, out, exp).all())


def _only(x: np.ndarray, axes: tuple[int, ...], which: str) -> np.ndarray:
    """``x`` with every entry 0 but those at the first (or last) index of each of ``axes``
    (axes of one trial, not counting the batch axis)."""
    out = np.zeros_like(x, dtype=np.float64)
    index: list = [slice(None)] * x.ndim
    for a in axes:
        index[a + 1] = 0 if which == "first" else x.shape[a + 1] - 1
    out[tuple(index)] = x[tuple(index)]
    return out


def _offset(x: np.ndarray, axes: tuple[int, ...], steps: tuple[int, ...]) -> np.ndarray:
    """``x`` (batched) with every index along ``axes`` moved by ``steps`` (entry i read where
    i + step belongs), the entries that come from past the edge 0."""
    out = np.zeros_like(x, dtype=np.float64)
    src: list = [slice(None)] * x.ndim
    dst: list = [slice(None)] * x.ndim
    for a, st in zip(axes, steps):
        n = x.shape[a + 1]
        src[a + 1] = slice(0, n - st) if st > 0 else slice(-st, n)
        dst[a + 1] = slice(st, n) if st > 0 else slice(0, n + st)
    out[tuple(dst)] = x[tuple(src)]
    return out


def _cell_copied(x: np.ndarray, a: int, dst: tuple, src: tuple) -> np.ndarray:
    """``x`` (batched) with position ``dst`` of axes (a, a+1) holding what ``src`` holds."""
    out = np.array(x, dtype=np.float64)
    idx_d = (slice(None),) * (a + 1) + dst
    idx_s = (slice(None),) * (a + 1) + src
    out[idx_d] = x[idx_s]
    return out


def _zeroed(x: np.ndarray, axis: int, i: int, factor: float = 0.0) -> np.ndarray:
    """``x`` with its entries at index ``i`` of ``axis`` multiplied by ``factor`` (left out: 0)."""
    out = np.array(x, dtype=np.float64)
    index = [slice(None)] * out.ndim
    index[axis] = i
    out[tuple(index)] *= factor
    return out


# misreadings tried for one argument at a time only: value maps and scalings (every argument
# of a product scaled is one factor's story), and one position kept (a term of a sum)
_ALONE = ("activated", "mapped", "summed", "kept", "doubled")


def _misreadings(trials, names: ArgNames, got: np.ndarray):
    """(tried, cands): every plausible misreading of every argument, (argument, how, its
    batched values), and the right computation's answers on each, (len(tried), trials,
    *answer): all in one call of the batched reference.  None when there is none.  Kept for
    the next call on the same trials (the whole-answer and the one-part findings both ask)."""
    held = getattr(_TERMS, "misread", None)
    if held is not None and held[0] is trials.args and held[1] is trials.reference and held[2] is names \
            and held[3] == got.shape:
        return held[4]
    out = _misreadings_uncached(trials, names, got)
    _TERMS.misread = (trials.args, trials.reference, names, got.shape, out)
    return out


def _misreadings_uncached(trials, names: ArgNames, got: np.ndarray):
    ref = trials.reference
    if ref is None:
        return None
    tried = []
    by_shape: dict[tuple, list[str]] = {}
    for arg, arr in trials.args.items():
        if arg in names.skip or arr.dtype.kind != "f" or arr.ndim < 2:
            continue
        by_shape.setdefault(arr.shape, []).append(arg)
        for how, f in _input_transforms(arr):
            tried.append((arg, how, np.ascontiguousarray(f(arr))))
    # only the first k entries along an axis used, k the length of another axis (a loop bound
    # taken from the wrong size: range(len(X[0])) where range(len(X)) belongs)
    sizes = {(k, a): n for k, v in trials.args.items() if np.ndim(v) >= 2 for a, n in enumerate(np.shape(v)[1:])}
    for arg, arr in trials.args.items():
        if arg in names.skip or arr.dtype.kind != "f" or arr.ndim < 2:
            continue
        for a, n in enumerate(arr.shape[1:]):
            for k in sorted({m for m in sizes.values() if 1 <= m < n - 1}):
                bound = " = ".join([f"{o}.shape[{b}]" for (o, b), m in sizes.items() if m == k][:3])
                kept = np.array(arr, dtype=np.float64)
                kept[(slice(None),) * (a + 1) + (slice(k, None),)] = 0.0
                tried.append((arg, ("truncated", a, k, bound), kept))
    # arguments of one shape misread the same way together (y and dE_dy both flipped: a product
    # of them flipped before it is used), said as the first one's misreading, the others too
    for group in by_shape.values():
        if len(group) < 2:
            continue
        first, *others = group
        for how, f in _input_transforms(trials.args[first]):
            if how[0] in _ALONE:
                continue
            values = {a: np.ascontiguousarray(f(trials.args[a])) for a in group}
            tried.append((first, ("jointly", tuple(others), how), values))
        # one argument used where another of its shape belongs (y for dE_dy), or the two exchanged
        for a, b in itertools.permutations(group, 2):
            tried.append((a, ("replaced", b), np.ascontiguousarray(trials.args[b])))
            if a < b:
                tried.append((a, ("exchanged", b), {a: trials.args[b], b: trials.args[a]}))
    if not tried:
        return None
    big = {k: np.concatenate([t[2].get(k, v) if isinstance(t[2], dict) else t[2] if t[0] == k else v
                              for t in tried]) for k, v in trials.args.items()}
    try:
        with np.errstate(all="ignore"):  # (a misread input may leave the reference's domain: log of -P)
            cands = np.asarray(ref(big), dtype=np.float64).reshape((len(tried), len(got)) + got.shape[1:])
    except Exception:  # noqa: BLE001
        return None
    return tried, cands


def input_finding(q, trials, got, exp, names: ArgNames | None) -> str:
    """The right computation applied to a misread argument (read transposed, reversed, ...).
    All misreadings are evaluated in one call of the (batched) reference."""
    names = names or NO_NAMES
    both = _misreadings(trials, names, got)
    if both is None:
        return ""
    tried, cands = both
    # trial 1 first, for every misreading at once (most fail there), then the full check
    first = _close_many(q, got[:1].reshape(1, -1), cands[:, :1].reshape(len(tried), 1, -1))[:, 0]
    found = [(arg, how) for (arg, how, _), cand, ok in zip(tried, cands, first) if ok and _explains(q, got, cand, exp)]
    # one term of a sum is said only where the answer is that sum: the terms of every position add
    # up to the right answer (a max over windows of a reduced y is no term of anything)
    act = next((p for p in getattr(q, "probes", ()) or () if isinstance(p, Activation)), None)
    inverse = act.inverse if act is not None else None
    found = [(arg, how) for arg, how in found if how[0] != "kept" or _additive(q, trials, arg, how[1], exp)
             or (inverse is not None and _additive(q, trials, arg, how[1], exp, inverse))]
    # a misreading that erases the argument (σ(Z) > 0 always holds) fits any answer that
    # ignores it: not this cause (the erased-argument finding says what the answer is)
    found = [(arg, how) for arg, how in found if how[0] not in ("activated", "mapped")
             or _informative(q, trials, *[(t, c) for t, c in zip(tried, cands) if t[0] == arg and t[1] == how][0])]
    if not found:
        return _relaid_both(q, trials, got, exp, names) or _paired(q, trials, got, exp, tried, cands, names)
    arg, how = found[0]
    said = (f"Your answer is exactly what the right computation gives when {arg} is "
            f"{_how_read(how, trials.args[arg].shape[1:], names.names.get(arg))}: "
            + (f"check what you apply to {arg}." if how[0] in ("activated", "mapped") else f"check how you index {arg}."))
    # other misreadings giving the same numbers are said too (none is asserted over another)
    for arg2, how2 in found[1:3]:
        if how2 == how and how[0] == "kept":  # (the same long wording, of another argument)
            said += f" \u2014 or, the same numbers, when {arg2} is reduced to that one position the same way."
            continue
        said += (f" \u2014 or, the same numbers, when {arg2} is "
                 f"{_how_read(how2, trials.args[arg2].shape[1:], names.names.get(arg2))}.")
    return said


def _relaid_both(q, trials, got, exp, names: ArgNames) -> str:
    """An argument read through a reshape as if its axes were in another order, and the answer
    computed from it laid out the same way and reshaped back (y.reshape(3, 3, 3) taken as
    channel-first, pooled, then z.reshape(2, 2, 3)): both reshapes where transposes belong.
    For a cube the first reshape changes nothing and the reading is a transpose."""
    out_shape = got.shape[1:]
    nd = len(out_shape)
    if trials.reference is None or not 2 <= nd <= 4:
        return ""
    out_perms = [p for p in itertools.permutations(range(nd)) if tuple(out_shape[i] for i in p) != tuple(out_shape)]
    tried = []
    for arg, arr in trials.args.items():
        shape = np.shape(arr)[1:]
        if arg in names.skip or np.asarray(arr).dtype.kind != "f" or not 2 <= len(shape) <= 4:
            continue
        for p in itertools.permutations(range(len(shape))):
            if p != tuple(range(len(shape))):
                laid = tuple(shape[i] for i in p)
                inv = tuple(int(i) + 1 for i in np.argsort(p))
                tried.append((arg, p, laid, np.ascontiguousarray(arr.reshape(len(arr), *laid).transpose(0, *inv))))
    if not tried or not out_perms:
        return ""
    big = {k: np.concatenate([t[3] if t[0] == k else v for t in tried]) for k, v in trials.args.items()}
    try:
        with np.errstate(all="ignore"):
            cands = np.asarray(trials.reference(big), dtype=np.float64).reshape((len(tried),) + got.shape)
    except Exception:  # noqa: BLE001
        return ""
    for (arg, p_in, laid_in, _), cand in zip(tried, cands):
        if not np.isfinite(cand).all():
            continue
        for p in out_perms:
            back = cand.transpose(0, *(i + 1 for i in p)).reshape(got.shape)
            if _explains(q, got, back, exp):
                laid = tuple(out_shape[i] for i in p)
                return (f"Your answer is exactly what the right computation gives when {arg} is read as if its "
                        f"numbers were laid out as shape {laid_in} (its axes in the order {p_in}), with the result "
                        f"then laid out as shape {laid} (axes in the order {p}) and reshaped back to "
                        f"{tuple(out_shape)}: the computation done on {arg} reshaped into another axis order "
                        f"(channels first, say), and its answer reshaped back. Both need a transpose "
                        f"(np.transpose / np.moveaxis), which moves axes; a reshape only regroups the numbers in "
                        f"their stored order.")
    return ""


# Activations a result may lack while an argument is misread: the pairs searched with
# the misreadings already computed (no further reference call).
PAIR_MAPS: tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...] = (
    ("ReLU, max(0, ·),", lambda a: np.maximum(a, 0.0)),
    ("the sigmoid σ", lambda a: _sig(a)),
)


def slice_input_finding(q, trials, got, exp, names: ArgNames | None, wild_name) -> str:
    """One part of the answer computed from a misread argument: along a short axis of the answer
    (o_1, o_2; a channel) some slices are right in every trial and the others are exactly what
    the right computation gives on a misread argument (z_{p_i,p_i,k} in o_2's formula only)."""
    names = names or NO_NAMES
    if got.ndim < 2 or got.shape != exp.shape:
        return ""
    shape = got.shape[1:]
    bad = tolerance.wrong(q, got, exp, tuple(range(1, got.ndim)))
    axes = [ax for ax in range(len(shape)) if 2 <= shape[ax] <= 8]
    partial = []
    for ax in axes:
        per = np.moveaxis(bad, ax + 1, 0).reshape(shape[ax], -1).any(axis=1)
        if per.any() and not per.all():
            partial.append((ax, per))
    if not partial:
        return ""
    both = _misreadings(trials, names, got)
    if both is None:
        return ""
    tried, cands = both
    for ax, per in partial:
        mask = np.zeros(shape, bool)
        np.moveaxis(mask, ax, 0)[per] = True
        mixed = np.where(mask, cands, exp)
        n = len(got)
        hits = np.flatnonzero(_close_many(q, got.reshape(n, -1), mixed.reshape(len(tried), n, -1)).all(axis=1))
        for h in hits:
            arg, how, _ = tried[int(h)]
            if not _explains(q, got, mixed[int(h)], exp):
                continue
            wild = tuple(a for a in range(len(shape)) if a != ax)
            at = [0] * len(shape)
            wrong, right = [], []
            for i in range(shape[ax]):
                at[ax] = i
                (wrong if per[i] else right).append(wild_name(tuple(at), wild, shape))
            return (f"Only part of your answer is wrong: {', '.join(right)} "
                    f"{'is' if len(right) == 1 else 'are'} right in every trial, and {', '.join(wrong)} "
                    f"{'is' if len(wrong) == 1 else 'are'} exactly what the right computation gives there when "
                    f"{arg} is {_how_read(how, trials.args[arg].shape[1:], names.names.get(arg))} (* = any "
                    f"index): check how you index {arg} in the part of your code that computes "
                    f"{', '.join(wrong)}.")
    return ""


def _paired(q, trials, got, exp, tried, cands, names: ArgNames) -> str:
    """Two changes that are common together, searched among the misreadings' answers ``cands``
    (one per entry of ``tried``): an activation missing on the result while an argument is
    misread (the activation moved from the result to an argument: act(yours) is what the right
    computation gives on the misread argument).  An activation *added* to the result of a
    misread argument is not searched: a misreading that erases the argument (σ(Z) > 0 is always
    true) then fits an answer that ignores the argument, a cause the code does not contain."""
    n = len(got)
    flat = cands.reshape(len(tried), n, -1)
    right = _close_many(q, exp.reshape(n, -1), flat).all(axis=1)  # (misreadings that change nothing)
    with np.errstate(all="ignore"):
        for words, f in PAIR_MAPS:
            fg = f(got)
            if bool(close_trials(q, fg, got).all()):
                continue  # the activation changes nothing on your numbers: no sign of it missing
            if not np.isfinite(fg).all() or np.ptp(fg) == 0:
                continue  # it erases them (ReLU of an answer that is negative everywhere): no evidence left
            hits = [int(h) for h in np.flatnonzero(_close_many(q, fg.reshape(n, -1), flat).all(axis=1) & ~right)
                    if _informative(q, trials, tried[int(h)], cands[int(h)])]
            if hits:
                arg, how, _ = tried[hits[0]]
                return (f"Your answer with {words.rstrip(',')} applied to it is exactly what the right computation "
                        f"gives when {arg} is {_how_read(how, trials.args[arg].shape[1:], names.names.get(arg))}: "
                        f"two changes together, {words.rstrip(',')} missing on your result and {arg} changed "
                        f"so (an activation moved from the result to an argument does both).")
    return ""


def _informative(q, trials, tried_one, cand: np.ndarray) -> bool:
    """The misread argument still counts: the right computation on it changes when it is taken
    from other trials (rolled along the trial axis).  A misreading that erases the argument
    (σ(Z) > 0 always holds) fits any answer that ignores it, which is not this cause."""
    arg, _, arr = tried_one
    if isinstance(arr, dict) or len(arr) < 2:
        return False
    try:
        with np.errstate(all="ignore"):
            other = np.asarray(trials.reference({**trials.args, arg: np.roll(arr, 1, axis=0)}), dtype=np.float64)
    except Exception:  # noqa: BLE001
        return False
    return other.shape == cand.shape and bool(np.isfinite(other).all()) and not bool(close_trials(q, other, cand).all())


def row_indexed_finding(q, trials, got, exp) -> str:
    """A per-column argument (length C, one entry per column of a (R, C) answer) indexed by the
    row: ``b[n % C]`` added to row n, a bias made a column.  The answer is then right exactly at
    the elements whose row index, modulo C, is their column index."""
    if got.ndim != 3 or got.shape != exp.shape:
        return ""
    R, C = got.shape[1:]
    right = ~tolerance.wrong(q, got, exp, (1, 2)).any(axis=0)
    if right.all() or not right.any() or R == C:
        return ""
    pattern = (np.arange(R)[:, None] % C) == np.arange(C)[None, :]
    if not np.array_equal(right, pattern):
        return ""
    args = [k for k, v in trials.args.items() if np.ndim(v) == 2 and np.shape(v)[1] == C]
    if not args:
        return ""
    which = " or ".join(args)
    return (f"Your answer is right exactly at the elements whose row index, modulo {C}, is their column "
            f"index ([0, 0], [1, 1], ..., [{C}, 0], ...), and wrong everywhere else: what a per-column "
            f"argument ({which}, one entry per column) gives when it is indexed by the row instead "
            f"— {args[0]}[n % {C}] added to row n, e.g. {args[0]} made a column (np.resize, "
            f"a reshape(-1, 1)) — where entry k belongs to column k.")


def upsample_finding(q, trials, got, exp) -> str:
    """The answer is an argument upsampled by repetition (each entry copied to an s x s block:
    np.kron with a block of ones, np.repeat) and cut to the answer's shape."""
    gsh = got.shape[1:]
    for arg, arr in trials.args.items():
        if arr.dtype.kind != "f" or arr.ndim != got.ndim:
            continue
        ash = arr.shape[1:]
        grow = [a for a in range(len(gsh)) if ash[a] < gsh[a]]
        if not grow or any(ash[a] > gsh[a] for a in range(len(gsh))):
            continue
        for k in (2, 3):
            if any(ash[a] * k < gsh[a] for a in grow):
                continue
            cand = arr.astype(np.float64)
            for a in grow:
                cand = np.repeat(cand, k, axis=a + 1)
            cand = cand[(slice(None), *(slice(0, n) for n in gsh))]
            if _explains(q, got, cand, exp):
                block = "×".join([str(k)] * len(grow))
                return (f"Your answer is exactly {arg} with each entry copied into a {block} block along "
                        f"axis {', '.join(map(str, grow))} (np.kron with a block of ones, or np.repeat) and cut "
                        f"to shape {tuple(gsh)}: every element holds one entry of {arg}, the entry whose block "
                        f"it falls in.")
    return ""


def _how_read(how, shape, namer) -> str:
    if how[0] == "jointly":  # (several arguments of one shape, the same way)
        others = " and ".join(how[1])
        return f"{_how_read(how[2], shape, namer)} \u2014 and {others} the same way, together with it"
    return _how_read_one(how, shape, namer)


def _how_read_one(how, shape, namer) -> str:
    def nm(idx):
        if namer is not None:
            try:
                return namer(tuple(idx))
            except Exception:  # noqa: BLE001
                pass
        return "[" + ", ".join(map(str, idx)) + "]"
    zero = [0] * len(shape)
    if how[0] == "transposed":
        a, b = how[1], how[2]
        i = list(zero)
        i[a] = 1
        j = list(zero)
        j[b] = 1
        return (f"read transposed (its axes {a} and {b} swapped: where you need {nm(i)} "
                f"you use {nm(j)})")
    if how[0] == "rolled":
        axes, s = how[1], how[2]
        i = [shape[a] - 1 if (a in axes and s == -1) else 0 for a in range(len(shape))]
        j = [(v - s) % shape[a] if a in axes else v for a, v in enumerate(i)]
        return (f"read with every index along axes {', '.join(map(str, axes))} shifted by one, wrapping "
                f"around (where you need {nm(i)} you use {nm(j)}): a formula written with 1-based "
                f"indices (i−1) used on 0-based arrays does this, since negative indices wrap in Python")
    if how[0] == "offset":
        axes, steps = how[1], how[2]
        need = [1 if a in axes else 0 for a in range(len(shape))]
        use = [v - steps[axes.index(a)] if a in axes else v for a, v in enumerate(need)]
        shown = nm(use) if all(u >= 0 for u in use) else "an entry past its edge (0)"
        moved = ", ".join(f"axis {a} by {st:+d}" for a, st in zip(axes, steps))
        return (f"read with every index moved by one ({moved}; where you need {nm(need)} you use {shown}, "
                f"and 0 past the edge): a window's or a slice's start one off (p−1 where p belongs, an "
                f"np.eye diagonal k on the wrong side) does this")
    if how[0] == "cell":
        a, dst, src = how[1], how[2], how[3]
        need = [0] * len(shape)
        use = [0] * len(shape)
        need[a], need[a + 1] = dst
        use[a], use[a + 1] = src
        return (f"read with its entry {tuple(d + 1 for d in dst)} along axes {a} and {a + 1} replaced by its entry "
                f"{tuple(s_ + 1 for s_ in src)} (where you need {nm(tuple(need))} you use {nm(tuple(use))}, the rest "
                f"right): one term of the sum written with another term's index")
    if how[0] == "fortran":
        return ("read in column-major order: its numbers taken with the first index moving fastest (x.ravel(order='F'), "
                "x.T.ravel() or MATLAB's x(:)) and then laid out row-major by a reshape, so each entry lands where "
                "another belongs")
    if how[0] == "flatwidth":
        a, d, W = how[1], how[2], how[3]
        return (f"read through a flat index with rows {d} long where its rows (axis {a + 1}) are {W} long: where "
                f"you need the entry at (r, c) of axes {a} and {a + 1} you use the one at flat position r·{d} + c "
                f"(an index into the flattened array built with another array's width: r·{W} + c belongs, or "
                f"np.ravel_multi_index)")
    if how[0] == "relaid":
        p, laid = how[1], how[2]
        return (f"read as if its numbers were laid out as shape {laid} (its axes in the order {p}): "
                f"a reshape of it (or of an array with its axes in another order) does this, "
                f"since a reshape never moves an axis")
    if how[0] == "activated":
        return (f"replaced by {how[1]} of it (an activation applied to it, where the computation "
                f"uses it as given)")
    if how[0] == "mapped":
        return f"replaced by {how[1]}"
    if how[0] == "summed":
        return (f"replaced by the {how[2]} of its entries along axis {how[1]} (every entry the same "
                f"number, np.{how[2]} of it, where each entry should count on its own)")
    if how[0] == "fixed":
        a, i = how[1], how[2]
        at = list(zero)
        at[a] = i
        other = list(zero)
        other[a] = 1 if i == 0 else 0
        return (f"read with its axis-{a} index stuck at {i} (where you need {nm(other)} you use "
                f"{nm(at)}, and so for every entry along that axis): an index written as a constant, "
                f"or a loop variable left out")
    if how[0] in ("dropped", "doubled"):
        a, i = how[1], how[2]
        at = list(zero)
        at[a] = i
        where = "first" if i == 0 else "last"
        if how[0] == "doubled":
            return (f"read with its {where} entry along axis {a} counted twice ({nm(at)} and every entry at "
                    f"index {i} of that axis taken two times): a sum that starts from that entry (total = "
                    f"its {where} entry, not 0) and then adds every entry, that one included, does this")
        loop = "starts at 1 (range(1, n))" if i == 0 else "stops one short (range(n − 1))"
        said = (f"read without its {where} entry along axis {a} ({nm(at)} and every entry at index {i} "
                f"of that axis left out, as if 0): a loop over that axis that {loop} never adds them in")
        if shape[a] == 2:  # (two entries: the other one's term alone is what an overwrite keeps)
            kept = "last" if i == 0 else "first"
            said += (f", as does a loop over its two entries that assigns (=) where it should add (+=): only "
                     f"the {kept} pass's term is left" + (" (run backwards)" if kept == "first" else ""))
        return said
    if how[0] == "truncated":
        a, k, bound = how[1], how[2], how[3]
        return (f"read with only its first {k} entries along axis {a} (the others left out, as if 0): a loop "
                f"over that axis that runs to {k}, the length of another axis ({bound}), instead of to its own "
                f"length {shape[a]}")
    if how[0] == "replaced":
        return f"replaced by the argument {how[1]} (the values of {how[1]} used where these belong)"
    if how[0] == "exchanged":
        return f"exchanged with the argument {how[1]} (each used where the other belongs)"
    if how[0] == "tied":
        src, dst = how[1], how[2]
        want, used = list(zero), list(zero)
        want[dst] = 1
        return (f"read with its axis-{dst} index equal to its axis-{src} index (where you need "
                f"{nm(want)} you use {nm(used)}): the same index written twice, as in z[i, i] for z[i, j]")
    if how[0] == "kept":
        axes, which = how[1], how[2]
        at = [(shape[a] - 1 if which == "last" else 0) if a in axes else 0 for a in range(len(shape))]
        along = f"axis {axes[0]}" if len(axes) == 1 else "axes " + " and ".join(map(str, axes))
        return (f"reduced to its {which} position along {along} alone (only the entries at {nm(at)}"
                f"{', and so along the other axes,' if len(axes) < len(shape) else ''} kept, every other set "
                f"to 0): your answer is one term of the sum over that position, the {which} one. A loop "
                f"that assigns (=) where it should add (+=) does this \u2014 each pass overwrites the one "
                f"before, so only the "
                + ("last position's term is left" if which == "last" else
                   "last pass's term is left, the first position's when the loop runs backwards")
                + " \u2014 as does indexing that one position alone")
    if how[0] == "shifted":
        a = how[1]
        return (f"replaced by itself minus its maximum along axis {a} (a shift such as "
                f"x - x.max(axis={a}) taken along axis {a}; a shift that leaves the answer unchanged "
                f"must be taken along the axis the computation sums over, with keepdims=True)")
    if how[0] == "dropped2":
        a, b = how[1], how[2]
        return (f"read without its last entry along axes {a} and {b} (only the leading "
                f"{shape[a] - 1} × {shape[b] - 1} entries used): a loop over both that stops one short "
                f"(range(n − 1)) never adds the rest in")
    if how[0] == "reversed2":
        a, b = how[1], how[2]
        j = list(zero)
        j[a], j[b] = shape[a] - 1, shape[b] - 1
        return (f"read in reverse order along axes {a} and {b} at once, rotated by 180° (where you need "
                f"{nm(zero)} you use {nm(j)}): a flip that turns a correlation into a convolution (or back), "
                f"where the computation has none")
    if how[0] == "reversed":
        a = how[1]
        i = list(zero)
        j = list(zero)
        j[a] = shape[a] - 1
        return f"read in reverse order along axis {a} (where you need {nm(i)} you use {nm(j)})"
    a, x, y = how[1], how[2], how[3]
    i = list(zero)
    i[a] = x
    j = list(zero)
    j[a] = y
    return (f"read with entries {x + 1} and {y + 1} along its axis {a} swapped "
            f"(e.g. {nm(i)} and {nm(j)})")


# ----------------------------------------------------------------------------- output

OUTPUT_MAPS: tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...] = (
    ("the sigmoid σ", lambda a: _sig(a)),
    ("ReLU, max(0, ·),", lambda a: np.maximum(a, 0.0)),
    ("tanh", np.tanh),
    ("exp", lambda a: np.exp(np.minimum(a, 700))),
    ("the absolute value |·|", np.abs),
    ("the square", np.square),
)


def output_map_finding(q, got: np.ndarray, exp: np.ndarray) -> str:
    """The answer is a function applied to the right one, element by element: an activation at
    a layer that has none (a sigmoid after pooling), or applied twice."""
    with np.errstate(all="ignore"):
        for words, f in OUTPUT_MAPS:
            cand = f(exp)
            if np.isfinite(cand).all() and _explains(q, got, cand, exp):
                return (f"Your answer is exactly {words} of the right one, element by element: a function "
                        f"applied to the result where the computation has none (an activation at a layer "
                        f"without one, or applied twice). Check the last step you apply.")
    return ""


def argument_map_finding(q, trials, got: np.ndarray, exp: np.ndarray) -> str:
    """The answer is one argument (of the answer's shape) as it is, or with a function applied
    element by element: ReLU of the incoming gradient where a mask of the pre-activations
    belongs, the argument returned unchanged.  The other arguments never enter it."""
    with np.errstate(all="ignore"):
        for arg, arr in trials.args.items():
            if np.asarray(arr).dtype.kind != "f" or np.shape(arr) != got.shape:
                continue
            a = np.asarray(arr, dtype=np.float64)
            for words, f in (("", lambda v: v),) + OUTPUT_MAPS:
                cand = f(a)
                if np.isfinite(cand).all() and _explains(q, got, cand, exp):
                    what = f"exactly the argument {arg} itself" if not words else f"exactly {words} of the argument {arg}"
                    others = [k for k in trials.args if k != arg]
                    return (f"Your answer is {what}, element by element, in every trial: "
                            + (f"{', '.join(others)} never enter{'s' if len(others) == 1 else ''} it. " if others else "")
                            + "Check the last step: what should multiply or select the entries of "
                            f"{arg} there?")
    return ""


# ----------------------------------------------------------------------------- activation

def _sig(x):
    """The logistic function without overflow (exp only of -|x|)."""
    x = np.asarray(x, dtype=float)
    small = np.exp(-np.abs(x))
    return np.where(x < 0, small, 1.0) / (small + 1.0)


ACTIVATIONS: tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...] = (
    ("tanh", np.tanh),
    ("nothing (the pre-activations themselves)", lambda a: a),
    ("ReLU, max(0, ·)", lambda a: np.maximum(a, 0.0)),
    ("a leaky ReLU, max(0.01·, ·)", lambda a: np.where(a > 0, a, 0.01 * a)),
    ("a leaky ReLU, max(0.1·, ·)", lambda a: np.where(a > 0, a, 0.1 * a)),
    ("a leaky ReLU, max(0.2·, ·)", lambda a: np.where(a > 0, a, 0.2 * a)),
    ("softplus, log(1 + e^·)", lambda a: np.logaddexp(0.0, a)),
    ("the sigmoid σ", _sig),
    ("σ(·)·(1 − σ(·)), the sigmoid's derivative", lambda a: _sig(a) * (1 - _sig(a))),
    ("1 − σ(·)", lambda a: 1.0 - _sig(a)),
    ("σ(2·), the sigmoid of twice the input ((1 + tanh)/2)", lambda a: _sig(2 * a)),
    ("σ(·/2), the sigmoid of half the input", lambda a: _sig(a / 2)),
    ("exp(·)", lambda a: np.exp(np.minimum(a, 700))),
    ("min(0, ·): ReLU's two branches swapped (np.where(a > 0, 0, a) keeps the negative values and zeroes the "
     "positive ones)", lambda a: np.minimum(a, 0.0)),
    ("max(0, −·), ReLU of the negated input", lambda a: np.maximum(-a, 0.0)),
    ("1 + e^(−·): the sigmoid written 1 / 1 + exp(−a), without parentheses around its denominator (the "
     "division binds first: 1/1, then + e^(−a))", lambda a: 1.0 + np.exp(-np.maximum(a, -700))),
    ("1 / (1 − e^(−·)), the sigmoid with a minus in its denominator", lambda a: 1.0 / (1.0 - np.exp(-a))),
    ("a softmax over the last axis", lambda a: np.exp(a - a.max(axis=-1, keepdims=True))
     / np.exp(a - a.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True)),
)


def activation_finding(q, trials, got, exp, act: Activation) -> list[str]:
    try:
        pre = np.asarray(act.pre(trials.args), dtype=np.float64)
    except Exception:  # noqa: BLE001
        return []
    if pre.shape != got.shape:
        return []
    for name, f in (ACTIVATIONS if act.options is None else act.options):
        with np.errstate(all="ignore"):
            cand = f(pre)
        if _explains(q, got, cand, exp):
            return [f"Your {act.what} is {name} applied to {act.inputs}; the activation in this "
                    f"layer is {act.name}."]
    clip = _clipped(q, got, exp, pre, act) or _shifted_pre(q, got, exp, pre, act) or _whole_pre(q, got, exp, pre, act) \
        or _split_activation(q, trials, got, exp, pre, act) or _summed_outer(q, trials, got, exp, act)
    return [clip] if clip else []


def _summed_outer(q, trials, got, exp, act: Activation) -> str:
    """The activation of a product of sums where a sum of products belongs: every entry of one
    argument replaced by the sum of all of them gives (Σ z)(Σ v), what a (12, 1) column times a
    (12,) row broadcasts to, summed (an outer product where a dot product belongs)."""
    if act.function is None:
        return ""
    for arg, arr in trials.args.items():
        a = np.asarray(arr)
        if a.dtype.kind != "f" or a.ndim < 2 or a.shape[1:] == () or int(np.prod(a.shape[1:])) < 2:
            continue
        total = np.broadcast_to(a.reshape(len(a), -1).sum(axis=1).reshape((len(a),) + (1,) * (a.ndim - 1)), a.shape)
        try:
            with np.errstate(all="ignore"):
                cand = act.function(np.asarray(act.pre({**trials.args, arg: np.ascontiguousarray(total)}),
                                               dtype=np.float64))
        except Exception:  # noqa: BLE001
            continue
        if cand.shape == got.shape and np.isfinite(cand).all() and _explains(q, got, cand, exp):
            return (f"Your {act.what} is {act.name} of a product of sums: the sum of all of {arg}'s entries times "
                    f"the sum of what each of them should meet, where each entry belongs times its own partner (a "
                    f"sum of products). A column (n, 1) times a row (n,) broadcasts to an n × n outer product, whose "
                    f"sum is exactly that: use a dot product (@, np.dot) or give both the same shape.")
    return ""


def _split_activation(q, trials, got, exp, pre, act: Activation) -> str:
    """The activation applied to the part of the sum from each index along some axes of an
    argument, and those results added (σ inside the loop over channels, the sum outside): each
    entry's own part of the pre-activations from one call of ``act.pre`` with that entry alone."""
    if act.function is None:
        return ""
    n, out_shape = len(got), got.shape[1:]
    for arg, arr in trials.args.items():
        sa = np.shape(arr)[1:]
        E = int(np.prod(sa)) if sa else 1
        if np.asarray(arr).dtype.kind != "f" or len(sa) < 1 or not 2 <= E <= REGROUP_ENTRIES or E * n > REGROUP_CALLS:
            continue
        parts = _one_entry_each(trials, arg, n, out_shape, act.pre)  # (T, *sa, *out): each entry's part
        if parts is None or not tolerance.all_within(q, parts.sum(axis=tuple(range(1, len(sa) + 1))), pre):
            continue  # the pre-activations are not the sum of the entries' parts
        running = np.zeros(got.shape)  # the activation after every term, on the running total
        each = parts.reshape((n, E) + tuple(out_shape))
        reach = (each != 0).any(axis=0)  # (E, *out): the entries that reach each element (in some trial)
        with np.errstate(all="ignore"):
            for e in range(E):
                running = np.where(reach[e], act.function(running + each[:, e]), running)
        if np.isfinite(running).all() and _explains(q, got, running, exp):
            return (f"Your {act.what} applies {act.name} after every term of the sum, to the running total: at "
                    f"each step of the loop over {arg}'s entries the total becomes {act.name} of itself plus the "
                    f"term, where {act.name} belongs once, on the whole sum, after the loop.")
        nd = len(sa)
        for r in range(1, nd + 1):
            for axes in itertools.combinations(range(nd), r):
                if r == nd and E == 1:
                    continue
                rest = tuple(a + 1 for a in range(nd) if a not in axes)
                partial = parts.sum(axis=rest) if rest else parts
                with np.errstate(all="ignore"):
                    cand = act.function(partial).sum(axis=tuple(range(1, len(axes) + 1)))
                if cand.shape == got.shape and _explains(q, got, cand, exp):
                    listed = " and ".join(map(str, axes))
                    return (f"Your {act.what} adds up {act.name} of partial sums: {act.name} applied to the part of "
                            f"{act.inputs} that comes from each index along axis {listed} of {arg} separately, and "
                            f"those results added, where {act.name} belongs once, on the whole sum (the activation "
                            f"inside the loop over axis {listed} of {arg}, where it belongs after the loop).")
    return ""


def _whole_pre(q, got, exp, pre, act: Activation) -> str:
    """The right activation of the pre-activations cut to whole numbers: the sums were stored
    in an integer array (truncated toward 0) or rounded before the activation."""
    if act.function is None:
        return ""
    for how, f in (("truncated toward 0", np.trunc), ("rounded", np.round), ("rounded down", np.floor)):
        with np.errstate(all="ignore"):
            cand = act.function(f(pre))
        if np.isfinite(cand).all() and _explains(q, got, cand, exp):
            return (f"Your {act.what} is {act.name} of {act.inputs} {how} to whole numbers, in every trial: "
                    f"the sums were kept as integers before {act.name} (an array made with dtype=int, "
                    f"np.zeros_like of an integer array, an int() or a round on the way).")
    return ""


def _shifted_pre(q, got, exp, pre, act: Activation) -> str:
    """The right activation of the pre-activations plus one constant, or times one constant
    (a bias or a factor that does not belong): the constant is read back through the inverse."""
    if act.function is None or act.inverse is None:
        return ""
    lo, hi = act.range if act.range is not None else (-np.inf, np.inf)
    if not ((got >= lo) & (got <= hi)).all():
        return ""
    with np.errstate(all="ignore"):
        back = act.inverse(got)
    ok = np.isfinite(back)  # (a saturated element reads back as ±inf: the others tell the constant)
    if 2 * ok.sum() <= ok.size:
        return ""
    for how, c in (("plus", float(np.median((back - pre)[ok]))), ("times", None)):
        if c is None:
            live = ok & (np.abs(pre) > 1e-3 * max(1.0, float(np.abs(pre).max())))
            if not live.any():
                continue
            c = float(np.median(back[live] / pre[live]))
        if not np.isfinite(c) or c == (0.0 if how == "plus" else 1.0):
            continue
        c = float(np.round(c, 6))
        with np.errstate(all="ignore"):
            cand = act.function(pre + c if how == "plus" else pre * c)
        if _explains(q, got, cand, exp):
            what = (f"{act.inputs} plus a constant {constant(c)}" if how == "plus"
                    else f"{constant(c)} times {act.inputs}")
            return (f"Your {act.what} is {act.name} of {what}, in every trial: a "
                    f"{'term' if how == 'plus' else 'factor'} that is not in the layer's input "
                    f"(a bias, a leftover constant).")
    return ""


def _clipped(q, got, exp, pre, act: Activation) -> str:
    """The right activation of an input clipped to ±c: right where |pre| <= c, f(±c) beyond
    (c read back through the activation's inverse)."""
    if act.function is None or act.inverse is None:
        return ""
    bad = tolerance.wrong(q, got, exp, axes=tuple(range(1, exp.ndim)))
    lo, hi = act.range if act.range is not None else (-np.inf, np.inf)
    if not bad.any() or not ((got > lo) & (got < hi)).all():
        return ""
    with np.errstate(all="ignore"):
        logit = act.inverse(got[bad])
    c = float(np.median(np.abs(logit)))
    if not np.isfinite(c) or c <= 0 or np.abs(np.abs(logit) - c).max() > 1e-3 * max(1.0, c):
        return ""
    c = float(np.round(c, 6)) if abs(c - round(c)) > 1e-6 else float(round(c))
    with np.errstate(all="ignore"):
        cand = act.function(np.clip(pre, -c, c))
    if not _explains(q, got, cand, exp):
        return ""
    return (f"Your activation clips its input to ±{constant(c)}: it is wrong only where "
            f"{act.name} saturates (|input| > {constant(c)}), where it stays at its value at "
            f"±{constant(c)}, and right everywhere else." + (f" {act.note}" if act.note else ""))


def range_finding(got: np.ndarray, act: Activation) -> list[str]:
    """A fact about the values alone: outside the activation's range."""
    if act.range is None:
        return []
    lo, hi = act.range
    facts = []
    if (got < lo).any():
        facts.append("negative values" if lo == 0 else f"values below {constant(lo)}")
    if (got > hi).any():
        facts.append(f"values above {constant(hi)}")
    if not facts:
        return []
    return [f"{act.what} must lie in ({constant(lo)}, {constant(hi)}) (the range of {act.name}); "
            f"yours has {' and '.join(facts)}."]


# ----------------------------------------------------------------------------- expression

def expression_finding(q, trials, got, exp, ex: Expression) -> str:
    """The simplest choice of slot options and branch constants reproducing every trial."""
    args = trials.args
    values: list[list[np.ndarray | None]] = [[None] * len(s) for s in ex.slots]

    def value(s, i):
        if values[s][i] is None:
            values[s][i] = ex.slots[s][i].value(args)
        return values[s][i]

    n = len(got)
    gflat = got.reshape(n, -1)
    # weigh each trial by its own scale, as the tolerance does
    peak = np.maximum(np.abs(exp).reshape(n, -1).max(axis=1), np.abs(gflat).max(axis=1))
    w = (1.0 / np.where(peak > 0, peak, 1.0))[:, None]
    screen = None
    live = np.flatnonzero((np.abs(exp).reshape(n, -1).max(axis=1) > 0) & (np.abs(gflat).max(axis=1) > 0))
    if ex.product and len(live) >= 3 and n > 3:
        rows = live[:3]
        sub = {k: v[rows] for k, v in args.items()}
        cache: dict = {}

        def sub_value(s, i):
            if (s, i) not in cache:
                cache[s, i] = ex.slots[s][i].value(sub)
            return cache[s, i]
        screen = (sub, sub_value, rows)
    for changes in range(0, ex.max_changes + 1):
        combos = [combo for wrong in itertools.combinations(range(len(ex.slots)), changes)
                  for combo in itertools.product(*[range(1, len(ex.slots[s])) if s in wrong else (0,)
                                                   for s in range(len(ex.slots))])]
        if ex.product:
            if screen is not None:  # a few trials first: most candidates fail there, cheaply
                combos = [f[0] for f in _level_product(q, ex, screen[0], screen[1], combos, got[screen[2]],
                                                       exp[screen[2]], gflat[screen[2]], w[screen[2]],
                                                       differs=False)]
            found = _level_product(q, ex, args, value, combos, got, exp, gflat, w)
        elif ex.build_many is not None:
            found = _level_product(q, ex, args, value, combos, got, exp, gflat, w)
        else:
            found = _level_each(q, ex, args, value, combos, got, exp, gflat, w)
        if changes == 0:
            found = [f for f in found if not np.all(f[1] == 1)]
        if found:
            if changes == 0:
                return _say_branch_constants(ex, found[0][1])
            # most plausible first: one consistent wrong option (the same index in every wrong
            # slot, e.g. one helper used twice), then the data's own order of options
            found.sort(key=lambda f: (len({i for i in f[0] if i}), sum(f[0])))
            combo, c = found[0]
            others = [f for f in found[1:] if f[0] != combo]
            if len(others) > 2:
                return ""  # too many expressions fit these trials to name one
            said = _say_expression(ex, combo, c)
            if others:  # equally true of every trial: name them too, the first listed first
                said += " On these trials it also behaves like: " + "; ".join(
                    _say_expression(ex, f[0], f[1], bare=True) for f in others) + "."
            return said
    return _one_branch(q, ex, args, value, got, exp)


def _branch_bases(ex: Expression, args, value, combos) -> np.ndarray | None:
    """Bases (N, B, T, *answer) of each combo, however the expression is built."""
    try:
        if ex.build_many is not None:
            return np.asarray(ex.build_many(args, combos), dtype=np.float64)
        if ex.product:
            shape = np.broadcast_shapes(*(np.shape(value(s, i)) for s in range(len(ex.slots))
                                          for i in range(len(ex.slots[s]))))
            P = None
            for s in range(len(ex.slots)):
                opts = np.stack([np.broadcast_to(np.asarray(value(s, i), dtype=np.float64), shape)
                                 for i in range(len(ex.slots[s]))])
                pick = opts[[combo[s] for combo in combos]]
                P = pick if P is None else P * pick
            return np.asarray(ex.build(args, P), dtype=np.float64)
        return np.stack([np.asarray(ex.build(args, [value(s, i) for s, i in enumerate(c)]), dtype=np.float64)
                         for c in combos])
    except Exception:  # noqa: BLE001 - data that can't be built finds nothing
        return None


def _one_branch(q, ex: Expression, args, value, got, exp) -> str:
    """Every branch right but one, and that one with one slot's option changed (o_2's error
    term without its sigmoid derivative while o_1's is right): per-part decomposition."""
    if len(ex.branches) < 2:
        return ""
    combos = [tuple(0 for _ in ex.slots)] + [
        tuple(i if t == s else 0 for t in range(len(ex.slots))) for s in range(len(ex.slots))
        for i in range(1, len(ex.slots[s]))]
    bases = _branch_bases(ex, args, value, combos)
    if bases is None or bases.ndim < 3 or bases.shape[2:] != got.shape or bases.shape[0] != len(combos):
        return ""
    n_b = bases.shape[1]
    if n_b != len(ex.branches):
        return ""
    right = bases[0]
    if not bool(close_trials(q, exp, right.sum(axis=0)).all()):
        return ""  # the data does not describe the right answer this way
    total = right.sum(axis=0)
    gflat = got.reshape(len(got), -1)
    found = []
    for b in range(n_b):
        cands = (total[None] - right[b][None] + bases[1:, b]).reshape(len(combos) - 1, len(got), -1)
        hits = _close_many(q, gflat, cands).all(axis=1)
        for i in np.flatnonzero(hits):
            if not bool(close_trials(q, exp, cands[i].reshape(got.shape)).all()):
                found.append((b, combos[i + 1]))
    if not found or len(found) > 2:
        return ""
    parts = []
    for b, combo in found:
        opts = [ex.slots[s][i] for s, i in enumerate(combo)]
        expr = ex.render(["" if o.text == "1" else o.text for o in opts])
        note = " ".join(o.note for s, o in enumerate(opts) if combo[s] and o.note)
        right_names = [ex.branches[x] for x in range(n_b) if x != b]
        parts.append(f"only {ex.branches[b]} is off: for it yours behaves like "
                     f"{ex.lhs + ' = ' if ex.lhs else ''}{expr}, taken for {ex.branches[b]} only"
                     f" ({(note[:1].lower() + note[1:]).rstrip('.')} there), while {' and '.join(right_names)} "
                     f"{'is' if len(right_names) == 1 else 'are'} right")
    said = " \u2014 or ".join(parts)
    return said[0].upper() + said[1:] + ", in every trial."


def _level_each(q, ex, args, value, combos, got, exp, gflat, w) -> list:
    """Candidates one by one (any ``build``)."""
    found = []
    for combo in combos:
        try:
            bases = np.asarray(ex.build(args, [value(s, i) for s, i in enumerate(combo)]), dtype=np.float64)
        except Exception:  # noqa: BLE001
            continue
        if bases.shape[1:] != got.shape:
            continue
        c = _fit_constants(bases, gflat, w, ex.constants)
        if c is None:
            continue
        cand = (c.reshape((-1,) + (1,) * got.ndim) * bases).sum(axis=0)
        if _explains(q, got, cand, exp):
            found.append((combo, c))
    return found


def _level_product(q, ex, args, value, combos, got, exp, gflat, w, differs: bool = True) -> list:
    """Every candidate of a level at once: stacked products, batched fits and checks.
    ``differs=False`` keeps candidates equal to the right answer (a screen on a few trials)."""
    if not combos:
        return []
    bases = _branch_bases(ex, args, value, combos)  # (N, B, T, *answer)
    if bases is None:  # data that can't be batched just finds nothing
        return []
    return _level_bases(q, ex, bases, combos, got, exp, gflat, w, differs)


def _level_bases(q, ex, bases, combos, got, exp, gflat, w, differs) -> list:
    """Fit the constants of every candidate's bases (N, B, T, *answer) and keep those that
    reproduce ``got`` on every trial."""
    if bases.shape[:1] != (len(combos),) or bases.shape[2:] != got.shape:
        return []
    n, b = bases.shape[:2]
    c = _fit_many(bases, gflat, w) if ex.constants else np.ones((n, b))
    ok = np.isfinite(c).all(axis=1)
    if not ok.any() and differs:
        return []
    cand = np.einsum("nb,nb...->n...", np.where(np.isfinite(c), c, 0.0), bases).reshape(n, len(got), -1)
    hits = ok & _close_many(q, gflat, cand).all(axis=1)
    if not differs:  # a screen: constants it cannot determine on its few trials don't reject
        hits |= ~ok
    if not hits.any():
        return []
    ef = exp.reshape(len(exp), -1)
    found = []
    for i in np.flatnonzero(hits):
        if not differs or not _close_many(q, cand[i], ef[None])[0].all():  # not the right answer
            found.append((combos[i], c[i]))
    return found


def _close_many(q, got: np.ndarray, cands: np.ndarray) -> np.ndarray:
    """(N, T): got (T, E) within tolerance of each candidate (N, T, E), cand as the reference."""
    return tolerance.within(q, got[None], cands, axes=-1).all(axis=-1)


def _fit_many(bases, gflat, w) -> np.ndarray:
    """Batched least-squares constants (N, B), snapped to NICE; NaN where undetermined."""
    n, b = bases.shape[:2]
    A = (bases.reshape(n, b, len(gflat), -1) * w[None, None]).reshape(n, b, -1)
    y = (gflat * w).ravel()
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        gram = np.einsum("nbi,nci->nbc", A, A)
        rhs = A @ y
        if b == 1:
            c = rhs / gram[:, 0]
        elif b == 2:
            det = gram[:, 0, 0] * gram[:, 1, 1] - gram[:, 0, 1] * gram[:, 1, 0]
            big = np.abs(gram).reshape(n, -1).max(axis=1) ** 2
            det = np.where(np.abs(det) > 1e-12 * big, det, np.nan)
            c = np.stack([(gram[:, 1, 1] * rhs[:, 0] - gram[:, 0, 1] * rhs[:, 1]) / det,
                          (gram[:, 0, 0] * rhs[:, 1] - gram[:, 1, 0] * rhs[:, 0]) / det], axis=1)
        else:
            c = np.stack([np.linalg.lstsq(g, r, rcond=None)[0] for g, r in zip(gram, rhs)])
    out = np.full((n, b), np.nan)
    good = np.isfinite(c).all(axis=1)
    out[good] = _nice(c[good])
    return out


def _fit_constants(bases, gflat, w, free: bool):
    """Least-squares branch constants snapped to NICE values (or all 1 when not free)."""
    b = len(bases)
    if not free:
        return np.ones(b)
    A = (bases.reshape(b, len(gflat), -1) * w[None]).reshape(b, -1)
    y = (gflat * w).ravel()
    gram = A @ A.T
    rhs = A @ y
    if not (np.isfinite(gram).all() and np.isfinite(rhs).all()):
        return None
    if b == 1:
        return _nice(rhs / gram[0]) if gram[0, 0] > 0 else None
    det = np.linalg.det(gram)
    if abs(det) <= 1e-12 * max(1.0, float(np.abs(gram).max()) ** b):
        return None  # the branches can't be told apart on these trials
    return _nice(np.linalg.solve(gram, rhs))


def _say_branch_constants(ex: Expression, c) -> str:
    """Every factor right, but the branches weighted differently (the o_2 term doubled ...)."""
    if len(set(c.tolist())) == 1:
        return ""  # one constant for all: the scale finding says it
    parts, right = [], []
    for b, ci in enumerate(c):
        name = ex.branches[b] if b < len(ex.branches) else f"branch {b + 1}"
        if ci == 1:
            right.append(name)
        elif ci == 0:
            parts.append(f"{name} is missing")
        elif ci == -1:
            parts.append(f"{name} has the wrong sign (-1 times what it should be)")
        else:
            parts.append(f"{name} is {constant(float(ci))} times what it should be")
    tail = f"; {' and '.join(right)} {'is' if len(right) == 1 else 'are'} right" if right else ""
    return "Your answer is made of the right terms, weighted wrongly: " + "; ".join(parts) + tail + \
        ", in every trial."


def _say_expression(ex: Expression, combo, c, bare: bool = False) -> str:
    opts = [ex.slots[s][i] for s, i in enumerate(combo)]
    texts = ["" if o.text == "1" else o.text for o in opts]
    expr = ex.render(texts)
    if len(set(c.tolist())) == 1:
        if c[0] != 1:
            inner = f"({expr})" if _loose(expr) else expr
            expr = ("−" if c[0] == -1 else f"{constant(float(c[0]))}·") + inner
    else:
        per = [f"{constant(float(ci))} for {ex.branches[b] if b < len(ex.branches) else f'branch {b + 1}'}"
               for b, ci in enumerate(c) if ci != 1]
        expr += " (times " + ", ".join(per) + ")"
    if bare:
        return f"{ex.lhs} = {expr}" if ex.lhs else expr
    notes = [o.note for s, o in enumerate(opts) if combo[s] != 0 and o.note]
    said = f"Yours behaves like {ex.lhs} = {expr}." if ex.lhs else f"What yours computes: {expr}."
    return said + (" " + " ".join(notes) if notes else "")


def _loose(expr: str) -> bool:
    """True if a factor in front of ``expr`` needs parentheses (a sum at depth 0, or Σ)."""
    depth = 0
    for i, ch in enumerate(expr):
        depth += ch in "([{" and 1 or 0
        depth -= ch in ")]}" and 1 or 0
        if depth == 0 and expr[i:i + 3] in (" + ", " − "):
            return True
    return expr.startswith("Σ")


# ----------------------------------------------------------------------------- terms

def terms_finding(q, trials, got, exp, tm: Terms, max_listed: int = 3) -> str:
    """Fit each element as a combination of the named terms; describe those that differ."""
    try:
        T = np.asarray(tm.terms(trials.args), dtype=np.float64)
    except Exception:  # noqa: BLE001
        return ""
    n = len(got)
    if T.ndim != got.ndim + 1 or T.shape[0] != n or T.shape[2:] != got.shape[1:]:
        return ""
    J = T.shape[1]
    ax = None if tm.shared_axis is None else tm.shared_axis % (got.ndim - 1)
    # samples: trials x shared axis; unknowns: J per element
    if ax is not None:
        Tm = np.moveaxis(T, ax + 2, 1)  # (n, K, J, *elem)
        Gm = np.moveaxis(got, ax + 1, 1)  # (n, K, *elem)
        Em = np.moveaxis(exp, ax + 1, 1)
        elem_shape = Gm.shape[2:]
        Tm = Tm.reshape(n * Tm.shape[1], J, -1)
        Gm = Gm.reshape(-1, int(np.prod(elem_shape)))
        Em = Em.reshape(-1, int(np.prod(elem_shape)))
    else:
        elem_shape = got.shape[1:]
        Tm, Gm, Em = T.reshape(n, J, -1), got.reshape(n, -1), exp.reshape(n, -1)
    A_all = np.transpose(Tm, (2, 0, 1))  # (E, N, J)

    def unflat(flat):
        flat = flat.reshape((len(flat),) + elem_shape)
        if ax is not None:
            flat = np.moveaxis(flat.reshape((n, -1) + elem_shape), 1, ax + 1)
        return flat.reshape(got.shape)

    for cols in tm.subsets or (tuple(range(J)),):
        cols = [j for j in cols if 0 <= j < J]
        A = A_all[:, :, cols]
        active = (np.abs(A) > 0).any(axis=1)  # (E, j): terms that exist at each element
        coef_g = _fit_terms(A, Gm.T, active)
        if coef_g is None or not _explains(q, got, unflat(np.einsum("enj,ej->ne", A, coef_g)), exp):
            continue
        # the right answer must itself be such a combination (else the terms don't describe it)
        coef_e = _fit_terms(A, Em.T, active)
        if coef_e is None or not bool(close_trials(q, exp, unflat(np.einsum("enj,ej->ne", A, coef_e))).all()):
            continue
        full_g, full_e = np.zeros((len(A), J)), np.zeros((len(A), J))
        full_g[:, cols], full_e[:, cols] = coef_g, coef_e
        return _say_term_fit(tm, full_g, full_e, elem_shape, max_listed)
    return ""


def _say_term_fit(tm: Terms, coef_g, coef_e, elem_shape, max_listed: int) -> str:
    differ = [e for e in range(coef_g.shape[0]) if not np.array_equal(coef_g[e], coef_e[e])]
    if not differ:
        return ""
    J = coef_g.shape[1]
    for d in range(1, J):  # every right term traded for the term d places on (another gate of it)
        if coef_e[:, J - d:].any() or coef_g[:, :d].any():
            continue
        if np.array_equal(coef_g[:, d:], coef_e[:, :J - d]):
            e = differ[0]
            j = int(np.flatnonzero(coef_e[e])[0])
            idx = tuple(int(i) for i in np.unravel_index(e, elem_shape))
            return (f"Your answer has the right terms in every element, each one taken under another "
                    f"condition: where the right answer has {tm.name(j, idx)}, yours has "
                    f"{tm.name(j + d, idx)}, and so for every term of every element (in every trial).")
    lines = []
    for e in differ[:max_listed]:
        idx = tuple(int(i) for i in np.unravel_index(e, elem_shape))
        lines.append(_say_terms(tm, idx, coef_g[e], coef_e[e]))
    more = f"; and {len(differ) - max_listed} more element(s) differ" if len(differ) > max_listed else ""
    return ("What your answer computes, element by element (in every trial): "
            + "; ".join(lines) + more + "." + _surplus_note(coef_g[differ], coef_e[differ]))


def _surplus_note(mine: np.ndarray, right: np.ndarray) -> str:
    """Every right term kept at its right factor and some added on top (a term counted twice, a
    neighbour's term): the signature of values read back after they were updated -- an array
    changed in place while it is still read (a slice is a view of its array), or a result
    reused as an input.  Said as the possibilities they are."""
    if not (right >= 0).all() or not (mine >= right).all():
        return ""
    twice = bool(((right > 0) & (mine > right)).any())
    foreign = bool(((right == 0) & (mine > 0)).any())
    extra = " and ".join(w for w, on in (("some of them more than once", twice),
                                          ("terms that belong to other elements", foreign)) if on)
    return (f" Your answer holds every right term, with {extra} on top: values read after they were already "
            "updated do this — an array changed in place (+=) while it is still being read (a slice "
            "such as p[1:, 1:] is a view: adding to it changes p as well, so later reads of p see the "
            "sums), a result written into the array it is computed from — or one term added in two places.")


def _fit_terms(A, Y, active):
    """Per element least squares over the active terms (batched normal equations, each element
    scaled to its own size), coefficients snapped to NICE."""
    E, N, J = A.shape
    scale = np.abs(Y).max(axis=1)
    scale = np.where(scale > 0, scale, 1.0)
    Am = A * active[:, None, :]
    gram = np.einsum("enj,enk->ejk", Am, Am) + np.eye(J)[None] * ~active[:, :, None]
    rhs = np.einsum("enj,en->ej", Am, Y / scale[:, None])
    try:
        c = np.linalg.solve(gram, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:  # some element's terms coincide: one at a time, least squares
        c = np.zeros((E, J))
        for e in range(E):
            cols = np.flatnonzero(active[e])
            if len(cols):
                c[e, cols] = np.linalg.lstsq(A[e][:, cols], Y[e] / scale[e], rcond=None)[0]
    if not np.isfinite(c).all():
        return None
    return np.where(active, _nice(c * scale[:, None]), 0.0)


def _say_terms(tm: Terms, idx, mine, right) -> str:
    def combo(coef):
        parts = []
        for j, c in enumerate(coef):
            if c == 0:
                continue
            term = tm.name(j, idx)
            parts.append((c, term))
        if not parts:
            return "0"
        s = ""
        for i, (c, term) in enumerate(parts):
            sign = "−" if c < 0 else "+"
            mag = abs(c)
            body = term if mag == 1 else f"{constant(mag)}·{term}"
            s += (("−" if c < 0 else "") + body) if i == 0 else f" {sign} {body}"
        return s
    text = f"your {tm.element(idx)} = {combo(mine)}"
    left_out = [tm.name(j, idx) for j in range(len(mine)) if mine[j] == 0 and right[j] != 0]
    extra = [j for j in range(len(mine)) if mine[j] != 0 and right[j] == 0]
    if left_out and not extra and len(left_out) <= 2:  # a pure omission: say which term
        text += " (no " + " or ".join(left_out) + " term)"
    return text


# ----------------------------------------------------------------------------- conditions

def condition_finding(q, trials, got, exp, features: Features | None) -> str:
    """Right on some trials, wrong on others: the trial fact (edge case, feature) that picks out
    exactly the wrong ones, or the smallest one containing them all."""
    ok = close_trials(q, got, exp)
    bad = ~ok
    n = len(ok)
    if bad.all() or not bad.any():
        return ""
    sets: list[tuple[str, np.ndarray]] = []
    labels = np.asarray(list(trials.labels), dtype=object)
    for lab in dict.fromkeys(trials.labels):
        kind = re.sub(r"^public case \d+: ", "", lab)  # (the handout's cases are labelled so)
        if kind != "random":
            sets.append((f"on the edge case “{kind.removeprefix('edge: ')}”", labels == lab))
    if features is not None:
        for desc, f in features.items:
            try:
                m = np.asarray(f(trials.args), dtype=bool).reshape(n)
            except Exception:  # noqa: BLE001
                continue
            sets.append((f"when {desc}", m))
    best = None
    for desc, m in sets:
        if m.all() or not m.any() or (bad & ~m).any():
            continue
        if 2 * bad.sum() < m.sum():
            continue  # true but no explanation: most trials with that fact are right
        if best is None or m.sum() < best[1].sum():
            best = (desc, m)
    if best is None:
        return ""
    desc, m = best
    exact = bool(np.array_equal(m, bad))
    where = "" if exact else f" (on {int(bad.sum())} of the {int(m.sum())} such trials)"
    said = f"Your answer is right on {int(ok.sum())} of {n} trials and wrong only {desc}{where}"
    gb = got[bad]
    if not q.exact and np.all(gb == 0):
        said += ": there you return zeros"
    elif not q.exact:
        eb = exp[bad]
        den = float((eb * eb).sum())
        if den > 0:
            c = float(_nice((gb * eb).sum() / den))
            if c != 1 and bool(close_trials(q, gb, c * eb).all()):
                said += f": there your answer is {constant(c)} times the right one"
    return said + "."


# ----------------------------------------------------------------------------- regrouped terms

REGROUP_ENTRIES = 64  # an argument's entries (one trial) up to which its terms are separated
REGROUP_CALLS = 4096  # trials x entries evaluated at most per argument (one reference call)


def _terms_of(trials, arg: str, n: int, out_shape) -> np.ndarray | None:
    """Each entry's own contribution to the answer when the right computation is a sum of one
    term per entry of ``arg``: (T, *arg shape, *answer shape), from one reference call with all
    entries but one set to 0; None when the right answer is not the sum of those terms."""
    held = getattr(_TERMS, "held", None)  # (the regrouping and the routing probes ask for the same)
    if held is None:
        held = _TERMS.held = []
    key = (trials.args[arg], trials.reference, n, tuple(out_shape))
    for k, v in held:
        if all(a is b for a, b in zip(k[:2], key[:2])) and k[2:] == key[2:]:
            return v
    out = _terms_uncached(trials, arg, n, out_shape)
    held.append((key, out))
    del held[:-TERMS_HELD]
    return out


_TERMS = threading.local()
TERMS_HELD = 6  # an answer's arguments' terms kept per thread (a question has a few arguments)


def _separable(trials, got, exp, least: int = 1):
    """(argument, its batched values, its shape, its number of entries, each entry's own
    contribution to the right answer) for every float argument (of ``least`` to REGROUP_ENTRIES
    entries) whose contributions :func:`_terms_of` can separate -- what the regrouping, routing
    and contribution probes each look at."""
    if trials.reference is None or got.ndim < 2 or got.shape != exp.shape:
        return
    n, out_shape = len(got), got.shape[1:]
    for arg, arr in trials.args.items():
        sa = np.shape(arr)[1:]
        E = int(np.prod(sa)) if sa else 1
        if np.asarray(arr).dtype.kind != "f" or not sa or not least <= E <= REGROUP_ENTRIES or E * n > REGROUP_CALLS:
            continue
        terms = _terms_of(trials, arg, n, out_shape)
        if terms is not None:
            yield arg, arr, sa, E, terms


def _terms_uncached(trials, arg: str, n: int, out_shape) -> np.ndarray | None:
    return _one_entry_each(trials, arg, n, out_shape, trials.reference)


def _one_entry_each(trials, arg: str, n: int, out_shape, f) -> np.ndarray | None:
    """``f`` (batched, like the reference) on the trials with every entry of ``arg`` but one set
    to 0, for each entry in turn, in one call: (T, *arg shape, *answer shape); None where it
    raises or is not finite."""
    arr = np.asarray(trials.args[arg], dtype=np.float64)
    sa = arr.shape[1:]
    E = int(np.prod(sa)) if sa else 1
    eye = np.eye(E).reshape((E, 1) + sa)
    big = {k: (np.ascontiguousarray((eye * arr[None]).reshape((E * n,) + sa)) if k == arg
               else np.concatenate([v] * E)) for k, v in trials.args.items()}
    try:
        with np.errstate(all="ignore"):
            R = np.asarray(f(big), dtype=np.float64).reshape((E, n) + tuple(out_shape))
    except Exception:  # noqa: BLE001
        return None
    if not np.isfinite(R).all():
        return None
    return np.moveaxis(R, 0, 1).reshape((n,) + sa + tuple(out_shape))


def regrouped_finding(q, trials, got, exp) -> str:
    """The right terms summed over the wrong axes: where the answer is a sum of one term per
    entry of an argument (its contribution; linear in it), the student's answer is those same
    terms summed over another set of axes (the argument's and the answer's), the kept ones
    laid out as the answer's axes -- possible only where those axes have the same lengths
    (a sum over (row, channel) where (row, column) belongs, with 3 rows, columns and channels)."""
    n, out_shape = len(got), got.shape[1:]
    no = len(out_shape)
    for arg, _arr, sa, _E, terms in _separable(trials, got, exp):
        na = len(sa)
        if not bool(close_trials(q, terms.reshape((n, -1) + tuple(out_shape)).sum(axis=1), exp).all()):
            continue  # not a sum of one term per entry of this argument
        labels: list = [("arg", a) for a in range(na)] + [("out", b) for b in range(no)]
        J = terms
        scale = float(np.abs(J).max()) or 1.0
        # an argument axis and an answer axis that pair up (the term is 0 off their diagonal: a
        # channel k of the argument reaches only channel k of the answer) become one axis
        for a in range(na):
            for b in range(no):
                ia, ib = labels.index(("arg", a)) if ("arg", a) in labels else -1, \
                    labels.index(("out", b)) if ("out", b) in labels else -1
                if ia < 0 or ib < 0 or J.shape[1 + ia] != J.shape[1 + ib] or J.shape[1 + ia] < 2:
                    continue
                L = J.shape[1 + ia]
                off = ~np.eye(L, dtype=bool)
                moved = np.moveaxis(J, (1 + ia, 1 + ib), (-2, -1))
                if np.abs(moved[..., off]).max() > 1e-12 * scale:
                    continue
                J = np.diagonal(J, axis1=1 + ia, axis2=1 + ib)  # (the pair goes last)
                labels = [lab for k, lab in enumerate(labels) if k not in (ia, ib)] + [("both", a, b)]
        right_keep = [next(k for k, lab in enumerate(labels) if lab[0] != "arg" and lab[-1] == b)
                      for b in range(no)]
        for keep in itertools.permutations(range(len(labels)), no):
            if list(keep) == right_keep or any(J.shape[1 + k] != out_shape[i] for i, k in enumerate(keep)):
                continue
            drop = tuple(1 + k for k in range(len(labels)) if k not in keep)
            # what stays, in the order kept (the summed axes removed first)
            rest = [k for k in range(len(labels)) if k in keep]
            cand = J.sum(axis=drop).transpose(0, *(1 + rest.index(k) for k in keep))
            if _explains(q, got, cand, exp):
                return _say_regrouped(arg, labels, keep, right_keep)
    return ""


def _say_regrouped(arg: str, labels, keep, right_keep) -> str:
    def words(lab):
        if lab[0] == "arg":
            return f"{arg}'s axis {lab[1]}"
        if lab[0] == "out":
            return f"the answer's axis {lab[1]}"
        return f"{arg}'s axis {lab[1]} (paired with the answer's axis {lab[2]})"

    def listing(ks):
        return ", ".join(words(labels[k]) for k in ks) if ks else "no axis"

    right_sum = [k for k in range(len(labels)) if k not in right_keep]
    mine_sum = [k for k in range(len(labels)) if k not in keep]
    along = "; ".join(f"your axis {i} runs along {words(labels[k])}" for i, k in enumerate(keep))
    return (f"Each entry of {arg} adds one term to the answer. The right answer sums those terms over "
            f"{listing(right_sum)}; yours is exactly the same terms summed over {listing(mine_sum)} instead "
            f"({along}): a sum over the wrong axes (the axis= of a sum, or an einsum's indices), "
            f"which the shapes let through only because those axes have the same length.")


# ----------------------------------------------------------------------------- routing

def _ordinal_word(i: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(i, f"{i}th")


def _routings(q, trials, got, exp):
    """(argument, its entries (T, E), each entry's window W (E, w: flat answer indices,
    row-major), the argument choosing in the window, its values (T, size), "largest" or
    "smallest", the right element's place in each window (T, E), each window's elements
    ordered by that argument (T, E, w)) for every way the right answer routes an argument's
    entries whole, one element each -- :func:`routing_finding`'s structure, from the
    reference alone (``got`` only gives the shapes)."""
    n, out_shape = len(got), got.shape[1:]
    size = int(np.prod(out_shape))
    for arg, arr, sa, E, terms in _separable(trials, got, exp):
        terms = terms.reshape(n, E, size)
        A = np.asarray(arr, dtype=np.float64).reshape(n, E)
        nz = terms != 0
        if (nz.sum(axis=-1) > 1).any():
            continue  # not a routing: an entry reaches several elements
        valid = nz.any(axis=-1)
        r = nz.argmax(axis=-1)
        if not tolerance.all_within(q, np.take_along_axis(terms, r[..., None], -1)[..., 0][valid], A[valid]):
            continue  # the entry is not sent whole
        W = _window_boxes([np.unique(r[valid[:, e], e]) for e in range(E)], out_shape)
        if W is None:
            continue  # (E, w): each entry's window, flat answer indices, row-major
        for barg, B in trials.args.items():
            if barg == arg or np.shape(B)[1:] != out_shape:
                continue
            Bflat = np.asarray(B, dtype=np.float64).reshape(n, size)
            order = np.argsort(Bflat[:, W], axis=-1, kind="stable")
            pick = {"largest": order[..., -1], "smallest": order[..., 0]}
            right = next((k for k, p in pick.items() if np.array_equal(W[np.arange(E), p][valid], r[valid])), None)
            if right is not None:
                yield arg, A, W, barg, Bflat, right, pick[right], order, sa


def _window_boxes(seen: list, out_shape) -> np.ndarray | None:
    """Each entry's window, from the elements it was seen to reach over the trials: the box they
    span (a window position no trial happened to pick is still in it), the same shape for every
    entry; (E, w) flat answer indices, row-major.  None where an entry reached fewer than two
    elements or the boxes differ in shape."""
    boxes = []
    for w in seen:
        if len(w) < 2:
            return None
        coords = np.stack(np.unravel_index(w, out_shape), axis=-1)
        lo, hi = coords.min(axis=0), coords.max(axis=0) + 1
        grid = np.meshgrid(*[np.arange(a, b) for a, b in zip(lo, hi)], indexing="ij")
        boxes.append(np.ravel_multi_index(tuple(g.ravel() for g in grid), out_shape))
    if len({len(b) for b in boxes}) != 1:
        return None
    return np.stack(boxes)


def routing_finding(q, trials, got, exp) -> str:
    """Each entry of an argument sent whole to one element of the answer, chosen in a window
    by another argument's values (max-pool backward: each window's error to its largest y):
    the window of an entry is every element it reaches over the trials.  Which element the
    student's code picks instead: where that argument is smallest or second largest, always the
    same position of the window, the position mirrored or transposed in it, or the next one in
    row-major order (a flat index decoded off by one)."""
    out_shape = got.shape[1:]
    for arg, A, W, barg, Bflat, right, right_pick, order, sa in _routings(q, trials, got, exp):
        said = _route_rules(q, got, exp, A, W, right_pick, order, out_shape, right, barg) \
            or _complement_rule(q, got, exp, A, W, Bflat, right, barg) \
            or _strided_rule(q, got, exp, A, W, Bflat, out_shape, right, barg) \
            or _running_rule(q, got, exp, A, W, Bflat, sa, right, barg)
        if said:
            return _routed_words(arg, W, barg, right, said)
    return ""


def _strided_windows(W: np.ndarray, out_shape, step: int) -> list[np.ndarray] | None:
    """Each entry's window (flat answer indices) moved to start at ``step`` times its start
    along the window's own axes, cut at the array's edge: the windows of a stride of ``step``
    where the layer's stride is 1.  None where the windows are not boxes of one shape."""
    coords = np.stack(np.unravel_index(W, out_shape), axis=-1)  # (E, w, nd)
    lo = coords.min(axis=1)
    ext = coords.max(axis=1) - lo + 1
    if not (ext == ext[:1]).all() or int(np.prod(ext[0])) != W.shape[1]:
        return None
    spans = ext[0] > 1
    out = []
    for e in range(len(W)):
        start = np.where(spans, lo[e] * step, lo[e])
        stop = np.minimum(start + ext[0], np.asarray(out_shape))
        if (stop <= start).any():
            out.append(np.zeros(0, dtype=np.intp))
            continue
        grid = np.meshgrid(*[np.arange(a, b) for a, b in zip(start, stop)], indexing="ij")
        out.append(np.ravel_multi_index(tuple(g.ravel() for g in grid), out_shape))
    return out


def _strided_rule(q, got, exp, A, W, B, out_shape, right: str, barg: str) -> str:
    """Each entry sent to the chosen element of a window that starts at a multiple of 2 or of
    the window's size (a pooling helper's stride defaulting to the window size, where the
    windows here overlap with stride 1)."""
    sizes = sorted({2, *(int(v) for v in (np.ptp(np.stack(np.unravel_index(W, out_shape), -1), axis=1) + 1).ravel()
                         if v > 1)})
    n = len(A)
    for step in sizes:
        wins = _strided_windows(W, out_shape, step)
        if wins is None:
            continue
        cand = np.zeros(B.shape)
        for e, win in enumerate(wins):
            if len(win):
                vals = B[:, win]
                k = vals.argmax(axis=1) if right == "largest" else vals.argmin(axis=1)
                np.add.at(cand, (np.arange(n), win[k]), A[:, e])
        if _explains(q, got, cand.reshape(got.shape), exp):
            return (f"the element where {barg} is {right} in a window that starts at {step} times its window's "
                    f"start: windows with a stride of {step}, which do not overlap, where the layer's windows move "
                    f"by 1 and overlap (a pooling helper whose stride defaults to its window size, or stride={step} "
                    f"passed where 1 belongs)")
    return ""


def _sent_to(A: np.ndarray, W: np.ndarray, M: np.ndarray, size: int) -> np.ndarray:
    """Each entry of ``A`` (T, E) added to the elements of its window ``W`` (E, w) that the mask
    ``M`` (T, E, w) selects: a routing's answer, (T, size)."""
    cand = np.zeros((len(A), size))
    rows = np.broadcast_to(np.arange(len(A))[:, None, None], M.shape)
    np.add.at(cand, (rows, np.broadcast_to(W[None], M.shape)), A[:, :, None] * M)
    return cand


def _complement_rule(q, got, exp, A, W, B, right: str, barg: str) -> str:
    """Each entry sent to every element of its window but the right one: the selection turned
    around (np.where's branches swapped, a mask negated)."""
    vals = B[:, W]
    pick = vals.max(axis=-1, keepdims=True) if right == "largest" else vals.min(axis=-1, keepdims=True)
    if _explains(q, got, _sent_to(A, W, vals != pick, B.shape[1]).reshape(got.shape), exp):
        return (f"every element of its window except the one where {barg} is {right}, and not to that one: the "
                f"selection turned around (the two branches of np.where(mask, a, b) swapped, a mask negated, or "
                f"!= where == belongs)")
    # every element of the window that is the pick of some window, this one or another
    picked = np.zeros(B.shape, dtype=bool)
    np.put_along_axis(picked, W[np.arange(W.shape[0])[None, :], np.argmax(vals == pick, axis=-1)], True, axis=1)
    M = np.take_along_axis(picked, W.reshape(1, -1).repeat(len(B), 0), axis=1).reshape(vals.shape)
    if _explains(q, got, _sent_to(A, W, M, B.shape[1]).reshape(got.shape), exp):
        return (f"every element of its window that is the {right} of some window, this one or another: a mask "
                f"of every window's {'maximum' if right == 'largest' else 'minimum'} made once for the whole "
                f"array and applied to every window's error, where each window's error belongs to its own "
                f"{'maximum' if right == 'largest' else 'minimum'} only")
    return ""


def selection_finding(q, trials, got, exp) -> str:
    """The routing of :func:`routing_finding` with each element compared with another group
    than its window (:func:`_selection_rule`).  Tried after the assignment's own terms, which
    may name the same group in the homework's words."""
    for arg, A, W, barg, Bflat, right, _pick, _order, _sa in _routings(q, trials, got, exp):
        said = _selection_rule(q, got, exp, A, W, Bflat, got.shape[1:], right, barg)
        if said:
            return _routed_words(arg, W, barg, right, said)
    return ""


def _routed_words(arg: str, W: np.ndarray, barg: str, right: str, said: str) -> str:
    return (f"Each entry of {arg} is sent whole to one element of the answer: the one of its window "
            f"of {W.shape[1]} elements (the elements it reaches over the trials) where {barg} is "
            f"{right}. Yours sends it to {said}.")


# numpy's message for an index past an axis's end: (index, axis, size)
INDEX_PAST = re.compile(r"index (-?\d{1,6}) is out of bounds for axis (\d{1,3}) with size (\d{1,6})")


def routing_error_finding(q, trials, outputs: list, raised: set, error: str) -> str:
    """An index past an axis's end on some calls (``raised``: positions in ``trials``) and
    answers on the others, both exactly what the right routing gives when the right element's
    flat position in its window (row-major) is decoded with another width (divmod(i, 3) where
    the window is 2 wide): the decoded element lies outside the window, and at the last
    windows past the array's end.  Said only where the emulation raises on exactly the calls
    that raised, with the error's index, and reproduces every answer."""
    past = INDEX_PAST.search(error or "")
    exp = np.asarray(trials.expected, dtype=np.float64)
    if past is None or exp.ndim < 2 or not raised:
        return ""
    n, out_shape = len(exp), exp.shape[1:]
    answered = [t for t in range(n) if t not in raised]
    for arg, A, W, barg, Bflat, right, right_pick, order, sa in _routings(q, trials, exp, exp):
        coords = np.stack(np.unravel_index(W, out_shape), axis=-1)  # (E, w, nd)
        lo = coords.min(axis=1)
        ext = coords.max(axis=1) - lo + 1
        spans = [a for a in range(len(out_shape)) if (ext[:, a] > 1).any()]
        if len(spans) != 2 or not (ext == ext[:1]).all() or int(np.prod(ext[0][spans])) != W.shape[1]:
            continue  # a 2-D box window, the same for every entry
        a0, a1 = spans
        width = int(ext[0][a1])
        for d in range(1, max(out_shape) + 2):
            if d == width:
                continue
            pos = np.broadcast_to(lo[None], right_pick.shape + (len(out_shape),)).copy()  # (T, E, nd)
            pos[..., a0] += right_pick // d
            pos[..., a1] += right_pick % d
            over = pos >= np.asarray(out_shape)  # (T, E, nd)
            raises = over.any(axis=(1, 2))
            if set(np.flatnonzero(raises).tolist()) != set(raised):
                continue
            said = {(int(pos[t, e, a]), int(out_shape[a])) for t, e, a in zip(*np.nonzero(over))}
            if (int(past.group(1)), int(past.group(3))) not in said:
                continue
            ok = True
            for t in answered:
                cand = np.zeros(int(np.prod(out_shape)))
                np.add.at(cand, np.ravel_multi_index(tuple(pos[t].T), out_shape), A[t])
                if np.shape(outputs[t]) != out_shape or not close_trials(
                        q, np.asarray(outputs[t], dtype=np.float64)[None], cand.reshape((1,) + out_shape)).all():
                    ok = False
                    break
            if not ok:
                continue
            where = (f" On the {len(answered)} call{'s' if len(answered) != 1 else ''} where no element lands "
                     f"past the end, your answers are exactly that too." if answered else "")
            return (f"Your error is what sending each entry of {arg} to the element of its window where {barg} is "
                    f"{right} gives when that element's position in the window (counted 0 to {W.shape[1] - 1}, "
                    f"row-major) is turned into a row and a column with width {d} where the window is {width} wide "
                    f"(divmod(i, {d}) or np.unravel_index(i, (…, {d})) instead of {width}): the element lands "
                    f"outside its window, and at the windows by the edge past the array's end (index "
                    f"{past.group(1)} on an axis of size {past.group(3)}), in every call that raised and only "
                    f"there.{where}")
    return ""


def _running_rule(q, got, exp, A, W, B, sa, right: str, barg: str) -> str:
    """Each entry sent to the element where ``barg`` is largest (smallest) over its own window
    and those of every entry before it along one axis of the argument: a best value and its
    position set once before a loop over that axis, not at each of its windows (a stale best
    carried into the next window, possibly outside it)."""
    n, E = A.shape
    coords = np.stack(np.unravel_index(np.arange(E), sa), axis=-1)  # (E, nd)
    rows = np.arange(n)
    for a in range(len(sa)):
        if sa[a] < 2:
            continue
        cand = np.zeros((n, B.shape[1]))
        for e in range(E):
            same = (np.delete(coords, a, axis=1) == np.delete(coords[e], a)).all(axis=1)
            seen = [f for f in range(E) if same[f] and coords[f, a] <= coords[e, a]]
            seen.sort(key=lambda f: coords[f, a])
            pool = np.concatenate([W[f] for f in seen])  # (visit order: the first best is kept)
            vals = B[:, pool]
            best = (vals.argmax(axis=1) if right == "largest" else vals.argmin(axis=1))
            np.add.at(cand, (rows, pool[best]), A[:, e])
        cand = cand.reshape(got.shape)
        if _explains(q, got, cand, exp):
            return (f"the element where {barg} is {right} over its window and the windows of every entry before it "
                    f"along axis {a} of the argument (a running best never reset for each window: set once, "
                    f"before the loop over that axis, so a window can keep an earlier window's best, even one "
                    f"outside it)")
    return ""


_MODE_WORDS = {"window": "across the window along {axes}", "all": "at every index along {axes}"}


def _group_words(modes: tuple[str, ...]) -> str:
    parts = []
    for mode in ("window", "all"):
        axes = [str(a) for a, m in enumerate(modes) if m == mode]
        if axes:
            listed = ("axis " if len(axes) == 1 else "axes ") + " and ".join(axes)
            parts.append(_MODE_WORDS[mode].format(axes=listed))
    return " and ".join(parts)


def _selection_rule(q, got, exp, A, W, B, out_shape, right: str, barg: str) -> str:
    """Each entry sent to every element of its window that another comparison selects: each
    element compared with a group other than the window -- per axis, its own index only, the
    window's indices, or every index of the axis (a channel's whole map: a window that holds no
    element equal to that value passes nothing; one axis of the window only: a maximum over
    .max(axis=0) of a 2-D window selects one element per column; the channel axis taken in
    with the window: one element for all channels).  No comparison at all sends it to every
    element of the window."""
    n, E = A.shape
    nd = len(out_shape)
    best = np.max if right == "largest" else np.min
    coords = np.stack(np.unravel_index(W, out_shape), axis=-1)  # (E, w, nd)
    lo, hi = coords.min(axis=1), coords.max(axis=1) + 1  # (E, nd): each window's box
    spans = [bool((hi[:, a] - lo[:, a] > 1).any()) for a in range(nd)]
    right_modes = tuple("window" if spans[a] else "own" for a in range(nd))
    choices = [("own", "window", "all") if spans[a] else ("own", "all") for a in range(nd)]
    vals = B[:, W]  # (T, E, w)
    every = np.stack(np.unravel_index(np.arange(B.shape[1]), out_shape), axis=-1)  # (S, nd)
    fill = -np.inf if right == "largest" else np.inf
    for modes in itertools.product(*choices):
        if modes == right_modes:
            continue
        inside = np.ones(coords.shape[:2] + (B.shape[1],), dtype=bool)  # (E, w, S): each element's group
        for a, m in enumerate(modes):
            at = every[:, a][None, None, :]
            if m == "own":
                inside &= at == coords[:, :, a][:, :, None]
            elif m == "window":
                inside &= (at >= lo[:, a][:, None, None]) & (at < hi[:, a][:, None, None])
        group = best(np.where(inside[None], B[:, None, None, :], fill), axis=-1)  # (T, E, w)
        if not _explains(q, got, _sent_to(A, W, vals == group, B.shape[1]).reshape(got.shape), exp):
            continue
        if all(m == "own" for m in modes):
            return f"every element of its window, whatever {barg} holds (no comparison selects one of them)"
        said = (f"every element of its window where {barg} equals the {right} value among the entries "
                f"{_group_words(modes)} (the element's own index along the others), not among the window's own elements")
        if "all" in modes:
            said += ": a window that holds no element equal to that value passes nothing"
        return said
    return _near_ties(q, got, exp, A, W, vals, B.shape[1], right, barg)


NEAR = (0.5, 0.25, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 1e-4)  # tolerances students write


def _near_ties(q, got, exp, A, W, vals, size: int, right: str, barg: str) -> str:
    """Each entry sent to every element of its window within a tolerance of the largest
    (isclose(win, win.max(), atol=0.01) in numpy, abs(a - m) < 0.01): near-ties count as maxima."""
    top = vals.max(axis=-1, keepdims=True) if right == "largest" else vals.min(axis=-1, keepdims=True)
    gap = np.abs(top - vals)
    for tol in NEAR:
        M = gap <= tol + 1e-5 * np.abs(top)
        if M.sum(axis=-1).max() < 2:
            continue  # no window has a near-tie at this tolerance: nothing to tell apart
        if _explains(q, got, _sent_to(A, W, M, size).reshape(got.shape), exp):
            return (f"every element of its window whose {barg} is within {constant(tol)} of the window's {right} "
                    f"value, not that one element alone: a comparison with a tolerance (isclose(…, atol={tol:g}) in numpy, "
                    f"abs(a - m) < {tol:g}) where the {right} element itself belongs (np.argmax, or == with the "
                    f"window's own {'maximum' if right == 'largest' else 'minimum'}) counts near-ties as ties")
    return ""


def _route_rules(q, got, exp, A, W, right_pick, order, out_shape, right: str, barg: str) -> str:
    """The first rule that reproduces the answer: which element of each window the student picks."""
    n, E = A.shape
    w = W.shape[1]
    coords = np.stack(np.unravel_index(W, out_shape), axis=-1)  # (E, w, nd)
    local = coords - coords.min(axis=1, keepdims=True)
    extent = local.max(axis=1) + 1  # (E, nd)
    box = bool((extent == extent[:1]).all()) and int(np.prod(extent[0])) == w
    ext = extent[0]
    rules: list[tuple[str, np.ndarray]] = [
        (f"the element where {barg} is {'smallest' if right == 'largest' else 'largest'}", order[..., 0 if right == "largest" else -1]),
        (f"the element where {barg} is second {right}", order[..., -2 if right == "largest" else 1])]
    rank = np.argsort(order, axis=-1)  # each element's rank in its window
    beats = rank > rank[..., :1] if right == "largest" else rank < rank[..., :1]
    last = np.where(beats.any(axis=-1), w - 1 - np.argmax(beats[..., ::-1], axis=-1), 0)
    first = np.where(beats.any(axis=-1), np.argmax(beats, axis=-1), 0)
    rules.append((f"the last element (row-major) whose {barg} is {'larger' if right == 'largest' else 'smaller'} "
                  f"than the window's first, not the {right} one (a running best whose value is never updated: "
                  f"each element is compared with the first value only, so the last one to beat it wins)", last))
    rules.append((f"the first element (row-major) whose {barg} is {'larger' if right == 'largest' else 'smaller'} "
                  f"than the window's first element's (a search that stops at the first improvement)", first))
    ranks = np.argsort(order, axis=-1)  # each position's rank by the argument's value
    for j in range(w):  # one position of the window never compared (a list of its cells missing one)
        masked = np.where(np.arange(w)[None, None, :] == j, -1, ranks if right == "largest" else w - 1 - ranks)
        where = "top-left element" if j == 0 else f"{_ordinal_word(j + 1)} element (row-major)"
        rules.append((f"the {right} element among the others of its window when the window's {where} is left out "
                      f"of the comparison (a list of the window's cells missing one): a window whose {right} value "
                      f"is there sends its entry to another element", np.argmax(masked, axis=-1)))
    for j in range(w):
        where = "its top-left element" if j == 0 else f"its {_ordinal_word(j + 1)} element in row-major order"
        rules.append((f"always the same element of the window, {where}, whatever {barg} holds",
                      np.full((n, E), j)))
    if box:
        key = {tuple(c): i for i, c in enumerate(local[0])}
        if all({tuple(c): i for i, c in enumerate(local[e])} == key for e in range(E)):
            def remap(f):
                to = np.array([key[tuple(f(np.array(c)))] for c in local[0]])
                return to[right_pick]
            for a in range(len(ext)):
                if ext[a] > 1:
                    rules.append((f"the element mirrored along axis {a} in the window (the right element's "
                                  f"index i along that axis read as {ext[a] - 1} − i)",
                                  remap(lambda c, a=a: np.where(np.arange(len(c)) == a, ext[a] - 1 - c, c))))
            for a, b in itertools.combinations(range(len(ext)), 2):
                if ext[a] == ext[b] > 1:
                    rules.append((f"the element transposed in the window (axes {a} and {b} swapped: a flat "
                                  f"position decoded as (column, row) instead of (row, column))",
                                  remap(lambda c, a=a, b=b: c[[b if i == a else a if i == b else i for i in range(len(c))]])))
            for a, b in itertools.permutations(range(len(ext)), 2):
                if ext[a] == ext[b] > 1:  # one offset typed for the other (r + ar, c + ar)
                    rules.append((f"the element whose index along axis {b} in the window is the right element's "
                                  f"index along axis {a} (the offset along axis {a} used for both)",
                                  remap(lambda c, a=a, b=b: np.where(np.arange(len(c)) == b, c[a], c))))
            for s, words in ((1, "next"), (-1, "previous")):
                rules.append((f"the {words} element after the right one in the window's row-major order (a flat "
                              f"index decoded off by one: 1-based where 0-based belongs), wrapping around",
                              (right_pick + s) % w))
            # one position of the window sent to another, every other right (a slip in one branch)
            for a in range(w):
                for b in range(w):
                    if a != b:
                        spans = [i for i in range(len(ext)) if ext[i] > 1]  # (the window's own axes)
                        here = tuple(int(local[0][a][i]) for i in spans)
                        there = tuple(int(local[0][b][i]) for i in spans)
                        rules.append((f"the right element, except where that is the window's position {here} "
                                      f"(counted from 0): that entry goes to position {there} instead (one branch "
                                      f"or one case of a lookup with the wrong offset)",
                                      np.where(right_pick == a, b, right_pick)))
    rows = np.arange(n)[:, None]
    for words, p in rules:
        cand = np.zeros((n, int(np.prod(out_shape))))
        np.add.at(cand, (np.broadcast_to(rows, (n, E)), W[np.arange(E)[None, :], p]), A)
        cand = cand.reshape(got.shape)
        if _explains(q, got, cand, exp):
            return words
    return ""


# ----------------------------------------------------------------------------- accumulated

def accumulated_finding(q, trials, got: np.ndarray, exp: np.ndarray, act: "Activation | None") -> str:
    """Each entry along one axis holds the right value plus every earlier entry's (a running
    total): an accumulator set to 0 once, before a loop over that axis, instead of at each of
    its entries.  Where the answer is an activation of a weighted sum (``act``), the running
    total is of the sums, before the activation."""
    shape = exp.shape[1:]
    pre = None
    if act is not None and act.function is not None:
        try:
            with np.errstate(all="ignore"):
                pre = np.asarray(act.pre(trials.args), dtype=np.float64)
        except Exception:  # noqa: BLE001 - a probe that cannot run says nothing
            pre = None
        if pre is not None and pre.shape != exp.shape:
            pre = None
    # one axis, or two neighbouring axes walked together in row-major order (a total kept over
    # every position (c_i, c_j) of a channel, not reset at each)
    spans = [(a, a) for a in range(len(shape))] + [(a, a + 1) for a in range(len(shape) - 1)]
    for a, b in spans:
        n_run = int(np.prod(shape[a:b + 1]))
        if not 2 <= n_run <= 64 or any(shape[i] < 2 for i in range(a, b + 1)):
            continue
        for backwards in (False, True):
            def run(x, a=a, b=b, backwards=backwards):
                merged = x.reshape(x.shape[:a + 1] + (-1,) + x.shape[b + 2:])
                merged = np.flip(merged, axis=a + 1) if backwards else merged
                out = np.cumsum(merged, axis=a + 1)
                out = np.flip(out, axis=a + 1) if backwards else out
                return out.reshape(x.shape)
            cands = [("", run(exp))]
            if pre is not None:
                with np.errstate(all="ignore"):
                    cands.append((act.what, np.asarray(act.function(run(pre)), dtype=np.float64)))
            for inside, cand in cands:
                if not (np.isfinite(cand).all() and _explains(q, got, cand, exp)):
                    continue
                first = [0] * len(shape)
                second = [0] * len(shape)
                if backwards:
                    first[a:b + 1] = [shape[i] - 1 for i in range(a, b + 1)]
                    second[a:b + 1] = np.unravel_index(n_run - 2, shape[a:b + 1])
                else:
                    second[a:b + 1] = np.unravel_index(1, shape[a:b + 1])
                one, two = q.element(tuple(int(i) for i in first)), q.element(tuple(int(i) for i in second))
                axes = f"axis {a}" if a == b else f"axes {a} and {b} together (row-major: every position in turn)"
                if inside:
                    said = (f"before {act.name}, each entry's input along {axes} holds its own plus those "
                            f"of every entry {'after' if backwards else 'before'} it (a running total: the "
                            f"input of {act.name} for {two} includes {one}'s)")
                else:
                    said = (f"along {axes}, each entry holds the right value plus those of every entry "
                            f"{'after' if backwards else 'before'} it (a running total: {two} includes {one})")
                return (f"In your answer, {said}. A total set to 0 once, before the loop over "
                        f"{'that axis' if a == b else 'those positions'}, instead of at the start of each "
                        f"of its passes, does this.")
    return ""


# ----------------------------------------------------------------------------- contributions

def contribution_finding(q, trials, got, exp, names: "ArgNames | None") -> str:
    """Where the right answer is a sum of one term per entry of an argument (each entry reaches
    a few elements: a window's error spread over the neurons it covers), which of those terms
    each element of the student's answer keeps.  Two rules are said: every element keeps just
    one of the terms it should add (each write replacing the one before: ``=`` where ``+=``
    belongs), or every element lacks the terms of the entries last (or first) along one axis of
    the argument among those reaching it (a loop over them one short)."""
    n, out_shape = len(got), got.shape[1:]
    S = int(np.prod(out_shape))
    for arg, _arr, sa, E, terms in _separable(trials, got, exp, least=2):
        terms = terms.reshape(n, E, S)
        if not bool(close_trials(q, terms.sum(axis=1).reshape(got.shape), exp).all()):
            continue  # not a sum of one term per entry of this argument
        reach = (terms != 0).any(axis=0).T  # (S, E): entry e adds to element s
        if (reach.sum(axis=1) < 2).all() or reach.sum(axis=1).max() * 2 > n:
            continue  # nothing to add up, or too many terms per element to fit from the trials
        A = np.transpose(terms, (2, 0, 1))  # (S, n, E)
        coef = _fit_terms(A, got.reshape(n, S).T, reach)
        if coef is None or not _explains(q, got, np.einsum("sne,se->ns", A, coef).reshape(got.shape), exp):
            said = _beyond_window(q, got, exp, arg, terms, reach, out_shape) \
                or _flat_width(q, got, exp, arg, terms, reach, out_shape)
            if said:
                return said
            continue
        said = _say_contributions(q, arg, sa, out_shape, reach, coef, names)
        if said:
            return said
    return ""


def _flat_width(q, got, exp, arg: str, terms, reach, out_shape) -> str:
    """Where each entry adds its own value to some elements (a spread: sum-pool backward), the
    student's answer is that spread with every target element's (row, column) along two axes
    turned into a flat index with another row length d, r·d + c, and read back with the
    array's own (a flattened buffer indexed with the wrong width)."""
    n, E, S = terms.shape
    coords = np.stack(np.unravel_index(np.arange(S), out_shape), axis=-1)  # (S, nd)
    units = np.zeros((n, E))
    for e in range(E):
        where = np.flatnonzero(reach[:, e])
        vals = terms[:, e, where]
        if len(where) < 1 or not (vals == vals[:, :1]).all():  # (one value copied: exactly equal)
            return ""
        units[:, e] = vals[:, 0]
    long = [a for a in range(len(out_shape)) if out_shape[a] > 1]
    for a0, a1 in itertools.combinations(long, 2):
        H, W = int(out_shape[a0]), int(out_shape[a1])
        for d in range(1, max(out_shape) + 2):
            if d == W:
                continue
            flat = coords[:, a0] * d + coords[:, a1]  # (S,): where each element's writes land
            if (flat >= H * W).any() and (reach.any(axis=1) & (flat >= H * W)).any():
                continue  # some write would land past the buffer's end (an error, not these numbers)
            moved = coords.copy()
            moved[:, a0], moved[:, a1] = flat // W, flat % W
            to = np.ravel_multi_index(tuple(moved.T), out_shape)
            cand = np.zeros((n, S))
            for e in range(E):
                where = np.flatnonzero(reach[:, e])
                np.add.at(cand, (slice(None), to[where]), np.repeat(units[:, e:e + 1], len(where), axis=1))
            if _explains(q, got, cand.reshape(got.shape), exp):
                return (f"Your answer is exactly the right one with each element's position along axes {a0} and {a1} "
                        f"turned into a flat index with rows {d} long (r·{d} + c) where the rows are {W} long, and "
                        f"read back as ({'row'}, {'column'}) of the {W}-wide array: what belongs at (1, 0) lands at "
                        f"{tuple(int(v) for v in divmod(d, W))} (counted from 0). A flat index must use the "
                        f"array's own row length (r·{W} + c, or np.ravel_multi_index((r, c), shape)).")
    return ""


def _beyond_window(q, got, exp, arg: str, terms, reach, out_shape) -> str:
    """Where each entry adds its own value to every element of its window (a box, the same
    shape for every entry: sum-pool backward, an upsampling), the student's answer fitted with
    each entry's value at the window's elements and one element around it: a bound one too far
    (``p <= c <= p + 2`` where ``< p + 2`` belongs, a slice ``p:p+3``) reaches past the window, a
    start one early before it.  Said where every entry adds itself with the same weights at the
    same offsets from its window (where those elements exist)."""
    n, E, S = terms.shape
    coords = np.stack(np.unravel_index(np.arange(S), out_shape), axis=-1)  # (S, nd)
    unit = np.zeros((n, E))
    origin, ext = [], None
    for e in range(E):
        where = np.flatnonzero(reach[:, e])
        vals = terms[:, e, where]
        if len(where) < 2 or not (vals == vals[:, :1]).all():  # (one value copied: exactly equal)
            return ""  # not a spread of one value
        unit[:, e] = vals[:, 0]
        lo, hi = coords[where].min(axis=0), coords[where].max(axis=0) + 1
        if int(np.prod(hi - lo)) != len(where) or (ext is not None and not np.array_equal(hi - lo, ext)):
            return ""  # not the same box for every entry
        origin.append(lo)
        ext = hi - lo
    win = [a for a in range(len(out_shape)) if ext[a] > 1]
    origin = np.stack(origin)  # (E, nd)
    off = coords[:, None, :] - origin[None, :, :]  # (S, E, nd): each element's offset from each window
    others = [a for a in range(len(out_shape)) if a not in win]
    near = np.all((off[..., win] >= -1) & (off[..., win] <= ext[win]), axis=-1) \
        & np.all(off[..., others] == 0, axis=-1)  # (S, E)
    if (near.sum(axis=1) * 2 > n).any():
        return ""  # too many unknowns per element to fit from the trials
    A = np.broadcast_to(unit[None], (S, n, E)) * near[:, None, :]
    coef = _fit_terms(A, got.reshape(n, S).T, near)
    if coef is None or not _explains(q, got, np.einsum("sne,se->ns", A, coef).reshape(got.shape), exp):
        return ""
    pattern: dict[tuple, float] = {}
    for s_, e_ in zip(*np.nonzero(near)):
        key = tuple(int(v) for v in off[s_, e_, win])
        if pattern.setdefault(key, float(coef[s_, e_])) != float(coef[s_, e_]):
            return ""  # the weights depend on more than the offset
    inside = {k: c for k, c in pattern.items() if all(0 <= v < ext[a] for v, a in zip(k, win))}
    outside = {k: c for k, c in pattern.items() if k not in inside and c != 0}
    if not outside or any(c not in (0, 1) for c in pattern.values()):
        return ""  # (said here: windows reaching elsewhere; other weights are the others' to say)
    reached = {k for k, c in pattern.items() if c == 1}
    box = {k for k in pattern if all(0 <= v < ext[a] for v, a in zip(k, win))}
    for shift in itertools.product((-1, 0, 1), repeat=len(win)):
        moved = {tuple(v + d for v, d in zip(k, shift)) for k in box}
        if any(shift) and reached == moved & set(pattern):
            which = ", ".join(f"{'+' if d > 0 else '−'}1 along axis {a}" for d, a in zip(shift, win) if d)
            return (f"Each entry of {arg} should add its value to the {len(box)} elements of its window; in your "
                    f"answer each adds it to the window moved by one ({which}): every element collects the "
                    f"entries of the windows {'after' if sum(shift) < 0 else 'before'} the ones that contain it. "
                    f"A padding on the wrong side (np.pad with (0, 2) where (1, 1) belongs), or a start one off "
                    f"(p + 1 or p − 1 where p belongs), does this.")
    if any(pattern.get(k, 1) != 1 for k in box):
        return ""
    far = sorted(outside)
    axes_past = sorted({a for k in far for v, a in zip(k, win) if v >= ext[a]})
    axes_before = sorted({a for k in far for v, a in zip(k, win) if v < 0})

    def at(k):
        return "(" + ", ".join(map(str, k)) + ")"
    said = (f"Each entry of {arg} should add its value to the {int(np.prod(ext[win]))} elements of its window "
            f"(positions counted from 0 along axes {', '.join(map(str, win))} of the answer, from the window's "
            f"first element); in your answer each also adds it to the element{'s' if len(far) > 1 else ''} at "
            f"{', '.join(at(k) for k in far)} (where {'they exist' if len(far) > 1 else 'it exists'}), outside "
            f"its window")
    if axes_past:
        said += (f": one past its end along axis {' and '.join(map(str, axes_past))} — a bound one too far, such "
                 f"as a test p <= c <= p + {int(ext[axes_past[0]])} where c < p + {int(ext[axes_past[0]])} belongs, "
                 f"or a range or slice one too long")
    if axes_before:
        said += (f"{';' if axes_past else ':'} one before its start along axis {' and '.join(map(str, axes_before))} "
                 f"— a start one early (p - 1 where p belongs, a test p - 1 <= c), or an index that reaches -1 "
                 f"and wraps around to the last entry (negative indices count from the end: a missing check "
                 f"that it is >= 0)")
    return said + "."


def _say_contributions(q, arg, sa, out_shape, reach, coef, names: "ArgNames | None") -> str:
    S, E = reach.shape
    right = reach.astype(np.float64)
    differ = [s for s in range(S) if not np.array_equal(coef[s], right[s])]
    if not differ:
        return ""
    if not np.isin(coef, (0.0, 1.0)).all() or (coef > right).any():  # (terms weighted otherwise)
        return _window_pattern(arg, sa, out_shape, reach, coef) \
            or _window_pattern(arg, out_shape, sa, reach.T, coef.T, gather=True)
    namer = names.names.get(arg) if names is not None else None

    def entry(e):
        idx = tuple(int(i) for i in np.unravel_index(e, sa))
        if namer is not None:
            try:
                return namer(idx)
            except Exception:  # noqa: BLE001
                pass
        return f"{arg}[" + ", ".join(map(str, idx)) + "]"

    def element(s):
        idx = tuple(int(i) for i in np.unravel_index(s, out_shape))
        try:
            return str(q.element(idx))
        except Exception:  # noqa: BLE001
            return "[" + ", ".join(map(str, idx)) + "]"

    def listing(es):
        return ", ".join(entry(int(e)) for e in es)

    # every differing element keeps one term of several (the same one by row-major order)
    kept_one = all(reach[s].sum() >= 2 and coef[s].sum() == 1 for s in differ)
    if kept_one:
        s = differ[0]
        mine = int(np.flatnonzero(coef[s])[0])
        which = ""
        for word, pick in (("last", -1), ("first", 0)):
            if all(int(np.flatnonzero(coef[d])[0]) == int(np.flatnonzero(reach[d])[pick]) for d in differ):
                which = f" (always the {word} in the order of {arg}'s entries)"
                break
        return (f"In {len(differ)} element(s) of your answer only one of the terms that should add up there "
                f"is kept{which}: your {element(s)} is exactly {entry(mine)}'s term, where the terms of "
                f"{listing(np.flatnonzero(reach[s]))} all add in. Each write replacing the one before does "
                f"this (an assignment (=) where the terms must be added (+=), a slice assigned where it "
                f"should be added to, or += through an index array that names a position twice: a[idx] += v "
                f"adds once per position, np.add.at(a, idx, v) every time), as do indexing that one entry alone "
                f"and a sum written out term by term with the others left out.")
    # every element lacks the entries last (first) along one axis among those reaching it
    coords = np.stack(np.unravel_index(np.arange(E), sa), axis=-1)  # (E, nd)
    for a in range(len(sa)):
        if sa[a] < 2:
            continue
        for word, pick in (("largest", np.max), ("smallest", np.min)):
            rule = reach.copy()
            for s in range(S):
                es = np.flatnonzero(reach[s])
                if len(es):
                    edge = pick(coords[es, a])
                    rule[s, es[coords[es, a] == edge]] = False
            if not np.array_equal(rule, coef.astype(bool)):
                continue
            s = next(d for d in differ if coef[d].any()) if any(coef[d].any() for d in differ) else differ[0]
            lost = [e for e in np.flatnonzero(reach[s]) if not coef[s, e]]
            short = ("stops one short (range(lo, hi) where the last entry hi belongs)" if word == "largest"
                     else "starts one late (its first entry skipped)")
            return (f"Every element of your answer leaves out the terms of the entries of {arg} with the "
                    f"{word} index along its axis {a} among those that reach it (your {element(s)} lacks "
                    f"{listing(lost)}'s term): a loop over the entries of {arg} that reach each element "
                    f"that {short} along that axis.")
    return _window_pattern(arg, sa, out_shape, reach, coef)  # (omissions seen from the answer's side: the terms name them)


def _window_pattern(arg, sa, out_shape, reach, coef, gather: bool = False) -> str:
    """Each entry of ``arg`` reaches a window of the answer (a box of elements, the same shape
    for every entry): where every entry adds itself to its window's positions with the same
    weights in the student's answer, and those differ from 1 everywhere, the weights by position
    (a neuron of each window never reached, one reached twice), and the slip that gives them.
    ``gather``: the same seen from the answer's side, each element adding a window of the
    argument's entries (``reach`` and ``coef`` transposed, ``out_shape`` the argument's shape),
    for a sum over windows whose entries near the edge reach fewer elements (sum pooling)."""
    S, E = reach.shape
    pattern, box = None, None
    for e in range(E):
        where = np.flatnonzero(reach[:, e])
        if len(where) < 2:
            return ""
        coords = np.stack(np.unravel_index(where, out_shape), axis=-1)
        local = coords - coords.min(axis=0)
        order = np.lexsort(local.T[::-1])
        local, where = local[order], where[order]
        if box is None:
            box = local
        elif local.shape != box.shape or not np.array_equal(local, box):
            return ""
        weights = coef[where, e]
        if pattern is None:
            pattern = weights
        elif not np.array_equal(weights, pattern):
            return ""
    if pattern is None or np.array_equal(pattern, np.ones_like(pattern)) or not np.isin(pattern, NICE).all():
        return ""
    axes = [a for a in range(box.shape[1]) if box[:, a].max() > 0]  # (the window's own axes)
    ext = box.max(axis=0)

    def at(i):
        return "(" + ", ".join(str(int(box[i, a])) for a in axes) + ")"
    parts = []
    for c in sorted(set(pattern.tolist()), key=lambda c: (c != 0, c)):
        pos = [at(i) for i in range(len(pattern)) if pattern[i] == c]
        if gather:
            what = "nothing of" if c == 0 else ("" if c == 1 else f"{constant(abs(c))} times"
                                                + (" with the sign turned" if c < 0 else ""))
            parts.append(f"{what} the entr{'ies' if len(pos) > 1 else 'y'} at {', '.join(pos)}".strip())
            continue
        what = "nothing" if c == 0 else ("its value" if c == 1 else f"{constant(abs(c))} times its value"
                                         + (" with the sign turned" if c < 0 else ""))
        parts.append(f"{what} to the element{'s' if len(pos) > 1 else ''} at {', '.join(pos)}")
    if gather:
        said = (f"Each element of your answer should add the {len(pattern)} entries of {arg} in its window "
                f"(positions counted from 0 along axes {', '.join(map(str, axes))} of {arg}, from the window's "
                f"first entry); yours adds " + "; ".join(parts) + ", in every trial.")
    else:
        said = (f"Each entry of {arg} should add its value to every element of its window of {len(pattern)} (the "
                f"elements it reaches, positions counted from 0 along axes {', '.join(map(str, axes))} of the "
                f"answer); in your answer each adds " + "; ".join(parts) + ", in every trial.")
    zero = pattern == 0
    for a in axes:
        if zero.any() and np.array_equal(zero, box[:, a] == ext[a]):
            return said + (f" The {'entries' if gather else 'elements'} at the window's last position along axis "
                           f"{a} are never reached: a slice or range along that axis one short (p:p+{ext[a]} where "
                           f"p:p+{ext[a] + 1} belongs), or a test with < where <= belongs (p <= c < p + {ext[a]}).")
    if zero.sum() == 1 and bool((box[np.flatnonzero(zero)[0]] == ext).all()):
        return said + " The window's last element is never reached: its term is left out."
    for a in axes:
        for b in axes:
            if a < b and np.array_equal(pattern != 0, box[:, a] == box[:, b]):
                said += (f" Only the {'entries' if gather else 'elements'} whose offsets along axes {a} and {b} are "
                         f"equal are {'taken' if gather else 'reached'}")
                if set(pattern[pattern != 0].tolist()) == {1.0}:  # each once: one index for both axes
                    n = int(ext[a]) + 1
                    lists = ", ".join(f"p+{i}" if i else "p" for i in range(n))
                    lists2 = ", ".join(f"q+{i}" if i else "q" for i in range(n))
                    return said + (f", each once: one index moving along both axes together. Two lists used as "
                                   f"indices do this (a[[{lists}], [{lists2}]] pairs them up: ({'p, q'}), "
                                   f"(p+1, q+1){', …' if n > 2 else ''} — not the block, which slices "
                                   f"a[p:p+{n}, q:q+{n}] give), as does one loop variable for both offsets in a "
                                   f"single loop.")
                return said + (": one offset used for both axes (the same loop variable in both places), so each "
                               "is reached as often as the two loops together give it.")
    return said


# ----------------------------------------------------------------------------- broadcast

def broadcast_finding(q, trials, got, exp, names: "ArgNames | None") -> str:
    """A vector argument broadcast along the wrong axis: at each element of the answer, every
    entry of the vector (of the vectors of one shape, together) is the one at the element's
    own index along an axis of the answer of that length -- ``delta[:, None, None, None]``
    meeting the weights' first axis where it belongs on their last, which the shapes let
    through because both have that length.  One batched reference call per group of vectors."""
    ref = trials.reference
    if ref is None or got.shape != exp.shape or got.ndim < 2:
        return ""
    names = names or NO_NAMES
    n, out_shape = len(got), got.shape[1:]
    groups: dict[int, list[str]] = {}
    for arg, arr in trials.args.items():
        if arg not in names.skip and np.asarray(arr).dtype.kind == "f" and np.ndim(arr) == 2 and np.shape(arr)[1] >= 2:
            groups.setdefault(np.shape(arr)[1], []).append(arg)
    for L, group in groups.items():
        axes = [b for b in range(len(out_shape)) if out_shape[b] == L]
        if not axes or L > 8:
            continue
        for chosen in [group] + ([[a] for a in group] if len(group) > 1 else []):
            big = {k: np.concatenate([np.repeat(np.asarray(v)[:, i:i + 1], L, axis=1) if k in chosen else v
                                      for i in range(L)]) for k, v in trials.args.items()}
            try:
                with np.errstate(all="ignore"):
                    R = np.asarray(ref(big), dtype=np.float64).reshape((L, n) + out_shape)
            except Exception:  # noqa: BLE001 - a probe that cannot run says nothing
                return ""
            for b in axes:
                cand = np.stack([np.take(R[i], i, axis=b + 1) for i in range(L)], axis=b + 1)
                if np.isfinite(cand).all() and _explains(q, got, cand, exp):
                    return _say_broadcast(q, chosen, b, L, out_shape, names)
            if len(chosen) == 1:
                said = _entry_map(q, got, exp, R, chosen[0], (L,), out_shape, names)
                if said:
                    return said
    return ""


def _entry_map(q, got, exp, R, arg: str, arg_shape: tuple, out_shape, names: ArgNames) -> str:
    """Each element of the answer uses one entry of ``arg``, not always its own: ``R[i]`` is the
    right computation with every entry of ``arg`` set to (flat) entry i, so the entry an element
    uses is the i whose ``R[i]`` gives the student's value there in every trial (its own: the one
    that gives the right value).  Said with the layout that gives the map where one does
    (np.repeat or np.tile of the argument, then a reshape)."""
    L = int(np.prod(arg_shape))
    size = int(np.prod(out_shape))
    Rf = R.reshape(L, len(got), size)

    def used(values):
        # (every entry at once: values (T, size) against each R[i], each trial's scale its own)
        match = tolerance.within(q, np.broadcast_to(values[None], Rf.shape), Rf, axes=(2,)).all(axis=1)  # (L, size)
        return match.argmax(axis=0) if (match.sum(axis=0) == 1).all() else None
    use, own = used(got.reshape(len(got), size)), used(exp.reshape(len(exp), size))
    if use is None or own is None or np.array_equal(use, own):
        return ""
    cand = Rf[use, :, np.arange(size)].T.reshape(got.shape)
    if not _explains(q, got, cand, exp):
        return ""
    wrong = np.flatnonzero(use != own)
    namer = names.names.get(arg)

    def entry(i):
        idx = tuple(int(v) for v in np.unravel_index(int(i), arg_shape))
        try:
            return namer(idx) if namer is not None else f"{arg}[{', '.join(map(str, idx))}]"
        except Exception:  # noqa: BLE001
            return f"{arg}[{', '.join(map(str, idx))}]"

    def element(s_):
        idx = tuple(int(v) for v in np.unravel_index(int(s_), out_shape))
        try:
            return str(q.element(idx))
        except Exception:  # noqa: BLE001
            return "[" + ", ".join(map(str, idx)) + "]"
    shown = "; ".join(f"your {element(s_)} uses {entry(use[s_])} where {entry(own[s_])} belongs" for s_ in wrong[:3])
    said = (f"Each element of your answer uses one entry of {arg}, but {len(wrong)} of {size} use another than "
            f"their own: {shown}{' …' if len(wrong) > 3 else ''} (in every trial).")
    reps, shape = size // L, tuple(int(v) for v in out_shape)
    flat = f"{arg}.ravel()" if len(arg_shape) > 1 else arg
    if np.array_equal(use, np.arange(size) // reps):
        said += (f" That is {arg} laid out by np.repeat({flat}, {reps}).reshape{shape} (each entry repeated {reps} "
                 f"times in a row, then cut to shape), where each element needs its own entry: np.tile, or "
                 f"broadcasting with the axes in their places ({arg}[None, :] for a row), gives that.")
    elif np.array_equal(use, np.arange(size) % L):
        said += (f" That is {arg} laid out by np.tile({flat}, {reps}).reshape{shape} (the whole of it repeated "
                 f"{reps} times, then cut to shape), where each element needs its own entry: np.repeat, or "
                 f"broadcasting with a new axis ({arg}[..., None]), gives that.")
    return said


def entry_map_finding(q, trials, got, exp, names: "ArgNames | None") -> str:
    """An argument of several axes laid into the answer entry by entry the wrong way (a tile or
    a repeat and a reshape where a broadcast belongs): :func:`_entry_map` for each float argument
    of 2 to REGROUP_ENTRIES entries whose entries each reach one element's value alone.  One
    batched reference call per argument."""
    ref = trials.reference
    if ref is None or got.shape != exp.shape or got.ndim < 2:
        return ""
    names = names or NO_NAMES
    n = len(got)
    for arg, arr in trials.args.items():
        a = np.asarray(arr)
        sa = a.shape[1:]
        E = int(np.prod(sa)) if sa else 1
        if arg in names.skip or a.dtype.kind != "f" or len(sa) < 2 or not 2 <= E <= REGROUP_ENTRIES \
                or E * n > REGROUP_CALLS:
            continue
        flat = a.reshape(n, E)
        big = {k: (np.concatenate([np.broadcast_to(flat[:, i:i + 1], (n, E)).reshape(a.shape) for i in range(E)])
                   if k == arg else np.concatenate([v] * E)) for k, v in trials.args.items()}
        try:
            with np.errstate(all="ignore"):
                R = np.asarray(ref(big), dtype=np.float64).reshape((E, n) + got.shape[1:])
        except Exception:  # noqa: BLE001
            continue
        if not np.isfinite(R).all():
            continue
        said = _entry_map(q, got, exp, R, arg, sa, got.shape[1:], names)
        if said:
            return said
    return ""


def _say_broadcast(q, chosen, b, L, out_shape, names: ArgNames) -> str:
    def entry(arg, i):
        namer = names.names.get(arg)
        try:
            return namer((i,)) if namer is not None else f"{arg}[{i}]"
        except Exception:  # noqa: BLE001
            return f"{arg}[{i}]"
    at = [0] * len(out_shape)
    at[b] = 1
    try:
        element = str(q.element(tuple(at)))
    except Exception:  # noqa: BLE001
        element = "[" + ", ".join(map(str, at)) + "]"
    which = " and ".join(chosen)
    uses = " and ".join(entry(a, 1) for a in chosen)
    return (f"Your answer is exactly what the right computation gives when every entry of {which} is taken "
            f"as the one at your answer's own index along its axis {b} (your {element} uses {uses} for "
            f"every entry of {which}): a vector broadcast along the wrong axis (v[:, None, ...] meeting "
            f"axis {b} of another array, where its own axis belongs on another of the same length {L}), "
            f"which the shapes let through.")


# ----------------------------------------------------------------------------- erased argument

def erased_finding(q, trials, got, exp, names: "ArgNames | None") -> str:
    """The answer never uses one argument's values: it is exactly the right computation with
    every entry of that argument set to 1 (a mask of active units kept whole, a factor left
    out), or a function of it applied element by element (ReLU of the incoming gradient where
    a mask by the pre-activations belongs).  A candidate that is 0 or the same in every trial
    says nothing and is not used.  One batched reference call."""
    ref = trials.reference
    if ref is None or got.shape != exp.shape:
        return ""
    names = names or NO_NAMES
    args = [a for a, v in trials.args.items() if a not in names.skip and np.asarray(v).dtype.kind == "f"]
    if len(args) < 2:
        return ""  # (with one argument, ignoring it is the "same in every trial" finding)
    n = len(got)
    big = {k: np.concatenate([np.ones_like(np.asarray(v, dtype=np.float64)) if k == a else v for a in args])
           for k, v in trials.args.items()}
    try:
        with np.errstate(all="ignore"):
            R = np.asarray(ref(big), dtype=np.float64).reshape((len(args), n) + got.shape[1:])
    except Exception:  # noqa: BLE001 - a probe that cannot run says nothing
        return ""
    with np.errstate(all="ignore"):
        for arg, r in zip(args, R):
            if not np.isfinite(r).all() or np.abs(r).max() == 0 or bool(close_trials(q, r, np.broadcast_to(r[:1], r.shape)).all()):
                continue
            for words, f in (("", lambda a: a),) + OUTPUT_MAPS:
                cand = f(r)
                if np.isfinite(cand).all() and _explains(q, got, cand, exp):
                    what = f"{words.rstrip(',')} of what" if words else "what"
                    return (f"Your answer is exactly {what} the right computation gives with every entry of {arg} "
                            f"set to 1, in every trial: the values of {arg} never enter your answer. Check where "
                            f"{arg} should select or weigh the entries (a mask, a factor)"
                            + (f", and what {words.rstrip(',')} does there instead." if words else "."))
            a = np.asarray(trials.args[arg], dtype=np.float64)
            if a.shape != r.shape:
                continue
            for words, g in GATES + _reduced_gates(a.ndim - 1):  # (the argument's weight in another form)
                cand = r * g(a)
                if np.isfinite(cand).all() and _explains(q, got, cand, exp):
                    gate = words.format(a=arg)
                    return (f"Your answer is exactly what the right computation gives with every entry of {arg} set "
                            f"to 1, times {gate} entry by entry, in every trial: where {arg} should weigh or select "
                            f"each entry, yours multiplies by {gate.split(' (')[0]} instead (the derivative of the "
                            f"activation taken as another function of {arg}).")
    return ""


def _reduced_gates(nd: int) -> tuple:
    """The mask 1[a > 0] reduced along one axis (any, all) and broadcast back: one mask for a whole
    row or column where each entry needs its own (np.any(Z > 0, axis=0))."""
    out = []
    for ax in range(nd):
        for how, f in (("any", np.any), ("all", np.all)):
            out.append((f"1[{{a}} > 0] reduced over axis {ax} with np.{how} and broadcast back (one mask for every "
                        f"entry along that axis, where each entry needs its own)",
                        lambda a, ax=ax, f=f: np.broadcast_to(f(a > 0, axis=ax + 1, keepdims=True), a.shape)
                        .astype(np.float64)))
    return tuple(out)


# what a student multiplies by where an activation's derivative (a 0/1 mask, σ′) belongs
GATES: tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...] = (
    ("clip({a}, 0, 1)", lambda a: np.clip(a, 0.0, 1.0)),
    ("max(0, {a}) (the activation itself, not its derivative)", lambda a: np.maximum(a, 0.0)),
    ("{a} itself", lambda a: a),
    ("1[{a} ≥ 0]", lambda a: (a >= 0).astype(np.float64)),
    ("1[{a} < 0] (the mask reversed)", lambda a: (a < 0).astype(np.float64)),
    ("σ({a})", lambda a: _sig(a)),
    ("σ({a})(1 − σ({a}))", lambda a: _sig(a) * (1 - _sig(a))),
    ("{a}(1 − {a})", lambda a: a * (1 - a)),
    ("sign({a}) (−1 where {a} < 0, not 0)", lambda a: np.sign(a)),
)
