"""Exports of the gradebook (pandas): everything here reads stored rows only, never regrades.

  exports/gradebook.csv           one row per student, one column per exercise part, totals
  exports/canvas.csv              Canvas gradebook import (Student, ID, SIS User ID, SIS Login ID, Section, one column per exercise)
  exports/moodle-<exercise>.csv   Moodle assignment grading worksheet (Identifier "Participant <id>", Grade, Feedback comments)
  exports/gradescope/<student>/<exercise>/results.json   Gradescope autograder format
"""
from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from grader.batch.gradebook import Row
from grader.report.names import safe_stem
from grader.results import Status

FORMATS = ("gradebook", "canvas", "moodle", "gradescope")


@dataclass
class Table:
    """A CSV file's content: the columns, and one dict per row (a missing value is None)."""

    columns: list[str]
    records: list[dict[str, object]]


def write_csv(table: Table, path: Path) -> None:
    """The table as CSV through pandas (numbers with %g, a missing value as an empty cell).
    pandas is imported here, when exporting, not at start-up: the import costs about a second,
    which the batch overlaps with rendering the student pages in other processes."""
    import pandas as pd

    frame = pd.DataFrame.from_records(table.records, columns=table.columns)
    frame.to_csv(path, index=False, float_format="%g", lineterminator="\n")


def best_rows(rows: list[Row]) -> dict[tuple[str, str], Row]:
    """One row per (student, exercise): a student with several submissions for an exercise
    keeps the best score (ties: the first by submission key), so exports stay one row per student."""
    best: dict[tuple[str, str], Row] = {}
    for r in sorted(rows, key=lambda r: (r.student_id, r.exercise_id, r.unit)):
        key = (r.student_id, r.exercise_id)
        if key not in best or r.score > best[key].score:
            best[key] = r
    return best


def _exercise_parts(rows: list[Row]) -> "OrderedDict[str, list[tuple[str, float]]]":
    parts: dict[str, list[tuple[str, float]]] = {}
    for r in sorted(rows, key=lambda r: (r.exercise_id, r.unit)):
        known = parts.setdefault(r.exercise_id, [])
        for p in r.result.parts:
            if p.part_id not in [k for k, _ in known]:
                known.append((p.part_id, p.max_score))
    return OrderedDict(sorted(parts.items()))


def _students(best: dict[tuple[str, str], Row]) -> list[tuple[str, Row]]:
    """(student id, one of their rows for names and LMS ids), sorted by id."""
    first: dict[str, Row] = {}
    for (sid, _), r in sorted(best.items()):
        if sid not in first or (r.lms and not first[sid].lms):
            first[sid] = r
    return sorted(first.items())


def gradebook_table(rows: list[Row]) -> Table:
    best = best_rows(rows)
    parts = _exercise_parts(rows)
    records = []
    max_total = round(sum(m for ex_parts in parts.values() for _, m in ex_parts), 6)
    for sid, who in _students(best):
        rec: dict[str, object] = {"student": sid, "name": who.display_name, "lms_id": who.lms_id}
        total = 0.0
        for ex, ex_parts in parts.items():
            row = best.get((sid, ex))
            scores: dict[str, float] = {}
            if row is not None:
                for p in reversed(row.result.parts):  # the first part of an id wins, as before
                    scores[p.part_id] = p.score
            for pid, _ in ex_parts:
                rec[f"{ex}/{pid}"] = scores.get(pid)
            rec[f"{ex} total"] = row.score if row is not None else None
            total += row.score if row is not None else 0.0
        rec["total"] = round(total, 6)
        rec["max total"] = max_total
        records.append(rec)
    columns = ["student", "name", "lms_id"] + [c for ex, ps in parts.items() for c in
                                                [f"{ex}/{p}" for p, _ in ps] + [f"{ex} total"]] + ["total", "max total"]
    return Table(columns, records)


def canvas_table(rows: list[Row]) -> Table:
    best = best_rows(rows)
    parts = _exercise_parts(rows)
    maxima = {ex: round(sum(m for _, m in ps), 6) for ex, ps in parts.items()}
    head = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    records: list[dict[str, object]] = [
        {"Student": "Points Possible", "ID": "", "SIS User ID": "", "SIS Login ID": "", "Section": "", **maxima}]
    for sid, who in _students(best):
        rec: dict[str, object] = {"Student": who.display_name or sid, "ID": who.lms_id if who.lms == "canvas" else "",
                                  "SIS User ID": "", "SIS Login ID": sid, "Section": ""}
        for ex in parts:
            row = best.get((sid, ex))
            rec[ex] = row.score if row is not None else None
        records.append(rec)
    return Table(head + list(parts), records)


def _feedback_summary(row: Row) -> str:
    wrong = [f"{p.part_id}: {p.status.value}" for p in row.result.parts if p.status != Status.CORRECT]
    head = f"{row.score:g} / {row.max_score:g} points"
    return head + (" — " + "; ".join(wrong) if wrong else " — all parts correct")


def moodle_tables(rows: list[Row]) -> dict[str, Table]:
    best = best_rows(rows)
    out: dict[str, Table] = {}
    columns = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
               "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"]
    for ex in sorted({e for _, e in best}):
        records = []
        for (sid, e), row in sorted(best.items()):
            if e != ex:
                continue
            ident = f"Participant {row.lms_id}" if row.lms == "moodle" else sid
            records.append({"Identifier": ident, "Full name": row.display_name or sid, "Email address": "",
                            "Status": "Submitted for grading", "Grade": row.score, "Maximum Grade": row.max_score,
                            "Grade can be changed": "Yes", "Last modified (submission)": "",
                            "Last modified (grade)": "", "Feedback comments": _feedback_summary(row)})
        out[ex] = Table(columns, records)
    return out


def gradescope_result(row: Row) -> dict[str, object]:
    """Gradescope's autograder results.json for one submission."""
    tests = []
    for i, p in enumerate(row.result.parts, start=1):
        lines = list(p.feedback) + [f"{e.kind}: {e.message}" for e in p.evidence if e.message not in p.feedback]
        tests.append({"name": f"{p.part_id}" + (f": {p.title}" if p.title else ""), "number": str(i),
                      "score": p.score, "max_score": p.max_score,
                      "status": "passed" if p.status == Status.CORRECT else "failed",
                      "output": "\n".join([f"status: {p.status.value}"] + lines), "visibility": "visible"})
    return {"score": row.score, "execution_time": round(row.duration_s, 3),
            "output": "\n".join(row.result.messages), "visibility": "visible", "stdout_visibility": "hidden",
            "tests": tests}


def write_exports(rows: list[Row], out_dir: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the chosen exports under `out_dir`/exports; the paths written."""
    folder = Path(out_dir) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(table: Table, path: Path) -> None:
        write_csv(table, path)
        written.append(path)

    if "gradebook" in formats:
        save(gradebook_table(rows), folder / "gradebook.csv")
    if "canvas" in formats:
        save(canvas_table(rows), folder / "canvas.csv")
    if "moodle" in formats:
        for ex, table in moodle_tables(rows).items():
            save(table, folder / f"moodle-{safe_stem(ex)}.csv")
    if "gradescope" in formats:
        for row in sorted(rows, key=lambda r: (r.unit, r.exercise_id)):
            unit = folder / "gradescope" / safe_stem(row.unit)
            if not unit.is_dir():
                unit.mkdir(parents=True)
            path = unit / safe_stem(row.exercise_id) / "results.json"
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps(gradescope_result(row), indent=2) + "\n", encoding="utf-8")
            written.append(path)
    return written
