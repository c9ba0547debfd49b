"""`--executor dask`: the same tasks on a Dask cluster (a LocalCluster here) give the same
gradebook as the local process pool."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.batch_helpers import snapshot as _snapshot

distributed = pytest.importorskip("distributed", reason="dask[distributed] (the 'cluster' extra) is not installed")


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


def test_the_course_travels_to_the_workers(cli, course: Path, tmp_path: Path) -> None:
    """Workers grade from the shipped bundle, not from the coordinator's course folder."""
    import shutil

    from grader.batch import worker

    mine = tmp_path / "shipped-from"
    for top in ("exercises", "solutions"):
        shutil.copytree(course / top / "scalar-net", mine / top / "scalar-net")
    class_dir = course / "examples" / "batch" / "class"
    worker._exercises.clear()
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        res = cli("grade", class_dir, "--out", tmp_path / "dask", "--executor", "dask",
                  "--scheduler", cluster.scheduler_address, "--course", mine, "--exercise", "scalar-net")
        local_dir = next(iter(cluster.workers.values())).local_directory
    assert res.exit_code == 0, res.output
    assert "0 could not be graded" in res.output
    roots = {root for root, _ in worker._exercises}
    assert roots and all(r.startswith(str(Path(local_dir) / "grader-course-")) for r in roots), roots


def test_the_course_bundle_is_reproducible_and_unpacks_safely(course: Path, tmp_path: Path) -> None:
    import io
    import zipfile

    from grader.batch.dask_executor import _unpack, pack_course
    from grader.errors import GraderError

    a, da = pack_course(course, ["scalar-net"])
    b, db = pack_course(course, ["scalar-net"])
    assert a == b and da == db
    names = zipfile.ZipFile(io.BytesIO(a)).namelist()
    assert "exercises/scalar-net/exercise.toml" in names and any(n.startswith("solutions/scalar-net/") for n in names)
    _unpack(a, tmp_path / "c")
    assert (tmp_path / "c" / "exercises" / "scalar-net" / "exercise.toml").is_file()
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../../escaped.txt", "x")
    with pytest.raises(GraderError, match="unsafe name"):
        _unpack(evil.getvalue(), tmp_path / "d")
    assert not (tmp_path / "escaped.txt").exists()
