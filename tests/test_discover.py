"""Finding submissions: files, folders, zips (safely), unicode ids, nothing written back."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SUBMISSIONS
from grader.intake.discover import discover

FUNCS = ["layer_sizes", "conv_forward", "sum_pool"]


def _zip(path, entries: dict[str, bytes], links=()):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)
            zf.writestr(info, "/etc/passwd")


def test_kinds_and_ids(tmp_path):
    src = tmp_path / "subs"
    src.mkdir()
    (src / "élodie_Ünal.py").write_text("def layer_sizes(): pass\n", encoding="utf-8")
    (src / "bob").mkdir()
    (src / "bob" / "helpers.py").write_text("X = 1\n")
    (src / "bob" / "main.py").write_text("from helpers import X\ndef conv_forward(x, w): pass\n")
    _zip(src / "carol.zip", {"carol/hw4.py": b"def sum_pool(y): pass\n"})
    (src / "notes.txt").write_text("hi")
    (src / ".DS_Store").write_text("x")
    subs = {s.student: s for s in discover(src, FUNCS, tmp_path / "work")}
    assert set(subs) == {"élodie_Ünal", "bob", "carol", "notes"}
    assert subs["bob"].main == "main.py" and (subs["bob"].directory / "helpers.py").exists()
    assert subs["carol"].main == "hw4.py" and not subs["carol"].error
    assert "not a .py file" in subs["notes"].error
    assert subs["élodie_Ünal"].directory != src  # a private copy, never the shared folder


@pytest.mark.parametrize("name", ["../evil.py", "/abs/evil.py", "a/../../evil.py", "C:/evil.py"])
def test_zip_traversal_refused(tmp_path, name):
    src = tmp_path / "subs"
    src.mkdir()
    _zip(src / "mallory.zip", {"hw4.py": b"def sum_pool(y): pass\n", name: b"x"})
    (sub,) = discover(src, FUNCS, tmp_path / "work")
    assert "outside" in sub.error and "mallory.zip" in sub.error
    assert not (tmp_path / "evil.py").exists() and not (tmp_path / "work" / "evil.py").exists()


def test_zip_symlink_and_bomb_refused(tmp_path):
    src = tmp_path / "subs"
    src.mkdir()
    _zip(src / "link.zip", {"hw4.py": b"def sum_pool(y): pass\n"}, links=["secret.py"])
    with zipfile.ZipFile(src / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("hw4.py", b"def sum_pool(y): pass\n")
        zf.writestr("pad.bin", b"\0" * (30 << 20))
    (src / "bad.zip").write_bytes(b"not a zip")
    subs = {s.student: s for s in discover(src, FUNCS, tmp_path / "work")}
    assert "symbolic link" in subs["link"].error
    assert "MiB" in subs["bomb"].error
    assert "bad.zip" in subs["bad"].error


def test_folder_symlinks_not_followed(tmp_path):
    src = tmp_path / "subs"
    (src / "eve").mkdir(parents=True)
    (src / "eve" / "hw4.py").write_text("def sum_pool(y): pass\n")
    (tmp_path / "other.py").write_text("SECRET = 1\n")
    (src / "eve" / "other.py").symlink_to(tmp_path / "other.py")
    (sub,) = discover(src, FUNCS, tmp_path / "work")
    assert not (sub.directory / "other.py").exists()


def test_no_python_and_wrong_names(tmp_path):
    src = tmp_path / "subs"
    (src / "dave").mkdir(parents=True)
    (src / "dave" / "readme.md").write_text("x")
    (src / "fay").mkdir()
    (src / "fay" / "a.py").write_text("def foo(): pass\n")
    (src / "fay" / "b.py").write_text("def bar(): pass\n")
    subs = {s.student: s for s in discover(src, FUNCS, tmp_path / "work")}
    assert "no .py file" in subs["dave"].error
    assert "check the function names" in subs["fay"].error


def test_examples_digest_stable(tmp_path):
    a = {s.student: s.digest for s in discover(SUBMISSIONS, FUNCS, tmp_path / "w1")}
    b = {s.student: s.digest for s in discover(SUBMISSIONS, FUNCS, tmp_path / "w2")}
    assert a == b and all(a.values())


# --- hostile and accidental entries (issue 12): each one student's error, never the run's ------

import struct
import time
import warnings

from grader.intake.discover import MAX_DEPTH, Submission, prepare

OK_PY = b"def sum_pool(y):\n    return y\n"


def _patch_headers(path, name: bytes, offset_local: int, offset_central: int, value: bytes):
    """Overwrite a field of ``name``'s local and central headers (forging what zipfile won't write)."""
    data = bytearray(path.read_bytes())
    for sig, off, at in ((b"PK\x03\x04", 30, offset_local), (b"PK\x01\x02", 46, offset_central)):
        i = 0
        while (i := data.find(sig, i)) >= 0:
            if data[i + off:i + off + len(name)] == name:
                data[i + at:i + at + len(value)] = value
            i += 4
    path.write_bytes(bytes(data))


def _forged_directory(path, n: int, real: int | None = None) -> None:
    """A zip64 archive whose end record says its central directory lists ``n`` entries; it
    really holds ``real`` records (default ``n``) and no data at all."""
    record = struct.pack("<4s6H3L5HLL", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0) + b"a"
    cd = record * (n if real is None else real)
    z64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, len(cd), 0)
    loc = struct.pack("<4sLQL", b"PK\x06\x07", 0, len(cd), 1)
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path.write_bytes(cd + z64 + loc + eocd)


def _prepared(tmp_path, name, make):
    src = tmp_path / "subs"
    src.mkdir(exist_ok=True)
    make(src / name)
    sub = Submission(student="x", source=src / name)
    prepare(sub, FUNCS, tmp_path / "work" / name)
    return sub


def _zip_with(path, name, data=OK_PY, compression=zipfile.ZIP_STORED):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (duplicate names: zipfile warns, and writes them)
        with zipfile.ZipFile(path, "w", compression=compression) as zf:
            zf.writestr("hw4.py", OK_PY)
            if name is not None:
                zf.writestr(zipfile.ZipInfo(name) if isinstance(name, str) else name, data)


def _encrypted(p):
    _zip_with(p, "other.py", b"X = 1\n")
    _patch_headers(p, b"other.py", 6, 8, b"\x01\x00")


def _deflate64(p):
    _zip_with(p, "other.py", b"X = 1\n" * 50, zipfile.ZIP_DEFLATED)
    _patch_headers(p, b"other.py", 8, 10, b"\x09\x00")


def _corrupt_deflate(p):
    _zip_with(p, "other.py", os.urandom(3000).hex().encode(), zipfile.ZIP_DEFLATED)
    data = bytearray(p.read_bytes())
    i = data.find(b"PK\x03\x04", 10) + 30 + len("other.py") + 20  # inside its compressed data
    data[i:i + 200] = bytes(200)
    p.write_bytes(bytes(data))


def _bad_crc(p):
    _zip_with(p, "other.py", b"X = 1\n" * 10)
    data = p.read_bytes()
    p.write_bytes(data.replace(b"X = 1\n" * 10, b"Y = 2\n" * 10))


def _truncated(p):
    _zip_with(p, "other.py", b"X = 1\n" * 10)
    data = p.read_bytes()
    p.write_bytes(data[:40] + data[-22:])


ZIP_CASES = {
    "password-protected": (_encrypted, "password-protected"),
    "deflate64": (_deflate64, "deflate64"),
    "corrupt deflate": (_corrupt_deflate, "damaged"),
    "bad crc": (_bad_crc, "damaged"),
    "truncated": (_truncated, "zip"),
    "dot file entry": (lambda p: _zip_with(p, "."), "not a file name"),
    "dotdot": (lambda p: _zip_with(p, "a/../../x.py"), "outside"),
    "backslash dotdot": (lambda p: _zip_with(p, "..\\x.py"), "outside"),
    "drive": (lambda p: _zip_with(p, "D:\\x.py"), "outside"),
    "duplicate": (lambda p: _zip_with(p, "hw4.py", b"X = 2\n"), "two entries"),
    "long name": (lambda p: _zip_with(p, "n" * 300 + ".py"), "name no disk can hold"),
    "million entries": (lambda p: _forged_directory(p, 1_000_000), "MiB"),  # (46 MB: refused by its size)
    "forged entry count": (lambda p: _forged_directory(p, 1_000_000, real=3), "1000000 entries"),
    "forged directory size": (lambda p: _forged_size(p), "bytes of file names"),
    "many files": (lambda p: _zip_many(p, 600), "files"),
    "empty file": (lambda p: p.write_bytes(b""), "not a zip"),
}


def test_zip_entries_nested_too_deep_are_left_out(tmp_path):
    """Beside a gradable hw4.py: a note; alone: the error (they were refused whole before)."""
    sub = _prepared(tmp_path, "ok.zip", lambda p: _zip_with(p, "d/" * 1500 + "x.py"))
    assert not sub.error and sub.main == "hw4.py"
    assert any(f"nested more than {MAX_DEPTH} folders deep: d/d/d" in n for n in sub.notes), sub.notes
    sub = _prepared(tmp_path, "deep.zip", lambda p: _zip(p, {"d/" * 1500 + "hw4.py": OK_PY}))
    assert sub.error.startswith("deep.zip: left out 1 file nested more than") and sub.directory is None


def _forged_size(p):
    _zip_with(p, "other.py")
    data = bytearray(p.read_bytes())
    data[-22 + 12:-22 + 16] = struct.pack("<L", 0x7FFFFFFF)  # the end record's directory size
    p.write_bytes(bytes(data))


def _zip_many(p, n):
    with zipfile.ZipFile(p, "w") as zf:
        for i in range(n):
            zf.writestr(f"f{i}.py", b"")


@pytest.mark.parametrize("case", sorted(ZIP_CASES))
def test_broken_zip_is_one_line_error(tmp_path, case):
    make, words = ZIP_CASES[case]
    t0 = time.perf_counter()
    sub = _prepared(tmp_path, "mallory.zip", make)
    assert time.perf_counter() - t0 < 3
    assert sub.error.startswith("mallory.zip: ") and words in sub.error and "\n" not in sub.error, sub.error
    assert sub.directory is None
    assert set(p.name for p in tmp_path.iterdir()) <= {"subs", "work"}  # nothing written outside dest ...
    assert not any((tmp_path / "work").glob("*"))  # ... and nothing of it left behind


def test_million_entry_directory_refused_before_parsing(tmp_path):
    """The issue's zip listed 1,000,000 entries: 600 MB and 12 s parsed before the file-count check."""
    _forged_directory(tmp_path / "m.zip", 1_000_000)
    t0 = time.perf_counter()
    sub = Submission(student="m", source=tmp_path / "m.zip")
    prepare(sub, FUNCS, tmp_path / "w")
    assert time.perf_counter() - t0 < 0.2 and "MiB" in sub.error
    _forged_directory(tmp_path / "f.zip", 1_000_000, real=1_000)
    t0 = time.perf_counter()
    sub = Submission(student="f", source=tmp_path / "f.zip")
    prepare(sub, FUNCS, tmp_path / "w")
    assert time.perf_counter() - t0 < 0.2 and "1000000 entries" in sub.error


