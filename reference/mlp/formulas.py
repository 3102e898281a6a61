"""The expected formula of every answer element, in the homework's notation (for --reveal).

``formula(qid, idx)`` returns a sympy equation for the element at 0-based index ``idx`` of
question ``qid``'s answer (``idx`` is ``()`` for the scalar loss).  Indices are 0-based, as in
the homework; the batch, input, hidden and class counts stay symbolic (N, D, M, K), since they
change from trial to trial.  Only the report renderer imports this module (lazily, through
:mod:`grader.feedback.formula`); grading never needs sympy.

Notation (docs/mlp_homework.md): Z = X W1 + b1, H = ReLU(Z), S = H W2 + b2, P = softmax(S)
row by row, L = -(1/N) Σ_n log P_{n, y_n}.
"""
from __future__ import annotations

import sympy as sp

X, W1, b1, Z, H, W2, b2, S, P, y = (sp.IndexedBase(n) for n in ("X", "W1", "b1", "Z", "H", "W2", "b2", "S", "P", "y"))
L = sp.Symbol("L")
N, D, M, K = sp.symbols("N D M K", integer=True, positive=True)
i, j, n, k = sp.symbols("i j n k", integer=True, nonnegative=True)
Iverson = sp.Function("Iverson")
argmax_k = sp.Function("argmax_k")


def _last(count):
    """The last 0-based index, count - 1 (kept unevaluated: it prints as D − 1, not −1 + D)."""
    return sp.Add(count, -1, evaluate=False)


def _d(var):
    return sp.Derivative(L, var, evaluate=False)


def _mul(*factors):
    return sp.Mul(*factors, evaluate=False)


def _add(*terms):
    return sp.Add(*terms, evaluate=False)


def _minus(a, b):
    return sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False)


def _over_n(expr):
    return sp.Mul(expr, sp.Pow(N, -1, evaluate=False), evaluate=False)


def formula(qid: str, idx: tuple[int, ...]):
    """The equation of one answer element (0-based ``idx``), or None when there is none."""
    if qid == "1.1":  # H[a, c] = max(0, sum_i X[a, i] W1[i, c] + b1[c])
        a, c = idx
        pre = _add(sp.Sum(_mul(X[a, i], W1[i, c]), (i, 0, _last(D))), b1[c])
        return sp.Eq(H[a, c], sp.Max(0, pre, evaluate=False), evaluate=False)
    if qid == "1.2":
        a, c = idx
        return sp.Eq(S[a, c], _add(sp.Sum(_mul(H[a, j], W2[j, c]), (j, 0, _last(M))), b2[c]), evaluate=False)
    if qid == "1.3":
        a, c = idx
        ratio = sp.Mul(sp.exp(S[a, c], evaluate=False),
                       sp.Pow(sp.Sum(sp.exp(S[a, k], evaluate=False), (k, 0, _last(K))), -1, evaluate=False),
                       evaluate=False)
        return sp.Eq(P[a, c], ratio, evaluate=False)
    if qid == "1.4":
        total = sp.Sum(sp.log(P[n, y[n]], evaluate=False), (n, 0, _last(N)))
        return sp.Eq(L, sp.Mul(-1, _over_n(total), evaluate=False), evaluate=False)
    if qid == "1.5":
        (a,) = idx
        return sp.Eq(sp.Symbol(f"label_{a}"), argmax_k(S[a, k]), evaluate=False)
    if qid == "2.1":
        a, c = idx
        return sp.Eq(_d(S[a, c]), _over_n(_minus(P[a, c], Iverson(sp.Eq(y[a], c, evaluate=False)))),
                     evaluate=False)
    if qid == "2.2":
        a, c = idx
        return sp.Eq(_d(W2[a, c]), sp.Sum(_mul(H[n, a], _d(S[n, c])), (n, 0, _last(N))), evaluate=False)
    if qid == "2.3":
        (c,) = idx
        return sp.Eq(_d(b2[c]), sp.Sum(_d(S[n, c]), (n, 0, _last(N))), evaluate=False)
    if qid == "2.4":
        a, c = idx
        back = sp.Sum(_mul(_d(S[a, k]), W2[c, k]), (k, 0, _last(K)))
        gate = Iverson(sp.StrictGreaterThan(Z[a, c], 0, evaluate=False))
        return sp.Eq(_d(Z[a, c]), _mul(gate, back), evaluate=False)
    if qid == "2.5":
        a, c = idx
        return sp.Eq(_d(W1[a, c]), sp.Sum(_mul(X[n, a], _d(Z[n, c])), (n, 0, _last(N))), evaluate=False)
    return None
