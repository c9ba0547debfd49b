"""Which misconception explains a wrong answer?

For now: the part author's own mistakes (an expression each, matched with the same
equivalence check as the answer itself) and a generic sign flip. Generic mutants of the
reference (factors, missing terms, transposes...) come next.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from grader.errors import GraderError, MathSyntaxError
from grader.exercise.model import Mistake
from grader.math.context import MathContext
from grader.math.equivalence import check_equivalence
from grader.math.parser import MathShapeError, parse_expression


@dataclass
class Diagnosis:
    name: str
    message: str


def _matches(student: Any, candidate: Any, ctx: MathContext, budget_s: float) -> bool:
    try:
        v = check_equivalence(student, candidate, ctx, budget_s=budget_s, symbolic=False)
    except (GraderError, ValueError, TypeError):
        return False
    return v.equivalent is True


def diagnose(student: Any, reference: Any, ctx: MathContext, mistakes: Iterable[Mistake] = (),
             budget_s: float = 1.0) -> Diagnosis | None:
    """The most specific known mistake that the (wrong) student answer equals, or None."""
    mistakes = list(mistakes)
    per_check = budget_s / (len(mistakes) + 1)
    for m in mistakes:
        try:
            wrong = parse_expression(m.answer, ctx)
        except (MathSyntaxError, MathShapeError, GraderError):
            continue  # an author mistake that does not parse is reported by validation, not here
        if _matches(student, wrong, ctx, per_check):
            return Diagnosis(m.name, m.feedback)
    try:
        flipped = -reference
    except TypeError:
        return None
    if reference != 0 and _matches(student, flipped, ctx, per_check):
        return Diagnosis("sign-flipped", "Your answer is the expected one with the opposite sign: "
                                         "check the sign of each term.")
    return None
