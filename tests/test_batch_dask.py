"""`--executor dask`: the same tasks on a Dask cluster (a LocalCluster here) give the same
gradebook as the local process pool."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.batch.gradebook import Gradebook

distributed = pytest.importorskip("distributed", reason="dask[distributed] (the 'cluster' extra) is not installed")


def _snapshot(out: Path) -> list[tuple]:
    book = Gradebook.in_folder(out)
    try:
        return book.snapshot()
    finally:
        book.close()


def test_dask_localcluster_equals_the_local_pool(cli, course: Path, tmp_path: Path) -> None:
    class_dir = course / "examples" / "batch" / "class"
    local = cli("grade", class_dir, "--out", tmp_path / "local", "--jobs", 2, "--course", course,
                "--exercise", "scalar-net")
    assert local.exit_code == 0, local.output
    # threads in this process are enough to prove the plumbing: tasks out, results streamed back
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        res = cli("grade", class_dir, "--out", tmp_path / "dask", "--executor", "dask",
                  "--scheduler", cluster.scheduler_address, "--course", course, "--exercise", "scalar-net")
    assert res.exit_code == 0, res.output
    assert "8 submissions found, 8 to grade (0 unchanged since the last run) on the Dask cluster" in res.output
    assert "0 could not be graded" in res.output
    assert _snapshot(tmp_path / "dask") == _snapshot(tmp_path / "local")
    assert len(_snapshot(tmp_path / "dask")) == 8
    assert (tmp_path / "dask" / "exports" / "gradebook.csv").read_text() == \
        (tmp_path / "local" / "exports" / "gradebook.csv").read_text()


def test_unreachable_scheduler_is_a_clear_error() -> None:
    from grader.batch.dask_executor import connect
    from grader.errors import GraderError

    with pytest.raises(GraderError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        connect("tcp://127.0.0.1:9", timeout="1s")
