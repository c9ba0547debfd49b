"""The reports of a graded class: one feedback page per student and a class summary.

`grader grade` calls `write_class_reports(out_dir, entries, run)` once every result is in
the gradebook. Layout of `out_dir`:

    index.html                  the class summary, linking to every student page
    students/<safe-id>.html     one page per student, covering all their exercises

Pages are self-contained (inline CSS and SVG, MathML; no script, no network) and everything
a student wrote is escaped. Templates compile once per process (grader.report.html), so a
class of 500 renders in a few seconds.
"""
from __future__ import annotations

import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from grader.report import svg
from grader.report.html import environment
from grader.report.names import safe_stems
from grader.results import PartResult, Result, Status

TOP_DIAGNOSES = 5
TOP_SLOWEST = 10
STUDENTS_PER_DIAGNOSIS = 12


@dataclass
class ReportEntry:
    """One graded submission: a student's result for one exercise."""

    student_id: str
    exercise_id: str
    result: Result
    id_source: str  # how the student id was found ("folder name", "front matter", ...)
    files: list[str] = field(default_factory=list)  # the submission's files, as shown to people


@dataclass
class RunInfo:
    started: str
    finished: str
    submissions_root: str
    unattributed_files: list[str] = field(default_factory=list)
    executor: str = "local"
    jobs: int = 1


@dataclass
class ReportPaths:
    index: Path
    student_pages: dict[str, Path]  # student id → page


# --- summary figures -------------------------------------------------------------------------
@dataclass
class DiagnosisRow:
    name: str
    count: int
    example: str  # the feedback the first such student got
    students: list[tuple[str, str]]  # (student id, link to the part on their page)


@dataclass
class PartRow:
    part_id: str
    title: str
    kind: str
    max_score: float
    n: int
    counts: dict[str, int]  # status value → count
    mean_score: float
    diagnoses: list[DiagnosisRow]

    @property
    def success_rate(self) -> float:
        return self.counts.get(Status.CORRECT.value, 0) / self.n if self.n else 0.0


@dataclass
class ExerciseSummary:
    exercise_id: str
    title: str
    n: int
    max_score: float
    mean: float
    median: float
    histogram: object  # Markup: the SVG score distribution
    parts: list[PartRow]


@dataclass
class StudentRow:
    student_id: str
    href: str
    id_sources: list[str]
    scores: dict[str, list[tuple[float, float]]]  # exercise id → (score, max) of each submission
    total: float
    max_total: float
    problems: int  # parts in error + file messages


@dataclass
class FailingRow:
    student_id: str
    href: str
    exercise_id: str
    reasons: list[str]


@dataclass
class SlowRow:
    student_id: str
    href: str
    exercise_id: str
    seconds: float
    slowest_part: str


@dataclass
class Placed:
    """An entry with where it sits: its student's page and its section's anchor there."""

    entry: ReportEntry
    page: str  # relative to the summary: students/<safe-id>.html
    anchor: str  # ex-<exercise id>, with -2, -3... when a student has several for one exercise

    @property
    def link(self) -> str:
        return f"{self.page}#{self.anchor}"


def _part_rows(placed: list[Placed]) -> list[PartRow]:
    order: list[str] = []
    by_part: dict[str, list[tuple[Placed, PartResult]]] = defaultdict(list)
    for pl in placed:
        for p in pl.entry.result.parts:
            if p.part_id not in by_part:
                order.append(p.part_id)
            by_part[p.part_id].append((pl, p))
    rows = []
    for pid in order:
        items = by_part[pid]
        counts = Counter(p.status.value for _, p in items)
        diag: dict[str, DiagnosisRow] = {}
        for pl, p in items:
            if not p.diagnosis:
                continue
            row = diag.setdefault(p.diagnosis, DiagnosisRow(p.diagnosis, 0, p.feedback[0] if p.feedback else "", []))
            row.count += 1
            row.students.append((pl.entry.student_id, f"{pl.link}-part-{pid}"))
        top = sorted(diag.values(), key=lambda d: (-d.count, d.name))[:TOP_DIAGNOSES]
        first = items[0][1]
        rows.append(PartRow(pid, first.title, first.kind, max(p.max_score for _, p in items), len(items),
                            dict(counts), statistics.fmean(p.score for _, p in items), top))
    return rows


def _exercise_summaries(placed: list[Placed]) -> list[ExerciseSummary]:
    by_ex: dict[str, list[Placed]] = defaultdict(list)
    for pl in placed:
        by_ex[pl.entry.exercise_id].append(pl)
    out = []
    for ex_id in sorted(by_ex):
        items = by_ex[ex_id]
        scores = [pl.entry.result.score for pl in items]
        max_score = max(pl.entry.result.max_score for pl in items)
        bins = int(max_score) if float(max_score).is_integer() and 1 <= max_score <= 20 else 10
        hist = svg.histogram(scores, f"Score distribution — {ex_id} (n = {len(items)})", 0, max_score or 1,
                             bins=bins, x_label=f"score (out of {max_score:g})", y_label="students")
        out.append(ExerciseSummary(ex_id, items[0].entry.result.exercise_title, len(items), max_score,
                                   statistics.fmean(scores), statistics.median(scores), hist, _part_rows(items)))
    return out


def _reasons(entry: ReportEntry) -> list[str]:
    reasons = list(entry.result.messages)
    for p in entry.result.parts:
        if p.status is Status.ERROR:
            reasons.append(f"{p.part_id}: {p.feedback[0] if p.feedback else 'error'}")
    return reasons