def test_zip_root_entries_and_wrapper_folder_accepted(tmp_path):
    """'./' (shutil.make_archive writes it) and a wrapping folder are not mistakes."""
    def make(p):
        with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("./", b"")
            zf.writestr("./alice/", b"")
            zf.writestr("./alice/hw4.py", OK_PY)
            zf.writestr("__MACOSX/alice/._hw4.py", b"junk")
    sub = _prepared(tmp_path, "alice.zip", make)
    assert not sub.error and sub.main == "hw4.py" and (sub.directory / "hw4.py").read_bytes() == OK_PY


def _deep_folder(root, depth):
    """root/d/d/.../d (``depth`` levels), made through directory fds (paths would make it O(n^2))."""
    fd = os.open(root, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        fd, old = os.open("d", os.O_RDONLY, dir_fd=fd), fd
        os.close(old)
    return fd


def _remove_deep(root, depth, fd):
    """Remove root/d/d/.../d with two descriptors at most: shutil.rmtree and os.walk recurse on
    Python < 3.12, and opening every level at once runs out of descriptors for a user whose
    limit is 1024 (a student's laptop)."""
    for name in os.listdir(fd):
        os.unlink(name, dir_fd=fd)
    os.close(fd)
    top = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):  # lift the chain one level, remove the emptied top folder
            try:
                os.rename("d/d", "d.next", src_dir_fd=top, dst_dir_fd=top)
            except FileNotFoundError:
                os.rmdir("d", dir_fd=top)
                return
            os.rmdir("d", dir_fd=top)
            os.rename("d.next", "d", src_dir_fd=top, dst_dir_fd=top)
    finally:
        os.close(top)


