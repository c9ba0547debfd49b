"""`grader validate` compares answers.md with solution.py's independent reference()."""
from __future__ import annotations

from pathlib import Path

from grader.validation import validate_course
from tests.conftest import write_exercise

TOML = """
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
[[parts]]
id = "pair"
kind = "numeric"
points = 1
answer = "vector"
"""
SOLUTION = """
def reference(p):
    return {"double": 2 * p["a"], "pair": [p["a"], p["a"] + 1]}
"""


def _write(root: Path, answers: str) -> None:
    write_exercise(root, "tiny", TOML, "Double {{ a }}.", answers, SOLUTION)
    wrong = root / "solutions" / "tiny" / "wrong" / "zero"
    wrong.mkdir(parents=True)
    (wrong / "answers.md").write_text("## double\n$$0$$\n## pair\n$$[0, 0]$$\n", encoding="utf-8")
    (wrong / "expect.toml").write_text('[parts.double]\nstatus = "incorrect"\n', encoding="utf-8")


def test_agreeing_sources_pass(tmp_path: Path) -> None:
    _write(tmp_path, "## double\n$$ {{ 2 * a }} $$\n## pair\n$$ [{{ a }}, {{ a + 1 }}] $$\n")
    checks = validate_course(tmp_path)
    assert all(c.ok for c in checks), [c.problems for c in checks if not c.ok]


def test_a_slip_in_answers_md_is_caught_for_every_variant(tmp_path: Path) -> None:
    _write(tmp_path, "## double\n$$ {{ 2 * a }} $$\n## pair\n$$ [{{ a }}, {{ a + 2 }}] $$\n")
    failed = [c for c in validate_course(tmp_path) if not c.ok]
    assert failed and all(c.what.startswith("reference") for c in failed)
    problem = failed[0].problems[0]
    assert "part 'pair': answers.md gives" in problem and "solution.py's reference() computes [2, 3]" in problem
