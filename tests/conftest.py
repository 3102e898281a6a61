"""Shared fixtures: paths, and one grading of the bundled examples reused by many tests."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "submissions" / "hw4"
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def examples_run(tmp_path_factory):
    """``grader.api.grade`` over submissions/ once per test session."""
    from grader.api import Options, grade
    out = tmp_path_factory.mktemp("examples") / "out"
    return grade(SUBMISSIONS, out, Options(seed=7, timeout=10)), out


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven over the DevTools pipe (scripts/screenshot.py); the
    test is skipped without it, and fails under CI (.ci/run installs it)."""
    if not CHROMIUM.exists():
        if os.environ.get("CNN_GRADER_CI"):  # set by .ci/run: CI must not skip these
            pytest.fail("CNN_GRADER_CI is set but /usr/bin/chromium is missing")
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    sys.path.insert(0, str(ROOT / "scripts"))
    from screenshot import Browser
    with Browser(str(CHROMIUM)) as b:
        yield b


@pytest.fixture
def accessible(browser, tmp_path):
    """``accessible(html, name)``: assert that axe-core finds no WCAG 2.2 AA violation on the
    page ``html`` (tests/accessibility.py), at a phone's width and a laptop's."""
    from accessibility import describe, violations
    counter = iter(range(1 << 30))

    def check(html: str, name: str = "page") -> None:
        page = tmp_path / f"a11y-{next(counter)}.html"
        page.write_text(html, encoding="utf-8")
        for width in (400, 1280):
            found = violations(browser, page, width)
            assert not found, f"{name} at {width} px: axe-core found WCAG 2.2 AA violations:\n" + describe(found)
    return check
