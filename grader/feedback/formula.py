"""Expected formulas of single elements, rendered from sympy to presentation MathML.

An assignment may ship ``reference/<name>/formulas.py`` defining ``formula(qid, idx)``: the
sympy expression (usually ``Eq(lhs, rhs)``) of the element at 0-based index ``idx`` of
question ``qid``'s answer, or None.  This module imports sympy only when a report needs a
formula, and caches every rendered formula per (assignment, qid, idx).

Conventions the printer understands, beyond plain sympy:

* ``Indexed`` prints as x with the indices as a comma-separated subscript: x_{1,2};
* ``Derivative(E, v, evaluate=False)`` prints as the fraction ∂E/∂v;
* ``Function("Iverson")(cond)`` prints as the Iverson bracket [cond];
* a symbol whose name has a long suffix after ``_`` (``filter_size``) prints verbatim;
* products and sums print in the order they were built (``evaluate=False``), so a formula
  reads as the homework writes it;
* an equation whose right side is a sum of products prints one term per line.
"""
from __future__ import annotations

import functools
import importlib
from typing import Any, Callable

MATH_OPEN = '<math display="block">'  # HTML puts <math> in the MathML namespace by itself


@functools.lru_cache(maxsize=None)
def _hook(assignment: str) -> Callable | None:
    """``formula`` of ``reference.<assignment>.formulas``, or None if the assignment has none."""
    from ..assignment import assignment_module
    module = f"{assignment_module(assignment)}.formulas"
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None  # the assignment simply ships no formulas
        raise
    return getattr(mod, "formula", None)


@functools.lru_cache(maxsize=4096)
def formula_mathml(assignment: str, qid: str, idx: tuple[int, ...]) -> str:
    """The ``<math>`` element of one answer element's formula, or "" when none is known.

    Never raises: a broken hook costs the report its formula, not the whole page.
    """
    try:
        hook = _hook(assignment)
        expr = hook(qid, tuple(int(i) for i in idx)) if hook else None
        return to_mathml(expr) if expr is not None else ""
    except Exception:  # noqa: BLE001 - the formula is a nicety; the verdict stands without it
        return ""


def to_mathml(expr: Any) -> str:
    """One sympy expression as a display ``<math>`` element, for HTML (no JS, no namespace URL)."""
    body = _printer().doprint(expr)
    # HTML-only named entities would break the page when read as XML; use code points
    body = body.replace("&InvisibleTimes;", "&#x2062;").replace("&dd;", "&#x2146;")
    body = body.replace("<mo>-</mo>", "<mo>&#x2212;</mo>")  # a minus sign, not a hyphen
    return f"{MATH_OPEN}{body}</math>"


