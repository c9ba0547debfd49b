"""`grader grade`: grade a whole class; `grader export`: rewrite the exports from the gradebook."""
from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from grader.batch.exports import FORMATS, write_exports
from grader.batch.gradebook import FILE_NAME, Gradebook
from grader.batch.pool import prestart
from grader.batch.run import BatchOptions, default_jobs, run_batch
from grader.cli._common import console, course_option, course_root, load_course_or_exit
from grader.errors import GraderError


@click.command("grade")
@click.argument("submissions", type=click.Path(exists=True, path_type=Path))
@click.option("--exercise", "only", multiple=True, help="Grade only this exercise (repeatable; default: every exercise found).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder: gradebook, pages, exports (default: reports/ of the course).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: the number of cores).")
@click.option("--regrade", is_flag=True, help="Grade everything again; earlier grades go to the gradebook's history.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where tasks run: local worker processes, or a Dask cluster (needs --scheduler).")
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Time budget in seconds for one submission; past it the worker is replaced and the submission gets an error.")
@course_option
def grade_cmd(submissions: Path, only: tuple[str, ...], out_dir: Path | None, jobs: int | None, regrade: bool,
              executor: str, scheduler: str | None, timeout_s: float, course: Path | None) -> None:
    """Grade every submission under SUBMISSIONS (a folder or a .zip: one folder or file per
    student, or a Canvas / Moodle download), commit each result to the gradebook as soon as
    it exists, then write the class report, per-student pages and the exports.

    Running it again grades only what is missing or changed.
    """
    if executor == "local":
        prestart()  # the workers' fork server warms up while the course loads
    root = course_root(course)
    exercises = load_course_or_exit(root)
    unknown = [e for e in only if e not in exercises]
    if unknown:
        raise click.UsageError(f"no exercise {', '.join(map(repr, unknown))} (known: {', '.join(sorted(exercises))})")
    if executor == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler ADDRESS")
    out_dir = out_dir or root / "reports"
    opts = BatchOptions(submissions=submissions, out_dir=out_dir, course_root=root, exercises=exercises,
                        selected=list(only) or None, jobs=jobs or default_jobs(), regrade=regrade,
                        executor=executor, scheduler=scheduler, timeout_s=timeout_s)
    out = console()
    try:
        s = run_batch(opts, out)
    except GraderError as e:
        raise click.ClickException(str(e)) from None
    for n in s.notes:
        out.print(f"[dim]note:[/] {escape(n)}")
    if s.unattributed:
        out.print(f"[yellow]{len(s.unattributed)} files could not be attributed:[/]")
        for u in s.unattributed:
            out.print(f"  - {escape(u)}")
    if s.found == 0:
        raise click.ClickException(f"no submissions found under {submissions}")
    rate = f", {s.graded / s.grading_s:.1f}/s" if s.graded and s.grading_s > 0 else ""
    out.print(f"[bold]graded {s.graded}[/] in {s.grading_s:.1f} s{rate}; {s.unchanged} unchanged; "
              f"[{'red' if s.failed else 'green'}]{len(s.failed)} could not be graded[/]")
    out.print(f"[dim]gradebook:[/] {s.gradebook}")
    if s.reports:
        out.print(f"[dim]class report:[/] {s.reports.index}")
    out.print(f"[dim]exports:[/] {out_dir / 'exports'}")


@click.command("export")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "formats", type=click.Choice(FORMATS + ("all",)), multiple=True, default=("all",),
              show_default=True, help="Which export to write (repeatable).")
def export_cmd(out_dir: Path, formats: tuple[str, ...]) -> None:
    """Rewrite the exports in OUT_DIR/exports from OUT_DIR's gradebook, without regrading."""
    path = out_dir / FILE_NAME
    if not path.is_file():
        raise click.UsageError(f"no gradebook at {path} (run `grader grade ... --out {out_dir}` first)")
    book = Gradebook(path)
    try:
        rows = list(book.rows())
    finally:
        book.close()
    chosen = FORMATS if "all" in formats else tuple(formats)
    written = write_exports(rows, out_dir, chosen)
    out = console()
    out.print(f"{len(rows)} results from {path}; wrote {len(written)} files:")
    shown = [p for p in written if "gradescope" not in p.parts]
    for p in shown:
        out.print(f"  {p}")
    if len(written) > len(shown):
        out.print(f"  {len(written) - len(shown)} Gradescope results.json files under {out_dir / 'exports' / 'gradescope'}")


commands = [grade_cmd, export_cmd]
