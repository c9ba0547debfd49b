"""The Dask executor: the same per-submission tasks on a Dask distributed cluster.

The coordinator keeps the gradebook; tasks (which carry the submission's bytes) are
submitted to the scheduler and their results stream back as they complete, each committed
at once by the caller. The workers need the course folder at the same path (a shared file
system, or the same checkout on every machine) and `grader` importable.

Per-task guard: a task that passes its time budget is reported as failed and cancelled;
Dask cannot kill a running thread, so the sandbox's own limits are what stop hostile code
inside it. A worker that dies is Dask's business: its tasks are retried elsewhere, and a
task that keeps killing workers is reported as failed (distributed's `allowed-failures`).
"""
from __future__ import annotations

import time
from typing import Any, Iterable, Iterator

from grader.batch.pool import Outcome, TaskFn
from grader.batch.worker import THREAD_ENV, Payload, grade_payload
from grader.errors import GraderError


def _timed(task_fn: TaskFn, payload: Payload) -> tuple[str, float]:
    import os

    for k, v in THREAD_ENV.items():
        os.environ.setdefault(k, v)
    start = time.perf_counter()
    return task_fn(payload), time.perf_counter() - start


def connect(scheduler: str | Any, timeout: str = "20s") -> Any:
    """A distributed Client for `scheduler` (an address, or a Cluster object in tests)."""
    try:
        from distributed import Client
    except ImportError:
        raise GraderError("--executor dask needs the optional 'cluster' extra: pip install 'grader[cluster]'") from None
    try:
        return Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as e:
        raise GraderError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from None


def run_dask(payloads: Iterable[tuple[int, Payload]], client: Any, timeout_s: float,
             task_fn: TaskFn = grade_payload) -> Iterator[Outcome]:
    """Submit every payload; yield outcomes in completion order."""
    from distributed import as_completed

    futures = {}
    submitted: dict[Any, float] = {}
    for index, payload in payloads:
        fut = client.submit(_timed, task_fn, payload, pure=False, key=f"grade-{index}-{payload.task.input_key[:12]}")
        futures[fut] = index
        submitted[fut] = time.monotonic()
    done = as_completed(list(futures), with_results=False)
    remaining = set(futures)
    # the time budget counts from submission, generously: a task may queue behind others
    workers = max(1, sum(client.nthreads().values()))
    budget = timeout_s * max(1.0, len(futures) / workers)
    deadline = time.monotonic() + budget
    while remaining:
        batch = done.next_batch(block=False)
        if not batch:
            if time.monotonic() > deadline:
                for fut in sorted(remaining, key=lambda f: futures[f]):
                    fut.cancel()
                    yield Outcome(futures[fut], None, f"it did not finish within the {timeout_s:g} s time budget "
                                                     "for one submission on the cluster")
                return
            time.sleep(0.02)
            continue
        for fut in batch:
            remaining.discard(fut)
            index = futures[fut]
            if fut.status == "finished":
                text, seconds = fut.result()
                yield Outcome(index, text, None, seconds)
            else:
                err = fut.exception() if fut.status == "error" else fut.status
                yield Outcome(index, None, f"the cluster could not grade it ({type(err).__name__}: {err})")