def test_folder_nested_1500_deep(tmp_path):
    src = tmp_path / "subs" / "deep"
    src.mkdir(parents=True)
    (src / "hw4.py").write_bytes(OK_PY)
    fd = _deep_folder(src, 1500)
    os.close(os.open("x.py", os.O_CREAT | os.O_WRONLY, dir_fd=fd))
    try:
        sub = Submission(student="deep", source=src)
        prepare(sub, FUNCS, tmp_path / "w")  # the hw4.py at the top is graded, the rest left out
        assert not sub.error and sub.main == "hw4.py"
        assert any(f"left out 1 folder nested more than {MAX_DEPTH} folders deep" in n for n in sub.notes)
        (src / "hw4.py").unlink()
        sub = Submission(student="deep", source=src)
        prepare(sub, FUNCS, tmp_path / "w2")  # nothing gradable left: the error says what was left out
        assert f"nested more than {MAX_DEPTH} folders deep" in sub.error and "\n" not in sub.error
    finally:
        _remove_deep(src, 1500, fd)


def test_folder_with_unparsable_second_file(tmp_path):
    """A second .py that made ast.parse raise RecursionError/MemoryError while choosing the main file."""
    src = tmp_path / "subs" / "bob"
    src.mkdir(parents=True)
    (src / "hw4.py").write_bytes(OK_PY)
    (src / "deep.py").write_text("x = " + "(" * 200_000 + ")" * 200_000 + "\n" + "[" * 100_000)
    (src / "hw4b.py").write_text("def sum_pool(y):\n    return " + "-" * 1_000_000 + "y\n")
    sub = Submission(student="bob", source=src)
    prepare(sub, FUNCS, tmp_path / "w")
    assert not sub.error and sub.main == "hw4.py"


def test_special_files_skipped_or_refused(tmp_path):
    src = tmp_path / "subs"
    (src / "eve").mkdir(parents=True)
    (src / "eve" / "hw4.py").write_bytes(OK_PY)
    os.mkfifo(src / "eve" / "pipe.py")
    os.mkfifo(src / "fifo.py")
    subs = {s.student: s for s in discover(src, FUNCS, tmp_path / "work")}
    assert not subs["eve"].error and not (subs["eve"].directory / "pipe.py").exists()
    assert "not a regular file" in subs["fifo"].error


