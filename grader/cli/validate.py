"""`grader validate`: the course's own CI check."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape

from grader.cli._common import console, course_option, course_root
from grader.validation import validate_course


@click.command("validate")
@click.option("--exercise", "only", multiple=True, help="Validate only these exercises (repeatable).")
@course_option
def validate_cmd(only: tuple[str, ...], course: Path | None) -> None:
    """Prove every exercise loads, every reference solution earns full marks, and every
    known-wrong example gets its declared verdict. Exits 1 when anything fails."""
    root = course_root(course)
    checks = validate_course(root, list(only) or None)
    out = console()
    for c in checks:
        mark = "[green]ok[/]  " if c.ok else "[red]FAIL[/]"
        out.print(f"{mark} {escape(c.exercise)}: {escape(c.what)}")
    failed = [c for c in checks if not c.ok]
    if failed:
        out.print(f"\n[bold red]{len(failed)} of {len(checks)} checks failed:[/]")
        for c in failed:
            out.print(f"[bold]{escape(c.exercise)}: {escape(c.what)}[/]")
            for p in c.problems:
                out.print(f"  - {escape(p)}")
        sys.exit(1)
    out.print(f"\n[bold green]all {len(checks)} checks passed[/]")


commands = [validate_cmd]
