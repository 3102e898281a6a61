"""The expected formula of every answer element, in the homework's notation (for reports).

``formula(qid, idx)`` returns a sympy equation for the element at 0-based index ``idx`` of
question ``qid``'s answer, built from the network's forward definitions with 1-based indices:
the student sees what that one number should be made of.  Only the report renderer imports
this module (lazily, through :mod:`grader.feedback.formula`); grading never needs sympy.

Notation (see the homework and reference/hw4/__init__.py): image x_{i,j}; filters w_{a,b,k};
convolution outputs y_{i,j,k} = σ(...); sum-pooling outputs z_{i,j,k}; fully connected weights
w_{i,j,k,o_m}; outputs o_m; true labels y_m; E = 1/2 Σ_m (o_m - y_m)^2.
"""
from __future__ import annotations

import sympy as sp

from . import model as m

x, w, y, z = (sp.IndexedBase(n) for n in ("x", "w", "y", "z"))
E = sp.Symbol("E")
sigma = sp.Function("σ")
Iverson = sp.Function("Iverson")
i, j, k = sp.symbols("i j k", integer=True, positive=True)
C, P, F = 3, m.POOL, m.FILTER  # convolution side, pooling window side, filter side
K = 3  # channels


def _add(*terms):
    return terms[0] if len(terms) == 1 else sp.Add(*terms, evaluate=False)


def _mul(*factors):
    return sp.Mul(*factors, evaluate=False)


def _minus(a, b):
    return sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False)


def _d(var):
    return sp.Derivative(E, var, evaluate=False)


def _o(mm: int):
    return sp.Symbol(f"o_{mm}")


def _label(mm: int):
    return sp.Symbol(f"y_{mm}")


def _delta(mm: int):
    """Output error (o_m - y_m) o_m (1 - o_m)."""
    return _mul(_minus(_o(mm), _label(mm)), _o(mm), _minus(sp.Integer(1), _o(mm)))


def _windows_containing(a: int, b: int):
    """1-based (p, q) of every 2x2 stride-1 pooling window that covers convolution output (a, b)."""
    return [(p, q) for p in range(a - P + 1, a + 1) for q in range(b - P + 1, b + 1)
            if 1 <= p <= C - P + 1 and 1 <= q <= C - P + 1]


def _layer_sizes(n: int):
    width, height, f, p, s = sp.symbols("width height filter_size pool_size stride", positive=True)
    c_w = sp.Symbol("c_w")
    c_h = sp.Symbol("c_h")

    def size(length, window):
        return sp.Add(sp.floor(sp.Mul(_minus(length, window), sp.Pow(s, -1), evaluate=False)), 1, evaluate=False)

    lhs = (c_w, c_h, sp.Symbol("p_w"), sp.Symbol("p_h"))[n]
    rhs = (size(width, f), size(height, f), size(c_w, p), size(c_h, p))[n]
    return sp.Eq(lhs, rhs, evaluate=False)


def formula(qid: str, idx: tuple[int, ...]):
    """The equation of one answer element (0-based ``idx``), or None when there is none."""
    one = tuple(v + 1 for v in idx)
    if qid == "1.1":
        return _layer_sizes(idx[0])
    if qid == "1.2":  # y_{a,b,c} = σ(Σ_{fa,fb} x_{a+fa-1, b+fb-1} w_{fa,fb,c})
        a, b, c = one
        pre = _add(*(_mul(x[a + fa, b + fb], w[fa + 1, fb + 1, c]) for fa in range(F) for fb in range(F)))
        return sp.Eq(y[a, b, c], sigma(pre), evaluate=False)
    if qid == "1.3":
        a, b, c = one
        return sp.Eq(z[a, b, c], _add(*(y[a + da, b + db, c] for da in range(P) for db in range(P))),
                     evaluate=False)
    if qid == "1.4":
        (mm,) = one
        total = sp.Sum(_mul(z[i, j, k], w[i, j, k, _o(mm)]), (i, 1, P), (j, 1, P), (k, 1, K))
        return sp.Eq(_o(mm), sigma(total), evaluate=False)
    if qid == "2.1":
        a, b, c, mm = one
        return sp.Eq(_d(w[a, b, c, _o(mm)]), _mul(_delta(mm), z[a, b, c]), evaluate=False)
    if qid == "2.2":
        a, b, c = one
        return sp.Eq(_d(z[a, b, c]), _add(*(_mul(_delta(mm), w[a, b, c, _o(mm)]) for mm in (1, 2))),
                     evaluate=False)
    if qid == "2.3":  # every sum-pooling window containing y_{a,b,c} passes its error back whole
        a, b, c = one
        return sp.Eq(_d(y[a, b, c]), _add(*(_d(z[p, q, c]) for p, q in _windows_containing(a, b))),
                     evaluate=False)
    if qid == "2.4":  # Σ over the convolution outputs that filter weight w_{a,b,c} touched
        a, b, c = one
        term = _mul(_d(y[i, j, c]), y[i, j, c], _minus(sp.Integer(1), y[i, j, c]), x[i + a - 1, j + b - 1])
        return sp.Eq(_d(w[a, b, c]), sp.Sum(term, (i, 1, C), (j, 1, C)), evaluate=False)
    if qid == "2.5":  # each max-pooling window routes its error to its largest input only
        a, b, c = one
        terms = []
        for p, q in _windows_containing(a, b):
            window = [y[p + da, q + db, c] for da in range(P) for db in range(P)]
            is_max = sp.Eq(y[a, b, c], sp.Max(*window, evaluate=False), evaluate=False)
            terms.append(_mul(Iverson(is_max), _d(z[p, q, c])))
        return sp.Eq(_d(y[a, b, c]), _add(*terms), evaluate=False)
    return None
