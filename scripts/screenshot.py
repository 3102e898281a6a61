#!/usr/bin/env python3
"""Screenshots of the HTML reports for humans, and the headless browser the tests drive.

    python3 scripts/screenshot.py [--out DIR] [--results OUT/results.json] [--student NAME]

Grades the bundled example submissions (or re-renders an existing results.json), then saves
full-page PNGs of one failing student report and of the class dashboard at 400 px (a phone)
and 1280 px (a laptop) wide.  Needs Debian's chromium (``apt-get install -y chromium``).

The browser is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``): no
port, no network, and the viewport can be set to any width (a headless window cannot be
narrower than 500 px).  :class:`Browser` is also what ``tests/test_report.py`` uses.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
         "--remote-debugging-pipe"]

# Injected before anything else on the page: record uncaught errors and console errors.
PROBE = ("<script>window.__errors=[];addEventListener('error',function(e){__errors.push("
         "'error: '+(e.message||(e.target&&(e.target.src||e.target.href))||e))},true);"
         "addEventListener('unhandledrejection',function(e){__errors.push('rejection: '+e.reason)});"
         "</script>")


class BrowserError(RuntimeError):
    pass


class Browser:
    """A headless chromium driven over the DevTools protocol on a pipe (one page at a time)."""

    def __init__(self, exe: str = CHROMIUM, timeout: float = 20.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="cnn-grader-chromium-")
        to_child, self._w = os.pipe()  # chromium reads commands on its fd 3
        self._r, from_child = os.pipe()  # and writes replies and events on its fd 4

        def wire_fds():  # runs in the child before exec (and before the close_fds sweep)
            hi_in, hi_out = os.dup(to_child), os.dup(from_child)
            os.dup2(hi_in, 3)
            os.dup2(hi_out, 4)

        self.proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, pass_fds=(3, 4), preexec_fn=wire_fds)
        os.close(to_child)
        os.close(from_child)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []
        self.session = ""
        try:
            target = self.call("Target.createTarget", url="about:blank", session=False)["targetId"]
            self.session = self.call("Target.attachToTarget", targetId=target, flatten=True,
                                     session=False)["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                self.call(f"{domain}.enable")
        except BaseException:
            self.close()
            raise

    # -- protocol -------------------------------------------------------------------------
    def _send(self, msg: dict) -> None:
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self._w, data):]

    def _recv(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._r], [], [], left)[0]:
                raise BrowserError("chromium did not answer in time")
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise BrowserError("chromium exited")
            self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\0")
        return json.loads(raw)

    def call(self, method: str, session: bool = True, **params) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session and self.session:
            msg["sessionId"] = self.session
        self._send(msg)
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._recv(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str) -> dict:
        for i, ev in enumerate(self.events):
            if ev["method"] == method:
                return self.events.pop(i)
        deadline = time.monotonic() + self.timeout
        while True:
            ev = self._recv(deadline)
            if ev.get("method") == method:
                return ev
            if "method" in ev:
                self.events.append(ev)

    # -- pages ----------------------------------------------------------------------------
    def open(self, url: str, width: int, height: int = 900) -> None:
        """Load ``url`` in a ``width`` x ``height`` viewport and wait for its load event."""
        self.events.clear()
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str, await_promise: bool = False):
        """The value of ``expression`` in the page (``await_promise``: of the promise it gives)."""
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in res:
            raise BrowserError(f"evaluate failed: {res['exceptionDetails']}")
        return res["result"].get("value")

    def errors(self) -> list[str]:
        """Uncaught exceptions, console errors and failed loads seen since :meth:`open`."""
        self.call("Runtime.evaluate", expression="0")  # flush pending events
        out = []
        for ev in self.events:
            p = ev.get("params", {})
            if ev["method"] == "Runtime.exceptionThrown":
                out.append(p["exceptionDetails"].get("exception", {}).get("description")
                           or p["exceptionDetails"].get("text", "exception"))
            elif ev["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
            elif ev["method"] == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append("log: " + p["entry"].get("text", ""))
        return out

    def screenshot(self, path: Path, width: int) -> None:
        """A full-page PNG at ``width`` CSS pixels."""
        height = int(self.evaluate("Math.ceil(document.documentElement.scrollHeight)"))
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=min(height, 16000),
                  deviceScaleFactor=1, mobile=False)
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self._send({"id": 0, "method": "Browser.close", "params": {}})
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            for fd in (self._r, self._w):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def instrumented(html: str) -> str:
    """A copy of a page with :data:`PROBE` as the first thing in its head."""
    at = html.find("<head>")
    return html[:at + 6] + PROBE + html[at + 6:] if at >= 0 else PROBE + html


def layout_facts(browser: Browser) -> dict:
    """What the tests assert about a loaded page."""
    return browser.evaluate("""({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        errors: window.__errors || [],
        sections: Array.from(document.querySelectorAll('[data-question]')).map(e => e.dataset.question),
        mathml: document.querySelectorAll('math').length,
        overflowing: Array.from(document.querySelectorAll('body *')).filter(e => {
            const r = e.getBoundingClientRect();
            return r.right > window.innerWidth + 1 && getComputedStyle(e).position !== 'fixed'
                && !e.closest('.scroll');
        }).slice(0, 5).map(e => e.tagName + '.' + e.className),
    })""")


def pick_failing(run) -> str:
    """The example report with the most failed sections that have a comparison to show."""
    best = max(run.submissions, key=lambda s: (sum(q.failure is not None for q in s.questions), s.student))
    return best.report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "cnn-grader-screenshots",
                    help="Folder for the PNGs (default: %(default)s).")
    ap.add_argument("--results", type=Path, default=None, help="Re-render this results.json instead of grading.")
    ap.add_argument("--student", default=None, help="Whose report to capture (default: a failing example).")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing; install it with: apt-get install -y chromium", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from grader.assignment import load_assignment
    from grader.outputs.report import Renderer
    from grader.results import load

    work = Path(tempfile.mkdtemp(prefix="cnn-grader-shots-"))
    try:
        if args.results:
            run = load(args.results)
            pages = work
            (pages / "reports").mkdir()
            renderer = Renderer(load_assignment(run.assignment), run)
            for s in run.submissions:
                s.report = s.report or f"reports/{s.student}.html"
                renderer.write_student(s, pages / s.report)
            renderer.write_index(run.submissions, pages / "index.html")
        else:
            from grader.api import Options, grade
            pages = work / "out"
            run = grade(ROOT / "submissions" / "hw4", pages, Options(seed=0))
        report = next((s.report for s in run.submissions if s.student == args.student), None) \
            if args.student else pick_failing(run)
        if report is None:
            print(f"no student named {args.student!r}", file=sys.stderr)
            return 2
        args.out.mkdir(parents=True, exist_ok=True)
        with Browser() as b:
            for name, page in (("report", pages / report), ("index", pages / "index.html")):
                for width in (400, 1280):
                    b.open(page.resolve().as_uri(), width)
                    facts = layout_facts(b)
                    png = args.out / f"{name}-{width}.png"
                    b.screenshot(png, width)
                    kib = page.stat().st_size / 1024
                    print(f"{png}  ({page.name}, {kib:.0f} KiB; scrollWidth {facts['scrollWidth']} "
                          f"of {facts['innerWidth']}; errors {b.errors() or 'none'})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
