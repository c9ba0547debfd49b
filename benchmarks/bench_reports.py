"""Time to render the reports of a class: N student pages + the class summary.

    PYTHONPATH=. python benchmarks/bench_reports.py [--students 500] [--exercises 2] [--runs 2] [--jobs 1,2]

The class is the synthetic one of the report tests (every evidence shape, a loss curve and
two decision boundaries per code part), repeated with distinct ids, a third of them wrong
and a third broken. Every student's math answers, loss curve and decision boundary are made
distinct, so the MathML and chart caches do not flatter the figure (only the reference's
charts are shared, as in a real class). Each run is timed in a fresh process, caches cold,
templates compiled inside the timing; CPU time is printed beside wall time because the
machine may be shared. With --jobs J the pages render on J forked processes (as `grader
grade --jobs J` does); their CPU time is counted too.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def distinct_class(students: int, exercises: tuple[str, ...]) -> list:
    from tests.report_fixtures import class_entries

    entries = class_entries(students, exercises)
    for i, e in enumerate(entries):  # distinct per submission: no cache hits between students
        for p in e.result.parts:
            if p.answer_format == "math" and p.answer:
                p.answer = f"{p.answer} + {i}"
            for ev in p.evidence:
                if ev.kind == "loss_curve":
                    ev.data["student"] = [v * (1 + i / 1000) for v in ev.data["student"]]
                if ev.kind == "decision_boundary":
                    grid = [list(row) for row in ev.data["student"]]
                    grid[i % len(grid)][(i // len(grid)) % len(grid[0])] ^= 1
                    ev.data["student"] = grid
    return entries


def _cpu() -> float:
    """CPU time of this process and of its finished children (the page renderers)."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def one_run(students: int, exercises: tuple[str, ...], jobs: int = 1) -> dict:
    """Run in a fresh process: build the class, then time write_class_reports alone."""
    from grader.report.class_report import write_class_reports
    from tests.report_fixtures import run_info

    entries = distinct_class(students, exercises)
    with tempfile.TemporaryDirectory() as tmp:
        start, cpu = time.perf_counter(), _cpu()
        paths = write_class_reports(Path(tmp), entries, run_info(), jobs=jobs)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        files = [paths.index, *paths.student_pages.values()]
        size = sum(p.stat().st_size for p in files)
    return {"seconds": seconds, "cpu": cpu, "pages": len(paths.student_pages), "submissions": len(entries),
            "bytes": size, "files": len(files)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=500)
    ap.add_argument("--exercises", type=int, default=2)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--jobs", default="1,2", help="processes rendering the pages, compared (default 1,2)")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # internal: a single timed run
    args = ap.parse_args()
    exercises = tuple(["scalar-net", "softmax", "perceptron", "two-layer"][:max(1, min(4, args.exercises))])
    if args.one:
        print(json.dumps(one_run(args.students, exercises, int(args.jobs))))
        return
    print(f"class: {args.students} students x {len(exercises)} exercises, every answer and plot distinct")
    best: dict[int, float] = {}
    for jobs in [int(j) for j in args.jobs.split(",")]:
        for run in range(1, args.runs + 1):
            out = subprocess.run([sys.executable, __file__, "--students", str(args.students), "--exercises",
                                  str(len(exercises)), "--jobs", str(jobs), "--one"],
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            best[jobs] = min(best.get(jobs, r["seconds"]), r["seconds"])
            print(f"jobs={jobs} run {run}: {r['seconds']:.2f} s wall ({r['cpu']:.2f} s CPU) for {r['pages']} "
                  f"student pages ({r['submissions']} submissions) + the summary = "
                  f"{r['seconds'] / (r['pages'] + 1) * 1000:.1f} ms per page; {r['files']} files, "
                  f"{r['bytes'] / 1e6:.1f} MB")
    if len(best) > 1:
        (j1, t1), (j2, t2) = sorted(best.items())[0], sorted(best.items())[-1]
        print(f"speed-up {j1} -> {j2} jobs (best runs): {t1 / t2:.2f}x")

if __name__ == "__main__":
    main()
