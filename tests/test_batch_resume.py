"""Kill -9 the coordinator half-way: nothing committed is lost, no worker outlives it, and
the resumed run's gradebook equals an uninterrupted run's."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tests.batch_helpers import snapshot as _snapshot
from tests.conftest import REPO

N = 60


def _make_class(root: Path) -> None:
    src = REPO / "examples" / "batch" / "class"
    samples = [src / "erin" / "scalar-net.md", src / "gina_scalar-net.md", src / "jo" / "scalar-net.md",
               src / "ivy" / "scalar-net.md", src / "kim" / "answers.md"]
    for i in range(N):
        folder = root / f"s{i:03d}"
        folder.mkdir(parents=True)
        shutil.copyfile(samples[i % len(samples)], folder / "scalar-net.md")


def _grade(course: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "grader.cli.main", "grade", str(course / "class"), "--out", str(out),
            "--jobs", "2", "--course", str(course)]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0  # the schema is not there yet


def test_sigkill_then_resume_equals_an_uninterrupted_run(course: Path, tmp_path: Path) -> None:
    _make_class(course / "class")
    whole = subprocess.run(_grade(course, tmp_path / "whole"), env=_env(), capture_output=True, text=True, timeout=300)
    assert whole.returncode == 0, whole.stderr

    proc = subprocess.Popen(_grade(course, tmp_path / "killed"), env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    db = tmp_path / "killed" / "gradebook.sqlite"
    deadline = time.monotonic() + 120
    while _count(db) < 5 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    workers = psutil.Process(proc.pid).children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)  # the coordinator only, as `kill -9 PID` does
    proc.wait(10)
    kept = _count(db)
    assert 5 <= kept < N, f"the run was not caught half-way ({kept} of {N} results)"
    # no worker outlives the coordinator (they would go on grading into nothing)
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, f"workers still running after the coordinator was killed: {alive}"

    resumed = subprocess.run(_grade(course, tmp_path / "killed"), env=_env(), capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{N} submissions found, {N - kept} to grade ({kept} unchanged since the last run)" in resumed.stdout
    assert _snapshot(tmp_path / "killed") == _snapshot(tmp_path / "whole")
    assert len(_snapshot(tmp_path / "whole")) == N
    assert (tmp_path / "killed" / "exports" / "gradebook.csv").read_text() == \
        (tmp_path / "whole" / "exports" / "gradebook.csv").read_text()
