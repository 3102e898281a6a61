"""Written answers: one notation for indexed expressions, read from plain text or LaTeX.

Students write the homework's derivations as they would on paper (``y[ci,cj,k] = sigma(...)``,
the key's own ``y_{c_i,c_j,k} = \\sigma(x_{c_i,c_j} \\cdot w_{1,1,k} + ...)``, sums, indicators,
``max``, ``for`` quantifiers, ``+=`` lines).  This module reads such text into a small tree and
evaluates it for *every* element of the asked quantity: what sympy's ``parse_latex`` and the
random-point checkers of STACK or WeBWorK cannot do for an indexed family.

It is deliberately self-contained (standard library only, no ``eval``, no recursion deeper than
:data:`MAX_DEPTH`, inputs cut at :data:`MAX_TEXT`): it runs inside the sandbox, next to the
student's text, loaded by path, because reading student text is untrusted work.  Everything
homework-specific (which symbols exist, with how many indices, what each question may use)
comes in as data, the ``spec`` (the written assignments under ``reference/`` show it).

Anything unknown or ambiguous is a :class:`NotationError` that points at the spot, never a guess.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

MAX_TEXT = 20000  # characters of one answer
MAX_DEPTH = 60  # nesting of the expression tree
MAX_APPLIED = 20_000  # tokens of the student's own functions' bodies read where they are applied
MAX_STEPS = 2_000_000  # node evaluations for one answer (all its elements)
MAX_LINKS = 200  # operators in a chain (a + b + … , a b c …, - - a, a^b^c) along one path of the tree


STEP = "a step of the derivation"  # why a line or a chain's member is shown but not graded


class NotationError(ValueError):
    """The text cannot be read, or does not define the asked quantity; says where and why."""


class NoAnswer(NotImplementedError):
    """The file has no answer to this question: the question is ``missing`` (the runtime's
    rule for a function not written yet), not an error."""


# --- tokens ---------------------------------------------------------------------------------

_UNICODE = {"−": "-", "–": "-", "·": "*", "⋅": "*", "×": "*", "∗": "*", "≤": "<=", "≥": ">=", "≠": "!=",
            "σ": " sigma ", "∂": " \\partial ", "𝟙": " Indicator ", "∑": " \\sum ", "…": "...", "⋯": "...",
            "∧": " and ", "′": "'"}
_SUB_DIGITS = {"⁻¹": "^{-1}", "⁻": "^-"}  # (before the superscript digits: ⁻¹ is one exponent)
_SUB_DIGITS.update({chr(0x2080 + d): f"_{d}" for d in range(10)})
# subscript letters (oₘ, pᵢ, cⱼ) and superscripts (o², W⁻¹): what a phone or a Unicode keyboard types
_SUB_DIGITS.update({ch: f"_{c}" for ch, c in zip("ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", "aeoxhklmnpstijruv")})
_SUB_DIGITS.update({ch: f"^{c}" for ch, c in zip("²³¹⁰⁴⁵⁶⁷⁸⁹", "2310456789")})
# superscript index letters and parentheses (yᵏᵢⱼ, y⁽ᵏ⁾): a run of them is one superscript group
_SUPERS = {"ⁱ": "i", "ʲ": "j", "ᵏ": "k", "ᵐ": "m", "⁽": "(", "⁾": ")"}
_SUB_DIGITS.update({ch: f"^{c}" for ch, c in _SUPERS.items()})
_SUP_RUN = re.compile("[" + "".join(_SUPERS) + "]{2,6}")
_SUB_DIGITS.update({"₊": "_+", "₋": "_-", "₍": "_(", "₎": "_)", "₌": "_="})
_SUBSCRIPTS = "".join(chr(0x2080 + d) for d in range(10)) + "ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ₊₋₍₎"
# two or more subscript characters, commas between them too (yᵢ,ⱼ₊₁,ₖ): one group
_SUB_RUN = re.compile("[" + _SUBSCRIPTS + "](?:[" + _SUBSCRIPTS + "]|,(?=[" + _SUBSCRIPTS + "])){1,60}")
_UNICODE.update({"Σ": " \\sum ", "∈": " \\in ", "∀": " \\forall ", "⊙": "*", "∘": "*", "≔": "=", "⩽": "<=",
                 "⩾": ">=", "’": "'", "ᵀ": "^T"})
# Greek letters: a symbol of the student's own (δ_m, \delta_m); σ stays the sigmoid, π is not mapped
_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "kappa", "lambda",
          "mu", "nu", "xi", "rho", "tau", "phi", "varphi", "chi", "psi", "omega", "Delta", "Gamma", "Theta",
          "Lambda", "Phi", "Psi", "Omega")
_UNICODE.update({ch: f" {name} " for ch, name in zip("αβγδεεζηθκλμνξρτφφχψωΔΓΘΛΦΨΩ", _GREEK)})
_TEXT_WORDS = {"for all": " \\forall ", "for every": " \\forall ", "for each": " \\forall ", "for any": " \\forall ",
               "for": " \\forall ", "where": " \\where ", "and": " and ", "if": " \\if ", "otherwise": " \\otherwise ",
               "else": " \\otherwise ", "with": " \\where ", "s.t.": " \\forall "}


# sums and products in words (each a bounded, anchored-by-keyword pattern: linear)
_OVER_NAME = r"[A-Za-z]\w{0,11}"
_SUM_OVER = re.compile(r"\b(?:the[ \t]+)?(?:sum|Sum|Σ)[ \t]+over[ \t]+(?:all[ \t]+)?(" + _OVER_NAME +
                       r"(?:[ \t]*(?:,|\band\b)[ \t]*" + _OVER_NAME + r"){0,5})[ \t]+of\b")
_RANGE_WORDS = _OVER_NAME + r"[ \t]*=[ \t]*-?\d{1,4}[ \t]*\.\.\.?[ \t]*-?\d{1,4}"  # k=1..3
_RANGE = re.compile(r"(" + _OVER_NAME + r")[ \t]*=[ \t]*(-?\d{1,4})[ \t]*\.\.\.?[ \t]*(-?\d{1,4})")
_SUM_RANGES = re.compile(r"\b(?:the[ \t]+)?(?:sum|Sum|Σ)[ \t]+over[ \t]+(" + _RANGE_WORDS +
                         r"(?:[ \t]*(?:,|\band\b)[ \t]*" + _RANGE_WORDS + r"){0,7})[ \t]+of\b")
_FROM_TO = r"(" + _OVER_NAME + r")[ \t]+from[ \t]+(-?\d{1,4})[ \t]+to[ \t]+(-?\d{1,4})"  # a from 0 to 1
_SUM_FROM = re.compile(r"\b(?:the[ \t]+)?(?:sum|Sum|Σ)[ \t]+over[ \t]+(" + _FROM_TO.replace("(", "(?:").replace("(?:?:", "(?:")
                       + r"(?:[ \t]*(?:,|\band\b)[ \t]*" + _FROM_TO.replace("(", "(?:").replace("(?:?:", "(?:") + r"){0,4})"
                       r"(?:[ \t]+of\b)?")  # the sum over a from 0 to 1, b from 0 to 1 of
_FROM_TO_ONE = re.compile(_FROM_TO)
_DERIVATIVE_AT = re.compile(r"\b(?:the[ \t]+)?derivative[ \t]+of[ \t]+(?:the[ \t]+)?(?:sigma|sigmoid|\\sigma)[ \t]+"
                            r"(?:evaluated[ \t]+)?at[ \t]+([A-Za-z][A-Za-z0-9]{0,11}(?:_(?:\{[^{}\n]{0,30}\}|[A-Za-z0-9]{1,3}))?(?:\[[^\[\]\n]{0,30}\])?"
                            r"|\([^()\n]{0,200}\))")
_FOR_EACH_WHOLE = re.compile(r"\b(?:for|over)[ \t]+(?:each|every|all)[ \t]+(?:the[ \t]+)?(?:(?:pooling|filter|convolution|"
                             r"conv|output|fully[ \t]+connected|FC)[ \t]+)?"
                             r"(?:window|windows|position|positions|element|elements|neuron|neurons|pixel|pixels|"
                             r"entry|entries|weight|weights|unit|units)\b(?=[ \t]*(?:[.;)$}]|\n|\Z))")
_PLAIN_WHERE = re.compile(r"(?<![\\\w])(?:where|with)(?=[ \t])")
_PLUS_MINUS = re.compile(r"(?<!\\)\b(plus|minus|divided[ \t]+by)\b")
_TIMES = re.compile(r"\\text\s*\{\s*(?:times|multiplied\s+by)\s*\}|(?<!\\)\b(?:times|multiplied[ \t]+by)\b")

# a brace group, braces nested up to three deep inside (each character read one way: linear)
_BRACED = r"\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}"


_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}  # "，" "＝" "（" …: their ASCII forms


# what students write for "is defined as": :=, ≡, ≔, \triangleq, ← and <- (spaced, as in
# pseudocode; a<-1 stays a comparison), and Python's f = lambda t: … (a function of one's own)
_DEFINED_AS = re.compile(r"\\(?:coloneqq|coloneq|triangleq|equiv|doteq|leftarrow|gets)(?![A-Za-z])|:=|=:|≡|≔|≜|←|(?<=\s)<-(?=\s)")
_LAMBDA = re.compile(r"\b([A-Za-z][A-Za-z0-9]{0,11})[ \t]*=[ \t]*lambda[ \t]+([A-Za-z])[ \t]*:[ \t]*")


_CONSTANT_DEFINED = re.compile(r"\s*(?:e|pi|\\pi|π)\s*=(?!=)")


def _definitional(text: str) -> str:
    return _LAMBDA.sub(r"\1(\2) = ", _DEFINED_AS.sub("=", text))


def _layer_label(m: re.Match) -> str:
    """A layer label (``w^{(2)}``, ``δ^{[L]}``) is dropped; an exponent in parentheses is kept:
    one that starts with a sign (``e^(-a)``, a layer is never negative) or whose base is the
    number e standing alone (``e^(2t)``)."""
    inner = m.group().lstrip("^ \t{").lstrip("([ \t")
    at = m.start()
    base_e = at >= 1 and m.string[at - 1] == "e" and (at < 2 or not (m.string[at - 2].isalnum() or m.string[at - 2] in "\\_"))
    return m.group() if inner[:1] in "+-" or base_e else ""


def normalize(text: str) -> str:
    """What students write, mapped into the one grammar: Unicode letters and operators, LaTeX
    spacing, sizing, bold and vector markup, layer labels ``w^{(2)}``, ``\\text{for all}`` and
    friends, ``:=``, ``cases`` environments (as indicators).  Plain string work, bounded by the
    text's length (no backtracking regex on unbounded input)."""
    if len(text) > MAX_TEXT:
        raise NotationError(f"the answer is longer than {MAX_TEXT} characters")
    # a run of subscript characters is one group, split as compact indices are (y₁₁ₖ is y_{11k})
    text = _SUP_RUN.sub(lambda m: "^{" + "".join(_SUPERS[c] for c in m.group()) + "}", text)
    text = _SUB_RUN.sub(lambda m: "_{" + "".join(_SUB_DIGITS[c][1:] if c in _SUB_DIGITS else c for c in m.group()) + "}", text)
    text = re.sub(r"_\{([+\-][0-9A-Za-z+\-]{1,10})\}", r"\1", text)  # x_{i,j₊₁}: j+1, as typed
    for k, v in {**_UNICODE, **_SUB_DIGITS}.items():
        text = text.replace(k, v)
    text = _furniture(text)
    text = _MODULE.sub("", text)  # math.exp, np.exp, np.sum: Python's modules
    text = re.sub(r"\\(?:text|textrm|mathrm|textit|mbox)\s*\{([^{}]{0,40})\}", _text_words, text)
    text = re.sub(r"\\(?:operatorname\*?|mathop|mathrm|text|textrm|mbox)\s*\{\s*(\\mathrm\s*\{)?"
                  r"\s*([A-Za-z]{1,7})(?:\s*\\[,;: !]\s*|\s+)?([A-Za-z]{0,7})\s*(?(1)\}\s*)\}",
                  _function_word, text)  # \operatorname*{arg\,max}, \mathrm{sigmoid}
    text = re.sub(r"\\arg\s*\\?(max|min)(?![A-Za-z])", r" arg\1 ", text)  # \arg\max
    text = _SUM_RANGES.sub(lambda m: "".join(f"\\sum_{{{v}={lo}}}^{{{hi}}} " for v, lo, hi in _RANGE.findall(m.group(1))),
                           text)  # sum over k=1..3, pi=1..2 of
    text = _SUM_FROM.sub(lambda m: "".join(f"\\sum_{{{v}={lo}}}^{{{hi}}} " for v, lo, hi in _FROM_TO_ONE.findall(m.group(1))),
                         text)  # the sum over a from 0 to 1, b from 0 to 1 of
    text = _SUM_OVER.sub(lambda m: "".join(f"\\sum_{{{v}}} " for v in re.split(r"[ \t]*(?:,|\band\b)[ \t]*", m.group(1))),
                         text)  # (the) sum over m of, sum over p_i, p_j and k of
    text = _DERIVATIVE_AT.sub(r" sigma'(\1) ", text)  # the derivative of sigma at net_m
    text = _TIMES.sub(" * ", text)  # times, multiplied by
    text = _PLAIN_WHERE.sub(r" \\where ", text)  # "o_m = sigmoid(net_m) where net_m = …": as \text{where}
    text = _PLUS_MINUS.sub(lambda m: {"plus": " + ", "minus": " - "}.get(m.group(1), " / "), text)
    text = _FOR_EACH_WHOLE.sub(" ", text)  # ", for each window": every element of the left side, as without it
    text = re.sub(r"\\(?:mathrm|text|operatorname|textrm)\s*\{\s*d\s*\}", " d ", text)  # \mathrm{d}E
    text = re.sub(r"\\(?:Rightarrow|implies|Longrightarrow|therefore|iff)(?![A-Za-z])|[⇒⟹∴]", "\n", text)  # steps
    text = re.sub(r"\\nabla_\s*\{?\s*(\\[A-Za-z]+\s*\{\s*\\?[A-Za-z]+\s*\}|\\?[A-Za-z]+)\s*\}?\s*E(?![A-Za-z])",
                  r"\\frac{\\partial E}{\\partial \1}", text)  # \nabla_W E
    text = re.sub(r"\\nabla_\s*" + _BRACED + r"\s*E(?![A-Za-z])",
                  r"\\frac{\\partial E}{\\partial \1}", text)  # \nabla_{w_{p_i,p_j,k}} E
    text = re.sub(r"(?<![A-Za-z\\])d\s*E\s*/\s*d\s*(?=[A-Za-z\\])", "dE/d", text)  # d E / d w
    text = re.sub(r"(?<!\\)\{\s*\}", " ", text)  # an empty group: = {} & in aligned
    text = re.sub(r"(\\?sum)\s*_\s*\{\s*([A-Za-z]\w{0,11})\s*=\s*([^{}.]{1,20}?)\s*(?:\.{2,3}|…|\bto\b)\s*([^{}]{1,20}?)\s*\}",
                  r"\1_{\2=\3}^{\4}", text)  # sum_{k=1..3}, sum_{k=1 to 3}
    if "\\underset" in text:
        text = _underset(text)
    text = re.sub(r"\[\s*\\!\s*\[|⟦", " \\\\mathbf{1}[ ", text)  # Iverson brackets [\![ c ]\!], ⟦c⟧
    text = re.sub(r"\]\s*\\!\s*\]|⟧", " ] ", text)
    text = re.sub(r"\\(?:boldsymbol|mathbf|bm|vec|mathbfit|pmb|overrightarrow|underline|mathcal|mathscr)\s*\{\s*(\\?[A-Za-z]+)\s*\}",
                  lambda m: m.group(0) if m.group(1) == "1" else f" {m.group(1)} ", text)  # (z W: two names)
    text = re.sub(r"\\(?:boldsymbol|bm|pmb|vec|mathbf)(?:\s*(\\[A-Za-z]+)|\s+([A-Za-z])(?![A-Za-z]))",
                  lambda m: f" {m.group(1) or m.group(2)} ", text)  # \vec z, \vec\delta
    text = re.sub(r"\\(?:left|[bB]igg?l?)\s*\[", " ( ", text)  # \left[ … \right]: a group, not indices
    text = re.sub(r"\\(?:right|[bB]igg?r?)\s*\]", " ) ", text)
    text = re.sub(r"\\(?:left|right|middle|[bB]igg?[lrm]?)(?![A-Za-z])\s*\.?", " ", text)  # sizing; \left. is nothing
    text = re.sub(r"\\[dtc]frac(?![A-Za-z])", r"\\frac", text)
    text = re.sub(r"\\substack\s*" + _BRACED, lambda m: m.group(1).replace("\\\\", ","), text)  # its lines: binds
    text = _MARKED.sub(_marked, text)  # \hat{\delta}_m, \bar y, \tilde{o}: symbols of one's own
    text = re.sub(r"\\[hv]space\*?\s*\{[^{}]{0,20}\}|\\(?:textstyle|scriptstyle|nolimits)(?![A-Za-z])|\\>", " ", text)
    text = re.sub(r"\\(?:top|intercal|mathsf\{T\}|mathrm\{T\})(?![A-Za-z])", "T", text)  # a transpose
    # layer labels: w^{(2)}, δ^{[L]}; one index letter, y^{(k)}_{ij}, is left to the reader (a channel's
    # index where the quantity takes one more, else a label it drops)
    text = re.sub(r"\^\s*\{?\s*[(\[]\s*(?![a-km-z]\s*[)\]])[A-Za-z0-9+\-]{1,4}\s*[)\]]\s*\}?", _layer_label, text)
    text = re.sub(r"\^\s*\{\s*\\(?:text|mathrm|textrm|rm)\s*\{[A-Za-z ]{1,12}\}\s*\}", "", text)  # δ^{\text{out}}
    text = re.sub(r"\^\s*(?:\{\s*(?:\\prime|')\s*\}|\\prime)", "'", text)  # σ^{\prime}(a)
    text = _definitional(text)
    text = re.sub(r"\\(?:ldots|cdots|dots|dotsc|dotsb)\b", "...", text)
    text = re.sub(r"\\(?:leqslant|leq)\b", r"\\le", text)
    text = re.sub(r"\\(?:geqslant|geq)\b", r"\\ge", text)
    text = re.sub(r"\\Sigma\b", r"\\sum", text)
    text = text.replace("\\mathbb{I}", "\\mathbf{1}").replace("\\mathbbm{1}", "\\mathbf{1}").replace("\\mathds{1}", "\\mathbf{1}").replace("\\mathbb{1}", "\\mathbf{1}")
    if "cases}" in text:  # cases, dcases, rcases; each runs to the next \end (linear: no nesting)
        text = re.sub(r"\\begin\{[dr]?cases\*?\}((?:(?!\\(?:end|begin)\{)[\s\S])*)\\end\{[dr]?cases\*?\}", _cases, text)
    return text


_MODULE = re.compile(r"(?<![\w.])(?:math|np|numpy|torch|jnp|itertools)\.(?=(?:exp|log|tanh|sum|max|min|sqrt|product)\b)")
# a mark over a symbol makes a symbol of one's own: \hat{\delta} is "deltahat", \bar y "ybar"
_MARKED = re.compile(r"\\(hat|widehat|tilde|widetilde|bar|overline|check|breve)(?![A-Za-z])\s*"
                     r"(?:\{\s*\\?([A-Za-z]{1,12})\s*\}|\\([A-Za-z]{1,12})(?![A-Za-z])|([A-Za-z])(?![A-Za-z]))")
_MARK_NAMES = {"widehat": "hat", "widetilde": "tilde", "overline": "bar"}
# a delta the answer defines itself (δ_m = …, \delta_{ij} := …): then δ_{a,b} is that, not Kronecker's
_SUP = r"(?:\^\s*(?:\{[^{}\n]{0,20}\}|[A-Za-z0-9]))?\s*"
_OWN_DELTA = re.compile(r"(?<![A-Za-z])delta\s*" + _SUP + r"(?:_\s*(?:\{[^{}\n]{0,40}\}|[A-Za-z0-9]{1,3}))?\s*" + _SUP
                        + r"'?\s*=(?!=)")


def _marked(m: re.Match) -> str:
    mark = _MARK_NAMES.get(m.group(1), m.group(1))
    return f" {m.group(2) or m.group(3) or m.group(4)}{mark} "


# equation furniture: labels, tags, numbering switches, an environment's name, a line break's
# extra space (\\[4pt]); \intertext{...} is prose between two lines
_FURNITURE = re.compile(r"\\(?:label|tag\*?|eqref|ref)\s*\{[^{}]{0,60}\}|\\(?:nonumber|notag|displaybreak|allowbreak|hfill|noindent)"
                        r"(?![A-Za-z])|(?<=\\\\)\s*\[\s*-?[\d.]{1,6}\s*[a-z]{0,3}\s*\]")
_NUMBERED = re.compile(r"\\(?:q?quad|hfill)\s*\(\s*\d{1,3}(?:\.\d{1,3}){0,2}[a-z]?\s*\)(?=[ \t]*(?:\n|\\\\|\Z|\$|\\end))")
_BOLD_NAME = re.compile(r"(?<![\w)\]}*])\*\*([A-Za-z][A-Za-z0-9_{},]{0,30})\*\*(?!\*)")
_ALIGNAT = re.compile(r"(?<=\{alignat\})[ \t]*\{\d{1,2}\}|(?<=\{alignat\*\})[ \t]*\{\d{1,2}\}")  # its column count
_INTERTEXT = re.compile(r"\\(?:intertext|shortintertext)\s*\{[^{}]{0,200}\}")
# a box around an answer or part of one: \boxed{…}, \fbox{…}, \bbox[yellow]{…}, \framebox{…}
_BOX = re.compile(r"\\(?:boxed|fbox|bbox|framebox|colorbox\s*\{[A-Za-z]{1,20}\}|(under|over)brace)\s*(?:\[[^\[\]{}]{0,30}\]\s*)?\{")
_LABEL = re.compile(r"\s*[_^]\s*\{")  # the label under an \underbrace (over an \overbrace)


def _furniture(text: str) -> str:
    """Equation furniture dropped and boxes opened: what a box or a label holds is read as if
    they were not there.  One scan over the text (each box's closing brace is found by a stack
    of the open braces: linear)."""
    text = _NUMBERED.sub(" ", text)  # "… \qquad (2)": an equation number typed by hand, not a factor
    text = _FURNITURE.sub(" ", text)
    text = _ALIGNAT.sub(" ", text)
    text = _BOLD_NAME.sub(r"\1", text)  # "* **c_w** = 3": Markdown bold around a name
    text = _INTERTEXT.sub(r" \\\\ ", text)
    if not _BOX.search(text):
        return text
    out, stack, pos = [], [], 0
    # the box's "{" -> (where its command starts, whether a label follows its "}": \underbrace)
    boxes = {m.end() - 1: (m.start(), m.group(1) is not None) for m in _BOX.finditer(text)}
    labels: set = set()  # the "{" of a label to drop, with what it holds
    dropping = 0  # > 0: inside a dropped label
    for i, ch in enumerate(text):
        if i in boxes and not dropping:
            out.append(text[pos:boxes[i][0]] + " ")
            pos = i + 1
            stack.append("box+" if boxes[i][1] else "box")
        elif i in labels:
            out.append(text[pos:i].rstrip().rstrip("_^") + " ")
            stack.append("label")
            dropping += 1
        elif ch == "{" and (i == 0 or text[i - 1] != "\\"):
            stack.append("")
        elif ch == "}" and (i == 0 or text[i - 1] != "\\") and stack:
            kind = stack.pop()
            if kind == "label":
                dropping -= 1
                pos = i + 1
            elif kind and not dropping:
                out.append(text[pos:i] + " ")
                pos = i + 1
                label = _LABEL.match(text, i + 1) if kind == "box+" else None
                if label:
                    labels.add(label.end() - 1)
    out.append(text[pos:])
    return "".join(out)


def _underset(text: str) -> str:
    """``\\underset{(a,b) \\in S}{\\arg\\max}`` as ``argmax_{(a,b) \\in S}``: one scan, braces
    matched by counting (bounded by the text)."""
    out, pos = [], 0
    while True:
        at = text.find("\\underset", pos)
        if at < 0:
            return "".join(out) + text[pos:]
        out.append(text[pos:at])
        groups, j = [], at + len("\\underset")
        for _ in range(2):
            while j < len(text) and text[j].isspace():
                j += 1
            if j >= len(text) or text[j] != "{":
                break
            depth, start = 0, j
            while j < len(text):
                depth += text[j] == "{" and text[j - 1] != "\\" or -(text[j] == "}" and text[j - 1] != "\\")
                j += 1
                if depth == 0:
                    break
            groups.append(text[start + 1:j - 1])
        if len(groups) == 2 and groups[1].strip().replace("\\", "") in ("argmax", "argmin", "max", "min",
                                                                           "arg max", "arg min") or \
                len(groups) == 2 and groups[1].strip() in ("argmax", "argmin", "max", "min"):
            name = groups[1].replace("\\", "").replace(" ", "")
            out.append(f" {name}_{{{groups[0]}}} ")
        else:
            out.append(text[at:j])
        pos = max(j, at + 1)


_PROSE = re.compile(r"[\s,.;:()]*(?:(for|where|with)\b(?:\s+(?:all|each|every|any|both|the|output|outputs|"
                    r"index|indices|neuron|neurons|channel|channels))*|(hence|thus|since|so|then|therefore|because|"
                    r"using|i\.e\.|(?:[A-Za-z]+\s+){2,}[A-Za-z]+))[\s,.;:()]*", re.IGNORECASE)


def _text_words(m) -> str:
    """``\\text{…}``: the words the grammar knows (for all, where, if, otherwise, and), a
    quantifier's words (``\\text{, for each output } m``), connecting prose dropped; anything
    else left as it was (an error that points at it)."""
    words = m.group(1).strip().rstrip(",:").strip().lower()
    if words.startswith("(") and words.endswith(")") and "(" not in words[1:-1]:
        # \text{(chain rule)}, \text{(final answer)}: a remark; \text{(except a = b)} is left to be refused
        return m.group(0) if _modifier(words) else " "
    if words in _TEXT_WORDS:
        return _TEXT_WORDS[words]
    prose = _PROSE.fullmatch(m.group(1))
    if prose and prose.group(1):
        return " \\where " if prose.group(1).lower() in ("where", "with") else " \\forall "
    if prose and prose.group(2):
        return m.group(0) if _modifier(m.group(1)) else " "  # (\text{, which is then squared}: refused)
    return m.group(0)


_WORDS = {"argmax", "argmin", "max", "min", "sigmoid", "sigma", "exp", "log", "tanh"}
# the logistic function's other names (a function of one's own by the same name is the student's)
# where a function's definition may follow on the line of its use
_FUNCTION_AFTER = re.compile(r"(?:,|;|\\where|\\quad|\\qquad|\bwhere\b|\bwith\b)\s*(?=(?:\\where\s*)?\\?[A-Za-z]{1,12}\s*\(\s*[A-Za-z]\s*\)\s*=(?!=))")
_SIGMOID_NAMES = {"sig", "sigm", "logistic", "logsig", "Sigmoid", "sigmoidal"}
# g(t) = …, sig(x) = …: a function of one's own (a name, one one-letter parameter, its formula)
_FUNCTION_DEF = re.compile(r"\s*(?:\\where\s*|\\forall\s*)?(\\?[A-Za-z]{1,12})\s*\(\s*([A-Za-z])\s*\)\s*=(?!=)\s*(.{1,400})\Z", re.S)


def _function_word(m) -> str:
    """``\\operatorname*{arg\\,max}``, ``\\mathrm{argmax}``, ``\\text{sigmoid}``: the function's
    plain name; other words are left as they were."""
    word = (m.group(2) + m.group(3)).lower()
    if m.group(2).lower() + m.group(3).lower() in _SIGMOID_NAMES:
        return f" {m.group(2)}{m.group(3)} "  # \text{sig}: the sigmoid, unless the student defines sig
    if word in _WORDS:
        return f" {word} "
    if (not m.group(3) or m.end(2) == m.start(3)) and not m.group(0).startswith(("\\text", "\\mbox")):
        return f" {m.group(2)}{m.group(3)} "  # \operatorname{sig}, \mathrm{net}: a name of one's own
    return m.group(0)


def _cases(m) -> str:
    """``\\begin{cases} A & \\text{if } c \\\\ 0 & \\text{otherwise} \\end{cases}`` as ``(A) 1[c]``."""
    terms, conds, other = [], [], None
    for row in re.split(r"\\\\", m.group(1)):
        if not row.strip():
            continue
        value, _amp, cond = row.partition("&")
        value = value.strip().rstrip(",;").strip()  # "A, & if c": the comma is punctuation
        cond = re.sub(r"^\s*(?:\\if|if|,)\s*", "", cond.strip()).strip().rstrip(",.")
        if not cond or cond.startswith("\\otherwise") or cond == "otherwise":
            other = value.strip()
            continue
        terms.append(f"({value.strip()}) \\mathbf{{1}}[{cond}]")
        conds.append(cond)
    if other is not None and other.strip() not in ("0", "0.0"):
        terms.append(f"({other}) (1 - " + " - ".join(f"\\mathbf{{1}}[{c}]" for c in conds) + ")")
    return "(" + (" + ".join(terms) or "0") + ")"
_TOKEN = re.compile(r"""
    (?P<ws>\s+|\\[,;:! ]|\\quad|\\qquad|&)
  | (?P<num>\d+\.\d+|\d+)
  | (?P<cmd>\\[A-Za-z]+|\\\{|\\\}|\\\\)
  | (?P<name>[A-Za-z][A-Za-z0-9]*)
  | (?P<op>\.\.\.|\.\.|\+=|==|<=|>=|!=|\*\*|&&|[-+*/^()\[\]{}_,=<>:|';])
""", re.VERBOSE)
_AS_OP = {"\\cdot": "*", "\\times": "*", "\\ast": "*", "\\odot": "*", "\\circ": "*", "\\bullet": "*", "\\lbrack": "[", "\\rbrack": "]",
          "\\lbrace": "\\{", "\\rbrace": "\\}", "\\land": "and", "\\wedge": "and"}
_DROP = {"\\left", "\\right", "\\big", "\\Big", "\\bigg", "\\Bigg", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr",
         "\\displaystyle", "\\limits", "\\mathrel", "\\,", "\\begin", "\\end"}


# named numbers one space apart (c_w=3 c_h=3): each pair a definition
_SCALAR_PAIR = re.compile(r"[A-Za-z]_\{?[A-Za-z0-9]\}?[ \t]*=[ \t]*\d{1,6}(?:\.\d{1,6})?")
_SCALAR_ROW = re.compile(r"(?:[ \t]*[A-Za-z]_\{?[A-Za-z0-9]\}?[ \t]*=[ \t]*\d{1,6}(?:\.\d{1,6})?[ \t]*[,;]?){2,8}[ \t]*")
# spacing that may part two definitions on one line (c_w = 3 \qquad p_w = 2)
_SPACING = re.compile(r"\\qquad(?![A-Za-z])|\\quad(?![A-Za-z])|\\;\s*\\;|(?<=\S)[ \t]{2,}(?=\S)")
_LEAD = re.compile(r"^(?:(?:\*\*|__)?(?:my\s+|the\s+)?(?:final\s+)?(?:answer|result)\s*(?:(?:\*\*|__)\s*)?[:.]\s*(?:(?:\*\*|__)\s*)?"
                   r"|(?:let|where|here|with|\\where|then|so|hence|thus|therefore|define|and|i\.e\.|we\s+have|"
                   r"we\s+get|which\s+gives|this\s+gives)\b[\s,:]*)+", re.IGNORECASE)


