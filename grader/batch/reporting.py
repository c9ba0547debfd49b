"""From the gradebook's rows to the class report (grader/report/class_report.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from grader.batch.gradebook import Row
from grader.report.class_report import ReportEntry, ReportPaths, RunInfo, write_class_reports


def entries_from_rows(rows: list[Row]) -> list[ReportEntry]:
    return [ReportEntry(student_id=r.student_id, exercise_id=r.exercise_id, result=r.result,
                        id_source=r.id_source, files=list(r.files))
            for r in sorted(rows, key=lambda r: (r.student_id, r.exercise_id, r.unit))]


def write_reports(out_dir: Path, rows: list[Row], run: RunInfo, jobs: int = 1,
                  meanwhile: Callable[[], None] | None = None) -> ReportPaths:
    """index.html (class summary) and students/<id>.html for every row of the gradebook;
    the pages on `jobs` processes while this one writes the summary and runs `meanwhile`."""
    return write_class_reports(Path(out_dir), entries_from_rows(rows), run, jobs=jobs, meanwhile=meanwhile)
