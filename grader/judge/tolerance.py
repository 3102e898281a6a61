"""The tolerance rule: when a returned number counts as the right one.

One rule for the verdict (:mod:`grader.judge.compare`) and for every diagnosis that says "this
candidate reproduces your answer" (:mod:`grader.feedback.diagnose`, :mod:`grader.feedback.probes`)::

    |got - exp| <= atol + rtol * |exp|,   atol = q.atol_scale * max|exp| + q.atol_floor

with ``max|exp|`` taken over one trial's answer (or over the ``axes`` given), so that the
absolute tolerance scales with the size of the answer and an element near zero is judged
against the answer's own size.  NaN and infinity never pass, on either side.  An exact
question (``q.exact``: integers, labels, booleans) compares with ``==``.

``q`` is anything with ``rtol``, ``atol_scale``, ``atol_floor`` and ``exact``: a
:class:`~grader.assignment.Question`, or a :class:`Tolerance` of the module's own.

The looser screens below are this rule widened by a named factor (``loosen``): each is a
superset of the strict rule, used only to decide what is worth the strict check.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tolerance:
    """A tolerance that is not a question's (see :data:`FLOAT32`)."""

    rtol: float = 1e-5
    atol_scale: float = 1e-5
    atol_floor: float = 1e-300
    exact: bool = False


# A diagnosis candidate is worth the careful, float32-aware check when it is within SCREEN
# times the tolerance on most trials.  Looser than the rule because a float32 answer is right
# only for float32-rounded inputs: on an ill-conditioned trial (1 - o of a saturated o) it is
# far outside the strict rule, and the strict check with rounded inputs is what settles it.
SCREEN = 100.0

# A fitted factor (got ~ c * expected, per trial or for all) counts as different from 1, or as
# changing from trial to trial, only beyond FACTOR times the tolerance's relative size: a
# right answer, inside the tolerance, fits a factor that is off 1 by about the tolerance.
FACTOR = 10.0

# The error float32 work carries: each float32 step rounds by ~6e-8 relative, and the
# homework's computations stay under 1e-5 of their values.  A property of float32, not of
# the question: a question asking for 1e-8 still sees float32 noise of this size.
FLOAT32 = Tolerance(rtol=1e-5, atol_scale=1e-5)

# The error half-precision (float16) work carries: each step rounds by ~5e-4 relative (3
# significant digits), and a few steps accumulate to a few 1e-3 of the answer's size.
FLOAT16 = Tolerance(rtol=1e-2, atol_scale=1e-2)


def atol(q, exp, axes=None) -> np.ndarray:
    """``q.atol_scale * max|exp| + q.atol_floor``, the max over ``axes`` (one trial's answer;
    ``None``: all of ``exp``), kept as size-1 axes so that it broadcasts against ``exp``."""
    return _atol(q, np.abs(np.asarray(exp, dtype=np.float64)), axes)[0]


def _atol(q, abs_exp: np.ndarray, axes) -> tuple[np.ndarray, np.ndarray]:
    """:func:`atol` from ``|exp|``, and the largest ``|exp|`` it was made from."""
    top = abs_exp.max(axis=axes, keepdims=True, initial=0.0)
    return q.atol_scale * top + q.atol_floor, top


def within(q, got, exp, axes=None, loosen: float = 1.0) -> np.ndarray:
    """Per element: ``got`` is ``exp`` by the rule (``exp`` is the reference, the one whose
    size sets the tolerance; ``axes`` as in :func:`atol`).  ``loosen`` widens the tolerance
    by that factor (the screens above); an exact question stays exact."""
    g = np.asarray(got, dtype=np.float64)
    e = np.asarray(exp, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        if q.exact:
            return (g == e) & np.isfinite(g)
        ae = np.abs(e)
        a, top = _atol(q, ae, axes)
        bound = a + q.rtol * ae
        if loosen != 1.0:
            bound = loosen * bound
        ok = np.abs(g - e) <= bound
        # Where the bound is finite (checked on its largest value: one a trial), only finite
        # numbers pass already; a NaN or infinite expected value, or a bound that overflows,
        # needs the explicit check.
        largest = loosen * (a + q.rtol * top)
        if not (math.isfinite(largest.item()) if largest.size == 1 else np.isfinite(largest).all()):
            ok &= np.isfinite(g) & np.isfinite(e)
    return ok


def wrong(q, got, exp, axes=None) -> np.ndarray:
    """Per element: ``got`` is outside the tolerance of ``exp`` (NaN and infinity always are)."""
    return ~within(q, got, exp, axes)


def all_within(q, got, exp, axes=None, loosen: float = 1.0) -> bool:
    """Every element of ``got`` is ``exp`` by the rule."""
    return bool(within(q, got, exp, axes, loosen).all())


def trials_within(q, got, exp, loosen: float = 1.0) -> np.ndarray:
    """Per trial (axis 0 of both; the rest is one trial's answer): every element within."""
    e = np.asarray(exp)
    ok = within(q, got, e, axes=tuple(range(1, e.ndim)), loosen=loosen)
    return ok.reshape(len(ok), -1).all(axis=1)


def relative(q, loosen: float = 1.0) -> float:
    """The tolerance's relative size (the larger of ``rtol`` and ``atol_scale``), times ``loosen``."""
    return max(q.rtol, q.atol_scale) * loosen
