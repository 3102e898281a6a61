"""grader.text: one sanitizer for pages and parsed files, one number formatter (and its family),
one file-name length rule."""
from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from grader import text


@pytest.mark.parametrize("x,shown", [
    (2.0, "2"), (-0.0, "0"), (0.1 + 0.2, "0.3"), (1234567.0, "1234567"), (1.5e9, "1500000000"),
    (1e15, "1e+15"), (1.23456789, "1.23457"), (math.nan, "nan"), (math.inf, "inf"), (-math.inf, "-inf"),
    (7, "7"), (10 ** 20, "100000000000000000000"), (np.int64(10 ** 16), "10000000000000000"),
    (np.float64(2.5), "2.5"), (np.float32(0.5), "0.5"), (True, "True"), (np.bool_(False), "False"),
    ("n/a", "n/a"),
])
def test_number(x, shown):
    assert text.number(x) == shown


def test_number_digits():
    assert text.number(1.23456789, 3) == "1.23" and text.number(2.0, 3) == "2"


@pytest.mark.parametrize("c,shown", [
    (0.5, "1/2"), (-0.75, "-3/4"), (2.0, "2"), (0, "0"), (1 / 3, "1/3"), (1 / 16, "1/16"),
    (0.123456789, "0.123457"), (math.nan, "nan"), (math.inf, "inf"),
])
def test_constant(c, shown):
    assert text.constant(c) == shown


def test_shape():
    assert [text.shape(s) for s in [(2, 3), (5,), ()]] == ["(2, 3)", "(5,)", "()"]


def test_outputs_use_the_one_formatter():
    """Verdicts, reports and grade files show a number alike (no private formatter left)."""
    import inspect
    from grader.feedback import diagnose, probes
    from grader.judge import compare
    from grader.outputs import export, formats, report
    for mod in (compare, diagnose, probes, export, formats, report):
        source = inspect.getsource(mod)
        assert "def _num" not in source and "def fmt_num" not in source
        assert ":.6g}" not in source and ":.4g}" not in source and ":.3g}" not in source, mod.__name__
        assert '("," if len(' not in source, mod.__name__  # (a shape written out)


# ----------------------------------------------------------------------------- printable

NASTY = "a\x00b\x1b[31mred\x1b[0m\x1b[?25l\x1b[>0c\x1b[38;5;1m\x1b]0;title\x07\x7f\x85\ud800\ufffe\uffff\tx\ny\rz é 中"


def test_printable_drops_escape_sequences_and_marks_controls():
    # (an OSC's text stays: only its ESC ] and the BEL that ends it go)
    assert text.printable(NASTY) == "a\ufffdbred0;title" + "\ufffd" * 6 + "\tx\ny\rz é 中"
    assert text.printable(NASTY, mark="") == "abred0;title\tx\ny\rz é 中"
    assert text.printable(None) == "" and text.printable(3) == "3"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10ffff), max_size=60)
       | st.lists(st.sampled_from(["\x1b", "[", "31", "m", ";", "?", "\x00", "\ud800", "\ufffe", "a", "\n"]),
                  max_size=30).map("".join))
def test_printable_text_is_xml_and_holds_no_escape(s):
    from xml.parsers import expat
    for mark in ("\ufffd", ""):
        out = text.printable(s, mark)
        assert "\x1b" not in out
        expat.ParserCreate().Parse(f"<a>{out.replace('&', '').replace('<', '')}</a>".encode("utf-8", "surrogatepass"), True)
    assert text.printable(s, "") == text.printable(s).replace("\ufffd", "") or "\ufffd" in s


def test_pages_and_files_use_the_one_sanitizer():
    import inspect
    from grader.outputs import formats, report
    for mod in (formats, report):
        source = inspect.getsource(mod)
        assert "x1b" not in source and "def _pattern" not in source, mod.__name__


# ----------------------------------------------------------------------------- file names

def _size(name: str) -> int:
    return len(os.fsencode(name))


@settings(max_examples=300, deadline=None)
@given(stem=st.text(min_size=1, max_size=300), ext=st.sampled_from(["", ".json", ".html", ".py", ".x" * 200]),
       limit=st.sampled_from([255, 200, 20, 5]))
def test_file_name_fits_and_keeps_what_it_can(stem, ext, limit):
    stem = stem.replace("\x00", "_")
    name = stem + ext
    out = text.file_name(name, limit)
    if _size(name) <= limit:
        assert out == name
        return
    assert _size(out) <= limit
    before, dot, after = name.rpartition(".")
    kept = dot + after if dot and before and _size(dot + after) < limit else ""
    assert out.endswith(kept) and name.startswith(out[:len(out) - len(kept)])
    assert _size(out) >= limit - 3  # (at most one character, cut in two, is dropped)


def test_file_name_cuts_whole_characters():
    assert text.file_name("学" * 100 + ".json") == "学" * 83 + ".json"  # 249 + 5 bytes
    assert text.file_name("a" * 300) == "a" * 255
    assert text.file_name("short.txt") == "short.txt"


def test_student_file_names_are_safe_unique_and_fit():
    used: set[str] = set()
    names = [text.student_file_name(s, used, ".json") for s in
             ["a/b", "A/B", "Élodie", "..", "", "学" * 120, "学" * 120, "../../etc/passwd"]]
    assert names[:5] == ["a_b.json", "A_B-2.json", "Élodie.json", "student.json", "student-2.json"]
    assert names[7] == "_.._etc_passwd.json"
    assert names[5] != names[6] and all(_size(n) <= 255 and n.endswith(".json") for n in names)
    assert used == {n.lower() for n in names}


