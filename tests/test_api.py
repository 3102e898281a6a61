"""grader.api details not covered end to end by test_cli / test_examples."""
from __future__ import annotations

import sys
from pathlib import Path

from grader.api import hidden_paths


def test_hidden_paths_cover_every_installed_copy(tmp_path, monkeypatch):
    """Run from a checkout with the project also pip-installed (as CI does), the site-packages
    copy of the grader and the reference must be hidden too, not only the imported one."""
    site = tmp_path / "site-packages"
    for name in ("grader", "reference", "unrelated"):
        (site / name).mkdir(parents=True)
        (site / name / "__init__.py").write_text("")
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    hidden = set(hidden_paths())
    assert {(site / "grader").resolve(), (site / "reference").resolve()} <= hidden
    assert (site / "unrelated").resolve() not in hidden


def test_hidden_paths_never_hide_the_interpreter(tmp_path):
    import numpy
    hidden = hidden_paths(Path(sys.prefix))
    for p in hidden:
        assert not (Path(numpy.__file__).resolve().is_relative_to(p)), p
        assert not Path(sys.prefix).resolve().is_relative_to(p), p
