"""Bad submission files are reported in the result, never a crash."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.checking import grade
from grader.errors import SubmissionError
from grader.exercise.loader import load_one
from grader.results import Status
from grader.submission.ingest import ingest


@pytest.fixture
def ex(repo: Path):
    return load_one(repo, "scalar-net")


def test_missing_and_unknown_parts(tmp_path: Path, ex) -> None:
    f = tmp_path / "ann.md"
    f.write_text("## z\n$$3$$\n## zz\n$$1$$\n", encoding="utf-8")
    result = grade(ex, ingest(f, ex, "reference"))
    assert result.part("z").status == Status.CORRECT
    assert result.part("loss").status == Status.NOT_ANSWERED
    assert result.part("loss").feedback == ["No answer found for part 'loss'."]
    assert any("ann.md:3" in m and "'## zz' names no part of 'scalar-net'" in m for m in result.messages)


def test_empty_file(tmp_path: Path, ex) -> None:
    f = tmp_path / "empty.md"
    f.write_text("  \n", encoding="utf-8")
    result = grade(ex, ingest(f, ex))
    assert any("empty.md" in m and "is empty" in m for m in result.messages)
    assert result.score == 0 and all(p.status == Status.NOT_ANSWERED for p in result.parts)


def test_not_utf8_names_file_line_and_byte(tmp_path: Path, ex) -> None:
    f = tmp_path / "latin.md"
    f.write_bytes("## z\n$$3$$\n## h\nh \xe9gal 3\n".encode("latin-1"))
    result = grade(ex, ingest(f, ex))
    msg = " ".join(result.messages)
    assert "latin.md:4" in msg and "not UTF-8" in msg and "0xe9" in msg


def test_duplicate_and_empty_sections(tmp_path: Path, ex) -> None:
    f = tmp_path / "dup.md"
    f.write_text("## z\n$$3$$\n## z\n$$4$$\n## h\n\n", encoding="utf-8")
    result = grade(ex, ingest(f, ex, "reference"))
    assert result.part("z").status == Status.CORRECT
    assert any("answered twice" in m and "line 1" in m for m in result.messages)
    assert any("section for part 'h' is empty" in m for m in result.messages)


def test_student_id_sources(tmp_path: Path, ex) -> None:
    folder = tmp_path / "erin"
    folder.mkdir()
    (folder / "scalar-net.md").write_text("## z\n$$1$$\n", encoding="utf-8")
    assert (ingest(folder, ex).student_id, ingest(folder, ex).student_id_source) == ("erin", "folder name")
    (folder / "scalar-net.md").write_text("---\nstudent: e42\n---\n## z\n$$1$$\n", encoding="utf-8")
    assert ingest(folder, ex).student_id_source == "front matter"
    assert ingest(folder, ex, "given").student_id == "given"


def test_notebook_markdown_cells_hold_answers(tmp_path: Path, ex) -> None:
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "id": "a", "source": "## z\n$$z = 3$$"},
        {"cell_type": "code", "metadata": {}, "id": "b", "source": "x = 1", "outputs": [], "execution_count": None}]}
    f = tmp_path / "scalar-net.ipynb"
    f.write_text(json.dumps(nb), encoding="utf-8")
    sub = ingest(f, ex, "reference")
    assert sub.code_files == [f]
    assert grade(ex, sub).part("z").status == Status.CORRECT


def test_broken_notebook_is_a_message(tmp_path: Path, ex) -> None:
    f = tmp_path / "nb.ipynb"
    f.write_text("{not json", encoding="utf-8")
    sub = ingest(f, ex)
    assert any("nb.ipynb" in p and "not a readable Jupyter notebook" in p for p in sub.problems)


def test_missing_path_is_an_error(tmp_path: Path, ex) -> None:
    with pytest.raises(SubmissionError, match="no such file"):
        ingest(tmp_path / "nope", ex)


def test_same_submission_same_result(tmp_path: Path, ex, repo: Path) -> None:
    path = repo / "examples" / "class" / "bob"
    a = grade(ex, ingest(path, ex)).to_dict(timing=False)
    b = grade(ex, ingest(path, ex)).to_dict(timing=False)
    assert a == b
