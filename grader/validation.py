"""`grader validate`: every exercise loads, every reference earns full marks, every known-wrong
example gets the verdict declared beside it.

Grading answers.md against itself can only prove that it reads and parses. Where the
instructor's solution.py also computes a part's value (`reference(params)` returns it under
the part's id), the two independent sources are compared, so a slip in either is caught.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from typing import Any

import numpy as np

from grader.checking import grade, reference_answers, reference_submission
from grader.errors import ExerciseErrors, GraderError
from grader.exercise.params import draw_parameters
from grader.kinds import get_kind
from grader.kinds.base import Answer, CheckContext, CheckTask, Reference, timed_check
from grader.exercise.loader import exercise_folders, load_exercise, read_toml
from grader.exercise.model import Exercise
from grader.results import Result, Status
from grader.submission.ingest import ingest

#: students whose variants the reference must also solve, when an exercise has parameters
VARIANT_STUDENTS = ("variant-check-1", "variant-check-2", "variant-check-3")


@dataclass
class Check:
    exercise: str
    what: str  # "load", "reference", "reference (student X)", "wrong/<name>"
    ok: bool
    problems: list[str] = field(default_factory=list)


def check_reference(ex: Exercise, student: str) -> Check:
    assert ex.solution_path is not None
    result = grade(ex, reference_submission(ex, student))
    label = "reference" if student == "reference" else f"reference (variant of {student})"
    problems = [f"part '{p.part_id}': {p.status.value}, {p.score:g}/{p.max_score:g}"
                + (f" — {p.feedback[0]}" if p.feedback else "")
                for p in result.parts if (p.status != Status.CORRECT or p.score < p.max_score)
                and not (p.kind == "manual" and p.status == Status.MANUAL)]
    problems += [f"message: {m}" for m in result.messages]
    problems += cross_check(ex, student)
    return Check(ex.id, label, not problems, problems)


def _as_answer_text(value: Any) -> str:
    """A value computed by solution.py, written the way a student would write it."""
    if isinstance(value, str):
        return value
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return repr(float(arr))
    rows = arr.reshape(1, -1) if arr.ndim == 1 else arr
    body = r" \\ ".join(" & ".join(repr(float(v)) for v in row) for row in rows)
    text = rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
    return text + "^T" if arr.ndim == 1 else text


def cross_check(ex: Exercise, student: str) -> list[str]:
    """Parts whose answers.md reference disagrees with solution.py's `reference(params)`."""
    params = draw_parameters(ex, student)
    try:
        answers, values = reference_answers(ex, params)  # values["ref"]: reference(params), computed once
    except GraderError as e:
        return [str(e)]
    computed = values["ref"]
    ctx = CheckContext(exercise=ex, student_id=student, parameters=params)
    problems: list[str] = []
    for part in ex.parts:
        if part.id not in computed or part.id not in answers:
            continue
        kind = get_kind(part.kind)
        if kind.reference_from != "answers":
            continue
        independent = Answer(part_id=part.id, math=[_as_answer_text(computed[part.id])],
                             file="solution.py reference()")
        task = CheckTask(part=part, answer=answers[part.id], reference=Reference(answer=independent), ctx=ctx)
        res = timed_check(kind, task)
        if res.status != Status.CORRECT:
            problems.append(f"part '{part.id}': answers.md gives {answers[part.id].display.strip()!r} "
                            f"but solution.py's reference() computes {computed[part.id]!r}")
    return problems


def _expected_checks(result: Result, expect: dict, file: Path) -> list[str]:
    problems: list[str] = []
    parts = expect.get("parts", {})
    if not isinstance(parts, dict) or not parts:
        return [f"{file}: needs at least one [parts.<id>] table saying what the example must get"]
    for pid, want in parts.items():
        try:
            got = result.part(pid)
        except KeyError:
            problems.append(f"{file}: [parts.{pid}] names no part of the exercise")
            continue
        if not isinstance(want, dict):
            problems.append(f"{file}: [parts.{pid}] must be a table")
            continue
        status = want.get("status")
        if status is not None and got.status.value != status and got.status.name.lower() != str(status).lower():
            problems.append(f"part '{pid}': expected status '{status}', got '{got.status.value}'"
                            + (f" — {got.feedback[0]}" if got.feedback else ""))
        diag = want.get("diagnosis")
        if diag is not None and got.diagnosis != diag:
            problems.append(f"part '{pid}': expected diagnosis '{diag}', got '{got.diagnosis}'")
        needle = want.get("feedback_contains")
        if needle is not None:
            text = " ".join(got.feedback + [e.message for e in got.evidence])
            if str(needle).lower() not in text.lower():
                problems.append(f"part '{pid}': feedback does not mention '{needle}' (it says: {text[:200]})")
    # manual parts never earn automatic points, so "full marks" means every automatic point
    automatic = round(sum(p.max_score for p in result.parts if p.status != Status.MANUAL), 6)
    if result.score >= automatic and automatic > 0:
        problems.append("the known-wrong example earns full marks")
    return problems


def check_wrong(ex: Exercise, folder: Path) -> Check:
    expect_file = folder / "expect.toml"
    label = f"wrong/{folder.name}"
    try:
        expect = read_toml(expect_file)
    except GraderError as e:
        return Check(ex.id, label, False, [str(e)])
    files = [p for p in sorted(folder.iterdir()) if p.is_file() and p.name != "expect.toml"]
    sub = ingest(folder, ex, student_id="reference", files=files)
    problems = _expected_checks(grade(ex, sub), expect, expect_file)
    return Check(ex.id, label, not problems, problems)


def validate_course(root: Path, only: list[str] | None = None) -> list[Check]:
    checks: list[Check] = []
    for folder in exercise_folders(root):
        if only and folder.name not in only:
            continue
        try:
            ex = load_exercise(folder, root / "solutions")
        except ExerciseErrors as e:
            checks.append(Check(folder.name, "load", False, [str(x) for x in e.errors]))
            continue
        except GraderError as e:
            checks.append(Check(folder.name, "load", False, [str(e)]))
            continue
        checks.append(Check(ex.id, "load", True))
        if ex.solution_path is None:
            checks.append(Check(ex.id, "reference", False, [f"no solutions/{ex.id}/ folder"]))
            continue
        students = ["reference"]
        if any(p.varies for p in ex.parameters.values()):
            students += list(VARIANT_STUDENTS)
        for s in students:
            checks.append(check_reference(ex, s))
        wrong_dir = ex.solution_path / "wrong"
        wrong = sorted(p for p in wrong_dir.iterdir() if p.is_dir()) if wrong_dir.is_dir() else []
        if not wrong:
            checks.append(Check(ex.id, "wrong/", False, [f"no known-wrong examples in {wrong_dir}"]))
        for w in wrong:
            checks.append(check_wrong(ex, w))
    return checks

