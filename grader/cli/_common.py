"""What the commands share: finding the course, loading exercises, printing results."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grader.errors import ExerciseErrors, GraderError
from grader.exercise.loader import find_course_root, load_course, load_one
from grader.exercise.model import Exercise
from grader.results import Result, Status

STATUS_STYLE = {
    Status.CORRECT: "green", Status.INCORRECT: "red", Status.PARTIAL: "yellow",
    Status.ERROR: "red", Status.NOT_ANSWERED: "dim", Status.MANUAL: "blue",
}

course_option = click.option("--course", "course", type=click.Path(file_okay=False, path_type=Path),
                             default=None, help="Course folder holding exercises/ (default: nearest parent of the current folder).")


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def course_root(course: Path | None) -> Path:
    try:
        return find_course_root(course)
    except GraderError as e:
        raise click.UsageError(str(e)) from None


def fail_on_exercise_errors(err: GraderError) -> None:
    """Exercise problems are the author's usage error: print them all, exit 2."""
    out = console(stderr=True)
    out.print("[bold red]The exercise folder has problems:[/]")
    errors = err.errors if isinstance(err, ExerciseErrors) else [err]
    for e in errors:
        out.print(f"  - {escape(str(e))}")
    sys.exit(2)


def load_exercise_or_exit(root: Path, exercise_id: str) -> Exercise:
    try:
        return load_one(root, exercise_id)
    except GraderError as e:
        fail_on_exercise_errors(e)
        raise


def load_course_or_exit(root: Path) -> dict[str, Exercise]:
    try:
        return load_course(root)
    except GraderError as e:
        fail_on_exercise_errors(e)
        raise


def print_result(result: Result, out: Console) -> None:
    """The terminal summary of one result: a table, then each part's feedback and evidence."""
    out.print(f"[bold]{escape(result.exercise_title)}[/] ([cyan]{escape(result.exercise_id)}[/] v{escape(result.exercise_version)}) "
              f"— student [bold]{escape(result.student_id)}[/] [dim](id from {escape(result.student_id_source)})[/]")
    for m in result.messages:
        out.print(f"[yellow]![/] {escape(m)}")
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("part")
    table.add_column("status")
    table.add_column("points", justify="right")
    for p in result.parts:
        style = STATUS_STYLE.get(p.status, "")
        table.add_row(escape(p.part_id), f"[{style}]{p.status.value}[/]", f"{p.score:g} / {p.max_score:g}")
    out.print(table)
    for p in result.parts:
        if p.status == Status.CORRECT:
            continue
        style = STATUS_STYLE.get(p.status, "")
        out.print(f"\n[{style}]■[/] [bold]{escape(p.part_id)}[/]{' — ' + escape(p.title) if p.title else ''}")
        if p.answer and p.status != Status.NOT_ANSWERED:
            shown = p.answer if len(p.answer) < 400 else p.answer[:400] + " …"
            out.print(f"  [dim]your answer:[/] {escape(shown)}")
        for f in p.feedback:
            out.print(f"  {escape(f)}")
        for ev in p.evidence:
            if ev.message in p.feedback:
                continue
            out.print(f"  [dim]{escape(ev.kind)}:[/] {escape(ev.message)}")
            caret = ev.data.get("caret") if isinstance(ev.data, dict) else None
            if caret:
                for line in str(caret).split("\n"):
                    out.print(f"      {escape(line)}")
    total_style = "green" if result.score >= result.max_score else "yellow" if result.score > 0 else "red"
    out.print(f"\n[bold {total_style}]Score: {result.score:g} / {result.max_score:g}[/]")
