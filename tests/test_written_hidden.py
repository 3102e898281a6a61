"""Written answers that the rendered page does not show, or shows changed: attack round aside5.

A wrong answer must never pass because part of what the student wrote was not read: text after a
comma that could change the value (``…, squared``, ``c_w = 3,7``, ``…, \\quad a \\ne b``) makes
the answer unreadable, with the piece named; text hidden from the rendered page (an HTML comment,
``\\iffalse``, a ``comment`` environment, a ``%`` comment) is not graded; a thousand minus signs
are refused as nested too deeply, like any other nesting."""
from __future__ import annotations

import pytest

from tests.test_written import verdict

SIZES = "c_h = 3\np_w = 2\np_h = 2"


# --- 3. nesting through signs and exponents counts toward MAX_DEPTH -------------------------

@pytest.mark.parametrize("qid, text", [
    ("1.1", "c_w = " + "-" * 1000 + "3\n" + SIZES),  # attack 19: RecursionError leaked as the verdict
    ("1.1", "c_w = " + "- " * 1000 + "3\n" + SIZES),
    ("1.1", "c_w = " + "2^" * 1000 + "1\n" + SIZES),  # a tower of exponents
    ("1.1", "c_w = 2" + "^-2" * 1000 + "\n" + SIZES),
    ("1.3", "z[pi,pj,k] = " + "-" * 5000 + "y[pi,pj,k]"),
])
def test_a_thousand_signs_or_exponents_are_nested_too_deeply_not_a_recursion_error(qid, text):
    assert "nested too deeply" in verdict(qid, text)


def test_a_few_signs_still_read():
    assert verdict("1.1", "c_w = --3\n" + SIZES) == "passed"
    assert verdict("1.1", "c_w = -(-3)\n" + SIZES) == "passed"
    assert verdict("1.1", "c_w = +++3\n" + SIZES) == "passed"
    assert verdict("1.1", "c_w = ---3\n" + SIZES).startswith("failed")
    assert verdict("1.1", "c_w = " + "-" * 1000 + "+" * 1000 + "3\n" + SIZES).startswith("error")
