"""Finding submissions: files, folders, zips (safely), unicode ids, nothing written back."""
from __future__ import annotations

import io
import zipfile

import pytest

from conftest import SUBMISSIONS
from grader.discover import discover

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