def test_py_txt_graded_with_a_note(tmp_path):
    src = tmp_path / "subs"
    src.mkdir()
    (src / "zoe.py.txt").write_bytes(OK_PY)
    (sub,) = discover(src, FUNCS, tmp_path / "work")
    assert sub.student == "zoe" and not sub.error and sub.main == "zoe.py"
    assert sub.notes and ".txt" in sub.notes[0]


def test_invalid_utf8_and_long_names(tmp_path):
    src = tmp_path / "subs"
    src.mkdir()
    (src / os.fsdecode(b"caf\xe9.py")).write_bytes(OK_PY)  # Latin-1 bytes, not UTF-8
    (src / ("l" * 251 + ".py")).write_bytes(OK_PY)  # a legal 254-byte name
    subs = discover(src, FUNCS, tmp_path / "work")
    assert [s.error for s in subs] == ["", ""]
    for s in subs:
        s.student.encode("utf-8")  # (a lone surrogate would not encode)
        s.main.encode("utf-8")
        assert (s.directory / s.main).read_bytes() == OK_PY


def test_names_differing_only_in_bytes_that_are_not_utf8_are_two_students(tmp_path):
    """Latin-1 ``René.py`` (right) and ``Renè.py`` (wrong) both became student ``Ren\\ufffd``: one
    student vanished and the other's grade came from whichever file counted.  Each undecodable
    byte is its escape, the same on every run; a name in UTF-8 keeps its id."""
    src = tmp_path / "subs"
    src.mkdir()
    (src / os.fsdecode(b"Ren\xe9.py")).write_bytes(OK_PY)
    (src / os.fsdecode(b"Ren\xe8.py")).write_bytes(OK_PY + b"\n# another\n")
    (src / "René.py").write_bytes(OK_PY)
    for run in ("first", "again"):
        subs = discover(src, FUNCS, tmp_path / run)
        assert sorted((s.student, s.others, s.error) for s in subs) == [
            ("Ren\\xe8", (), ""), ("Ren\\xe9", (), ""), ("René", (), "")]
    from grader.course.shard import student_key
    assert sorted(student_key(p) for p in src.iterdir()) == ["Ren\\xe8", "Ren\\xe9", "René"]


def test_a_file_literally_named_like_an_escape_is_another_student(tmp_path):
    """Latin-1 ``René.py`` (id ``Ren\\xe9``) beside a file literally named ``Ren\\xe9.py``
    (backslash, x, e, 9) were one student ``Ren\\xe9``: the second's file counted and the
    first's 20/20 was lost.  The literal backslash is doubled in its id (``Ren\\\\xe9``), and every
    input that names a student (``--only``, a ledger, a shard key) tells the two apart."""
    src = tmp_path / "subs"
    src.mkdir()
    (src / os.fsdecode(b"Ren\xe9.py")).write_bytes(OK_PY)
    (src / "Ren\\xe9.py").write_bytes(OK_PY + b"\n# another\n")
    subs = discover(src, FUNCS, tmp_path / "w")
    assert sorted((s.student, s.others, s.error) for s in subs) == [("Ren\\\\xe9", (), ""), ("Ren\\xe9", (), "")]
    from grader.assignment import normalize_student
    from grader.course.ledger import key
    from grader.course.shard import student_key
    assert sorted(student_key(p) for p in src.iterdir()) == ["Ren\\\\xe9", "Ren\\xe9"]
    # an id typed as shown, or as raw bytes, is the id discovery gave; the two ids stay two
    assert normalize_student("Ren\\xe9") == normalize_student(os.fsdecode(b"Ren\xe9")) == "Ren\\xe9"
    assert normalize_student("Ren\\\\xe9") == "Ren\\\\xe9" != normalize_student("Ren\\xe9")
    assert {key(s.student) for s in subs} == {"Ren\\xe9", "Ren\\\\xe9"}


