"""Homework 4, written part: the derivations themselves, graded element by element.

The same questions as ``hw4``, answered as expressions (``answers.md``: a ``## 1.2`` heading per
question, LaTeX or plain notation; see ``grader.intake.notation``).  Each question is a function of the
grader's pipeline like any other: the submission's generated module reads the student's text in
the sandbox and evaluates it for every element, on the same internally consistent random
networks and edge cases as ``hw4``, and the comparison, scoring, diagnosis and reports are
``hw4``'s.  What is specific to the homework is only data: the symbols and their index counts,
what each answer may use, and the element names.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from grader.assignment import Assignment, Question, Trials
from reference.hw4 import QUESTIONS as CODE, model as m
from reference.hw4 import questions as g

INDICES = ["ci", "cj", "pi", "pj", "fi", "fj", "k", "m", "i", "j"]
# symbol -> {number of indices: the argument that holds it}
X, W, V, Y, LABELS, Z, O = {"x": {"2": "x"}}, {"w": {"3": "w"}}, {"w": {"4": "v"}}, {"y": {"3": "y"}}, \
    {"y": {"1": "target"}}, {"z": {"3": "z"}}, {"o": {"1": "o"}}
DZ, DY = {"dE/dz": {"3": "dE_dz"}}, {"dE/dy": {"3": "dE_dy"}}
DISPLAY = {"dE/dz": "∂E/∂z", "dE/dy": "∂E/∂y", "dE/dw": "∂E/∂w"}
# the starter's name of the fully connected weight (its argument v): v_{p_i,p_j,k,m} is w_{p_i,p_j,k,o_m}
# where an answer defines no v of its own
FC_ALIAS = {"v": ["w", 4]}


def _merge(*parts: dict) -> dict:
    out: dict = {}
    for p in parts:
        for name, counts in p.items():
            out.setdefault(name, {}).update(counts)
    return out


KNOWN = {name: [int(n) for n in counts] for name, counts in
         _merge(X, W, V, Y, LABELS, Z, O, DZ, DY, {"dE/dw": {"3": "", "4": ""}}).items()}


# the fully connected layer as vectors and a matrix (o = σ(W^T z), ∂E/∂W = z δ^T): each name,
# written without indices, is the symbol over these axes; z's axis p is (p_i, p_j, k), as the
# handout stacks the pooling layer into one long vector
AXES = {"p": [["pi", 2], ["pj", 2], ["k", 3]], "m": [["m", 2]]}
FC = {"o": ["o", ["m"]], "y": ["y", ["m"]], "z": ["z", ["p"]], "W": ["w", ["p", "m"]], "w": ["w", ["p", "m"]],
      "dE/dW": ["dE/dw", ["p", "m"]], "dE/dw": ["dE/dw", ["p", "m"]], "dE/dz": ["dE/dz", ["p"]]}


def _spec(target: str, shape: tuple, vocabulary: str, *given: dict, **extra) -> dict:
    # superscript_index: a channel written as a superscript (y^{k}_{i,j}, w^{k}_{p_i,p_j,o_m}) is the
    # third index, where every quantity of the homework has it
    return {"target": target, "shape": list(shape), "given": _merge(*given), "indices": INDICES,
            "vocabulary": vocabulary, "display": DISPLAY, "known": KNOWN, "superscript_index": 2, **extra}


def _with(names: tuple[str, ...], reference):
    """hw4's random networks and edge cases, with these quantities as the arguments."""
    def many(rngs, n):
        return g._trials_many(rngs, n, names, reference)

    def one(rng, n):
        return many([rng], n)[0]
    return one, many


def _sizes(rng: np.random.Generator, n: int) -> Trials:
    """The homework's own network: one trial (the answer is four numbers)."""
    return Trials(args={}, expected=np.array([m.layer_sizes()], dtype=np.int64), labels=["the homework's network"])


_REFERENCE = {"1.2": lambda a: m.conv_forward(a["x"], a["w"]), "1.3": lambda a: m.sum_pool(a["y"]),
              "1.4": lambda a: m.fc_forward(a["z"], a["v"]),
              "2.1": lambda a: m.grad_fc_weights(a["z"], a["o"], a["target"]),
              "2.2": lambda a: m.grad_pool_output(a["v"], a["o"], a["target"]),
              "2.3": lambda a: m.grad_conv_sum_pool(a["dE_dz"]),
              "2.4": lambda a: m.grad_filters(a["x"], a["y"], a["dE_dy"])}


def _question(code: Question, params: tuple[str, ...], spec: dict, generate=None, many=None, **changes) -> Question:
    """The written form of hw4's question: the same title, points, tolerance and element names."""
    if generate is None:
        generate, many = _with(params, _REFERENCE[code.id])
    q = replace(code, function="written_" + code.id.replace(".", "_"), params=params, generate=generate,
                generate_many=many, spec=spec, defaults={},
                doc=spec["vocabulary"], **changes)
    return q if q.exact else replace(q, rtol=RTOL, atol_scale=RTOL, atol_floor=_floor(q))


# A formula is evaluated exactly as written, in float64: an equal form differs from the
# reference by rounding alone (~1e-15).  The code questions' 1e-5 (which lets float32 work
# pass) would accept a wrong constant such as 1.000001·σ(…) or e written as 2.71828.
RTOL = 1e-9
FLOOR = 1e-9  # of the question's typical magnitude


