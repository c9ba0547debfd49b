"""`grader grade` and `grader export` end to end through the CLI, on files."""
from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.batch_helpers import snapshot as _snapshot
from tests.conftest import REPO

BATCH = REPO / "examples" / "batch"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _grade_class(cli, course: Path, out: Path, *extra: str):
    res = cli("grade", course / "examples" / "batch" / "class", "--out", out, "--jobs", 2, "--course", course, *extra)
    assert res.exit_code == 0, res.output
    return course, out, res.output


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The mixed example class graded once with two workers (tests read it, never change it)."""
    from click.testing import CliRunner

    from grader.cli.main import app

    root = tmp_path_factory.mktemp("graded")
    course = root / "course"
    for name in ("exercises", "solutions", "examples"):
        shutil.copytree(REPO / name, course / name)
    runner = CliRunner()
    return _grade_class(lambda *a: runner.invoke(app, [str(x) for x in a], catch_exceptions=False),
                        course, root / "out")


def test_grade_reports_counts_ids_and_unattributed_files(graded) -> None:
    _, out, output = graded
    assert "9 submissions found, 9 to grade (0 unchanged since the last run) on 2 worker processes" in output
    assert "graded 9/9" in output  # the plain progress line (not a terminal)
    assert "2 files could not be attributed" in output
    assert "jo/photo.png: not an answer file" in output
    assert "scalar-net.md: named after the exercise but no student" in output
    assert "graded 9 in" in output and "0 could not be graded" in output
    assert (out / "gradebook.sqlite").is_file() and (out / "index.html").is_file()


def test_gradebook_holds_every_result_with_how_the_id_was_found(graded) -> None:
    _, out, _ = graded
    db = sqlite3.connect(out / "gradebook.sqlite")
    rows = {r[0]: r[1:] for r in db.execute(
        "SELECT unit, student_id, id_source, outcome, score, max_score, result_json FROM results")}
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert sorted(rows) == ["erin", "eve", "frank", "gina", "hal", "ivy", "jo", "kim", "mallory"]
    assert rows["kim"][:2] == ("kim.lee", "front matter of kim/answers.md")
    assert rows["erin"][1] == "folder name" and rows["frank"][1] == "file name"
    assert all(r[2] == "graded" for r in rows.values())
    assert rows["erin"][3] == rows["erin"][4] == 12  # full marks with erin's own numbers
    ivy = json.loads(rows["ivy"][5])
    assert ivy["score"] == 0 and any("not UTF-8" in m for m in ivy["messages"])
    hal = json.loads(rows["hal"][5])
    assert any("class/hal/scalar-net.md: is empty" in m for m in hal["messages"])
    mallory = json.loads(rows["mallory"][5])  # hostile math: errors for its parts, nothing else disturbed
    assert mallory["score"] == 0 and {p["status"] for p in mallory["parts"][:3]} <= {"error", "incorrect"}
    assert "duration_s" not in ivy  # timings live in their own column
    eve = json.loads(rows["eve"][5])  # hostile code: forged verdict on stdout, peeks at solutions/, exits
    assert eve["exercise_id"] == "perceptron" and eve["score"] == 0
    assert all(p["status"] == "error" for p in eve["parts"])
    assert "ended the process while your code was being loaded" in eve["parts"][0]["feedback"][0]
    assert "def predict" not in rows["eve"][5] and "import numpy" not in rows["eve"][5]


def test_exports_one_row_per_student_with_parts_and_totals(graded) -> None:
    _, out, _ = graded
    book = _csv(out / "exports" / "gradebook.csv")
    assert [r["student"] for r in book] == ["erin", "eve", "frank", "gina", "hal", "ivy", "jo", "kim.lee", "mallory"]
    cols = list(book[0])
    assert cols[:3] == ["student", "name", "lms_id"] and cols[-2:] == ["total", "max total"]
    assert "scalar-net/z" in cols and "scalar-net/w2_new" in cols and "scalar-net total" in cols
    erin = book[0]
    part_cols = [c for c in cols if c.startswith("scalar-net/")]
    assert sum(float(erin[c]) for c in part_cols) == float(erin["scalar-net total"]) == float(erin["total"]) == 12
    assert all(r["max total"] == "18" for r in book)  # scalar-net 12 + perceptron 6 (eve's)
    assert book[1]["scalar-net total"] == "" and book[1]["perceptron total"] == "0"  # eve answered one exercise
    canvas = _csv(out / "exports" / "canvas.csv")
    assert list(canvas[0])[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert canvas[0]["Student"] == "Points Possible" and canvas[0]["scalar-net"] == "12"
    assert {r["SIS Login ID"] for r in canvas[1:]} == {r["student"] for r in book}
    moodle = _csv(out / "exports" / "moodle-scalar-net.csv")
    assert list(moodle[0])[:2] == ["Identifier", "Full name"] and len(moodle) == 8
    assert next(r for r in moodle if r["Identifier"] == "erin")["Feedback comments"] == "12 / 12 points — all parts correct"
    gs = json.loads((out / "exports" / "gradescope" / "gina" / "scalar-net" / "results.json").read_text())
    assert set(gs) >= {"score", "tests", "output"} and len(gs["tests"]) == 10
    w1 = next(t for t in gs["tests"] if t["name"].startswith("w1_new"))
    assert w1["status"] == "failed" and w1["max_score"] == 1 and "status: incorrect" in w1["output"] and "You gave 3.2" in w1["output"]


def test_lms_layouts_give_lms_exports(cli, course: Path, tmp_path: Path) -> None:
    out = tmp_path / "lms"
    res = cli("grade", course / "examples" / "batch" / "moodle-download.zip", "--exercise", "scalar-net",
              "--out", out, "--jobs", 1, "--course", course)
    assert res.exit_code == 0, res.output
    moodle = _csv(out / "exports" / "moodle-scalar-net.csv")
    assert [(r["Identifier"], r["Full name"], r["Grade"]) for r in moodle] == [
        ("Participant 2001", "Ann Lee", "12"), ("Participant 2002", "Bo Chen", moodle[1]["Grade"]),
        ("Participant 2003", "Cy Diaz", "0")]
    assert float(moodle[1]["Grade"]) < 12
    res = cli("grade", course / "examples" / "batch" / "canvas", "--out", tmp_path / "cv", "--course", course)
    canvas = _csv(tmp_path / "cv" / "exports" / "canvas.csv")
    assert [(r["Student"], r["ID"]) for r in canvas] == [("Points Possible", ""), ("leeann", "1001"), ("parkbo", "1002")]
    assert canvas[1]["scalar-net"] == "12"


def test_rerun_grades_only_what_changed_and_regrade_keeps_history(cli, course: Path, tmp_path: Path) -> None:
    _, out, _ = _grade_class(cli, course, tmp_path / "out", "--exercise", "scalar-net")
    before = _snapshot(out)
    again = cli("grade", course / "examples" / "batch" / "class", "--out", out, "--jobs", 2, "--course", course,
                "--exercise", "scalar-net")
    assert "8 submissions found, 0 to grade (8 unchanged since the last run)" in again.output
    assert _snapshot(out) == before
    (course / "examples" / "batch" / "class" / "hal" / "scalar-net.md").write_text("## z\n$$z = 6$$\n", encoding="utf-8")
    changed = cli("grade", course / "examples" / "batch" / "class", "--out", out, "--jobs", 2, "--course", course,
                  "--exercise", "scalar-net")
    assert "8 submissions found, 1 to grade (7 unchanged since the last run)" in changed.output
    db = sqlite3.connect(out / "gradebook.sqlite")
    assert db.execute("SELECT unit, score FROM history").fetchall() == [("hal", 0.0)]
    regrade = cli("grade", course / "examples" / "batch" / "class", "--out", out, "--regrade", "--jobs", 2,
                  "--course", course, "--exercise", "scalar-net")
    assert "8 to grade (0 unchanged" in regrade.output
    assert db.execute("SELECT COUNT(*) FROM history").fetchone()[0] == 9
    assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 8
    assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 4


def test_export_rewrites_from_the_gradebook_without_regrading(graded, cli, tmp_path: Path) -> None:
    out = tmp_path / "copy"
    shutil.copytree(graded[1], out)
    original = (out / "exports" / "gradebook.csv").read_text(encoding="utf-8")
    shutil.rmtree(out / "exports")
    res = cli("export", out, "--format", "gradebook", "--format", "canvas")
    assert res.exit_code == 0, res.output
    assert "9 results from" in res.output
    assert (out / "exports" / "gradebook.csv").read_text(encoding="utf-8") == original
    assert (out / "exports" / "canvas.csv").is_file() and not (out / "exports" / "gradescope").exists()
    runs = sqlite3.connect(out / "gradebook.sqlite").execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    assert runs == 1  # nothing was graded again
    missing = cli("export", out / "nowhere")
    assert missing.exit_code == 2 and "no gradebook at" in missing.output


def test_usage_errors(cli, course: Path, tmp_path: Path) -> None:
    res = cli("grade", course / "examples" / "class", "--exercise", "nope", "--out", tmp_path, "--course", course)
    assert res.exit_code == 2 and "no exercise 'nope'" in res.output
    res = cli("grade", course / "examples" / "class", "--executor", "dask", "--out", tmp_path, "--course", course)
    assert res.exit_code == 2 and "--scheduler" in res.output
    empty = tmp_path / "empty"
    empty.mkdir()
    res = cli("grade", empty, "--out", tmp_path / "o", "--course", course)
    assert res.exit_code == 1 and "no submissions found" in res.output
