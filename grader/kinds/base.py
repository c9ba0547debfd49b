"""The small interface every answer kind implements.

An answer kind is one module in `grader/kinds/` that defines a subclass of `AnswerKind`
with a unique `name`. The registry (`grader.kinds.registry`) finds it by itself: adding a
kind touches no other module.

Life of a part:
  load time   `parse_options(raw, where)` turns the part's TOML table into the kind's own
              options object, raising ExerciseError for anything malformed; optional
              `check_part` (the parsed part, with its mistakes) and `check_reference` (its
              answers.md section) catch what needs more than the table.
  check time  `check(task)` compares the student's answer with the reference and returns a
              PartResult with status, score, feedback and evidence. It must not raise for bad
              student input: a malformed answer is a verdict (status ERROR), not a crash.
  release     optional: `fingerprint(task)` turns the real reference into a JSON-safe dict
              that does not reveal it (grader/release/fingerprint.py); `check_offline(task,
              fingerprint)` judges an answer against it where solutions/ is absent. A kind
              that defines neither is "checked by your instructor" in a student's bundle.
"""
from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from grader.errors import ExerciseError, GraderError, Location
from grader.exercise.model import Exercise, Part
from grader.results import Evidence, PartResult, Status
from grader.seeding import rng_for


#: separates the math blocks of one answer in `Answer.display` / `PartResult.answer`
MATH_BLOCK_SEP = "\n\n"


@dataclass
class Answer:
    """What a student gave for one part.

    Written parts: `text` is the body under the part's heading, `math` the display/inline
    math blocks found in it (LaTeX source without the delimiters), `file`/`line` where it
    starts. Code parts: `code_files` are the student's .py/.ipynb files.
    """

    part_id: str
    text: str = ""
    math: list[str] = field(default_factory=list)
    file: str | None = None
    line: int | None = None
    code_files: list[Path] = field(default_factory=list)

    @property
    def location(self) -> Location:
        return Location(file=self.file, line=self.line, part=self.part_id)

    @property
    def display(self) -> str:
        """The answer as it should be shown back to the student."""
        if self.math:
            return MATH_BLOCK_SEP.join(self.math)
        if self.code_files and not self.text.strip():
            # a code answer is shown as the names of its files, one per line
            return "\n".join(p.name for p in self.code_files)
        return self.text.strip()


@dataclass
class Reference:
    """The instructor's reference for one part, for this student's parameters.

    `answer` is the reference in the same form a student writes (from solutions/<id>/
    answers.md, rendered with the parameters); `solution_file` is solutions/<id>/solution.py
    for code parts.
    """

    answer: Answer | None = None
    solution_file: Path | None = None


@dataclass
class CheckContext:
    exercise: Exercise
    student_id: str
    parameters: dict[str, Any]
    time_budget_s: float = 2.0

    def rng(self, *extra: object) -> np.random.Generator:
        """Deterministic randomness for this exercise, student and purpose."""
        return rng_for(self.exercise.id, self.exercise.version, self.student_id, *extra)


@dataclass
class CheckTask:
    part: Part
    answer: Answer | None  # None: the student did not answer this part
    reference: Reference
    ctx: CheckContext


class AnswerKind(ABC):
    name: ClassVar[str]
    #: where the reference comes from: "answers" (answers.md), "solution" (solution.py), None
    reference_from: ClassVar[str | None] = "answers"
    #: where the student's answer comes from: "markdown" (a `## part` section) or "code"
    answer_from: ClassVar[str] = "markdown"

    def parse_options(self, raw: dict[str, Any], where: Location) -> Any:
        """Validate the part's kind-specific keys; return the kind's options object.

        `raw` is the part's TOML table without the keys all kinds share (id, kind, points,
        title, mistakes, hidden). Raise ExerciseError(message, location=where) naming the key.
        """
        if raw:
            raise ExerciseError(f"unknown key(s) for a '{self.name}' part: {', '.join(sorted(raw))}",
                                location=where)
        return None

    def check_part(self, part: Part, where: Location) -> None:
        """Load-time checks that need the whole part, such as its mistakes naming things the
        options define. Raise ExerciseError naming the key. Default: nothing to check."""

    def check_reference(self, part: Part, text: str, where: Location) -> None:
        """Load-time check of the part's reference answer as written in answers.md (the
        section body, before parameters are filled in). Default: nothing to check."""

    @abstractmethod
    def check(self, task: CheckTask) -> PartResult:
        """Judge one answer. Never raises for anything the student wrote."""

    # release bundles (grader/release/) ----------------------------------------------------
    def fingerprint(self, task: CheckTask) -> dict[str, Any] | None:
        """What a student bundle may hold about this part's reference (never the reference
        itself). None: this part cannot be checked offline."""
        return None

    def check_offline(self, task: CheckTask, fingerprint: dict[str, Any]) -> PartResult:
        """Judge the answer against `fingerprint` (no reference available). Default: a clear
        status with zero automatic points, never an error."""
        return self.instructor_only(task)

    def instructor_only(self, task: CheckTask) -> PartResult:
        message = "This part is checked by your instructor; it cannot be checked offline."
        res = self.result(task, Status.MANUAL, feedback=[message],
                          evidence=[Evidence("offline", message, {"offline": False})])
        if task.answer is not None and res.answer_format == "math" and not task.answer.math:
            res.answer_format = "text"
        return res

    # helpers shared by all kinds -------------------------------------------------------
    @staticmethod
    def result(task: CheckTask, status: Status, fraction: float = 0.0, *,
               feedback: list[str] | None = None, evidence: list[Evidence] | None = None,
               diagnosis: str | None = None, answer_format: str = "math") -> PartResult:
        part = task.part
        ans = task.answer
        if ans is not None and ans.code_files and not ans.math and not ans.text.strip():
            answer_format = "code"  # shown as the names of the files, never as math
        return PartResult(
            part_id=part.id,
            kind=part.kind,
            status=status,
            score=round(part.points * max(0.0, min(1.0, fraction)), 6),
            max_score=part.points,
            feedback=list(feedback or []),
            evidence=list(evidence or []),
            answer=ans.display if ans is not None else None,
            answer_format=answer_format,
            diagnosis=diagnosis,
            title=part.title,
        )

    def not_answered(self, task: CheckTask) -> PartResult:
        return self.result(task, Status.NOT_ANSWERED,
                           feedback=[f"No answer found for part '{task.part.id}'."])

    def error(self, task: CheckTask, err: GraderError | str, kind: str = "error") -> PartResult:
        """A zero for this part with the error's message as evidence."""
        message = str(err) if isinstance(err, str) else err.message
        data: dict[str, Any] = {}
        if hasattr(err, "caret"):
            data = {"caret": err.caret(), "position": getattr(err, "position", None)}
        return self.result(task, Status.ERROR, feedback=[message],
                           evidence=[Evidence(kind, message, data)])


def timed_check(kind: AnswerKind, task: CheckTask) -> PartResult:
    """Run a kind's check, recording its duration, turning an unexpected GraderError into
    an ERROR verdict so that one part can never break the others."""
    start = time.perf_counter()
    if task.answer is None and kind.answer_from == "markdown":
        res = kind.not_answered(task)
    else:
        try:
            res = kind.check(task)
        except GraderError as err:
            res = kind.error(task, err)
    res.duration_s = round(time.perf_counter() - start, 6)
    return res
