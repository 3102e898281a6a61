"""What a wrong answer depends on: the student's function called again, one argument changed at a time.

A function that reads a module-level array left from a demo run, or ignores an argument and
recomputes it from something else, returns numbers no probe of the returned values can
explain.  Calling it again tells: after the graded run, for a failed question, the sandbox runs
the student's function (in a fresh child, over the same checked channel as the grading) on a
few of the trials it was graded on, each once as given, once more as given (is it a function
of its inputs at all?), and once per argument with that argument taken from another trial
(so every input stays a valid input of the question: the same shape, the same kind of values).
Where the right answer changes with an argument and the student's does not, the argument is
not used; where two calls with the same inputs differ, the function keeps state or draws
random numbers.

Nothing here touches the verdict: the probe run comes after scoring, its calls are not trials,
and a probe that raises, times out or returns something else says nothing.  The cost is bounded:
at most ``BASES`` trials x (arguments + 2) calls, only for failed questions that ran quickly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..assignment import Trials
from ..judge import tolerance
from .probes import INDEX_PAST as _INDEX_PAST, routing_error_finding

BASES = 3  # trials probed per question
MAX_SECONDS = 1.0  # a question whose graded run took longer is not probed (the probe costs about as much)


@dataclass(frozen=True)
class Plan:
    """The probe calls of one question: ``args`` (batched, in the question's argument order) for
    ``len(bases)`` x (2 + len(names)) calls: each base as given, again as given, then each named
    argument in turn taken from trial ``donor[i]``."""

    bases: tuple[int, ...]
    donors: tuple[int, ...]
    names: tuple[str, ...]
    args: dict[str, np.ndarray]
    nargs: int  # arguments passed to each call

    @property
    def n(self) -> int:
        return len(self.bases) * (2 + len(self.names))


def plan(trials: Trials) -> Plan | None:
    """The calls that probe one question's function, or None when it cannot be probed (fewer
    than two trials, trials passing different numbers of arguments, no argument whose value
    differs between trials)."""
    n = len(trials)
    if n < 2 or not trials.args:
        return None
    if trials.nargs is not None and len(set(trials.nargs)) != 1:
        return None
    # bases: the random trials first (edge cases repeat values, and a swap there changes nothing)
    order = [t for t in range(n) if trials.labels[t] == "random"] or list(range(n))
    bases = tuple(order[:BASES])
    donors = tuple(order[(order.index(b) + 1) % len(order)] if len(order) > 1 else (b + 1) % n for b in bases)
    names = tuple(k for k, v in trials.args.items()
                  if v.ndim >= 1 and v.shape[0] == n and any(not np.array_equal(v[b], v[d]) for b, d in zip(bases, donors)))
    if not names:
        return None
    b, d = np.asarray(bases), np.asarray(donors)
    args = {}
    for k, v in trials.args.items():
        rows = [v[b], v[b]] + [v[d] if name == k else v[b] for name in names]
        args[k] = np.ascontiguousarray(np.concatenate(rows))
    return Plan(bases, donors, names, args, trials.nargs[0] if trials.nargs is not None else len(args))


def finding(q, trials: Trials, p: Plan, outputs: list[np.ndarray]) -> tuple[str, bool]:
    """What the probe calls' answers show, in words ("" when nothing is certain), and whether it
    leads the feedback: an unused argument does; an answer that changes with none of its
    arguments (a constant, a dtype that truncates everything to 0) is a fact the findings about
    the values explain better, so it follows them."""
    k = len(p.bases)
    if len(outputs) != p.n or any(type(o) is not np.ndarray or o.dtype.kind not in "biuf" for o in outputs):
        return "", False
    if len({o.shape for o in outputs}) != 1:
        return "", False
    got = np.stack([o.astype(np.float64) for o in outputs]).reshape((2 + len(p.names), k) + outputs[0].shape)
    if not np.isfinite(got).all():
        return "", False
    first, again = got[0], got[1]
    if not tolerance.trials_within(q, again, first).all():
        return ("Called twice with the same inputs, your function returned different answers: it is not a "
                "function of its arguments alone. It keeps something between calls (a module-level "
                "value it changes, an argument it modifies in place) or draws random numbers."), True
    if trials.reference is None:
        return "", False
    try:
        with np.errstate(all="ignore"):
            ref = np.asarray(trials.reference(p.args), dtype=np.float64)
    except Exception:  # noqa: BLE001 - a reference that cannot take the probe says nothing
        return "", False
    if ref.shape[:1] != (p.n,) or not np.isfinite(ref).all():
        return "", False
    ref = ref.reshape((2 + len(p.names), k) + ref.shape[1:])
    if ref.shape != got.shape:
        # an answer of another shape (np.argmax without axis=: one number for a batch): its shape
        # is what to say first, and what the wrong-shaped numbers follow says little
        return "", False
    unused = []
    for i, name in enumerate(p.names):
        mine, right = got[2 + i], ref[2 + i]
        if right.shape != ref[0].shape:
            continue
        right_moves = ~tolerance.trials_within(q, right, ref[0])
        mine_moves = ~tolerance.trials_within(q, mine, first)
        # the right answer changes with this argument on most probes, the student's on none
        if 2 * right_moves.sum() > k and not mine_moves.any():
            unused.append(name)
    if not unused:
        return "", False
    what = " or ".join(unused)
    seen = (f"Your answer does not change when {what} changes: the grader called your function again "
            f"with another {what} (the other arguments the same), and the right answer changed but yours "
            f"did not.")
    if len(unused) == len(p.names):
        # nothing it is given moves it: a constant, a factor that is always 0 (1 // 2), module
        # values for everything -- the value findings say which; no cause is asserted here
        return (seen + " Your function gives the same answer whatever its inputs: look for a factor "
                "that is always 0 or constant, or module-level values used in place of the arguments."), False
    # the probe shows what the answer does not follow, not why: an ignored argument, a global in
    # its place, or a use of it that these changes did not reach (labels used only as the set of
    # classes present, y[:, labels] for y[rows, labels]) all look the same from here
    return (seen + f" Check how your function uses {what}: it may ignore "
            f"{'that argument' if len(unused) == 1 else 'those arguments'}, read a module-level value "
            f"in {'its' if len(unused) == 1 else 'their'} place (a global array left from a test run, a "
            f"value recomputed from other variables), or use only something of "
            f"{'it' if len(unused) == 1 else 'them'} that did not change here (which values occur, "
            f"its shape, its sum) where each entry should count."), True


def changed_note(names: list[str]) -> str:
    """What a wrong answer's function did to its arguments: it changed some of them in place
    (the sandbox compares each array argument with the values passed).  Said as a fact and a
    condition, not a cause: changing an argument is harmless unless the function reads it
    afterwards, which only the student's code shows."""
    if not names:
        return ""
    what = " and ".join(names)
    one = len(names) == 1
    return (f"Your function changes the array{'' if one else 's'} {what} it was given, in place: after the "
            f"call, {'it holds' if one else 'they hold'} other values than those passed (an augmented "
            f"assignment such as -= or +=, or an assignment to a slice, on {what} or on another name for "
            f"the same array: a plain assignment such as err = {names[0]} does not copy). Where your "
            f"function reads {what} after that change, it computes with the changed values.")



