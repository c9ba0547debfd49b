"""`manual`: kept, shown, marked for a person, zero automatic points; validate accepts it."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.checking import grade_path
from grader.errors import ExerciseError, ExerciseErrors, Location
from grader.exercise.loader import load_exercise
from grader.kinds.manual import ManualKind
from grader.results import Status
from grader.validation import validate_course
from tests.conftest import write_exercise

TOML = """
id = "essay"
title = "Essay"
version = "1"
[[parts]]
id = "n"
kind = "numeric"
points = 1
[[parts]]
id = "argument"
kind = "manual"
points = 3
rubric = "Names the four inequalities and adds two of them."
"""
ANSWERS = "## n\n$$2$$\n\n## argument\nAssume w and b exist. Then $b < 0$ and ...\n"


def _exercise(tmp_path: Path, answers: str = ANSWERS):
    folder = write_exercise(tmp_path, "essay", TOML, answers=answers)
    wrong = tmp_path / "solutions" / "essay" / "wrong" / "bad-number"
    wrong.mkdir(parents=True)
    (wrong / "answers.md").write_text("## n\n$$3$$\n## argument\nIt cannot.\n", encoding="utf-8")
    (wrong / "expect.toml").write_text('[parts.n]\nstatus = "incorrect"\n[parts.argument]\nstatus = "needs manual grading"\n',
                                       encoding="utf-8")
    return load_exercise(folder, tmp_path / "solutions")


def test_answer_is_kept_and_marked_for_a_person(tmp_path: Path) -> None:
    ex = _exercise(tmp_path)
    sub = tmp_path / "s.md"
    sub.write_text("## n\n$$2$$\n\n## argument\nSuppose $w_1 x_1 + w_2 x_2 + b$ separates XOR.\nThen b < 0.\n",
                   encoding="utf-8")
    res = grade_path(ex, sub)
    part = res.part("argument")
    assert part.status == Status.MANUAL and part.status.value == "needs manual grading"
    assert part.score == 0 and part.max_score == 3
    assert part.answer == "Suppose $w_1 x_1 + w_2 x_2 + b$ separates XOR.\nThen b < 0."
    assert part.answer_format == "text"
    assert part.feedback[0].startswith("Needs manual grading: a teacher grades this part (3 points)")
    assert part.feedback[1] == "What the teacher looks for: Names the four inequalities and adds two of them."
    assert res.score == 1 and res.max_score == 4
    assert "Assume w and b exist" not in res.to_json()  # the model answer stays with the instructor


def test_empty_manual_part_is_not_answered(tmp_path: Path) -> None:
    ex = _exercise(tmp_path)
    sub = tmp_path / "s.md"
    sub.write_text("## n\n$$2$$\n\n## argument\n\n", encoding="utf-8")
    part = grade_path(ex, sub).part("argument")
    assert part.status == Status.NOT_ANSWERED and "No answer found for part 'argument'" in part.feedback[0]


def test_without_solutions_a_manual_part_still_says_manual(tmp_path: Path) -> None:
    folder = write_exercise(tmp_path, "essay", TOML)
    ex = load_exercise(folder, None)
    sub = tmp_path / "s.md"
    sub.write_text("## argument\nBecause.\n", encoding="utf-8")
    assert grade_path(ex, sub).part("argument").status == Status.MANUAL


def test_validate_accepts_manual_references_and_wants_a_model_answer(tmp_path: Path) -> None:
    _exercise(tmp_path)
    checks = validate_course(tmp_path)
    assert all(c.ok for c in checks), [(c.what, c.problems) for c in checks if not c.ok]
    other = tmp_path / "other"  # a second course: reference answers are cached per folder
    _exercise(other, answers="## n\n$$2$$\n")
    failed = [c for c in validate_course(other) if not c.ok]
    assert [c.what for c in failed] == ["reference"]
    assert "part 'argument': not answered" in failed[0].problems[0]


def test_a_wrong_example_with_every_automatic_point_is_flagged(tmp_path: Path) -> None:
    _exercise(tmp_path)
    wrong = tmp_path / "solutions" / "essay" / "wrong" / "bad-number"
    (wrong / "answers.md").write_text("## n\n$$2$$\n## argument\nIt cannot.\n", encoding="utf-8")
    (wrong / "expect.toml").write_text('[parts.argument]\nstatus = "needs manual grading"\n', encoding="utf-8")
    failed = [c for c in validate_course(tmp_path) if not c.ok]
    assert failed and "the known-wrong example earns full marks" in failed[0].problems


def test_bad_rubric_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ExerciseError) as info:
        ManualKind().parse_options({"rubric": 3}, Location(file="exercise.toml", key="parts.argument", part="argument"))
    assert str(info.value) == "exercise.toml, key 'parts.argument.rubric', part 'argument': 'rubric' must be a string"
    folder = write_exercise(tmp_path, "essay", TOML + 'answer = "text"\n')
    with pytest.raises(ExerciseErrors) as errors:
        load_exercise(folder, None)
    assert "key 'parts.argument'" in str(errors.value)
    assert "unknown key(s) for a manual part: answer (known: rubric)" in str(errors.value)
