"""The check pipeline: Exercise × Submission → Result.

`grade` never raises for anything a student wrote: every part gets a verdict, and problems
with the files themselves go into `Result.messages`.
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from grader.errors import ExerciseError, GraderError
from grader.exercise.model import Exercise, Mistake
from grader.exercise.params import draw_parameters
from grader.kinds import get_kind
from grader.kinds.base import Answer, CheckContext, CheckTask, Reference, timed_check
from grader.release.checksfile import OFFLINE_NOTE, ChecksFile, find_checks
from grader.release.offline import check_part_offline
from grader.results import Result, Status
from grader.solutions import load_solution
from grader.submission.ingest import Submission, reference_submission_text

_JINJA = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


@lru_cache(maxsize=1024)
def _compiled(text: str) -> jinja2.Template:
    # compiling dominated batch grading (each mistake of each part, for every submission)
    return _JINJA.from_string(text)


def render_template(text: str, values: dict[str, Any], file: str) -> str:
    """Render instructor text (spec.md, answers.md, mistakes) with parameter values."""
    try:
        return _compiled(text).render(**values)
    except jinja2.TemplateError as e:
        raise ExerciseError(f"template error: {e}", file=file, line=getattr(e, "lineno", None)) from None


def reference_values(exercise: Exercise, params: dict[str, Any]) -> dict[str, Any]:
    """`reference(params)` from solutions/<id>/solution.py, when it defines one.

    The solution is instructor code and runs in the grader's process; student code never does.
    """
    if exercise.solution_path is None:
        return {}
    path = exercise.solution_path / "solution.py"
    if not path.is_file():
        return {}
    fn = getattr(load_solution(path), "reference", None)
    if fn is None:
        return {}
    try:
        return dict(fn(dict(params)))
    except Exception as e:
        raise ExerciseError(f"reference({params}) failed: {type(e).__name__}: {e}", file=str(path)) from None


@lru_cache(maxsize=256)
def _reference_answers_cached(exercise_key: tuple[str, str, str], params_json: str,
                              exercise_ref: "_Ref") -> tuple[dict[str, Answer], dict[str, Any]]:
    exercise = exercise_ref.exercise
    params = json.loads(params_json)
    values = dict(params)
    values["ref"] = reference_values(exercise, params)
    answers: dict[str, Answer] = {}
    if exercise.solution_path is not None and (exercise.solution_path / "answers.md").is_file():
        path = exercise.solution_path / "answers.md"
        text = render_template(path.read_text(encoding="utf-8"), values, str(path))
        answers = reference_submission_text(text, exercise, str(path))
    return answers, values


class _Ref:
    """Hashable by identity wrapper, so the cache key stays small."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise

    def __hash__(self) -> int:
        return hash((self.exercise.id, self.exercise.version, str(self.exercise.path)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ref) and hash(self) == hash(other)


def reference_answers(exercise: Exercise, params: dict[str, Any]) -> tuple[dict[str, Answer], dict[str, Any]]:
    """The reference answers for a variant, and the template values used to render them."""
    key = (exercise.id, exercise.version, str(exercise.path))
    return _reference_answers_cached(key, json.dumps(params, sort_keys=True), _Ref(exercise))


def render_mistakes(mistakes: list[Mistake], values: dict[str, Any], file: str) -> list[Mistake]:
    return [Mistake(m.name, render_template(m.answer, values, file), render_template(m.feedback, values, file))
            for m in mistakes]


def grade(exercise: Exercise, submission: Submission) -> Result:
    """Grade every part of `exercise` for `submission`."""
    start = time.perf_counter()
    params = draw_parameters(exercise, submission.student_id)
    messages = list(submission.problems)
    try:
        ref_answers, values = reference_answers(exercise, params)
    except GraderError as e:
        ref_answers, values = {}, dict(params)
        messages.append(f"reference not available: {e}")
    ctx = CheckContext(exercise=exercise, student_id=submission.student_id, parameters=params)
    offline, offline_problem = _offline_checks(exercise)
    if offline is not None:
        messages.append(OFFLINE_NOTE)
    elif offline_problem:
        messages.append(offline_problem)
    parts = []
    toml = str(exercise.path / "exercise.toml")
    isolation = None
    for part in exercise.parts:
        kind = get_kind(part.kind)
        if kind.answer_from == "code":
            answer = Answer(part_id=part.id, code_files=list(submission.code_files),
                            file=str(submission.code_files[0]) if submission.code_files else None)
            if not submission.code_files:
                answer = None
        else:
            answer = submission.answers.get(part.id)
            if answer is not None and submission.code_files:
                # a written answer may be checked against the student's own code (kind `reproduce`)
                answer = replace(answer, code_files=list(submission.code_files))
        solution_file = exercise.solution_path / "solution.py" if exercise.solution_path else None
        reference = Reference(answer=ref_answers.get(part.id),
                              solution_file=solution_file if solution_file and solution_file.is_file() else None)
        try:
            rendered = replace(part, mistakes=render_mistakes(part.mistakes, values, toml)) if part.mistakes else part
        except GraderError as e:
            messages.append(str(e))
            rendered = part
        task = CheckTask(part=rendered, answer=answer, reference=reference, ctx=ctx)
        if offline is not None and kind.reference_from is not None:
            res = check_part_offline(kind, task, offline)
        elif offline_problem and kind.reference_from is not None:
            res = kind.error(task, offline_problem)
        elif kind.reference_from == "answers" and reference.answer is None:
            res = kind.error(task, f"the reference answer for part '{part.id}' is not available "
                                   "(solutions/ missing?); this part cannot be graded here")
        elif answer is None and kind.answer_from == "code":
            res = kind.result(task, Status.NOT_ANSWERED,
                              feedback=["No code file (.py or .ipynb) found in the submission."],
                              answer_format="code")
        else:
            res = timed_check(kind, task)
        # code kinds say how the student's code ran in an "isolation" evidence item
        isolation = isolation or next((e.message for e in res.evidence if e.kind == "isolation"), None)
        parts.append(res)
    return Result(exercise_id=exercise.id, exercise_version=exercise.version, exercise_title=exercise.title,
                  student_id=submission.student_id, student_id_source=submission.student_id_source,
                  parameters=params, parts=parts, messages=messages,
                  submission_hash=submission.content_hash, isolation=isolation,
                  duration_s=round(time.perf_counter() - start, 6))


def _offline_checks(exercise: Exercise) -> tuple[ChecksFile | None, str | None]:
    """A release bundle's checks when the reference is absent: (checks, None), or (None, the
    reason the checks file cannot be used), or (None, None) when there is none."""
    if exercise.solution_path is not None:
        return None, None
    try:
        return find_checks(exercise), None
    except GraderError as e:
        return None, str(e)


def reference_submission(exercise: Exercise, student_id: str = "reference") -> Submission:
    """The instructor's reference (answers.md rendered for `student_id`'s numbers, and
    solution.py) as a submission, so `grader validate` grades it like a student's."""
    params = draw_parameters(exercise, student_id)
    answers, _ = reference_answers(exercise, params)
    sol = exercise.solution_path
    code = [sol / "solution.py"] if sol is not None and (sol / "solution.py").is_file() else []
    return Submission(student_id=student_id, student_id_source="reference", root=sol or exercise.path,
                      files=code, answers=dict(answers), code_files=code,
                      content_hash=f"reference:{exercise.id}:{exercise.version}:{student_id}")


def grade_path(exercise: Exercise, path: Path, student_id: str | None = None) -> Result:
    """Ingest and grade in one step; a submission that cannot be read at all still gets a
    Result (all parts unanswered) with the reason."""
    from grader.submission.ingest import ingest

    try:
        sub = ingest(path, exercise, student_id)
    except GraderError as e:
        sub = Submission(student_id=student_id or Path(path).stem, student_id_source="command line"
                         if student_id else "file name", root=Path(path), problems=[str(e)])
    return grade(exercise, sub)