@dataclass(frozen=True)
class Retry:
    """A question that raised at trial ``at`` (counted over all shape groups), called again on
    every trial in a fresh start: the failing trial's group first, the failing call first in it
    (``parts``: each group with the order of its rows), each call that raises answered by an
    empty array.  Does the failing call raise alone, and what are the answers where it does not
    raise (in its own group, or in another set of shapes where every call raised in its own)?"""

    parts: tuple[tuple[Trials, tuple[int, ...]], ...]
    at: int

    def call(self) -> tuple[list[list[np.ndarray]], list[int], list[int]]:
        """Each group's batched arguments in its order, the number of arguments of each call,
        and each group's size."""
        groups, nargs = [], []
        for g, order in self.parts:
            rows = np.asarray(order)
            groups.append([np.ascontiguousarray(v[rows]) for v in g.args.values()])
            nargs += [g.nargs[r] for r in order] if g.nargs is not None else [len(g.args)] * len(order)
        return groups, nargs, [len(order) for _g, order in self.parts]


def retry(groups, t: int) -> Retry | None:
    """The :class:`Retry` of an error at trial ``t``; None when ``t`` is no trial."""
    first, failing, others = 0, None, []
    for g in groups:
        if failing is None and t - first < len(g):
            r = t - first
            failing = (g, (r,) + tuple(i for i in range(len(g)) if i != r))
        else:
            others.append((g, tuple(range(len(g)))))
        first += len(g)
    return None if failing is None else Retry((failing, *others), t)


