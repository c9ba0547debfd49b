"""The local executor: a pool of worker processes with a guard around every task.

Why not concurrent.futures: its pool cannot stop one hung task, and one dead worker breaks
the whole pool. Here each worker has its own pipe; the coordinator waits on all pipes and
process sentinels at once, so a worker that dies or passes the task's time budget is
killed, replaced, and its submission gets an error result naming what happened; the
other workers never notice.

Workers are forked from a fork server ("forkserver": a fresh, single-threaded interpreter
that imports and warms up the grader once, grader/batch/preload.py), so no thread of the
coordinator (its progress bar runs one) is inherited and the sandbox may fork safely; a
new or replacement worker starts in milliseconds instead of re-importing SymPy. Where
there is no fork server (Windows), workers are spawned fresh and warm up themselves.
"""
from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterable, Iterator

from grader.batch.worker import THREAD_ENV, Payload, grade_payload

TaskFn = Callable[[Payload], str]


@dataclass
class Outcome:
    """What came back for one task: `result_json`, or `failure` saying why there is none."""

    index: int
    result_json: str | None = None
    failure: str | None = None
    seconds: float = 0.0


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the coordinator dies (even by SIGKILL)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the worker still exits when its pipe closes


#: what a worker sends once it has imported what grading needs; a task's clock starts then
READY = "ready"
#: how long a worker may take to start (imports on a loaded machine), apart from task budgets
STARTUP_S = 120.0




def _worker_main(conn: Connection, task_fn: TaskFn) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    import grader.batch.preload  # noqa: F401  warms up on import; already done in the fork server
    try:
        conn.send(READY)
    except (BrokenPipeError, OSError):
        return
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        index, payload = msg
        start = time.perf_counter()
        try:
            reply = (index, task_fn(payload), None)
        except Exception as e:  # a bug in a kind must not take the batch down: report it
            reply = (index, None, f"the grader failed on it ({type(e).__name__}: {e})")
        try:
            conn.send(reply + (time.perf_counter() - start,))
        except (BrokenPipeError, OSError):
            return


class _Worker:
    def __init__(self, ctx: mp.context.BaseContext, task_fn: TaskFn) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, task_fn), daemon=True)
        self.proc.start()
        child.close()
        self.index: int | None = None
        self.deadline = 0.0
        self.started = 0.0
        self.ready = False
        self.spawned = time.monotonic()

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _context() -> mp.context.BaseContext:
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        # only our module: never the caller's __main__, which may be anything (pytest, a script)
        ctx.set_forkserver_preload(["grader.batch.preload"])
        return ctx
    return mp.get_context("spawn")


def prestart() -> None:
    """Start the fork server now: its warm-up (seconds of imports) then overlaps what the
    caller does before the first worker is needed (loading the course, discovery)."""
    for k, v in THREAD_ENV.items():
        os.environ.setdefault(k, v)  # inherited by the fork server, so by the workers
    if "forkserver" in mp.get_all_start_methods():
        from multiprocessing import forkserver

        _context()
        forkserver.ensure_running()


def run_local(payloads: Iterable[tuple[int, Payload]], jobs: int, timeout_s: float,
              task_fn: TaskFn = grade_payload) -> Iterator[Outcome]:
    """Run every payload on `jobs` worker processes, yielding outcomes as they finish."""
    for k, v in THREAD_ENV.items():
        os.environ.setdefault(k, v)  # inherited by the spawned workers
    ctx = _context()
    tasks = list(payloads)
    if not tasks:
        return  # nothing changed since the last run: no worker to start
    todo = iter(tasks)
    workers = [_Worker(ctx, task_fn) for _ in range(max(1, min(jobs, len(tasks))))]
    pending = True

    def assign(w: _Worker) -> None:
        """Give an idle worker the next task, if any is left."""
        nonlocal pending
        nxt = next(todo, None) if pending else None
        if nxt is None:
            pending = False
            return
        w.index = nxt[0]
        w.started = time.monotonic()
        # a worker still starting gets its start-up time; the task's clock starts at READY
        w.deadline = w.started + timeout_s if w.ready else w.spawned + STARTUP_S
        try:
            w.conn.send(nxt)
        except (BrokenPipeError, OSError):
            pass  # the sentinel below reports the dead worker

    try:
        while True:
            for w in workers:
                if w.index is None and pending:
                    assign(w)
            busy = [w for w in workers if w.index is not None]
            if not busy:
                return
            wait_for = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait_for)
            now = time.monotonic()
            for i, w in enumerate(workers):
                if w.index is None:
                    continue
                failure = None
                if w.conn in ready:
                    try:
                        msg = w.conn.recv()
                        if msg == READY:
                            w.ready = True
                            w.started, w.deadline = now, now + timeout_s
                            continue
                        index, text, error, seconds = msg
                    except (EOFError, OSError):
                        w.proc.join(1)
                        failure = f"the worker grading it died ({_describe_exit(w.proc.exitcode)})"
                    else:
                        # the worker gets its next task before the caller commits this result,
                        # so it never waits for the gradebook
                        w.index = None
                        assign(w)
                        yield Outcome(index, text, error, seconds)
                        continue
                elif w.proc.sentinel in ready:
                    w.proc.join(1)
                    failure = f"the worker grading it died ({_describe_exit(w.proc.exitcode)})"
                elif now >= w.deadline:
                    failure = (f"it took longer than the {timeout_s:g} s time budget for one submission" if w.ready
                               else f"the worker did not start within {STARTUP_S:g} s")
                if failure:
                    index = w.index
                    w.kill()
                    workers[i] = _Worker(ctx, task_fn)
                    yield Outcome(index, None, failure, now - w.started)
    finally:
        for w in workers:
            try:
                w.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        for w in workers:
            w.proc.join(2)
            if w.proc.is_alive():
                w.kill()