def _source_kind(id_source: str) -> str:
    """`Moodle folder name (participant 12, Ann Lee)` counts as `Moodle folder name`."""
    return id_source.split(" (")[0]


@dataclass
class _Page:
    """One student page to render."""

    student_id: str
    path: Path
    placed: list[Placed]
    total: float
    max_total: float


def _render_pages(pages: list[_Page], run: RunInfo) -> None:
    template = environment().get_template("student.html.j2")
    for pg in pages:
        pg.path.write_text(template.render(student_id=pg.student_id, placed=pg.placed, total=pg.total,
                                           max_total=pg.max_total, run=run), encoding="utf-8")


#: below this many pages a second process is not worth its start
PARALLEL_MIN_PAGES = 40


class _PageJob:
    """Student pages being rendered by forked processes, one share each; `wait()` returns once
    every page is written. A share whose process failed is rendered again here, so its error
    is raised with its real traceback."""

    def __init__(self, pages: list[_Page], run: RunInfo, jobs: int) -> None:
        self.pages, self.run, self.procs = pages, run, []
        if jobs > 1 and len(pages) >= PARALLEL_MIN_PAGES and _can_fork():
            import multiprocessing as mp

            environment().get_template("student.html.j2")  # compiled once, inherited by the forks
            for stream in (sys.stdout, sys.stderr):  # or a fork could write their buffered text again
                stream.flush()
            ctx = mp.get_context("fork")  # the pages are inherited too: nothing is pickled
            for share in range(jobs):
                p = ctx.Process(target=_render_pages, args=(pages[share::jobs], run), daemon=True)
                p.start()
                self.procs.append((share, p))
        else:
            _render_pages(pages, run)

    def wait(self) -> None:
        jobs = len(self.procs)
        for share, p in self.procs:
            p.join()
            if p.exitcode != 0:
                _render_pages(self.pages[share::jobs], self.run)


def _can_fork() -> bool:
    """Forking is safe only while this process runs a single thread (Linux)."""
    import threading

    return sys.platform == "linux" and threading.active_count() == 1


def write_class_reports(out_dir: Path, entries: list[ReportEntry], run: RunInfo, jobs: int = 1,
                        meanwhile: "Callable[[], None] | None" = None) -> ReportPaths:
    """Write out_dir/index.html and out_dir/students/<safe-id>.html for every student.

    `jobs` > 1 renders the student pages in that many forked processes while this one writes
    the summary and runs `meanwhile` (the batch's exports); every page is written on return."""
    out_dir = Path(out_dir)
    students_dir = out_dir / "students"
    students_dir.mkdir(parents=True, exist_ok=True)
    env = environment()
    by_student: dict[str, list[ReportEntry]] = defaultdict(list)
    for e in entries:
        by_student[e.student_id].append(e)
    stems = safe_stems(list(by_student))
    to_render: list[_Page] = []
    rows: list[StudentRow] = []
    placed: list[Placed] = []
    for sid in sorted(by_student):
        page = f"students/{stems[sid]}.html"
        seen: Counter[str] = Counter()
        own: list[Placed] = []
        for e in sorted(by_student[sid], key=lambda e: e.exercise_id):  # stable: keeps the caller's order
            seen[e.exercise_id] += 1
            n = seen[e.exercise_id]
            own.append(Placed(e, page, f"ex-{e.exercise_id}" + (f"-{n}" if n > 1 else "")))
        placed += own
        total = round(sum(pl.entry.result.score for pl in own), 6)
        max_total = round(sum(pl.entry.result.max_score for pl in own), 6)
        to_render.append(_Page(sid, out_dir / page, own, total, max_total))
        scores: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for pl in own:
            scores[pl.entry.exercise_id].append((pl.entry.result.score, pl.entry.result.max_score))
        rows.append(StudentRow(sid, page, sorted({pl.entry.id_source for pl in own}), dict(scores),
                               total, max_total, sum(len(_reasons(pl.entry)) for pl in own)))
    job = _PageJob(to_render, run, jobs)
    pages = {pg.student_id: pg.path for pg in to_render}
    failing = [FailingRow(pl.entry.student_id, pl.link, pl.entry.exercise_id, _reasons(pl.entry))
               for pl in placed if _reasons(pl.entry)]
    slowest = [SlowRow(pl.entry.student_id, pl.link, pl.entry.exercise_id, pl.entry.result.duration_s,
                       max(pl.entry.result.parts, key=lambda p: p.duration_s).part_id if pl.entry.result.parts else "")
               for pl in sorted(placed, key=lambda pl: -pl.entry.result.duration_s)[:TOP_SLOWEST]]
    exercises = _exercise_summaries(placed)
    overall = None
    if len(exercises) > 1 and rows:
        pct = [100 * r.total / r.max_total if r.max_total else 0 for r in rows]
        overall = svg.histogram(pct, f"Total score, all exercises (n = {len(rows)})", 0, 100, bins=10,
                                x_label="percent of the points", y_label="students")
    sources = Counter(_source_kind(pl.entry.id_source) for pl in placed)
    index = out_dir / "index.html"
    index.write_text(env.get_template("class.html.j2").render(
        run=run, students=rows, exercises=exercises, overall=overall, failing=failing, slowest=slowest,
        id_sources=sorted(sources.items(), key=lambda kv: (-kv[1], kv[0])), n_submissions=len(entries),
        per_diagnosis=STUDENTS_PER_DIAGNOSIS),
        encoding="utf-8")
    if meanwhile is not None:
        meanwhile()
    job.wait()
    return ReportPaths(index=index, student_pages=pages)
