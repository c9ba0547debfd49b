"""The derivation kind: every step checked, the first wrong one reported with its evidence,
the final answer judged on its own, credit as the part declares, cases respected."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader.errors import ExerciseError, Location
from grader.exercise.model import Exercise, Part
from grader.kinds import get_kind
from grader.kinds.base import Answer, CheckContext, CheckTask, Reference, timed_check
from grader.results import Status

SOFTMAX = {
    "symbols": ["s_i", "s_j", "z_i", "z_j", "z_k"],
    "indices": {"i": "n", "j": "n", "k": "n"},
    "dims": {"n": 4},
    "shapes": {"z": ["n"]},
    "definitions": {"s_i": "\\frac{e^{z_i}}{\\sum_k e^{z_k}}"},
}

REF_SAME = r"""\begin{aligned}
\frac{\partial s_i}{\partial z_i} &= \frac{e^{z_i}\sum_k e^{z_k} - e^{z_i}e^{z_i}}{\left(\sum_k e^{z_k}\right)^2} \\
&= s_i - s_i^2 \\
&= s_i(1 - s_i)
\end{aligned}"""


def grade(answer: str | list[str], reference: str = REF_SAME, **options: Any):
    raw = dict(SOFTMAX)
    raw.update({"case": "i = j", "min_steps": 2})
    raw.update(options)
    kind = get_kind("derivation")
    opts = kind.parse_options(raw, Location(file="exercise.toml", key="parts.d", part="d"))
    part = Part(id="d", kind="derivation", points=4, options=opts)
    ex = Exercise(id="t", title="t", version="1", path=Path("."), parameters={}, parts=[part], spec_template="")
    blocks = [answer] if isinstance(answer, str) else answer
    task = CheckTask(part=part, answer=Answer("d", math=blocks), reference=Reference(Answer("d", math=[reference])),
                     ctx=CheckContext(exercise=ex, student_id="alice", parameters={}))
    return timed_check(kind, task)


def evidence(res, kind: str):
    return next(e for e in res.evidence if e.kind == kind)


def test_a_right_derivation_earns_full_marks_and_lists_its_steps() -> None:
    res = grade(REF_SAME)
    assert res.status == Status.CORRECT and res.score == 4
    steps = evidence(res, "derivation-steps")
    assert steps.data["final_ok"] is True
    assert [s["ok"] for s in steps.data["steps"]] == [True, True, True]
    assert steps.data["lhs"].startswith("\\frac{\\partial s_i}")


def test_wrong_middle_right_end_is_reported_as_exactly_that() -> None:
    answer = r"""\begin{aligned}
\frac{\partial s_i}{\partial z_i} &= \frac{e^{z_i}\sum_k e^{z_k} - e^{z_i}e^{z_i}}{\left(\sum_k e^{z_k}\right)^2} \\
&= s_i + s_i^2 \\
&= s_i(1 - s_i)
\end{aligned}"""
    res = grade(answer)
    assert res.status == Status.PARTIAL
    # final right (half) + 1 of 3 steps (one sixth): the two steps around the slip fail
    assert res.score == pytest.approx(4 * (0.5 + 0.5 / 3), abs=1e-4)
    assert "final answer is right, but step 2 does not follow" in res.feedback[0]
    wrong = evidence(res, "first-wrong-step")
    assert wrong.data["step"] == 2
    assert wrong.data["to"] == "s_i + s_i^2"
    assert "\\sum_k" in wrong.data["from"]
    assert wrong.data["point"]  # the point where the two sides differ, with both values
    assert wrong.data["student"] != wrong.data["reference"]
    assert "you get" in wrong.message and "expected" in wrong.message


def test_wrong_end_is_diagnosed_and_the_earlier_steps_earn_their_share() -> None:
    answer = r"\frac{\partial s_i}{\partial z_i} = s_i - s_i^2 = s_i(s_i - 1)"
    res = grade(answer)
    assert res.status == Status.PARTIAL
    assert res.score == pytest.approx(4 * 0.5 * 1 / 2)
    assert res.diagnosis == "sign-flipped"
    assert "The final answer is not right." in res.feedback
    assert any("step 2" in f for f in res.feedback)


def test_a_first_line_that_is_not_the_derivative_fails_step_one() -> None:
    res = grade(r"\frac{\partial s_i}{\partial z_i} = s_i - s_i s_j = s_i(1 - s_j)", case="i \\neq j",
                reference=r"\frac{\partial s_i}{\partial z_j} = -s_i s_j")
    assert res.status == Status.PARTIAL  # the second step is right algebra
    assert evidence(res, "first-wrong-step").data["step"] == 1
    assert "i \\neq j" in " ".join(res.feedback)


def test_steps_hold_only_under_the_parts_case() -> None:
    # δ_ij = 1 only because i = j: right under the case, would be wrong without it
    answer = r"\frac{\partial s_i}{\partial z_i} = s_i(\delta_{ij} - s_j) = s_i(1 - s_i)"
    assert grade(answer).status == Status.CORRECT
    res = grade(answer, case="")
    assert res.status != Status.CORRECT


def test_lines_with_their_own_cases_are_branches() -> None:
    reference = r"\frac{\partial s_i}{\partial z_j} = s_i(\delta_{ij} - s_j)"
    answer = r"""\begin{aligned}
