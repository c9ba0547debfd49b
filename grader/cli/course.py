"""`grader list` and `grader show`: what the course holds and what an exercise asks."""
from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from grader.checking import render_template
from grader.cli._common import console, course_option, course_root, load_course_or_exit, load_exercise_or_exit
from grader.errors import GraderError
from grader.exercise.params import draw_parameters


@click.command("list")
@course_option
def list_cmd(course: Path | None) -> None:
    """List the exercises with their titles, parts and points."""
    root = course_root(course)
    exercises = load_course_or_exit(root)
    table = Table(box=None, header_style="bold")
    for col in ("id", "title", "section", "parts", "points"):
        table.add_column(col, justify="right" if col in ("parts", "points") else "left")
    for ex in exercises.values():
        table.add_row(escape(ex.id), escape(ex.title), escape(ex.section), str(len(ex.parts)), f"{ex.points:g}")
    console().print(table)


@click.command("show")
@click.argument("exercise_id")
@click.option("--student", default=None, help="Show this student's variant (their numbers).")
@course_option
def show_cmd(exercise_id: str, student: str | None, course: Path | None) -> None:
    """Print the statement of EXERCISE_ID, with a student's parameters."""
    root = course_root(course)
    ex = load_exercise_or_exit(root, exercise_id)
    params = draw_parameters(ex, student)
    try:
        text = render_template(ex.spec_template, {**params, "student": student or "", "exercise": ex.id},
                               str(ex.path / "spec.md"))
    except GraderError as e:
        raise click.ClickException(str(e)) from None
    out = console()
    out.print(f"[bold]{escape(ex.title)}[/]  [dim]({escape(ex.id)} v{escape(ex.version)}, {ex.points:g} points)[/]")
    if params:
        out.print("[dim]numbers: " + ", ".join(f"{k} = {v}" for k, v in params.items()) + "[/]")
    out.print()
    click.echo(text)
    out.print("\n[bold]Parts[/]")
    for p in ex.parts:
        out.print(f"  ## {escape(p.id)}  [dim]{escape(p.kind)}, {p.points:g} points[/]  {escape(p.title)}")


commands = [list_cmd, show_cmd]
