"""Fingerprints (copydetect's winnowing over Pygments tokens) and the pairs that share them.

Each document is fingerprinted once: copydetect tokenises it and replaces every name with one
letter (:func:`copydetect.utils.filter_code`: renamed variables and functions change nothing,
comments and spacing are dropped), every ``k``-character window of that is hashed and
copydetect's winnowing keeps its fingerprints (:func:`copydetect.utils.winnow`).  Fingerprints
of the boilerplate (the assignment's starter, ``--template`` files) are dropped, and so are
those shared by a large part of the class (what everyone writes alike, such as the handout's
function signatures used in one way).

Pairs are never all compared: an inverted index (fingerprint -> documents holding it) counts,
for every pair that shares anything, how many fingerprints it shares, with NumPy, and

    similarity(a, b) = shared fingerprints / fingerprints of the one that has fewer

(0 to 1; 1: one submission's code is all in the other, whatever its names and layout).  Only
the pairs shown side by side are compared position by position, for the highlighted regions.

The window hashes are computed here, not by copydetect, because copydetect uses Python's
``hash()`` of strings, which is salted per process: the same class would rank differently on
every run.  Ours are a fixed polynomial hash, so a ranking can be reproduced.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .sources import Document

K_CODE = 25  # window (characters of tokenised code): copydetect's default noise threshold
K_WRITTEN = 15  # normalised notation is dense (no spaces, one character a symbol): shorter windows
WINDOW = 1  # winnowing window: copydetect's default (guarantee threshold = noise threshold) keeps every hash
COMMON_FRACTION = 0.2  # a fingerprint in more than this share of the class is what everyone writes ...
COMMON_MIN = 10  # ... when that is also more than this many submissions (a small class keeps them all)
MIN_SHARED = 10  # pairs sharing fewer fingerprints are not listed (about a line of code in common)
_CHUNK = 1 << 22  # pair keys counted at a time (memory)
_DENSE_MAX = 1 << 22  # classes up to this many ordered pairs (2,048 students) count in one array

_RNG = np.random.default_rng(0x5EED_C0DE)
_MULT = (_RNG.integers(1, 2**63, size=64, dtype=np.uint64) * np.uint64(2) + np.uint64(1))  # odd 64-bit


def missing() -> str:
    """"" when copydetect can be imported, else the one line saying how to install it."""
    try:
        import copydetect.utils  # noqa: F401
    except ImportError:
        return ("grader similar needs copydetect (the fingerprinting library), which is not installed; "
                "install it with: pip install 'cnn-grader[similarity]'")
    return ""


@dataclass
class Print:
    """One document's fingerprints: ``hashes[i]`` starts at ``idx[i]`` of the filtered text
    (boilerplate left out; after :func:`drop_common`, the class-common ones too); ``unique``:
    the distinct ones, sorted.  ``offsets``: copydetect's map from filtered to raw positions."""

    k: int
    hashes: np.ndarray
    idx: np.ndarray
    offsets: np.ndarray
    unique: np.ndarray


def window_hashes(text: str, k: int) -> np.ndarray:
    """A hash (int64) of every ``k``-character window of ``text``: deterministic, vectorised."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    h = np.zeros(n, dtype=np.uint64)
    for t in range(k):
        h += codes[t:t + n] * _MULT[t % len(_MULT)]
    h ^= h >> np.uint64(30)  # splitmix64's finaliser: every bit of the sum reaches every bit
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h.view(np.int64)


def filtered(doc_text: str, language: str | None) -> tuple[str, np.ndarray]:
    """copydetect's tokenised text (names as ``V``/``F``, no comments or spacing) and offsets;
    a text without a language (written answers, normalised already) as it is."""
    if language is None:
        return doc_text, np.zeros((0, 2), dtype=np.int64)
    from copydetect.utils import filter_code
    return filter_code(doc_text, "submission.py", language)  # (a named lexer: it logs nothing)


def fingerprint(text: str, language: str | None, boilerplate: np.ndarray | None = None) -> Print:
    """``text``'s fingerprints, those in ``boilerplate`` (sorted hashes) left out."""
    from copydetect.utils import winnow
    k = K_CODE if language is not None else K_WRITTEN
    code, offsets = filtered(text, language)
    every = window_hashes(code, k)
    starts = np.flatnonzero(within_units(code, len(every), k, language))
    hashes, idx = winnow(every[starts], WINDOW, remove_duplicates=False)
    hashes, idx = np.asarray(hashes, dtype=np.int64), starts[np.asarray(idx, dtype=np.int64)]
    if boilerplate is not None and len(boilerplate):
        keep = ~np.isin(hashes, boilerplate)
        hashes, idx = hashes[keep], idx[keep]
    return Print(k, hashes, idx, np.asarray(offsets, dtype=np.int64).reshape(-1, 2), np.unique(hashes))


_UNIT = {"python": re.compile(r"defF\(|classO")}  # where a function or class starts in filtered code
_UNIT_WRITTEN = re.compile(r"^## ", re.M)  # where a question's answer starts


def within_units(code: str, n: int, k: int, language: str | None) -> np.ndarray:
    """Which of the ``n`` windows of ``code`` lie within one function or class (one question's
    answer): a window across the start of one would change with the order of the functions,
    which says nothing about copying (reordered functions still match in full)."""
    pattern = _UNIT.get(language) if language is not None else _UNIT_WRITTEN
    bounds = np.array([m.start() for m in pattern.finditer(code)], dtype=np.int64)
    starts = np.arange(n, dtype=np.int64)
    if not len(bounds):
        return np.ones(n, dtype=bool)
    nxt = np.searchsorted(bounds, starts, side="right")  # the first boundary after each start
    after = np.where(nxt < len(bounds), bounds[np.minimum(nxt, len(bounds) - 1)], np.iinfo(np.int64).max)
    return after >= starts + k