# "Define the pre-activation h[ci,cj,k] = …", "Let the net input net_m = …": a definition's name
# in words before its symbol (one to three words, looked for once at the line's start)
_NAMING_LEAD = re.compile(r"(?:define|let|denote|call)[ \t]+(?:(?:the|a|an)[ \t]+)?((?:[A-Za-z][A-Za-z-]{0,20}[ \t]+){1,3}?)"
                          r"(?=\\?[A-Za-z][A-Za-z0-9]*[ \t]*(?:[\[_({^]|=))", re.IGNORECASE)


def _without_lead(line: str) -> str:
    """The line without the words that lead into its formula (:data:`_LEAD`, :data:`_NAMING_LEAD`);
    words that could change the value (``Let twice h = …``) are kept, to be refused."""
    m = _NAMING_LEAD.match(line)
    if m and not _modifier(m.group(1)):
        line = line[m.end():]
    return _LEAD.sub("", line)


# a comma, then three or more plain words (not a quantifier's): the prose after a formula
_TRAILING_PROSE = re.compile(r",[ \t]+(?!(?:for|where|with|and|if|otherwise|else|s\.t\.)\b)"
                             r"[A-Za-z]{1,20}(?:[ \t]+[A-Za-z]{1,20}){2,}\b", re.IGNORECASE)


_SPACES = ("\\qquad", "\\quad", "\\,", "\\;", "\\:", "\\!", "\\ ", "\\>")


def _without_comment(line: str) -> str:
    """A Python comment after a formula (``… * z[pi,pj,k]  # chain rule``) dropped: a ``#`` after
    a blank, with an ``=`` before it."""
    cut = line.find(" #")
    cut = line.find("\t#") if cut < 0 else cut
    return line[:cut] if cut > 0 and "=" in line[:cut] else line


def _without_trailing_space(line: str) -> str:
    """The line without LaTeX spacing at its end (``…, \\quad`` once a remark after it is
    dropped): each step removes at least two characters, so linear."""
    while True:
        line = line.strip()
        cut = next((len(c) for c in _SPACES if line.endswith(c) and not line.endswith("\\" + c)), 0)
        if not cut:
            return line
        line = line[:-cut]


def _without_trailing_prose(line: str) -> str:
    """The line without prose after its last ``=`` (looked for there only: linear); prose that
    could change the value (``…, which is then squared``) stays, to be refused where it is read."""
    eq = line.rfind("=")
    m = _TRAILING_PROSE.search(line, eq + 1) if eq >= 0 else None
    if m and line.count("(", 0, m.start()) > line.count(")", 0, m.start()):  # inside parentheses: no prose
        return line  # (sum(e for a, b in product(…)))
    return line[:m.start()] if m and not _modifier(line[m.start():]) else line


# in text after a formula, the words that could change or restrict its value: arithmetic, a
# relation, a condition, a function; any other word there is prose.  A number is said to change
# it only as an operand: alone ("3, 4"; "c_w = 3,7"), or after a word that makes it one (over 4,
# by 2, x2, from 1 to 2) -- in "as in lecture 7", "the four neurons", "1-based" it is prose
_MODIFIER_WORDS = frozenset("""
    squared square cubed cube root sqrt divided divide divides dividing times multiplied multiply
    multiplying product plus minus add added adding subtract subtracted subtracting less more half halved
    twice double doubled triple tripled thrice inverse inverted reciprocal negative negated negate opposite
    or except excluding excluded only unless but not without if when whenever iff provided power exponent
    exp log sigma sigmoid tanh max min maximum minimum argmax argmin mean average averaged normalized
    normalised scaled rounded floor ceil abs absolute equals equal greater smaller larger than between
    quarter third averaging averages normalizing normalising normalization normalisation scaling squaring
    division halving doubling negating rounding
    """.split())
# "no averaging", "no normalization": the operation said not to happen changes nothing
_NEGATABLE = frozenset("averaging average averaged normalizing normalising normalization normalisation scaling "
                       "squaring division rounding".split())
# a number after over/by/x that leaves the value as it is (x / 1, x * 1): "the sum over one window"
_IDENTITY = frozenset(("1", "one"))
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]{3,})")
_JOINING = frozenset("and the through thru till until then plus minus times".split())
# ordinal suffixes: "the k-th channel" names any k (not "k minus th")
_ORDINAL = frozenset(("th", "st", "nd", "rd"))
_NUMBER_WORDS = frozenset("zero one two three four five six seven eight nine ten eleven twelve hundred thousand".split())
_OPERAND_BEFORE = frozenset("over by x from to until through of is be are equals".split())  # makes a number an operand
_PROSE_COMMANDS = frozenset(("text", "textrm", "textit", "textbf", "emph", "mathrm", "mathit", "quad", "qquad",
                             "where", "forall") + _GREEK)
_PROSE_MARKS = frozenset(" \t\n,.;:()[]{}'\"?_&$`")
# on a line of its own (where an expression alone is a step, \frac, digits and + - * / included,
# and a code comment's words are prose), only a relation counts
_RELATIONS = frozenset("ne neq le leq ge geq lt gt leqslant geqslant in notin ni neg lnot setminus subset subseteq".split())
_PIECE = re.compile(r"\\([A-Za-z]+)|\\(.)|([^\W\d_]+(?:-[^\W\d_]+)*)|(\d+)|(\S)", re.S)


# "z \in \mathbb{R}^{12}": a type, said of a quantity, restricts no value
_NUMBER_SET = re.compile(r"\\in\s*(?:\\mathbb\s*\{\s*[RNZQC]\s*\}|\\mathbb\s*[RNZQC]|[ℝℕℤℚℂ]|\\R(?![A-Za-z]))"
                         r"(?:\s*\^\s*(?:\{[^{}]{0,30}\}|\w))?")


def _modifier(piece: str, relations_only: bool = False) -> str | None:
    """What in ``piece`` (text after a formula's comma) could change or restrict the formula's
    value, or ``None`` when it is plain prose (``as required``, ``which is the window's sum``,
    ``as in lecture 7``): an arithmetic, relation or condition word (:data:`_MODIFIER_WORDS`), a
    number as an operand (alone, or after ``over``, ``by``, ``x``, ``from`` ...), an operator or
    relation symbol (``=``, ``<``, ``!=``, ``+``, ``-`` other than a hyphen in ``so-called`` or
    ``1-based``), a LaTeX command other than text markup, spacing and Greek letters (``\\ne``,
    ``\\in``).  Such a piece is never dropped: dropping it could pass a wrong answer.
    ``relations_only`` (a line of its own): only a relation (``\\ne``, ``<``, ``=``) counts.  One
    pass, each token looking back at the one before it."""
    piece = _NUMBER_SET.sub(" ", piece)
    prev, numbers, others = "", [], 0  # (the token before; the numbers met; the other words met)
    for m in _PIECE.finditer(piece):
        command, escaped, word, number, mark = m.groups()
        if relations_only:
            if command in _RELATIONS or (mark is not None and mark in "=<>!"):
                return m.group()
            continue
        if command is not None and command not in _PROSE_COMMANDS:
            return "\\" + command
        if escaped is not None and escaped not in " ,;:!":
            return m.group()
        if word is not None and (word.lower() in _NUMBER_WORDS
                                 or any(p in _NUMBER_WORDS for p in word.lower().split("-"))):
            number, word = word, None  # (one-hundred: a number too)
        if word is not None:
            parts = word.lower().split("-")
            hit = next((p for p in parts if p in _MODIFIER_WORDS), None)
            if hit in _NEGATABLE and len(parts) == 1 and prev.lower() == "no":
                hit = None  # (no averaging: nothing done)
            ordinal = len(parts) == 2 and parts[1] in _ORDINAL
            if hit is not None or (len(parts) > 1 and min(map(len, parts)) < 2 and not ordinal):  # (so-called: prose; a-b: a minus)
                return hit or word
            if parts == ["x"] and piece[m.end():m.end() + 1].isdigit() and not prev.isdigit():
                return word  # x2: times 2 (2x2, a size, is prose)
            others += 1
        if number is not None:
            nxt = _NEXT_WORD.match(piece, m.end())  # (over one window: x / 1; over one and two, over 1.5: not)
            identity = (number.lower() in _IDENTITY and prev.lower() in ("over", "by", "x") and nxt is not None
                        and nxt.group(1).lower() not in _JOINING)
            if prev.lower() in _OPERAND_BEFORE and not (prev == "x" and piece[m.start() - 2:m.start() - 1].isdigit()) \
                    and not identity:
                return prev  # (over four: the word that makes the number an operand)
            numbers.append(number)
        if mark is not None and mark not in _PROSE_MARKS:
            hyphen = mark == "-" and prev[-1:].isalnum() and piece[m.end():m.end() + 1].isalpha()
            if not hyphen:  # (1-based, 2-norm: a hyphen, not a minus)
                return mark
        if not (mark is not None and mark in " ,;:"):
            prev = m.group()
    if numbers and not others:
        return numbers[0]  # a number alone ("3, 4"; "c_w = 3,7"): a value, not prose
    return None


# a remark after a formula: "…, i.e. the sum over the window", "…, for every window (p_i, p_j)",
# "… (sum pooling, stride 1)", "…. This is the sum over one window."
_REMARK_WORD = re.compile(r"(?<![A-Za-z])(?:i\.\s?e\.|e\.\s?g\.|viz\.|namely\b|that\s+is\b)"
                          r"|\bfor\s+(?:each|every|all|any|the|a|an)\b|\\forall(?![A-Za-z])", re.IGNORECASE)
