"""The CLI end to end, on the bundled example class and the repository's course."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_list_shows_exercises_and_points(cli, repo: Path) -> None:
    res = cli("list", "--course", repo)
    assert res.exit_code == 0
    assert "scalar-net" in res.output and "Forward and backward pass" in res.output


def test_show_uses_the_students_numbers(cli, repo: Path) -> None:
    default = cli("show", "scalar-net", "--course", repo).output
    alice = cli("show", "scalar-net", "--student", "alice", "--course", repo).output
    assert "w_1 = 3" in default and "y = 5" in default
    assert "w_1 = 3" in alice and "y = 4.5" in alice and "x = 2" in alice


def test_check_prints_verdicts_and_writes_html(cli, course: Path, tmp_path: Path) -> None:
    html = tmp_path / "bob.html"
    res = cli("check", "scalar-net", course / "examples" / "class" / "bob", "--course", course, "--html", html,
              "--json", tmp_path / "bob.json")
    assert res.exit_code == 0
    assert "student bob" in res.output and "id from front matter" in res.output
    assert "wrong sign" in res.output and "Score:" in res.output
    assert html.is_file() and "wrong sign" in html.read_text(encoding="utf-8")
    assert '"student_id": "bob"' in (tmp_path / "bob.json").read_text(encoding="utf-8")


def test_check_full_marks_for_alice(cli, course: Path) -> None:
    res = cli("check", "scalar-net", course / "examples" / "class" / "alice", "--course", course)
    assert res.exit_code == 0
    assert "Score: 12 / 12" in res.output
    assert (course / "reports" / "scalar-net" / "alice.html").is_file()


def test_check_malformed_submissions_exit_zero_with_messages(cli, course: Path) -> None:
    carol = cli("check", "scalar-net", course / "examples" / "class" / "carol", "--course", course)
    assert carol.exit_code == 0
    assert "'## bonus' names no part" in carol.output
    dave = cli("check", "scalar-net", course / "examples" / "class" / "dave", "--course", course)
    assert dave.exit_code == 0 and "not UTF-8" in dave.output and "Score: 0 / 12" in dave.output


def test_usage_errors_are_non_zero(cli, course: Path) -> None:
    res = cli("check", "no-such-exercise", course / "examples", "--course", course)
    assert res.exit_code == 2 and "no exercise 'no-such-exercise'" in res.output
    assert cli("check", "scalar-net", course / "nope", "--course", course).exit_code == 2


def test_validate_passes_on_the_repository(cli, repo: Path) -> None:
    res = cli("validate", "--course", repo)
    assert res.exit_code == 0, res.output
    assert "all" in res.output and "checks passed" in res.output


def test_validate_fails_with_a_list_when_a_reference_is_broken(cli, course: Path) -> None:
    answers = course / "solutions" / "scalar-net" / "answers.md"
    answers.write_text(answers.read_text(encoding="utf-8").replace("{{ w2 * w1 * x }}$$", "{{ w2 * w1 * x + 1 }}$$"),
                       encoding="utf-8")
    res = cli("validate", "--course", course, "--exercise", "scalar-net")
    assert res.exit_code == 1
    assert "FAIL scalar-net: reference" in res.output
    assert "part 'y_hat': answers.md gives" in res.output
    assert "solution.py's reference() computes" in res.output


def test_validate_fails_when_a_wrong_example_is_not_caught(cli, course: Path) -> None:
    expect = course / "solutions" / "scalar-net" / "wrong" / "update-plus" / "expect.toml"
    expect.write_text('[parts.w1_new]\nstatus = "correct"\n', encoding="utf-8")
    res = cli("validate", "--course", course, "--exercise", "scalar-net")
    assert res.exit_code == 1
    assert "wrong/update-plus" in res.output and "expected status 'correct', got 'incorrect'" in res.output


def test_broken_exercise_makes_list_fail_with_the_key(cli, course: Path) -> None:
    toml = course / "exercises" / "scalar-net" / "exercise.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("points = 2", 'points = "two"', 1), encoding="utf-8")
    res = cli("list", "--course", course)
    assert res.exit_code == 2
    assert "points" in res.output and "'two'" in res.output


def test_console_script_runs(tmp_path: Path) -> None:
    """The installed entry point works outside the repository folder too."""
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-m", "grader.cli.main", "list", "--course", str(REPO)],
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert out.returncode == 0 and "scalar-net" in out.stdout