def test_grading_goes_on_beside_every_broken_entry(tmp_path):
    """One folder with each broken-entry category beside an honest neighbour: the run completes,
    the neighbour has full marks, every broken entry is status error with a one-line reason."""
    import json
    import shutil

    from grader.api import Options, grade
    src = tmp_path / "subs"
    src.mkdir()
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", src / "honest.py")
    for i, case in enumerate(sorted(ZIP_CASES)):
        ZIP_CASES[case][0](src / f"z{i:02d}.zip")
    (src / "notes.txt").write_text("hi")
    (src / "huge.py").write_bytes(b"#" * (6 << 20))
    (src / "linked.py").symlink_to(src / "honest.py")
    (src / "twin.py").write_bytes(OK_PY)
    (src / "twin").mkdir()
    (src / "twin" / "hw4.py").write_bytes(OK_PY)
    (src / "empty").mkdir()
    os.mkfifo(src / "pipe.py")
    (src / "broken.ipynb").write_text('{"cells": [')
    long_name = "l" * 251 + ".py"  # legal: 254 bytes
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", src / long_name)
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", src / os.fsdecode(b"\xff\xfeodd.py"))
    run = grade(src, tmp_path / "out", Options(jobs=2, timeout=20))
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    by_source = {s["source"]: s for s in data["submissions"]}
    assert len(data["submissions"]) == len(run.submissions) == len(list(src.iterdir())) - 1  # (twin.py, twin/: one)
    assert by_source["honest.py"]["score"] == 20
    assert by_source[long_name]["score"] == 20
    odd = next(s for s in data["submissions"] if s["source"].endswith("odd.py"))
    assert odd["score"] == 20 and odd["student"] == "\\xff\\xfeodd" and odd["source"] == "\\xff\\xfeodd.py"
    assert not by_source["twin.py"]["error"]  # (a .py counts before a folder, whatever their names)
    for s in data["submissions"]:
        if s["source"] not in ("twin.py", "honest.py", long_name) and s is not odd:
            assert s["error"] and "\n" not in s["error"] and all(q["status"] == "error" for q in s["questions"]), s
        assert (tmp_path / "out" / s["report"]).is_file()
        assert len(Path(s["report"]).name.encode()) <= 255
    assert any(n.startswith("also submitted twin, not counted: twin.py counts instead") for n in by_source["twin.py"]["notes"])
    assert data["collisions"] == [{"student": "twin", "entries": ["twin", "twin.py"], "counted": "twin.py"}]
    assert by_source["huge.py"]["error"].startswith("huge.py: is larger than 5 MiB")


def test_an_error_quoting_a_name_with_a_line_break_is_one_line(tmp_path):
    """Found by Hypothesis: a folder named "\\n" holding an empty notebook gave a two-line error."""
    from grader.intake.discover import Submission, prepare
    entry = tmp_path / "subs" / "folder" / "\n"
    entry.mkdir(parents=True)
    (entry / "x.ipynb").write_bytes(b"")
    sub = Submission(student="s", source=tmp_path / "subs" / "folder")
    prepare(sub, ["layer_sizes"], tmp_path / "work" / "s")
    assert sub.error and "\n" not in sub.error and sub.directory is None


def test_a_file_saved_as_utf16_is_graded_with_a_note(tmp_path):
    """Windows Notepad's "Unicode" is UTF-16: Python cannot read it ("null bytes"), the student's
    answer is otherwise right: graded, with a note saying how to save it."""
    from conftest import SUBMISSIONS
    from grader.api import Options, check
    f = tmp_path / "hw4.py"
    f.write_bytes((SUBMISSIONS / "correct_vectorized.py").read_text().encode("utf-16"))
    res = check(f, Options())
    assert not res.error and res.score == 20
    assert any("UTF-16" in n for n in res.notes)


# --- the cache key's tree digest: an unambiguous encoding of exactly what is graded ----------------

_NAMES = st.sampled_from(["a.py", "b.py", "ab.py", "helper.py", "caf\u00e9.py", "cafe\u0301.py", "pkg",
                          "Helper.py", "x", "x.py", "a.pyc"])


def _make_tree(root: Path, tree: dict) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, value in tree.items():
        if isinstance(value, dict):
            _make_tree(root / name, value)
        else:
            (root / name).write_bytes(value)


_TREES = st.recursive(st.binary(max_size=12), lambda kids: st.dictionaries(_NAMES, kids, max_size=3), max_leaves=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.dictionaries(_NAMES, _TREES, max_size=4), b=st.dictionaries(_NAMES, _TREES, max_size=4))
def test_two_different_trees_never_share_a_digest(tmp_path, a, b):
    from grader.intake.discover import _digest
    case = tmp_path / os.urandom(6).hex()
    _make_tree(case / "a", a)
    _make_tree(case / "b", b)
    assert (_digest(case / "a") == _digest(case / "b")) == (a == b)


def test_the_digest_tells_apart_what_a_joined_or_normalized_encoding_merged(tmp_path):
    """Found by an attack round: names of two Unicode normalizations, and a two-file tree against
    one file whose bytes are the first file's name and content run together, shared a key."""
    from grader.intake.discover import _digest
    for name, tree in {"nfc": {"caf\u00e9.py": b"x"}, "nfd": {"cafe\u0301.py": b"x"},
                       "two": {"a.py": b"1", "b.py": b"2"}, "one": {"a.py": b"1b.py\x002"},
                       "empty-dir": {"a.py": b"1", "pkg": {}}, "no-dir": {"a.py": b"1"}}.items():
        _make_tree(tmp_path / name, tree)
    digests = {n: _digest(tmp_path / n) for n in ("nfc", "nfd", "two", "one", "empty-dir", "no-dir")}
    assert len(set(digests.values())) == 6, digests


# --- several entries claiming one student: one counts, by a fixed order, never by name order ---

def _notebook(code: str) -> str:
    import json
    return json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {},
                       "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                                  "source": code}]})


