"""The result model: what grading one submission produces.

Plain dataclasses, serialisable to JSON (schema documented in docs/result-schema.md and
checked by tests). Results never hold timestamps, so the same exercise version and the same
submission always give an identical `to_dict()` apart from the `timing` block.
"""
from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = 1


class Status(str, enum.Enum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    PARTIAL = "partially correct"
    ERROR = "error"
    NOT_ANSWERED = "not answered"
    MANUAL = "needs manual grading"


@dataclass
class Evidence:
    """One piece of evidence behind a verdict.

    `kind` names what it is (counterexample, first-wrong-step, failing-input, diagnosis,
    parse-error, limit, ...), `message` says it in words, `data` holds machine-readable
    details (the point, both values, the step index...), all JSON-safe.
    """

    kind: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class PartResult:
    part_id: str
    kind: str
    status: Status
    score: float
    max_score: float
    feedback: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    answer: str | None = None  # what the student wrote, raw (rendered escaped in reports)
    answer_format: str = "text"  # "math" (LaTeX/plain math), "text", "code"
    diagnosis: str | None = None  # short name of the diagnosed misconception, if any
    title: str = ""
    duration_s: float = 0.0

    def to_dict(self, timing: bool = True) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = self.status.value
        if not timing:
            d.pop("duration_s")
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "PartResult":
        d = dict(d)
        d["status"] = Status(d["status"])
        d["evidence"] = [Evidence(**e) for e in d.get("evidence", [])]
        return cls(**d)


@dataclass
class Result:
    exercise_id: str
    exercise_version: str
    exercise_title: str
    student_id: str
    student_id_source: str  # how the id was found: "folder name", "front matter", "command line"...
    parameters: dict[str, Any]
    parts: list[PartResult]
    messages: list[str] = field(default_factory=list)  # submission-level problems
    submission_hash: str = ""
    isolation: str | None = None  # how student code ran, when any ran
    duration_s: float = 0.0

    @property
    def score(self) -> float:
        return round(sum(p.score for p in self.parts), 6)

    @property
    def max_score(self) -> float:
        return round(sum(p.max_score for p in self.parts), 6)

    def part(self, part_id: str) -> PartResult:
        for p in self.parts:
            if p.part_id == part_id:
                return p
        raise KeyError(part_id)

    def to_dict(self, timing: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "exercise_id": self.exercise_id,
            "exercise_version": self.exercise_version,
            "exercise_title": self.exercise_title,
            "student_id": self.student_id,
            "student_id_source": self.student_id_source,
            "parameters": self.parameters,
            "score": self.score,
            "max_score": self.max_score,
            "parts": [p.to_dict(timing) for p in self.parts],
            "messages": list(self.messages),
            "submission_hash": self.submission_hash,
            "isolation": self.isolation,
        }
        if timing:
            d["duration_s"] = self.duration_s
        return d

    def to_json(self, timing: bool = True, indent: int | None = 2) -> str:
        """The result as JSON; `indent=None` for machines (the gradebook, a worker's reply):
        without indentation json uses its C encoder, several times faster."""
        return json.dumps(self.to_dict(timing), indent=indent, sort_keys=False, default=_json_default)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Result":
        return cls(
            exercise_id=d["exercise_id"],
            exercise_version=d["exercise_version"],
            exercise_title=d.get("exercise_title", ""),
            student_id=d["student_id"],
            student_id_source=d.get("student_id_source", ""),
            parameters=d.get("parameters", {}),
            parts=[PartResult.from_dict(p) for p in d["parts"]],
            messages=list(d.get("messages", [])),
            submission_hash=d.get("submission_hash", ""),
            isolation=d.get("isolation"),
            duration_s=d.get("duration_s", 0.0),
        )


def _json_default(o: Any) -> Any:
    # numpy scalars and arrays sneak into evidence data; make them plain
    if hasattr(o, "tolist"):
        return o.tolist()
    if isinstance(o, enum.Enum):
        return o.value
    return str(o)
