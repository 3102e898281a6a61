"""Property tests of the parsers of untrusted submissions (issue 12): whatever the bytes, the zip
structure, the notebook JSON or the folder tree, ``prepare`` never raises, sets either an error
(one line) or a directory holding the main file, and writes nothing outside its destination."""
from __future__ import annotations

import io
import json
import struct
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from grader.intake.discover import Submission, prepare
from grader.intake.notebook import neutralize, to_python

FUNCS = ["layer_sizes", "conv_forward", "sum_pool"]
pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")  # (zipfile, building them)
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _prepare_checked(make, then=None) -> Submission:
    """Make the entry in a fresh folder, prepare it, check the invariants."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "subs").mkdir()
        (base / "beside").mkdir()
        (base / "beside" / "keep.txt").write_text("x")
        entry = make(base / "subs")
        before = _snapshot(base)
        sub = Submission(student="s", source=entry)
        dest = base / "work" / "s00000"
        prepare(sub, FUNCS, dest)  # must not raise
        assert {p for p in _snapshot(base) if p != "work" and not p.startswith("work/")} == before
        if sub.error:
            assert sub.directory is None and "\n" not in sub.error
            assert not dest.exists()
        else:
            assert sub.directory is not None and sub.main.endswith(".py")
            assert sub.directory.resolve().is_relative_to(dest.resolve())
            assert (sub.directory / sub.main).is_file() and sub.digest
            json.dumps(sub.main, ensure_ascii=False).encode("utf-8")  # a name any output can carry
            if then is not None:
                then(sub)
        return sub


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_as_zip(data):
    def make(d):
        (d / "a.zip").write_bytes(data)
        return d / "a.zip"
    _prepare_checked(make)


@SETTINGS
@given(st.binary(max_size=300), st.integers(0, 200))
def test_arbitrary_bytes_inside_a_real_zip(noise, at):
    """A valid zip with bytes overwritten somewhere: headers, data or the directory."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("hw4.py", b"def sum_pool(y):\n    return y\n" * 5)
        zf.writestr("sub/helper.py", b"X = 1\n")
    data = bytearray(buf.getvalue())
    at = at % len(data)
    data[at:at + len(noise)] = noise

    def make(d):
        (d / "a.zip").write_bytes(bytes(data))
        return d / "a.zip"
    _prepare_checked(make)


NAME_PARTS = st.one_of(st.sampled_from([".", "..", "", "__MACOSX", ".hidden", "a", "hw4.py", "x.ipynb", "C:",
                                        "n" * 300, "é", "\\", "a\\..", "y.py.txt", "\x00"]),
                       st.text(min_size=1, max_size=12))
ENTRY = st.tuples(
    st.lists(NAME_PARTS, min_size=1, max_size=6).map("/".join) | st.just("d/" * 40 + "x.py"),
    st.binary(max_size=200) | st.sampled_from([b"def sum_pool(y):\n    return y\n", b"{}", b"(" * 5000]),
    st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]),
    st.sampled_from([0, 0, 0o120777 << 16, 0o010644 << 16, 0o040755 << 16]),  # file, link, fifo, dir
)


@SETTINGS
@given(st.lists(ENTRY, max_size=8), st.lists(st.tuples(st.sampled_from(["flag", "method", "count", "size"]),
                                                        st.integers(0, 0xFFFF)), max_size=3))
def test_arbitrary_zip_structures(entries, forgeries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, method, attr in entries:
            info = zipfile.ZipInfo(name or "x")
            info.compress_type, info.external_attr = method, attr
            try:
                zf.writestr(info, data)
            except (ValueError, UnicodeError):
                pass
    data = bytearray(buf.getvalue())
    for what, value in forgeries:
        if what in ("flag", "method"):  # in every central directory record
            i = 0
            while (i := data.find(b"PK\x01\x02", i)) >= 0 and i + 12 <= len(data):
                off = 8 if what == "flag" else 10
                data[i + off:i + off + 2] = struct.pack("<H", value)
                i += 4
        else:  # the end record's entry count or directory size
            i = data.rfind(b"PK\x05\x06")
            if i >= 0:
                off, fmt = (10, "<H") if what == "count" else (12, "<L")
                data[i + off:i + off + struct.calcsize(fmt)] = struct.pack(fmt, value * (1 if what == "count" else 977))

    def make(d):
        (d / "a.zip").write_bytes(bytes(data))
        return d / "a.zip"
    _prepare_checked(make)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
                    max_leaves=20)
CELL = st.fixed_dictionaries({"cell_type": st.sampled_from(["code", "markdown", "raw", "other"]),
                              "source": st.text(max_size=200) | st.lists(st.text(max_size=40), max_size=4) | JSON},
                             optional={"metadata": JSON, "outputs": JSON, "id": JSON})
NOTEBOOK = st.one_of(JSON, st.fixed_dictionaries({
    "nbformat": st.sampled_from([4, 4, 3, 5, "4", None]), "nbformat_minor": st.integers(-1, 6),
    "metadata": JSON, "cells": st.lists(CELL, max_size=5) | JSON}))


@SETTINGS
@given(NOTEBOOK)
def test_arbitrary_notebook_json(nb):
    def make(d):
        (d / "n.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        return d / "n.ipynb"
    _prepare_checked(make, lambda sub: compile((sub.directory / sub.main).read_text(encoding="utf-8"), "n.py", "exec"))


IPYTHON_LINE = st.sampled_from(["%matplotlib inline", "!ls", "x = !ls", "y = %who", "obj?", "??obj", "%%bash",
                                "%%time", "%time z = 1", "'''", '"""', "(", ")", "\\", "# c", "    !pip x", "% 2",
                                "def f(:", "'a", "\"b\\"])


@SETTINGS
@given(st.lists(IPYTHON_LINE | st.text(max_size=30), max_size=12).map("\n".join))
def test_neutralize_keeps_line_numbers_and_driver_compiles(source):
    out = neutralize(source)
    assert out.count("\n") == source.count("\n")
    compile(to_python([(1, source), (3, out)], "nb \x1b\u202e.ipynb"), "d.py", "exec")


TREE = st.recursive(st.binary(max_size=50) | st.just(b"def sum_pool(y):\n    return y\n") | st.just("LINK"),
                    lambda kids: st.dictionaries(NAME_PARTS.filter(lambda n: n and "/" not in n and "\x00" not in n
                                                                   and n not in (".", "..") and len(n.encode()) < 200),
                                                 kids, max_size=4), max_leaves=12)


def _build(path: Path, node, outside: Path) -> None:
    if isinstance(node, dict):
        path.mkdir()
        for name, kid in node.items():
            try:
                _build(path / name, kid, outside)
            except (OSError, ValueError):
                pass
    elif node == "LINK":
        path.symlink_to(outside)
    else:
        path.write_bytes(node)


@SETTINGS
@given(st.dictionaries(st.just("kid"), TREE, min_size=1).map(lambda d: d["kid"]))
def test_random_folder_trees(tree):
    def make(d):
        _build(d / "folder", tree if isinstance(tree, dict) else {"f.py": tree}, d.parent / "beside")
        return d / "folder"
    _prepare_checked(make)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_characters="/\x00"), max_size=30).filter(lambda n: n not in ("", ".")))
def test_the_stem_of_an_entry_name_is_pathlibs(name):
    """discover's own stem (pathlib's interns every name it parses) agrees with Path.stem."""
    from pathlib import Path

    from grader.intake.discover import _stem
    assert _stem(name) == Path(name).stem
