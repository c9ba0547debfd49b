"""The exercise loader turns every problem into a readable error naming the file and key."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.errors import ExerciseErrors, GraderError
from grader.exercise.loader import load_exercise
from tests.conftest import write_exercise

GOOD = """
id = "tiny"
title = "Tiny"
version = "1"
[parameters.a]
default = 2
min = 1
max = 5
[[parts]]
id = "double"
kind = "numeric"
points = 1
"""
ANSWERS = "## double\n$$ {{ 2 * a }} $$\n"


def errors_of(folder: Path, root: Path) -> list[str]:
    with pytest.raises(ExerciseErrors) as info:
        load_exercise(folder, root / "solutions")
    return [str(e) for e in info.value.errors]


def test_good_exercise_loads(tmp_path: Path) -> None:
    folder = write_exercise(tmp_path, "tiny", GOOD, "Double {{ a }}.", ANSWERS)
    ex = load_exercise(folder, tmp_path / "solutions")
    assert ex.id == "tiny" and ex.points == 1 and ex.parameters["a"].default == 2
    assert ex.solution_path == tmp_path / "solutions" / "tiny"


@pytest.mark.parametrize("change, expected", [
    (('kind = "numeric"', 'kind = "numerc"'), ["key 'parts.double.kind'", "unknown part kind 'numerc'", "known kinds:"]),
    (("points = 1", 'points = "one"'), ["key 'parts.double.points'", "must be a non-negative number", "'one'"]),
    (("points = 1", "points = true"), ["key 'parts.double.points'", "True"]),
    (('title = "Tiny"', 'titel = "Tiny"'), ["key 'titel'", "unknown key", "missing 'title'"]),
    (('id = "tiny"', 'id = "other"'), ["key 'id'", "folder is named 'tiny'"]),
    (("default = 2", "default = 9"), ["key 'parameters.a.default'", "outside [min, max]"]),
    (('kind = "numeric"', 'kind = "numeric"\nanswr = "vector"'), ["parts.double", "unknown key(s) for a numeric part: answr"]),
    (('kind = "numeric"', 'kind = "numeric"\nanswer = "tensor"'), ["key 'parts.double.answer'", "'tensor'"]),
])
def test_malformed_exercise_toml_is_named(tmp_path: Path, change: tuple[str, str], expected: list[str]) -> None:
    folder = write_exercise(tmp_path, "tiny", GOOD.replace(*change), "Double {{ a }}.", ANSWERS)
    text = "\n".join(errors_of(folder, tmp_path))
    assert "exercise.toml" in text
    for piece in expected:
        assert piece in text


def test_duplicate_part_ids(tmp_path: Path) -> None:
    toml = GOOD + '[[parts]]\nid = "double"\nkind = "numeric"\npoints = 2\n'
    folder = write_exercise(tmp_path, "tiny", toml, "x", ANSWERS)
    assert any("duplicate part id 'double'" in e and "parts.double.id" in e for e in errors_of(folder, tmp_path))


def test_toml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    folder = write_exercise(tmp_path, "tiny", GOOD.replace('version = "1"', "version = "), "x", ANSWERS)
    with pytest.raises(GraderError) as info:
        load_exercise(folder, tmp_path / "solutions")
    msg = str(info.value)
    assert "invalid TOML" in msg and "exercise.toml:4:" in msg


def test_parameter_used_in_spec_but_not_defined(tmp_path: Path) -> None:
    folder = write_exercise(tmp_path, "tiny", GOOD, "Double {{ a }} and {{ b }}.\n", ANSWERS)
    errs = errors_of(folder, tmp_path)
    assert any("spec.md:1" in e and "'b'" in e and "defines no parameter" in e for e in errs)


def test_part_without_reference_answer(tmp_path: Path) -> None:
    folder = write_exercise(tmp_path, "tiny", GOOD, "x", "## something_else\n$$1$$\n")
    errs = errors_of(folder, tmp_path)
    assert any("answers.md" in e and "no reference answer for part 'double'" in e for e in errs)


def test_missing_spec_and_all_problems_reported_together(tmp_path: Path) -> None:
    folder = write_exercise(tmp_path, "tiny", GOOD.replace("points = 1", "points = -1"), "x", ANSWERS)
    (folder / "spec.md").unlink()
    errs = errors_of(folder, tmp_path)
    assert any("missing spec.md" in e for e in errs)
    assert any("parts.double.points" in e for e in errs)


def test_mistakes_need_name_answer_feedback(tmp_path: Path) -> None:
    toml = GOOD + '[[parts.mistakes]]\nname = "x"\nanswer = "1"\n'
    folder = write_exercise(tmp_path, "tiny", toml, "x", ANSWERS)
    assert any("parts.double.mistakes[0]" in e and "feedback" in e for e in errors_of(folder, tmp_path))


def test_repository_exercises_load(repo: Path) -> None:
    from grader.exercise.loader import load_course

    exercises = load_course(repo)
    assert "scalar-net" in exercises
    assert exercises["scalar-net"].points > 0
