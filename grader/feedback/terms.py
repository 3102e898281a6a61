"""Which terms of a written answer's sum are wrong: a fit outside the sandbox.

A written answer that is a sum of terms comes back with each term's values on every trial (the
sandbox evaluates them one by one: :func:`grader.intake.notation.parts`).  Here the expected
values are fitted as a combination of those terms, by least squares over every element and
trial: a term whose coefficient is 1 is right as written; one whose coefficient is not (0: it
should not be there; 1/4: a factor is off) is wrong.  When no combination reproduces the
expected values, a term is missing or wrong beyond a factor, and the message says that.  Only
numbers cross the sandbox's channel, and the message names terms by their position in the
student's own sum: it never shows the correct formula.
"""
from __future__ import annotations

import numpy as np

FIT = 1e-6  # relative residual under which the fit is exact (the answers' rtol is 1e-5)
COEFFICIENT = 1e-3  # how far from 1 a term's coefficient may be and the term still right


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def wrong_terms(expected: np.ndarray, parts: np.ndarray) -> str:
    """One sentence naming the wrong terms, or "" when the fit cannot tell (terms equal to one
    another, values that are not finite, shapes that do not match)."""
    exp = np.asarray(expected, dtype=np.float64)
    if parts.ndim < 2 or parts.shape[0] != exp.shape[0] or parts.shape[2:] != exp.shape[1:]:
        return ""
    n_terms = parts.shape[1]
    a = np.moveaxis(parts, 1, -1).reshape(-1, n_terms)
    b = exp.reshape(-1)
    if not (np.isfinite(a).all() and np.isfinite(b).all()) or not np.abs(b).max(initial=0.0) > 0:
        return ""
    scale = np.abs(a).max(axis=0)
    if (scale == 0).any() or np.linalg.matrix_rank(a / scale) < n_terms:
        return ""  # a term that is zero everywhere, or two terms equal up to a factor: no single reading
    coef, *_ = np.linalg.lstsq(a, b, rcond=None)
    residual = np.linalg.norm(a @ coef - b) / np.linalg.norm(b)
    if residual > FIT:
        return (f"No choice of factors for the {n_terms} terms of your sum gives the right values: a term is "
                "missing, or one is wrong beyond a constant factor.")
    wrong = [i for i, c in enumerate(coef) if abs(c - 1.0) > COEFFICIENT]
    if not wrong:
        return ""
    names = [_ordinal(i + 1) for i in wrong]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    right = n_terms - len(wrong)
    return (f"Of the {n_terms} terms of your sum (in the order you wrote them), the {listed} "
            f"{'is' if len(wrong) == 1 else 'are'} wrong; the other {right} {'is' if right == 1 else 'are'} right.")