def test_a_long_target_is_written_through_its_temporary_file(tmp_path):
    """The temporary name added ~50 bytes to the target's: a legal 250-byte name could not
    be written (ENAMETOOLONG), and a stale temporary of it is still found and removed."""
    from grader.outputs import atomic
    target = tmp_path / ("a" * 246 + ".xml")
    atomic.write_text(target, "hi")
    assert target.read_text() == "hi" and _size(atomic.temp_name(target).name) <= 255
    pid = str(os.getpid())
    stale = tmp_path / atomic.temp_name(target).name.replace(f"-{pid}-", f"-{'9' * len(pid)}-", 1)
    stale.write_text("left by a killed run")
    other = tmp_path / atomic.temp_name(tmp_path / "b.xml").name.replace(f"-{pid}-", f"-{'9' * len(pid)}-", 1)
    other.write_text("another target's")
    assert atomic.remove_stale_temps(target) == [stale] and other.exists()


def test_safe_name_keeps_a_name_on_one_line():
    from grader.text import safe_name, safe_text
    assert safe_name("a\nb\tc\x1b") == "a\\x0ab\\x09c\\x1b"
    assert safe_text("a\nb") == "a\nb"  # a message may have lines; a name may not


def test_safe_name_shows_bytes_that_are_not_utf8_as_escapes():
    """Latin-1 ``René.py`` and ``Renè.py`` both became ``Ren\\ufffd``: one student vanished and the
    other's grade was whichever file counted.  Each undecodable byte is now its escape."""
    from grader.text import safe_name
    assert safe_name(os.fsdecode(b"Ren\xe9")) == "Ren\\xe9"
    assert safe_name(os.fsdecode(b"Ren\xe8")) == "Ren\\xe8"
    assert safe_name(os.fsdecode(b"\xff\xfeodd")) == "\\xff\\xfeodd"
    assert safe_name("René") == "René"  # valid UTF-8 names are unchanged
    assert safe_name("\ud800") == "\ufffd"  # (a lone surrogate that stands for no byte)


def _unescape(name_id: str) -> str:
    """The name an id was made from, read back by the escape rules safe_name documents: ``\\\\``
    a backslash, ``\\xNN`` a control (below 0x80) or an undecodable byte, ``\\uNNNN`` a
    character; any other backslash itself."""
    out, i = [], 0
    while i < len(name_id):
        c, nxt = name_id[i], name_id[i + 1:i + 2]
        if c == "\\" and nxt == "\\":
            out.append("\\"); i += 2
        elif c == "\\" and nxt == "x":
            b = int(name_id[i + 2:i + 4], 16); out.append(chr(b) if b < 0x80 else chr(0xdc00 + b)); i += 4
        elif c == "\\" and nxt == "u":
            out.append(chr(int(name_id[i + 2:i + 6], 16))); i += 6
        else:
            out.append(c); i += 1
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.binary(max_size=40))
def test_safe_name_of_any_file_name_is_printable_utf8_and_tells_names_apart(a, b):
    """Any bytes a file name can hold give a one-line UTF-8 id; two names give the same id only
    when they are the same name: the id reads back to the name (backslashes of the name's own
    included: a file literally named ``Ren\\xe9.py`` is not latin-1 ``René.py``)."""
    from grader.text import safe_name, typed_name
    na, nb = safe_name(os.fsdecode(a)), safe_name(os.fsdecode(b))
    na.encode("utf-8")
    assert "\n" not in na and "\t" not in na
    assert "\ufffd" not in na or "\ufffd" in os.fsdecode(a)  # (only where the name itself holds U+FFFD)
    assert typed_name(na) == na  # stable: an id given back is the same id
    assert os.fsencode(_unescape(na)) == a
    if a != b:
        assert na != nb


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["\\", "x", "u", "e9", "00", "85", "\udce9", "\udc85", "\x85", "\x1b", "\n", "a"]),
                max_size=12).map("".join))
def test_safe_name_reads_back_from_the_characters_that_make_escapes(name):
    """The characters escapes are made of, next to one another (random bytes seldom spell
    ``\\xe9``): the id still reads back to the name."""
    from grader.text import safe_name
    assert _unescape(safe_name(name)) == name


def test_a_literal_backslash_name_is_not_an_undecodable_one():
    """Latin-1 ``René.py`` (20/20) and a file literally named ``Ren\\xe9.py`` (16/20) were both
    ``Ren\\xe9``: one student, and the 20/20 was lost.  A backslash of the name is doubled where
    it could be read as an escape; every other id is as it was."""
    from grader.text import safe_name
    assert safe_name(os.fsdecode(b"Ren\xe9")) == "Ren\\xe9"
    assert safe_name("Ren\\xe9") == "Ren\\\\xe9"
    assert safe_name("C\\u0085") == "C\\\\u0085" and safe_name("\x85") == "\\u0085" != safe_name(os.fsdecode(b"\x85"))
    assert safe_name("a\\b") == "a\\b" and safe_name("tail\\") == "tail\\"  # (no escape reads there)
    assert safe_name("alice") == "alice" and safe_name("José") == "José"
