"""Per-student variants are deterministic, in range, and the reference keeps the defaults."""
from __future__ import annotations

from pathlib import Path

from grader.exercise.loader import load_exercise
from grader.exercise.params import draw_parameters
from tests.test_loader import ANSWERS, GOOD
from tests.conftest import write_exercise


def _tiny(tmp_path: Path):
    toml = GOOD + '[parameters.g]\ndefault = 0.1\nchoices = [0.1, 0.2, 0.3]\n[parameters.f]\ndefault = 0.5\nmin = 0.0\nmax = 1.0\nstep = 0.25\n'
    return load_exercise(write_exercise(tmp_path, "tiny", toml, "{{ a }}", ANSWERS), tmp_path / "solutions")


def test_same_student_same_numbers(tmp_path: Path) -> None:
    ex = _tiny(tmp_path)
    assert draw_parameters(ex, "alice") == draw_parameters(ex, "alice")


def test_defaults_for_reference_and_no_id(tmp_path: Path) -> None:
    ex = _tiny(tmp_path)
    assert draw_parameters(ex, None) == {"a": 2, "g": 0.1, "f": 0.5}
    assert draw_parameters(ex, "reference") == {"a": 2, "g": 0.1, "f": 0.5}


def test_variants_stay_in_range_and_differ(tmp_path: Path) -> None:
    ex = _tiny(tmp_path)
    seen = set()
    for i in range(60):
        p = draw_parameters(ex, f"student{i}")
        assert isinstance(p["a"], int) and 1 <= p["a"] <= 5
        assert p["g"] in (0.1, 0.2, 0.3)
        assert p["f"] in (0.0, 0.25, 0.5, 0.75, 1.0)
        seen.add(tuple(p.values()))
    assert len(seen) > 10
