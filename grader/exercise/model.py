"""The validated exercise model that the loader produces and the checkers read."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Parameter:
    """A number in the statement that may vary per student.

    Drawn uniformly from `choices`, or from the grid min, min+step, ..., max. Integer when
    default, min, max and step are all integers.
    """

    name: str
    default: Any
    choices: tuple[Any, ...] | None = None
    min: float | None = None
    max: float | None = None
    step: float | None = None

    @property
    def varies(self) -> bool:
        return bool(self.choices) or (self.min is not None and self.max is not None)


@dataclass(frozen=True)
class Mistake:
    """An author-declared common mistake: an answer that is wrong in a known way."""

    name: str
    answer: str  # written in the part's answer syntax (an expression, a number...)
    feedback: str


@dataclass
class Part:
    id: str
    kind: str
    points: float
    title: str = ""
    options: Any = None  # the kind's parsed options (its own dataclass)
    raw: dict[str, Any] = field(default_factory=dict)  # the part's TOML table as written
    mistakes: list[Mistake] = field(default_factory=list)
    hidden: bool = False  # hidden parts/checks never go into a student release bundle
    limits: dict[str, Any] = field(default_factory=dict)  # overrides of the exercise's [limits]


@dataclass
class Exercise:
    id: str
    title: str
    version: str
    path: Path  # exercises/<id>/
    parameters: dict[str, Parameter]
    parts: list[Part]
    spec_template: str  # spec.md source (Jinja2)
    solution_path: Path | None = None  # solutions/<id>/ when the instructor copy is present
    section: str = ""
    limits: dict[str, Any] = field(default_factory=dict)  # defaults for code parts
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def points(self) -> float:
        return sum(p.points for p in self.parts)

    def part(self, part_id: str) -> Part:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(part_id)

    @property
    def part_ids(self) -> list[str]:
        return [p.id for p in self.parts]