_TEXT_OPEN = re.compile(r"\\(?:text|textrm|textit|mbox|mathrm)\s*\Z")  # (the command before a remark's \text{ brace)
_INDEX_NAME = r"[ \t]*[A-Za-z](?:_\{?[A-Za-z0-9]{1,3}\}?)?[ \t]*"
_INDEX_TUPLE = re.compile(_INDEX_NAME + r"(?:," + _INDEX_NAME + r"){1,5}")  # "(p_i, p_j)": which indices, no values
_SENTENCE = re.compile(r"(?<![.\d])\.[ \t]+(?=[A-Z][a-z]+\b)")
_REMARK_PROSE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}(?![A-Za-z_({\[^])")
# in a remark, the words that pick some of the values out (for the first channel, for odd k,
# for the top-left window): a remark with one is never dropped
_RESTRICTING = frozenset("""
    first second fourth fifth last final odd even top bottom left right upper lower corner corners diagonal
    same distinct different other others remaining nonzero positive border edge edges boundary interior middle
    centre center central single particular specific some certain few
    """.split())


def _remark(part: str) -> tuple[str, str] | None:
    """``part`` split into its formula and a remark after it (from the earliest of: i.e., e.g.,
    viz., namely, that is; "for each/every/all/the …"; a new sentence; a parenthesis of two or
    more words at the end), or ``None``.  Looked for after the first ``=`` only; a few searches,
    each linear."""
    eq = part.find("=")
    if eq < 0:
        return None
    starts = [m.start() for m in (_REMARK_WORD.search(part, eq + 1), _SENTENCE.search(part, eq + 1)) if m]
    end = part.rstrip()
    if end.endswith(")"):
        open_ = end.rfind("(")
        inside = end[open_ + 1:-1]
        if open_ > eq and ")" not in inside and part[open_ - 1:open_].isspace() \
                and (len(_REMARK_PROSE.findall(inside)) >= 2 or _INDEX_TUPLE.fullmatch(inside)):
            starts.append(open_)
    if not starts:
        return None
    cut = min(starts)
    brace = part.rfind("{", 0, cut)
    if brace >= 0 and "}" not in part[brace:cut] and _TEXT_OPEN.search(part, max(0, brace - 12), brace):
        cut = part.rfind("\\", 0, brace)  # \text{, i.e. the window's sum}: the remark from its \text
    formula = part[:cut].rstrip().rstrip(",;").rstrip()
    return (formula, part[cut:]) if formula and "=" in formula else None


def _remark_change(remark: str) -> str | None:
    """What in a remark after a formula could change or restrict its value: anything
    :func:`_modifier` finds, a word that picks values out (:data:`_RESTRICTING`), or a number
    that could be an index's values (``for all k in 1, 2``, ``k runs over 1 and 2``,
    ``channels 1 and 2``).  A number is prose only as a count of a plural noun (``the 3
    channels``), a size (``2x2``), a label's number (``stride 1``, ``lecture 7``), ``1-based``, or
    ``one`` before a noun outside a ``for`` (``the sum over one window``).  ``None``: droppable.
    One pass over the remark's words."""
    found = _modifier(remark)
    if found:
        return found
    words = [(m.group().lower(), m.start(), m.end()) for m in re.finditer(r"[A-Za-z]+|\d+", remark)]
    after_for = False
    for j, (w, a, b) in enumerate(words):
        if w in _RESTRICTING:
            return w
        after_for = after_for or w == "for"
        if not (w.isdigit() or w in _NUMBER_WORDS):
            continue
        before = words[j - 1][0] if j else ""
        after = words[j + 1][0] if j + 1 < len(words) else ""
        size = remark[b:b + 1] in ("x", "X") or (a >= 2 and remark[a - 1] in "xX" and remark[a - 2].isdigit())
        count = len(after) >= 4 and after.endswith("s") and not after.isdigit() and after not in ("this", "thus")
        label = before in _LABELS and not remark[b:].lstrip().startswith((",", "and", "or"))
        compound = remark[b:b + 1] == "-" and remark[b + 1:b + 2].isalpha()
        single = w in _IDENTITY and not after_for and len(after) >= 3 and after.isalpha() and after not in _JOINING
        if not (size or count or label or compound or single):
            return words[j][0]
    return None


# the words whose number names a thing, not a value: "stride 1", "as in lecture 7"
_LABELS = frozenset("stride lecture eq equation step layer part question problem page section chapter slide figure "
                    "fig homework hw".split())


def _after_comma(piece: str, found: str, alone: bool = False) -> NotationError:
    """The error of an answer followed by text that could change it (never dropped unread)."""
    hint = " (a decimal is written with a point: 3.7)" if piece[:1].isdigit() else ""
    where = ", on a line of its own, is" if alone else " follows the formula but is"
    return NotationError(f"'{' '.join(piece.split())[:60]}'{where} not part of it and could change it "
                         f"('{found}'){hint}: write the condition into the formula, or put prose in its own sentence")


_TUPLE = re.compile(r"\s*\(([^()=]{1,120})\)\s*=\s*\(([^()=]{1,120})\)\s*[.,;]?\s*")


_BY = r"\s*(?:\\times|\*|x)\s*"
_DIMENSIONS = re.compile(r"\s*([A-Za-z]{1,3}_\{?[A-Za-z0-9]{1,3}\}?)" + _BY + r"([A-Za-z]{1,3}_\{?[A-Za-z0-9]{1,3}\}?)\s*=\s*"
                         r"(\d{1,6})" + _BY + r"(\d{1,6})\s*[.,;]?\s*")  # c_w \times c_h = 3 \times 3


def _columns(lines: list) -> list:
    """An ``align`` line with several equations (``c_w &= 3 & c_h &= 3``) as one line each: a
    column that starts a new left side (no relation first) after a column holding one; a tuple
    ``(c_w, c_h) = (3, 3)`` as one line per pair."""
    out = []
    for raw in lines:
        dims = _DIMENSIONS.fullmatch(raw.replace("$", " "))
        if dims:
            out += [f"{dims.group(1)} = {dims.group(3)}", f"{dims.group(2)} = {dims.group(4)}"]
            continue
        tup = _TUPLE.fullmatch(raw.replace("$", " "))
        if tup and tup.group(1).count(",") == tup.group(2).count(",") > 0:
            out += [f"{a.strip()} = {b.strip()}" for a, b in zip(tup.group(1).split(","), tup.group(2).split(","))]
            continue
        if raw.count("&") < 3:
            out.append(raw)
            continue
        cols, current = [], ""
        for col in raw.split("&"):
            starts_relation = re.match(r"\s*(?:=|\+=|<|>|\\le|\\ge|\\approx)", col)
            if current and "=" in current and not starts_relation and col.strip():
                cols.append(current)
                current = col
            else:
                current += " " + col
        out += cols + [current]
    return out


class Tok:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind: str, text: str, pos: int):
        self.kind, self.text, self.pos = kind, text, pos

    def __repr__(self) -> str:
        return f"{self.kind}:{self.text}"


def tokenize(text: str) -> list[Tok]:
    """Tokens of one statement; LaTeX spacing, sizing and environment commands are dropped."""
    if len(text) > MAX_TEXT:
        raise NotationError(f"the answer is longer than {MAX_TEXT} characters")
    text = normalize(text)
    text = re.sub(r"\\mathrel\{\+\}\s*=", "+=", text)  # the key's \mathrel{+}=
    toks, i = [], 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if not m:
            raise NotationError(_at(text, i, f"unexpected character {text[i]!r}"))
        kind = m.lastgroup
        tok = m.group()
        if kind == "cmd" and tok in ("\\begin", "\\end"):  # \begin{split} ... : drop the name too
            close = text.find("}", m.end())
            i = close + 1 if text[m.end():m.end() + 1] == "{" and close > 0 else m.end()
            continue
        if tok in _AS_OP:
            kind, tok = "op", _AS_OP[tok]
        elif kind == "cmd" and tok[1:] in _GREEK:  # \delta: a name of the student's own
            kind, tok = "name", tok[1:]
        if kind != "ws" and tok not in _DROP:
            toks.append(Tok(kind, tok, i))
        i = m.end()
    return toks


def _at(text: str, pos: int, message: str) -> str:
    """``message`` with the line and a caret under the spot."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:end if end >= 0 else len(text)]
    shown = line[max(0, pos - start - 40):pos - start + 40]
    caret = " " * min(pos - start, 40) + "^"
    return f"{message}\n    {shown}\n    {caret}"


# --- the tree -------------------------------------------------------------------------------
# Nodes are tuples: ("num", v) ("idx", name) ("sym", name, [index nodes]) ("neg", a)
# ("bin", op, a, b) ("call", fn, [args]) ("sum", var, lo, hi, body) ("ind", cond)
# ("cmp", op, a, b) ("and", [conds])

class Statement:
    """``lhs (= | +=) rhs``, with ``quantifiers`` [(var, lo, hi)] from ``for``."""

    def __init__(self, lhs: list, op: str, rhs, quantifiers: list, source: str):
        self.lhs, self.op, self.rhs, self.quantifiers, self.source = lhs, op, rhs, quantifiers, source


class Reader:
    """Reads statements against a vocabulary: ``symbols`` {name: [allowed index counts]},
    ``indices`` (index variable names), ``scalars`` (names that stand alone, e.g. c_w)."""

    FUNCTIONS = {"sigma", "sigmoid", "exp", "max", "min", "Indicator", "sum", "Sum", "log", "tanh"}
    # functions a student may define in their answer (σ(t) = 1/(1 + e^{-t}), or σ(t) = t): the
    # answer then means what its definition says, never the standard function silently
    REDEFINABLE = {"sigma", "sigmoid", "exp", "log", "tanh"}

    def __init__(self, symbols: dict[str, list[int]], indices: list[str], scalars: list[str] = (),
                 targets: tuple = (), vectors: dict | None = None, superscript: int | None = None,
                 aliases: dict | None = None):
        self.symbols, self.indices, self.scalars = symbols, set(indices), set(scalars)
        # where an index written as a superscript goes (y^{k}_{i,j} is y_{i,j,k} at 2); None: nowhere
        self.superscript = superscript
        self.vectors = vectors or {}  # names that, without indices, are a layer's vector or matrix (o, W)
        # another name of a quantity, from the assignment (a starter's argument name for a quantity
        # of the notation): name -> (the quantity, its number of indices); used where the answer
        # defines no such name itself
        self.aliases = {name: (to, int(n)) for name, (to, n) in (aliases or {}).items()}
        self.sets: dict[str, tuple] = {}  # sets of one's own: name -> (parameter index names, domain)
        self.deferred = 0  # > 0: inside a plain sum's body, whose ranges come after it
        self.targets = set(targets)  # what the answer must define (lines defining it are never skipped)
        self.local: dict[str, set[int]] = {}  # names a section defines for itself (delta_m = ...)
        self.skipped: list[tuple[str, str]] = []  # (line, why): prose, arithmetic, vector forms
        self.failed: list[str] = []  # why the lines meant to define the asked quantity could not be read
        self.declared: list = []  # [(var, lo, hi)] from lines such as "m = 1, 2" or "p_i \in \{1,2\}"
        self.functions: dict[str, tuple] = {}  # functions of one's own: name -> (parameter, body tokens, source)
        self.params: dict = {}  # while a function's body is read: its parameter -> the argument's tree
        self.applied = 0  # tokens of function bodies read so far (at most MAX_APPLIED)
        self.text, self.toks, self.i, self.depth, self.rest, self.steps = "", [], 0, 0, "", []
        self.trailing: set[str] = set()  # pieces after a formula's comma (c_w = 3, c_h = 3): read or refused, never dropped
        self.shift = 0  # indices of the name being read that are written as a superscript
        self.links = 0  # operators of the chains on the current path (at most MAX_LINKS)
        self.noted: list[str] = []  # derivation remarks of the statement being read (3 (4−2+1)): shown as steps
        self.own_delta = False  # the answer defines a delta of its own (δ_m = …): no Kronecker delta

    # -- statements --
    def statements(self, text: str) -> list[Statement]:
        """Every statement of an answer: lines (and LaTeX ``\\\\`` breaks); a line that starts
        with ``=`` continues the previous one's chain, whose last member counts."""
        parts: list[str] = []
        text = normalize(text)
        self.own_delta = _OWN_DELTA.search(text) is not None
        for raw in _columns(re.split(r"\\\\|\n", text)):
            line = re.sub(r"\\(begin|end)\{[a-zA-Z*]+\}", " ", raw).strip().strip("$").strip()
            line = _without_trailing_space(re.sub(r"^(?:&\s*)+", "", _without_comment(line))).rstrip(".;")  # (eqnarray: "&& + …")
            line = re.sub(r"^(?:\\(?:quad|qquad|[,;:! >])\s*)+", "", line)  # "&\quad + …": a continuation
            bullet = re.match(r"(?:[*•]|\d{1,2}[.)])\s+|-\s+(?=[^=]*=)", line)
            if bullet:  # a Markdown list item: a statement of its own
                line = line[bullet.end():]
                parts.append(_without_lead(line).rstrip(",.;"))
                continue
            line = _without_lead(line).strip()
            line = _without_trailing_prose(line)  # "δ_m = …, the error at the input of output m. Then"
            if not line:
                continue
            line, *more = self._spaced_definitions(line)  # "c_w = c_h = 3 \qquad p_w = p_h = 2"
            # a line that starts with = or an operator, or follows one ending with an operator,
            # continues the statement before it (LaTeX split/aligned environments)
            if parts and (re.match(r"(=|\+(?!=)|-|−|\*|/|×|·|÷|\^|\\(?:cdot|times|div)(?![A-Za-z]))", line)
                          or re.search(r"(\+|-|\*|/|\\cdot|=|\(|\\left\()\s*$", parts[-1])):
                parts[-1] += " " + line
                continue
            parts.append(line.rstrip(","))
            parts += [piece.rstrip(",") for piece in more]
        parts = [p for p in (self._inline_function(p) for p in parts) if p and not self._function_definition(p)]
        for p in parts:
            if _CONSTANT_DEFINED.match(p):
                raise NotationError(f"{' '.join(p.split())[:60]}: e is Euler's number and π the circle's constant "
                                    "here; give a number of your own another name")
        alone = {p for p in parts if "=" not in p}  # lines that define nothing ("… \\\\ a \\ne b" in a display)
        for part in parts:  # the left sides first: a symbol of one's own may be used before its line
            self._declare(part)
        out, failed_at, known, retried, merged = [], [], len(self.local), False, 0
        remarked: set[str] = set()  # formulas read again without a remark after them
        trails: dict[str, Statement] = {}  # a piece after a formula's comma: the statement it follows
        held: dict[str, tuple] = {}  # a formula read without a remark that could change it: (refusal, remark)
        pending: list[tuple] = []  # (its statement, the refusal): refused unless nothing uses it
        while parts or (failed_at and not retried and len(self.local) > known):
            if not parts:  # a symbol of one's own defined later on a line ("…, where δ_m = …"): again
                retried, parts, failed_at = True, failed_at, []
                self.skipped = [s for s in self.skipped if s[0] not in parts]
                self.failed = []
            part = parts.pop(0)
            try:
                st = self.statement(part)
                merged = 0
                if part in held:
                    pending.append((st, *held.pop(part)))
            except NotationError as exc:
                if part in held:
                    raise held[part][0] from None
                cut = _remark(part) if part not in remarked else None
                if cut is not None and not str(exc).startswith("the expression ends too early"):
                    found = _remark_change(cut[1])  # "…, i.e. the window's sum": a remark, dropped
                    if found:  # unless it could change the value ("…, i.e. squared"; "…, e.g. z_{1,1,k} = …"),
                        # which is refused unless the formula before it is a step nothing uses
                        held[cut[0]] = (_after_comma(cut[1].lstrip(",;. "), found), cut[1])
                    remarked.add(cut[0])  # (read once more without it: at most once a line)
                    if part in self.trailing:
                        self.trailing.add(cut[0])
                        if part in trails:
                            trails[cut[0]] = trails[part]
                    parts.insert(0, cut[0])
                    continue
                if str(exc).startswith("the expression ends too early") and parts and merged < 4:
                    parts[0] = part + " " + parts[0]  # "… = \sum_{p_i=1}^{2}" and the summand on the next line
                    if part in self.trailing:
                        self.trailing.add(parts[0])
                        if part in trails:
                            trails[parts[0]] = trails[part]
                    merged += 1  # (a statement over at most 5 lines: bounded work)
                    continue
                merged = 0
                # a line that cannot be read is passed over (shown so); if the asked quantity ends
                # up undefined, the answer's error is the first such line meant to define it
                self.skipped.append((part, str(exc)))
                failed_at.append(part)
                if self._defines_target(part):
                    self.failed.append(str(exc))
                continue
            self.skipped += [(step, STEP) for step in self.steps]
            if self.rest:
                parts.insert(0, _LEAD.sub("", self.rest.strip()))  # "…, where net_m = …"
                self.trailing.add(parts[0])
                if st is not None:
                    trails[parts[0]] = st
            if st is not None:
                out.append(st)
        for st, refusal, remark in pending:
            if st is None or self._defines_target_later(" " + remark) or not self._unused(st, out):
                raise refusal  # (a remark defining the asked quantity is never prose: "r = 2: z = r·y")
        for part, why in self.skipped:  # "…, squared", "c_w = 3,7", "…, \quad a \ne b": not prose
            if why != STEP and self._defines_target_later(part):
                raise NotationError(f"{' '.join(part.split())[:80]}: this line also defines the asked quantity "
                                    f"and cannot be read ({why.splitlines()[0][:80]}); write one definition per line")
            if part in trails and not self._defines_target_later(" " + part) and self._unused(trails[part], out):
                continue  # it follows a step nothing uses ("dE/do_m = o_m − y_m, and the sigmoid's …:")
            found = why != STEP and (part in self.trailing and _modifier(part)
                                     or part in alone and _modifier(part, relations_only=True))
            if found:
                raise _after_comma(part, found, part not in self.trailing)
        for st in out:  # "m = 1, 2" or "p_i \in \{1, 2\}" on a line of its own: the range of m
            used = {p[1] for lhs in st.lhs if lhs[0] == "sym" for p in lhs[2] if p[0] == "idx"} | free_indices(st.rhs)
            for lhs in st.lhs:
                if lhs[0] == "sym":
                    for p in lhs[2]:
                        used |= free_indices(p)
            have = {v for v, _l, _h in st.quantifiers}
            st.quantifiers += [(v, lo, hi) for v, lo, hi in self.declared if v in used and v not in have]
            st.quantifiers = _ordered(st.quantifiers)
        return out

    def _unused(self, st: Statement, out: list[Statement]) -> bool:
        """Whether ``st`` defines only symbols of the answer's own that neither are asked nor
        appear in any other statement: text after it cannot change the answer."""
        if not st.lhs or any(lhs[0] != "sym" or lhs[1] in self.targets for lhs in st.lhs):
            return False
        defined = {lhs[1] for lhs in st.lhs}
        for other in out:
            if other is st:
                continue
            used = {name for name, _n in symbols_used(other.rhs)}
            for lhs in other.lhs:
                used |= {name for name, _n in symbols_used(lhs)} - {lhs[1]} if lhs[0] == "sym" else set()
            if used & defined:
                return False
        return True

    def _spaced_definitions(self, line: str) -> list[str]:
        r"""``line`` split into several definitions where only spacing parts them (``\qquad``,
        ``\quad``, ``\;\;``, two or more spaces), at the top level of brackets, and only where
        both pieces have an ``=`` and the piece after starts with a quantity of the assignment
        defined there (``p_w = …``, ``\frac{\partial E}{…} = …``): ``… \quad \text{for all } k``
        and ``… \quad m = 1, 2`` stay one statement.  One pass over the line; each piece's head
        is tokenized once."""
        if _SCALAR_ROW.fullmatch(line):  # "c_w=3 c_h=3 p_w=2 p_h=2": numbers named, one space apart
            pairs = _SCALAR_PAIR.findall(line)
            if len(pairs) > 1 and all(re.sub(r"[{}\s]", "", p.split("=")[0]) in self.scalars for p in pairs):
                return [p.strip() for p in pairs]
        pieces, last, depth, at, equals = [], 0, 0, 0, False  # (equals: an = in the piece so far)
        for m in _SPACING.finditer(line):
            for c in line[at:m.start()]:
                depth += c in "([{" or -(c in ")]}")
                equals = equals or c == "="
            at = m.start()
            if depth == 0 and equals and self._defines_known(line[m.end():m.end() + 120]):
                pieces.append(line[last:m.start()].strip())
                last, equals = m.end(), False
        return pieces + [line[last:].strip()] if pieces else [line]

    def _defines_known(self, piece: str) -> bool:
        """Whether ``piece`` starts with a quantity of the assignment's (a symbol, a scalar such as
        c_w, a derivative of E) followed by its ``=``, before any other relation."""
        eq = re.search(r"(?<![<>=!+:])=(?!=)", piece)
        if eq is None:
            return False
        try:
            toks = tokenize(piece[:eq.start()])
        except NotationError:
            return False
        if not toks or any(t.text in ("=", "<", ">", "<=", ">=", "!=", "==", "\\in") for t in toks):
            return False
        head = toks[0].text
        if head in ("\\frac", "\\dfrac", "\\tfrac", "\\partial"):
            return True
        if head == "dE" and len(toks) > 2 and toks[1].text == "/":
            return True
        scalar = len(toks) > 2 and toks[1].text == "_" and f"{head}_{toks[2].text}" in self.scalars
        return toks[0].kind == "name" and (head in self.symbols or scalar)

    def _declare(self, part: str) -> None:
        """Register the symbols of one's own this line defines: its left side, and one after a
        comma (``…, \\quad \\delta_m = …``)."""
        try:
            self.text, self.toks, self.i, self.depth = part, tokenize(part), 0, 0
            self.links = 0
        except NotationError:
            return
        starts, depth = [0], 0
        for j, t in enumerate(self.toks):
            depth += t.text in ("(", "[", "{", "\\{") or -(t.text in (")", "]", "}", "\\}"))
            if t.text in (",", "\\where") and depth == 0:
                starts.append(j + 1)
        base = self.toks
        for j in starts[:50]:
            self.toks, self.i, self.depth = list(base), j, 0  # (reading dE/dw inserts a token: a copy each time)
            self.links = 0
            if self._peek("where") or self._peek("with") or self._peek("let"):  # "…, where h_m = …"
                self.i += 1
            try:
                self._for_prefix()
                if self._peek_tok() is not None and self._peek_tok().kind == "name" \
                        and self._peek_tok().text not in self.symbols and j > 0:
                    save = dict((k, set(v)) for k, v in self.local.items())
                    self._target()
                    if not self._peek("=") or self._values_to_end():  # "for u, v = 0, 1": a quantifier
                        self.local = save
                elif j == 0:
                    save = dict((k, set(v)) for k, v in self.local.items())
                    self._target()
                    if not any(t.text in ("=", "+=") for t in self.toks) or (self._peek("=") and self._values_to_end()):
                        self.local = save  # "u, v \in \{0, 1\}", "m = 1, 2": a declaration of index values
            except (NotationError, IndexError):
                pass

    def _function_definition(self, part: str) -> bool:
        """``g(t) = 1/(1+e^{-t})``, ``\\operatorname{sig}(x) = …``: a function of one's own (one
        parameter, a name that is no quantity, index or scalar), registered to be applied where
        it is used; True if ``part`` is one."""
        m = _FUNCTION_DEF.match(part)
        if m is None:
            return False
        name, param, body = m.group(1).lstrip("\\"), m.group(2), m.group(3)
        if m.group(1).startswith("\\") and name not in _GREEK and name not in self.REDEFINABLE:  # \phi(t) = …
            return False
        if name in self.symbols or name in self.indices or name in self.scalars or name in ("d", "e") \
                or (name in self.FUNCTIONS and name not in self.REDEFINABLE) or len(self.functions) >= 8:
            return False
        try:
            toks = tokenize(body)
        except NotationError:
            return False
        if not toks:
            return False
        saved = (self.text, self.toks, self.i, self.params, self.depth)
        try:  # read once with the parameter standing for itself: what the echo shows
            self.text, self.toks, self.i, self.params, self.depth = body, toks, 0, {param: ("idx_or_name", param)}, 0
            shown = self.expression()
            if self.i < len(self.toks):
                shown = None
        except NotationError:
            shown = None
        finally:
            self.text, self.toks, self.i, self.params, self.depth = saved
        self.functions[name] = (param, toks, body.strip(), shown)
        return True

    def _inline_function(self, part: str) -> str:
        """``o_m = f(…), \\quad f(u) = …``: a function defined after a comma on the line of its
        use, registered; the line without it."""
        for m in _FUNCTION_AFTER.finditer(part):
            if self._function_definition(part[m.end():]):
                head = part[:m.start()].rstrip(" \t,;")
                while head.endswith(("\\quad", "\\qquad")):  # "…), \quad f(u) = …"
                    head = head[:head.rfind("\\")].rstrip(" \t,;")
                return head
        return part

    def _apply(self, name: str, tok: Tok):
        """A call of a function of one's own: its body read with the argument in place of the
        parameter (each call reads the body once; a function may not call itself)."""
        param, body, source, shown = self.functions[name]
        self.applied += len(body)
        if self.applied > MAX_APPLIED:  # (functions calling functions, each several times: bounded work)
            raise self._error(f"your functions are applied too many times (over {MAX_APPLIED} tokens read)")
        if not self._peek("("):
            raise self._error(f"{name} needs its argument in parentheses: {name}(...)")
        self._next()
        arg = self.expression()
        self._expect(")")
        saved = (self.text, self.toks, self.i, self.params)
        del self.functions[name]
        try:
            self.text, self.toks, self.i, self.params = source, body, 0, {**self.params, param: arg}
            node = self.expression()
            if self.i < len(self.toks):
                raise self._error(f"unexpected text after the definition of {name}")
        finally:
            self.functions[name] = (param, body, source, shown)
            self.text, self.toks, self.i, self.params = saved
        return node

    def _values_to_end(self) -> bool:
        """At ``=``: whether only an index's values (``0, 1``, ``1..3``) follow, to the end."""
        at = self.i
        try:
            self._next()
            self._values()
            return self.i >= len(self.toks)
        except (NotationError, IndexError):
            return False
        finally:
            self.i = at

    def _defines_target_later(self, part: str) -> bool:
        """Whether a line that cannot be read defines the asked quantity after other text on it
        (``r = 2: z[pi,pj,k] = r y[pi,pj,k]``, ``(for stride 2) c_w = 2``, ``… — dE/dz[…] = 0``,
        ``Actually, the width is c_w = 4``): never passed over, whatever else defines it.  Each
        symbol that an ``=`` follows, past the line's start, is looked at (bounded)."""
        for m in _SYMBOL_BEFORE_EQUALS.finditer(part):  # (each looked at over 300 characters: linear)
            # (an element of the asked quantity, or a named number: "then z = 4" in an example is prose)
            if m.start(1) > 0 and self._defines_target(part[m.start(1):m.start(1) + 300]) and (
                    _ELEMENT_DEFINED.match(m.group(1) + " =") or not any(self.symbols.get(t) for t in self.targets)):
                return True
        return False

    def _defines_target(self, part: str) -> bool:
        """Whether a line that cannot be read is (meant as) a definition of the asked quantity."""
        try:
            toks = tokenize(part)
        except NotationError:
            return False
        names = {t.text for t in toks[:12]}
        for target in self.targets:
            head = target.split("/")[-1].lstrip("d") if "/" in target else target.split("_")[0]
            lead = [t.text for t in toks[:8]]
            if "/" in target:
                if "\\partial" in lead[:6] or any(t.startswith("d") and "/" in lead for t in lead[:3]):
                    if head in names or ("d" + head) in names:
                        eq = [i for i, t in enumerate(toks) if t.text in ("=", "+=")]
                        if eq and any(t.text in (head, "d" + head) for t in toks[:eq[0]]):
                            return True
            elif toks and toks[0].text == head:
                return True
        return False

    def statement(self, text: str):
        """One statement; ``None`` for a declaration of index values (``m = 1, 2``), which
        :meth:`statements` applies to the others.  ``self.rest``: the text of a further
        definition on the same line (``c_w = 3, c_h = 3``)."""
        self.text, self.toks, self.i, self.depth, self.rest, self.steps = text, tokenize(text), 0, 0, "", []
        self.links, self.noted = 0, []
        if not self.toks:
            raise NotationError("an empty line")
        declared = self._quantifier_list(required=False)
        if declared and self.i >= len(self.toks):
            self.declared += declared
            return None
        self.i = 0
        quantifiers = self._for_prefix()
        lhs = [self._target()]
        while self._peek(",") and not self._is_for_next():
            self._next()
            lhs.append(self._target())
        if self._peek("+="):
            op = "+="
        elif self._peek("="):
            op = "="
        else:
            raise self._error("expected = or += after the quantity being defined")
        self._next()
        if op == "=" and len(lhs) == 1 and lhs[0][0] == "sym" and self._set_ahead():
            return self._set_definition(lhs[0], text)
        starts = [self.i]
        members = [self._member()]
        while self._peek("=") and op == "=":  # a chain: a = b = c; the last member counts
            self._next()
            starts.append(self.i)
            members.append(self._member())
        # c_w = c_h = 3: the leading members that name quantities are defined too
        named = 0
        for node in members[:-1]:
            if node is None or node[0] not in ("sym", "scalar") or not self._definable(node, lhs[0]):
                break
            lhs.append(node)
            named += 1
        # the members between: steps of a derivation (∂E/∂o · ∂o/∂w), shown as not graded
        self.steps = [self.text[self.toks[a].pos:self.toks[b - 1].pos].strip()
                      for a, b in zip(starts[named:-1], starts[named + 1:]) if b - 1 > a] + self.noted
        rhs = members[-1]
        if rhs is None:
            raise self._error("the expression ends too early")
        quantifiers += self._trailer()
        if self.i < len(self.toks):
            raise self._error("unexpected text after the expression")
        if op == "=" and len(lhs) > 1 and lhs[0][0] != "scalar":
            if not all(x[1] == lhs[0][1] for x in lhs):
                raise self._error("a list of quantities needs += (each gets the right side added)")
        return Statement(lhs, op, rhs, quantifiers, text)

    def _set_ahead(self) -> bool:
        """``W_{p_i,p_j} = \\{p_i, p_i+1\\} \\times \\{p_j, p_j+1\\}``: a set's definition."""
        if not self._peek("\\{"):
            return False
        depth = 0
        for t in self.toks[self.i:]:
            depth += t.text == "\\{" or -(t.text == "\\}")
            if depth == 0:
                return True
        return False

    def _set_definition(self, lhs, text: str):
        """Record a set of one's own (its indices are its parameters); it is used where a max,
        an arg max or a quantifier runs over it."""
        params = []
        for p in lhs[2]:
            if p[0] != "idx":
                raise self._error("a set's indices must be index names: W_{p_i,p_j} = ...")
            params.append(p[1])
        domain = self._domain()
        self._trailer()
        if self.i < len(self.toks):
            raise self._error("unexpected text after the set")
        self.sets[lhs[1]] = (params, domain)
        self.local.pop(lhs[1], None)
        return None

    def _definable(self, node, first) -> bool:
        if node[0] == "scalar":
            return first[0] == "scalar"
        return node[1] == first[1] and node[1] in self.targets

    def _member(self):
        """One member of a chain; a middle one that cannot be read (``\\sigma'(\\cdot)``, the
        chain rule's factors) is passed over when another member follows it."""
        start = self.i
        try:
            return self.expression()
        except NotationError:
            depth = 0
            for j in range(start, len(self.toks)):
                t = self.toks[j].text
                if t in ("(", "[", "{", "\\{"):
                    depth += 1
                elif t in (")", "]", "}", "\\}"):
                    depth -= 1
                elif t in ("for", "\\forall", "\\where") and depth <= 0:  # "… for m = 1, 2": a quantifier, not a chain
                    break
                elif t == "=" and depth <= 0:
                    self.i, self.depth, self.links = j, 0, 0
                    return None
                elif t == "," and depth <= 0:  # another statement follows: this member is the answer
                    break
            raise

    def _trailer(self) -> list:
        """What may follow an expression: quantifiers (``, m = 1, 2``, ``\\forall c_i \\in
        \\{1,2,3\\}``, ``for k=1..3``, ``(p_i, p_j \\in \\{1,2\\})``), or another definition on the
        same line (its text is left in ``self.rest``)."""
        out: list = []
        while self.i < len(self.toks):
            start = self.i
            while self._peek(",") or self._peek("and") or self._peek(";"):
                self._next()
            if self._peek("\\where"):  # "… \text{with } m = 1, 2" or "… \text{with } δ_m = …" (another definition)
                at = self.i
                try:
                    out += self._for_prefix()
                    continue
                except NotationError:
                    if at + 1 < len(self.toks):
                        self.rest = self.text[self.toks[at + 1].pos:]
                    self.toks, self.i = self.toks[:at], at
                    break
            if self._peek("for") or self._peek("\\forall"):
                out += self._for_prefix()
                continue
            if self._peek("(") and self.i + 1 < len(self.toks) and self.toks[self.i + 1].text == "\\forall":
                self._next()  # (\forall m), (\forall m \in \{1, 2\})
                out += self._for_prefix()
                self._expect(")")
                continue
            got = self._quantifier_list(required=False)
            if got:
                out += got
                continue
            self.i = start
            while self._peek(",") or self._peek("and") or self._peek(";"):
                self._next()
            if self.i > start and self.i < len(self.toks):  # another definition: c_w = 3, c_h = 3
                self.rest = self.text[self.toks[self.i].pos:]
                self.toks = self.toks[:start]
                self.i = start
            else:
                self.i = start
            break
        return out

    def _quantifier_list(self, required: bool) -> list:
        """``c_i, c_j = 1, 2, 3``, ``m \\in \\{1,2\\}``, ``k=1..3``, ``p_i = 1, ..., 2``, several
        joined by ``,`` or ``and``, optionally in parentheses; [] (position kept) if not one."""
        start, out = self.i, []
        known = set(self.indices)  # (names an attempt registers are dropped if it is not a quantifier)
        paren = self._peek("(")
        if paren:
            self._next()
        while True:
            names = []
            save = self.i
            bounded = self._between()
            if bounded:
                out += bounded
                if self._peek(",") or self._peek("and"):
                    self._next()
                    continue
                break
            self.i = save
            try:
                while True:
                    tok = self._peek_tok()
                    if tok is None or tok.kind != "name" or tok.text in ("for", "and") or \
                            (tok.text in self.symbols and tok.text not in self.indices) or tok.text in self.local:
                        raise NotationError("not an index")
                    names.append(self._index_name())
                    if self._peek(","):
                        self._next()
                        continue
                    break
                if not (self._peek("=") or self._peek("\\in") or (self._peek("in") and self.i + 1 < len(self.toks)
                                                                 and self.toks[self.i + 1].text in ("{", "\\{", "["))):
                    raise NotationError("not a quantifier")
                self._next()
                here = self.i
                try:
                    lo, hi = self._values()
                    lo, hi = ("num", lo), ("num", hi)
                except NotationError:  # ci=pi..pi+1: a range of expressions
                    self.i = here
                    lo = self._index_expr()
                    if not (self._peek("..") or self._peek("...")):
                        raise
                    self._next()
                    hi = self._index_expr()
            except NotationError:
                self.i = save
                break
            out += [(n, lo, hi) for n in names]
            if self._peek(",") or self._peek("and"):
                self._next()
                continue
            break
        if paren:
            if out and self._peek(")"):
                self._next()
            else:
                out = []
        out = self._merged(out)
        if not out:
            self.i = start
            self.indices = known
            if required:
                raise self._error("expected the values of an index, e.g. m = 1, 2 or k = 1..3")
        return out

    def _merged(self, quantifiers: list) -> list:
        """``m = 1 and m = 2``: one index's values given in pieces, joined into one range (the
        pieces must be whole numbers that join up; otherwise an error, never the last piece)."""
        seen: dict = {}
        for var, lo, hi in quantifiers:
            seen.setdefault(var, []).append((lo, hi))
        if all(len(v) == 1 for v in seen.values()):
            return quantifiers
        out = []
        for var, pieces in seen.items():
            if len(pieces) == 1:
                out.append((var, *pieces[0]))
                continue
            if not all(lo[0] == "num" and hi[0] == "num" for lo, hi in pieces):
                raise self._error(f"the values of {var} are given twice")
            values = sorted(v for lo, hi in pieces for v in range(lo[1], hi[1] + 1))
            if values != list(range(values[0], values[0] + len(values))):
                raise self._error(f"the values of {var} must be consecutive, each once")
            out.append((var, ("num", values[0]), ("num", values[-1])))
        return out

    def _between(self) -> list | None:
        """``p_i \\le c_i \\le p_i + 1`` (or with <), ``1 \\le r, s \\le 3``: the range of one
        index, or of several, between two expressions; None (position kept) if not one."""
        start, known = self.i, set(self.indices)
        try:
            lo = self._index_expr()
            first = self._next()
            if first is None or first.text not in ("<=", "<", "\\le"):
                raise NotationError("no")
            names = [self._index_name()]
            while self._peek(",") and self.i + 2 < len(self.toks) and self.toks[self.i + 1].kind == "name" \
                    and self.toks[self.i + 2].text in (",", "<=", "<", "\\le") and len(names) < 8:
                self._next()
                names.append(self._index_name())
            second = self._next()
            if second is None or second.text not in ("<=", "<", "\\le"):
                raise NotationError("no")
            hi = self._index_expr()
        except NotationError:
            self.i, self.indices = start, known
            return None
        if first.text == "<":
            lo = ("bin", "+", lo, ("num", 1))
        if second.text == "<":
            hi = ("bin", "-", hi, ("num", 1))
        lo, hi = self._bind(lo), self._bind(hi)  # p \le c_i \le p+1: p an index of one's own
        return [(name, lo, hi) for name in names]

    def _values(self) -> tuple[int, int]:
        """``1, 2, 3``, ``1..3``, ``1, ..., 3``, ``\\{1, 2\\}``, ``{1,2,3}``: consecutive whole numbers;
        ``[1, 3]``: the whole numbers of a closed interval (``m \\in [1, 2]``)."""
        close = None
        if self._peek("\\{") or self._peek("{") or self._peek("["):
            close = {"\\{": "\\}", "{": "}", "[": "]"}[self._next().text]
        nums, ellipsis = [], False
        while True:
            tok = self._peek_tok()
            if tok is not None and tok.kind == "num" and "." not in tok.text:
                self._next()
                nums.append(int(tok.text))
            elif tok is not None and tok.text in ("..", "...") and nums:
                self._next()
                ellipsis = True
                if self._peek(","):  # 1, \ldots, 3
                    self._next()
                continue
            else:
                break
            nxt = self.toks[self.i + 1] if self.i + 1 < len(self.toks) else None
            if self._peek(",") and nxt is not None and (nxt.kind == "num" or nxt.text in ("..", "...")):
                self._next()
                continue
            if self._peek("..") or self._peek("..."):
                continue
            break
        if close:
            self._expect(close)
        if not nums:
            raise NotationError("no values")
        lo, hi = nums[0], nums[-1]
        if close == "]" and len(nums) == 2 and lo <= hi:
            ellipsis = True  # [1, 3]: 1, 2, 3
        if not ellipsis and nums != list(range(lo, lo + len(nums))):
            raise NotationError("the values of an index must be consecutive")
        if hi - lo > 1000:
            raise NotationError("too many values")
        return lo, hi

    def _is_for_next(self) -> bool:
        return self.i + 1 < len(self.toks) and self.toks[self.i + 1].text == "for"

    def _for_prefix(self) -> list:
        if not (self._peek("for") or self._peek("\\forall") or self._peek("\\where")):
            return []
        self._next()
        if self._peek("all") or self._peek("each") or self._peek("every"):
            self._next()
        out = self._quantifier_list(required=False)
        if not out:  # \forall m: the index's whole range (the left side's)
            start, known = self.i, set(self.indices)
            try:
                names = [self._index_name()]
                while self._peek(","):
                    self._next()
                    names.append(self._index_name())
                if self._peek("=") or any(n not in known and len(n) > 1 for n in names):
                    raise NotationError("a definition, not a quantifier")  # where δ_m = …
            except NotationError:
                self.i, self.indices = start, known
                raise self._error("expected the values of an index, e.g. m = 1, 2 or k = 1..3") from None
        if self._peek(":") or (self._peek(",") and not self._is_for_next()):
            self._next()
        return out

    def _target(self):
        """The quantity being defined: a symbol with indices, a scalar, or a new local name."""
        tok = self._peek_tok()
        node = self.primary(target=True)
        if node[0] not in ("sym", "scalar", "vec"):
            raise NotationError(_at(self.text, tok.pos, "the left side must be the quantity being defined"))
        if node[0] == "sym":  # its index names are names of the right side too (y_{r,s,k} = ... r ...)
            self.indices.update(p[1] for p in node[2] if p[0] == "idx")
        return node

    # -- expressions (precedence climbing) --
    def expression(self):
        return self._additive()

    def _guard(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._error("the expression is nested too deeply")

    def _link(self, cost: int = 1) -> None:
        """One more operator on the current path: a chain of them is a tree as deep as it is
        long, which every later walk recurses through, so its length is bounded as nesting is.
        A negation or a power costs 3 (reading one recurses through three calls)."""
        self.links += cost
        if self.links > MAX_LINKS:
            raise self._error(f"the expression has more than {MAX_LINKS} operators in a row; split it into lines")

    def _additive(self):
        self._guard()
        links = self.links
        node = self._term()
        while self._peek("+") or self._peek("-"):
            op = self._next().text
            self._link()
            node = ("bin", op, node, self._term())
        self.depth -= 1
        self.links = links
        return node

    def _term(self):
        links = self.links
        start = self.i
        node = self._unary()
        if node[0] == "num" and start > 0 and self.toks[start - 1].text == "=" and self._peek("("):
            node = self._number_remark(node)
        while True:
            if self._peek("/") and self._floor_division():  # a // b, as Python writes it: ⌊a / b⌋
                self._link()
                node = ("call", "floor", [("bin", "/", node, self._unary())])
            elif self._peek("*") or self._peek("/"):
                op = self._next().text
                self._link()
                node = ("bin", op, node, self._unary())
            elif self._starts_factor():  # juxtaposition: o_1 (1 - o_1) z
                self._link()
                node = ("bin", "*", node, self._power())
            else:
                self.links = links
                return node

    def _floor_division(self) -> bool:
        """At ``/``: whether a second ``/`` follows right after it (``//``); both are taken."""
        if self.i + 1 >= len(self.toks):
            return False
        a, b = self.toks[self.i], self.toks[self.i + 1]
        if b.text != "/" or b.pos != a.pos + 1:
            return False
        self.i += 2
        return True

    def _number_remark(self, node):
        """``c_w = 3 (4−2+1)``: a number right after ``=`` and a parenthesis of constant arithmetic
        that ends the member: a derivation remark where the two are equal (read as the number, the
        parenthesis shown as a step), refused where they differ (a product is written with ``·``);
        ``node`` unchanged otherwise (``2 (o_m - y_m)`` is a product).  One scan to the closing
        parenthesis; the value is exact (fractions), of at most MAX_LINKS operators."""
        depth, close = 0, None
        for j in range(self.i, len(self.toks)):
            t = self.toks[j]
            if t.text not in ("(", ")", "+", "-", "*", "/") and t.kind != "num":
                return node
            depth += (t.text == "(") - (t.text == ")")
            if depth == 0:
                close = j
                break
        after = self.toks[close + 1].text if close is not None and close + 1 < len(self.toks) else None
        if close is None or after not in (None, "=", ","):
            return node
        inner = self.text[self.toks[self.i + 1].pos:self.toks[close].pos].strip()
        at = self.toks[self.i]
        self._next()
        value = _constant(self.expression())
        self._expect(")")
        if value is not None and value == Fraction(str(node[1])):
            self.noted.append(f"{inner} = {node[1]}")
            return node
        raise NotationError(_at(self.text, at.pos, f"'{node[1]} ({inner})': write {node[1]}·({inner}) for a "
                                                   f"product, or {node[1]} = {inner}"))

    def _unary(self):
        """Signs before a factor, read in a loop: each ``-`` is a level of the tree and counts
        toward MAX_DEPTH like a parenthesis (a thousand minus signs are refused as nested too
        deeply, not a RecursionError); ``+`` adds nothing."""
        negations = 0
        while self._peek("-") or self._peek("+"):
            if self._next().text == "-":
                self._guard()
                self._link(3)
                negations += 1
        node = self._power()
        self.depth -= negations
        for _ in range(negations):
            node = ("neg", node)
        return node

    def _power(self):
        base = self.primary()
        if self.vectors and self._peek("^") and self._transpose_ahead():  # W^T, W^{\top}
            return ("T", base)
        if self._peek("^") or self._peek("**"):
            self._next()
            self._guard()  # (a tower 2^2^2^…: each exponent a level, bounded like any nesting)
            self._link(3)
            exponent = self._group_or(self._unary)
            self.depth -= 1
            return ("bin", "^", base, exponent)
        return base

    def _transpose_ahead(self) -> bool:
        """``^T`` or ``^{T}`` (``\\top`` is T by now): a transpose, consumed."""
        ahead = [t.text for t in self.toks[self.i + 1:self.i + 4]]
        for form in (["T"], ["{", "T", "}"]):
            if ahead[:len(form)] == form:
                self.i += 1 + len(form)
                return True
        return False

    def _starts_factor(self) -> bool:
        tok = self._peek_tok()
        if tok is None:
            return False
        if tok.kind in ("num", "name") and tok.text not in ("for", "and", "or"):
            return True
        if tok.text == "(" and self._quantifier_ahead():
            return False
        return tok.text in ("(", "[", "\\frac", "\\sigma", "\\sum", "\\max", "\\min", "\\exp", "\\mathbf",
                            "\\mathbb", "\\partial", "\\tanh", "\\log", "\\operatorname")

    def _quantifier_ahead(self) -> bool:
        """``(p_i, p_j \\in \\{1,2\\})`` or ``(m = 1, 2)`` after a formula: its quantifier, not a factor."""
        ahead = self.toks[self.i + 1:self.i + 24]
        if ahead and ahead[0].text == "\\forall":  # (\forall m), (for all m = 1, 2)
            return True
        for j, t in enumerate(ahead):
            if t.text in ("\\in",):
                return True
            if t.text == "=" and j > 0 and ahead[0].kind == "name" and ahead[0].text not in self.symbols:
                rest = ahead[j + 1:]
                for u in rest:  # only whole numbers up to the closing parenthesis
                    if u.text == ")":
                        return True
                    if u.kind != "num" and u.text not in (",", "..", "...", "\\{", "\\}", "{", "}"):
                        return False
                return False
            if t.kind not in ("name", "num") and t.text not in (",", "_", "{", "}"):
                return False
        return False

    def _group_or(self, parse):
        if self._peek("{"):
            self._next()
            node = self.expression()
            self._expect("}")
            return node
        return parse()

    def primary(self, target: bool = False):
        tok = self._next()
        if tok is None:
            raise self._error("the expression ends too early")
        t = tok.text
        if tok.kind == "num":
            if t == "1" and (self._peek("[") or self._peek("\\{")) and not target:
                return self._indicator_brackets()
            return ("num", float(t) if "." in t else int(t))
        if t in ("(", "{", "["):  # (a), {a}, and [a] once a sizing command is gone (\big[ a \big])
            start = self.i
            node = self.expression()
            if t == "(" and self._peek_tok() is not None and self._peek_tok().text in ("==", "<=", ">=", "!=", "<", ">"):
                self.i = start  # (y[ci,cj,k] == max(…)): Python's comparison, 1 where it holds
                node = ("ind", self._condition())
            self._expect({"(": ")", "{": "}", "[": "]"}[t])
            return node
        if t == "\\frac":
            return self._frac()
        if t in ("\\sigma", "\\exp", "\\tanh", "\\log") and t[1:] in self.functions and self._peek("("):
            return self._apply(t[1:], tok)  # (the student's own definition: \sigma(t) = …)
        if t in ("\\sigma",):
            return self._call(self._primed("sigma"))
        if t in ("\\exp", "\\tanh", "\\log"):
            return self._call(t[1:])
        if t in ("\\max", "\\min"):
            if self._peek("_"):
                return self._over(t[1:], tok)
            return self._call(t[1:], braces=True)
        if t == "\\sum":
            return self._latex_sum()
        if t in ("\\mathbf", "\\mathbb", "\\mathbb"):
            self._expect("{")
            one = self._next()
            self._expect("}")
            if one is None or one.text != "1":
                raise NotationError(_at(self.text, tok.pos, "only \\mathbf{1}[...] (an indicator) is known"))
            if not (self._peek("[") or self._peek("\\{") or self._peek("(") or self._peek("_")):
                return ("num", 1)  # the vector of ones: 1 - o, element-wise
            return self._indicator_brackets()
        if t == "\\partial":
            return self._partial(tok)
        if t in ("\\text", "\\mathrm", "\\textrm", "\\operatorname"):
            raise NotationError(_at(self.text, tok.pos, f"{t}{{...}} is words, not an expression"))
        if tok.kind == "cmd":
            raise NotationError(_at(self.text, tok.pos, f"unknown LaTeX command {t}"))
        if tok.kind == "name":
            return self._name(tok, target)
        raise NotationError(_at(self.text, tok.pos, f"unexpected {t!r}"))

    # -- names, indices, derivatives --
    def _name(self, tok: Tok, target: bool):
        t = tok.text
        if t in self.params and not (self._peek("_") or self._peek("[")):
            return self.params[t]
        if t in self.functions and self._peek("(") and not target:
            return self._apply(t, tok)
        if t in _SIGMOID_NAMES and self._peek("("):
            return self._call(self._primed("sigma"))
        m = re.fullmatch(r"d([A-Za-z])(?:d([A-Za-z]))?", t)
        if m and m.group(1) == "E" and not m.group(2) and self._peek("_") and self.i + 1 < len(self.toks) \
                and re.fullmatch(r"d[A-Za-z]", self.toks[self.i + 1].text):  # dE_dz[...], as in Python
            self._next()
            m = re.fullmatch(r"d([A-Za-z])d([A-Za-z])", "dE" + self._next().text)
        if m and (m.group(2) or self._peek("/")) and (m.group(1) == "E" or m.group(1) in self._letters()):
            return self._plain_derivative(tok, m)
        if t in ("argmax", "argmin", "max", "min") and self._peek("_"):
            return self._single(self._over(t, tok), tok)
        if t in ("argmax", "argmin"):
            return self._single(self._plain_over(t), tok)
        if t in ("max", "min") and self._ranges_ahead():
            return self._plain_over(t)
        if t in ("sigma", "sigmoid", "exp", "tanh", "log", "max", "min"):
            return self._call(self._primed("sigma") if t in ("sigma", "sigmoid") else t)
        if t in ("Indicator",):
            if self._peek("["):
                return self._indicator_brackets()
            return self._call("Indicator")
        if t in ("sum", "Sum"):
            if self._peek("_"):
                return self._latex_sum()
            return self._plain_sum()
        if t == "e" and self._peek("^"):
            self._next()
            self._link(3)
            return ("call", "exp", [self._group_or(self._unary)])
        if self._peek("'") and t not in self.symbols and not (target is False and t in self.params):
            self._next()  # δ'_m: a symbol of one's own, named with its prime
            tok = Tok("name", t + "prime", tok.pos)
        name, idx = self._subscripted(tok)
        if self._peek("'") and isinstance(name, str) and self._primable(name):  # o_{1}': one's own too
            self._next()
            name += "prime"
        return self._resolve(tok, name, idx, target)

    def _primable(self, name: str) -> bool:
        """Whether a prime after ``name``'s indices names a symbol of one's own (``o_1'``): a
        name the notation has no derivative for (a function's prime, σ', is read as the call)."""
        return name not in self.FUNCTIONS and name not in self.functions and len(name) <= 16

    def _primed(self, fn: str) -> str:
        """``sigma'`` (σ′, \\sigma'): the sigmoid's derivative σ(a)(1 − σ(a)), element-wise."""
        if self._peek("'"):
            self._next()
            return fn + "'"
        return fn

    def _letters(self) -> set[str]:
        """The one-letter quantities (x, w, y, z, o): what a plain derivative dy/dw may be of."""
        return {s for s in self.symbols if len(s) == 1}

    def _subscripted(self, tok: Tok):
        """A name and its indices: x[ci,cj], x_{c_i,c_j}, c_i, o_1, o1, y_m."""
        name, idx = tok.text, None
        m = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
        if m and m.group(1) in self.symbols:
            return m.group(1), [("num", int(d)) for d in m.group(2)] if len(m.group(2)) == 1 else self._ambiguous(tok)
        before = self.i
        sup = self._superscript() if isinstance(name, str) and name in self.symbols else None
        if sup is not None and not (self._peek("_") or self._peek("[")):  # y^k alone: a power
            self.i, sup = before, None
        own = self._own_superscript(name) if sup is None else None
        self.shift = 1 if sup is not None or self._superscript_after_group(name) else 0
        try:
            name, idx = self._subscripts(tok, name)
        finally:
            self.shift = 0
        if own is not None and isinstance(name, str):  # δ^{k}_{i,j}, δ^{out}_m: a symbol of one's own
            kind, text = own
            if kind == "label":
                return name + text, idx
            at = len(idx or []) if self.superscript is None else min(self.superscript, len(idx or []))
            return name, (idx or [])[:at] + [("idx", text)] + (idx or [])[at:]
        if sup is None and idx is not None and isinstance(name, str) and name in self.symbols:
            after = self.i
            sup = self._superscript()
            if sup is not None:
                before = after
        if sup is not None:
            var, labelled = sup
            counts = self.symbols.get(name, [])
            if idx is not None and self.superscript is not None and self.superscript <= len(idx) \
                    and len(idx) + 1 in counts:
                return name, idx[:self.superscript] + [("idx", var)] + idx[self.superscript:]
            if not labelled:  # not an index this quantity has room for: a power, read as one
                self.i = before
        return name, idx

    def _own_superscript(self, name):
        """A superscript right before the subscripts of a name of one's own (``\\delta^{k}_{i,j}``,
        ``\\delta^{out}_m``), consumed: ("idx", k) for an index name, ("label", "out") for a short
        word, part of the name.  None (nothing consumed) for a quantity, a function, ``e``, or
        anything not followed by ``_``: a power."""
        if not (isinstance(name, str) and self._peek("^") and name not in self.symbols and name not in self.FUNCTIONS
                and name not in self.functions and name not in ("e", "pi") and name not in self.params):
            return None
        before = self.i
        sup = self._superscript()
        if sup is not None and self._peek("_"):
            return "idx", sup[0]
        self.i = before
        ahead = [t for t in self.toks[self.i:self.i + 4]]
        for form in (["^", "W"], ["^", "{", "W", "}"]):
            if len(ahead) < len(form) or any(f != "W" and f != t.text for f, t in zip(form, ahead)):
                continue
            word = ahead[form.index("W")]
            if word.kind == "name" and word.text.isalpha() and len(word.text) <= 5 and word.text not in self.indices:
                after = self.i + len(form)
                if after < len(self.toks) and self.toks[after].text == "_":
                    self.i = after
                    return "label", word.text
        return None

    def _superscript_after_group(self, name) -> bool:
        """Whether the subscript group ahead (``_{ij}``, at most 40 tokens) is followed by an index
        superscript (``y_{ij}^{(k)}``): its compact indices are then one fewer.  Consumes nothing."""
        if not (isinstance(name, str) and name in self.symbols and self._peek("_")
                and self.i + 1 < len(self.toks) and self.toks[self.i + 1].text == "{"):
            return False
        depth = 0
        for j in range(self.i + 1, min(len(self.toks), self.i + 42)):
            depth += (self.toks[j].text == "{") - (self.toks[j].text == "}")
            if depth == 0:
                save = self.i
                self.i = j + 1
                found = self._superscript() is not None
                self.i = save
                return found
        return False

    def _superscript(self):
        """An index written as a superscript at the current token, consumed: ``^k``, ``^{k}``,
        ``^{(k)}``, ``^{c_i}``; (its name, whether it was in parentheses).  Only an index
        variable's name (the homework's or one letter of one's own), never a number: ``y^2`` is a
        power.  None, nothing consumed, otherwise."""
        ahead = [t.text for t in self.toks[self.i:self.i + 7]]
        if not ahead or ahead[0] != "^":
            return None
        for form in (["^", "N"], ["^", "{", "N", "}"], ["^", "{", "(", "N", ")", "}"], ["^", "(", "N", ")"],
                     ["^", "{", "[", "N", "]", "}"], ["^", "[", "N", "]"],
                     ["^", "{", "N", "_", "N", "}"]):
            if len(ahead) < len(form) or any(f != "N" and f != a for f, a in zip(form, ahead)):
                continue
            names = [self.toks[self.i + j] for j, f in enumerate(form) if f == "N"]
            if any(t.kind != "name" for t in names):
                continue
            var = "".join(t.text for t in names)
            known = var in self.indices or (len(names) == 1 and len(var) == 1 and self._own_index(var))
            if len(names) == 2 and var not in self.indices:
                continue
            if known:
                self.i += len(form)
                return var, "(" in form or "[" in form
        return None

    def _subscripts(self, tok: Tok, name: str):
        """The subscripts and brackets after a name (see :meth:`_subscripted`)."""
        idx = None
        if self._peek("_"):
            self._next()
            if self._peek("{"):
                self._next()
                group = self.i
                try:
                    parts = self._index_list("}")
                except NotationError:
                    compact = self._compact(name, group, None)
                    if compact is None:
                        raise
                    parts = compact
                else:
                    parts = self._compact(name, group, parts) or parts
            else:
                sub = self._next()
                if sub is None:
                    raise self._error("a subscript is missing")
                if sub.kind == "num" and len(sub.text) > 1 and name in self.symbols:
                    return self._ambiguous(tok)
                parts = [self._index_atom(sub)]
            joined = self._join_index_name(name, parts)
            if joined is not None:
                return joined, None
            idx = parts
        if self._peek("["):
            if idx is not None:
                raise self._error("indices given twice")
            self._next()
            idx = self._index_list("]")
            while self._peek("[") and len(idx) < 8:  # y[ci][cj][k], as arrays are indexed in C
                self._next()
                idx += self._index_list("]")
        elif idx is None and self._peek("(") and isinstance(name, str) and name in self.symbols \
                and self._paren_indices_ahead(set(self.symbols[name])):
            self._next()  # y(ci,cj,k), o(m): indices in parentheses, as a function's arguments
            idx = self._index_list(")")
        return name, idx

    def _compact(self, name: str, group: int, parts: list | None):
        """``y_{ijk}``, ``w_{11k}``, ``x_{(i+a)(j+b)}``, ``w_{pq k m}``: indices written without
        commas, each one character (or a parenthesised expression), split by the number of
        indices the quantity takes.  Used where the group as read does not fit (a count the
        quantity does not take, or a name of several letters that is no index); None where the
        group has commas or subscripts of its own, or the reading as it was fits.  A group that
        splits no way the quantity takes, or only with operators between letters, is refused."""
        counts = self.symbols.get(name) if isinstance(name, str) else None
        if counts and self.shift:  # an index is a superscript (y^{k}_{ij}): the rest is one fewer
            counts = [c - self.shift for c in counts if c > self.shift]
        if not counts:
            return None
        if parts is not None and len(parts) in counts and not any(
                p[0] in ("idx", "idx_or_name") and len(p[1]) > 1 and p[1] not in self.indices for p in parts):
            return None
        toks, depth, j = [], 0, group
        while j < len(self.toks) and len(toks) < 40:
            t = self.toks[j]
            if depth == 0 and t.text == "}":
                break
            if t.text in (",", "_", "{", "}", "[", "]") and depth == 0:
                return None
            depth += (t.text == "(") - (t.text == ")")
            toks.append(t)
            j += 1
        if j >= len(self.toks) or not toks:
            return None
        close, atoms, k = j, [], 0
        while k < len(toks):
            t = toks[k]
            if t.text == "(":
                self.i = group + k
                self._next()
                atoms.append(self._index_expr())
                self._expect(")")
                k = self.i - group
                continue
            if t.kind == "num" and "." not in t.text:
                atoms += [("num", int(d)) for d in t.text]
            elif t.kind == "name" and t.text.isalpha():
                atoms += [("idx", c) if c in self.indices else ("idx_or_name", c) for c in t.text]
            else:
                shown = self.text[toks[0].pos:self.toks[close].pos].strip()
                raise NotationError(_at(self.text, t.pos, f"{name}_{{{shown}}} is ambiguous: {name} takes "
                                                          f"{' or '.join(map(str, counts))} indices; write them apart "
                                                          f"with commas, e.g. {name}_{{i+1,j}}"))
            k += 1
        if len(atoms) not in counts:
            if parts is not None and len(parts) in counts:
                return None
            shown = self.text[toks[0].pos:self.toks[close].pos].strip()
            raise NotationError(_at(self.text, toks[0].pos, f"{name}_{{{shown}}}: {name} takes "
                                                            f"{' or '.join(map(str, counts))} indices, and these "
                                                            f"split into {len(atoms)}; write them apart with commas"))
        for c in atoms:
            if c[0] == "idx_or_name" and c[1] in self.symbols:
                raise NotationError(_at(self.text, toks[0].pos, f"{name}_{{...}}: {c[1]} is a quantity, not an "
                                                                "index; write the indices apart with commas"))
        self.i = close + 1
        return atoms

    def _paren_indices_ahead(self, counts: set) -> bool:
        """``(a, b[, …])`` with commas at its top level and nothing after its ``)`` that makes it
        a factor: a symbol's indices in parentheses."""
        ahead = self.toks[self.i + 1:self.i + 3]
        if 1 in counts and len(ahead) == 2 and ahead[1].text == ")" and (  # o(m), o(2); o(1 - o) is a product
                ahead[0].kind == "num" or (ahead[0].kind == "name" and ahead[0].text in self.indices)):
            return True
        depth, commas = 0, 0
        for t in self.toks[self.i:self.i + 64]:
            depth += t.text in ("(", "[", "{", "\\{") or -(t.text in (")", "]", "}", "\\}"))
            if depth == 1 and t.text == ",":
                commas += 1
            if depth == 0:
                return commas >= 1 and commas + 1 in counts
        return False

    def _ambiguous(self, tok: Tok):
        raise NotationError(_at(self.text, tok.pos, f"{tok.text!r} is ambiguous: write the indices apart, "
                                                    "e.g. x[1,2] or x_{1,2}"))

    def _join_index_name(self, name: str, parts: list):
        """c_i -> ci, p_{j+1} -> pj+1 (the homework's c_{j+1}); c_w -> the scalar c_w."""
        if len(parts) == 1:
            p = parts[0]
            if p[0] in ("idx_or_name", "idx") and (name + p[1]) in self.indices:
                return ("idx", name + p[1])
            if p[0] in ("idx_or_name", "idx") and f"{name}_{p[1]}" in self.scalars:
                return ("scalar", f"{name}_{p[1]}")
            if p[0] == "bin" and p[2][0] in ("idx_or_name", "idx") and (name + p[2][1]) in self.indices:
                return ("bin", p[1], ("idx", name + p[2][1]), p[3])
            if p[0] in ("idx_or_name", "idx", "num") and f"{name}_{p[1]}" in self.indices:
                return ("idx", f"{name}_{p[1]}")
        return None

    def _index_list(self, close: str) -> list:
        """``pi,pj,k``; also ``p_i p_j k`` (names apart, no commas) in a LaTeX subscript."""
        parts = [self._index_expr()]
        while self._peek(",") or (close == "}" and self._peek_tok() is not None and self._peek_tok().kind == "name"):
            if self._peek(","):
                self._next()
            parts.append(self._index_expr())
        self._expect(close)
        return parts

    def _index_expr(self):
        self._guard()  # (x_{((((…: bounded like any expression)
        try:
            node = self._index_term()
            while self._peek("+") or self._peek("-"):
                op = self._next().text
                node = ("bin", op, node, self._index_term())
        finally:
            self.depth -= 1
        return node

    def _index_term(self):
        node = self._index_factor()
        while self._peek("*") or (self._peek_tok() is not None and self._peek_tok().text in ("\\cdot",)):
            self._next()
            node = ("bin", "*", node, self._index_factor())
        return node

    def _index_factor(self):
        tok = self._next()
        if tok is None:
            raise self._error("an index is missing")
        if tok.kind == "num":
            if tok.text == "1" and self._peek("["):
                return self._indicator_brackets()
            if not tok.text.isdigit():  # (0.5 where an index belongs: int() raised a ValueError)
                raise NotationError(_at(self.text, tok.pos, f"an index is a whole number, not {tok.text}"))
            return ("num", int(tok.text))
        if tok.text in ("\\mathbf", "\\mathbb"):
            self.i -= 1
            return self.primary()
        if tok.text == "(":
            node = self._index_expr()
            self._expect(")")
            return node
        if tok.kind == "name":
            return self._index_atom(tok)
        raise NotationError(_at(self.text, tok.pos, f"{tok.text!r} cannot be an index"))

    def _index_atom(self, tok: Tok):
        """One index: a number, an index variable, c_i / c_{i} / o_1 / o_m (the output's index)."""
        if tok.kind == "num":
            return ("num", int(tok.text))
        t = tok.text
        if self._peek("_"):  # c_i, c_{j+1}, o_1, o_m inside an index list
            self._next()
            if self._peek("{"):
                self._next()
                inner = self._index_expr()
                self._expect("}")
            else:
                inner = self._index_atom(self._next())
            if inner[0] in ("idx_or_name", "idx") and t + inner[1] in self.indices:
                return ("idx", t + inner[1])
            if inner[0] == "bin" and inner[2][0] in ("idx_or_name", "idx") and t + inner[2][1] in self.indices:
                return ("bin", inner[1], ("idx", t + inner[2][1]), inner[3])
            if t in self.symbols and 1 in self.symbols[t]:  # w_{pi,pj,k,o_1}: o_1 stands for 1
                return self._bind(inner)
            if self._own_index(t) and inner[0] in ("num", "idx", "idx_or_name") and self._own_index(f"{t}_{inner[1]}"):  # k_1, i_{2}: a name of one's own
                return ("idx", f"{t}_{inner[1]}")
            raise NotationError(_at(self.text, tok.pos, f"{t}_... is not an index"))
        if (self._peek("[") or self._peek("(")) and t in self.symbols and 1 in self.symbols[t] \
                and t not in self.indices:  # w[pi,pj,k,o[m]], o(2): the output's own index, as o_m / o_2
            close = "]" if self._next().text == "[" else ")"
            inner = self._index_expr()
            self._expect(close)
            return self._bind(inner)
        m = re.fullmatch(r"([A-Za-z]+)(\d)", t)
        if m and m.group(1) in self.symbols and 1 in self.symbols[m.group(1)]:  # o1 inside indices
            return ("num", int(m.group(2)))
        m = re.fullmatch(r"([A-Za-z])([A-Za-z])", t)
        if m and m.group(1) in self.symbols and 1 in self.symbols[m.group(1)] and t not in self.indices \
                and m.group(2) not in self.symbols:  # om inside indices: o_m, the output's index m
            return ("idx", m.group(2))
        if t in self.indices:
            return ("idx", t)
        if len(t) == 1:
            return ("idx_or_name", t)
        if self._own_index(t):  # om, i1, row: a name of one's own; whether something binds it is checked after
            return ("idx", t)
        raise NotationError(_at(self.text, tok.pos, f"{t!r} is not an index (known: "
                                                    f"{', '.join(sorted(self.indices))})"))

    def _own_index(self, name: str) -> bool:
        """Whether ``name`` may be an index variable of the student's own: not a quantity, a scalar
        or a function of the notation (any such name must then be bound: by a sum, a quantifier,
        the left side or a declaration; :meth:`Answer._check` says so otherwise)."""
        return (len(name) <= 12 and name not in self.symbols and name not in self.scalars
                and name not in self.FUNCTIONS and name not in self.local and name not in ("e", "pi", "for", "and"))

    def _bind(self, node):
        """A one-letter name in an index is an index variable (a, b, u of one's own); whether a
        sum, a quantifier or the left side binds it is checked afterwards (index hygiene)."""
        if node[0] == "idx_or_name":
            return ("idx", node[1])
        if node[0] == "bin":  # p_i + a: the one-letter names inside an index expression too
            return ("bin", node[1], self._bind(node[2]), self._bind(node[3]))
        return node

    def _resolve(self, tok: Tok, name: str, idx, target: bool):
        if isinstance(name, tuple):  # an index variable (c_i), or an index expression (c_{j+1})
            return name
        if idx is None and name in self.indices:
            return ("idx", name)
        if idx is None and name in self.scalars:
            return ("scalar", name)
        idx = [self._bind(p) for p in (idx or [])]
        n = len(idx)
        if n == 0 and name in self.vectors:  # o, W, z without indices: the layer's vector or matrix
            return ("vec", name)
        if n == 0 and self.vectors and not target and name in self.local and 0 not in self.local[name]:
            return ("vecref", name)  # δ with δ_m defined element by element: the vector of them
        if n == 0 and self.deferred and not target and self._own_index(name) and not self._peek("("):
            return ("idx_or_name", name)  # sum(… 1[r-1 <= pr <= r] …, pr=1..2): pr is bound after
        if name == "delta" and n == 1 and idx[0][0] == "idx" and len(idx[0][1]) == 2 and idx[0][1] not in self.indices \
                and all(c in self.indices for c in idx[0][1]):  # δ_{ij}: two index names written together
            idx, n = [("idx", c) for c in idx[0][1]], 2
        if name == "delta" and n == 2 and not target and not self.own_delta and name not in self.local \
                and name not in self.symbols:  # δ_{a,b}: Kronecker's, 1 where a = b
            return ("ind", ("cmp", "==", idx[0], idx[1]))
        if name in self.symbols:
            if n not in self.symbols[name]:
                counts = " or ".join(map(str, self.symbols[name]))
                raise NotationError(_at(self.text, tok.pos, f"{name} takes {counts} indices, not {n}"))
            return ("sym", name, idx)
        if name in self.local and n in self.local[name]:
            return ("sym", name, idx)
        if name in self.aliases and not target and name not in self.local and n == self.aliases[name][1]:
            return self._resolve(tok, self.aliases[name][0], idx, target)  # v_{p_i,p_j,k,m}: w_{p_i,p_j,k,o_m}
        if target and name not in self.FUNCTIONS and (name not in ("pi", "e") or n > 0):
            self.local.setdefault(name, set()).add(n)
            return ("sym", name, idx)
        if len(name) > 1 and not idx:
            raise NotationError(_at(self.text, tok.pos, f"unknown name {name!r} (a product? write a*b; "
                                                        "a function? write sigma(a))"))
        raise NotationError(_at(self.text, tok.pos, f"unknown quantity {name!r}"))

    def _plain_derivative(self, tok: Tok, m):
        """dE/dz[pi,pj,k], dE_dz[...], dy/dw: a derivative is a symbol of its own."""
        num = m.group(1)
        den = m.group(2)
        if den is None:
            self._expect("/")
            d = self._next()
            if d is None or d.kind != "name" or not d.text.startswith("d") or len(d.text) < 2:
                raise NotationError(_at(self.text, tok.pos, "write a derivative as dE/dz[pi,pj,k]"))
            rest = d.text[1:]
            self.toks.insert(self.i, Tok("name", rest, d.pos + 1))
            dtok = self._next()
            den_name, den_idx = self._subscripted(dtok)
        else:
            den_name, den_idx = self._subscripted(Tok("name", den, tok.pos))
        return self._derivative(tok, num, [], den_name, den_idx)

    def _partial(self, tok: Tok):
        """\\partial E / \\partial z_{...} written without \\frac."""
        num = self._next()
        if num is None or num.kind != "name":
            raise NotationError(_at(self.text, tok.pos, "write \\frac{\\partial E}{\\partial z_{p_i,p_j,k}}"))
        self._expect("/")
        self._expect("\\partial")
        den = self._next()
        den_name, den_idx = self._subscripted(den)
        return self._derivative(tok, num.text, [], den_name, den_idx)

    def _d_name(self):
        """``dE`` or ``d E`` (a derivative's d) at the current token: the letter after d, consumed;
        None (nothing consumed) otherwise."""
        tok = self._peek_tok()
        if tok is None or tok.kind != "name":
            return None
        if tok.text == "d" and self.i + 1 < len(self.toks) and self.toks[self.i + 1].kind == "name":
            self.i += 1
            return self._next()
        if len(tok.text) >= 2 and tok.text[0] == "d" and (tok.text[1:] == "E" or tok.text[1:] in self.symbols
                                                          or tok.text[1:] in self.vectors or tok.text[1:] in self.local):
            self._next()
            return Tok("name", tok.text[1:], tok.pos + 1)
        return None

    def _frac(self):
        start = self._peek_tok()
        self._expect("{")
        save = self.i
        num_tok = self._d_name()  # \frac{dE}{dz_{p_i,p_j,k}}, \frac{d E}{d z}
        if num_tok is not None and self._peek("}") and self.i + 1 < len(self.toks) and self.toks[self.i + 1].text == "{":
            self._next()
            self._next()
            den_tok = self._d_name()
            if den_tok is not None:
                den_name, den_idx = self._subscripted(den_tok)
                self._expect("}")
                return self._derivative(start, num_tok.text, [], den_name, den_idx)
        self.i = save
        if self._peek("\\partial"):
            self._next()
            num_tok = self._next()
            num_name, num_idx = self._subscripted(num_tok)
            self._expect("}")
            self._expect("{")
            self._expect("\\partial")
            den_tok = self._next()
            den_name, den_idx = self._subscripted(den_tok)
            self._expect("}")
            return self._derivative(start, num_name, num_idx or [], den_name, den_idx)
        num = self.expression()
        self._expect("}")
        self._expect("{")
        den = self.expression()
        self._expect("}")
        return ("bin", "/", num, den)

    def _derivative(self, tok, num, num_idx, den, den_idx):
        if isinstance(num, tuple) or isinstance(den, tuple):
            raise NotationError(_at(self.text, tok.pos, "a derivative of or by an index"))
        name = f"d{num}/d{den}"
        idx = [self._bind(p) for p in list(num_idx or []) + list(den_idx or [])]
        if not idx and name in self.vectors:  # ∂E/∂W: a matrix of derivatives
            return ("vec", name)
        if name in self.symbols or name in self.local:
            allowed = self.symbols.get(name) or self.local.get(name)
            if len(idx) not in allowed:
                raise NotationError(_at(self.text, tok.pos, f"∂{num}/∂{den} takes "
                                                            f"{' or '.join(map(str, sorted(allowed)))} indices"))
            return ("sym", name, idx)
        self.local.setdefault(name, set()).add(len(idx))  # ∂y/∂w: defined by another line, or unknown
        return ("sym", name, idx)

    # -- functions, sums, indicators --
    def _call(self, fn: str, braces: bool = False):
        opener = "(" if self._peek("(") else ("\\{" if braces and self._peek("\\{") else None)
        if opener is None:
            raise self._error(f"{fn} needs its argument in parentheses: {fn}(...)")
        self._next()
        close = ")" if opener == "(" else "\\}"
        listed = fn in ("max", "min") and opener == "(" and self._peek("[")  # max([a, b, c, d])
        if listed:
            self._next()
        args = [self._condition() if fn == "Indicator" else self.expression()]
        while self._peek(","):
            self._next()
            args.append(self.expression())
        if listed:
            self._expect("]")
        self._expect(close)
        if fn == "Indicator":
            return ("ind", args[0])
        if fn in ("sigma", "sigma'", "exp", "tanh", "log") and len(args) != 1:
            raise self._error(f"{fn} takes one argument")
        return ("call", fn, args)

    def _indicator_brackets(self):
        """``1[c]``, ``1\\{c\\}``, ``\\mathbf{1}(c)``, ``\\mathbb{1}_{c}``, ``\\mathbb{1}_{\\{c\\}}``."""
        if self._peek("_"):
            self._next()
            if self.i + 1 < len(self.toks) and self._peek("{") and self.toks[self.i + 1].text == "\\{":
                self._next()
                close = ["}"]
            else:
                close = []
            opener = self._next()
        else:
            opener, close = self._next(), []
        pairs = {"[": "]", "\\{": "\\}", "(": ")", "{": "}"}
        if opener is None or opener.text not in pairs:
            raise self._error("an indicator is written 1[condition]")
        cond = self._condition(pairs[opener.text])
        self._expect(pairs[opener.text])
        for c in close:
            self._expect(c)
        return ("ind", cond)

    def _condition(self, close: str = ")"):
        conds = [self._comparison()]
        while self._peek(",") or self._peek("and") or self._peek("&&") or self._peek("\\land") or self._peek("\\wedge"):
            self._next()
            conds.append(self._comparison())
        return conds[0] if len(conds) == 1 else ("and", conds)

    def _comparison(self):
        left = self._side()
        ops = ("==", "=", "<", "<=", ">", ">=", "!=", "\\leq", "\\geq", "\\le", "\\ge", "\\neq")
        out = []
        while self._peek_tok() is not None and self._peek_tok().text in ops:
            at = self._peek_tok()
            op = {"=": "==", "\\leq": "<=", "\\le": "<=", "\\geq": ">=", "\\ge": ">=",
                  "\\neq": "!="}.get(self._next().text, self.toks[self.i - 1].text)
            right = self._side()
            if op not in ("==", "!=") and (_is_pair(left) or _is_pair(right)):
                raise NotationError(_at(self.text, at.pos, "pairs can only be compared with = or !="))
            out.append(("cmp", op, left, right))
            left = right
        if not out:
            raise self._error("an indicator needs a comparison, e.g. 1[y[ci,cj,k] == max(...)]")
        return out[0] if len(out) == 1 else ("and", out)

    # -- max and arg max over bound indices, pairs, and sets --
    def _side(self):
        """One side of a comparison: an expression, a pair ``(c_i, c_j)``, or an arg max over
        several indices (a pair too)."""
        if self._peek("(") and self._pair_ahead():
            self._next()
            items = [self._index_expr()]
            while self._peek(","):
                self._next()
                items.append(self._index_expr())
            self._expect(")")
            return ("tuple", items)
        tok = self._peek_tok()
        if tok is not None and tok.text in ("argmax", "argmin"):
            self._next()
            return self._over(tok.text, tok) if self._peek("_") else self._plain_over(tok.text)
        return self.expression()

    def _pair_ahead(self) -> bool:
        depth = 0
        for t in self.toks[self.i:self.i + 64]:
            depth += t.text in ("(", "[", "{", "\\{") or -(t.text in (")", "]", "}", "\\}"))
            if depth == 1 and t.text == ",":
                return True
            if depth <= 0:
                return False
        return False

    def _single(self, node, tok: Tok):
        if _is_pair(node):
            raise NotationError(_at(self.text, tok.pos, "an arg max over several indices is a pair: compare it "
                                                        "with one, e.g. 1[(c_i, c_j) = argmax …]"))
        return node

    def _ranges_ahead(self, inside: int = 1) -> bool:
        """``max(e, a=lo..hi)``, ``max(e for a in …)``: a max over an index, not of listed values
        (``inside`` 2: within the list of ``max([e for a in …])``)."""
        if inside == 1 and self.i + 1 < len(self.toks) and self.toks[self.i + 1].text == "[":
            inside = 2
        depth = 0
        for j, t in enumerate(self.toks[self.i:self.i + 400]):
            depth += t.text in ("(", "[", "{", "\\{") or -(t.text in (")", "]", "}", "\\}"))
            if depth == 0 and j > 0:
                return False
            if depth == inside and t.text in ("..", "...", "\\in", "for"):
                return True
        return False

    def _over(self, fn: str, tok: Tok):
        """``\\max_{a \\in \\{p_i, p_i+1\\}, b \\in \\{p_j, p_j+1\\}} y_{a,b,k}``,
        ``\\arg\\max_{(a,b) \\in W_{p_i,p_j}} y_{a,b,k}``: the largest value, or where it is."""
        self._expect("_")
        if not self._peek("{"):
            raise NotationError(_at(self.text, tok.pos, f"write {fn}_{{a \\in \\{{...\\}}}} with the indices it runs over"))
        self._next()
        try:
            binds = self._binds()
        except NotationError:
            raise NotationError(_at(self.text, tok.pos, f"{fn}_{{...}} needs the indices it runs over, e.g. "
                                                        f"{fn}_{{a \\in \\{{p_i, p_i+1\\}}, b \\in \\{{p_j, p_j+1\\}}}} "
                                                        "y_{a,b,k}, or max(a, b, c, d) with the values compared")) from None
        self._expect("}")
        self._link(3)  # \max_{…} \max_{…} …: a chain, as \sum's
        return ("over", fn, binds, self._term())

    def _plain_over(self, fn: str):
        """``argmax(y[a,b,k], a=pi..pi+1, b=pj..pj+1)``, ``max(e, (a,b) in S)``."""
        self._expect("(")
        listed = self._peek("[")  # max([y[a,b,k] for a in …])
        if listed:
            self._next()
        body = self._ahead_of_ranges(self.expression)
        if self._peek("for"):  # max(y[a,b,k] for a in (pi, pi+1) for b in (pj, pj+1))
            binds, body = self._generator(body)
            if listed:
                self._expect("]")
        else:
            self._expect(",")
            binds = self._binds()
        self._expect(")")
        return ("over", fn, binds, _rebound(body, {n for names, _d in binds for n in names}))

    def _ahead_of_ranges(self, parse):
        """Parse a body whose index names are bound after it (``sum(e, p=1..2)``): a name of
        one's own there is an index until the ranges say (:func:`_rebound`); one they do not
        bind is then an unbound index, which the checks name."""
        self.deferred += 1
        try:
            return parse()
        finally:
            self.deferred -= 1

    _BELOW = ("\\le", "<=", "<")

    def _bounds_ahead(self) -> bool:
        """``lo \\le a \\le hi`` ahead (its first relation before any ``\\in``, ``=`` or end; 30 tokens)."""
        depth = 0
        for t in self.toks[self.i:self.i + 30]:
            depth += t.text in ("(", "[", "{", "\\{") or -(t.text in (")", "]", "}", "\\}"))
            if depth < 0 or (depth == 0 and t.text in ("\\in", "in", "=", ",", "..", "...")):
                return False
            if depth == 0 and t.text in self._BELOW:
                return True
        return False

    def _bounded(self) -> list:
        """``lo \\le a, b \\le hi`` (``<`` is strict): each name over lo .. hi."""
        lo = self._index_expr()
        strict = self._next().text == "<"
        if strict:
            lo = ("bin", "+", lo, ("num", 1))
        names = [self._index_name()]
        while self._peek(",") and len(names) < 8:
            self._next()
            names.append(self._index_name())
        tok = self._next()
        if tok is None or tok.text not in self._BELOW:
            raise self._error("write a range as lo \\le a \\le hi")
        hi = self._index_expr()
        if tok.text == "<":
            hi = ("bin", "-", hi, ("num", 1))
        return [((v,), ("drange", self._bind(lo), self._bind(hi))) for v in names]

    def _binds(self) -> list:
        """``a \\in S``, ``(a, b) \\in S \\times T``, ``a = lo..hi``, joined by commas."""
        out = []
        while True:
            if self._bounds_ahead():  # 0 \le a \le 1, 1 \le a, b \le 2 (\substack lines become commas)
                out += self._bounded()
                if self._peek(","):
                    self._next()
                    continue
                return out
            if self._peek("("):
                self._next()
                names = [self._index_name()]
                while self._peek(","):
                    self._next()
                    names.append(self._index_name())
                self._expect(")")
            else:
                names = [self._index_name()]
                alike = []  # a, b \\in S: each of them over S
                while self._peek(",") and self.i + 2 < len(self.toks) and self.toks[self.i + 1].kind == "name" \
                        and self.toks[self.i + 2].text in (",", "\\in", "in") and len(alike) < 8:
                    self._next()
                    alike.append(self._index_name())
                if alike:
                    if not (self._peek("\\in") or self._peek("in")):
                        raise self._error("expected \\in after the indices")
                    self._next()
                    domain = self._domain()
                    out += [((v,), domain) for v in names + alike]
                    if self._peek(","):
                        self._next()
                        continue
                    return out
            if self._peek("\\in") or self._peek("in"):
                self._next()
                domain = self._domain()
            elif self._peek("="):
                self._next()
                lo = self._index_expr()
                if not (self._peek("..") or self._peek("...")):
                    raise self._error("write the range as a=1..3")
                self._next()
                domain = ("drange", lo, self._index_expr())
            else:
                raise self._error("expected \\in or = after the index")
            out.append((tuple(names), domain))
            if self._peek(","):
                self._next()
                continue
            return out

    def _domain(self):
        node = self._domain_power()
        while self._peek("*") or self._peek("\\cap"):  # \times: pairs; \cap: the values in both
            kind = "dprod" if self._next().text == "*" else "dcap"
            node = (kind, node, self._domain_power())
        return node

    def _domain_power(self):
        """A set, or its power ``\\{0,1\\}^2`` (the set of pairs: S × S), up to the fourth."""
        node = self._domain_atom()
        ahead = [t.text for t in self.toks[self.i:self.i + 4]]
        power = ahead[1] if ahead[:1] == ["^"] and len(ahead) > 1 and ahead[1] != "{" else (
            ahead[2] if ahead[:2] == ["^", "{"] and len(ahead) > 3 and ahead[3] == "}" else None)
        if power is None:
            return node
        if power not in ("1", "2", "3", "4"):
            raise self._error("a set's power is 2, 3 or 4: \\{0,1\\}^2 is its pairs")
        self.i += 2 if ahead[1] != "{" else 4
        out = node
        for _ in range(int(power) - 1):
            out = ("dprod", out, node)
        return out

    def _set_item(self):
        """One member of a set written out: an index expression, or a tuple ``(0, 1)`` of them."""
        if self._peek("(") and self._tuple_ahead():
            self._next()
            items = [self._index_expr()]
            while self._peek(",") and len(items) < 8:
                self._next()
                items.append(self._index_expr())
            self._expect(")")
            return ("tuple", items)
        return self._index_expr()

    def _tuple_ahead(self) -> bool:
        """``(`` opens a tuple: a comma at its own depth before its ``)`` (looked at 40 tokens)."""
        depth = 0
        for t in self.toks[self.i:self.i + 40]:
            depth += t.text in ("(", "[", "{", "\\{") or -(t.text in (")", "]", "}", "\\}"))
            if depth == 0:
                return False
            if depth == 1 and t.text == ",":
                return True
        return False

    def _domain_atom(self):
        """``\\{p_i, p_i+1\\}``, ``\\{1, ..., 3\\}``, ``{1..3}``, or a set of one's own ``W_{p_i,p_j}``."""
        ahead = [t.text for t in self.toks[self.i:self.i + 3]]
        if len(ahead) == 3 and ahead[0] == "[" and ahead[2] == "]" and ahead[1].isdigit():  # [3]: {1, …, 3}
            self.i += 3
            return ("drange", ("num", 1), ("num", int(ahead[1])))
        if self._peek("\\{") or self._peek("{"):
            close = "\\}" if self._next().text == "\\{" else "}"
            items, ellipsis = [self._set_item()], False
            while self._peek(",") or self._peek("..") or self._peek("..."):
                if self._next().text == ",":
                    if self._peek("..") or self._peek("..."):
                        self._next()
                        ellipsis = True
                        if self._peek(","):
                            self._next()
                else:
                    ellipsis = True
                items.append(self._set_item())
            self._expect(close)
            if ellipsis and any(p[0] == "tuple" for p in items):
                raise self._error("write a range of values as \\{1, \\dots, 3\\}")
            if ellipsis:
                if len(items) != 2:
                    raise self._error("write a range of values as \\{1, \\dots, 3\\}")
                return ("drange", items[0], items[1])
            return ("dset", items)
        tok = self._next()
        if tok is None or tok.kind != "name":
            raise self._error("expected a set of index values, e.g. \\{p_i, p_i+1\\}")
        name, idx = self._subscripted(tok)
        if not isinstance(name, str):
            raise NotationError(_at(self.text, tok.pos, "expected a set of index values"))
        return ("dref", name, [self._bind(p) for p in (idx or [])])

    def _plain_sum(self):
        """sum(e, k=1..3) or Sum(e, (k, 1, 3)); Python's sum(e for k in (1, 2, 3) for a in range(2))."""
        self._expect("(")
        listed = self._peek("[") and self._ranges_ahead()  # sum([e for a in range(2)])
        if listed:
            self._next()
        body = self._ahead_of_ranges(self.expression)
        if self._peek("for"):  # a generator: sum(e for a in range(2) for b in (1, 2))
            binds, body = self._generator(body)
            if listed:
                self._expect("]")
            self._expect(")")
            return ("over", "sum", binds, _rebound(body, {n for names, _d in binds for n in names}))
        if listed:
            raise self._error("a list in sum([...]) is read with its for: sum([e for a in range(2)])")
        ranges = []
        while self._peek(","):
            self._next()
            if self._peek("("):
                self._next()
                var = self._index_name()
                self._expect(",")
                lo = self.expression()
                self._expect(",")
                hi = self.expression()
                self._expect(")")
            else:
                var = self._index_name()
                self._expect("=")
                lo = self.expression()
                if not (self._peek("..") or self._peek("...")):
                    raise self._error("write the range as k=1..3")
                self._next()
                hi = self.expression()
            ranges.append((var, lo, hi))
        self._expect(")")
        if not ranges:
            raise self._error("a sum needs its range: sum(e, k=1..3)")
        body = _rebound(body, {var for var, _lo, _hi in ranges})
        for var, lo, hi in reversed(ranges):
            body = ("sum", var, lo, hi, body)
        return body

    def _latex_sum(self):
        """\\sum_{k=1}^{3} e: the summand is one product (write parentheses around a sum).
        ``\\sum_{m}``, ``\\sum_m``, ``\\sum_{p_i, p_j}``: over the whole extent of the index where
        the summand uses it (found when evaluated); ``\\sum_{k \\in \\{1, \\dots, 3\\}}`` too."""
        self._link(3)  # its summand is read by recursion: \sum \sum \sum … is a chain
        self._expect("_")
        if not self._peek("{"):  # \sum_m
            var = self._index_name()
            return ("sum", var, ("whole", var), ("whole", var), self._term())
        self._next()
        start = self.i
        try:
            var = self._index_name()
            self._expect("=")
            lo = self.expression()
            self._expect("}")
        except NotationError:
            self.i = start
            try:
                names = [self._index_name()]
                while self._peek(","):
                    self._next()
                    names.append(self._index_name())
            except NotationError:  # \sum_{(a,b) \in \{0,1\}^2}: over pairs
                self.i = start
                binds = self._binds()
                self._expect("}")
                return ("over", "sum", binds, self._term())
            ranges = [(("whole", v), ("whole", v)) for v in names]
            if self._peek("\\le") or self._peek("<=") or self._peek("<"):  # \sum_{p_i \le a \le p_i+1}
                self.i = start
                binds = self._binds()
                self._expect("}")
                return ("over", "sum", binds, self._term())
            if len(names) > 1 and self._peek("="):  # \sum_{i,j=1}^{3}: each from 1 to 3
                self._next()
                lo = self.expression()
                self._expect("}")
                self._expect("^")
                hi = self._group_or(lambda: ("num", int(self._expect_num())))
                ranges = [(lo, hi)] * len(names)
                body = self._term()
                for v in reversed(names):
                    body = ("sum", v, lo, hi, body)
                return body
            if self._peek("\\in"):
                self._next()
                domain = self._domain()
                values = [p[1] for p in domain[1]] if domain[0] == "dset" and all(p[0] == "num" for p in domain[1]) else []
                if values and values == list(range(values[0], values[0] + len(values))):  # \{1, 2\}
                    domain = ("drange", ("num", values[0]), ("num", values[-1]))
                if domain[0] != "drange" or not self._peek("}"):  # a set of values, or several binds
                    self.i = start  # a \in \{p_i, p_i+1\}, b \in …; a, b \in \{p_i, p_i+1\}, k \in …
                    binds = self._binds()
                    self._expect("}")
                    return ("over", "sum", binds, self._term())
                ranges = [(domain[1], domain[2])] * len(names)
            self._expect("}")
            body = self._term()
            for v, (lo, hi) in reversed(list(zip(names, ranges))):
                body = ("sum", v, lo, hi, body)
            return body
        self._expect("^")
        hi = self._group_or(lambda: ("num", int(self._expect_num())))
        body = self._term()
        return ("sum", var, lo, hi, body)

    def _generator(self, body) -> tuple:
        """Python's ``for a in range(2) for b in (p_j, p_j + 1)`` after a sum's or a max's body:
        binds as :meth:`_binds` gives them, the first outermost.  ``range(n)`` is 0 .. n-1,
        ``range(a, b)`` a .. b-1; a tuple, list or set lists the values (pairs too).  A step
        (``range(a, b, s)``) is refused.  ``for a, b in product(S, T)`` is over pairs, and an
        ``if`` after the ranges keeps the terms where its condition holds: (binds, the body)."""
        out = []
        while self._peek("for") and len(out) < 8:
            self._next()
            paren = self._peek("(")
            if paren:
                self._next()
            names = [self._index_name()]
            while self._peek(",") and len(names) < 8:
                self._next()
                names.append(self._index_name())
            if paren:
                self._expect(")")
            self._expect("in")
            out.append((tuple(names), self._iterable()))
        while self._peek("if"):  # sum(e for a in … if a <= c): the terms where it holds
            self._next()
            body = ("bin", "*", body, ("ind", self._condition()))
        return out, body

    def _iterable(self, depth: int = 0):
        """What a generator's index runs over, as a set: range(…), a tuple, list or set written
        out, or itertools' product(S, T, …) of them."""
        tok = self._peek_tok()
        if depth < 2 and tok is not None and tok.text == "product" and self.i + 1 < len(self.toks) and self.toks[self.i + 1].text == "(":
            self.i += 2
            node = first = self._iterable(depth + 1)
            for _ in range(3):
                if not self._peek(","):
                    break
                self._next()
                if self._peek("repeat") and self.i + 2 < len(self.toks) and self.toks[self.i + 1].text == "=":
                    self.i += 2  # product(range(2), repeat=2): the set's pairs
                    times = self._expect_num()
                    if times not in ("1", "2", "3", "4") or node is not first:
                        raise self._error("product(S, repeat=n) takes one set and n up to 4")
                    for _ in range(int(times) - 1):
                        node = ("dprod", node, first)
                    break
                node = ("dprod", node, self._iterable(depth + 1))
            self._expect(")")
            return node
        if tok is not None and tok.text == "range" and self.i + 1 < len(self.toks) and self.toks[self.i + 1].text == "(":
            self.i += 2
            bounds = [self.expression()]
            while self._peek(",") and len(bounds) < 3:
                self._next()
                bounds.append(self.expression())
            self._expect(")")
            if len(bounds) == 3:
                raise NotationError(_at(self.text, tok.pos, "range(a, b, step) is not read: write range(a, b)"))
            lo, stop = (("num", 0), bounds[0]) if len(bounds) == 1 else bounds
            hi = ("num", stop[1] - 1) if stop[0] == "num" else ("bin", "-", stop, ("num", 1))
            domain = ("drange", lo, hi)
        elif tok is not None and tok.text in ("(", "["):
            self._next()
            close = ")" if tok.text == "(" else "]"
            items = [self._set_item()]
            while self._peek(",") and len(items) < 64:
                self._next()
                if self._peek(close):  # (1,): a tuple of one
                    break
                items.append(self._set_item())
            self._expect(close)
            domain = ("dset", items)
        else:
            domain = self._domain()
        return domain

    def _expect_num(self) -> str:
        tok = self._next()
        if tok is None or tok.kind != "num":
            raise self._error("a number was expected")
        return tok.text

    def _index_name(self) -> str:
        tok = self._next()
        if tok is None or tok.kind != "name":
            raise self._error("an index name was expected")
        node = self._index_atom(tok)
        if node[0] == "idx":
            self.indices.add(node[1])
            return node[1]
        if node[0] == "idx_or_name" and node[1] not in self.symbols:  # an index of one's own: a, b, u
            self.indices.add(node[1])
            return node[1]
        raise NotationError(_at(self.text, tok.pos, f"{tok.text!r} is not an index name"))

    # -- token helpers --
    def _peek_tok(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _peek(self, text: str) -> bool:
        tok = self._peek_tok()
        return tok is not None and tok.text == text

    def _next(self):
        tok = self._peek_tok()
        if tok is not None:
            self.i += 1
        return tok

    def _expect(self, text: str) -> None:
        tok = self._next()
        if tok is None or tok.text != text:
            where = tok.pos if tok is not None else len(self.text)
            raise NotationError(_at(self.text, where, f"expected {text!r}"))

    def _error(self, message: str) -> NotationError:
        tok = self._peek_tok()
        return NotationError(_at(self.text, tok.pos if tok is not None else len(self.text), message))


# --- vectors and matrices, read element by element ------------------------------------------
# Where the homework's layer is a vector or a matrix (the fully connected layer: o, y, z, W), the
# assignment's spec names them: ``vectors`` {name: [symbol, [axis, ...]]} (one axis: a column
# vector; two: a matrix, rows then columns) and ``axes`` {axis: [[index name, extent], ...]}
# (an axis may stand for several indices: z's p is (p_i, p_j, k)).  A statement written with them
# (``o = σ(W^T z)``, ``δ = (o − y) ⊙ o ⊙ (1 − o)``, ``∂E/∂W = z δ^T``) is rewritten into the one
# element-wise form every other answer has (``o[m] = σ(Σ w[pi,pj,k,m] z[pi,pj,k])``): its meaning
# is fixed by the shapes alone, so the rest of the reader (checks, evaluation, the echo) is shared.

class _Typed:
    """A vector expression: its row and column axes (None: none) and, given the index names of
    each, the scalar tree of one element."""
    __slots__ = ("rows", "cols", "build")

    def __init__(self, rows, cols, build):
        self.rows, self.cols, self.build = rows, cols, build

    @property
    def scalar(self) -> bool:
        return self.rows is None and self.cols is None

    def shape(self) -> str:
        return "a number" if self.scalar else (f"a row vector over {self.cols}" if self.rows is None else
                                               f"a vector over {self.rows}" if self.cols is None else
                                               f"a {self.rows} × {self.cols} matrix")


def _flipped(t: "_Typed"):
    """A matrix with its axes swapped (the same elements), or None for a vector or a number."""
    if t.rows is None or t.cols is None:
        return None
    return _Typed(t.cols, t.rows, lambda ri, ci: t.build(ci, ri))


class _Later(Exception):
    """A vector of one's own used before its definition's type is known."""


def _has_vector(node) -> bool:
    if not isinstance(node, tuple):
        return False
    if node[0] in ("vec", "T", "vecref"):
        return True
    return any(_has_vector(p) for p in node[1:] if isinstance(p, tuple)) or \
        any(_has_vector(q) for p in node[1:] if isinstance(p, list) for q in p)


def elementwise(statements: list, spec: dict) -> list:
    """``statements`` with each one written in vectors or matrices rewritten element by element
    (a no-op for an assignment whose spec names no vectors).  Work: linear in the statements'
    size, with at most one pass per statement to order the definitions of one's own."""
    vectors = spec.get("vectors") or {}
    if not vectors:
        return statements
    axes = {a: [(n, int(e)) for n, e in idx] for a, idx in (spec.get("axes") or {}).items()}
    base = int(spec.get("index_base", 1))
    own: dict = {}  # a vector of one's own (δ) -> (rows, cols)
    candidates = {st.lhs[0][1] for st in statements if len(st.lhs) == 1 and st.lhs[0][0] == "sym" and not st.lhs[0][2]}
    todo = [(i, st) for i, st in enumerate(statements)
            if _has_vector(st.rhs) or any(x[0] == "vec" for x in st.lhs)
            or (len(st.lhs) == 1 and st.lhs[0][0] == "sym" and not st.lhs[0][2] and st.lhs[0][1] in candidates)]
    if not todo:
        return statements
    # symbols of one's own defined element by element (δ_m = …): the axis their indices name
    by_index = {tuple(n for n, _e in idx): axis for axis, idx in axes.items()}
    for st in statements:
        for lhs in st.lhs:
            if lhs[0] == "sym" and lhs[2] and all(p[0] == "idx" for p in lhs[2]):
                axis = by_index.get(tuple(p[1] for p in lhs[2]))
                if axis is not None:
                    own.setdefault(("element", lhs[1]), axis)
    done: dict = {}
    for _round in range(len(todo) + 1):
        waiting = []
        for i, st in todo:
            try:
                done[i] = _rewrite(st, vectors, axes, own, candidates, base)
            except _Later:
                waiting.append((i, st))
        if not waiting or len(waiting) == len(todo):
            todo = waiting
            break
        todo = waiting
    if todo:
        raise NotationError(f"{todo[0][1].source.strip()[:80]}: a vector of your own is used but never defined")
    return [done.get(i, st) for i, st in enumerate(statements)]


def _rewrite(st, vectors: dict, axes: dict, own: dict, candidates: set, base: int):
    used: set = set()

    def fresh(axis):
        names = []
        for name, _extent in axes[axis]:
            while name in used:
                name += "'"
            used.add(name)
            names.append(name)
        return names

    def typed(node) -> _Typed:
        kind = node[0]
        if kind == "vec":
            symbol, its = vectors[node[1]]
            rows, cols = (its + [None])[:2]
            return _Typed(rows, cols, lambda ri, ci: ("sym", symbol, [("idx", v) for v in (ri or []) + (ci or [])]))
        if kind == "sym" and not node[2] and node[1] in candidates:
            if node[1] not in own:
                raise _Later()
            rows, cols = own[node[1]]
            if rows is None and cols is None:
                return _Typed(None, None, lambda ri, ci: node)
            return _Typed(rows, cols, lambda ri, ci: ("sym", node[1], [("idx", v) for v in (ri or []) + (ci or [])]))
        if kind == "vecref":
            axis = own.get(("element", node[1]))
            if axis is None:
                raise NotationError(f"{st.source.strip()[:80]}: {node[1]} is used as a vector, but its elements are "
                                    "not defined over a layer's indices")
            return _Typed(axis, None, lambda ri, ci: ("sym", node[1], [("idx", v) for v in ri]))
        if kind == "T":
            a = typed(node[1])
            return _Typed(a.cols, a.rows, lambda ri, ci: a.build(ci, ri))
        if kind == "neg":
            a = typed(node[1])
            return _Typed(a.rows, a.cols, lambda ri, ci: ("neg", a.build(ri, ci)))
        if kind == "call":
            args = [typed(x) for x in node[2]]
            shaped = [a for a in args if not a.scalar]
            if any((a.rows, a.cols) != (shaped[0].rows, shaped[0].cols) for a in shaped):
                raise NotationError(f"{st.source.strip()[:80]}: {node[1]}(...) of vectors of different shapes")
            rows, cols = (shaped[0].rows, shaped[0].cols) if shaped else (None, None)
            return _Typed(rows, cols, lambda ri, ci: ("call", node[1], [a.build(ri, ci) for a in args]))
        if kind == "bin":
            return product(node[1], typed(node[2]), typed(node[3]))
        if _has_vector(node):
            raise NotationError(f"{st.source.strip()[:80]}: a vector inside a sum, an indicator or an index; "
                                "write that part element by element")
        return _Typed(None, None, lambda ri, ci: node)

    def product(op, a: _Typed, b: _Typed) -> _Typed:
        if a.scalar and b.scalar:
            return _Typed(None, None, lambda ri, ci: ("bin", op, a.build(ri, ci), b.build(ri, ci)))
        if op == "*" and a.cols is not None and a.cols == b.rows:  # a matrix product: W^T z, W δ, a^T b
            axis = a.cols

            def contracted(ri, ci):
                names = fresh(axis)
                body = ("bin", "*", a.build(ri, names), b.build(names, ci))
                for name, (_n, extent) in reversed(list(zip(names, axes[axis]))):
                    body = ("sum", name, ("num", base), ("num", base + extent - 1), body)
                return body
            return _Typed(a.rows, b.cols, contracted)
        if op == "*" and a.cols is None and b.rows is None and a.rows is not None and b.cols is not None:
            return _Typed(a.rows, b.cols, lambda ri, ci: ("bin", "*", a.build(ri, None), b.build(None, ci)))  # z δ^T
        if a.scalar or b.scalar or (a.rows, a.cols) == (b.rows, b.cols):  # element-wise (⊙, ∘, +, −, /)
            if op == "^" and not b.scalar:
                raise NotationError(f"{st.source.strip()[:80]}: a power with a vector exponent")
            shape = b if a.scalar else a
            return _Typed(shape.rows, shape.cols, lambda ri, ci: ("bin", op, a.build(ri, ci), b.build(ri, ci)))
        if op == "*":  # W z with W written out × in: the axes are named, so only one contraction fits
            fits = [(x, y) for x, y in ((_flipped(a), b), (a, _flipped(b)))
                    if x is not None and y is not None and x.cols is not None and x.cols == y.rows]
            if len(fits) == 1:
                return product(op, *fits[0])
        raise NotationError(f"{st.source.strip()[:80]}: the shapes do not fit: {a.shape()} {op} {b.shape()} "
                            "(a matrix product needs the columns of the left to be the rows of the right)")

    rhs = typed(st.rhs)
    lhs = st.lhs[0]
    if len(st.lhs) != 1:
        raise NotationError(f"{st.source.strip()[:80]}: one vector at a time on the left")
    if lhs[0] == "vec":
        symbol, its = vectors[lhs[1]]
        rows, cols = (its + [None])[:2]
    elif lhs[0] == "sym" and not lhs[2] and lhs[1] in candidates:
        symbol, rows, cols = lhs[1], rhs.rows, rhs.cols
        own[symbol] = (rows, cols)
        if rhs.scalar:
            return st
    else:
        if not rhs.scalar:
            raise NotationError(f"{st.source.strip()[:80]}: the right side is {rhs.shape()}, the left one element")
        return st
    if rows is not None and cols is not None and rhs.rows is not None and (rhs.rows, rhs.cols) == (cols, rows) \
            and rows != cols:  # ∂E/∂W = δ z^T: the same elements, the axes named the other way round
        rhs = _flipped(rhs)
    if not rhs.scalar and (rhs.rows, rhs.cols) != (rows, cols) and (rhs.cols, rhs.rows) != (rows, None):
        raise NotationError(f"{st.source.strip()[:80]}: the left side is {_Typed(rows, cols, None).shape()}, "
                            f"the right side {rhs.shape()}")
    ri = fresh(rows) if rows else None
    ci = fresh(cols) if cols else None
    if not rhs.scalar and rhs.rows is None:  # a row vector equal to a column one: the same elements
        element = rhs.build(None, ri)
    else:
        element = rhs.build(ri, ci)
    return Statement([("sym", symbol, [("idx", v) for v in (ri or []) + (ci or [])])], st.op, element,
                     st.quantifiers, st.source)


# --- checks and evaluation -------------------------------------------------------------------

def free_indices(node, bound: frozenset = frozenset()) -> set[str]:
    """Index variables used in ``node`` that nothing binds."""
    kind = node[0]
    if kind == "idx":
        return set() if node[1] in bound else {node[1]}
    if kind == "idx_or_name":
        return {node[1]}
    if kind == "sum":
        return free_indices(node[2], bound) | free_indices(node[3], bound) | free_indices(node[4], bound | {node[1]})
    if kind == "over":
        out = set()
        for names, domain in node[2]:
            out |= free_indices(domain, bound)
            bound = bound | set(names)
        return out | free_indices(node[3], bound)
    if kind == "dref":
        return set().union(*(free_indices(p, bound) for p in node[2]))
    out: set[str] = set()
    for part in node[1:]:
        if isinstance(part, tuple):
            out |= free_indices(part, bound)
        elif isinstance(part, list):
            for p in part:
                if isinstance(p, tuple):
                    out |= free_indices(p, bound)
    return out


def symbols_used(node) -> set[tuple[str, int]]:
    if not isinstance(node, tuple):
        return set()
    if node[0] == "sym":
        out = {(node[1], len(node[2]))}
        for p in node[2]:
            out |= symbols_used(p)
        return out
    out = set()
    for part in node[1:]:
        if isinstance(part, tuple):
            out |= symbols_used(part)
        elif isinstance(part, list):
            for p in part:
                out |= symbols_used(p)
    return out


MAX_ZERO_AXES = 16  # axes an answer may count from 0 (each found costs one more evaluation)


class Answer:
    """A question's answer read and checked: evaluate :meth:`value` for any element.

    ``spec``: ``target`` (symbol name), ``shape`` (of the asked quantity, 1-based extents),
    ``given`` {symbol name: {index count (str): argument name}}, ``indices``, ``scalars``.
    """

    def __init__(self, text: str, spec: dict):
        self.spec = spec
        self.base = int(spec.get("index_base", 1))  # how the homework counts indices (the assignment's index_base)
        # a student who declares indices counted from 0 (a numpy habit) gets the axes they index
        # from 0 counted so: an axis moves to base 0 only where an index below the homework's
        # base is met there, so axes counted the handout's way (channels k = 1..3) stay as they are
        self.zero_declared = bool(spec.get("zero_based")) and self.base == 1
        self.bases: dict[tuple[str, int], int] = {}
        given = {name: sorted(int(n) for n in counts) for name, counts in spec["given"].items()}
        # every symbol of the homework is recognised, so that one this question does not give
        # is named as such ("z cannot be used here") rather than unknown
        symbols = {name: sorted(set(given.get(name, [])) | set(counts)) for name, counts in spec.get("known", {}).items()}
        symbols.update({name: sorted(set(symbols.get(name, [])) | set(c)) for name, c in given.items()})
        target = spec["target"]
        symbols.setdefault(target, [])
        if len(spec["shape"]) not in symbols[target] and not spec.get("scalar"):
            symbols[target] = sorted(set(symbols[target]) | {len(spec["shape"])})
        reader = Reader(symbols, spec["indices"], spec.get("scalars", []), tuple(spec.get("asked") or [target]),
                        spec.get("vectors"), spec.get("superscript_index"), spec.get("aliases"))
        self.statements = elementwise(reader.statements(_compact_asked(text.translate(_FULLWIDTH), spec)), spec)
        self.sets = reader.sets
        self.functions = {name: (param, source, shown) for name, (param, _t, source, shown) in reader.functions.items()}
        self.local, self.skipped = reader.local, reader.skipped
        self._drop_steps(spec)
        defined = {lhs[1] for st in self.statements for lhs in st.lhs}
        if self.skipped and not all(t in defined for t in (spec.get("asked") or [target])):
            raise NotationError((reader.failed or [self.skipped[0][1]])[0])
        self._compiled: dict = {}  # id(node) -> (node, closure)
        self._check()
        self.steps = 0

    def _drop_steps(self, spec: dict) -> None:
        """A step of a derivation on a line of its own (``∂E/∂w = ∂E/∂o · ∂o/∂w``, then ``⇒ ∂E/∂w
        = …``): where several lines define the same quantity and some use quantities no line
        defines (the chain rule's factors), those are steps, not the answer; shown as not graded."""
        given = set(spec["given"])
        defines: dict = {}
        for st in self.statements:
            for lhs in st.lhs:
                defines.setdefault(lhs[1], []).append(st)

        def open_(st) -> bool:
            return any(name not in given and name not in defines for name, _n in symbols_used(st.rhs))
        steps = set()
        for name, sts in defines.items():
            if len(sts) > 1 and all(st.op == "=" for st in sts):
                closed = [st for st in sts if not open_(st)]
                if closed:
                    steps |= {id(st) for st in sts if open_(st)}
        if steps:
            self.skipped += [(st.source, STEP) for st in self.statements if id(st) in steps]
            self.statements = [st for st in self.statements if id(st) not in steps]

    # -- the checks: what the right side may use, index hygiene, coverage --
    def _check(self) -> None:
        spec, target = self.spec, self.spec["target"]
        for name, (params, domain) in self.sets.items():
            loose = free_indices(domain) - set(params)
            if loose:
                raise NotationError(f"the set {name} uses the index {', '.join(sorted(loose))}, which is not one of "
                                    "its own indices")
        for st in self.statements:
            for ref in _refs(st.rhs):
                if ref[1] not in self.sets or len(self.sets[ref[1]][0]) != len(ref[2]):
                    raise NotationError(f"{st.source.strip()[:80]}: the set {ref[1]} is used but not defined "
                                        "(write it on a line of its own: W_{p_i,p_j} = \\{p_i, p_i+1\\} \\times ...)")
        defines = {}
        for st in self.statements:
            for lhs in st.lhs:
                defines.setdefault(lhs[1], []).append(st)
        for wanted in spec.get("asked", [target]):
            if wanted not in defines:
                raise NotationError(f"no line defines {wanted}; write {wanted} = ...")
        self._check_no_shadowing(defines)
        given = {(name, int(n)) for name, counts in spec["given"].items() for n in counts}
        allowed = {(name, int(n)) for name, n in ((a, b) for a, b in spec.get("may_use", []))} or given
        for st in self.statements:
            for sym in symbols_used(st.rhs):
                if sym[0] in defines and sym[0] != target:
                    continue  # defined by another line of this answer
                if sym not in allowed:
                    shown = spec.get("names", {}).get(f"{sym[0]}/{sym[1]}", sym[0])
                    raise NotationError(f"{st.source.strip()[:80]}: {shown} cannot be used here; this "
                                        f"question's answer may use {spec.get('vocabulary', 'the given quantities')}")
            bound = {v for v, _lo, _hi in st.quantifiers}
            for lhs in st.lhs:
                if lhs[0] == "sym":
                    bound |= {p[1] for p in lhs[2] if p[0] == "idx"} | {_shifted(p)[0] for p in lhs[2] if _shifted(p)}
            loose = free_indices(st.rhs, frozenset(bound))
            for lhs in st.lhs:
                if lhs[0] == "sym":
                    for p in lhs[2]:
                        loose |= free_indices(p, frozenset(bound)) - bound
            if loose:
                names = ", ".join(sorted(loose))
                raise NotationError(f"{st.source.strip()[:80]}: the index {names} is on the right but not on "
                                    "the left, in a sum, or in a for; say which values it takes")

    def _check_no_shadowing(self, defines: dict) -> None:
        """A line defining a quantity the question gives, used by another line, makes the answer
        mean two things (the given z, or the student's): it is refused, never resolved silently
        (the given one was used, so ``z = 2δ_1`` then ``∂E/∂w = δ_m z`` was graded as right).
        A restatement no other line uses changes nothing and is left alone."""
        spec = self.spec
        asked = set(spec.get("asked") or [spec["target"]])
        for name, sts in defines.items():
            if name not in spec["given"] or name in asked:
                continue
            mine = {id(st) for st in sts}
            if any(id(st) not in mine and any(sym[0] == name for sym in symbols_used(st.rhs))
                   for st in self.statements):
                shown = next((v for k, v in spec.get("names", {}).items() if k.split("/")[0] == name), name)
                raise NotationError(f"{sts[0].source.strip()[:80]}: {shown} is given in this question, and your "
                                    f"answer both defines it and uses it; name your own quantity differently")

    # -- evaluation --
    def values(self, arrays: dict) -> dict:
        """Every element of the asked quantity: {index tuple (0-based): value} (for asked
        scalars, {(i,): value} in their order); raises on an element defined twice."""
        for _attempt in range(2 * MAX_ZERO_AXES + 1):
            self.arrays, self.memo, self.steps, self.lists = arrays, {}, 0, {}
            self._tick()
            try:
                if self.spec.get("asked"):
                    return {(i,): self._table(name, (), scalar=True)[()] for i, name in enumerate(self.spec["asked"])}
                return self._table(self.spec["target"], tuple(self.spec["shape"]))
            except _FromZero as found:  # (only where the student declared counting from 0)
                if len(self.bases) >= MAX_ZERO_AXES:
                    break
                self.bases.update({(found.name, d): 0 for d in found.axes})
                self._free_from_zero(found.name, found.axes)
        self.zero_declared = False  # (the error as it is, without counting from 0)
        self.bases.clear()
        return self.values(arrays)

    def _table(self, name: str, shape: tuple, scalar: bool = False) -> dict:
        out: dict = {}
        for st in self.statements:
            for lhs in st.lhs:
                if lhs[1] != name:
                    continue
                for env in self._bindings(st, lhs, shape):
                    key = () if scalar else tuple(self._int(p, env) - self._base(name, d) for d, p in enumerate(lhs[2]))
                    if not scalar and any(not 0 <= k < n for k, n in zip(key, shape)):
                        self._counted_from_zero(name, key)
                        if st.op == "+=" and not st.quantifiers:
                            continue
                        low = f"; indices count from {self.base} here" if any(k < 0 for k in key) else ""
                        raise NotationError(f"{st.source.strip()[:80]}: defines an element outside "
                                            f"{self._shown(name)} ({self._label(name, key)}{low})")
                    value = self._eval(st.rhs, env)
                    if st.op == "+=":
                        out[key] = out.get(key, 0.0) + value
                    elif key in out and not _close(out[key], value):
                        raise NotationError(f"{self._label(name, key)} is defined twice, with different values")
                    else:
                        out[key] = value
        return out

    def _bindings(self, st: Statement, lhs, shape: tuple):
        """Every assignment of the statement's variables: left-side indices over the quantity's
        extent, ``for`` variables over their ranges."""
        slots = []
        if lhs[0] == "sym":
            for d, (n, p) in enumerate(zip(shape, lhs[2])):
                if p[0] == "idx" and p[1] not in [v for v, _l, _h in st.quantifiers]:
                    slots.append((p[1], self._base(lhs[1], d), self._base(lhs[1], d) + n - 1))
                shifted = _shifted(p)  # w_{u+1,v+1,k}: u over the values that put u+1 in range
                if shifted and shifted[0] not in [v for v, _l, _h in st.quantifiers]:
                    b = self._base(lhs[1], d)
                    slots.append((shifted[0], b - shifted[1], b + n - 1 - shifted[1]))
        seen = set()
        variables = []
        for var, lo, hi in slots:
            if var not in seen:
                seen.add(var)
                variables.append((var, ("num", lo), ("num", hi)))
        variables += list(st.quantifiers)
        envs = [{}]
        for var, lo, hi in variables:
            nxt = []
            for env in envs:
                a, b = self._int(lo, env), self._int(hi, env)
                if b - a > 1000:
                    raise NotationError(f"{st.source.strip()[:80]}: the range of {var} is too long")
                nxt += [{**env, var: v} for v in range(a, b + 1)]
            envs = nxt
        # repeated left indices (y[k,k,k]) must agree
        if lhs[0] == "sym":
            envs = [e for e in envs if all(p[0] != "idx" or p[1] in e for p in lhs[2])]
        return envs

    def _given(self, arg: str) -> tuple:
        """An input as nested lists of floats and its shape (made once per evaluation: indexing
        lists is several times faster than indexing an array element by element)."""
        if arg not in self.lists:
            array = self.arrays[arg]
            shape = tuple(getattr(array, "shape", ()))
            values = array.tolist() if hasattr(array, "tolist") else array
            self.lists[arg] = (_floats(values), shape)
        return self.lists[arg]

    def _int(self, node, env) -> int:
        return _whole_index(self._eval(node, env))

    def _eval(self, node, env):
        """The value of ``node`` for these index values (the tree compiled to closures once)."""
        entry = self._compiled.get(id(node))
        if entry is None or entry[0] is not node:  # (kept alive with its closure: its id stays its own)
            entry = self._compiled[id(node)] = (node, self._compile(node))
        return entry[1](env)

    def _tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise NotationError("the answer takes too long to evaluate")

    def _compile(self, node):
        """A closure computing ``node`` from the index values: several times faster than walking
        the tree for each of the thousands of evaluations an answer needs."""
        kind = node[0]
        if kind == "num":
            value = node[1]
            return lambda env: value
        if kind == "idx":
            name = node[1]

            def index(env):
                try:
                    return env[name]
                except KeyError:
                    raise NotationError(f"the index {name} has no value here") from None
            return index
        if kind == "bin":
            return _binary(node[1], self._compile(node[2]), self._compile(node[3]))
        if kind == "neg":
            inner = self._compile(node[1])
            return lambda env: -inner(env)
        if kind in ("sym", "scalar"):
            return self._compile_symbol(node if kind == "sym" else ("sym", node[1], []))
        if kind == "call":
            fn, args = _FUNCS[node[1]], [self._compile(a) for a in node[2]]
            return lambda env: fn(*[a(env) for a in args])
        if kind == "sum":
            if node[2][0] == "whole":  # \sum_m: the index's whole extent where the summand uses it
                first, last = self._extent(node[1], node[4])
                node = ("sum", node[1], ("num", first), ("num", last), node[4])
            var, lo, hi, body = node[1], self._compile(node[2]), self._compile(node[3]), self._compile(node[4])

            def total(env):
                first, last = _whole_index(lo(env)), _whole_index(hi(env))
                if last - first > 1000:
                    raise NotationError("a sum over more than 1000 terms")
                inner, acc = dict(env), 0
                for v in range(first, last + 1):
                    self._tick()
                    inner[var] = v
                    acc = acc + body(inner)
                return acc
            return total
        if kind == "ind":
            cond = self._compile(node[1])
            return lambda env: 1 if cond(env) else 0
        if kind == "tuple":
            items = [self._compile(p) for p in node[1]]
            return lambda env: tuple(_whole_index(f(env)) for f in items)
        if kind == "over":
            return self._compile_over(node)
        if kind == "cmp":
            test, left, right = _COMPARE[node[1]], self._compile(node[2]), self._compile(node[3])
            return lambda env: test(left(env), right(env))
        if kind == "and":
            conds = [self._compile(c) for c in node[1]]
            return lambda env: all(c(env) for c in conds)
        if kind == "idx_or_name":
            name = node[1]

            def unknown(env):
                raise NotationError(f"{name!r} is not an index")
            return unknown
        raise NotationError(f"cannot evaluate {kind}")

    def _extent(self, var: str, body) -> tuple[int, int]:
        """The values of ``var`` in a sum written without its range: the extent of every axis of a
        given quantity (or of the asked one) that the summand indexes with ``var`` alone; they
        must agree."""
        extents, bases = set(), set()
        stack = [body]
        while stack:
            node = stack.pop()
            if not isinstance(node, tuple):
                continue
            if node[0] == "sum" and node[1] == var:
                continue  # (an inner sum over the same name binds its own)
            if node[0] == "sym":
                arg = self.spec["given"].get(node[1], {}).get(str(len(node[2])))
                shape = tuple(getattr(self.arrays.get(arg), "shape", ())) if arg else \
                    (tuple(self.spec["shape"]) if node[1] == self.spec["target"] else ())
                for d, p in enumerate(node[2]):
                    if p == ("idx", var) and d < len(shape):
                        extents.add(shape[d])
                        bases.add(self._base(node[1], d))
            for part in node[1:]:
                if isinstance(part, tuple):
                    stack.append(part)
                elif isinstance(part, list):
                    stack.extend(p for p in part if isinstance(p, tuple))
        if len(extents) != 1:
            raise NotationError(f"the sum over {var} needs its range (write \\sum_{{{var}=1}}^{{2}}): "
                                + ("it indexes axes of different lengths" if extents else
                                   "nothing in it says how far it runs"))
        base = bases.pop() if len(bases) == 1 else self.base
        return base, base + extents.pop() - 1

    def _compile_over(self, node):
        """max / min of the body over the bound indices, or (arg max / arg min) the first index
        values where it is reached (a pair for several indices)."""
        fn, body = node[1], self._compile(node[3])
        binds = [(names, self._domain(domain, 0)) for names, domain in node[2]]
        larger = fn in ("max", "argmax")

        def over(env):
            best, where = None, None
            envs = [dict(env)]
            for names, values in binds:
                grown = []
                for e in envs:
                    for value in values(e):
                        if len(value) != len(names):
                            raise NotationError(f"{len(names)} indices run over a set of {len(value)}-tuples")
                        grown.append({**e, **dict(zip(names, value))})
                        if len(grown) > 10000:
                            raise NotationError(f"a {fn} over more than 10000 values")
                envs = grown
            total = 0
            for e in envs:
                self._tick()
                v = body(e)
                if fn == "sum":
                    if isinstance(v, tuple):
                        raise NotationError("a sum of pairs: compare an arg max over several indices with a pair")
                    total = total + v
                    continue
                if best is None or (v > best if larger else v < best):
                    best, where = v, tuple(e[n] for names, _d in binds for n in names)
            if fn == "sum":
                return total
            if best is None:
                raise NotationError(f"a {fn} over no values")
            if fn in ("max", "min"):
                return best
            return where[0] if len(where) == 1 else where
        return over

    def _domain(self, node, depth: int):
        """A set of index values as a function of the indices: a list of tuples."""
        if depth > 8:
            raise NotationError("sets defined through more than 8 other sets")
        kind = node[0]
        if kind == "dset":
            items = [self._compile(p) for p in node[1]]
            return lambda env: [_as_tuple(f(env)) for f in items]
        if kind == "drange":
            lo, hi = self._compile(node[1]), self._compile(node[2])

            def values(env):
                a, b = _whole_index(lo(env)), _whole_index(hi(env))
                if b - a > 1000:
                    raise NotationError("a set of more than 1000 values")
                return [(v,) for v in range(a, b + 1)]
            return values
        if kind == "dprod":
            left, right = self._domain(node[1], depth + 1), self._domain(node[2], depth + 1)

            def pairs(env):
                a, b = left(env), right(env)
                if len(a) * len(b) > 10000:
                    raise NotationError("a set of more than 10000 values")
                return [x + y for x in a for y in b]
            return pairs
        if kind == "dcap":
            left, right = self._domain(node[1], depth + 1), self._domain(node[2], depth + 1)

            def common(env):
                b = set(right(env))
                return [v for v in left(env) if v in b]
            return common
        if kind == "dref":
            params, domain = self.sets[node[1]]
            inner, args = self._domain(domain, depth + 1), [self._compile(p) for p in node[2]]
            return lambda env: inner(dict(zip(params, (f(env) for f in args))))
        raise NotationError(f"cannot evaluate the set {kind}")

    def _compile_symbol(self, node):
        """A quantity: an input (read from the nested lists, bounds checked) or one that another
        line of the answer defines (evaluated once per element, memoized)."""
        name, idx = node[1], node[2]
        parts = [self._compile(p) for p in idx]
        arg = self.spec["given"].get(name, {}).get(str(len(idx)))
        if arg is not None:
            bases = self.bases  # (the axes counted from 0 may grow while the answer is evaluated)

            def given(env):
                self.steps += 1
                values, shape = self._given(arg)
                key = [k if type(k) is int else _whole_index(k) for k in [p(env) for p in parts]]
                if len(key) != len(shape):
                    self._outside(name, key, shape)
                for d, (k, n) in enumerate(zip(key, shape)):
                    base = bases.get((name, d), self.base) if bases else self.base
                    if not base <= k < base + n:
                        self._outside(name, key, shape)
                    values = values[k - base]
                return values
            return given

        def defined(env):
            self._tick()
            key = tuple(_whole_index(p(env)) for p in parts)
            memo_key = (name, key)
            if memo_key in self.memo:
                value = self.memo[memo_key]
                if value is _BUSY:
                    raise NotationError(f"{self._shown(name)} is defined in terms of itself")
                return value
            self.memo[memo_key] = _BUSY
            value = self._local_value(name, key)
            self.memo[memo_key] = value
            return value
        return defined

    def _outside(self, name: str, key: list, shape: tuple):
        at = tuple(k - self._base(name, d) for d, k in enumerate(key))
        self._counted_from_zero(name, at)
        low = " (indices count from {} here)".format(self.base) if any(k < 0 for k in at) else ""
        raise NotationError(f"{self._label(name, at)} does not exist{low} "
                            f"({self._shown(name)} has {' × '.join(map(str, shape))} elements)")

    def _free_from_zero(self, name: str, axes: tuple[int, ...]) -> None:
        """An index of the asked quantity's left side that also indexes an axis now counted from
        0 (``∂E/∂y_{c_i,c_j,k} = … y_{c_i,c_j,k} …``) counts from 0 there too: one name, one
        range.  One walk over the statements."""
        target = self.spec["target"]
        letters: set[str] = set()
        stack = [st.rhs for st in self.statements]
        while stack:
            node = stack.pop()
            if not isinstance(node, tuple):
                continue
            if node[0] == "sym" and node[1] == name:
                letters |= {node[2][d][1] for d in axes if d < len(node[2]) and node[2][d][0] == "idx"}
            for part in node[1:]:
                if isinstance(part, tuple):
                    stack.append(part)
                elif isinstance(part, list):
                    stack.extend(p for p in part if isinstance(p, tuple))
        for st in self.statements:
            for lhs in st.lhs:
                if lhs[0] == "sym" and lhs[1] == target:
                    for d, p in enumerate(lhs[2]):
                        if p[0] == "idx" and p[1] in letters and p[1] not in [v for v, _l, _h in st.quantifiers]:
                            self.bases[(target, d)] = 0

    def _base(self, name: str, axis: int) -> int:
        """The number the student's indices along ``axis`` of ``name`` count from."""
        return self.bases.get((name, axis), self.base)

    def _counted_from_zero(self, name: str, at: tuple) -> None:
        """Where the student declared indices counted from 0, an index one below the first of
        an axis (``at``: positions, 0 first) says that axis is counted from 0: raised as
        :class:`_FromZero` for :meth:`values` to evaluate the answer again so."""
        if not self.zero_declared:
            return
        axes = tuple(d for d, k in enumerate(at) if k == -1 and self._base(name, d) == 1)
        if axes and all(k >= -1 for k in at):
            raise _FromZero(name, axes)

    def _local_value(self, name: str, key: tuple):
        total, found = 0.0, False
        for st in self.statements:
            for lhs in st.lhs:
                if lhs[1] != name or len(lhs[2]) != len(key):
                    continue
                env = self._match(st, lhs, key)
                if env is None:
                    continue
                value = self._eval(st.rhs, env)
                if st.op == "+=":
                    total, found = total + value, True
                else:
                    return value
        if not found:
            raise NotationError(f"{self._label(name, tuple(k - self.base for k in key))} is used but no line defines it")
        return total

    def _match(self, st: Statement, lhs, key: tuple):
        """The variables that make ``lhs`` name element ``key`` (1-based), or None."""
        env: dict = {}
        for p, k in zip(lhs[2], key):
            if p[0] == "idx" and p[1] not in [v for v, _l, _h in st.quantifiers]:
                if env.setdefault(p[1], k) != k:
                    return None
            shifted = _shifted(p)
            if shifted and shifted[0] not in [v for v, _l, _h in st.quantifiers]:
                if env.setdefault(shifted[0], k - shifted[1]) != k - shifted[1]:
                    return None
        if not st.quantifiers:
            for p, k in zip(lhs[2], key):
                if p[0] != "idx" and self._int(p, env) != k:
                    return None
            return env
        # with quantifiers: try each assignment of the quantified variables
        envs = [env]
        for var, lo, hi in st.quantifiers:
            envs = [{**e, var: v} for e in envs for v in range(self._int(lo, e), self._int(hi, e) + 1)]
        for e in envs:
            if all(self._int(p, e) == k for p, k in zip(lhs[2], key)):
                return e
        return None

    def _shown(self, name: str) -> str:
        return self.spec.get("display", {}).get(name, name)

    def _label(self, name: str, key: tuple) -> str:
        return f"{self._shown(name)}_{{{','.join(str(k + self._base(name, d)) for d, k in enumerate(key))}}}"


class _FromZero(Exception):
    """An axis met at the index below its first, in an answer whose student counts from 0."""

    def __init__(self, name: str, axes: tuple[int, ...]):
        super().__init__(name, axes)
        self.name, self.axes = name, axes


_BUSY = object()


def _constant(node) -> Fraction | None:
    """The exact value of constant arithmetic (numbers, + − · /, signs), or ``None`` where
    ``node`` holds anything else or divides by zero."""
    if node[0] == "num":
        return Fraction(str(node[1]))
    if node[0] == "neg":
        a = _constant(node[1])
        return None if a is None else -a
    if node[0] != "bin" or node[1] not in ("+", "-", "*", "/"):
        return None
    a, b = _constant(node[2]), _constant(node[3])
    if a is None or b is None or (node[1] == "/" and b == 0):
        return None
    if node[1] == "+":
        return a + b
    if node[1] == "-":
        return a - b
    return a * b if node[1] == "*" else a / b


def _rebound(node, names: set, depth: int = 0):
    """``node`` with the deferred names in ``names`` (``idx_or_name``) made index variables."""
    if not isinstance(node, tuple) or depth > 4 * MAX_DEPTH:
        return node
    if node[0] == "idx_or_name":
        return ("idx", node[1]) if node[1] in names else node
    return tuple(_rebound(p, names, depth + 1) if isinstance(p, tuple) else
                 [_rebound(q, names, depth + 1) for q in p] if isinstance(p, list) else p for p in node)


def _ordered(quantifiers: list) -> list:
    """Quantifiers in an order where each one's range uses only those before it (``p_i \\le c_i
    \\le p_i + 1, p_i = 1, 2``: p_i first); the written order where there is none."""
    if len(quantifiers) > 32:  # (bounded work: no one writes more)
        return quantifiers
    names = {v for v, _l, _h in quantifiers}
    out, left = [], list(quantifiers)
    while left:
        ready = [q for q in left if not ((free_indices(q[1]) | free_indices(q[2])) & (names - {v for v, _l, _h in out}) - {q[0]})]
        pick = ready[0] if ready else left[0]
        out.append(pick)
        left.remove(pick)
    return out


def _shifted(p) -> tuple[str, int] | None:
    """A left-side index written as an index plus or minus a whole number (``u+1``, ``1+u``,
    ``u-1``): the index and the number added; ``None`` for anything else."""
    if p[0] != "bin" or p[1] not in ("+", "-"):
        return None
    a, b = p[2], p[3]
    if a[0] == "idx" and b[0] == "num" and float(b[1]).is_integer():
        return a[1], int(b[1]) if p[1] == "+" else -int(b[1])
    if p[1] == "+" and b[0] == "idx" and a[0] == "num" and float(a[1]).is_integer():
        return b[1], int(a[1])
    return None


def _is_pair(node) -> bool:
    """A pair ``(c_i, c_j)``, or an arg max over several indices (whose value is a pair)."""
    return node[0] == "tuple" or (node[0] == "over" and node[1] in ("argmax", "argmin")
                                  and sum(len(names) for names, _d in node[2]) > 1)


def _refs(node) -> list:
    """The sets of one's own a tree uses (``dref`` nodes)."""
    if not isinstance(node, tuple):
        return []
    if node[0] == "dref":
        return [node]
    out = []
    for part in node[1:]:
        if isinstance(part, tuple):
            out += _refs(part)
        elif isinstance(part, list):
            for p in part:
                out += _refs(p)
    return out


def _as_tuple(v) -> tuple:
    """A set's member as a tuple of whole numbers: (2,) for 2, (0, 1) for a pair."""
    return v if isinstance(v, tuple) else (_whole_index(v),)


def _whole_index(v) -> int:
    if isinstance(v, float):
        if not v.is_integer():
            raise NotationError(f"an index evaluates to {v}, not a whole number")
        return int(v)
    return v


def _binary(op: str, left, right):
    if op == "+":
        return lambda env: left(env) + right(env)
    if op == "-":
        return lambda env: left(env) - right(env)
    if op == "*":
        return lambda env: left(env) * right(env)
    if op == "/":
        def divide(env):
            b = right(env)
            if b == 0:
                raise NotationError("division by zero")
            return left(env) / b
        return divide

    def power(env):
        a, b = left(env), right(env)
        if abs(b) > 64:
            raise NotationError("an exponent larger than 64")
        try:
            return float(a) ** b
        except (OverflowError, ZeroDivisionError, ValueError):
            raise NotationError("a power that cannot be computed") from None
    return power


_COMPARE = {"==": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "!=": lambda a, b: a != b}


def _floats(values):
    """Nested lists with every number a float (an int64 input reads as a float, as before)."""
    if isinstance(values, list):
        return [_floats(v) for v in values]
    return float(values)


def _close(a, b) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _sigma(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _exp(a: float) -> float:
    if a > 700:
        raise NotationError("exp of a number larger than 700")
    return math.exp(a)


def _log(a: float) -> float:
    if a <= 0:
        raise NotationError("log of a number that is not positive")
    return math.log(a)


_FUNCS = {"sigma": _sigma, "sigma'": lambda a: _sigma(a) * (1.0 - _sigma(a)), "exp": _exp, "tanh": math.tanh, "log": _log,
          "max": lambda *a: max(a), "min": lambda *a: min(a), "floor": lambda a: float(math.floor(a))}


def canonical(node) -> str:
    """A plain rendering of a tree: how the answer was read, echoed back to the student."""
    kind = node[0]
    if kind == "num":
        return str(node[1])
    if kind in ("idx", "idx_or_name", "scalar"):
        return node[1]
    if kind == "sym":
        return node[1] + (f"[{','.join(canonical(p) for p in node[2])}]" if node[2] else "")
    if kind == "neg":
        return f"-{canonical(node[1])}"
    if kind == "bin":
        return f"({canonical(node[2])} {node[1]} {canonical(node[3])})"
    if kind == "call":
        return f"{node[1]}({', '.join(canonical(a) for a in node[2])})"
    if kind == "sum":
        return f"sum({canonical(node[4])}, {node[1]}={canonical(node[2])}..{canonical(node[3])})"
    if kind == "ind":
        return f"1[{canonical(node[1])}]"
    if kind == "cmp":
        return f"{canonical(node[2])} {node[1]} {canonical(node[3])}"
    if kind == "and":
        return " and ".join(canonical(c) for c in node[1])
    if kind in ("over", "tuple") or kind.startswith("d"):
        return pretty(node)
    return "?"


_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}  # a negation binds as 3
_SHOWN_OP = {"+": " + ", "-": " − ", "*": "·", "/": "/", "^": "^"}
_SHOWN_FN = {"sigma": "σ"}


def pretty(node, display: dict | None = None, outer: int = 0, parent: str = "") -> str:
    """How the answer was read, for a person: the homework's symbols (∂E/∂w), ·, − and σ, and
    only the parentheses the reading needs (``outer``: the precedence around ``node``;
    ``parent``: the operator whose right operand it is, where - and / need them at one level)."""
    display = display or {}
    kind = node[0]
    if kind == "num":
        v = node[1]
        return str(int(v)) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15 else str(v)
    if kind in ("idx", "idx_or_name", "scalar"):
        return node[1]
    if kind == "sym":
        name = display.get(node[1], node[1])
        return name + (f"[{','.join(pretty(p, display) for p in node[2])}]" if node[2] else "")
    if kind == "neg":
        text = "−" + pretty(node[1], display, 2)
        return f"({text})" if outer >= 3 or parent else text  # (−a·b: no parentheses needed on the left)
    if kind == "bin":
        op, level = node[1], _PREC.get(node[1], 2)
        if op == "^":
            text = pretty(node[2], display, 5) + "^" + pretty(node[3], display, 5)
        else:
            text = pretty(node[2], display, level) + _SHOWN_OP.get(op, op) + pretty(node[3], display, level, op)
        return f"({text})" if level < outer or (level == outer and parent in ("-", "/")) else text
    if kind == "call":
        return f"{_SHOWN_FN.get(node[1], node[1])}({', '.join(pretty(a, display) for a in node[2])})"
    if kind == "sum" and node[2][0] == "whole":
        text = f"Σ_{{{node[1]}}} " + pretty(node[4], display, 0 if node[4][0] == "sum" else 2)
        return f"({text})" if outer >= 1 else text
    if kind == "sum":
        text = (f"Σ_{{{node[1]}={pretty(node[2], display)}..{pretty(node[3], display)}}} "
                + pretty(node[4], display, 0 if node[4][0] == "sum" else 2))
        return f"({text})" if outer >= 1 else text
    if kind == "ind":
        return f"1[{pretty(node[1], display)}]"
    if kind == "cmp":
        return f"{pretty(node[2], display)} {node[1]} {pretty(node[3], display)}"
    if kind == "and":
        return " and ".join(pretty(c, display) for c in node[1])
    if kind == "tuple":
        return "(" + ", ".join(pretty(p, display) for p in node[1]) + ")"
    if kind == "over":
        binds = ", ".join(("(" + ", ".join(names) + ")" if len(names) > 1 else names[0]) + " ∈ " + pretty(d, display)
                          for names, d in node[2])
        return f"{node[1]}_{{{binds}}} " + pretty(node[3], display, 2)
    if kind == "dset":
        return "{" + ", ".join(pretty(p, display) for p in node[1]) + "}"
    if kind == "drange":
        return "{" + pretty(node[1], display) + ".." + pretty(node[2], display) + "}"
    if kind == "dprod":
        return pretty(node[1], display) + " × " + pretty(node[2], display)
    if kind == "dcap":
        return pretty(node[1], display) + " ∩ " + pretty(node[2], display)
    if kind == "dref":
        return node[1] + (f"[{','.join(pretty(p, display) for p in node[2])}]" if node[2] else "")
    return "?"


def reading(answer: Answer) -> str:
    """Each statement as it was read, one a line (in the homework's symbols, with minimal
    parentheses: see :func:`pretty`)."""
    lines = []
    display = answer.spec.get("display") or {}
    for line, why in getattr(answer, "skipped", ()):
        lines.append(f"(not graded, {'a step' if why == STEP else 'not a definition'}: {line.strip()[:60]})")
    for name, (param, source, shown) in getattr(answer, "functions", {}).items():  # applied where used
        lines.append(f"{name}({param}) = {pretty(shown, display) if shown is not None else source.strip()[:60]}")
    for name, (params, domain) in getattr(answer, "sets", {}).items():
        lines.append(f"{name}[{','.join(params)}] = {pretty(domain, display)}")
    for st in answer.statements:
        q = (" for " + ", ".join(f"{v}={pretty(lo, display)}..{pretty(hi, display)}" for v, lo, hi in st.quantifiers)
             if st.quantifiers else "")
        lines.append(", ".join(pretty(x, display) for x in st.lhs) + f" {st.op} " + pretty(st.rhs, display) + q)
    return "\n".join(lines)


# --- answers files: sections, math, and the sandbox's entry point ----------------------------

# A question's heading: a Markdown heading, a LaTeX section or a bold line naming it (``## 1.2``,
# ``### Q1.2 gradient``, ``\section*{1.2}``, ``**Question 1.2**``), or a line holding the id alone
# (``1.2``, ``Q1.2:``, ``Question 1.2)``) as plain-text files have it.  Matched one line at a time,
# on the line's first HEAD_WIDTH characters with its blanks collapsed: linear in the file.
# a sub-question lettered (``Problem 1(a)``, ``Part 2 (c)``): mapped to its number by :func:`sections`
# only where the assignment's ids make the letter's place unambiguous
_LETTERED = r"\d+ ?,? ?(?:part ?)?\( ?[a-z] ?\)|\d+ ?,? ?part ?[a-e](?![a-z0-9])"
# a part's number, then its question's: "Part 1, Question 2", "Part 1 / Q2", "Part 2 - Question 3",
# "Part 1: Q2", "P1 Q2" (a bare "P" only with its number and a "Q" after it: never "P 1 2")
_PART_SEP = r" ?[,.:/\-–—]? ?"
_ID = r"\d+\.\d+|(?:Part ?\d+|P\d+)" + _PART_SEP + r"Q(?:uestion)? ?\d+|" + _LETTERED
_QID = r"(?:Q(?:uestion)?\.? ?|Part ?\d+" + _PART_SEP + r"Q?)?(" + _ID + ")"
_HEADING = re.compile(r"(?:#{1,6} ?|\\(?:sub)*section\*?\{ ?|\\paragraph\*?\{ ?|\\textbf\{ ?|\*\* ?)"
                      r"(?:[A-Za-z]{1,12} ){0,3}\(?" + _QID + r"(?:\b|(?<=\)))", re.IGNORECASE)  # "## Problem 1.4", "### Answer to 1.4"
# a line holding the id alone, or after a word that names it (Problem 1.2, Exercise 1(a)), or an
# item number then that word (1. Q 1.1)
_ALONE = re.compile(r"(?:-{2,} ?|={2,} ?)?(?:\d{1,2}[.)] ?(?=[QP]))?(?:(?:Problem|Exercise|Task|Answer) ?)?" + _QID
                    + r" ?[.:)\-–—]?(?: ?-{2,}| ?={2,})?", re.IGNORECASE)  # (also "-- 1.1 --", "== 1.2 ==")
# an id that starts a line and the answer after it on the same line: "1.2  y[…] = …" (two spaces or a
# tab), "**1.1** c_w = 3", "1.3) z = …"; only for the assignment's own ids (a number at the start of a
# line of math is no heading)
_INLINE = re.compile(r"[ \t]*(?:\*\*|--|==)?[ \t]?(?:Q(?:uestion)?\.? ?)?(\d{1,2}\.\d{1,2})"
                     r"(?:\*\*[ \t]*|[.:)][ \t]+|[ \t]*(?:--|==)[ \t]+|[ \t]{2,}|\t)(?=\S)", re.IGNORECASE)
HEAD_WIDTH = 200
# a part's own heading, its sub-questions below it: "# Problem 2", "\\section*{Part 1: forward pass}",
# "Part 2" alone on a line; then "## (a)", "### b)", "## Question 1", "**Q3**" (or "(a)" alone) is 2(a), 2.1
_MARKUP = r"(?:#{1,6} ?|\\(?:sub)*section\*?\{ ?|\\paragraph\*?\{ ?|\\textbf\{ ?|\*\* ?)"
_PART = re.compile(_MARKUP + r"(?:Part|Problem|Exercise|Section|Question|Task) ?(\d{1,2})(?![\d.(]| ?[,(])(?! ?(?:Q|Question|part)\b)",
                   re.IGNORECASE)
_PART_ALONE = re.compile(r"(?:Part|Problem|Exercise) ?(\d{1,2}) ?[.:]?", re.IGNORECASE)
_SUB_ID = r"(?:(?:Part|Question|Problem|Exercise) ?\(?([a-e])\)?(?![a-z])|\( ?([a-e]) ?\)|([a-e])[.)]|(?:Question|Q)\.? ?(\d{1,2})\b)"
_SUB = re.compile(_MARKUP + _SUB_ID, re.IGNORECASE)
# a letter right after the part's number, named as a question: "## Problem 1a", "Q2.b" (never "## 2D case")
_LETTER_AFTER = re.compile(r"(?:" + _MARKUP + r")?(?:Problem|Exercise|Question|Q|Part) ?(\d{1,2})\.?([a-e])(?![a-z0-9])",
                           re.IGNORECASE)
_SUB_ALONE = re.compile(_SUB_ID + r" ?[.:]?", re.IGNORECASE)
# Math: the openers, and each one's closer (found with str.find: linear, see _math_blocks)
_OPENER = re.compile(r"\$\$|\\\[|\\\(|```[a-z]*\n|\\begin\{(?:equation|align|alignat|flalign|gather|multline|eqnarray|displaymath)\*?\}|\$")


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
_ROMAN_PART = re.compile(r"\b(Part|Problem|Exercise|Section) (I|II|III|IV|V|VI)\b(?! ?[a-z])")
PART_MARK = "part"  # what _headings gives for a part's own heading: it ends a section and names none


def _level(head: str) -> int:
    """How deep a heading line is: # 1 … ###### 6, \\section 1, \\subsection 2, bold 8, a plain line 9."""
    hashes = len(head) - len(head.lstrip("#"))
    if hashes:
        return hashes
    latex = re.match(r"\\((?:sub)*)section", head)
    if latex:
        return 1 + len(latex.group(1)) // 3
    return 7 if head.startswith("\\paragraph") else 8 if head.startswith(("**", "\\textbf")) else 9


def _headings(text: str, ids=()):
    """(start of the line, end of the line, question id) of each heading line; a part's own
    heading (``# Problem 2``) is a :data:`PART_MARK`, and lettered or numbered sub-headings under
    it (``## (a)``, ``## Question 1``) are that part's.  An id of ``ids`` that starts a line
    with the answer after it (``1.2  y[…] = …``) ends where the answer starts."""
    pos, part, part_level = 0, None, 0
    while pos <= len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        inline = _INLINE.match(line, 0, HEAD_WIDTH) if ids else None
        if inline is not None and inline.group(1) in ids and "=" in line[inline.end():]:
            yield pos, pos + inline.end(), inline.group(1)
            pos = end + 1
            continue
        head = re.sub(r"[ \t]+", " ", line[:HEAD_WIDTH]).strip()
        head = _ROMAN_PART.sub(lambda r: f"{r.group(1)} {_ROMAN[r.group(2).upper()]}", head)  # Part II: Part 2
        m = _HEADING.match(head)
        qid = m.group(1) if m else None
        if qid is None and len(line) <= HEAD_WIDTH:
            alone = _ALONE.fullmatch(head)
            qid = alone.group(1) if alone else None
        if qid is None:
            bare = _LETTER_AFTER.match(head)
            if bare is not None and (bare.group(0).startswith(("#", "\\", "*")) or len(line) <= HEAD_WIDTH
                                     and re.fullmatch(r" ?[.:)\-–—]?", head[bare.end():])):
                m, qid = bare, f"{bare.group(1)}({bare.group(2).lower()})"
        if qid is None:
            level = _level(head)
            sub = None
            if part is not None:  # under a part: its sub-questions first (a numbered one only at a deeper level)
                sub = _SUB.match(head) or (_SUB_ALONE.fullmatch(head) if len(line) <= HEAD_WIDTH else None)
                if sub is not None and sub.group(4) and level <= part_level:
                    sub = None
            whole = None if sub is not None else (
                _PART.match(head) or (_PART_ALONE.fullmatch(head) if len(line) <= HEAD_WIDTH else None))
            if whole is not None:  # a part's heading: it ends the answer before it and names what follows
                part, part_level = whole.group(1), min(level, 8)  # (a plain "Problem 2" line: plain "(a)" lines under it)
                m, qid = whole, PART_MARK
            elif sub is not None:
                m = sub
                letter = sub.group(1) or sub.group(2) or sub.group(3)
                qid = f"{part}({letter.lower()})" if letter else f"{part}.{int(sub.group(4))}"
        if qid is not None:
            close = line.find("}") if m is not None and head.startswith("\\") else -1
            yield pos, (pos + close + 1 if close >= 0 else end), qid  # \section*{1.2} $$…$$: the rest is the answer
        pos = end + 1


def _math_blocks(body: str):
    """(text, is a display block, start, end) of each piece of math, in order (start and end: the
    piece's span in ``body``, delimiters included): $$…$$, \\[…\\], \\(…\\),
    fenced code, equation/align environments, $…$.  Each closer is looked for with str.find, and a
    closer that is missing once is not looked for again: linear in the text (a regex with lazy
    groups was quadratic on an unclosed \\[ repeated)."""
    missing: set = set()
    pos = 0
    while True:
        m = _OPENER.search(body, pos)
        if m is None:
            return
        opener = m.group()
        if opener.startswith("```"):
            close, block = "```", True
        elif opener.startswith("\\begin"):
            close, block = "\\end" + opener[len("\\begin"):], True
        else:
            close, block = {"$$": "$$", "\\[": "\\]", "\\(": "\\)", "$": "$"}[opener], opener != "$" and opener != "\\("
        end = -1 if close in missing else body.find(close, m.end() + (1 if close == "$" else 0))
        if end < 0:
            missing.add(close)
            if opener == "$$" and "$" not in missing:  # "$$" unclosed: maybe an inline "$…$" from here
                end = body.find("$", m.start() + 2)
                if end >= 0:
                    yield body[m.start() + 1:end], False, m.start() + 1, end + 1
                    pos = end + 1
                    continue
                missing.add("$")
            pos = m.end()
            continue
        start = m.end()
        if opener.startswith("\\begin{alignat"):  # its column count: \begin{alignat*}{2}
            count = re.match(r"[ \t]*\{\d{1,2}\}", body[start:start + 8])
            start += count.end() if count else 0
        yield body[start:end], block, m.start(), end + len(close)
        pos = end + len(close)


# --- the student's own LaTeX macros: \newcommand{\pd}[2]{\frac{\partial #1}{\partial #2}} -----------
# Expanded once, before headings and math are read, within fixed bounds: a body of at most
# MACRO_BODY characters, at most MAX_MACROS macros, expansions MACRO_DEPTH deep (a macro that uses
# one defined before it is expanded once more; one that uses itself stops there), and at most
# MACRO_GROWTH characters added to the file in all; beyond a bound the file is refused in one line.
MAX_MACROS = 50
MACRO_BODY = 500
MACRO_DEPTH = 3
MACRO_GROWTH = 200_000
_DEFINES = re.compile(r"\\(?:(?:new|renew|provide)command|DeclareMathOperator|def)(?![A-Za-z])")
_CONTROL = re.compile(r"\\([A-Za-z]+)(\*?)|\\.", re.S)
_MACRO_NAME = re.compile(r"\s*(?:\{\s*\\([A-Za-z]+)\s*\}|\\([A-Za-z]+))")
_MACRO_ARGS = re.compile(r"\s*(?:\[\s*(\d)\s*\])?\s*(?:\[([^\[\]{}\n]{0,100})\])?\s*")
_DEF_PARAMS = re.compile(r"\s*\\([A-Za-z]+)((?:#\d){0,9})\s*")
_ARG_SPACE = re.compile(r"[ \t]*\n?[ \t]*")
_OPTIONAL = re.compile(r"\[([^\[\]{}\n]{0,100})\]")
_PARAM = re.compile(r"##|#(\d)")
# what \providecommand leaves alone: a command LaTeX (and the grader) already has
_LATEX_HAS = frozenset(_GREEK) | frozenset(k[1:] for k in _AS_OP) | frozenset(k[1:] for k in _DROP) | frozenset((
    "frac dfrac tfrac sum prod sqrt exp log ln max min partial text mathrm operatorname mathbf boldsymbol sigma pi "
    "le leq ge geq ne neq in forall hat bar tilde cdots ldots dots infty mathbb mathcal quad qquad label").split())


def _braces(text: str) -> dict[int, int]:
    """Each ``{``'s matching ``}`` (escaped braces left out), found in one pass with a stack."""
    match, stack = {}, []
    for m in re.finditer(r"\\.|[{}]", text, re.S):
        ch = m.group()
        if ch == "{":
            stack.append(m.start())
        elif ch == "}" and stack:
            match[stack.pop()] = m.start()
    return match


def _argument(text: str, pos: int, match: dict[int, int]):
    """(argument, position after it) of a macro's argument at ``pos``: a ``{…}`` group or a single token."""
    pos = _ARG_SPACE.match(text, pos).end()
    if pos >= len(text) or text[pos] == "}":
        return None
    if text[pos] == "{":
        return (text[pos + 1:match[pos]], match[pos] + 1) if pos in match else None
    token = _CONTROL.match(text, pos) if text[pos] == "\\" else None
    end = token.end() if token else pos + 1
    return text[pos:end], end


def expand_macros(text: str, name: str) -> str:
    """``text`` with the macros it defines (``\\newcommand``, ``\\renewcommand``, ``\\providecommand``,
    ``\\DeclareMathOperator``, ``\\def\\pd#1#2{…}``) expanded where they are used, after their
    definition, and the definitions taken out: a student's ``\\pd{E}{z}`` is read as the
    ``\\frac{\\partial E}{\\partial z}`` it stands for.  Bounded (see :data:`MACRO_GROWTH`): linear
    in the text, or a one-line :class:`NotationError` naming the file."""
    if _DEFINES.search(text) is None:
        return text
    macros: dict[str, tuple[int, str | None, str]] = {}
    budget = [MACRO_GROWTH]

    def refuse(why: str) -> NotationError:
        return NotationError(f"{name}: {why}: write the formulas out in full instead")

    def expand(s: str, depth: int, top: bool) -> str:
        match, out, kept, pos = _braces(s), [], 0, 0
        while True:
            m = _CONTROL.search(s, pos)
            if m is None:
                break
            pos, word = m.end(), m.group(1)
            if word is None:
                continue
            if top and word in ("newcommand", "renewcommand", "providecommand", "DeclareMathOperator", "def"):
                if word == "def":
                    d = _DEF_PARAMS.match(s, pos)
                    if d is None or [int(p) for p in d.group(2)[1::2]] != list(range(1, len(d.group(2)) // 2 + 1)):
                        continue  # (a \def with delimited parameters is not a macro this reads)
                    macro, count, default, at = d.group(1), len(d.group(2)) // 2, None, d.end()
                else:
                    n = _MACRO_NAME.match(s, pos)
                    if n is None:
                        continue
                    macro = n.group(1) or n.group(2)
                    a = _MACRO_ARGS.match(s, n.end()) if word != "DeclareMathOperator" else None
                    count, default = (int(a.group(1) or 0), a.group(2)) if a else (0, None)
                    at = a.end() if a else _ARG_SPACE.match(s, n.end()).end()
                if at >= len(s) or s[at] != "{" or at not in match:
                    raise refuse(f"the definition of \\{macro} has no body in balanced braces")
                body = s[at + 1:match[at]]
                if len(body) > MACRO_BODY:
                    raise refuse(f"the macro \\{macro} is longer than {MACRO_BODY} characters")
                if word == "DeclareMathOperator":
                    body = "\\operatorname{" + body + "}"
                if default is not None and count == 0:
                    raise refuse(f"the macro \\{macro} has a default argument but no arguments")
                if not (word == "providecommand" and (macro in macros or macro in _LATEX_HAS)):
                    if macro not in macros and len(macros) >= MAX_MACROS:
                        raise refuse(f"it defines more than {MAX_MACROS} macros")
                    macros[macro] = (count, default, body)
                out.append(s[kept:m.start()])
                kept = pos = match[at] + 1
                continue
            if word not in macros or depth >= MACRO_DEPTH:
                continue
            count, default, body = macros[word]
            args, at = [], pos
            if default is not None:
                opt = _OPTIONAL.match(s, _ARG_SPACE.match(s, at).end())
                args.append(opt.group(1) if opt else default)
                at = opt.end() if opt else at
            while len(args) < count:
                got = _argument(s, at, match)
                if got is None:
                    break
                args.append(got[0])
                at = got[1]
            if len(args) < count:
                continue  # (used without its arguments: left as written, and read as an unknown command)
            size = 2 + len(body) + sum(body.count(f"#{i + 1}") * len(arg) for i, arg in enumerate(args))
            budget[0] -= max(0, size - (at - m.start()))
            if budget[0] < 0:
                raise refuse(f"its macros expand to more than {MACRO_GROWTH} characters")
            replaced = _PARAM.sub(lambda p: "#" if p.group(1) is None else
                                  (args[int(p.group(1)) - 1] if 0 < int(p.group(1)) <= count else p.group()), body)
            got = expand(replaced, depth + 1, False)
            out.append(s[kept:m.start()])  # (a blank where letters would run together: \alpha\x, \f{a}b)
            out.append((" " if m.start() and s[m.start() - 1].isalpha() and got[:1].isalpha() else "") + got
                       + (" " if at < len(s) and s[at].isalpha() and got[-1:].isalpha() else ""))
            kept = pos = at
        out.append(s[kept:])
        return "".join(out)

    return expand(text, 0, True)


def read_answers_file(data: bytes, name: str) -> str:
    """The text of an answers file: Markdown, LaTeX or plain text as is; a notebook's Markdown
    (and raw) cells, in order; what a reader sees (comments left out), with the student's own
    macros expanded (in LaTeX, Markdown and notebooks)."""
    if len(data) > 1_000_000:
        raise NotationError(f"{name} is larger than 1 MB")
    text = data.decode("utf-8", errors="replace")
    if name.lower().endswith(".ipynb"):
        import json
        try:
            nb = json.loads(text)
            cells = [c for c in nb.get("cells", []) if isinstance(c, dict) and c.get("cell_type") in ("markdown", "raw")]
            text = "\n\n".join("".join(c["source"]) if isinstance(c.get("source"), list) else str(c.get("source", ""))
                               for c in cells)
        except RecursionError:  # (nesting deeper than the parser's stack: 1 MB of '[' is enough)
            raise NotationError(f"{name} is not a readable notebook (its JSON is nested too deeply)") from None
        except (ValueError, AttributeError, TypeError) as exc:
            raise NotationError(f"{name} is not a readable notebook ({exc})") from None
    text = visible(text, name).translate(_FULLWIDTH)  # (an input method's fullwidth ， ＝ （ ）: ASCII)
    return expand_macros(text, name) if name.lower().endswith((".tex", ".md", ".markdown", ".ipynb")) else text


# what a rendered page hides: HTML comments in Markdown (and a notebook's Markdown cells); in
# LaTeX, % comments, \iffalse … \fi and the comment environment
_MD_MARK = re.compile(r"(<!--|<!|<\?)|^( {0,3}(?:`{3,}|~{3,}))|(`+)|(<(?:" + r"|".join(
    ("template", "script", "style", "textarea", "noscript", "iframe", "object", "select", "title", "head", "xmp",
     "datalist", "noframes", "noembed", "canvas", "video", "audio", "picture", "applet",
     "dialog(?![^<>]{0,500}\\bopen\\b)"))
    + r")\b|<[A-Za-z][A-Za-z0-9-]{0,20}\s[^<>]{0,500}?(?:\bhidden\b|\bstyle\s*=|\bclass\s*=\s*[\"']?[^<>\"']{0,200}?"
    r"\b(?:hidden|invisible|d-none|sr-only|visually-hidden|collapse)\b))", re.M | re.I)
# (an HTML element the page never shows as prose -- a template, a script, a text box, an element
# hidden by an attribute, a hiding class, or any inline style: display:none, a white font -- hides
# what it holds; a student has no reason to style an answer, so none of it is graded.  A box of a
# class that shows, <div class="alert">, is read)
# a tag, its attributes' quoted values read whole (title="</div>" ends nothing); a comment; a
# bogus comment (<![CDATA[, <!x, <?x: to the first ">", as a browser reads them in HTML)
_HTML_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<[!?][^>]*(?:>|\Z)"
                         r"|<(/?)([A-Za-z][A-Za-z0-9-]{0,40})((?:[^<>\"']|\"[^\"]{0,2000}\"|'[^']{0,2000}'){0,4000})(>|\Z)",
                         re.S)  # (each quoted value and the tag bounded: a scan per "<" stays short)
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_RAW_TEXT = frozenset("script style textarea title xmp noembed noframes iframe noscript".split())
_MD_CLOSER = {n: re.compile(r"(?<!`)`{%d}(?!`)" % n) for n in range(1, 9)}  # a code span's closer
_TEX_MARK = re.compile(r"\\begin\s*\{comment\}|\\(?:[A-Za-z]+|.)|%", re.S)


def visible(text: str, name: str) -> str:
    """The text a reader of the rendered file sees: an answer hidden from the page (in an HTML
    comment, ``\\iffalse``, a ``%`` comment) is not graded.  One pass, linear in the text."""
    suffix = name.lower().rsplit(".", 1)[-1]
    if suffix == "tex":
        return _tex_visible(text)
    if suffix in ("md", "markdown", "ipynb"):
        return _markdown_visible(text)
    return text


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _markdown_visible(text: str) -> str:
    """Markdown without its HTML comments (an unclosed one runs to the end, as an HTML block
    does).  Code is left as it is, comment markers in it included: a fenced block (its closer
    looked for once; unclosed, it runs to the end) and an inline code span (closed on its own
    line by a run of as many backticks, looked for once per line and length: linear)."""
    out, pos, kept, missing = [], 0, 0, {}
    while True:
        m = _MD_MARK.search(text, pos)
        if m is None:
            break
        comment, fence, run, element = m.groups()
        if fence and fence.lstrip()[0] == "`" and "`" in text[m.end():_line_end(text, m.end())]:
            fence, run = None, fence.lstrip()  # (a backtick fence's info string has no backtick: a code span)
        if element:
            out.append(text[kept:m.start()])
            kept = pos = _element_end(text, m.start())
            continue
        if comment and comment != "<!--":  # a bogus comment (<![CDATA[, <!DOCTYPE, <?x): to its first ">"
            end = text.find(">", m.end())
            out.append(text[kept:m.start()])
            kept = pos = len(text) if end < 0 else end + 1
            continue
        if comment:
            end = text.find("-->", m.start() + 2)  # (from +2: "<!-->" is a comment too)
            out.append(text[kept:m.start()])
            kept = pos = len(text) if end < 0 else end + 3
        elif fence:
            fence = fence.lstrip()
            closer = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{%d,}[ \t]*$" % len(fence), re.M)
            found = closer.search(text, _line_end(text, m.end()) + 1)
            if found is None:  # an unclosed fence runs to the end: code
                break
            pos = found.end()
        else:
            end, found = _line_end(text, m.end()), None
            if len(run) <= 8 and missing.get(len(run)) != end:
                found = _MD_CLOSER[len(run)].search(text, m.end(), end)
                if found is None:
                    missing[len(run)] = end
            pos = found.end() if found is not None else m.end()  # (no closer: literal backticks)
    out.append(text[kept:])
    return "".join(out)


def _element_end(text: str, start: int) -> int:
    """Where the HTML element whose start tag is at ``start`` ends, as a browser reads it: after
    its matching end tag, elements of its name counted in between (``<div/>`` opens a div: only
    void elements close themselves), quoted attribute values, comments and bogus comments
    (``<![CDATA[…>``) read whole, and a raw-text element's content (a ``<textarea>``) not
    read as tags.  Unclosed: the end of the text (hidden to the end, as a browser hides it).
    One forward scan."""
    first = _HTML_TOKEN.match(text, start)
    if first is None or first.group(2) is None or not first.group(4):
        return len(text)
    name = first.group(2).lower()
    if name in _VOID:
        return first.end()
    if name in _RAW_TEXT:
        close = re.compile(r"</" + re.escape(name) + r"\b[^>]*(?:>|\Z)", re.I).search(text, first.end())
        return len(text) if close is None else close.end()
    depth, pos = 1, first.end()
    while True:
        m = _HTML_TOKEN.search(text, pos)
        if m is None or not m.group(0):
            return len(text)
        pos = m.end()
        tag = (m.group(2) or "").lower()
        if not tag:
            continue  # a comment or a bogus comment
        if not m.group(1) and tag in _RAW_TEXT:  # (its content is text, whatever it holds)
            close = re.compile(r"</" + re.escape(tag) + r"\b[^>]*(?:>|\Z)", re.I).search(text, pos)
            if close is None:
                return len(text)
            pos = close.end()
            continue
        if tag != name:
            continue
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.end()


def _without_environment(text: str, name: str) -> str:
    """``text`` without each ``\\begin{name}`` … ``\\end{name}`` (unclosed: to the end). Linear."""
    out, pos, opener, closer = [], 0, "\\begin{" + name + "}", "\\end{" + name + "}"
    while True:
        at = text.find(opener, pos)
        if at < 0:
            return "".join(out) + text[pos:]
        out.append(text[pos:at])
        end = text.find(closer, at)
        if end < 0:
            return "".join(out)
        pos = end + len(closer)


_TEX_UNSHOWN = frozenset(("phantom", "hphantom", "vphantom", "typeout", "label", "sbox", "savebox", "setbox",
                          "message", "wlog", "index", "marginnote"))


def _enclosing_end(text: str, pos: int) -> int:
    """After the brace group that encloses ``pos`` (the end of the text where none does)."""
    depth = 0
    for i in range(pos, len(text)):
        depth += (text[i] == "{") - (text[i] == "}")
        if depth < 0:
            return i + 1
    return len(text)


def _group_end(text: str, pos: int, groups: int = 1) -> int:
    """After the brace group at ``pos`` (blanks before it skipped); where no group opens, ``pos``.
    An unclosed group runs to the end."""
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    if pos >= len(text) or text[pos] != "{":
        return pos
    depth = 0
    for i in range(pos, len(text)):
        depth += (text[i] == "{") - (text[i] == "}")
        if depth == 0:
            return i + 1
    return len(text)


def _tex_visible(text: str) -> str:
    """LaTeX without ``%`` comments (``\\%`` is a percent sign; the line break stays),
    ``\\iffalse`` … ``\\fi`` (to its matching ``\\fi``, or its ``\\else``, counting nested
    conditionals and skipping comments in it, as TeX does) and ``\\begin{comment}`` …
    ``\\end{comment}``; unclosed, each runs to the end.  One pass over the control sequences."""
    for name in dict.fromkeys(re.findall(r"\\excludecomment\s*\{([A-Za-z]{1,20})\}", text[:20000])[:8]):
        text = _without_environment(text, name)  # (the comment package: \excludecomment{draft})
    out, kept, depth, pos = [], 0, 0, 0  # depth > 0: inside \iffalse, that many conditionals open
    whole = False  # (inside another conditional: hidden to its \fi, both branches)
    while True:
        m = _TEX_MARK.search(text, pos)
        if m is None:
            break
        mark, pos = m.group(), m.end()
        if mark == "%":
            pos = _line_end(text, m.end())
            if depth == 0:
                out.append(text[kept:m.start()])
                kept = pos
        elif depth:
            if mark.startswith("\\if") and mark != "\\iff":
                depth += 1
            elif mark == "\\fi" or (mark == "\\else" and depth == 1 and not whole):
                depth = depth - 1 if mark == "\\fi" else 0
                if depth == 0:
                    kept = m.end()
        elif mark == "\\iffalse" or (mark.startswith("\\if") and mark != "\\iff"
                                       and not text[max(0, m.start() - 8):m.start()].rstrip().endswith("\\newif")):
            # \iffalse shows its \else branch; any other conditional (\ifnum0=1, \if01, \ifshow …)
            # is not evaluated here: neither branch is graded (an answer never needs one)
            out.append(text[kept:m.start()])
            depth, whole = 1, mark != "\\iffalse"
        elif mark == "\\@" and text.startswith("gobble", pos):  # \@gobble{…}: its argument is dropped
            end = _group_end(text, pos + len("gobble") + (3 if text.startswith("two", pos + 6) else 0))
            out.append(text[kept:m.start()])
            kept = pos = end
        elif mark == "\\@" and text.startswith(("firstoftwo", "secondoftwo"), pos):  # one of two groups shown
            first = text.startswith("first", pos)
            at = pos + len("firstoftwo" if first else "secondoftwo")
            one = _group_end(text, at)
            two = _group_end(text, one)
            out.append(text[kept:m.start()])
            out.append(text[at:one] if first else text[one:two])
            kept = pos = two
        elif mark[1:] in _TEX_UNSHOWN:  # \phantom{…}, \typeout{…}, \label{…}, \sbox\b{…}: never on the page
            at = m.end()
            if mark[1:] in ("sbox", "savebox", "setbox"):  # (a box name first: \sbox\mybox{…}, \setbox0=\hbox{…})
                at = _group_end(text, re.match(r"\s*(?:\\[A-Za-z]+|\{[^{}]{0,40}\}|\d+)?\s*=?\s*(?:\\[hv]box)?",
                                               text[at:at + 80]).end() + at)
            else:
                at = _group_end(text, at)
            out.append(text[kept:m.start()])
            kept = pos = at
        elif mark in ("\\textcolor", "\\color") and re.match(r"\s*\{\s*white\s*\}", text[m.end():m.end() + 20]):
            # white text: \textcolor{white}{…} hides its group; {\color{white} …} the rest of its group
            after = m.end() + re.match(r"\s*\{\s*white\s*\}", text[m.end():]).end()
            end = _group_end(text, after) if mark == "\\textcolor" else _enclosing_end(text, m.start())
            out.append(text[kept:m.start()])
            kept = pos = end
        elif mark.endswith("{comment}"):  # (\begin{document} and the others are text)
            end = text.find("\\end{comment}", m.end())
            out.append(text[kept:m.start()])
            kept = pos = len(text) if end < 0 else end + len("\\end{comment}")
    if depth == 0:
        out.append(text[kept:])
    return "".join(out)


def sections(text: str, ids: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """``{"1.2": its text, ...}`` from headings such as ``## 1.2`` or ``\\section*{1.2}``.

    A lettered heading (``Problem 1(a)``) is the assignment's ``1.1`` only when ``ids`` (the
    assignment's question ids) number part 1's questions 1, 2, 3, ... with none missing, so that
    the letter's place is the number; otherwise it stays as written and answers no question."""
    out: dict[str, str] = {}
    marks = list(_headings(text, tuple(ids)))
    for here, nxt in zip(marks, marks[1:] + [None]):
        body = text[here[1]:nxt[0] if nxt else len(text)]
        qid = here[2]
        if qid == PART_MARK:  # "# Problem 2" and its introduction: no question's answer
            continue
        letter = re.fullmatch(r"(\d+)[ ,]*(?:[Pp][Aa][Rr][Tt] ?)?\( ?([A-Za-z]) ?\)|(\d+)[ ,]*[Pp][Aa][Rr][Tt] ?([A-Ea-e])", qid)
        if letter:
            qid = _lettered(letter.group(1) or letter.group(3), (letter.group(2) or letter.group(4)).lower(), ids)
        elif not re.fullmatch(r"\d+\.\d+", qid):  # "Part 1, Q2", "Part 1. Question 2", "P1 / Q2": 1.2
            qid = ".".join(str(int(n)) for n in re.findall(r"\d+", qid))
        out[qid] = (out[qid] + "\n" + body) if qid in out else body
    return out


def _lettered(part: str, letter: str, ids) -> str:
    """``1(a)`` as ``1.1`` where part 1's ids are exactly 1.1 .. 1.n and the letter is within
    them; else ``1(a)`` unchanged (why: a letter has no number of its own to check against)."""
    numbers = sorted(int(q.split(".", 1)[1]) for q in ids
                     if q.count(".") == 1 and q.split(".")[0] == part and q.split(".")[1].isdigit())
    place = ord(letter) - ord("a") + 1
    if numbers and numbers == list(range(1, len(numbers) + 1)) and place <= len(numbers):
        return f"{part}.{place}"
    return f"{part}({letter})"


# values given without an "=": a Markdown table's row (| $c_w$ | 3 |), a list item or line
# "c_w: 3", "$c_w$ is 3", "$c_w$ and $c_h$ are (both) 3"; each line matched on its own, anchored
_NAME = r"(?:\$ ?([A-Za-z]{1,3}(?:_\{?[A-Za-z0-9]{1,3}\}?)?) ?\$|([A-Za-z]{1,3}(?:_\{?[A-Za-z0-9]{1,3}\}?)?))"
_NUMBER = r"(?:\$ ?(\d{1,6}(?:\.\d{1,6})?) ?\$|(\d{1,6}(?:\.\d{1,6})?))"
_TABLE_ROW = re.compile(r"[ \t]*\|[ \t]*" + _NAME + r"[ \t]*\|(?:[^|\n]{0,80}\|)?[ \t]*" + _NUMBER + r"[ \t]*\|[ \t]*")
_ITEM = re.compile(r"[ \t]*(?:[-*•+][ \t]+|\d{1,2}[.)][ \t]+)?(?:\*\*)?" + _NAME + r"(?:\*\*)?[ \t]*(?::|\bis\b|\bequals\b)"
                   r"[ \t]*" + _NUMBER + r"[ \t]*(?:[.,;][ \t]*)?")
_IS_SUM = re.compile(r"(?:(?<=[}\]])|(?<=_[A-Za-z0-9]))[ \t]+(?:is|equals)[ \t]+(?=(?:the[ \t]+)?(?:sum|Sum)[ \t]+(?:over|of)\b)")  # "dE/dz_{…} is the sum over m of"
_SUBSCRIPTED = r"\$ ?([A-Za-z]{1,3}_\{?[A-Za-z0-9]{1,3}\}?) ?\$"
_IS = re.compile(_SUBSCRIPTED + r"[ \t]+(?:is|equals)[ \t]+" + _NUMBER)
_ARE = re.compile(_SUBSCRIPTED + r"[ \t]+and[ \t]+" + _SUBSCRIPTED + r"[ \t]+are[ \t]+(?:both[ \t]+)?" + _NUMBER)
# "width 3, height 3 ($c_w$, $c_h$)": names in parentheses after as many numbers
_NAMED_AFTER = re.compile(r"\(\s*(\$[^$()\n]{1,20}\$(?:\s*(?:,|and)\s*\$[^$()\n]{1,20}\$){1,5})\s*\)")


_CELLS_OF_NAMES = re.compile(r"[ \t]*\|(?:[ \t]*" + _NAME + r"[ \t]*\|){2,8}[ \t]*")
_CELLS_OF_NUMBERS = re.compile(r"[ \t]*\|(?:[ \t]*" + _NUMBER + r"[ \t]*\|){2,8}[ \t]*")
_ROW = re.compile(r"[ \t]*\|(?:[^|\n$]{0,200}\|){2,12}[ \t]*")  # a table row (no math of its own)
_RULE = re.compile(r"[ \t]*\|(?:[ \t]*:?-{1,40}:?[ \t]*\|){2,8}[ \t]*")
_PROSE_DEFINITION = re.compile(r"\$([^$=\n]{1,60})\$[ \t]+(?:denotes?|denoting|be|being|stands?[ \t]+for|is[ \t]+defined[ \t]+as|"
                               r"is[ \t]+given[ \t]+by)[ \t]+(?:the[ \t]+[A-Za-z\- ]{1,40}[ \t]+)?\$([^$\n]{1,600})\$")
_PROSE_NAMED = re.compile(r"\$([^$\n]{1,600})\$,?[ \t]+(?:which|that)[ \t]+(?:we|I)[ \t]+(?:call|name|denote[ \t]+by|write[ \t]+as)"
                          r"[ \t]+\$([^$=\n]{1,60})\$")


def _cells(line: str) -> list[str]:
    return [c.strip().strip("$").strip() for c in line.strip().strip("|").split("|")]


def _plain_values(body: str) -> str:
    """Values written without an ``=`` (a table, a list of ``name: value``, prose) as ``$name =
    value$``, so that they read as any other definition; a helper named in words ("let $h_m$
    denote $…$", "$…$, which we call $\\delta_m$") as its definition.  Each line is matched on
    its own with anchored or bounded patterns (linear)."""
    out: list[str] = []
    lines = body.split("\n")
    for n, line in enumerate(lines):
        # a table across: a row of names, a rule, a row of as many values
        if n >= 2 and _CELLS_OF_NUMBERS.fullmatch(line) and _RULE.fullmatch(lines[n - 1]) \
                and _CELLS_OF_NAMES.fullmatch(lines[n - 2]) and len(_cells(line)) == len(_cells(lines[n - 2])):
            out[n - 2] = ", ".join(f"${a} = {b}$" for a, b in zip(_cells(lines[n - 2]), _cells(line)))
            out.append("")
            continue
        m = _TABLE_ROW.fullmatch(line) or _ITEM.fullmatch(line)
        if m:
            name, value = m.group(1) or m.group(2), m.group(3) or m.group(4)
            out.append(f"${name} = {value}$")
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if "=" in line and _ROW.fullmatch(line) else []
        if cells and not any(_modifier(c) for c in cells if "=" not in c):
            # | convolution | c_w = 3 | c_h = 3 |: each equation a definition, the other cells labels
            # (a cell that could change a value, | c_w = 3 | squared |, keeps the row unread)
            out.append(", ".join(f"${c}$" for c in cells if "=" in c))
            continue
        line = _IS_SUM.sub("= ", line)
        line = _IS.sub(lambda m: f"${m.group(1)} = {m.group(2) or m.group(3)}$", line)
        line = _ARE.sub(lambda m: f"${m.group(1)} = {m.group(3) or m.group(4)}$, ${m.group(2)} = {m.group(3) or m.group(4)}$",
                        line)
        line = _named_after(line)
        line = _PROSE_DEFINITION.sub(_prose_definition, line)
        line = _PROSE_NAMED.sub(lambda m: f"${m.group(2)} = {m.group(1)}$", line)
        out.append(line)
    return "\n".join(out)


# a bare symbol (m, o_m, z_{p_i,p_j,k}): in "let $s_m$ denote the net input of neuron $m$" the
# neuron's index, part of the prose, never what s_m is defined as
_BARE_SYMBOL = re.compile(r"\s*\\?[A-Za-z]+(?:\s*_\s*(?:\{[^{}$]{0,40}\}|[A-Za-z0-9]))?\s*")


def _prose_definition(m: re.Match) -> str:
    if _BARE_SYMBOL.fullmatch(m.group(2)):
        return m.group(0)
    return f"${m.group(1)} = {m.group(2)}$"


def _named_after(line: str) -> str:
    """``width 3, height 3 ($c_w$, $c_h$)``: the names paired in order with the numbers of the
    words just before them (since the last ``;``, ``.`` or ``)``), when there are as many."""
    pieces, pos = [], 0
    for m in _NAMED_AFTER.finditer(line):
        names = re.findall(r"\$([^$]{1,20})\$", m.group(1))
        lo = max(pos, m.start() - 120)  # (a bounded look back: linear)
        start = max(line.rfind(";", lo, m.start()), line.rfind(". ", lo, m.start()), line.rfind(")", lo, m.start()), lo - 1) + 1
        numbers = re.findall(r"(?<![\w.$])\d{1,6}(?![\w.$])", line[start:m.start()])
        if len(numbers) == len(names):
            pieces.append(line[pos:m.start()] + " " + ", ".join(f"${n.strip()} = {v}$" for n, v in zip(names, numbers)))
            pos = m.end()
    return "".join(pieces) + line[pos:]


def equations(body: str) -> str:
    """The equations of a section: its math ($$…$$, \\[…\\], \\(…\\), equation and align
    environments, fenced code, $…$ with an = in it); a section without any math: its lines that
    hold an ``=``.  Values given without an ``=`` (a table, ``c_w: 3``) are read as definitions."""
    body = _plain_values(body)
    body = _AFTER_DISPLAY.sub(r" \2\1", body)  # "$$z = …$$" then "-y[…]": one paragraph on the page
    blocks = list(_math_blocks(body))
    found = [text for text, block, _a, _b in blocks
             if block or "=" in text or "\\in" in text or "∈" in text or _DEFINED_AS.search(text)]
    if blocks or "$" in body:
        plain = _plain_statements(_outside(body, blocks))
        if not any("=" in text for text in found):  # the math is symbols in prose: the formulas are plain lines
            return "\n".join(plain + found)
        # beside math formulas, a plain line is read where it starts with a formula (a symbol and
        # its =: "h[ci,cj,k] = …" beside "$$y = \\sigma(h)$$") or defines a function; sentences are prose
        read = []
        for line in plain:
            if _starts_with_formula(line):
                read.append(line)
            elif ":" in line:  # "so in code: z[pi,pj,k] = 0": the formula after the words, where it is an element's
                tail = line.rsplit(":", 1)[1]
                if _starts_with_formula(tail) and re.match(r"\s*\S*?(?:\[[^\]=]*,|_\{[^}=]*,)[^=]{0,200}=", tail):
                    read.append(tail)
        return "\n".join(read + _plain_function_lines(body) + found)
    return "\n".join(_plain_statements(body))


_FORMULA_HEAD = re.compile(r"[^\s=,]{1,60}(?:[ \t]*,[ \t]*[^\s=,]{1,60}){0,8}[ \t]*\+?")


def _starts_with_formula(line: str) -> bool:
    """Whether a plain line is a formula: what stands before its first ``=`` (after lead words
    such as let, where, so) is one symbol or a list of them, no words apart."""
    head = _without_lead(line.strip()).split("=", 1)[0]
    return bool(head.strip()) and _FORMULA_HEAD.fullmatch(head.strip()) is not None and len(head) < 300


def _plain_function_lines(body: str) -> list[str]:
    """In a section written in math, the plain lines that define a function of one's own
    (``where sigma(t) = t``): the page shows the definition, so the answer means it (a line that
    redefines σ is never passed over).  Each line is matched on its own (bounded)."""
    out = []
    for line in body.splitlines():
        if "$" in line or "\\[" in line or "\\(" in line or len(line) > 500:
            continue
        bare = _definitional(_without_lead(line.strip()).rstrip(" .,;"))
        if _FUNCTION_DEF.match(bare):
            out.append(bare)
    return out


def _outside(body: str, blocks) -> str:
    """``body`` with every piece of math blanked out, and every line that held math emptied: the
    plain lines of a section written in math (``y[ci,cj,k] = sigma(…)`` beside ``where $\\sigma$
    is the sigmoid``), read as a section without math reads them."""
    chars = list(body)
    for _t, _b, start, end in blocks:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = "\0"
    lines = "".join(chars).split("\n")
    return "\n".join("" if "\0" in line or "$" in line else line for line in lines)


# a line that is no sentence: it does not start with a word of two or more letters that is not
# a quantity's name (``sigma(``, ``dE/dw``, ``y[``, ``w_``); "- 2 y[…]", "\times 2", "+ 1", "2 y"
_NO_SENTENCE = re.compile(r"\s*(?![A-Za-z][a-z]+\b(?![\[_(/{]))\S")


_PROSE_WORD = re.compile(r"(?<![\\A-Za-z])(?!(?:sigma|sigmoid|exp|log|tanh|max|min|sum|argmax|partial|frac|cdot|times"
                         r"|left|right)\b)[A-Za-z][a-z]+\b(?![\[_(])")


# a display's closer, then on the next line (the same paragraph) a plain line that starts with an
# operator: the page shows them joined, and the line is read inside the display
_AFTER_DISPLAY = re.compile(r"(\$\$|\\\]|\\end\{[A-Za-z]{1,12}\*?\})[ \t]*\n([ \t]*(?:[-+*](?![ \t]+[A-Za-z][a-z]+\b(?![\[_(]))|[/×·−÷]"
                            r"|\\(?:times|cdot|div)(?![A-Za-z]))[^\n$]{0,500})(?=\n|\Z)")  # (not "- where …", a list item)
_INDEX_GROUPS = re.compile(r"\[[^\[\]\n]{0,60}\]|_\{[^{}\n]{0,60}\}")  # (y[pi,pj,k]: index names, not words)


def _plain_statements(body: str) -> list[str]:
    """The lines of a section without math that hold an ``=``, each with the lines after it in
    its paragraph that are no sentence: Markdown joins a paragraph's lines, so ``c_w = 3`` and
    ``    + 1`` on the next line read ``c_w = 3 + 1`` on the page, and are graded so (never the
    first line alone).  A quoted line (``>``) is the starter's prompt."""
    out: list[str] = []
    joining = False  # (the line before was a kept one, in the same paragraph)
    for line in body.splitlines():
        if not line.strip() or line.lstrip().startswith(">"):
            joining = False
            continue
        if "=" in line or _DEFINED_AS.search(line):
            out.append(line)
            joining = True
        elif joining and _NO_SENTENCE.match(line) and not (
                line.lstrip()[:1] in "([" and _PROSE_WORD.search(_INDEX_GROUPS.sub(" ", line))):
            out[-1] += " " + line.strip()  # ("(dE/dy from 2.3)" on the next line: a remark in words, not joined)
        else:
            joining = False
    return out


_READ: dict = {}
_FILES: dict = {}  # path -> what the whole file says (read once per file, not once per question)


def _file_facts(path: str, ids: tuple) -> tuple[str, dict, dict]:
    """The answers file's visible text, its sections, and the facts that hold for every answer
    in it: a 0-based declaration, σ (or exp, log, tanh) defined, σ said in words to be another."""
    with open(path, "rb") as f:
        data = f.read()
    key = (path, ids, data)  # (the bytes themselves: a file rewritten in place is read again)
    if key not in _FILES:
        whole = read_answers_file(data, path)
        _FILES.clear()
        functions = _standard_functions_defined(whole)
        _FILES[key] = (whole, sections(whole, ids), {
            "zero": counts_from_zero(whole), "functions": functions,
            "sigma": _SIGMA_OTHERWISE.search(whole) or _SIGMA_UNREADABLE.search(whole[:50000])
            or _SIGMA_UNREADABLE.search(_definitional(whole[:50000]))
            or _conflicting(functions)})
    return _FILES[key]


def answer(qid: str, spec: dict, path: str, arrays: dict):
    """The value of question ``qid``'s answer in the file at ``path``, for these inputs: what the
    generated module of a written submission returns (it runs in the sandbox)."""
    if qid not in _READ:
        try:
            whole, everything, facts = _file_facts(path, tuple(spec.get("questions", ())))
            if facts["zero"]:
                spec = {**spec, "zero_based": True}
            body = everything.get(qid)
            if body is None or not body.strip():
                raise NoAnswer(f"no answer for {qid}: write it under a heading '## {qid}'")
            text = equations(body)
            words = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith(">")).strip()
            if not text.strip() and not words:  # the starter's prompt only
                raise NoAnswer(f"no answer for {qid}: write it under the heading '## {qid}'")
            if not text.strip():  # words only: an answer that cannot be graded, with the reason
                raise NotationError(f"no equation under '## {qid}': write the answer in $$ … $$ "
                                    "(or as a line with =), not only in words")
            text = "\n".join(facts["functions"] + [text])  # (σ defined once, anywhere)
            other = facts["sigma"]
            if other and re.search(r"sigma|σ|sigmoid", normalize(text)):
                raise NotationError(f"'{' '.join(other.group().split())[:60]}': σ is given another meaning here in "
                                    "a form that cannot be read (words, code, or two definitions); write one definition "
                                    "as a formula (σ(t) = …)")
            _READ[qid] = _answer_with_borrowed(text, spec, qid, everything, whole)
            print(f"How your answer to {qid} was read:\n{reading(_READ[qid])}")
        except (NotationError, NoAnswer) as exc:
            _READ[qid] = exc
    got = _READ[qid]
    if isinstance(got, Exception):
        raise type(got)(str(got))
    values = got.values(arrays)
    if spec.get("asked"):
        return tuple(_whole(values[(i,)]) for i in range(len(spec["asked"])))
    import numpy as np
    out = np.full(tuple(spec["shape"]), np.nan)
    missing = []
    for index in np.ndindex(*spec["shape"]):
        if index in values:
            out[index] = values[index]
        elif spec.get("accumulate"):
            out[index] = 0.0
        else:
            missing.append(got._label(spec["target"], index))
    if missing:
        raise NotationError(f"not every element is defined: {', '.join(missing[:4])}"
                            + (f" and {len(missing) - 4} more" if len(missing) > 4 else ""))
    return out


MAX_BORROWED = 8  # lines of another answer that define a symbol this one uses
# a symbol right before an "=" (its indices and a derivative's fraction included): where a later
# definition on a line may start
_SYMBOL_BEFORE_EQUALS = re.compile(
    r"(?<![\w\]})])((?:\\frac\s*\{[^{}=]{0,40}\}\s*\{[^{}=]{0,60}\}|∂E/∂\w{1,12}|d[A-Za-z]/d\w{1,12}|\\?[A-Za-z][A-Za-z0-9]{0,11})"
    r"(?:_\{[^{}=]{0,40}\}|_[A-Za-z0-9]{1,4})?(?:\[[^\[\]=]{0,60}\]|\([^()=]{0,60}\))?)[ \t]*\+?=(?!=)")
_ELEMENT_DEFINED = re.compile(r"\s*\S*?(?:\[|_\{|_[A-Za-z0-9]|\()[^=]{0,200}\+?=")  # (with its indices)
_UNKNOWN = re.compile(r"unknown (?:quantity|name) '([A-Za-z][A-Za-z0-9]{0,29})'")


# "I index from 0 like numpy", "indices start at 0", "0-based", "zero-indexed" -- not "from 1,
# not 0" nor "instead of from 0" (a negation just before the 0)
_FROM_ZERO = re.compile(
    r"\b(?:0|zero)[- ]?(?:based|indexed)\b"
    r"|\b(?:index|indices|indexing|indexed|count|counting|counted|number|numbered|numbering)\b"
    r"[^.\n]{0,80}?\b(?:from|at)\s+\$?(?:0|zero)\$?(?![\d.,]\d)"
    r"|\bstart(?:s|ing)?\s+(?:at|from)\s+\$?(?:0|zero)\$?(?![\d.,]\d)", re.IGNORECASE)
_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|instead\s+of|rather\s+than|\bunlike)\W+(?:\w+\W+){0,3}\Z", re.IGNORECASE)


_FROM_ONE = re.compile(_FROM_ZERO.pattern.replace("(?:0|zero)", "(?:1|one)"), re.IGNORECASE)
_QUOTED = re.compile(r"\"[^\"\n]{0,80}\"|“[^”\n]{0,80}”|'[^'\n]{0,80}'")


_OWN = re.compile(r"\b(?:I|my|mine|we|our|here|all|every|this\s+(?:answer|document|file|write-?up))\b", re.IGNORECASE)
_HYPOTHETICAL = re.compile(r"\b(?:would|were|if|other|others|they|their|students?|people)\b", re.IGNORECASE)


def counts_from_zero(text: str) -> bool:
    """Whether the student says, in words, that their indices count from 0 (a numpy habit):
    the answers are then read with the axes they index from 0 counted so (:class:`Answer`).
    Not where they also say they count from 1 ("numpy counts from 0; I count from 1"), nor in
    quoted words.  Only the first 20,000 characters are searched (bounded work on any file)."""
    text = _QUOTED.sub(" ", text[:20000])
    for m in _FROM_ONE.finditer(text):  # (a count from 1 the student says is theirs: no 0-based reading)
        if not _NEGATED.search(text[max(0, m.start() - 40):m.end() - 1]):
            return False
    for m in _FROM_ZERO.finditer(text):
        if _NEGATED.search(text[max(0, m.start() - 40):m.start()]) or \
                _NEGATED.search(text[max(0, m.start() - 40):m.end() - 1]):
            continue
        # the sentence it is in says it of the student's own indices ("I", "my", "here"), not as a
        # hypothesis or of others ("if I were writing Python I would…", "other students…")
        start = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        stops = [i for i in (text.find(".", m.end()), text.find("\n", m.end())) if i >= 0]
        sentence = text[start:min(stops) if stops else len(text)]
        if _OWN.search(sentence) and not _HYPOTHETICAL.search(sentence):
            return True
    return False


MAX_BORROWED_NAMES = 4  # symbols of one's own borrowed for one answer (δ_1 and δ_2, d1 and d2)


def _answer_with_borrowed(text: str, spec: dict, qid: str, everything: dict[str, str], whole: str = "") -> "Answer":
    """The answer read from ``text``; where it uses a symbol of the student's own that it does
    not define (δ_m "as defined in Question 1"), read again with the lines of another answer
    that define it (the nearest earlier answer first), or with a function of that name defined
    anywhere in the file (``Throughout, g(t) = 1/(1+e^{-t}) is the sigmoid`` before the first
    question), which the reading shows; several such symbols (``d1``, then ``d2``) one after
    another, up to MAX_BORROWED_NAMES.  The original error stands if none is found, or if the
    answer still cannot be read with them."""
    try:
        return Answer(text, spec)
    except NotationError as exc:
        first = exc
    lines: list[str] = []
    error = first
    for _ in range(MAX_BORROWED_NAMES):
        m = _UNKNOWN.match(str(error))
        if m is None or _defines_name(text.splitlines(), m.group(1)):
            break  # (another error, or its own definition unreadable: never replaced by another's)
        for borrowed in (_borrowed(everything, qid, m.group(1)), _function_defined(whole, m.group(1))):
            if not borrowed or set(borrowed) <= set(lines):
                continue
            try:
                return Answer("\n".join(lines + borrowed) + "\n" + text, spec)
            except NotationError as again:
                unknown = _UNKNOWN.match(str(again))
                if unknown and unknown.group(1) != m.group(1):  # (this one read: another symbol next)
                    lines, error = lines + borrowed, again
                    break
        else:
            break
    raise first from None


def _compact_asked(text: str, spec: dict) -> str:
    """The asked numbers' names written without their underscore (``cw = ch = 3`` for c_w, c_h)
    as the names themselves: only for a question that asks for named numbers (1.1), whose
    answer has no other quantity such a name could be a product of."""
    asked = [a for a in spec.get("asked") or () if re.fullmatch(r"[A-Za-z]_[A-Za-z0-9]", a)]
    if not asked:
        return text
    plain = {a.replace("_", ""): a for a in asked}
    return re.sub(r"(?<![\\\w])(" + "|".join(map(re.escape, plain)) + r")(?!\w)", lambda m: plain[m.group(1)], text)


# σ given another meaning in a form that is not read as a definition (code, arrows, anonymous
# functions): def sigma(t): …, sigma <- function(t) …, sigma: t ↦ t, sigma = (lambda t: t), λt. t,
# t => t, @(t) t, sigma = id, t =: sigma(t)
_SIGMA_NAME = r"(?:\bsigma\b|σ|\\sigma\b|\bsigmoid\b)"
_SIGMA_UNREADABLE = re.compile(
    r"\bdef\s+(?:sigma|sigmoid)\s*\(|=:\s*" + _SIGMA_NAME
    + r"|" + _SIGMA_NAME + r"\s*(?:\(\s*[A-Za-z]\s*\))?\s*(?:<-|←|=|≝)\s*(?:function\b|\(?\s*lambda\b|λ|@\s*\(|id\b|identity\b"
    r"|\(?\s*[A-Za-z]\w{0,5}\s*\)?\s*(?:=>|->|↦|→|\\mapsto))"
    + r"|" + _SIGMA_NAME + r"\s*:\s*[A-Za-z]\w{0,5}\s*(?:↦|->|→|\\mapsto)"
    + r"|" + _SIGMA_NAME + r"\s*\(\s*[A-Za-z]\s*\)\s*≝", re.IGNORECASE)


def _conflicting(functions: list[str]):
    """The first function of σ, exp, log, tanh defined twice with different bodies, or None."""
    seen: dict = {}
    for line in functions:
        m = _FUNCTION_DEF.match(line)
        if m is None:
            continue
        name, body = m.group(1).lstrip("\\"), re.sub(r"\s", "", normalize(m.group(3)).replace(m.group(2), "#"))
        if seen.setdefault(name, body) != body:
            return re.match(r".*", f"{name} defined twice, differently ({line[:40]})")
    return None


_PROSE_AFTER = re.compile(r"[;,]\s|\s(?:and|where|which|with|for|so|is|as|throughout|here)\b|\.(?:\s|$)")
# σ said in words to be another function ("here sigma is the identity", "σ denotes the ReLU, not
# the sigmoid"): the answer cannot be read as the student means it
_SIGMA_OTHERWISE = re.compile(r"(?:\bsigma\b|σ|\\sigma\b)[^.\n]{0,30}?\b(?:is|denotes|means|stands\s+for|here\s+is)\s+"
                              r"(?:just\s+|simply\s+|now\s+)?(?:the\s+|a\s+)?(?:identity|relu|tanh|linear|step|heaviside"
                              r"|softmax|softplus|leaky|sign\b|max\s*\(|not\s+(?:the\s+)?(?:sigmoid|logistic))"
                              r"|\b(?:linear|identity|relu|tanh|step)\s+(?:activation\s+|function\s+)?(?:\bsigma\b|σ|\\sigma\b)"
                              r"|replaced\s+(?:the\s+)?(?:sigmoid|σ|sigma)\s+(?:by|with)\s+(?:the\s+|a\s+)?(?:identity|relu|linear|tanh)",
                              re.IGNORECASE)
_STANDARD_DEF = re.compile(r"(?<![A-Za-z\\])\\?(?:sigma|sigmoid|exp|log|tanh)\s*\(\s*[A-Za-z]\s*\)\s*=(?!=)")


def _standard_functions_defined(whole: str) -> list[str]:
    """The lines anywhere in the file (a preamble, another answer) that define σ, sigmoid, exp,
    log or tanh (``where sigma(t) = t``, ``$\\sigma(t) := \\frac{1}{1+e^{-t}}$``): such a function
    means one thing in the whole file, so every answer is read with its definition.  At most 8."""
    out = []
    for line in whole.splitlines():
        if len(line) > 500 or not re.search(r"(?:sigma|sigmoid|exp|log|tanh|σ)\s*\(", line):
            continue
        bare = normalize(_definitional(re.sub(r"\$+|\\\[|\\\]|\\\(|\\\)", " ", line)))
        at = _STANDARD_DEF.search(bare)  # (anywhere on the line: "Notation: sigma(t) = t throughout.")
        piece = _PROSE_AFTER.split(bare[at.start():], maxsplit=1)[0].rstrip(" .,;") if at else ""
        m = _FUNCTION_DEF.match(piece) if piece else None  # (the definition, without the sentence it sits in)
        if m and m.group(1).lstrip("\\") in Reader.REDEFINABLE:
            out.append(piece)
            if len(out) >= 8:
                break
    return out


# What may stand around a function's definition borrowed from elsewhere in the file: a few words
# that introduce it, and after it at most a description of it and a remark in parentheses.  Any
# other word (a condition, "for t ≥ 0", "and then rounded", "instead of", a correction) may change
# what it means, and the definition is not used.
_DEF_BEFORE = re.compile(r"\s*(?:[-*+]\s+|\d{1,2}[.)]\s+|\|\s*)?(?:(?:throughout|here|notation|note|below|in this "
                         r"(?:file|homework|document))\s*[,:]?\s*)?(?:(?:let|we\s+write|i\s+write|i\s+use|define|"
                         r"write|we\s+use|i\s+define|we\s+define)\s+)?\Z", re.IGNORECASE)
_DEF_AFTER = re.compile(r"\s*[,;:]?\s*(?:(?:is|denotes|means|stands\s+for|for|as)\s+)?(?:the\s+)?"
                        r"(?:(?:logistic\s+)?(?:sigmoid|logistic)(?:\s+function)?)?\s*(?:\([^()]{0,80}\))?\s*[.;,|]?\s*\|?\s*\Z",
                        re.IGNORECASE)
_DEF_CHANGES = re.compile(r"\b(?:for|when|whenever|if|unless|except|only|otherwise|then|round\w*|clip\w*|divid\w*|"
                          r"scal\w*|shift\w*|times|plus|minus|half|twice|not|no|instead|but|unlike|correct\w*|"
                          r"wrong|mistake|before|after|channel|outputs?|layer|approx\w*|≈)\b|[≥≤<>]", re.IGNORECASE)
_DEF_DESCRIBED = re.compile(r"\A\s*[,;:]?\s*(?:is|denotes|means|stands\s+for|for|as)\s+(?:the\s+)?"
                            r"(?:logistic\s+)?(?:sigmoid|logistic)(?:\s+function)?", re.IGNORECASE)
_DEF_HEAD = r"(?<![A-Za-z\\])\\?{name}\s*\(\s*[A-Za-z]\s*\)\s*(?:=|:=|≔|≡|\\coloneqq|\\equiv|\\triangleq|≜)"


def _function_defined(whole: str, name: str) -> list[str]:
    """A function ``name`` of one parameter defined once in the whole file, in a formula of its
    own with nothing around it that could change its meaning (``Throughout, $g(t) =
    \\frac{1}{1+e^{-t}}$ is the sigmoid.``): that definition, for an answer that uses ``name``
    without defining it.  [] where the file defines it more than once (a correction, a
    hypothesis, a piecewise definition), nowhere, or with words around it beyond a plain
    description: the answer is then refused as using an unknown quantity."""
    head = re.compile(_DEF_HEAD.format(name=re.escape(name)))
    found = []
    for line in whole.splitlines():
        if name not in line:
            continue
        hits = list(head.finditer(line))
        if not hits:
            continue
        if len(hits) > 1 or found or len(line) > 2000:
            return []  # more than one definition (or one too long to read): which is meant is not clear
        found.append(line)
    if not found:
        return []
    line = found[0]
    spans = [m for m in re.finditer(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)", line)]
    at = next((m for m in spans if head.search(m.group(m.lastindex))), None)
    if at is None:  # (written without math delimiters: up to the first words after it)
        hit = head.search(line)
        before, rest_of_line = line[:hit.start()], line[hit.start():]
        math = _PROSE_AFTER.split(rest_of_line, maxsplit=1)[0]
        tail = re.search(r"\s*\([A-Za-z ,']{1,60}\)\s*[.;,]?\s*\Z", math)  # ("… (the sigmoid)")
        if tail:
            math = math[:tail.start()]
        after = rest_of_line[len(math):]
    else:
        before, math, after = line[:at.start()], at.group(at.lastindex), line[at.end():]
    rest = re.sub(r"\$[^$]{0,40}\$", "", after)  # ("(I use $g$ as in my notes)")
    remark = _DEF_DESCRIBED.sub("", rest, count=1)  # ("for the sigmoid", "is the sigmoid function")
    if not _DEF_BEFORE.match(before) or not _DEF_AFTER.match(rest) or _DEF_CHANGES.search(remark) \
            or _DEF_CHANGES.search(re.sub(r"\\[A-Za-z]+", " ", math.split("=", 1)[-1])):
        return []
    piece = normalize(_definitional(math)).strip().rstrip(" .,;")
    return [piece] if _FUNCTION_DEF.match(piece) else []


def _defines_name(lines: list[str], name: str) -> list[str]:
    """The lines whose left side (before their first =, or :=, ≡, <- …) names ``name``."""
    pattern = re.compile(r"(?<![A-Za-z\\])\\?" + re.escape(name) + r"(?![A-Za-z])")
    out = []
    for line in lines:
        line = _definitional(line)
        if "=" in line and pattern.search(normalize(line.split("=", 1)[0])):
            out.append(line)
    return out


def _borrowed(everything: dict[str, str], qid: str, name: str) -> list[str]:
    """The lines of the other answers whose left side names ``name`` (as the parser spells it:
    ``delta`` for δ and \\delta), from the nearest answer before ``qid`` that has any, else the
    nearest after it; at most MAX_BORROWED lines."""
    ids = list(everything)
    at = ids.index(qid) if qid in ids else len(ids)
    pattern = re.compile(r"(?<![A-Za-z\\])\\?" + re.escape(name) + r"(?![A-Za-z])")
    for other in ids[:at][::-1] + ids[at + 1:]:
        try:
            lines = equations(everything[other]).splitlines()
        except NotationError:
            continue
        found = [line for line in lines if "=" in line and pattern.search(normalize(line.split("=", 1)[0]))]
        if found:
            return found[:MAX_BORROWED]
    return []


MAX_PARTS = 16  # terms of a sum evaluated one by one (the runtime's cap)


def _terms(node, sign: int = 1) -> list:
    """The top-level terms of a sum, each with its sign: a − b + c is [(1, a), (−1, b), (1, c)]."""
    if node[0] == "bin" and node[1] in ("+", "-"):
        return _terms(node[2], sign) + _terms(node[3], sign if node[1] == "+" else -sign)
    if node[0] == "neg":
        return _terms(node[1], -sign)
    return [(sign, node)]


def parts(qid: str, spec: dict, path: str, arrays: dict):
    """Each top-level term of the answer's sum, on every element: an array (terms, *shape), or
    None when the answer is not one line whose right side is a sum of 2..MAX_PARTS terms.  The
    grader fits the expected values with these numbers (outside the sandbox) to name the wrong
    terms of a rejected answer; the terms themselves never leave this process as text."""
    got = _READ.get(qid)
    if not isinstance(got, Answer) or spec.get("asked") or spec.get("accumulate"):
        return None
    target = spec["target"]
    lines = [st for st in got.statements if any(lhs[1] == target for lhs in st.lhs)]
    if len(lines) != 1 or lines[0].op != "=" or len(lines[0].lhs) != 1:
        return None
    st = lines[0]
    terms = _terms(st.rhs)
    if not 2 <= len(terms) <= MAX_PARTS:
        return None
    import numpy as np
    shape = tuple(spec["shape"])
    out = np.zeros((len(terms),) + shape)
    got.arrays, got.memo, got.steps, got.lists = arrays, {}, 0, {}
    for env in got._bindings(st, st.lhs[0], shape):
        key = tuple(got._int(p, env) - got._base(target, d) for d, p in enumerate(st.lhs[0][2]))
        if not all(0 <= k < n for k, n in zip(key, shape)):
            return None
        for t, (sign, term) in enumerate(terms):
            out[(t,) + key] = sign * got._eval(term, env)
    return out


def _whole(v):
    return int(v) if isinstance(v, (int, float)) and float(v).is_integer() else v