\frac{\partial s_i}{\partial z_j} &= s_i(\delta_{ij} - s_j) \\
&= s_i(1 - s_i) \quad \text{if } i = j \\
&= -s_i s_j \quad \text{otherwise}
\end{aligned}"""
    res = grade(answer, reference=reference, case="")
    assert res.status == Status.CORRECT, res.feedback
    wrong = answer.replace(r"-s_i s_j \quad", r"s_i s_j \quad")
    res = grade(wrong, reference=reference, case="")
    assert res.status == Status.PARTIAL
    assert evidence(res, "first-wrong-step").data["step"] == 3


def test_too_short_a_derivation_earns_only_the_final_share() -> None:
    res = grade(r"\frac{\partial s_i}{\partial z_i} = s_i(1 - s_i)")
    assert res.status == Status.PARTIAL and res.score == pytest.approx(2.0)
    assert any("at least 2 step" in f for f in res.feedback)


def test_credit_follows_the_declared_weights() -> None:
    answer = r"\frac{\partial s_i}{\partial z_i} = s_i - s_i^2 = s_i + s_i"
    res = grade(answer, final_weight=0.25, steps_weight=0.75)
    assert res.score == pytest.approx(4 * 0.75 * 1 / 2)


def test_unreadable_math_is_an_error_with_a_caret() -> None:
    res = grade(r"\frac{\partial s_i}{\partial z_i} = s_i(1 - s_i")
    assert res.status == Status.ERROR and res.score == 0
    assert "^" in evidence(res, "parse-error").data["caret"]


@pytest.mark.parametrize("key, value, needle", [
    ("final_weight", 0.7, "final_weight + steps_weight must be 1"),
    ("min_steps", 0, "'min_steps' must be a whole number"),
    ("case", "i = = j", "'case' cannot be read"),
    ("steps_weight", "half", "'steps_weight' must be a number"),
])
def test_bad_options_name_the_key(key: str, value: Any, needle: str) -> None:
    raw = dict(SOFTMAX, **{key: value})
    with pytest.raises(ExerciseError) as e:
        get_kind("derivation").parse_options(raw, Location(file="exercise.toml", key="parts.d", part="d"))
    assert needle in str(e.value)
    assert f"parts.d.{key}" in str(e.value) or key == "final_weight"


def test_the_report_shows_the_steps_and_where_a_step_fails() -> None:
    from grader.report.evidence import evidence_views

    answer = r"\frac{\partial s_i}{\partial z_i} = s_i - s_i^2 = s_i(s_i - 1)"
    res = grade(answer)
    views = {v.kind: v for v in evidence_views(res.evidence, res.feedback)}
    labels = [label for label, _ in views["derivation-steps"].rows]
    assert labels[0] == "derived quantity"
    assert "step 1 ✓ follows (if i = j)" in labels and "step 2 ✗ does not follow (if i = j)" in labels
    assert labels[-1] == "final answer"
    assert "<math" in str(views["derivation-steps"].rows[1][1])
    wrong = dict(views["first-wrong-step"].rows)
    assert wrong["step"] == "2"
    assert "<math" in str(wrong["at"]) and "this line gives" in wrong and "the line before gives" in wrong


def test_the_softmax_jacobian_exercise_validates(repo: Path) -> None:
    from grader.validation import validate_course

    checks = validate_course(repo, only=["softmax-jacobian"])
    failed = [f"{c.what}: {c.problems}" for c in checks if not c.ok]
    assert not failed, "\n".join(failed)
    assert sum(c.what.startswith("wrong/") for c in checks) >= 8
