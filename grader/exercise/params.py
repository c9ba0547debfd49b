"""Per-student parameter variants, drawn deterministically from exercise id + student id."""
from __future__ import annotations

import math
from typing import Any

from grader.exercise.model import Exercise, Parameter
from grader.seeding import rng_for

#: student ids that always get the statement's own numbers (the reference, the examples in
#: solutions/<id>/wrong, a student who gives no id)
DEFAULT_STUDENTS = frozenset({"", "default", "reference"})


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def draw_value(param: Parameter, exercise_id: str, student_id: str) -> Any:
    if not param.varies or student_id in DEFAULT_STUDENTS:
        return param.default
    rng = rng_for("parameter", exercise_id, student_id, param.name)
    if param.choices:
        return param.choices[int(rng.integers(len(param.choices)))]
    assert param.min is not None and param.max is not None
    lo, hi = param.min, param.max
    step = param.step
    integral = all(_is_int(v) for v in (param.default, lo, hi)) and (step is None or _is_int(step))
    if integral:
        step = int(step or 1)
        count = (int(hi) - int(lo)) // step + 1
        return int(lo) + step * int(rng.integers(count))
    if step:
        count = int(math.floor((hi - lo) / step + 1e-9)) + 1
        return round(lo + step * int(rng.integers(count)), 12)
    return float(rng.uniform(lo, hi))


def draw_parameters(exercise: Exercise, student_id: str | None) -> dict[str, Any]:
    """The parameter values of `student_id`'s variant (defaults when there is no id)."""
    sid = student_id or ""
    return {name: draw_value(p, exercise.id, sid) for name, p in exercise.parameters.items()}
