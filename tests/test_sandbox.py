"""The sandbox against hostile submissions (tests/hostile/*.py, one attack per file).

Every hostile file answers the questions it does not attack with correct code and names the
ones it attacks in ``ATTACKS`` (read here with ``ast``: hostile code is never imported by the
test process).  The outcome required of each: 0 on what it attacks, full points on the rest,
and nothing changed outside its sandbox -- other students' results, the submissions folder,
the output folder, the grader, the Python installation -- with no process left behind.

Hostile code only ever runs with ``isolation="namespaces"`` (never "auto", which could fall
back to a plain process); the tests of the process fallback use attacks that are harmless
outside a sandbox (loops, exits, crashes, a daemon that writes in its working directory).

    python tests/test_sandbox.py --bench [N]   # per-submission cost: namespaces vs process
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import ROOT, SUBMISSIONS  # noqa: E402

HOSTILE = Path(__file__).resolve().parent / "hostile"
PORT = 47613  # the TCP port esc_network.py tries
UNIX_NAME = "\0cnn-grader-hostile-test"  # the abstract socket it tries
MARKERS = ("cnnhostiled", "cnnforkbomb")  # process names the hostile files give themselves
TIMEOUT = 1.5


def attacks(path: Path) -> tuple[str, ...]:
    """The ATTACKS tuple of a hostile file, without running it."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "ATTACKS" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError(f"{path.name} declares no ATTACKS")


def points() -> dict[str, float]:
    from grader.assignment import load_assignment
    return {q.id: float(q.points) for q in load_assignment("hw4").questions}


def tree_hash(*paths: Path) -> dict[str, str]:
    """sha256 of every file (and the list of names) under ``paths``: any change shows."""
    out = {}
    for top in paths:
        top = Path(top)
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if "__pycache__" not in p.parts)
        for p in files:
            if p.is_symlink():
                out[str(p)] = "link:" + os.readlink(p)
            elif p.is_file():
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
            elif p.is_dir():
                out[str(p)] = "dir"
    return out


def processes_named(*names: str) -> list[tuple[int, str]]:
    """Processes of ours with these names (not those in another grader's cgroups: a second
    test run on the same machine grades the same hostile files)."""
    import re
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                comm = Path(f"/proc/{pid}/comm").read_text().strip()
                graders = set(re.findall(r"cnn-grader-(\d+)-", Path(f"/proc/{pid}/cgroup").read_text()))
            except OSError:
                continue
            if comm in names and not graders - {str(os.getpid())}:
                found.append((int(pid), comm))
    return found


def our_cgroups() -> list[str]:
    left = []
    for base in Path("/sys/fs/cgroup").glob("**/cnn-grader-*") if Path("/sys/fs/cgroup").is_dir() else ():
        if base.name.startswith(f"cnn-grader-{os.getpid()}-"):
            left.append(str(base))
    return left


def hostile_sandbox(userns: bool = False, **limits):
    from grader.api import hidden_paths
    from grader.sandbox.supervisor import Limits, Sandbox
    return Sandbox(Limits(**{"timeout": TIMEOUT, **limits}), isolation="namespaces", hide=hidden_paths(),
                   userns=userns)


def run_one(sandbox, path: Path, seed: int = 0, student: str = "x"):
    """Run one file through a Sandbox and score it as api.grade would."""
    from grader.api import calls_for, make_trials
    from grader.assignment import load_assignment
    from grader.judge.score import score_submission
    asg = load_assignment("hw4")
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"cnn-grader-test-{os.getpid()}-{path.stem}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        shutil.copy(path, work / "hw4.py")
        trials = make_trials(asg, seed, student)
        run = sandbox.run(work, "hw4.py", calls_for(asg, trials))
        return score_submission(asg, trials, run, student, path.name, seed)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def assert_outcome(res, attacked: tuple[str, ...], pts: dict[str, float]) -> None:
    """0 on every attacked question, full points on every other one."""
    for q in res.questions:
        if "*" in attacked or q.id in attacked:
            assert q.score == 0, f"{res.student}: {q.id} was attacked but scored {q.score} ({q.message})"
        else:
            assert q.status == "passed" and q.score == pts[q.id], \
                f"{res.student}: {q.id} not attacked but {q.status}: {q.message}"
    expect = 0.0 if "*" in attacked else sum(v for k, v in pts.items() if k not in attacked)
    assert res.score == expect, f"{res.student}: {res.score} != {expect}"


@pytest.fixture(scope="module")
def full_isolation():
    """Skip (never fall back) where namespaces cannot be used: hostile code needs them."""
    from grader.sandbox.supervisor import SandboxError
    try:
        with hostile_sandbox() as sb:
            res = run_one(sb, SUBMISSIONS / "correct_vectorized.py")
    except SandboxError as exc:
        pytest.skip(f"full isolation unavailable here: {exc}")
    assert res.isolation == "namespaces" and res.score == 20, res
    return True


class Listeners:
    """A TCP listener on 127.0.0.1:PORT and an abstract unix socket, recording connections."""

    def __init__(self):
        self.accepted: list[str] = []
        self.socks = []
        for family, addr in ((socket.AF_INET, ("127.0.0.1", PORT)), (socket.AF_UNIX, UNIX_NAME)):
            s = socket.socket(family, socket.SOCK_STREAM)
            if family == socket.AF_INET:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(addr)
            except OSError:
                s.close()
                continue
            s.listen(16)
            s.settimeout(0.1)
            self.socks.append(s)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            for s in self.socks:
                try:
                    conn, addr = s.accept()
                    self.accepted.append(repr(addr))
                    conn.close()
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        self.thread.join()
        for s in self.socks:
            s.close()


def _outside_paths() -> list[Path]:
    import numpy
    return [ROOT / "grader", ROOT / "reference", ROOT / "submissions", HOSTILE,
            Path(numpy.__file__).parent / "__init__.py", Path(numpy.__file__).parent / "_core" / "__init__.py",
            Path(os.__file__), Path(sys.executable).resolve()]


SHARED_SPOTS = [Path("/tmp/leak.py"), Path("/dev/shm/leak.py"), Path("/var/tmp/leak.py"), Path("/leak.py"),
                Path("/tmp/hostile-marker-7c1f"), Path("/dev/shm/hostile-marker-7c1f"),
                Path("/var/tmp/hostile-marker-7c1f"), Path("/hostile-marker-7c1f"), Path("/usr/hostile-marker-7c1f"),
                Path("/etc/hostile-marker-7c1f"), Path("/root/hostile-marker-7c1f"), Path("/tmp/daemon-was-here"),
                ROOT / "submissions" / "hostile-marker-7c1f", ROOT / "grader" / "hostile-marker-7c1f"]


def _present(spots: list[Path]) -> set[str]:
    """Which of ``spots`` exist, as far as we can see: a spot in a folder we may not read
    (/root, for a user without root) is one a sandbox running as us could not write either."""
    found = set()
    for p in spots:
        try:
            if p.exists():
                found.add(str(p))
        except PermissionError:
            pass
    return found


@pytest.fixture(scope="module")
def hostile_grading(full_isolation, tmp_path_factory):
    """grader.api.grade over a folder of every hostile file plus two correct students."""
    from grader.api import Options, grade
    folder = tmp_path_factory.mktemp("hostile") / "submissions"
    folder.mkdir()
    for p in sorted(HOSTILE.glob("*.py")):
        shutil.copy(p, folder / p.name)
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", folder / "correct_alice.py")
    shutil.copy(SUBMISSIONS / "correct_loops.py", folder / "correct_bob.py")
    out = folder.parent / "out"
    secret = "hunter2-" + os.urandom(8).hex()
    existed = _present(SHARED_SPOTS)
    before = tree_hash(folder, *_outside_paths())
    listeners = Listeners()
    os.environ["CNN_GRADER_TEST_SECRET"] = secret
    t0 = time.monotonic()
    try:
        run = grade(folder, out, Options(timeout=TIMEOUT, jobs=2, isolation="namespaces", require_sandbox=True))
    finally:
        elapsed = time.monotonic() - t0
        del os.environ["CNN_GRADER_TEST_SECRET"]
        listeners.close()
    return {"run": run, "by": {s.student: s for s in run.submissions}, "out": out, "folder": folder,
            "secret": secret, "before": before, "after": tree_hash(folder, *_outside_paths()),
            "listeners": listeners, "elapsed": elapsed, "survivors": processes_named(*MARKERS),
            "cgroups": our_cgroups(), "existed": existed,
            "created": sorted(_present(SHARED_SPOTS) - existed)}