def test_a_broken_notebook_never_takes_the_grade_of_the_same_students_py(tmp_path):
    """honest.ipynb (broken) sorts before honest.py: it used to be graded (0/20) and the honest
    file became a "duplicate student id" error.  One row, the .py counts, the notebook is named."""
    import csv
    import json
    import shutil

    from grader.api import Options, grade
    src = tmp_path / "subs"
    src.mkdir()
    (src / "honest.ipynb").write_text('{"cells": [')
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", src / "honest.py")
    shutil.copy(SUBMISSIONS / "partial.py", src / "other.py")
    grade(src, tmp_path / "out", Options(jobs=2))
    data = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    (honest,) = [s for s in data["submissions"] if s["student"] == "honest"]
    assert honest["score"] == 20 and not honest["error"] and honest["source"] == "honest.py"
    assert any("honest.ipynb" in n and "not counted" in n for n in honest["notes"]), honest["notes"]
    assert data["collisions"] == [{"student": "honest", "entries": ["honest.ipynb", "honest.py"],
                                   "counted": "honest.py"}]
    with open(tmp_path / "out" / "grades.csv", encoding="utf-8-sig", newline="") as f:
        assert [r["student"] for r in csv.DictReader(f)] == ["honest", "other"]  # one student, one row
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "honest.ipynb" in index and "Several entries" in index


def test_which_entry_counts_never_depends_on_name_order(tmp_path):
    """Every entry of a student is prepared; one that can be graded beats one that cannot, then
    .py, folder, .zip, notebook, .py.txt (whatever their names sort as); the others are noted."""
    src = tmp_path / "subs"
    src.mkdir()
    (src / "b.ipynb").write_text(_notebook(OK_PY.decode()))  # gradable, but a .py comes first
    (src / "b.py").write_bytes(OK_PY)
    (src / "d.py.txt").write_bytes(OK_PY)
    _zip(src / "d.zip", {"hw4.py": OK_PY})
    (src / "e.ipynb").write_text(_notebook(OK_PY.decode()))
    (src / "e.zip").write_bytes(b"not a zip")  # a .zip comes first, but this one cannot be graded
    (src / "f.ipynb").write_text('{"cells": [')
    (src / "f.txt").write_text("neither")
    for lazy in (False, True):
        subs = {s.student: s for s in discover(src, FUNCS, tmp_path / f"work{lazy}", lazy=lazy)}
        if lazy:
            for i, s in enumerate(subs.values()):
                prepare(s, FUNCS, tmp_path / "lazy" / str(i))
        assert sorted(subs) == ["b", "d", "e", "f"]
        assert {k: s.name for k, s in subs.items()} == {"b": "b.py", "d": "d.zip", "e": "e.ipynb", "f": "f.ipynb"}
        assert [bool(subs[k].error) for k in "bdef"] == [False, False, False, True]
        for k, other in (("b", "b.ipynb"), ("d", "d.py.txt"), ("e", "e.zip"), ("f", "f.txt")):
            assert any(n.startswith(f"also submitted {other}, not counted") for n in subs[k].notes), subs[k].notes
        assert "not a zip" in next(n for n in subs["e"].notes if "e.zip" in n)
        assert subs["f"].error.startswith("f.ipynb") and subs["f"].directory is None


# --- extras beyond the limits are left out with a note; only an ungradable submission is refused ---

def _big_file(root):
    (root / "data").mkdir()
    (root / "data" / "big.bin").write_bytes(os.urandom(6 << 20))  # (random: it does not compress)


def _many_files(root, n=5000):
    (root / "data").mkdir()
    for i in range(n):
        (root / "data" / f"f{i:04d}.txt").write_bytes(b"1,2\n")


def _nested_folders(root):
    deep = root.joinpath(*["d"] * 40)
    deep.mkdir(parents=True)
    (deep / "notes.py").write_bytes(b"X = 1\n")


def _git_folder(root):
    for i in range(3000):  # a repository's history: more entries than a submission may hold
        objects = root / ".git" / "objects" / f"{i % 256:02x}"
        objects.mkdir(parents=True, exist_ok=True)
        (objects / f"{i:038x}").write_bytes(b"x")


EXTRAS = {  # what sits beside an honest hw4.py, and what the note must name ("" when ignored silently)
    "a 6 MiB data file": (_big_file, "left out 1 file larger than 5 MiB: data/big.bin"),
    "5,000 small files": (_many_files, "left out 4,501 files beyond the first 500: data/f0499.txt"),
    "40 nested folders": (_nested_folders, f"nested more than {MAX_DEPTH} folders deep: " + "/".join(["d"] * MAX_DEPTH)),
    "a .git folder": (_git_folder, ""),  # (names starting with "." are never part of a submission)
}


def _zip_folder(folder, path):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for here, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                p = Path(here) / name
                zf.write(p, p.relative_to(folder).as_posix())
    return path


