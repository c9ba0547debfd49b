"""The sandbox API on both paths (bubblewrap when it works here, and resource limits only)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from grader.errors import ExerciseError, Location
from grader.sandbox import Call, Limits, ResultOf, run_calls
from grader.sandbox import isolation as iso
from grader.sandbox import wire

SMALL = Limits(cpu_s=2, wall_s=4, memory_mb=512, output_kb=64)

MODULE = '''
import numpy as np
print("loading the module")

def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)

def train(X, y):
    return {"w": np.ones(np.shape(X)[1]), "note": "a dict"}

def predict(params, X):
    return np.asarray(X) @ params["w"]

def divide(a, b):
    return a / b

def spin():
    while True:
        pass
'''


@pytest.fixture(params=["bubblewrap", "bubblewrap-fresh", "rlimits"])
def mode(request, monkeypatch) -> str:
    """Every sandbox path: a pre-started worker forking per run (the default inside
    bubblewrap as root), a fresh bubblewrap sandbox per run, resource limits only."""
    mode, _, worker = request.param.partition("-")
    if mode == "bubblewrap" and iso._bwrap_works() is not None:
        pytest.skip(f"bubblewrap unusable here: {iso._bwrap_works()}")
    monkeypatch.setenv("GRADER_SANDBOX", mode)
    monkeypatch.setenv("GRADER_SANDBOX_WORKER", worker or "fork")
    return mode


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_calls_values_errors_and_results_kept_in_the_child(mode, tmp_path):
    code = write(tmp_path, "answer.py", MODULE)
    X = np.arange(6.0).reshape(2, 3)
    report = run_calls([code], [
        Call("softmax", ([1000.0, 1.0, 2.0],)),
        Call("train", (X, [0, 1]), want_value=False),
        Call("predict", (ResultOf("train"), X)),
        Call("divide", (1, 0)),
        Call("missing"),
    ], SMALL)
    assert report.isolation == mode and report.load_error is None
    sm, tr, pr, dv, ms = report.outcomes
    assert sm.ok and isinstance(sm.value, np.ndarray) and type(sm.value) is np.ndarray
    np.testing.assert_allclose(sm.value, [1.0, 0.0, 0.0], atol=1e-12)
    assert tr.ok and tr.value is None
    assert pr.ok and pr.value.tolist() == [3.0, 12.0]
    assert not dv.ok and dv.error.startswith("ZeroDivisionError") and "answer.py:17" in dv.error
    assert "no function named `missing`" in ms.error and "softmax" in ms.error
    assert "loading the module" in report.stdout_tail
    assert sm.duration_s >= 0 and "softmax" in report.functions


def test_time_limit_is_reported_per_call_and_later_calls_are_not_run(mode, tmp_path):
    code = write(tmp_path, "answer.py", MODULE)
    report = run_calls([code], [Call("spin"), Call("softmax", ([1.0],))], Limits(cpu_s=0.5, wall_s=1.5))
    spin, after = report.outcomes
    assert not spin.ok and "time limit in `spin`" in spin.limit and spin.limit_kind in ("cpu", "wall")
    assert not after.ok and after.error.startswith("not run")


def test_load_errors_name_the_file_and_line(mode, tmp_path):
    code = write(tmp_path, "broken.py", "import numpy as np\n\ndef f(x:\n    return x\n")
    report = run_calls([code], [Call("f", (1,))], SMALL)
    assert report.load_error and "SyntaxError" in report.load_error and "broken.py:3" in report.load_error
    assert report.outcomes[0].error.startswith("not run")


def test_notebook_code_cells_run_and_a_failing_cell_is_reported(mode, tmp_path):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# My answers", "id": "a"},
        {"cell_type": "code", "metadata": {}, "source": "%matplotlib inline\nimport numpy as np",
         "outputs": [], "execution_count": None, "id": "b"},
        {"cell_type": "code", "metadata": {}, "source": "undefined_name + 1", "outputs": [],
         "execution_count": None, "id": "c"},
        {"cell_type": "code", "metadata": {}, "source": ["def double(x):\n", "    return 2 * np.asarray(x)"],
         "outputs": [], "execution_count": None, "id": "d"},
    ]}
    path = write(tmp_path, "work.ipynb", json.dumps(nb))
    report = run_calls([path], [Call("double", ([1, 2],))], SMALL)
    assert report.load_error is None
    assert report.outcomes[0].value.tolist() == [2, 4]
    assert any("work.ipynb [cell 3]" in m and "NameError" in m for m in report.messages)


def test_a_malformed_notebook_is_a_clear_load_error(mode, tmp_path):
    path = write(tmp_path, "work.ipynb", '{"cells": [{"source": "x = 1"}]}')
    report = run_calls([path], [Call("f")], SMALL)
    assert "work.ipynb" in report.load_error and "cell 1" in report.load_error


def test_modules_of_one_submission_can_import_each_other(mode, tmp_path):
    write(tmp_path, "helpers.py", "def twice(x):\n    return 2 * x\n")
    main = write(tmp_path, "main.py", "from helpers import twice\n\ndef f(x):\n    return twice(x) + 1\n")
    report = run_calls([main, tmp_path / "helpers.py"], [Call("f", (3,))], SMALL)
    assert report.outcomes[0].value == 7


def test_limits_from_toml_name_the_key():
    assert Limits.from_options({"cpu_s": 3, "memory_mb": 256}, Location(file="e.toml")).cpu_s == 3.0
    with pytest.raises(ExerciseError) as e:
        Limits.from_options({"cpu": 3}, Location(file="e.toml"))
    assert "limits.cpu" in str(e.value) and "unknown limit" in str(e.value)
    with pytest.raises(ExerciseError) as e:
        Limits.from_options({"memory_mb": 5}, Location(file="e.toml", key="parts.p", part="p"))
    assert "parts.p.limits.memory_mb" in str(e.value)
    assert Limits(cpu_s=5).merged({"wall_s": 7}).wall_s == 7 and Limits(cpu_s=5).merged(None).cpu_s == 5


def test_decoder_rejects_object_arrays_and_mismatched_bytes():
    enc = wire.Encoder(1 << 20)
    tree = enc.encode({"a": np.arange(3), "b": (1, 2.5, None, "x"), "c": np.float32(2)})
    back = wire.decode(tree, enc.blobs)
    assert back["a"].tolist() == [0, 1, 2] and back["b"] == (1, 2.5, None, "x") and back["c"].dtype == np.float32
    with pytest.raises(wire.WireError):
        wire.decode({"$": "nd", "dtype": "|O", "shape": [1], "blob": 0}, [b"\0" * 8])
    with pytest.raises(wire.WireError):
        wire.decode({"$": "nd", "dtype": "<f8", "shape": [2], "blob": 0}, [b"\0" * 8])
    with pytest.raises(wire.WireError):
        wire.decode({"$": "pickle", "v": "..."}, [])
    with pytest.raises(wire.EncodeError):
        wire.Encoder(1 << 20).encode(object())


LEAVER = '''
import os, time

def leave():
    with open("/tmp/left-behind.txt", "w") as f:
        f.write("from an earlier run")
    os.chmod("/tmp/left-behind.txt", 0o666)
    with open("mine.txt", "w") as f:
        f.write("x")
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
    return [os.getuid(), os.getcwd()]

def look(uid, cwd):
    others = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    others.append(int(pid))
            except OSError:
                pass
    return [os.path.exists("/tmp/left-behind.txt"), os.path.exists(cwd), others, os.getuid()]
'''


def test_runs_in_one_worker_leave_nothing_for_the_next(monkeypatch, tmp_path):
    """A pre-started worker serves many runs: each gets its own uid, and whatever a run left
    (files in /tmp, its folder, processes) is gone before the next one starts."""
    if iso._bwrap_works() is not None or iso.worker_kind("bubblewrap") != "fork":
        pytest.skip("needs bubblewrap as root (the pre-started worker)")
    monkeypatch.setenv("GRADER_SANDBOX", "bubblewrap")
    monkeypatch.setenv("GRADER_SANDBOX_WORKER", "fork")
    _assert_a_run_leaves_nothing(write(tmp_path, "leaver.py", LEAVER))


def _assert_a_run_leaves_nothing(code: Path) -> None:
    first = run_calls([code], [Call("leave")], SMALL).outcomes[0]
    assert first.ok, first.error
    uid, cwd = first.value
    second = run_calls([code], [Call("look", (uid, cwd))], SMALL).outcomes[0]
    assert second.ok, second.error
    assert second.value[:3] == [False, False, []] and second.value[3] != uid


def _children(pid: int) -> list[int]:
    """Host pids of the processes whose parent is `pid`."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def test_runs_leave_nothing_even_when_the_reaping_helper_is_gone(monkeypatch, tmp_path):
    """The worker forks its reapers from a small helper; without that helper it reaps by
    itself, and a run still leaves nothing for the next."""
    import os
    import signal
    import time

    from grader.sandbox import worker

    if iso._bwrap_works() is not None or iso.worker_kind("bubblewrap") != "fork":
        pytest.skip("needs bubblewrap as root (the pre-started worker)")
    monkeypatch.setenv("GRADER_SANDBOX", "bubblewrap")
    monkeypatch.setenv("GRADER_SANDBOX_WORKER", "fork")
    code = write(tmp_path, "leaver.py", LEAVER)
    worker.stop_all()
    assert run_calls([code], [Call("look", (0, "/nowhere"))], SMALL).outcomes[0].ok
    z = worker.acquire()
    try:
        # bwrap → its namespace's init → the zygote → the helper (its one child between runs)
        argv = {c: Path(f"/proc/{c}/cmdline").read_text(errors="replace").split("\0")
                for p in _children(z.proc.pid) for c in [p, *_children(p)]}
        zygotes = [c for c, a in argv.items() if "bwrap" not in a[0] and any("zygote.py" in x for x in a)]
        helpers = [h for zp in zygotes for h in _children(zp)]
        assert len(helpers) == 1, (zygotes, helpers)
        os.kill(helpers[0], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _state(helpers[0]) not in ("Z", None) and time.monotonic() < deadline:  # dead (a zombie)
            time.sleep(0.05)
    finally:
        worker.release(z, healthy=True)
    _assert_a_run_leaves_nothing(code)
