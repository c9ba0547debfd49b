"""`grader check`: grade one submission, print a summary, write an HTML report."""
from __future__ import annotations

from pathlib import Path

import click

from grader.checking import grade
from grader.cli._common import console, course_option, course_root, load_exercise_or_exit, print_result
from grader.errors import GraderError
from grader.report.html import write_result
from grader.report.names import safe_stem
from grader.submission.ingest import ingest


@click.command("check")
@click.argument("exercise_id")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--student", default=None, help="Student id (default: from front matter or the folder/file name).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the HTML report (default: reports/<exercise>/<student>.html).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the result as JSON (schema: docs/result-schema.md).")
@course_option
def check_cmd(exercise_id: str, path: Path, student: str | None, html_path: Path | None,
              json_path: Path | None, course: Path | None) -> None:
    """Grade the submission at PATH (a file or a folder) for EXERCISE_ID.

    Exits 0 whatever the score; non-zero only for usage errors.
    """
    root = course_root(course)
    ex = load_exercise_or_exit(root, exercise_id)
    try:
        sub = ingest(path, ex, student)
    except GraderError as e:
        raise click.ClickException(str(e)) from None
    result = grade(ex, sub)
    out = console()
    print_result(result, out)
    html_path = html_path or root / "reports" / ex.id / f"{safe_stem(result.student_id)}.html"
    write_result(result, html_path)
    out.print(f"[dim]HTML report:[/] {html_path}")
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(result.to_json(), encoding="utf-8")
        out.print(f"[dim]JSON result:[/] {json_path}")


commands = [check_cmd]