@pytest.mark.parametrize("packed", ["folder", "zip"])
@pytest.mark.parametrize("case", sorted(EXTRAS))
def test_extras_never_cost_a_gradable_file_its_grade(tmp_path, case, packed):
    """An honest hw4.py in an ordinary repository (data, many files, deep folders, .git) used to
    score 0/20: the whole submission was refused.  Graded in full, what was left out named."""
    from grader.api import Options, check
    make, note = EXTRAS[case]
    root = tmp_path / "alice"
    root.mkdir()
    (root / "hw4.py").write_bytes((SUBMISSIONS / "correct_vectorized.py").read_bytes())
    make(root)
    entry = root if packed == "folder" else _zip_folder(root, tmp_path / "alice.zip")
    t0 = time.perf_counter()
    res = check(entry, Options())
    assert time.perf_counter() - t0 < 30
    assert not res.error and res.score == 20, res.error
    if note:
        assert any(note in n for n in res.notes), res.notes
    else:
        assert not any("left out" in n for n in res.notes), res.notes


def test_the_walk_is_bounded_and_finds_a_main_file_at_the_top_first(tmp_path):
    """A folder sorting before hw4.py holds 20,000 files: the walk reads the top folder first
    (breadth-first), stops after MAX_ENTRIES entries, and says where it stopped."""
    from grader.intake.discover import MAX_ENTRIES
    root = tmp_path / "bob"
    (root / "a").mkdir(parents=True)
    for i in range(20_000):
        (root / "a" / f"{i}").write_bytes(b"")
    (root / "hw4.py").write_bytes(OK_PY)
    t0 = time.perf_counter()
    sub = Submission(student="bob", source=root)
    prepare(sub, FUNCS, tmp_path / "w")
    assert time.perf_counter() - t0 < 5
    assert not sub.error and sub.main == "hw4.py"
    assert any(n == f"left out 1 folder beyond the first {MAX_ENTRIES:,} files and folders the grader reads: a"
               for n in sub.notes), sub.notes
    assert len(list((sub.directory / "a").iterdir())) == 499  # (and hw4.py: 500 files)


def test_a_submission_of_only_junk_is_still_refused(tmp_path):
    """Left out or not, nothing gradable is an error: here with the note of what was left out."""
    root = tmp_path / "junk"
    root.mkdir()
    _many_files(root)
    sub = Submission(student="junk", source=root)
    prepare(sub, FUNCS, tmp_path / "w")
    assert "no .py file" in sub.error and sub.directory is None
    assert any("left out 4,500 files" in n for n in sub.notes)


def test_a_main_file_left_out_is_the_error(tmp_path):
    """When what was left out may have held the homework (a .py too large, a folder too deep),
    the error says so instead of 'no .py file'."""
    big = tmp_path / "big"
    big.mkdir()
    (big / "hw4.py").write_bytes(b"def sum_pool(y):\n    return y\n" + b"#" * (6 << 20))
    (big / "readme.md").write_text("hi")
    deep = tmp_path / "deep"
    _nested_folders(deep)
    for root, words in ((big, "left out 1 file larger than 5 MiB: hw4.py"), (deep, "nested more than")):
        sub = Submission(student=root.name, source=root)
        prepare(sub, FUNCS, tmp_path / "w" / root.name)
        assert words in sub.error and "submit only your homework files" in sub.error and sub.directory is None


def test_an_extension_in_another_case_never_beats_the_one_every_tool_writes(tmp_path):
    """``alice.PY`` sorts before ``alice.py``: name order once let an added entry be graded
    instead of the student's own file."""
    src = tmp_path / "subs"
    src.mkdir()
    (src / "alice.py").write_bytes(OK_PY)
    (src / "alice.PY").write_text("def conv_forward(*a):\n    return 0\n")
    (src / "bob.Zip").write_bytes(b"")
    _zip(src / "bob.zip", {"hw4.py": OK_PY})
    subs = {s.student: s for s in discover(src, FUNCS, tmp_path / "work")}
    assert subs["alice"].name == "alice.py" and subs["bob"].name == "bob.zip"
    assert any("alice.PY" in n and "not counted" in n for n in subs["alice"].notes)


def test_a_line_feed_in_a_name_stays_in_its_cell(tmp_path):
    """An entry named ``eve\\nhonest,...`` once wrote a forged ``honest`` row into grades.csv
    for every reader that reads by lines, and into the terminal table."""
    src = tmp_path / "subs"
    src.mkdir()
    (src / "eve\nhonest,,,honest.py,0\ttab.py").write_bytes(OK_PY)
    (sub,) = discover(src, FUNCS, tmp_path / "work")
    assert "\n" not in sub.student and "\t" not in sub.student
    assert sub.student == "eve\\x0ahonest,,,honest.py,0\\x09tab"


def test_a_line_feed_in_a_name_forges_no_gradebook_row(tmp_path):
    import shutil
    from grader.api import Options, grade
    src = tmp_path / "subs"
    src.mkdir()
    (src / "eve\nhonest,,,honest.py,0,0,0,0,0,0,0,0,0,0,20,,1,\nx.py").write_bytes(OK_PY)
    shutil.copy(SUBMISSIONS / "partial.py", src / "honest.py")
    grade(src, tmp_path / "out", Options(jobs=1))
    lines = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines].count("honest") == 1, lines