@functools.lru_cache(maxsize=1)
def _printer():
    from sympy import Add, Eq, Mul, Pow
    from sympy.printing.mathml import MathMLPresentationPrinter

    class HomeworkMathML(MathMLPresentationPrinter):
        def _el(self, tag: str, *children, text: str | None = None, **attrs):
            el = self.dom.createElement(tag)
            for k, v in attrs.items():
                el.setAttribute(k.rstrip("_"), v)
            if text is not None:
                el.appendChild(self.dom.createTextNode(text))
            for c in children:
                el.appendChild(c)
            return el

        def _print_Indexed(self, e):
            sub = self._el("mrow")
            for i, ix in enumerate(e.indices):
                if i:
                    sub.appendChild(self._el("mo", text=",", separator="true"))
                sub.appendChild(self._print_Add(ix, order="lex") if isinstance(ix, Add) else self._print(ix))
            return self._el("msub", self._print(e.base), sub)

        def _print_Derivative(self, e):
            if len(e.variables) != 1:
                return super()._print_Derivative(e)
            num = self._el("mrow", self._el("mo", text="&#x2202;", rspace="0"), self._print(e.expr))
            den = self._el("mrow", self._el("mo", text="&#x2202;", rspace="0"), self._print(e.variables[0]))
            return self._el("mfrac", num, den)

        def _print_Sum(self, e):
            row = self._el("mrow")
            for var, lo, hi in e.limits:
                low = self._el("mrow", self._print(var), self._el("mo", text="="), self._print(lo))
                row.appendChild(self._el("munderover", self._el("mo", text="&#x2211;"), low, self._print(hi)))
            row.appendChild(self._factor(e.function))
            return row

        def _factor(self, a):
            """One factor of a product: only sums (and negative terms) need parentheses."""
            if isinstance(a, Mul):
                return self._print_Mul(a, inner=True)
            if isinstance(a, Add) or a.could_extract_minus_sign():
                return self._el("mrow", self._el("mo", text="("), self._print(a), self._el("mo", text=")"))
            return self._print(a)

        def _print_Function(self, e):
            if type(e).__name__ == "Iverson":
                return self._el("mrow", self._el("mo", text="["), self._print(e.args[0]), self._el("mo", text="]"))
            return super()._print_Function(e)

        def _print_Symbol(self, sym, style="plain"):
            head, _, tail = sym.name.partition("_")
            if tail and len(tail) > 2 and not tail.startswith("{"):
                return self._el("mi", text=sym.name)
            return super()._print_Symbol(sym, style)

        def _print_Mul(self, expr, inner=False):
            if any(isinstance(a, Pow) and a.exp.is_negative for a in expr.args):
                return super()._print_Mul(expr)  # a fraction
            args = list(expr.args)
            row = self._el("mrow")
            if args and args[0] == -1 and not inner:
                row.appendChild(self._el("mo", text="-"))
                args = args[1:]
            for i, a in enumerate(args):
                if i:
                    row.appendChild(self._el("mo", text="&#x2062;"))
                row.appendChild(self._factor(a))
            return row

        def _print_Relational(self, e):
            if isinstance(e, Eq) and isinstance(e.rhs, Add) and any(isinstance(t, Mul) for t in e.rhs.args):
                return self._lines(e)
            return super()._print_Relational(e)

        def _lines(self, e):
            """lhs = t1 / + t2 / + t3 ..., one term per row of a left-aligned table."""
            table = self._el("mtable", columnalign="right left", style="text-align:left")
            for i, term in enumerate(self._as_ordered_terms(e.rhs, order="none")):
                left = self._el("mrow", self._print(e.lhs) if i == 0 else self._el("mrow"), displaystyle="true")
                right = self._el("mrow", displaystyle="true")
                neg = i > 0 and term.could_extract_minus_sign()
                op = "=" if i == 0 else ("-" if neg else "+")
                right.appendChild(self._el("mo", text=op))
                right.appendChild(self._print(Mul(-1, term) if neg else term))
                table.appendChild(self._el("mtr", self._el("mtd", left, style="text-align:right"),
                                           self._el("mtd", right, style="text-align:left")))
            return table

    return HomeworkMathML({"order": "none"})


def key_formula(assignment: str) -> Callable[[Any], str]:
    """For ``--reveal``: a question result -> the plain-text correct formula of its failing
    example's worst element ("" when it has none).  Text outputs take it as their ``formula``."""
    def of(q: Any) -> str:
        f = getattr(q, "failure", None)
        if f is None or not getattr(f, "worst_index", None):
            return ""
        return formula_text(assignment, str(q.id), tuple(int(i) for i in f.worst_index))
    return of


@functools.lru_cache(maxsize=4096)
def formula_text(assignment: str, qid: str, idx: tuple[int, ...]) -> str:
    """The same formula as one line of plain text (terminal, JUnit, Gradescope), or "".

    ``∂E/∂y_{2,2,1} = [y_{2,2,1} = max(y_{1,1,1}, ...)]*∂E/∂z_{1,1,1} + ...``; never raises."""
    try:
        hook = _hook(assignment)
        expr = hook(qid, tuple(int(i) for i in idx)) if hook else None
        return _text_printer().doprint(expr) if expr is not None else ""
    except Exception:  # noqa: BLE001 - as for the MathML: the verdict stands without it
        return ""


@functools.lru_cache(maxsize=1)
def _text_printer():
    from sympy import Eq
    from sympy.printing.str import StrPrinter

    class HomeworkText(StrPrinter):
        printmethod = "_cnn_grader_text"  # not _sympystr: Indexed would print itself as x[1, 2]

        def _print_Indexed(self, e):
            return f"{self._print(e.base)}_{{{','.join(self._print(i) for i in e.indices)}}}"

        def _print_IndexedBase(self, e):
            return self._print(e.label)

        def _print_Derivative(self, e):
            if len(e.variables) != 1:
                return super()._print_Derivative(e)
            return f"∂{self._print(e.expr)}/∂{self._print(e.variables[0])}"

        def _print_Function(self, e):
            if type(e).__name__ == "Iverson":
                return f"[{self._print(e.args[0])}]"
            return super()._print_Function(e)

        def _print_Sum(self, e):
            limits = ", ".join(f"{self._print(v)}={self._print(lo)}..{self._print(hi)}" for v, lo, hi in e.limits)
            return f"Σ_{{{limits}}} {self.parenthesize(e.function, 1000)}"

        def _print_Max(self, e):
            return "max(" + ", ".join(self._print(a) for a in e.args) + ")"

        def _print_Relational(self, e):
            if isinstance(e, Eq):
                return f"{self._print(e.lhs)} = {self._print(e.rhs)}"
            return super()._print_Relational(e)

    return HomeworkText({"order": "none"})
