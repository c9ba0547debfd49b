"""`numeric`: reading numbers, vectors, matrices and shapes; tolerances; diagnoses."""
from __future__ import annotations

import numpy as np
import pytest

from grader.errors import ExerciseError, Location
from grader.exercise.model import Exercise, Mistake, Part
from grader.kinds.base import Answer, CheckContext, CheckTask, Reference
from grader.kinds.numeric import NumericAnswerError, NumericKind, final_member, read_answer
from grader.results import Status

KIND = NumericKind()


@pytest.mark.parametrize("latex, value", [
    ("3", 3.0), ("-2.5", -2.5), ("z = w_1 x = 3 \\cdot 1 = 3", 3.0), ("\\frac{1}{4}", 0.25),
    ("-\\frac{3}{2}", -1.5), ("1/8", 0.125), ("2.5 \\times 10^{-3}", 0.0025), ("1e3", 1000.0),
    ("w_1 \\leftarrow 2.8", 2.8), ("\\begin{aligned} L &= \\tfrac12 (1)^2 \\\\ &= 0.5 \\end{aligned}", 0.5),
    ("x \\approx 0.33", 0.33), ("3 \\text{ units}", 3.0), ("{-4}", -4.0), ("−1", -1.0),
])
def test_reads_numbers(latex: str, value: float) -> None:
    assert read_answer(latex, "number") == pytest.approx(value)


def test_reads_vectors_matrices_shapes() -> None:
    assert read_answer("[0.5, -1, 2]", "vector").tolist() == [0.5, -1, 2]
    assert read_answer("p = \\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}", "vector").tolist() == [1, 2]
    assert read_answer("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "matrix").tolist() == [[1, 2], [3, 4]]
    assert read_answer("[[1, 2], [3, 4]]", "matrix").tolist() == [[1, 2], [3, 4]]
    assert read_answer("\\begin{bmatrix} 1 & 2 \\end{bmatrix}^T", "matrix").shape == (2, 1)
    assert read_answer("W^{(1)} \\in \\mathbb{R}^{3 \\times 2}", "shape") == (3, 2)
    assert read_answer("(4, 1)", "shape") == (4, 1)


@pytest.mark.parametrize("latex, answer, message", [
    ("\\begin{bmatrix} 1 & 2 \\\\ 3 \\end{bmatrix}", "matrix", "rows of the matrix have different lengths"),
    ("three by two", "shape", "is not a shape"),
    ("\\frac{1}{0}", "number", "division by zero"),
    ("z = ", "number", "empty after its last '='"),
])
def test_unreadable_answers_say_why(latex: str, answer: str, message: str) -> None:
    with pytest.raises(Exception) as info:
        read_answer(latex, answer)
    assert message in str(info.value)


def test_final_member_ignores_equals_inside_braces() -> None:
    assert final_member("f_{i=1} = 4") == "4"


def _task(student: str, reference: str, answer_type: str = "number", mistakes=(), **opts) -> CheckTask:
    options = KIND.parse_options({"answer": answer_type, **opts}, Location())
    part = Part(id="p", kind="numeric", points=2, options=options, mistakes=list(mistakes))
    ex = Exercise(id="e", title="E", version="1", path=None, parameters={}, parts=[part], spec_template="")  # type: ignore[arg-type]
    return CheckTask(part=part, answer=Answer("p", math=[student]), reference=Reference(Answer("p", math=[reference])),
                     ctx=CheckContext(exercise=ex, student_id="s", parameters={}))


def test_tolerances() -> None:
    assert KIND.check(_task("0.3333", "\\frac{1}{3}", rel_tol=1e-3)).status == Status.CORRECT
    assert KIND.check(_task("0.3333", "\\frac{1}{3}")).status == Status.INCORRECT
    assert KIND.check(_task("2.8000001", "2.8")).score == 2


def test_generic_diagnoses() -> None:
    res = KIND.check(_task("-3", "3"))
    assert res.status == Status.INCORRECT and res.diagnosis == "sign-flipped" and res.score == 0
    assert KIND.check(_task("6", "3")).diagnosis == "factor-2"
    assert KIND.check(_task("1.5", "3")).diagnosis == "factor-half"
    assert KIND.check(_task("7", "3")).diagnosis is None


def test_author_mistake_wins_and_expected_value_stays_hidden() -> None:
    res = KIND.check(_task("-3", "3", mistakes=[Mistake("plus", "-3", "You added the gradient.")]))
    assert res.diagnosis == "plus" and "You added the gradient." in res.feedback
    assert not any("Expected" in f for f in res.feedback)
    shown = KIND.check(_task("4", "3", reveal=True))
    assert "Expected 3." in shown.feedback


def test_shape_and_vector_mismatch() -> None:
    assert KIND.check(_task("(2, 3)", "(3, 2)", "shape")).diagnosis == "transposed"
    res = KIND.check(_task("[1, 2, 3]", "[1, 2]", "vector"))
    assert res.diagnosis == "wrong-shape" and "shape 3" in res.feedback[0]


def test_bad_student_answer_is_error_not_crash() -> None:
    res = KIND.check(_task("I do not know", "3"))
    assert res.status == Status.ERROR and res.score == 0 and "Could not read a number" in res.feedback[0]


def test_bad_options_name_the_key() -> None:
    with pytest.raises(ExerciseError, match="'abs_tol' must be a non-negative number"):
        KIND.parse_options({"abs_tol": "small"}, Location(file="e.toml", key="parts.p"))
