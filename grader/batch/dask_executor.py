"""The Dask executor: the same per-submission tasks on a Dask distributed cluster.

The coordinator keeps the gradebook; tasks (which carry the submission's bytes) are
submitted to the scheduler and their results stream back as they complete, each committed
at once by the caller. The course travels too: the graded exercises' folders (exercises/<id>/
and solutions/<id>/) are packed into one zip, and a worker plugin unpacks it into every
worker's own directory, including workers that join later, so the workers need only
`grader` importable, not the course at the same path or a shared file system.

Per-task guard: a task that passes its time budget is reported as failed and cancelled;
Dask cannot kill a running thread, so the sandbox's own limits are what stop hostile code
inside it. A worker that dies is Dask's business: its tasks are retried elsewhere, and a
task that keeps killing workers is reported as failed (distributed's `allowed-failures`).
"""
from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from grader.batch.pool import Outcome, TaskFn
from grader.batch.worker import THREAD_ENV, Payload, grade_payload
from grader.errors import GraderError


COURSE_PREFIX = "shipped-course:"


def pack_course(course_root: Path, exercise_ids: Iterable[str]) -> tuple[bytes, str]:
    """The graded exercises' folders as a zip (same bytes for the same files) and its digest."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for top in ("exercises", "solutions"):
            for ex in sorted(set(exercise_ids)):
                folder = Path(course_root) / top / ex
                if not folder.is_dir():
                    continue
                for f in sorted(folder.rglob("*")):
                    if f.is_file() and "__pycache__" not in f.parts:
                        info = zipfile.ZipInfo(f.relative_to(course_root).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
                        info.compress_type = zipfile.ZIP_DEFLATED
                        z.writestr(info, f.read_bytes())
    data = buf.getvalue()
    return data, hashlib.sha256(data).hexdigest()[:16]


def _course_folder(local_directory: str, digest: str) -> Path:
    return Path(local_directory) / f"grader-course-{digest}"


def _unpack(data: bytes, target: Path) -> None:
    """Unpack into `target` atomically (a sibling temp folder renamed), names checked."""
    if target.is_dir():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                dest = (tmp / name).resolve()
                if not dest.is_relative_to(tmp.resolve()):
                    raise GraderError(f"unsafe name in the course bundle: {name!r}")
            z.extractall(tmp)
        try:
            tmp.rename(target)
        except OSError:  # another thread of this worker was first
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


try:  # the 'cluster' extra; without it there is no Dask executor to plug into
    from distributed import WorkerPlugin as _PluginBase
except ImportError:  # pragma: no cover - connect() reports the missing extra
    _PluginBase = object  # type: ignore[assignment,misc]


class CoursePlugin(_PluginBase):  # type: ignore[misc,valid-type]
    """A Dask worker plugin that unpacks the course bundle into the worker's directory."""

    def __init__(self, data: bytes, digest: str) -> None:
        self.data = data
        self.digest = digest
        self.name = f"grader-course-{digest}"

    def setup(self, worker: Any) -> None:
        _unpack(self.data, _course_folder(worker.local_directory, self.digest))


def _timed(task_fn: TaskFn, payload: Payload) -> tuple[str, float]:
    import os

    for k, v in THREAD_ENV.items():
        os.environ.setdefault(k, v)
    if payload.course_root.startswith(COURSE_PREFIX):
        from dataclasses import replace

        from distributed import get_worker

        digest = payload.course_root[len(COURSE_PREFIX):]
        payload = replace(payload, course_root=str(_course_folder(get_worker().local_directory, digest)))
    start = time.perf_counter()
    return task_fn(payload), time.perf_counter() - start


def ship_course(client: Any, course_root: Path, exercise_ids: Iterable[str]) -> str:
    """Register the course bundle with the cluster; the course_root tasks should carry."""
    data, digest = pack_course(course_root, exercise_ids)
    client.register_plugin(CoursePlugin(data, digest), name=f"grader-course-{digest}")
    return COURSE_PREFIX + digest


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
