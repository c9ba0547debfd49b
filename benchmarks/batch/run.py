"""Batch grading benchmark: N synthetic submissions graded and reported with 1 and 2 jobs.

    PYTHONPATH=. python benchmarks/batch/run.py [--n 500] [--jobs 1,2] [--course DIR]

The submissions are a mix of correct, wrong and malformed answers for every exercise of
the course (benchmarks/batch/synth.py). Each job count runs in a fresh coordinator process
(so its peak memory is its own) on a fresh output folder. Printed: submissions per second,
the speed-up from 1 to 2 jobs, the coordinator's peak memory, the time to render all
reports and exports, and grading + reporting against the target (500 in under 20 s).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))


def one_run(course: Path, submissions: Path, out: Path, jobs: int) -> dict:
    """Grade in this process (the coordinator) and report the figures as a dict."""
    from rich.console import Console

    from grader.batch.gradebook import Gradebook
    from grader.batch.run import BatchOptions, run_batch
    from grader.exercise.loader import load_course

    exercises = load_course(course)
    t0 = time.perf_counter()
    s = run_batch(BatchOptions(submissions=submissions, out_dir=out, course_root=course, exercises=exercises,
                               jobs=jobs), Console(file=open(os.devnull, "w")))
    wall = time.perf_counter() - t0
    book = Gradebook.in_folder(out)
    rows = list(book.rows())
    book.close()
    isolation = Counter(r.result.isolation.split(":")[0].split(" (")[0] for r in rows if r.result.isolation)
    per_ex: dict[str, list[float]] = {}
    for r in rows:
        per_ex.setdefault(r.exercise_id, []).append(r.duration_s)
    return {"jobs": jobs, "graded": s.graded, "failed": len(s.failed), "grading_s": s.grading_s,
            "reports_s": s.reports_s, "wall_s": wall,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "isolation": dict(isolation),
            "per_exercise": {ex: (len(d), sum(d) / len(d), max(d)) for ex, d in sorted(per_ex.items())}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=500, help="number of submissions (default 500)")
    ap.add_argument("--jobs", default="1,2", help="job counts to compare (default 1,2)")
    ap.add_argument("--course", type=Path, default=REPO)
    ap.add_argument("--exercise", action="append", help="only these exercises (repeatable; default: all)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one run, JSON out
    ap.add_argument("--submissions", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(one_run(args.course, args.submissions, args.out, args.one)))
        return

    from grader.exercise.loader import load_course
    from synth import make_class

    exercises = load_course(args.course)
    if args.exercise:
        exercises = {k: v for k, v in exercises.items() if k in args.exercise}
    work = Path(tempfile.mkdtemp(prefix="grader-bench-batch-"))
    try:
        subs = work / "class"
        counts = make_class(subs, exercises, args.n)
        print(f"{args.n} synthetic submissions over {len(exercises)} exercises ({', '.join(exercises)}): "
              + ", ".join(f"{v} {k}" for k, v in counts.items()))
        print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
              f"python {sys.version.split()[0]}")
        results = []
        for jobs in [int(j) for j in args.jobs.split(",")]:
            cmd = [sys.executable, __file__, "--course", str(args.course), "--one", str(jobs),
                   "--submissions", str(subs), "--out", str(work / f"out-{jobs}")]
            proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
            if proc.returncode != 0:
                sys.exit(f"run with {jobs} jobs failed:\n{proc.stderr}")
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            results.append(r)
            total = r["grading_s"] + r["reports_s"]
            print(f"jobs={jobs}: graded {r['graded']} in {r['grading_s']:.2f} s = {r['graded'] / r['grading_s']:.1f} "
                  f"submissions/s; reports + exports {r['reports_s']:.2f} s; graded and reported in {total:.2f} s; "
                  f"coordinator peak RSS {r['peak_rss_mib']:.0f} MiB; {r['failed']} could not be graded; "
                  f"code ran: {r['isolation'] or 'no code parts'}")
        print(f"grading time per submission in a worker (mean / max s, with {results[0]['jobs']} "
              f"job{'s' if results[0]['jobs'] != 1 else ''}), by exercise:")
        for ex, (n, mean, worst) in sorted(results[0]["per_exercise"].items(), key=lambda kv: -kv[1][1]):
            print(f"  {ex:22s} {n:4d} x {mean:6.3f} / {worst:6.3f}")
        if len(results) >= 2:
            a, b = results[0], results[1]
            print(f"speed-up {a['jobs']} -> {b['jobs']} jobs (grading): {a['grading_s'] / b['grading_s']:.2f}x")
        print(f"load average after the runs: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
              "(other work on the machine inflates every figure)")
        best = results[-1]
        total = best["grading_s"] + best["reports_s"]
        target = 20.0 * args.n / 500
        print(f"target: {args.n} graded and reported in under {target:.0f} s with {best['jobs']} jobs: "
              f"{'met' if total < target else 'NOT met'} ({total:.2f} s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