def retry_notes(q, r: Retry, outputs: list[np.ndarray], raised: tuple[int, ...], error: str = "") -> list[str]:
    """What the retry shows: the failing call answers when made first (state kept between
    calls), the error itself reproduced by a routing decoded with a wrong width, and what the
    answers are on the trials that did not raise (right, or what the findings about values say
    of them), in the first set of shapes where at least two did."""
    total = sum(len(order) for _g, order in r.parts)
    if len(outputs) != total:
        return []
    notes = []
    if 0 not in raised and r.at > 0:
        notes.append(alone_note(r.at))
    failed, start, right = set(raised), 0, 0
    g0, order0 = r.parts[0]
    if error and 0 in failed:
        said = routing_error_finding(q, g0.rows(list(order0)), outputs[:len(order0)],
                                     {t for t in failed if t < len(order0)}, error)
        if said:
            return notes + [said]
    from .diagnose import diagnose
    from ..judge.compare import compare
    for n_part, (g, order) in enumerate(r.parts):
        answered = [i for i in range(len(order)) if start + i not in failed and start + i > 0]
        said = [outputs[start + i] for i in answered]
        raised_here = len(order) - len(answered) - (n_part == 0 and 0 not in failed)
        start += len(order)
        # (in the failing set, where the failing call answered alone and nothing else raised, the
        # note about state kept between calls is the whole story)
        state_only = n_part == 0 and notes and raised_here == 0
        if len(answered) < 2 or state_only:
            continue
        sub = g.rows([order[i] for i in answered])
        try:
            if compare(q, sub, said).passed:
                right += len(answered)
                continue
            d = diagnose(q, sub, said)
        except Exception:  # noqa: BLE001 - a diagnosis is a bonus; never let it break grading
            return notes
        if d.message and not d.mapped:
            where = ("of its set of input shapes" if n_part == 0 else
                     "in another set of input shapes" if len(r.parts) > 1 else "")
            notes.append(f"Where your function returned an answer ({len(answered)} "
                         f"trial{'s' if len(answered) != 1 else ''} {where}), the answers are wrong: "
                         f"{d.message[0].lower()}{d.message[1:]}")
        return notes
    if right:
        notes.append(f"On the {right} other trials where your function returned an answer (it raised on "
                     f"{len(failed)} of {total}), every answer is right: the error is the one thing to fix.")
    return notes


def alone_note(t: int) -> str:
    """An error at trial ``t`` (0-based) that the same call, made first in a fresh start,
    does not raise: what earlier calls left behind made it raise."""
    return (f"Your function raised on trial {t + 1} after answering the calls before it; called again in a "
            f"fresh start with exactly the inputs of trial {t + 1}, it answered. So it keeps something from "
            f"earlier calls (a default argument such as cache={{}} or a list, a module-level value it sets "
            f"on the first call) that does not fit these inputs: every call must work from its own "
            f"arguments.")


# ----------------------------------------------------------------------------- sizes in an error

_SIZE = re.compile(r"\bsize (\d{1,6})\b")
_SHAPE = re.compile(r"\((\d{1,6}(?:\s*,\s*\d{1,6})*)\s*,?\s*\)")


def _value_size(g, row: int, n: int) -> str:
    """``n`` said as a count taken from an integer argument's values in the failing call
    (``y.max() + 1``, the number of distinct labels), where no argument has that length."""
    for name, arr in g.args.items():
        v = np.asarray(arr)[row]
        if v.dtype.kind not in "iu" or v.ndim != 1 or not v.size:
            continue
        for what, val in ((f"{name}.max() + 1", int(v.max()) + 1), (f"len(np.unique({name}))", len(np.unique(v))),
                          (f"{name}.max()", int(v.max()))):
            if val == n:
                return (f"{n} is {what}, a count taken from the values {name} holds in that call (its largest "
                        f"is {int(v.max())}): not every value need occur in a call, so a size counted from the "
                        f"values can be smaller than the one the inputs' shapes give")
    return ""


