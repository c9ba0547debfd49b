"""Test helpers for the code kinds: a part task, and a RunReport fabricated in-process.

`fabricated_run(module_text)` stands in for the sandbox in unit tests of the comparison
logic: it executes *test-authored* code (never a student's) here and reports the outcomes in
the sandbox's own types, so a kind's check() can be driven without starting a child.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.errors import Location
from grader.exercise.model import Exercise, Mistake, Part
from grader.kinds import get_kind
from grader.kinds.base import Answer, CheckContext, CheckTask, Reference
from grader.sandbox import CallOutcome, ResultOf, RunReport


def code_task(tmp_path: Path, kind: str, options: dict[str, Any], student: str, solution: str | None = None,
              mistakes: list[Mistake] | None = None, parameters: dict[str, Any] | None = None) -> CheckTask:
    code = tmp_path / "student.py"
    code.write_text(student, encoding="utf-8")
    sol = None
    if solution is not None:
        sol = tmp_path / "solution.py"
        sol.write_text(solution, encoding="utf-8")
    opts = get_kind(kind).parse_options(dict(options), Location(file="exercise.toml", key="parts.p", part="p"))
    part = Part(id="p", kind=kind, points=2, title="t", options=opts, mistakes=list(mistakes or []))
    ex = Exercise(id="ex", title="ex", version="1", path=tmp_path, parameters={}, parts=[part], spec_template="")
    return CheckTask(part=part, answer=Answer(part_id="p", code_files=[code]), reference=Reference(solution_file=sol),
                     ctx=CheckContext(exercise=ex, student_id="s", parameters=dict(parameters or {})))


def fabricated_run(student: str):
    """A replacement for `run_student(task, calls)` that runs test code in this process."""
    namespace: dict[str, Any] = {}
    exec(compile(student, "student.py", "exec"), namespace)  # test-authored code only

    def run(task: CheckTask, calls: list) -> RunReport:
        kept: dict[str, Any] = {}
        outcomes = []
        for c in calls:
            needed = [a.label for a in c.args if isinstance(a, ResultOf) and a.label not in kept]
            if needed:
                outcomes.append(CallOutcome(label=c.label, ok=False, error=f"not run: `{needed[0]}` failed",
                                            error_kind="not-run"))
                continue
            args = tuple(kept[a.label] if isinstance(a, ResultOf) else a for a in c.args)
            try:
                value = namespace[c.function](*args, **c.kwargs)
            except Exception as e:  # reported like the sandbox does
                outcomes.append(CallOutcome(label=c.label, ok=False, error=f"{type(e).__name__}: {e}",
                                            error_kind="exception"))
                continue
            kept[c.label] = value
            outcomes.append(CallOutcome(label=c.label, ok=True, value=value if c.want_value else None))
        return RunReport(outcomes=outcomes, load_error=None, isolation="rlimits")

    return run
