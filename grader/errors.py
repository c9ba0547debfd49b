"""Exceptions that carry a user-facing message and a location.

Every error a user can cause (a malformed exercise, a bad submission, math that does not
parse, code that breaks a limit) is one of these. `str(err)` is the message a user reads:
it names the file, the part and the position where they are known.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Location:
    """Where a problem is: any subset of file, key (TOML key path), part id, line, column."""

    file: str | None = None
    key: str | None = None
    part: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        bits: list[str] = []
        if self.file:
            pos = self.file
            if self.line is not None:
                pos += f":{self.line}"
                if self.column is not None:
                    pos += f":{self.column}"
            bits.append(pos)
        if self.key:
            bits.append(f"key '{self.key}'")
        if self.part:
            bits.append(f"part '{self.part}'")
        return ", ".join(bits)


class GraderError(Exception):
    """Base of every error with a user-facing message."""

    def __init__(self, message: str, location: Location | None = None, **where: object) -> None:
        super().__init__(message)
        self.message = message
        self.location = location or Location(**where)  # type: ignore[arg-type]

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


class ExerciseError(GraderError):
    """An exercise folder (exercise.toml, spec.md, solutions/) is malformed."""


class ExerciseErrors(GraderError):
    """Several problems found while validating one exercise; all are reported at once."""

    def __init__(self, errors: list[GraderError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    def __str__(self) -> str:
        return "\n".join(f"- {e}" for e in self.errors)


class SubmissionError(GraderError):
    """A submission file cannot be read (not UTF-8, empty, unknown format...)."""


@dataclass
class MathSyntaxError(GraderError):
    """Student math that does not parse. Carries the text and the 0-based offset of the problem."""

    message: str = ""
    text: str = ""
    position: int = 0
    expected: list[str] = field(default_factory=list)
    location: Location = field(default_factory=Location)

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)

    def caret(self) -> str:
        """The offending line with a caret under the position, for terminals and reports."""
        line_start = self.text.rfind("\n", 0, self.position) + 1
        line_end = self.text.find("\n", self.position)
        if line_end == -1:
            line_end = len(self.text)
        line = self.text[line_start:line_end]
        col = self.position - line_start
        return f"{line}\n{' ' * col}^"

    def __str__(self) -> str:
        where = str(self.location)
        head = f"{where}: " if where else ""
        exp = f" (expected {', '.join(self.expected)})" if self.expected else ""
        return f"{head}{self.message}{exp} at position {self.position}\n{self.caret()}"


class LimitExceeded(GraderError):
    """Student input or code broke a size, depth, time or memory limit."""
