"""The accessibility check of the browser tests: axe-core's WCAG 2.2 AA rules on a page.

Reports and dashboards are read by students with screen readers, keyboards and zoom; axe-core
(Deque's rule engine, the one browsers' own audits use) checks what a machine can check:
contrast, names of controls and images, headings, landmarks, table headers, language, ARIA.
It is vendored (``tests/vendor/axe-core``): the check runs offline, at a pinned version, from
the README's test command, and a new axe-core (with new rules) is a deliberate change.

Any page a test renders is checked in one line with the ``accessible`` fixture (conftest)::

    def test_my_page(accessible):
        accessible(html, "my page")
"""
from __future__ import annotations

import json
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe's tags; 2.2 added AA rules only)
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


def violations(browser, page: Path, width: int = 1280) -> list[dict]:
    """axe-core's WCAG 2.2 AA violations of the page at ``page`` (a file), loaded in ``browser``
    (scripts/screenshot.Browser) at ``width`` CSS pixels: each rule broken, with its impact, help
    text and the first few offending elements."""
    browser.open(Path(page).resolve().as_uri(), width)
    browser.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")  # (the page's own scripts cannot see it load)
    found = browser.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),"
        " summary: (v.nodes[0] || {}).failureSummary || ''})))" % json.dumps(list(TAGS)),
        await_promise=True)
    return found or []


def describe(found: list[dict]) -> str:
    """Violations as an assertion message: one rule a line, where and how to fix it."""
    return "\n".join(f"{v['id']} ({v['impact']}, {v['nodes']} element(s)): {v['help']}; at {v['targets']}; "
                     f"{' '.join(v['summary'].split())}" for v in found)
