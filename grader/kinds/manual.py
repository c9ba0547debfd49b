"""`manual`: a part a human grades (a written argument, a plot, a discussion).

The toolkit keeps the student's answer and shows it back, marks the part "needs manual
grading" and gives it zero automatic points: its points are the teacher's to give. The
instructor's model answer lives in answers.md like any other reference; `grader validate`
checks it is there, but it is never put into a student's result.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.errors import ExerciseError, Location
from grader.kinds.base import AnswerKind, CheckTask
from grader.results import Evidence, PartResult, Status

#: a generous bound, so a pasted notebook cannot bloat every report and gradebook row
MAX_KEPT_CHARS = 20_000


@dataclass(frozen=True)
class ManualOptions:
    rubric: str = ""  # what the teacher looks for; shown to the student with the part


class ManualKind(AnswerKind):
    name = "manual"
    # The model answer is optional at check time: a student checking offline, without
    # solutions/, still gets "needs manual grading" rather than an error.
    reference_from = None

    def parse_options(self, raw: dict[str, Any], where: Location) -> ManualOptions:
        extra = set(raw) - {"rubric"}
        if extra:
            raise ExerciseError(f"unknown key(s) for a manual part: {', '.join(sorted(extra))} (known: rubric)",
                                location=where)
        rubric = raw.get("rubric", "")
        if not isinstance(rubric, str):
            raise ExerciseError("'rubric' must be a string", location=Location(where.file, f"{where.key}.rubric", where.part))
        return ManualOptions(rubric=rubric.strip())

    def check(self, task: CheckTask) -> PartResult:
        assert task.answer is not None
        o: ManualOptions = task.part.options or ManualOptions()
        text = task.answer.text.strip()
        if not text:
            return self.not_answered(task)
        points = f"{task.part.points:g} point{'' if task.part.points == 1 else 's'}"
        feedback = [f"Needs manual grading: a teacher grades this part ({points}); "
                    "it counts 0 in the automatic score until then. Your answer is kept as written."]
        if o.rubric:
            feedback.append(f"What the teacher looks for: {o.rubric}")
        data: dict[str, Any] = {"points_available": task.part.points, "characters": len(text)}
        if len(text) > MAX_KEPT_CHARS:
            text = text[:MAX_KEPT_CHARS] + "\n[… cut: the answer is longer than the report keeps]"
            data["truncated"] = True
        res = self.result(task, Status.MANUAL, 0.0, feedback=feedback,
                          evidence=[Evidence("manual", "This part is graded by a person, not automatically.", data)],
                          answer_format="text")
        res.answer = text
        return res
