"""`grader release`: the student bundle (statements and answer fingerprints, no solutions)."""
from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from grader.cli._common import console, course_option, course_root, fail_on_exercise_errors
from grader.errors import ExerciseError, ExerciseErrors, GraderError
from grader.exercise.loader import exercise_folders
from grader.release.bundle import read_roster, write_bundle


@click.command("release")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the bundle to (new, empty, or an earlier bundle).")
@click.option("--exercise", "only", multiple=True, help="Release only these exercises (repeatable; default: all).")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Student ids, one per line or a CSV with an id column: their variants get checks too.")
@course_option
def release_cmd(out: Path, only: tuple[str, ...], roster: Path | None, course: Path | None) -> None:
    """Write a student release bundle: exercises without hidden parts, and fingerprints of the
    reference answers (never the answers) so that `grader check` works without solutions/."""
    root = course_root(course)
    ids = list(only) or [p.name for p in exercise_folders(root)]
    try:
        students = read_roster(roster) if roster else []
        done = write_bundle(root, out, ids, students)
    except (ExerciseError, ExerciseErrors) as e:
        fail_on_exercise_errors(e)
        return
    except GraderError as e:
        raise click.ClickException(str(e)) from None
    con = console()
    for r in done:
        bits = [f"{len(r.offline)} parts checked offline"]
        if r.as_is:
            bits.append(f"{len(r.as_is)} need no reference")
        if r.instructor:
            bits.append(f"{len(r.instructor)} instructor only ({', '.join(r.instructor)})")
        if r.hidden:
            bits.append(f"{len(r.hidden)} hidden left out")
        con.print(f"[cyan]{escape(r.id)}[/]: {r.variants} variant{'s' if r.variants != 1 else ''}; "
                  + escape("; ".join(bits)))
    con.print(f"[bold green]Bundle written:[/] {escape(str(out))} (no solutions, no reference answers; "
              f"see {escape(str(out / 'README.md'))})")


commands = [release_cmd]
