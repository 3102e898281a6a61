"""Work spread over worker processes; the coordinator only hands out indices and merges messages.

``grade`` used to run the trusted side (inputs, comparison, diagnosis, reports) in threads of
one process: under one GIL it capped a class at ~125 submissions/s however many cores.  Here
each worker is a process forked from the coordinator (so it inherits the loaded assignment and
the compiled templates, and nothing is pickled but the messages), with its own sandbox; it
claims a block of consecutive indices from a shared counter, does *everything* for each one,
and sends back one small message per index.  The coordinator's work per index is one
``recv`` and whatever ``on_message`` does.

Bounded: a worker blocks on its pipe while the coordinator is behind, so nothing piles up.
A worker that dies (a bug of ours, the OOM killer) costs only the index it was on: that one
gets ``failed(i, why)``, and the rest of its block goes to a new worker.  An exception a task
raises is fatal to the run (the task itself turns a submission's failures into results):
every worker stops and the coordinator raises it.

Fork keeps workers cheap and needs no pickling of functions; where fork is unavailable or
unsafe (not Linux) or one worker suffices, :func:`run_tasks` runs the same tasks in threads.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import threading
from multiprocessing.connection import wait
from typing import Any, Callable, ContextManager

Task = Callable[[Any, int, int], Any]  # (worker state, index, end of its block) -> message


def use_processes(jobs: int) -> bool:
    """Worker processes where they pay: several workers, on Linux (fork after NumPy is safe)."""
    return jobs > 1 and sys.platform.startswith("linux") and os.environ.get("CNN_GRADER_THREADS") != "1"


def block_size(left: int, jobs: int, most: int = 16) -> int:
    """Indices claimed at once, of the ``left`` unclaimed: big enough to batch a worker's inputs,
    and shrinking towards the end (guided scheduling), so that the workers finish together
    instead of one grading a last block of 16 while the others wait (on 16 cores that tail
    was a tenth of a class's time)."""
    return max(1, min(most, left // (4 * jobs)))


def run_tasks(n: int, jobs: int, setup: Callable[[], ContextManager], task: Task,
              failed: Callable[[int, str], Any], on_message: Callable[[int, Any], None]) -> None:
    """Run ``task(state, i, end)`` for every ``i < n`` on ``jobs`` workers, ``state`` being what
    ``setup()`` enters once per worker; ``on_message(i, message)`` runs here, as messages come."""
    if n == 0:
        return
    if use_processes(jobs):
        _Pool(n, jobs, setup, task, failed, on_message).run()
    else:
        _threads(n, jobs, setup, task, on_message)


class _Fatal:
    """Sent by a worker whose task raised: the run stops with ``exc``."""

    def __init__(self, exc: BaseException):
        self.exc = exc


class _Pool:
    def __init__(self, n, jobs, setup, task, failed, on_message):
        self.n, self.jobs, self.setup, self.task, self.failed, self.on_message = n, jobs, setup, task, failed, on_message
        self.ctx = multiprocessing.get_context("fork")
        self.counter = self.ctx.Value("q", 0)  # next unclaimed index
        self.stop = self.ctx.Value("b", 0)
        self.workers: dict[Any, tuple[Any, list[int]]] = {}  # connection -> (process, claimed, not done)
        self.coordinator = os.getpid()

    def run(self) -> None:
        fatal: BaseException | None = None
        try:
            for _ in range(self.jobs):
                self._start([])
            while self.workers:
                for conn in wait(list(self.workers)):
                    fatal = self._receive(conn) or fatal
                if fatal is not None:
                    self.stop.value = 1
        except BaseException:
            self.stop.value = 1
            self._end_all(kill=True)
            raise
        self._end_all(kill=fatal is not None)
        if fatal is not None:
            raise fatal

    def _start(self, first: list[int]) -> None:
        recv, send = self.ctx.Pipe(duplex=False)
        proc = self.ctx.Process(target=self._worker, args=(send, first), daemon=True)
        proc.start()
        send.close()  # the worker holds the only write end: EOF here means it has ended
        self.workers[recv] = (proc, list(first))

    def _receive(self, conn) -> BaseException | None:
        proc, todo = self.workers[conn]
        try:
            kind, payload = conn.recv()
        except (EOFError, OSError):
            del self.workers[conn]
            conn.close()
            proc.join()
            if todo and not self.stop.value:  # it died: its current index fails, the rest goes on
                why = f"the grader's worker process ended unexpectedly (exit code {proc.exitcode})"
                self.on_message(todo[0], self.failed(todo[0], why))
                if todo[1:]:
                    self._start(todo[1:])
            return None
        if kind == "claim":
            todo.extend(payload)
        elif kind == "done":
            i, message = payload
            todo.remove(i)
            self.on_message(i, message)
        elif kind == "fatal":
            return payload
        return None

    def _worker(self, conn, first: list[int]) -> None:
        """In the worker: claim blocks, run the task on each index, send each message."""
        die_with_parent(self.coordinator)
        try:
            with self.setup() as state:
                todo = list(first)
                end = (todo[-1] + 1) if todo else 0
                while not self.stop.value:
                    if not todo:
                        with self.counter.get_lock():
                            start = self.counter.value
                            end = min(self.n, start + block_size(self.n - start, self.jobs))
                            self.counter.value = end
                        todo = list(range(start, end))
                        if not todo:
                            break
                        conn.send(("claim", todo))
                    i = todo.pop(0)
                    conn.send(("done", (i, self.task(state, i, end))))
        except BaseException as exc:  # noqa: BLE001 - whatever it is, the coordinator decides
            try:
                conn.send(("fatal", exc))
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                conn.send(("fatal", RuntimeError(f"{type(exc).__name__}: {exc}")))
        finally:
            conn.close()

    def _end_all(self, kill: bool) -> None:
        for conn, (proc, _todo) in list(self.workers.items()):
            if kill and proc.is_alive():
                proc.join(timeout=5)  # it stops after its current index
                if proc.is_alive():
                    proc.kill()
            proc.join()
            conn.close()
        self.workers.clear()


def die_with_parent(parent: int) -> None:
    """A worker ends the moment its coordinator does, even by SIGKILL (and its sandbox's zygote,
    which dies with it, takes the children it runs): a killed ``grade`` leaves nothing running
    that could go on writing.  Linux only; elsewhere the pipe's EOF ends it after its current index."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the line above: nothing will signal us
        os._exit(1)


def _threads(n: int, jobs: int, setup, task: Task, on_message) -> None:
    """The same work in threads of this process (one worker, or no fork)."""
    jobs = max(1, min(jobs, n))
    lock = threading.Lock()
    nxt = [0]
    # Bounded: a worker waits while results are still to be handled, so a class never piles
    # up in memory behind a slow disk.
    done: queue.Queue = queue.Queue(maxsize=2 * jobs)
    stop = threading.Event()

    def hand_over(item) -> None:
        while not stop.is_set():
            try:
                done.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def worker() -> None:
        try:
            with setup() as state:
                while not stop.is_set():
                    with lock:
                        start = nxt[0]
                        end = nxt[0] = min(n, start + block_size(n - start, jobs))
                    if start >= n:
                        return
                    for i in range(start, end):
                        hand_over((i, task(state, i, end)))
        except BaseException as exc:  # noqa: BLE001 - the run stops with it
            hand_over(_Fatal(exc))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(jobs)]
    for t in threads:
        t.start()
    try:
        for _ in range(n):
            item = done.get()
            if isinstance(item, _Fatal):
                raise item.exc
            on_message(*item)
    finally:
        stop.set()  # (on_message may raise: the workers must not wait for us forever)
        for t in threads:
            t.join()
