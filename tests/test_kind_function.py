"""The `function` kind end to end: exercise.toml → sandboxed student code → verdict and feedback."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.checking import grade_path
from grader.errors import ExerciseErrors
from grader.exercise.loader import load_exercise
from grader.results import Status
from grader.validation import validate_course

HOSTILE_COURSE = Path(__file__).resolve().parent / "hostile" / "course"

GOOD = """
import numpy as np

def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)

def relu(z):
    return np.maximum(z, 0.0)
"""


@pytest.fixture
def course(tmp_path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(HOSTILE_COURSE, root)
    return root


def exercise_with(course: Path, **edits: str):
    toml = course / "exercises/softmax-code/exercise.toml"
    text = toml.read_text()
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new)
    toml.write_text(text)
    return load_exercise(course / "exercises/softmax-code", course / "solutions")


def grade_code(tmp_path: Path, exercise, code: str, name: str = "student"):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "softmax-code.py").write_text(code)
    return grade_path(exercise, folder)


def test_reference_and_known_wrong_example_validate(course):
    checks = validate_course(course)
    assert all(c.ok for c in checks), [(c.what, c.problems) for c in checks if not c.ok]


def test_correct_code_gets_full_marks_with_the_isolation_said(course, tmp_path):
    ex = load_exercise(course / "exercises/softmax-code", course / "solutions")
    r = grade_code(tmp_path, ex, GOOD)
    assert r.part("softmax").status == Status.CORRECT and r.part("relu").status == Status.CORRECT
    assert "matches the reference on all 5 inputs" in r.part("softmax").feedback[0]
    assert r.isolation and "ran" in r.isolation


def test_overflowing_softmax_gets_partial_credit_the_note_and_the_diagnosis(course, tmp_path):
    ex = exercise_with(course, **{"reveal = false": "reveal = true"})
    naive = GOOD.replace("z - z.max(axis=-1, keepdims=True)", "z")
    p = grade_code(tmp_path, ex, naive).part("softmax")
    text = "\n".join(p.feedback)
    assert p.status == Status.PARTIAL and 0 < p.score < p.max_score
    assert "softmax([1000., 1000., 1001.])" in text and "returned NaN" in text
    assert "must not overflow" in text and p.diagnosis == "no-max-shift"
    assert "Expected: [0.211942, 0.211942, 0.576117]" in text


def test_wrong_values_show_input_expected_actual_and_largest_error(course, tmp_path):
    ex = exercise_with(course, **{"reveal = false": "reveal = true"})
    p = grade_code(tmp_path, ex, GOOD.replace("return np.maximum(z, 0.0)", "return np.maximum(z, 0.1)")).part("relu")
    text = "\n".join(p.feedback)
    assert p.status == Status.INCORRECT
    assert "relu([-1. ,  0. ,  2.5])" in text and "Your value: [0.1, 0.1, 2.5]" in text
    assert "Expected: [0. , 0. , 2.5]" in text and "Largest error 0.1 at index (0,)" in text
    ev = p.evidence[0]
    assert ev.kind == "failing-input" and ev.data["max_error"] == pytest.approx(0.1)


def test_hidden_expected_values_are_not_revealed(course, tmp_path):
    ex = load_exercise(course / "exercises/softmax-code", course / "solutions")
    p = grade_code(tmp_path, ex, GOOD.replace("return np.maximum(z, 0.0)", "return np.maximum(z, 0.1)")).part("relu")
    assert not any("Expected" in f or "Largest error" in f for f in p.feedback)
    assert "max_error" not in p.evidence[0].data


def test_shape_dtype_and_missing_function_messages(course, tmp_path):
    ex = load_exercise(course / "exercises/softmax-code", course / "solutions")
    r = grade_code(tmp_path, ex, GOOD.replace("return e / e.sum(axis=-1, keepdims=True)",
                                              "return (e / e.sum(axis=-1, keepdims=True)).reshape(-1, 1)")
                   .replace("def relu", "def not_relu"))
    assert "returned shape (3, 1); expected shape (3,)" in r.part("softmax").feedback[0]
    assert "no function named `relu`" in r.part("relu").feedback[0] and "not_relu" in r.part("relu").feedback[0]


def test_code_that_does_not_load_is_an_error_naming_file_and_line(course, tmp_path):
    ex = load_exercise(course / "exercises/softmax-code", course / "solutions")
    r = grade_code(tmp_path, ex, "import numpy as np\n\ndef softmax(z)\n    return z\n")
    p = r.part("softmax")
    assert p.status == Status.ERROR and p.score == 0
    assert "SyntaxError" in p.feedback[0] and "softmax-code.py:3" in p.feedback[0]


def test_no_code_file_means_not_answered(course, tmp_path):
    ex = load_exercise(course / "exercises/softmax-code", course / "solutions")
    folder = tmp_path / "bob"
    folder.mkdir()
    (folder / "softmax-code.md").write_text("## rows\n$$12$$\n")
    r = grade_path(ex, folder)
    assert r.part("softmax").status == Status.NOT_ANSWERED and r.part("rows").status == Status.CORRECT


@pytest.mark.parametrize("edit, message", [
    (("memory_mb = 400", "memory_mb = 4"), "limits.memory_mb"),
    (("output_kb = 64", "output_kb = 64\ncpu = 1"), "limits.cpu"),
    (('title = "ReLU"', 'title = "ReLU"\nlimits = { wall = 3 }'), "parts.relu.limits.wall"),
    (('generate = "relu_cases"', 'generate = "relu cases"'), "parts.relu.generate"),
    (("reveal = false\n  [[parts.mistakes]]", "reveal = 1\n  [[parts.mistakes]]"), "parts.softmax.reveal"),
])
def test_bad_options_are_caught_at_load_time_naming_the_key(course, edit, message):
    with pytest.raises(ExerciseErrors) as e:
        exercise_with(course, **{edit[0]: edit[1]})
    assert message in str(e.value)


def test_a_part_can_raise_its_limits(course, tmp_path):
    ex = exercise_with(course, **{'title = "ReLU"': 'title = "ReLU"\nlimits = { wall_s = 30, cpu_s = 20 }'})
    from grader.sandbox.limits import limits_for

    assert limits_for(ex, ex.part("relu")).wall_s == 30 and limits_for(ex, ex.part("softmax")).wall_s == 2
