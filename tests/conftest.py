"""Shared fixtures: the repository's course, a private copy of it, and a CLI runner."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from grader.cli.main import app

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A private copy of the course (exercises + solutions + examples) that a test may break."""
    root = tmp_path / "course"
    for name in ("exercises", "solutions", "examples"):
        shutil.copytree(REPO / name, root / name)
    return root


def write_exercise(root: Path, ex_id: str, toml: str, spec: str = "Statement.\n",
                   answers: str | None = None, solution: str | None = None) -> Path:
    """A small exercise folder for loader tests."""
    folder = root / "exercises" / ex_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exercise.toml").write_text(toml, encoding="utf-8")
    (folder / "spec.md").write_text(spec, encoding="utf-8")
    if answers is not None or solution is not None:
        sol = root / "solutions" / ex_id
        sol.mkdir(parents=True, exist_ok=True)
        if answers is not None:
            (sol / "answers.md").write_text(answers, encoding="utf-8")
        if solution is not None:
            (sol / "solution.py").write_text(solution, encoding="utf-8")
    return folder


@pytest.fixture
def cli():
    """Run `grader ARGS...` in-process; returns click's Result (exit_code, output)."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return run