# --- the folder of every attack ---------------------------------------------------------------

def test_every_hostile_file_scores_exactly_what_it_answered(hostile_grading):
    pts = points()
    by = hostile_grading["by"]
    assert by["correct_alice"].score == by["correct_bob"].score == 20
    for path in sorted(HOSTILE.glob("*.py")):  # (the two disk searches time out here: see below)
        assert_outcome(by[path.stem], attacks(path), pts)


def test_grading_every_attack_finishes_in_bounded_time(hostile_grading):
    run = hostile_grading["run"]
    assert len(run.submissions) == len(list(HOSTILE.glob("*.py"))) + 2
    # each costs at most its limits: 29 files, at most a few timeouts each, on 2 workers
    assert hostile_grading["elapsed"] < 45, hostile_grading["elapsed"]


def test_isolation_never_downgraded(hostile_grading):
    """forge_fd_frames sends a forged "setup_failed": no one after it may lose the namespaces."""
    assert {s.isolation for s in hostile_grading["run"].submissions} == {"namespaces"}
    assert not any(s.isolation_note for s in hostile_grading["run"].submissions)


def test_nothing_outside_the_sandboxes_changed(hostile_grading):
    before, after = hostile_grading["before"], hostile_grading["after"]
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, changed
    assert not hostile_grading["created"], hostile_grading["created"]


def test_output_folder_holds_only_the_grading(hostile_grading):
    out = hostile_grading["out"]
    for s in hostile_grading["run"].submissions:
        assert (out / s.report).is_file(), s.report
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    scores = {s["student"]: s["score"] for s in data["submissions"]}
    assert scores == {s.student: s.score for s in hostile_grading["run"].submissions}
    for p in out.rglob("*"):
        if p.is_file():
            assert b"HOSTILE-MARKER-7c1f" not in p.read_bytes(), p


def test_writes_outside_stayed_in_private_tmp(hostile_grading):
    q = {q.id: q for q in hostile_grading["by"]["esc_write"].questions}["2.5"]
    for line in q.stdout.splitlines():
        if line.startswith("WROTE"):
            path = line.split(None, 2)[2]
            assert path.startswith(("/tmp/", "/dev/shm/")) and not path.startswith("/tmp/submission"), line


def test_no_process_survives_grading(hostile_grading):
    assert hostile_grading["survivors"] == []
    assert processes_named(*MARKERS) == []
    assert hostile_grading["cgroups"] == []


def test_no_network(hostile_grading):
    assert hostile_grading["listeners"].accepted == []
    q = {q.id: q for q in hostile_grading["by"]["esc_network"].questions}["1.4"]
    assert "no tcp 127.0.0.1" in q.stdout and "CONNECTED" not in q.stdout


def test_grader_environment_is_invisible(hostile_grading):
    secret = hostile_grading["secret"]
    q = {q.id: q for q in hostile_grading["by"]["steal_environ"].questions}["1.1"]
    assert "ENV PATH=" in q.stdout  # it did look
    assert secret not in q.stdout
    for p in hostile_grading["out"].rglob("*"):
        if p.is_file():
            assert secret.encode() not in p.read_bytes(), p


def test_reference_and_grader_cannot_be_imported(hostile_grading):
    s = hostile_grading["by"]["steal_reference"]
    text = " ".join(q.stdout + q.message for q in s.questions)
    assert "STOLEN" not in text


def test_forged_frames_and_printed_results_count_for_nothing(hostile_grading):
    by = hostile_grading["by"]
    fake = {q.id: q for q in by["forge_print"].questions}["1.3"]
    assert "20/20" in fake.stdout and fake.status == "failed"  # kept as text, never parsed
    assert by["forge_fd_frames"].score == 18 and by["forge_import_frames"].score == 0
    keep = {q.id: q for q in by["forge_keepalive"].questions}["2.2"]
    assert keep.status in ("error", "timeout") and keep.score == 0


def test_stdout_flood_is_capped(hostile_grading):
    from grader.sandbox.supervisor import Limits
    q = {q.id: q for q in hostile_grading["by"]["res_huge_output"].questions}["1.1"]
    assert len(q.stdout) <= Limits().output_cap + 200 and "output truncated" in q.stdout
    assert len(q.stderr) <= Limits().output_cap + 200


def test_fork_bomb_is_capped(hostile_grading):
    q = {q.id: q for q in hostile_grading["by"]["res_fork_bomb"].questions}["2.4"]
    assert q.status == "timeout"
    made = [int(line.rsplit(":", 1)[1]) for line in q.stdout.splitlines() if line.startswith("forks before")]
    if made:  # the cgroup's pids.max (or RLIMIT_NPROC for a user) stopped it
        from grader.sandbox.supervisor import Limits
        assert made[0] <= Limits().nproc


def test_stdin_is_empty_not_blocking(hostile_grading):
    q = {q.id: q for q in hostile_grading["by"]["res_stdin"].questions}["1.3"]
    assert q.status == "failed" and "stdin gave 0 + 0 + 0 characters" in q.stdout


# --- forged frames and odd answers, beside an honest neighbour ---------------------------------

FORGED = ("forge_frame_numbers", "forge_huge_frames", "res_odd_returns")
PEAK_PROBE = """
import json, resource, sys
from pathlib import Path
from grader.api import Options, grade
run = grade(Path(sys.argv[1]), Path(sys.argv[2]), Options(timeout=float(sys.argv[3]), jobs=1,
            isolation="namespaces", require_sandbox=True))
# VmHWM: this process's own peak (ru_maxrss carries over the RSS of the forked pytest process
# from before exec, which made the bound fail after a long test session)
hwm = [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print(json.dumps({"peak_mb": (hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024}))
"""