def _reshaped_arguments(g, error: str) -> list[str]:
    """The shapes an error names that are an argument's made into a column or a row, or
    transposed (``(2, 1)`` where b2 has shape (2,): b2.reshape(-1, 1)), said as such."""
    out = []
    shapes = {tuple(int(n) for n in re.split(r"\s*,\s*", m.group(1)) if n) for m in _SHAPE.finditer(error)}
    for name, arr in g.args.items():
        shape = tuple(int(n) for n in np.shape(arr)[1:])
        forms = {}
        if len(shape) == 1 and shape[0] >= 2:
            forms[(shape[0], 1)] = f"{name} made a column ({name}.reshape(-1, 1) or {name}[:, None])"
            forms[(1, shape[0])] = f"{name} made a row ({name}.reshape(1, -1) or {name}[None, :])"
        if len(shape) == 2 and shape[0] != shape[1]:
            forms[shape[::-1]] = f"{name} transposed ({name}.T)"
        for sh, words in forms.items():
            if sh in shapes:
                out.append(f"{sh} is the shape of {words}")
    return out[:3]


def error_sizes(groups, t: int, error: str) -> str:
    """The sizes an error names (``shapes (3,) (6,)``, ``index 3 … size 3``) said as the
    arguments' lengths they are in the failing call (``3 is P.shape[1]; 6 is len(P) = len(y)``),
    and, for an index one past an axis's end, the longer lengths of that call a loop bound may
    have come from.  Facts of the call, no cause asserted; "" where the error names no size an
    argument has.  ``t`` counts over all shape groups, as :func:`retry`'s does."""
    r = retry(groups, t)
    if r is None or not error:
        return ""
    g, _order = r.parts[0]
    lengths: dict[int, list[str]] = {}
    for name, arr in g.args.items():
        shape = np.shape(arr)[1:]
        for a, n in enumerate(shape):
            said = f"len({name})" if a == 0 else f"{name}.shape[{a}]"
            lengths.setdefault(int(n), []).append(said)
    numbers = [int(n) for m in _SHAPE.finditer(error) for n in re.split(r"\s*,\s*", m.group(1))]
    past = _INDEX_PAST.search(error)
    if past:
        numbers.append(int(past.group(3)))
    else:  # "the array at index 0 has size 8 and the array at index 1 has size 5" (a concatenation)
        numbers += [int(m.group(1)) for m in _SIZE.finditer(error)][:8]
    named = []
    row = r.parts[0][1][0]
    for n in dict.fromkeys(numbers):
        if n >= 2 and n in lengths:
            said = f"{n} is {' = '.join(lengths[n][:4])}"
            # the same number counted from values, where the error also names a larger size it
            # may have been meant to be (shapes (3, 4) and (3, 3): 4 classes, 3 counted from y)
            counted = _value_size(g, row, n) if any(m > n for m in numbers) else ""
            named.append(said + (f", and also {counted.split(' is ', 1)[1]}" if counted else ""))
    for n in dict.fromkeys(numbers):  # a size no argument has: counted from an argument's values?
        if n in lengths or n < 1:
            continue
        said = _value_size(g, row, n)
        if said:
            named.append(said)
    named += _reshaped_arguments(g, error)
    if not named:
        return ""
    said = "In the call that failed, " + "; ".join(named) + "."
    if past and int(past.group(1)) == int(past.group(3)):
        size = int(past.group(3))
        longer = [f"{' = '.join(v[:3])} ({n})" for n, v in sorted(lengths.items()) if n > size]
        if longer:
            said += (f" The index {size} is one past the last entry of an axis of length {size}: a loop that reaches "
                     f"it runs further than that axis — is its bound one of this call's longer sizes, "
                     f"{', '.join(longer[:3])}?")
    return said
