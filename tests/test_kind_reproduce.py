"""`reproduce`: a reported table is re-computed by running the student's own code."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.checking import grade_path
from grader.errors import ExerciseError, Location
from grader.exercise.loader import load_exercise
from grader.kinds.reproduce import ReproduceKind, TableError, read_table
from grader.results import Status
from tests.conftest import write_exercise

KIND = ReproduceKind()
RAW = {"function": "run", "data": "data", "rows": {"name": "a", "values": [1, 2]},
       "columns": {"name": "b", "values": [0.1, 0.01]}, "outputs": ["sum", "product"]}
OPTIONS = KIND.parse_options(RAW, Location())

TOML = """
id = "study"
title = "Study"
version = "1"
[[parts]]
id = "table"
kind = "reproduce"
points = 2
function = "run"
data = "data"
rows = { name = "a", values = [1, 2] }
columns = { name = "b", values = [0.1, 0.01] }
settings = { scale = 10 }
outputs = ["sum", "product"]
abs_tol = 0.001
"""
SOLUTION = "def data(params):\n    return {'offset': 1.0}\n"
CODE = "def run(a, b, scale, offset):\n    return (a + b) * scale + offset, a * b\n"
GOOD = """## table
| a \\ b | 0.1 | 0.01 |
|---|---|---|
| 1 | 12 / 0.1 | 11.1 / 0.01 |
| 2 | 22 / 0.2 | 21.1 / 0.02 |
"""


def test_reads_a_table_with_formats_students_use() -> None:
    table = read_table("| a \\ b | 10^{-1} | 1e-2 |\n|---|---|---|\n| 1 | 12 / 10% | 11.1 / 0.01 |\n"
                       "| 2 | **22** / 0.2 | 21.1 / $0.02$ |\n", OPTIONS)
    assert table[(0, 0)] == (12.0, 0.1) and table[(1, 1)] == (21.1, 0.02)


@pytest.mark.parametrize("text, message", [
    ("no table here", "no Markdown table found"),
    ("| a \\ b | 0.5 | 0.01 |\n| 1 | 1 / 1 | 1 / 1 |", "the header's column 2 is '0.5', which is not one of the b values 0.1, 0.01"),
    ("| a \\ b | 0.1 | 0.01 |\n| 3 | 1 / 1 | 1 / 1 |", "the row '3' is not one of the a values 1, 2"),
    ("| a \\ b | 0.1 | 0.01 |\n| 1 | 1 | 1 / 1 |\n| 2 | 1 / 1 | 1 / 1 |", "the cell for a = 1, b = 0.1 is '1'; write sum / product"),
    ("| a \\ b | 0.1 | 0.01 |\n| 1 | 1 / 1 | 1 / 1 |", "2 cell(s) missing, the first for a = 2, b = 0.1"),
])
def test_unreadable_tables_say_where(text: str, message: str) -> None:
    with pytest.raises(TableError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_table(text, OPTIONS)


def test_bad_options_name_the_key() -> None:
    with pytest.raises(ExerciseError) as info:
        KIND.parse_options({**RAW, "rows": {"name": "a", "values": []}}, Location(file="e.toml", key="parts.table"))
    assert info.value.location.key == "parts.table.rows"
    with pytest.raises(ExerciseError, match="'outputs' must be a list of names"):
        KIND.parse_options({**RAW, "outputs": "sum"}, Location())


def _exercise(tmp_path: Path):
    folder = write_exercise(tmp_path, "study", TOML, solution=SOLUTION)
    return load_exercise(folder, tmp_path / "solutions")


def _submit(tmp_path: Path, answers: str, code: str | None = CODE) -> Path:
    sub = tmp_path / "alice"
    sub.mkdir(parents=True)
    (sub / "answers.md").write_text(answers, encoding="utf-8")
    if code is not None:
        (sub / "code.py").write_text(code, encoding="utf-8")
    return sub


def test_reproduced_partly_edited_and_without_code(tmp_path: Path) -> None:
    ex = _exercise(tmp_path)
    ok = grade_path(ex, _submit(tmp_path, GOOD)).part("table")
    assert ok.status == Status.CORRECT and ok.score == 2, ok.feedback
    assert "All 4 cells are what your code gives" in ok.feedback[0]

    edited = grade_path(ex, _submit(tmp_path / "e", GOOD.replace("21.1 / 0.02", "25 / 0.02"))).part("table")
    assert edited.status == Status.PARTIAL and edited.score == 1.5 and edited.diagnosis == "not-reproducible"
    assert "a = 2, b = 0.01: you report 25 / 0.02; your code gives 21.1 / 0.02." in edited.feedback

    no_code = grade_path(ex, _submit(tmp_path / "n", GOOD, code=None)).part("table")
    assert no_code.status == Status.ERROR and "has no .py or .ipynb file" in no_code.feedback[0]