@pytest.fixture(scope="module")
def forged_grading(full_isolation, tmp_path_factory):
    """``grader grade`` (its own process, to measure its peak memory) over the forged-frame
    attacks and correct_vectorized.py."""
    import subprocess
    folder = tmp_path_factory.mktemp("forged") / "submissions"
    folder.mkdir()
    for name in FORGED:
        shutil.copy(HOSTILE / f"{name}.py", folder / f"{name}.py")
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", folder / "neighbour.py")
    out = folder.parent / "out"
    proc = subprocess.run([sys.executable, "-c", PEAK_PROBE, str(folder), str(out), str(TIMEOUT)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    from grader.results import load
    return {"peak_mb": json.loads(proc.stdout.splitlines()[-1])["peak_mb"], "out": out,
            "by": {s.student: s for s in load(out / "results.json").submissions}}


def test_forged_frames_cost_only_their_own_questions(forged_grading):
    """NaN, 10**400 and 1e400 seconds, trials -1000000 and 1000000, an unknown status, huge
    frames across restarts, a 9-d and an empty answer: each scores 0 on its own question alone,
    and the neighbour graded beside them scores full marks."""
    pts, by = points(), forged_grading["by"]
    assert set(by) == set(FORGED) | {"neighbour"}
    assert by["neighbour"].score == 20 and by["neighbour"].passed_all
    for name in FORGED:
        assert_outcome(by[name], attacks(HOSTILE / f"{name}.py"), pts)
    q = {q.id: q for q in by["forge_frame_numbers"].questions}
    for qid in ("1.2", "1.3", "1.4", "2.1", "2.2", "2.3"):
        assert q[qid].status == "error" and "malformed result" in q[qid].message, (qid, q[qid].message)
    assert "NaN" in q["1.2"].message and "seconds" in q["1.3"].message and "seconds" in q["1.4"].message
    assert "trial" in q["2.1"].message and "trial" in q["2.2"].message and "status" in q["2.3"].message


def test_odd_answers_are_clear_per_question_results(forged_grading):
    q = {q.id: q for q in forged_grading["by"]["res_odd_returns"].questions}
    assert q["2.5"].status == "error" and "9 dimensions" in q["2.5"].message  # (the last question)
    assert q["2.4"].status == "failed" and "returned shape (0,)" in q["2.4"].message
    assert q["2.1"].status == "error" and "text" in q["2.1"].message
    assert q["2.3"].status == "error" and "complex" in q["2.3"].message
    assert q["2.2"].status == "error" and "no array here" in q["2.2"].message
    assert q["1.3"].status == "error"


def test_one_submission_can_make_the_grader_hold_and_write_only_so_much(forged_grading):
    """Before: 24 x 340,000 float64 frames, a fresh allowance per restarted child, made the grader
    peak at 650 MB and write 38 MB of results.json for one attacker."""
    from grader.sandbox.supervisor import Limits
    out, by = forged_grading["out"], forged_grading["by"]
    # (a frame larger than any honest answer is refused from its header: none of it is held)
    assert forged_grading["peak_mb"] < 100 + (Limits().submission_bytes >> 20), forged_grading["peak_mb"]
    assert (out / "results.json").stat().st_size < 400_000
    from grader.results import one_line_json
    for name in FORGED:
        assert len(one_line_json(by[name])) < 100_000, name
    q = {q.id: q for q in by["forge_huge_frames"].questions}
    assert q["2.2"].status == "failed" and q["2.2"].failure.got is None  # 99,999 numbers: not kept
    assert q["2.3"].status == "error" and "process ended" in q["2.3"].message
    for qid in ("2.4", "2.5"):  # 24 x 340,000 numbers: more than any answer, refused from the header
        assert q[qid].status == "error" and "exceeds the cap" in q[qid].message, q[qid].message


def test_what_a_submission_sends_in_all_is_capped_across_its_questions(full_isolation, tmp_path):
    """Honest-sized but large answers, question after question: once the submission's byte
    allowance is spent, the question reading is charged and the rest are "not run"."""
    from grader.api import calls_for, hidden_paths, make_trials
    from grader.assignment import load_assignment
    from grader.sandbox.supervisor import Limits, Sandbox
    asg = load_assignment("hw4")
    (tmp_path / "big.py").write_text("import numpy as np\n" + "".join(
        f"def {q.function}(*a, **k):\n    return np.ones(90_000)\n" for q in asg.questions))
    lim = Limits(submission_bytes=40 << 20)  # ~17 MiB a question: the third one spends it
    with Sandbox(lim, isolation="namespaces", hide=hidden_paths(tmp_path)) as sb:
        run = sb.run(tmp_path, "big.py", calls_for(asg, make_trials(asg, 0, "big")))
    statuses = [run.questions[q.id].status for q in asg.questions]
    assert statuses[:2] == ["ok", "ok"] and "more data" in run.questions["1.3"].error, statuses
    rest = [run.questions[q.id] for q in asg.questions[3:]]
    assert all(not r.started and r.error.startswith("not run") for r in rest), [r.error for r in rest]


def test_a_submission_that_hangs_everywhere_costs_a_bounded_total(full_isolation, tmp_path):
    """It sleeps just under the timeout while imported and hangs in every function: each
    question timed out and the next re-imported it (178 s at --timeout 10).  Now the total is
    capped at Limits.submission_timeouts timeouts, and the questions not reached say why."""
    from grader.sandbox.supervisor import Limits
    src = SUBMISSIONS.joinpath("correct_vectorized.py").read_text() + "\nimport time\ntime.sleep(0.8)\n"
    from grader.assignment import load_assignment
    for q in load_assignment("hw4").questions:
        src += f"\n\ndef {q.function}(*args):\n    time.sleep(1000)\n"
    path = tmp_path / "hangs.py"
    path.write_text(src)
    with hostile_sandbox(timeout=1.0) as sb:
        t = time.monotonic()
        res = run_one(sb, path)
        elapsed = time.monotonic() - t
    cap = 1.0 * Limits().submission_timeouts
    assert elapsed < cap + 3, elapsed  # (+ starting the children, which is not the student's)
    assert res.score == 0 and not res.error
    statuses = [q.status for q in res.questions]
    assert set(statuses) == {"timeout"}, statuses
    skipped = [q for q in res.questions if q.message.startswith("not run")]
    assert len(skipped) >= len(res.questions) - 3 and all(q.trials == 0 for q in skipped)
    assert all(f"total time limit of {cap:g} s" in q.message for q in skipped), skipped[0].message


def assert_no_host_info(text: str, *paths: Path) -> None:
    """What esc_host_info.py printed: no host path of the grading, no keyring, no command line."""
    assert "HOSTINFO /proc/self/mountinfo" in text and "HOSTINFO /proc/keys" in text, text[:2000]  # it looked
    for p in [*map(str, paths), "cnn-grader-work-", ".cnn-grader-out-", "cnn-grader-test-", "pytest-of-",
              str(ROOT / "grader"), "_runtime.py"]:
        assert p not in text, (p, text[max(0, text.find(p) - 500):text.find(p) + 200])
    assert "keyring" not in text and "_uid." not in text and "root_maxkeys" not in text, text[:3000]
    for line in text.splitlines():
        if "cmdline:" in line or line.startswith("HOSTINFO argv"):
            assert "/" not in line.split(":", 1)[1], line


def test_the_host_is_not_visible_inside(hostile_grading):
    """Command lines, mountinfo, the keyrings, the runtime's memory: none names the
    submissions, the output or the work folder (nor the grader's own checkout)."""
    s = hostile_grading["by"]["esc_host_info"]
    assert_no_host_info("\n".join(q.stdout for q in s.questions), hostile_grading["folder"],
                        hostile_grading["out"], hostile_grading["folder"].parent)


REFUSED_FAMILIES = ["AF_VSOCK", "AF_NETLINK", "AF_PACKET", "AF_INET", "AF_INET6", "AF_BLUETOOTH", "AF_ALG",
                    "AF_KEY", "AF_CAN", "AF_TIPC", "AF_RDS", "AF_XDP", "AF_QIPCRTR", "AF_SMC", "AF_KCM",
                    "AF_MCTP", "AF_NFC", "AF_LLC", "AF_PPPOX", "AF_X25", "AF_AX25", "AF_IPX", "AF_APPLETALK"]


def _families(stdout: str) -> dict[str, str]:
    return {line.split()[1]: line.split(None, 2)[2] for line in stdout.splitlines() if line.startswith("FAMILY ")}


@pytest.mark.parametrize("family", REFUSED_FAMILIES)
def test_socket_family_is_refused(hostile_grading, family):
    """Only AF_UNIX sockets: AF_VSOCK reaches the hypervisor on a VM, whatever the network
    namespace; the others are network or kernel surface no graded function needs."""
    q = {q.id: q for q in hostile_grading["by"]["esc_socket_families"].questions}["1.1"]
    seen = _families(q.stdout)
    assert seen.get(family, "").startswith("refused"), (family, seen.get(family), q.stdout[:3000])
    assert seen["AF_UNIX"].startswith("OPENED")  # what multiprocessing and asyncio use still works


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_seccomp_filter_of_each_architecture(arch):
    """The BPF program run on a small interpreter: the aarch64 filter is checked even here."""
    import struct
    import importlib.util
    spec_ = importlib.util.spec_from_file_location("_cnn_grader_runtime_test", ROOT / "grader" / "sandbox" / "_runtime.py")
    rt = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(rt)  # (never run as __main__: it only defines things)
    spec = rt._SYSCALLS[arch]
    filt, prog = rt.seccomp_program(spec)

    def run(nr, *args, audit=spec["audit"]):
        data = struct.pack("<iIQ6Q", nr, audit, 0, *(list(args) + [0] * (6 - len(args))))
        acc, pc = 0, 0
        while True:
            ins = filt[pc]
            code, jt, jf, k = ins.code, ins.jt, ins.jf, ins.k
            if code == 0x20:
                acc = struct.unpack_from("<I", data, k)[0]
            elif code == 0x06:
                return k
            else:
                taken = {0x15: acc == k, 0x35: acc >= k, 0x45: bool(acc & k)}[code]
                pc += jt if taken else jf
            pc += 1
    allow, errno_ = rt.SECCOMP_RET_ALLOW, rt.SECCOMP_RET_ERRNO
    sock, pair = spec["socket"]
    for nr in (sock, pair):
        assert run(nr, 1, 1, 0) == allow  # AF_UNIX
        assert run(nr, 1 | (1 << 32), 1, 0) == allow  # (the kernel reads the int: its low half)
        for family in (2, 10, 16, 17, 31, 38, 40, 44, 0, 255, 0xFFFFFFFF):
            assert run(nr, family, 1, 0) == errno_ | rt.EAFNOSUPPORT, (nr, family)
    assert run(spec["deny"][0]) == errno_ | rt.EPERM
    assert run(spec["clone"], rt.CLONE_NEWNET) == errno_ | rt.EPERM
    assert run(spec["clone"], 0x11) == allow
    assert run(spec["clone3"]) == errno_ | rt.ENOSYS
    assert run(sock, 1, audit=0x40000003) == rt.SECCOMP_RET_KILL_PROCESS  # another ABI (i386)
    assert prog.len == len(filt)


# --- attacks that need their own run ---------------------------------------------------------

def test_files_left_for_a_later_student_are_not_seen(full_isolation, tmp_path):
    """One worker, one zygote: the writer runs, then the reader, in the same sandbox."""
    from grader.api import Options, grade
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copy(HOSTILE / "esc_leak_writer.py", folder / "a_writer.py")
    shutil.copy(HOSTILE / "esc_leak_reader.py", folder / "b_reader.py")
    existed = _present(SHARED_SPOTS)
    run = grade(folder, tmp_path / "out", Options(timeout=TIMEOUT, jobs=1, isolation="namespaces"))
    by = {s.student: s for s in run.submissions}
    pts = points()
    assert_outcome(by["a_writer"], attacks(HOSTILE / "esc_leak_writer.py"), pts)
    assert_outcome(by["b_reader"], attacks(HOSTILE / "esc_leak_reader.py"), pts)
    assert "LEAK FOUND" not in " ".join(q.stdout for q in by["b_reader"].questions)
    assert sorted(_present(SHARED_SPOTS) - existed) == []
    assert processes_named(*MARKERS) == []


def test_the_student_graded_next_is_untouched(full_isolation, tmp_path):
    """One sandbox, in order: a fork bomb, a memory bomb across processes, a crash, then a
    correct student -- who must get every point, fully isolated, in normal time."""
    from grader.api import Options, grade
    folder = tmp_path / "subs"
    folder.mkdir()
    for i, name in enumerate(("res_fork_bomb", "res_memory_forks", "res_segfault", "forge_fd_frames")):
        shutil.copy(HOSTILE / f"{name}.py", folder / f"{i}_{name}.py")
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", folder / "z_correct.py")
    run = grade(folder, tmp_path / "out", Options(timeout=TIMEOUT, jobs=1, isolation="namespaces"))
    last = {s.student: s for s in run.submissions}["z_correct"]
    assert last.score == 20 and last.isolation == "namespaces" and not last.isolation_note
    assert last.seconds < 5, last.seconds
    assert processes_named(*MARKERS) == []


def test_searching_the_disk_finds_neither_reference_nor_classmates(full_isolation, tmp_path):
    """A long enough timeout for a full walk of everything the sandbox can see."""
    from grader.api import Options, grade
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", folder / "alice.py")
    shutil.copy(HOSTILE / "steal_disk_walk.py", folder / "mallory.py")
    shutil.copy(HOSTILE / "steal_other_students.py", folder / "trudy.py")
    run = grade(folder, tmp_path / "out", Options(timeout=30, jobs=2, isolation="namespaces"))
    by = {s.student: s for s in run.submissions}
    pts = points()
    assert by["alice"].score == 20
    assert_outcome(by["mallory"], attacks(HOSTILE / "steal_disk_walk.py"), pts)
    assert_outcome(by["trudy"], attacks(HOSTILE / "steal_other_students.py"), pts)
    for name in ("mallory", "trudy"):
        text = " ".join(q.stdout for q in by[name].questions)
        assert "STOLEN" not in text, text[:2000]
        assert "reference" not in text and "alice" not in text and "/work" not in text, text[:2000]


def test_questions_still_running_when_the_grader_first_looks_keep_their_own_limits(full_isolation, tmp_path):
    """The grader sleeps until the child ends or its first look (FIRST_LOOK) and then reads
    everything at once: a slow question in progress then still passes, a later endless one
    still times out alone, and the rest is graded."""
    from grader.sandbox.supervisor import FIRST_LOOK
    src = tmp_path / "slow.py"
    src.write_text((SUBMISSIONS / "correct_vectorized.py").read_text() + "\n\n"
                   "import time\n"
                   "_conv, _pool = conv_forward, sum_pool\n\n"
                   "def conv_forward(x, w):\n"
                   f"    time.sleep({FIRST_LOOK * 2 / 24!r})  # the whole question spans the first look\n"
                   "    return _conv(x, w)\n\n"
                   "def sum_pool(y):\n"
                   "    while True:\n"
                   "        pass\n")
    with hostile_sandbox(timeout=1.0) as sb:
        res = run_one(sb, src)
    by = {q.id: q for q in res.questions}
    assert by["1.2"].status == "passed" and by["1.3"].status == "timeout"
    assert res.score == 19, [q.message for q in res.questions if q.score < q.max_score]


def test_memory_cap_is_configurable(full_isolation, tmp_path):
    src = tmp_path / "hungry.py"
    src.write_text((SUBMISSIONS / "correct_vectorized.py").read_text() + "\n\n"
                   "_correct, _kept = layer_sizes, []\n\n"
                   "def layer_sizes(*a):\n"
                   "    if not _kept:\n"
                   "        _kept.append(np.ones(300 << 17))  # 300 MiB, kept\n"
                   "    return _correct(*a)\n")
    with hostile_sandbox(memory_mb=1024, timeout=5) as sb:
        res = run_one(sb, src)
        assert res.score == 20, [q.message for q in res.questions if q.score == 0]
    with hostile_sandbox(memory_mb=256, timeout=5) as sb:
        res = run_one(sb, src)
    q = {q.id: q for q in res.questions}["1.1"]
    assert q.score == 0 and "MemoryError" in q.message and res.score == 19


def test_memory_of_all_processes_together_is_capped(full_isolation):
    """Four 400 MiB children: each under RLIMIT_AS, together over the submission's cap."""
    with hostile_sandbox(timeout=3) as sb:
        res = run_one(sb, HOSTILE / "res_memory_forks.py")
        controllers, dirs = sb.cgroup_controllers, list(sb._cgroups.dirs)
        if "memory" in controllers:
            mem = dirs[controllers.index("memory")]
            usage_file = Path(mem) / "memory.max_usage_in_bytes"
            limit_file = Path(mem) / "memory.limit_in_bytes"
            if usage_file.exists():
                assert int(usage_file.read_text()) <= int(limit_file.read_text())
                assert int(limit_file.read_text()) <= (1024 + 64 + 64) << 20
    assert_outcome(res, ("2.3",), points())
    if "memory" not in controllers:
        pytest.skip("no memory cgroup here: only the per-process address-space limit applies")


# --- the process fallback ----------------------------------------------------------------------

def _process_refused() -> str:
    """Why process isolation refuses to run here ("" if it runs): as root, student code runs
    as a uid of its own, which needs a Python every user can read."""
    if not (sys.platform.startswith("linux") and os.geteuid() == 0):
        return ""
    import subprocess
    probe = ("import sys; sys.path.insert(0, %r); import _runtime; print(_runtime._root_refusal())") % str(ROOT / "grader" / "sandbox")
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture()
def process_isolation():
    why = _process_refused()
    if why:
        pytest.skip(f"process isolation refuses to run here (see test_process_isolation_as_root_refuses...): {why}")


@pytest.mark.parametrize("name", ["res_infinite_loop", "forge_os_exit", "res_segfault", "res_sleep_import",
                                  "forge_sys_exit"])
def test_process_isolation_still_contains_the_harmless_attacks(name, tmp_path, process_isolation):
    from grader.sandbox.supervisor import Limits, Sandbox
    with Sandbox(Limits(timeout=1), isolation="process") as sb:
        res = run_one(sb, HOSTILE / f"{name}.py")
    assert res.isolation == "process"
    assert_outcome(res, attacks(HOSTILE / f"{name}.py"), points())


@pytest.mark.parametrize("name", ["res_infinite_loop", "forge_os_exit", "res_segfault", "res_sleep_import",
                                  "forge_sys_exit", "res_kill_group", "esc_daemon"])
def test_process_isolation_as_root_contains_the_harmless_attacks(name, tmp_path):
    """The same attacks as above, under process isolation as root with a Python every user can
    read (CI provides one; the suite's own may sit under /root, where the tests above skip): run
    by that Python's ``grader check``, the student's uid of its own."""
    import subprocess
    from grader.results import submission_from_dict
    exe = _world_readable_python()
    if exe is None or os.geteuid() != 0:
        if os.environ.get("CNN_GRADER_CI") and os.geteuid() == 0:
            pytest.fail("CI must provide CNN_GRADER_WORLD_PYTHON")
        pytest.skip("needs root and a world-readable Python with NumPy (set CNN_GRADER_WORLD_PYTHON)")
    sub = tmp_path / "hw4.py"
    shutil.copy(HOSTILE / f"{name}.py", sub)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([exe, "-m", "grader", "check", str(sub), "--json", "--isolation", "process", "--timeout", "1"],
                       capture_output=True, text=True, env=env, timeout=120, start_new_session=True)
    assert r.returncode in (0, 1), (r.returncode, r.stderr[-2000:])
    res = submission_from_dict(json.loads(r.stdout))
    assert res.isolation == "process"
    assert_outcome(res, attacks(HOSTILE / f"{name}.py"), points())


def test_process_isolation_kills_a_daemon_too(tmp_path, process_isolation):
    from grader.sandbox.supervisor import Limits, Sandbox
    with Sandbox(Limits(timeout=1), isolation="process") as sb:
        res = run_one(sb, HOSTILE / "esc_daemon.py")
        assert res.score == 20 and res.isolation == "process"
    deadline = time.monotonic() + 3
    while processes_named("cnnhostiled") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_named("cnnhostiled") == []


def test_auto_reports_the_level_it_used():
    from grader.api import Options, check
    res = check(SUBMISSIONS / "correct_vectorized.py", Options(timeout=10))
    assert res.score == 20 and res.isolation in ("namespaces", "process")
    if res.isolation == "process":
        assert res.isolation_note  # says why


# --- without root: the user-namespace path, taken as root for the test -------------------------

@pytest.fixture()
def userns_sandbox(full_isolation):
    from grader.sandbox.supervisor import SandboxError
    if Path("/proc/sys/user/max_user_namespaces").exists() and \
            Path("/proc/sys/user/max_user_namespaces").read_text().strip() == "0":
        pytest.skip("user namespaces are disabled here")
    sb = hostile_sandbox(userns=True)
    try:
        res = run_one(sb, SUBMISSIONS / "correct_vectorized.py")
    except SandboxError as exc:
        sb.close()
        pytest.skip(f"user namespaces unusable here: {exc}")
    assert res.score == 20 and res.isolation == "namespaces"
    yield sb
    sb.close()


@pytest.mark.parametrize("name", ["forge_os_exit", "esc_write", "steal_reference", "forge_fd_frames",
                                  "esc_daemon", "esc_host_info", "esc_socket_families"])
def test_user_namespace_path_holds_too(userns_sandbox, name):
    res = run_one(userns_sandbox, HOSTILE / f"{name}.py")
    if name == "esc_host_info":
        assert_no_host_info("\n".join(q.stdout for q in res.questions))
    if name == "esc_socket_families":
        seen = _families(" ".join(q.stdout for q in res.questions).replace(" FAMILY", "\nFAMILY"))
        assert all(seen[f].startswith("refused") for f in REFUSED_FAMILIES), seen
    assert res.isolation == "namespaces"
    assert_outcome(res, attacks(HOSTILE / f"{name}.py"), points())
    text = " ".join(q.stdout for q in res.questions)
    assert "STOLEN" not in text
    for line in text.splitlines():
        if line.startswith("WROTE"):
            assert line.split(None, 2)[2].startswith(("/tmp/", "/dev/shm/")), line


@pytest.mark.parametrize("userns", [False, True])
def test_submission_given_as_a_directory_not_a_mount(full_isolation, monkeypatch, tmp_path, userns):
    """The child copies the submission's directory (through a descriptor) into a tmpfs of its
    own, with root or without: a folder submission with a package still imports, read-only."""
    from grader.sandbox import supervisor as sbmod
    from grader.api import Options, grade
    import functools
    monkeypatch.setattr(sbmod.Sandbox, "__init__", functools.partialmethod(sbmod.Sandbox.__init__, userns=userns))
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copytree(SUBMISSIONS / "correct_package", folder / "correct_package")
    shutil.copy(HOSTILE / "esc_write.py", folder / "esc_write.py")
    run = grade(folder, tmp_path / "out", Options(timeout=TIMEOUT, jobs=1, isolation="namespaces"))
    by = {s.student: s for s in run.submissions}
    assert by["correct_package"].score == 20 and by["correct_package"].isolation == "namespaces"
    assert_outcome(by["esc_write"], attacks(HOSTILE / "esc_write.py"), points())
    for line in " ".join(q.stdout for q in by["esc_write"].questions).splitlines():
        if line.startswith("WROTE"):
            path = line.split(None, 2)[2]
            assert path.startswith(("/tmp/", "/dev/shm/")) and not path.startswith("/tmp/submission"), line


# --- the parent's reader -----------------------------------------------------------------------

def test_frame_reader_rejects_what_the_runtime_never_sends():
    import struct
    from grader.sandbox import wire
    from grader.sandbox.supervisor import _split
    nested = b"[" * 100000 + b"]" * 100000
    good = wire.encode({"kind": "done"})
    for bad in (struct.pack("<III", wire.MAGIC, len(nested), 0) + nested,
                struct.pack("<III", wire.MAGIC, 1 << 30, 0),
                struct.pack("<III", 0x1234, 4, 0) + b"null"):
        frames, error = _split(bytearray(bad), 64 << 20)
        assert frames == [] and isinstance(error, wire.WireError)
        # the whole messages before a bad one are kept (they are the answers already given)
        frames, error = _split(bytearray(good + good + bad), 64 << 20)
        assert frames == [{"kind": "done"}] * 2 and isinstance(error, wire.WireError)
    buf = bytearray(good + good[:5])
    frames, error = _split(buf, 64 << 20)
    assert frames == [{"kind": "done"}] and error is None and bytes(buf) == good[:5]


# --- the cost of the sandbox -------------------------------------------------------------------

def bench(n: int = 50) -> None:
    """Median time of Sandbox.run on correct_vectorized.py, per isolation level, and the floor."""
    import importlib.util
    import statistics
    import numpy as np
    from grader.api import calls_for, hidden_paths, make_trials
    from grader.assignment import load_assignment
    from grader.sandbox.supervisor import Limits, Sandbox
    asg = load_assignment("hw4")
    calls = calls_for(asg, make_trials(asg, 0, "bench"))
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"cnn-grader-bench-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", work / "hw4.py")
    try:
        floor = []
        for _ in range(n):  # the same import and calls in this process: what any grader must pay
            t = time.perf_counter()
            spec = importlib.util.spec_from_file_location("bench_sub", work / "hw4.py")
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            for c in calls:
                fn = getattr(mod, c.function)
                for i in range(c.n):
                    np.array(np.asarray(fn(*[a[i].item() if a[i].ndim == 0 else np.array(a[i])
                                             for a in c.args[:c.nargs[i]]])), copy=True)
            floor.append(time.perf_counter() - t)
        print(f"in-process floor (import + calls): median {statistics.median(floor) * 1e3:.1f} ms")
        for iso in ("namespaces", "process"):
            with Sandbox(Limits(timeout=10), isolation=iso, hide=hidden_paths()) as sb:
                for _ in range(5):
                    sb.run(work, "hw4.py", calls)
                controllers = sb.cgroup_controllers
                times = []
                for _ in range(n):
                    t = time.perf_counter()
                    r = sb.run(work, "hw4.py", calls)
                    times.append(time.perf_counter() - t)
                assert all(q.status == "ok" for q in r.questions.values())
            med = statistics.median(times) * 1e3
            print(f"{iso:10s} ({r.isolation}, cgroups {controllers or 'none'}): median {med:.1f} ms, "
                  f"min {min(times) * 1e3:.1f} ms, sandbox cost ~{med - statistics.median(floor) * 1e3:.1f} ms "
                  f"over the floor")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--bench":
        sys.path.insert(0, str(ROOT))
        bench(int(sys.argv[2]) if len(sys.argv) > 2 else 50)
    else:
        sys.exit(pytest.main([__file__, "-q"]))


def _new_venv(venv: Path, python: str = sys.executable) -> Path:
    """A fresh virtual environment of ``python`` at ``venv`` (no pip); returns its site-packages."""
    import subprocess
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True)
    return Path(subprocess.run([str(venv / "bin" / "python"), "-c",
                                "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())


@pytest.mark.parametrize("userns", [False, True], ids=["root", "userns"])
def test_python_installed_under_tmp_stays_importable(full_isolation, tmp_path, userns):
    """A virtual environment under /tmp (CI makes one with mktemp) must survive each child's
    private /tmp: a module imported lazily from its site-packages still loads, while the grader
    installed there stays hidden.  (Regression: numpy.testing was not found in a CI venv.)"""
    import subprocess
    venv = Path("/tmp") / f"cnn-grader-venv-test-{os.getpid()}-{int(userns)}"
    try:
        site = _new_venv(venv)
        # NumPy and the rest from the environment running the tests (itself a venv, often)
        import numpy
        (site / "test-env.pth").write_text(str(Path(numpy.__file__).resolve().parent.parent) + "\n")
        (site / "lazy_helper_cnn.py").write_text("def double(a):\n    return a * 2\n")
        shutil.copytree(ROOT / "reference", site / "reference")  # an installed copy of the answers
        sub = tmp_path / "sub.py"
        src = (SUBMISSIONS / "correct_vectorized.py").read_text()
        sub.write_text(src + "\n\ndef sum_pool(y):\n    import lazy_helper_cnn\n    y = np.asarray(y, dtype=float)\n"
                       "    s = y[:-1, :-1] + y[:-1, 1:] + y[1:, :-1] + y[1:, 1:]\n"
                       "    return lazy_helper_cnn.double(s) / 2\n\n"
                       "def fc_forward(z, v):\n    import os\n"
                       f"    assert not os.path.exists({str(site / 'reference' / 'hw4' / 'model.py')!r}), 'reference seen'\n"
                       "    return _sig(np.einsum('ijk,ijkm->m', z, v))\n")
        code = ("import sys, json; sys.path.insert(0, %r)\n"
                "from grader.api import Options, check, hidden_paths\n"
                "import grader.api as api\n"
                "import grader.sandbox._imports as im\n"  # an installed package the course allows
                "im.ALLOWED = im.ALLOWED + ('lazy_helper_cnn',)\n"
                "extra = %r\n"
                "orig = api.hidden_paths\n"
                "api.hidden_paths = lambda *a: orig(*a, extra)\n"
                "from grader.sandbox.supervisor import Sandbox\n"
                "if %r:\n"
                "    init = Sandbox.__init__\n"
                "    def patched(self, *a, **k):\n"
                "        init(self, *a, userns=True, **k)\n"
                "    Sandbox.__init__ = patched\n"
                "r = check(%r, Options(isolation='namespaces'))\n"
                "print(json.dumps({q.id: [q.status, q.message] for q in r.questions}))\n"
                ) % (str(ROOT), str(site / "reference"), userns, str(sub))
        out = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-3000:]
        status = json.loads(out.stdout.strip().splitlines()[-1])
        assert status["1.3"][0] == "passed", status["1.3"]
        assert status["1.4"][0] == "passed", status["1.4"]
    finally:
        shutil.rmtree(venv, ignore_errors=True)


def test_student_text_cannot_drive_the_terminal(full_isolation, tmp_path):
    """Exception texts, printed output and file names reach terminals, CSV and JUnit: no control
    character (ESC, CR, BEL) or bidi override survives, in any output, and messages are one line."""
    import subprocess
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copy(HOSTILE / "forge_terminal.py", folder / "mallory\x1b[31m\r.py")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outputs = []
    for args in (["check", str(HOSTILE / "forge_terminal.py"), "--json"],
                 ["check", str(HOSTILE / "forge_terminal.py"), "--junit", str(tmp_path / "j.xml")],
                 ["grade", str(folder), "--out", str(tmp_path / "out")]):
        r = subprocess.run([sys.executable, "-m", "grader", *args, "--isolation", "namespaces"],
                           capture_output=True, text=True, env=env, timeout=120)
        assert r.returncode in (0, 1), r.stderr
        outputs += [r.stdout, r.stderr]
    outputs += [(tmp_path / "j.xml").read_text(), (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8"),
                (tmp_path / "out" / "results.json").read_text(encoding="utf-8")]
    for text in outputs:
        for bad in ("\x1b", "\r", "\x07", "\u202e"):
            assert bad not in text, (bad, text[:3000])
    res = json.loads(outputs[0])
    assert all("\n" not in q["message"] for q in res["questions"])
    assert "returned a value that cannot be read as numbers" in res["questions"][0]["message"]
    assert "_runtime.py" not in json.dumps(res)  # no grader frames in a student's traceback


def _world_readable_python() -> str | None:
    """An interpreter with NumPy whose installation every user can read (CI provides one in
    $CNN_GRADER_WORLD_PYTHON; this machine's own may live under a 0700 home directory)."""
    import subprocess
    for exe in (os.environ.get("CNN_GRADER_WORLD_PYTHON"), sys.executable):
        if not exe or not Path(exe).exists():
            continue
        probe = ("import sys; sys.path.insert(0, %r); sys.path.insert(0, %r); import _runtime; "
                 "print(repr(_runtime._uid_blocker()))") % (str(ROOT / "grader" / "sandbox"), str(ROOT))
        r = subprocess.run([exe, "-c", probe], capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip() == "''":
            return exe
    return None


PROBE = '''
import os, socket, subprocess, sys
def layer_sizes(width=4, height=4, filter_size=2, pool_size=2, stride=1):
    print("UID", os.getuid(), os.geteuid(), os.getgroups())
    secret, shared = %r, %r
    try:
        open(secret).read(); print("READ-SECRET")
    except OSError as exc:
        print("no read", type(exc).__name__)
    try:
        open(os.path.join(shared, "dropped"), "w").write("x"); print("WROTE-SHARED")
    except OSError as exc:
        print("no write", type(exc).__name__)
    for name in ("/proc/self/cmdline", "/proc/%%d/cmdline" %% os.getppid()):
        print("CMDLINE", open(name, "rb").read().replace(b"\\0", b" ").decode().strip())
    for family in (socket.AF_INET, socket.AF_INET6, 40, 16, 17):  # IP (loopback), vsock, netlink, packet
        try:
            socket.socket(family, socket.SOCK_DGRAM if family != 17 else socket.SOCK_RAW).close()
            print("SOCKET OPENED", family)
        except OSError as exc:
            print("no socket", family, exc.errno)
    if os.fork() == 0:  # a daemon that leaves the process group
        os.setsid()
        if os.fork() == 0:
            import time
            open(os.path.join(os.getcwd(), "alive"), "w").write(str(os.getpid()))
            time.sleep(300)
        os._exit(0)
    c_w = (width - filter_size) // stride + 1
    c_h = (height - filter_size) // stride + 1
    return c_w, c_h, (c_w - pool_size) // stride + 1, (c_h - pool_size) // stride + 1
'''


@pytest.mark.skipif(not (sys.platform.startswith("linux") and os.geteuid() == 0), reason="root only")
def test_process_isolation_as_root_drops_to_an_unprivileged_user(tmp_path):
    """Where namespaces are unavailable as root (a Docker container such as Gradescope's),
    student code runs as a uid of its own: it cannot read root-only files nor write root's
    folders, and its daemons die with it."""
    import subprocess
    exe = _world_readable_python()
    if exe is None:
        if os.environ.get("CNN_GRADER_CI"):  # CI: .ci/run provides the interpreter
            pytest.fail("CI must provide CNN_GRADER_WORLD_PYTHON")
        pytest.skip("no world-readable Python with NumPy here (set CNN_GRADER_WORLD_PYTHON)")
    secret = tmp_path / "secret.txt"
    secret.write_text("answers")
    secret.chmod(0o600)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    sub = tmp_path / "probe.py"
    sub.write_text(PROBE % (str(secret), str(shared)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([exe, "-m", "grader", "check", str(sub), "--json", "--isolation", "process"],
                       capture_output=True, text=True, env=env, timeout=120)
    res = json.loads(r.stdout)
    q = res["questions"][0]
    assert q["status"] == "passed", q
    assert res["isolation"] == "process" and "as root" not in res["isolation_note"], res
    uid_line = next(line for line in q["stdout"].splitlines() if line.startswith("UID"))
    assert uid_line.split()[1] not in ("0", "") and uid_line.split()[2] != "0", uid_line
    assert "no read" in q["stdout"] and "READ-SECRET" not in q["stdout"]
    assert "no write" in q["stdout"] and not (shared / "dropped").exists()
    cmdlines = [line for line in q["stdout"].splitlines() if line.startswith("CMDLINE")]
    assert cmdlines and not any("/" in line for line in cmdlines), cmdlines  # no host path in argv
    assert "SOCKET OPENED" not in q["stdout"] and "no socket 2 97" in q["stdout"], q["stdout"]  # nor loopback
    time.sleep(0.3)
    uid = int(uid_line.split()[1])
    def uid_of(pid: str) -> list[str]:
        try:
            return next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                        if line.startswith("Uid:")).split()[1:]
        except (OSError, StopIteration):
            return []
    left = [p for p in os.listdir("/proc") if p.isdigit() and str(uid) in uid_of(p)]
    assert left == [], f"processes of the sandbox uid survived: {left}"


def test_report_injection_is_shown_escaped(hostile_grading):
    """inject_report prints, raises and names things with HTML, script and template syntax: the
    report shows them as text (escaped), never as markup, and never evaluates the template."""
    out = hostile_grading["out"]
    res = hostile_grading["by"]["inject_report"]
    for page in (out / res.report, out / "index.html"):
        html = page.read_text(encoding="utf-8")
        for raw in ('<script>document.title="INJECTED-7c1f"', "<img src=x onerror", 'href="javascript:',
                    "<style>body{display:none}", "Sneaky<script>"):
            assert raw not in html, (page.name, raw)
    report = (out / res.report).read_text(encoding="utf-8")
    assert "INJECTED-7c1f" in report and "&lt;script&gt;" in report  # it is shown, as text
    assert "{{ 7*7 }}" in report or "{{ 7*7 }}".replace(" ", "") in report.replace(" ", "")


def _link_or_copy(src: Path, dest: Path) -> None:
    """A copy of the folder ``src`` (hard links where allowed: fast, and NumPy is 70 MB)."""
    import subprocess
    if subprocess.run(["cp", "-al", str(src), str(dest)], capture_output=True).returncode:
        shutil.rmtree(dest, ignore_errors=True)  # another file system, or links not allowed
        shutil.copytree(src, dest)


def test_numpy_itself_under_tmp_serves_a_whole_class(full_isolation, tmp_path):
    """NumPy installed under /tmp (CI's fresh clone has its .venv there): the zygote, which sits
    in the shared root where /tmp is stashed away, still serves child after child.
    (Regression: it imported numpy.random after its first child and died: 40 CI failures.)"""
    import subprocess

    import numpy
    venv = Path("/tmp") / f"cnn-grader-numpy-test-{os.getpid()}"
    try:
        site = _new_venv(venv)
        here = Path(numpy.__file__).resolve().parent
        for src in [here] + list(here.parent.glob("numpy*.libs")):
            _link_or_copy(src, site / src.name)
        # click, jinja2 and the rest from the environment running the tests, after NumPy's copy
        (site / "zz-test-env.pth").write_text(str(here.parent) + "\n")
        subs = tmp_path / "subs"
        subs.mkdir()
        for i in range(3):
            shutil.copyfile(SUBMISSIONS / "correct_vectorized.py", subs / f"s{i}.py")
        code = ("import sys, json, numpy; sys.path.insert(0, %r)\n"
                "assert numpy.__file__.startswith('/tmp/'), numpy.__file__\n"
                "from grader.api import Options, grade\n"
                "run = grade(%r, %r, Options(isolation='namespaces', jobs=1, cache=False))\n"
                "print(json.dumps([[s.score, s.isolation, s.error] for s in run.submissions]))\n"
                ) % (str(ROOT), str(subs), str(tmp_path / "out"))
        out = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, timeout=180)
        assert out.returncode == 0, out.stderr[-3000:]
        assert "Traceback" not in out.stderr, out.stderr[-3000:]  # (a zygote that died says so there)
        assert json.loads(out.stdout.strip().splitlines()[-1]) == [[20.0, "namespaces", ""]] * 3
    finally:
        shutil.rmtree(venv, ignore_errors=True)


def test_numpy_in_a_venv_inside_a_hidden_folder(full_isolation, tmp_path):
    """The README's layout: the checkout (hidden) holds ``.venv`` with NumPy, and ``venv`` made
    ``.venv/lib64 -> lib``.  The link must not be mounted over: that covered ``lib`` and the
    sandbox could not start (regression: SandboxError mount .../site-packages: No such file)."""
    import subprocess
    import numpy
    checkout = Path("/tmp") / f"cnn-grader-checkout-test-{os.getpid()}"
    shutil.rmtree(checkout, ignore_errors=True)
    try:
        inner = checkout / ".venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(inner)], check=True)
        assert (inner / "lib64").is_symlink() or sys.maxsize <= 2 ** 32
        site = inner / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
        src = Path(numpy.__file__).resolve().parent
        for name in [src.name] + [p.name for p in src.parent.glob("numpy*.libs")]:
            _link_or_copy(src.parent / name, site / name)
        (checkout / "secret.txt").write_text("STOLEN")
        outer = checkout.with_name(checkout.name + "-outer")  # the interpreter: another venv
        outer_site = _new_venv(outer)
        (outer_site / "inner.pth").write_text(str(site) + "\n")
        sub = tmp_path / "sub.py"
        sub.write_text((SUBMISSIONS / "correct_vectorized.py").read_text() + "\n\ndef sum_pool(y):\n    import os\n"
                       f"    assert not os.path.exists({str(checkout / 'secret.txt')!r}), 'secret seen'\n"
                       "    y = np.asarray(y, dtype=float)\n"
                       "    return y[:-1, :-1] + y[:-1, 1:] + y[1:, :-1] + y[1:, 1:]\n")
        code = ("import sys, json; sys.path.insert(0, %r)\n"
                "import grader.api as api\n"
                "orig = api.hidden_paths\n"
                "api.hidden_paths = lambda *a: orig(*a, %r)\n"
                "import numpy; assert numpy.__file__.startswith(%r), numpy.__file__\n"
                "r = api.check(%r, api.Options(isolation='namespaces'))\n"
                "print(json.dumps({q.id: [q.status, q.message] for q in r.questions}))\n"
                ) % (str(ROOT), str(checkout), str(site), str(sub))
        out = subprocess.run([str(outer / "bin" / "python"), "-c", code], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-3000:]
        status = json.loads(out.stdout.strip().splitlines()[-1])
        assert all(s == "passed" for s, _ in status.values()), status
    finally:
        shutil.rmtree(checkout, ignore_errors=True)
        shutil.rmtree(checkout.with_name(checkout.name + "-outer"), ignore_errors=True)


@pytest.mark.skipif(not (sys.platform.startswith("linux") and os.geteuid() == 0), reason="root only")
@pytest.mark.parametrize("python", ["this", "simulated"])
def test_process_isolation_as_root_refuses_an_unreadable_python(tmp_path, python):
    """Process isolation as root with a Python the sandbox uid cannot read (under /root, a 0700
    home): student code would run as root -- and could plant a .pth in the grader's own
    site-packages.  It never runs: one line says how to fix the machine (exit 3, the machine's; no results)."""
    import subprocess
    if python == "this":
        if not _process_refused():
            pytest.skip("this Python is world-readable: see the simulated case")
        exe = sys.executable
    else:  # a venv under a 0700 folder, its NumPy inside: the case of a pyenv under /root
        world = _world_readable_python()
        if world is None:
            if os.environ.get("CNN_GRADER_CI"):
                pytest.fail("CI must provide CNN_GRADER_WORLD_PYTHON")
            pytest.skip("no world-readable Python with NumPy here (set CNN_GRADER_WORLD_PYTHON)")
        private = tmp_path / "home"
        private.mkdir(mode=0o700)
        site = _new_venv(private / "venv", python=world)
        exe = str(private / "venv" / "bin" / "python")
        numpy_dir = subprocess.run([world, "-c", "import numpy, os; print(os.path.dirname(numpy.__file__))"],
                                   capture_output=True, text=True, check=True).stdout.strip()
        for src in [Path(numpy_dir)] + list(Path(numpy_dir).parent.glob("numpy*.libs")):
            _link_or_copy(src, Path(site) / src.name)
        (Path(site) / "world.pth").write_text(str(Path(numpy_dir).parent) + "\n")  # click, jinja2, ... after it
        where = subprocess.run([exe, "-c", "import numpy; print(numpy.__file__)"], capture_output=True, text=True,
                               check=True).stdout
        assert where.startswith(str(private)), where
    marker = tmp_path / "student-code-ran"
    sub = tmp_path / "planter.py"
    sub.write_text(f"open({str(marker)!r}, 'w').write(str(__import__('os').getuid()))\n"
                   + (SUBMISSIONS / "correct_vectorized.py").read_text())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["check", str(sub)], ["check", str(sub), "--json"]):
        r = subprocess.run([exe, "-m", "grader", *args, "--isolation", "process"], capture_output=True, text=True,
                           env=env, timeout=120)
        assert r.returncode == 3, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
        assert "needs a Python every user can read" in lines[0] and "namespaces" in lines[0], lines[0]
    assert not marker.exists(), "student code ran as root"
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copy(sub, folder / "a.py")
    r = subprocess.run([exe, "-m", "grader", "grade", str(folder), "--out", str(tmp_path / "out"),
                        "--isolation", "process"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 3 and "needs a Python every user can read" in r.stderr, (r.returncode, r.stderr)
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_no_hidden_host_path_is_in_the_childs_memory(hostile_grading):
    """Found by an attack round: correct code reading /proc/self/mem found the submissions,
    output, staging and work folders, the template cache and the grader's path, which the
    zygote's heap (inherited by every child) and the job file's mapped page held."""
    q = {q.id: q for q in hostile_grading["by"]["steal_memory"].questions}["1.1"]
    scanned = re.search(r"SCANNED (\d+) MiB FOUND (.*)", q.stdout)
    assert scanned and int(scanned.group(1)) >= 10 and scanned.group(2) == "[]", q.stdout[:3000]


FILLER = (SUBMISSIONS / "correct_vectorized.py").read_text() + '''
import os


def sum_pool(y):
    """Fills the disk through the folders every user may write, 1 MiB a file (under the file size cap)."""
    block = b"x" * (1 << 20)
    for top in ("/tmp", "/var/tmp", os.getcwd()):
        where = os.path.join(top, "cnnfill-%d" % os.getpid())
        try:
            os.makedirs(where, exist_ok=True)
            for i in range(300):
                with open(os.path.join(where, str(i)), "wb") as f:
                    f.write(block)
        except OSError as exc:
            print("STOPPED", exc)
    print("WROTE ALL")
    return y[:-1, :-1] + y[:-1, 1:] + y[1:, :-1] + y[1:, 1:]
'''


@pytest.mark.skipif(not (sys.platform.startswith("linux") and os.geteuid() == 0), reason="root only")
def test_process_isolation_caps_a_submissions_disk_use_and_removes_what_it_left(tmp_path):
    """Found by an attack round in a Gradescope-like container (process isolation as root):
    a student filled 2.2 GB in 5 s through /tmp, and the next grading there could not write."""
    import subprocess
    exe = _world_readable_python()
    if exe is None:
        if os.environ.get("CNN_GRADER_CI"):
            pytest.fail("CI must provide CNN_GRADER_WORLD_PYTHON")
        pytest.skip("no world-readable Python with NumPy here (set CNN_GRADER_WORLD_PYTHON)")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "filler.py").write_text(FILLER)
    shutil.copy(SUBMISSIONS / "correct_vectorized.py", subs / "honest.py")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([exe, "-m", "grader", "grade", str(subs), "--out", str(tmp_path / "out"), "--jobs", "2",
                        "--isolation", "process", "--timeout", "20"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    by = {s["student"]: s for s in json.loads((tmp_path / "out" / "results.json").read_text())["submissions"]}
    assert by["honest"]["score"] == 20
    q = {q["id"]: q for q in by["filler"]["questions"]}["1.3"]
    assert q["score"] == 0 and "MiB to disk" in q["message"] and "WROTE ALL" not in q.get("stdout", ""), q
    left = [p for top in ("/tmp", "/var/tmp") for p in Path(top).glob("cnnfill-*")]
    assert left == [], left


def test_scratch_removal_survives_a_deep_chain_and_follows_no_link(tmp_path):
    """Student code (process isolation) can leave a chain of thousands of folders in its scratch
    folder or /tmp; the supervisor removed them with shutil.rmtree, which recurses on Python < 3.12
    and raised RecursionError in the grader's own process (ignore_errors does not catch it).
    The tree goes, in time linear in its size, and a link inside is removed, never followed."""
    from grader.sandbox.supervisor import _rmtree
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "classmate.py").write_text("x = 1\n")
    times = []
    for depth in (2000, 8000):
        scratch = tmp_path / f"scratch{depth}"
        scratch.mkdir()
        fd = os.open(scratch, os.O_RDONLY)
        for i in range(depth):
            os.mkdir("d", dir_fd=fd)
            if i % 500 == 0:
                os.symlink(keep, "link", dir_fd=fd)
                os.close(os.open("f", os.O_CREAT | os.O_WRONLY, 0o600, dir_fd=fd))
            fd, old = os.open("d", os.O_RDONLY, dir_fd=fd), fd
            os.close(old)
        os.close(fd)
        t0 = time.process_time()  # (CPU time, ours and the kernel's for us: a loaded machine's waits left out)
        _rmtree(str(scratch))
        times.append(time.process_time() - t0)
        assert not scratch.exists()
    assert (keep / "classmate.py").read_text() == "x = 1\n"
    assert times[1] < 8 * times[0] + 1.0, times  # (4 times the folders: about 4 times the time, not 16)