def boilerplate_hashes(texts: list[str], language: str | None) -> np.ndarray:
    """The sorted fingerprints of the boilerplate texts (the starter, templates)."""
    parts = [fingerprint(t, language).unique for t in texts]
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def common_limit(n: int) -> int:
    """A fingerprint held by more than this many of ``n`` submissions is class-common."""
    return max(COMMON_MIN, int(COMMON_FRACTION * n))


def _postings(prints: list[Print]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The inverted index: every (fingerprint, document) once, grouped by fingerprint:
    ``(hash of each group, its start, its size, documents in group order)``."""
    sizes = [len(p.unique) for p in prints]
    if not sum(sizes):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    hashes = np.concatenate([p.unique for p in prints])
    docs = np.repeat(np.arange(len(prints), dtype=np.int64), sizes)
    order = np.argsort(hashes, kind="stable")  # (documents stay in ascending order in a group)
    hashes, docs = hashes[order], docs[order]
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    counts = np.diff(np.r_[starts, len(hashes)])
    return hashes[starts], starts, counts, docs


def drop_common(prints: list[Print]) -> int:
    """Leave out of every print the fingerprints held by more than :func:`common_limit`
    submissions; returns how many distinct fingerprints that was."""
    keys, _starts, counts, _docs = _postings(prints)
    common = keys[counts > common_limit(len(prints))]
    if len(common):
        for p in prints:
            keep = ~np.isin(p.hashes, common)
            p.hashes, p.idx = p.hashes[keep], p.idx[keep]
            p.unique = np.unique(p.hashes)
    return len(common)


@dataclass
class Pairs:
    """Every pair sharing at least :data:`MIN_SHARED` fingerprints: documents ``a < b``,
    ``shared`` fingerprints, and ``similarity``, sorted from the most similar."""

    a: np.ndarray
    b: np.ndarray
    shared: np.ndarray
    similarity: np.ndarray
    compared: int  # pairs that share any fingerprint (counted through the index)


def pairs(prints: list[Print]) -> Pairs:
    """Count the shared fingerprints of every pair through the inverted index (a fingerprint held
    by ``m`` documents adds one to each of its ``m(m-1)/2`` pairs), never pair by pair."""
    n = len(prints)
    _keys, starts, counts, docs = _postings(prints)
    limit = common_limit(n)
    counter = _Counter(n)
    for m in np.unique(counts):
        if m < 2 or m > limit:
            continue
        first = starts[counts == m]
        ia, ib = np.triu_indices(int(m), 1)
        per = max(1, _CHUNK // len(ia))
        for lo in range(0, len(first), per):
            group = docs[first[lo:lo + per, None] + np.arange(m)]  # (groups, m), ascending
            counter.add(group[:, ia].ravel() * n + group[:, ib].ravel())
    keys, shared = counter.result()
    sizes = np.array([len(p.unique) for p in prints], dtype=np.int64)
    compared = len(keys)
    keep = shared >= MIN_SHARED
    keys, shared = keys[keep], shared[keep]
    a, b = keys // n, keys % n
    smaller = np.maximum(np.minimum(sizes[a], sizes[b]), 1)
    sim = np.minimum(shared / smaller, 1.0)
    order = np.lexsort((b, a, -shared, -sim))  # most similar first; ties: more shared, then by id
    return Pairs(a[order], b[order], shared[order], sim[order], compared)


class _Counter:
    """How many times each pair key (``a * n + b``) was added: one dense array for a class of
    up to 2,048, sorted unique keys merged chunk by chunk beyond."""

    def __init__(self, n: int):
        self.n = n
        self.dense = np.zeros(n * n, dtype=np.int32) if n * n <= _DENSE_MAX else None
        self.keys = np.zeros(0, dtype=np.int64)
        self.counts = np.zeros(0, dtype=np.int64)

    def add(self, keys: np.ndarray) -> None:
        if self.dense is not None:
            self.dense += np.bincount(keys, minlength=self.n * self.n).astype(np.int32)
            return
        k, c = np.unique(keys, return_counts=True)
        allk, allc = np.concatenate([self.keys, k]), np.concatenate([self.counts, c])
        self.keys, inv = np.unique(allk, return_inverse=True)
        self.counts = np.bincount(inv, weights=allc).astype(np.int64)

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        if self.dense is not None:
            keys = np.flatnonzero(self.dense)
            return keys.astype(np.int64), self.dense[keys].astype(np.int64)
        return self.keys, self.counts


def overlap(doc: Document, mine: Print, theirs: Print) -> tuple[np.ndarray, float]:
    """The regions of ``doc`` (raw text positions, copydetect's 2×N slices) made of fingerprints
    ``theirs`` has too, and the share of ``doc``'s text they cover."""
    from copydetect.utils import get_copied_slices
    shared = np.intersect1d(mine.unique, theirs.unique, assume_unique=True)
    idx = mine.idx[np.isin(mine.hashes, shared)]
    slices = get_copied_slices(idx, mine.k).astype(np.int64)
    if slices.shape[1] == 0:
        return slices, 0.0
    if len(mine.offsets):  # filtered positions -> the student's text (as copydetect's compare_files)
        at = np.clip(np.searchsorted(mine.offsets[:, 0], slices), 0, mine.offsets.shape[0] - 1)
        slices = slices + mine.offsets[:, 1][at]
    slices = np.clip(slices, 0, len(doc.text))
    return slices, float(np.sum(slices[1] - slices[0])) / max(len(doc.text), 1)
