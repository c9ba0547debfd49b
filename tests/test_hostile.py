"""Hostile submissions (tests/hostile/attacks/*.py) graded through the real pipeline.

For each attack: the attacked part scores zero with a clear message, the other parts still
get their marks, nothing outside the sandbox changes, and no reference value appears in the
result or its HTML report. Both sandbox paths run; the few attacks that only a real sandbox
can stop (the host's files and processes) run on the bubblewrap path only, as documented in
docs/sandbox.md.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from grader.checking import grade_path
from grader.exercise.loader import load_exercise
from grader.report.html import render_result
from grader.results import Status
from grader.sandbox import isolation as iso

HERE = Path(__file__).resolve().parent / "hostile"
ATTACKS_DIR = HERE / "attacks"


@dataclass(frozen=True)
class Attack:
    says: tuple[str, ...]  # the softmax part's feedback contains one of these
    at_import: bool = False  # the attack runs when the module loads: every code part fails
    bwrap_only: bool = False  # harms the host unless a real sandbox stops it


TIME = ("time limit",)
ATTACKS = {
    "infinite_loop": Attack(TIME),
    "memory_bomb": Attack(("memory limit",)),
    "fork_bomb": Attack(("more processes than allowed",)),
    "thread_bomb": Attack(("more processes than allowed", "is wrong on")),
    "stdout_flood": Attack(("output limit",)),
    "exit_at_import": Attack(("called sys.exit(0) while it was being loaded",), at_import=True),
    "os_exit_at_import": Attack(("ended the process while your code was being loaded (exit status 0",),
                                at_import=True),
    "os_exit_in_call": Attack(("ended the process in `softmax` (exit status 0",)),
    "signal_handlers": Attack(TIME),
    "swallowed_exceptions": Attack(TIME),
    "read_solutions": Attack(("could not find the reference solution",), bwrap_only=True),
    "stack_walk": Attack(("is wrong on 5 of 5 inputs",)),
    "gc_search": Attack(("is wrong on 5 of 5 inputs",)),
    "patch_numpy": Attack(("is wrong on 5 of 5 inputs",)),
    "patch_builtins": Attack(("broke the grader's harness",), at_import=True),
    "patch_harness": Attack(("is wrong on 5 of 5 inputs",), at_import=True),
    "fake_stdout": Attack(("is wrong on 5 of 5 inputs",)),
    "fake_result_files": Attack(("is wrong on 5 of 5 inputs",), bwrap_only=True),
    "always_equal": Attack(("Anything object, which is not plain data",)),
    "ndarray_subclass": Attack(("is wrong on 5 of 5 inputs",)),
    "float_subclass": Attack(("is wrong on 5 of 5 inputs",)),
    "network": Attack(("tried to use the network",)),
    "sleep_past_limit": Attack(TIME),
    "huge_recursion": Attack(TIME + ("memory limit", "crashed", "RecursionError")),
    "delete_files": Attack(("is wrong on 5 of 5 inputs",)),
    "close_channels": Attack(("closed the grader's channel",), at_import=True),
    "forged_frame": Attack(("interfered with the grader's channel",), at_import=True),
    "big_file": Attack(("larger than the 1 MB limit",)),
    "huge_return": Attack(("larger than the 64 MB limit",)),
    "kill_everything": Attack(("is wrong on 5 of 5 inputs",), bwrap_only=True),
    "user_namespace": Attack(("unshare failed: Operation not permitted",)),
}
#: files an attack might try to create outside its sandbox
OUTSIDE = [Path("/tmp/result.json"), Path.home() / "result.json", Path("/reports"),
           Path("/work/reports/mallory.json")]


def test_every_attack_module_is_listed():
    assert sorted(p.stem for p in ATTACKS_DIR.glob("*.py")) == sorted(ATTACKS)
    assert len(ATTACKS) >= 25


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "course"
    shutil.copytree(HERE / "course", root)
    return root


@pytest.fixture(scope="module")
def exercise(course):
    return load_exercise(course / "exercises" / "softmax-code", course / "solutions")


def _solution(course: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("hostile_solution", course / "solutions/softmax-code/solution.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def reference_strings(course: Path, exercise) -> list[str]:
    """The reference values of the fixed softmax cases, as a report would print them."""
    sol = _solution(course)
    out = []
    for case in exercise.part("softmax").options.cases:
        for v in np.ravel(sol.softmax(*case.args)):
            out += [f"{v:.6g}", f"{v:.4f}"[:6]]
    return sorted(set(out) - {"0.5", "0.5000", "1", "0"})


def snapshot(*roots: Path) -> dict[str, str]:
    state = {}
    for root in roots:
        for p in sorted(root.rglob("*")):
            if p.is_file():
                state[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                state[str(p)] = "dir"
    return state


def submit(folder: Path, code: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "softmax-code.py").write_text(code, encoding="utf-8")
    (folder / "softmax-code.md").write_text("## rows\n$$12$$\n", encoding="utf-8")
    return folder


@pytest.fixture(params=["bubblewrap", "rlimits"])
def mode(request, monkeypatch) -> str:
    if request.param == "bubblewrap" and iso._bwrap_works() is not None:
        pytest.skip(f"bubblewrap unusable here: {iso._bwrap_works()}")
    monkeypatch.setenv("GRADER_SANDBOX", request.param)
    return request.param


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_scores_zero_and_disturbs_nothing(name, mode, course, exercise, tmp_path):
    attack = ATTACKS[name]
    if attack.bwrap_only and mode != "bubblewrap":
        pytest.skip("without bubblewrap the student's code can reach the host (documented in docs/sandbox.md)")
    outside_before = {p: p.exists() for p in OUTSIDE}
    canary = tmp_path / "canary.txt"
    canary.write_text("still here")
    folder = submit(tmp_path / "mallory", (ATTACKS_DIR / f"{name}.py").read_text())
    before = snapshot(course, folder)

    result = grade_path(exercise, folder)

    softmax, relu, rows = result.part("softmax"), result.part("relu"), result.part("rows")
    text = " ".join(softmax.feedback)
    assert softmax.score == 0 and softmax.status in (Status.ERROR, Status.INCORRECT), text
    assert any(s in text for s in attack.says), text
    if attack.at_import:
        assert relu.score == 0
    else:
        assert relu.status == Status.CORRECT and relu.score == relu.max_score, relu.feedback
    assert rows.status == Status.CORRECT  # a written part never depends on the code
    assert result.isolation and mode in json.dumps(softmax.evidence[-1].data)

    assert snapshot(course, folder) == before
    assert canary.read_text() == "still here"
    assert {p: p.exists() for p in OUTSIDE} == outside_before
    for p in result.parts:  # durations are not values, but their digits could look like one
        p.duration_s = 0.0
    result.duration_s = 0.0
    report = result.to_json(timing=False) + render_result(result, exercise)
    for value in reference_strings(course, exercise):
        assert value not in report, f"reference value {value} leaked into the report"
    assert "z.max(axis=-1" not in report  # the solution's source


def test_the_same_attack_gets_the_same_verdict_twice(mode, exercise, tmp_path):
    """No timing-dependent verdicts: repeated runs of channel-level attacks agree."""
    for name in ("close_channels", "os_exit_in_call", "forged_frame"):
        verdicts = []
        for k in range(2):
            folder = submit(tmp_path / f"{name}-{k}" / "mallory", (ATTACKS_DIR / f"{name}.py").read_text())
            r = grade_path(exercise, folder)
            verdicts.append([(p.part_id, p.status, p.score, p.feedback) for p in r.parts])
        assert verdicts[0] == verdicts[1]


def test_an_honest_submission_after_the_attacks_gets_full_marks(mode, course, exercise, tmp_path):
    honest = (course / "solutions/softmax-code/solution.py").read_text()
    result = grade_path(exercise, submit(tmp_path / "alice", honest))
    assert result.score == result.max_score, [(p.part_id, p.feedback) for p in result.parts]
