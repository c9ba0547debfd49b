"""One `grader grade` run: discover, grade what is missing or changed, commit each result,
then render the pages and the exports from the gradebook."""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from grader.batch.discover import discover
from grader.batch.exports import FORMATS, write_exports
from grader.batch.gradebook import Gradebook, now
from grader.batch.model import Task
from grader.report.class_report import ReportPaths, RunInfo
from grader.batch.pool import Outcome, prestart, run_local
from grader.batch.progress import BatchProgress
from grader.batch.reporting import write_reports
from grader.batch.worker import Payload, failed_result, grade_payload
from grader.exercise.model import Exercise
from grader.results import Result


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


@dataclass
class BatchOptions:
    submissions: Path
    out_dir: Path
    course_root: Path
    exercises: dict[str, Exercise]
    selected: list[str] | None = None
    jobs: int = 1
    regrade: bool = False
    executor: str = "local"  # "local" or "dask"
    scheduler: Any = None  # a Dask scheduler address (or a cluster object, in tests)
    timeout_s: float = 60.0
    task_fn: Any = grade_payload  # what a worker runs per task (tests substitute a faulty one)


@dataclass
class BatchSummary:
    run_id: int
    found: int
    graded: int
    unchanged: int
    failed: list[str] = field(default_factory=list)
    unattributed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    grading_s: float = 0.0
    reports_s: float = 0.0
    reports: ReportPaths | None = None
    exports: list[Path] = field(default_factory=list)
    gradebook: Path | None = None


def _outcomes(opts: BatchOptions, todo: list[Task], container: str) -> Any:
    if opts.executor == "dask":
        from grader.batch.dask_executor import connect, run_dask, ship_course

        client = connect(opts.scheduler)
        try:
            root = ship_course(client, Path(opts.course_root), {t.exercise_id for t in todo})
            payloads = ((i, Payload(root, container, t)) for i, t in enumerate(todo))
            yield from run_dask(payloads, client, opts.timeout_s, opts.task_fn)
        finally:
            client.close()
    else:
        payloads = ((i, Payload(str(opts.course_root), container, t)) for i, t in enumerate(todo))
        yield from run_local(payloads, opts.jobs, opts.timeout_s, opts.task_fn)


def run_batch(opts: BatchOptions, console: Console) -> BatchSummary:
    if opts.executor == "local":
        prestart()  # the workers' fork server warms up during discovery
    found = discover(opts.submissions, opts.exercises, opts.selected)
    book = Gradebook.in_folder(opts.out_dir)
    try:
        stored = book.stored_keys()
        todo = [t for t in sorted(found.tasks, key=lambda t: (t.unit, t.exercise_id))
                if opts.regrade or stored.get((t.unit, t.exercise_id)) != t.input_key]
        started = now()
        run_id = book.start_run(str(opts.submissions), opts.executor, opts.jobs, opts.regrade,
                                found.unattributed, found.notes)
        summary = BatchSummary(run_id=run_id, found=len(found.tasks), graded=0,
                               unchanged=len(found.tasks) - len(todo), unattributed=found.unattributed,
                               notes=found.notes, gradebook=book.path)
        console.print(f"{len(found.tasks)} submissions found, {len(todo)} to grade "
                      f"({summary.unchanged} unchanged since the last run)"
                      + (f" on {opts.jobs} worker processes" if opts.executor == "local" and todo else
                         " on the Dask cluster" if todo else ""), markup=False, highlight=False)
        progress = BatchProgress(len(todo), console)
        t0 = time.perf_counter()
        try:
            for o in _outcomes(opts, todo, found.container):
                task = todo[o.index]
                result, outcome = _result_of(o, task, opts.exercises[task.exercise_id])
                book.commit(task, result, outcome, run_id)  # committed before anything else happens
                summary.graded += 1
                if outcome == "failed":
                    summary.failed.append(f"{', '.join(task.file_names)}: {o.failure}")
                    progress.warn(summary.failed[-1])
                progress.advance(error=outcome == "failed")
        finally:
            progress.close()
        summary.grading_s = time.perf_counter() - t0
        book.finish_run(run_id)
        t1 = time.perf_counter()
        rows = list(book.rows())
        info = RunInfo(started=started, finished=now(), submissions_root=str(opts.submissions),
                       unattributed_files=found.unattributed, executor=opts.executor, jobs=opts.jobs)
        exports: list[Path] = []
        # the pages render on the cores the graders used; the exports are written meanwhile
        summary.reports = write_reports(opts.out_dir, rows, info, jobs=min(opts.jobs, default_jobs()),
                                        meanwhile=lambda: exports.extend(write_exports(rows, opts.out_dir, FORMATS)))
        summary.exports = exports
        summary.reports_s = time.perf_counter() - t1
        return summary
    finally:
        book.close()


def _result_of(o: Outcome, task: Task, exercise: Exercise) -> tuple[Result, str]:
    if o.result_json is not None:
        return Result.from_dict(json.loads(o.result_json)), "graded"
    result = failed_result(exercise, task, o.failure or "unknown failure")
    result.duration_s = round(o.seconds, 6)
    return result, "failed"
