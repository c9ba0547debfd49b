"""Time to render the reports of a class: N student pages + the class summary.

    PYTHONPATH=. python benchmarks/bench_reports.py [--students 500] [--exercises 2] [--repeat 3]

The class is the synthetic one of the report tests (every evidence shape, a loss curve and
two decision boundaries per code part), repeated with distinct ids, a third of them wrong
and a third broken. Prints the best of --repeat runs (the first run of a process also pays
for compiling templates; it is printed separately).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.report.class_report import write_class_reports  # noqa: E402
from tests.report_fixtures import class_entries, run_info  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=500)
    ap.add_argument("--exercises", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    exercises = tuple(["scalar-net", "softmax", "perceptron", "two-layer"][:max(1, args.exercises)])
    entries = class_entries(args.students, exercises)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            start = time.perf_counter()
            paths = write_class_reports(Path(tmp) / f"run{i}", entries, run_info())
            times.append(time.perf_counter() - start)
        pages = [paths.index, *paths.student_pages.values()]
        size = sum(p.stat().st_size for p in pages)
    print(f"students: {len(paths.student_pages)}   exercises each: {len(exercises)}   "
          f"submissions: {len(entries)}")
    print(f"first run (templates compiled, MathML cache cold): {times[0]:.2f} s")
    print(f"best of {args.repeat}: {min(times):.2f} s for {len(pages) - 1} student pages + the summary "
          f"({min(times) / len(pages) * 1000:.1f} ms per page)")
    print(f"written: {len(pages)} files, {size / 1e6:.1f} MB ({size / len(pages) / 1e3:.0f} kB per page)")


if __name__ == "__main__":
    main()
