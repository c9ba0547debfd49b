"""The per-task guard: a worker that hangs or dies is replaced, its submission gets an error
result naming what happened, and every other submission is graded as usual."""
from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

from rich.console import Console

from grader.batch.run import BatchOptions, run_batch
from grader.batch.worker import Payload, grade_payload
from grader.exercise.loader import load_course
from tests.conftest import REPO


def faulty(payload: Payload) -> str:
    """The real task, except that two students' files make the worker misbehave."""
    if payload.task.student_id == "hal":
        time.sleep(3600)
    if payload.task.student_id == "ivy":
        os._exit(9)
    if payload.task.student_id == "jo":
        raise ValueError("a bug in a kind")
    return grade_payload(payload)


def test_hung_dead_and_failing_workers_are_contained(course: Path, tmp_path: Path) -> None:
    exercises = load_course(course)
    opts = BatchOptions(submissions=REPO / "examples" / "batch" / "class", out_dir=tmp_path / "out",
                        course_root=course, exercises=exercises, selected=["scalar-net"], jobs=2, timeout_s=5.0, task_fn=faulty)
    out = Console(file=open(os.devnull, "w"), width=200)
    start = time.monotonic()
    summary = run_batch(opts, out)
    elapsed = time.monotonic() - start
    assert summary.graded == 8 and len(summary.failed) == 3
    # the hung one costs its own budget, not the batch: far below "one hour"
    assert elapsed < 60
    db = sqlite3.connect(tmp_path / "out" / "gradebook.sqlite")
    rows = {u: (o, json.loads(r)) for u, o, r in db.execute("SELECT unit, outcome, result_json FROM results")}
    assert rows["hal"][0] == "failed"
    assert rows["hal"][1]["messages"] == ["hal/scalar-net.md: grading this submission was stopped: it took longer "
                                          "than the 5 s time budget for one submission"]
    assert "the worker grading it died (exit status 9)" in rows["ivy"][1]["messages"][0]
    assert "the grader failed on it (ValueError: a bug in a kind)" in rows["jo"][1]["messages"][0]
    assert all(p["status"] == "error" and p["score"] == 0 for p in rows["hal"][1]["parts"])
    assert rows["erin"][0] == "graded" and rows["erin"][1]["score"] == 12
    assert {u for u, (o, _) in rows.items() if o == "graded"} == {"erin", "frank", "gina", "kim", "mallory"}
