"""Rendering the pages of a batch from the gradebook's rows.

The class report (per-student pages, class summary) lives in grader/report/class_report.py;
until it is available this writes each result with the single-result report and a plain
index, so a batch always ends with pages to open.
"""
from __future__ import annotations

import html
from pathlib import Path

from grader.batch.exports import safe_name
from grader.batch.gradebook import Row
from grader.batch.model import ReportEntry, ReportPaths, RunInfo


def entries_from_rows(rows: list[Row]) -> list[ReportEntry]:
    return [ReportEntry(student_id=r.student_id, exercise_id=r.exercise_id, result=r.result,
                        id_source=r.id_source, files=list(r.files))
            for r in sorted(rows, key=lambda r: (r.student_id, r.exercise_id, r.unit))]


def write_reports(out_dir: Path, rows: list[Row], run: RunInfo) -> ReportPaths:
    try:
        from grader.report import class_report  # type: ignore[attr-defined]
    except ImportError:
        return _write_plain(out_dir, entries_from_rows(rows), run)
    entries = [class_report.ReportEntry(**e.__dict__) for e in entries_from_rows(rows)]
    info = class_report.RunInfo(**run.__dict__)
    return class_report.write_class_reports(out_dir, entries, info)


def _write_plain(out_dir: Path, entries: list[ReportEntry], run: RunInfo) -> ReportPaths:
    from grader.report.html import write_result

    pages: dict[str, Path] = {}
    rows = []
    for e in entries:
        page = out_dir / "students" / safe_name(e.student_id) / f"{safe_name(e.exercise_id)}.html"
        write_result(e.result, page)
        pages.setdefault(e.student_id, page)
        rows.append(f"<tr><td><a href=\"{html.escape(page.relative_to(out_dir).as_posix())}\">"
                    f"{html.escape(e.student_id)}</a></td><td>{html.escape(e.exercise_id)}</td>"
                    f"<td>{e.result.score:g} / {e.result.max_score:g}</td><td>{html.escape(e.id_source)}</td></tr>")
    unattributed = "".join(f"<li>{html.escape(u)}</li>" for u in run.unattributed_files)
    index = out_dir / "index.html"
    index.write_text(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Class report</title></head><body>"
        f"<h1>Class report</h1><p>{len(entries)} results from {html.escape(run.submissions_root)}</p>"
        "<table><tr><th>student</th><th>exercise</th><th>score</th><th>id from</th></tr>"
        + "".join(rows) + "</table>"
        + (f"<h2>Files not attributed</h2><ul>{unattributed}</ul>" if unattributed else "")
        + "</body></html>\n", encoding="utf-8")
    return ReportPaths(index=index, student_pages=pages)