def _floor(q: Question) -> float:
    """The absolute floor of the comparison, scaled to the question: FLOOR x the median, over the
    question's random trials at a fixed seed, of the trial's largest |expected|.  A trial whose
    expected values are all zero (targets equal to the outputs) then accepts the rounding residue
    of an answer written in another but equal form -- (o^2 - o^3 - y o + y o^2) z for
    (o - y) o (1 - o) z leaves ~1e-18 -- for every student id alike, while any wrong term, wrong on
    the random trials by far more than the tolerance, stays rejected.  Fixed (not per student):
    the same answer gets the same verdict whatever the id."""
    trials = q.generate(np.random.default_rng(20230703), 8)
    peaks = [float(np.abs(np.asarray(trials.expected[t], dtype=float)).max(initial=0.0))
             for t in range(len(trials)) if trials.labels[t] == "random"] or [1.0]
    return FLOOR * max(float(np.median(peaks)), 1e-6)


Q = {q.id: q for q in CODE}
QUESTIONS = (
    _question(Q["1.1"], (), {"asked": ["c_w", "c_h", "p_w", "p_h"], "target": "c_w", "shape": [], "given": {},
                             "indices": INDICES, "scalars": ["c_w", "c_h", "p_w", "p_h"],
                             "vocabulary": "numbers (c_w = 3, or how you computed it: c_w = (4 - 2)/1 + 1)"},
              generate=_sizes, many=None, title="The sizes c_w, c_h, p_w, p_h"),
    _question(Q["1.2"], ("x", "w"), _spec("y", (3, 3, 3), "x and the filter weights w", X, W)),
    _question(Q["1.3"], ("y",), _spec("z", (2, 2, 3), "the convolution neurons y", Y)),
    _question(Q["1.4"], ("z", "v"), _spec("o", (2,), "z and the weights w_{p_i,p_j,k,o_m}", Z, V, vectors=FC, axes=AXES,
                                     aliases=FC_ALIAS)),
    _question(Q["2.1"], ("z", "o", "target"),
              _spec("dE/dw", (2, 2, 3, 2), "z, o_1, o_2 and the labels y_1, y_2", Z, O, LABELS,
                    vectors=FC, axes=AXES, aliases=FC_ALIAS)),
    _question(Q["2.2"], ("v", "o", "target"),
              _spec("dE/dz", (2, 2, 3), "the weights w_{p_i,p_j,k,o_m}, o_1, o_2 and the labels y_1, y_2", V, O, LABELS,
                    vectors=FC, axes=AXES, aliases=FC_ALIAS)),
    _question(Q["2.3"], ("dE_dz",), _spec("dE/dy", (3, 3, 3), "∂E/∂z (one += line per pooling neuron)", DZ,
                                          accumulate=True)),
    _question(Q["2.4"], ("x", "y", "dE_dy", "dE_dz"),
              _spec("dE/dw", (2, 2, 3), "x, y and ∂E/∂y (or ∂E/∂z)", X, Y, DY, DZ)),
    _question(Q["2.5"], ("y", "dE_dz"), _spec("dE/dy", (3, 3, 3), "y, ∂E/∂z, max and indicators 1[...]", Y, DZ),
              generate=g.gen_grad_conv_max_pool, many=g.gen_grad_conv_max_pool_many),  # tie-free
)


ASSIGNMENT = Assignment(
    name="hw4-written", title="Homework 4, written derivations: forward pass and backpropagation",
    version="2", questions=QUESTIONS, n_random=8, kind="written", filename="answers.md", index_base=1,
    edge_cases="nearly saturated sigmoids and an all-zero image",
    notation=(
        ("`x[i,j]` or `x_{i,j}`", "pixel x_{i,j}"),
        ("`w[fi,fj,k]` / `w[pi,pj,k,o1]` (`w_{p_i,p_j,k,o_1}`)", "filter weight / fully connected weight"),
        ("`y[ci,cj,k]`, `z[pi,pj,k]`, `o1` (`o_1`, `o[m]`)", "convolution neuron, pooling neuron, output"),
        ("`y1`, `y_2`, `y[m]`", "the true labels"),
        ("`dE/dz[pi,pj,k]`, `\\frac{\\partial E}{\\partial z_{p_i,p_j,k}}`", "a derivative of E"),
        ("`sigma(a)`, `σ(a)`, `\\sigma(a)`, `exp(a)`, `max(a, b, c, d)`", "functions"),
        ("`sum(e, k=1..3)`, `\\sum_{k=1}^{3} e`", "a sum (LaTeX: over one product; use parentheses)"),
        ("`1[cond]`, `\\mathbf{1}[cond]` (`==`, `<=`, `and`)", "an indicator"),
        ("`for pi=1..2, pj=1..2: …`", "values of an index that is not on the left"),
        ("`a, b, c += e`", "add e to each of a, b, c (Part 2, question 3)"),
        ("Indices: `ci cj pi pj fi fj k m` (also `c_i`, `c_{i}`); `c_{j+1}` means cj+1; `1/2 x` is x/2.", ""),
        ("Products may be written `*`, `\\cdot` or side by side: `o_1 (1 - o_1) z[pi,pj,k]`.", ""),
    ),
    preamble="Write each answer under a heading '## 1.2' (one per question), in LaTeX ($$ … $$) "
             "or plain notation (y[ci,cj,k] = sigma(...)).")