def test_a_name_in_another_unicode_form_never_beats_the_nfc_one(tmp_path):
    """josé.py (NFC) and jose\\u0301.py (NFD) are one student; the NFD one sorted first and was
    graded instead."""
    src = tmp_path / "subs"
    src.mkdir()
    (src / "jos\u00e9.py").write_bytes(OK_PY)
    (src / "jose\u0301.py").write_text("def conv_forward(*a):\n    return 0\n")
    (sub,) = discover(src, FUNCS, tmp_path / "work")
    assert sub.name == "jos\u00e9.py"


@pytest.mark.parametrize("lookalike", [" bob.py", "bob .py", "bob\u00a0.py", "\u2003bob.py"])
def test_an_id_with_spaces_around_it_is_the_same_student_and_never_counts_first(tmp_path, lookalike):
    """" bob.py" beside bob.py was a second student "bob" (looking the same in every listing),
    given bob's inputs and any override recorded for bob."""
    src = tmp_path / "subs"
    src.mkdir()
    (src / "bob.py").write_bytes(OK_PY)
    (src / lookalike).write_text("def conv_forward(*a):\n    return 0\n")
    (sub,) = discover(src, FUNCS, tmp_path / "work")
    assert sub.student == "bob" and sub.name == "bob.py" and sub.others == (lookalike,)
    from grader.course.shard import student_key
    assert student_key(lookalike) == student_key("bob.py") == "bob"


@pytest.mark.parametrize("lookalike", ["ann .py", "ann\u00a0.py", " ann.py", "ann.PY"])
def test_a_lookalike_py_file_never_stands_in_for_the_students_own_notebook(tmp_path, lookalike):
    """ann.ipynb beside a hostile 'ann .py': the .py counted first (kind order before the
    name's form) and took ann's grade (attack round 14, 38)."""
    src = tmp_path / "subs"
    src.mkdir()
    (src / "ann.ipynb").write_text(_notebook(OK_PY.decode()))
    (src / lookalike).write_text("def sum_pool(y):\n    return 0\n")
    (sub,) = discover(src, FUNCS, tmp_path / "work")
    assert sub.student == "ann" and sub.name == "ann.ipynb" and sub.others == (lookalike,)


@pytest.mark.parametrize("hidden", ["\u200b", "\u00ad", "\u2060", "\ufeff", "\U000e0041"])
def test_an_invisible_character_in_a_name_is_shown_as_an_escape(tmp_path, hidden):
    """honest_a + U+200B was a second row reading exactly 'honest_a' in every output."""
    src = tmp_path / "subs"
    src.mkdir()
    (src / "honest_a.py").write_bytes(OK_PY)
    (src / f"honest_a{hidden}.py").write_text("def sum_pool(y):\n    return 0\n")
    ids = [s.student for s in discover(src, FUNCS, tmp_path / "work")]
    assert len(ids) == 2 and "honest_a" in ids
    other = next(i for i in ids if i != "honest_a")
    assert other.isprintable() and other.startswith("honest_a\\") and hidden not in other, other


@pytest.mark.parametrize("honest, hostile", [
    ("alice@uni.edu.py", "Alice@uni.edu.py"),      # (sorts first: upper case)
    ("bob@uni.edu.ipynb", "BOB@uni.edu.py"),       # (a .py's kind counts before a notebook's)
    ("John.Smith.py", "John.Smith"),               # (a dotted name is no odd extension)
])
def test_an_id_that_needs_normalising_never_counts_before_the_one_written_as_is(tmp_path, honest, hostile):
    """Attack round 15 (01, 02, 07): an upper-case email id, or a folder beside a dotted name,
    took the classmate's grade."""
    src = tmp_path / "subs"
    src.mkdir()
    if honest.endswith(".ipynb"):
        (src / honest).write_text(_notebook(OK_PY.decode()))
    else:
        (src / honest).write_bytes(OK_PY)
    if hostile.endswith(".py"):
        (src / hostile).write_text("def sum_pool(y):\n    return 0\n")
    else:
        (src / hostile).mkdir()
        (src / hostile / "hw4.py").write_text("def sum_pool(y):\n    return 0\n")
    subs = discover(src, FUNCS, tmp_path / "work")
    assert len(subs) == 1 and subs[0].name == honest, [(s.student, s.name, s.others) for s in subs]


def test_an_answers_file_of_another_extension_never_counts_before_the_usual_one(tmp_path):
    """honest_w.md beside a hostile honest_w.markdown: every answers-file type ranked the same, so
    name order decided, and .markdown sorts first (attack round 15, 05)."""
    from grader.intake.discover import claim_rank
    for name in ("honest_w.md", "honest_w.markdown", "honest_w.tex", "honest_w.rst"):
        (tmp_path / name).write_text("## 1.1\nc_w = 3\n")
    ranked = sorted((tmp_path / n for n in ("honest_w.markdown", "honest_w.rst", "honest_w.md", "honest_w.tex")),
                    key=lambda p: claim_rank(p, written=True))
    assert [p.name for p in ranked][:2] == ["honest_w.md", "honest_w.tex"], ranked
