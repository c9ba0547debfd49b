"""Sandbox benchmark: per-run overhead of each way of starting student code, and the time to
grade the two showcase exercises (two-layer-net, perceptron) for N synthetic submissions.

    PYTHONPATH=. python benchmarks/sandbox/run.py [--repeat 20] [--submissions 200] [--jobs 2]
                                                  [--skip-batch]

Part 1 times `run_calls` with one trivial call (load a small module, call it once, tear
down), `--repeat` times per configuration, after one warm-up run:
  rlimits  / fresh : a new interpreter per run, resource limits only (no bubblewrap)
  bwrap    / fresh : a new bubblewrap sandbox and interpreter per run
  bwrap    / fork  : a pre-started worker inside bubblewrap forks a child per run (default)
and, for reference, a bare `python -c pass` and `python -c "import numpy"`.
Part 2 grades N submissions (synthetic: correct, known-wrong and malformed, from
benchmarks/batch/synth.py) of both showcase exercises with `grader grade --jobs J`, once per
sandbox configuration, each on a fresh output folder. Figures and ratios are printed.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks" / "batch"))

CONFIGS = [("rlimits", "fresh"), ("bubblewrap", "fresh"), ("bubblewrap", "fork")]
SHOWCASE = ["two-layer-net", "perceptron"]
MODULE = "import numpy as np\n\ndef f(x):\n    return np.asarray(x) * 2\n"


def _stats(xs: list[float]) -> str:
    xs = sorted(xs)
    p90 = xs[min(len(xs) - 1, int(0.9 * len(xs)))]
    return f"median {statistics.median(xs) * 1000:7.1f} ms   p90 {p90 * 1000:7.1f} ms"


def overhead(repeat: int) -> dict[str, float]:
    from grader.sandbox import Call, run_calls
    from grader.sandbox import isolation as iso
    from grader.sandbox import worker

    tmp = Path(tempfile.mkdtemp())
    code = tmp / "answer.py"
    code.write_text(MODULE)
    medians: dict[str, float] = {}
    for label, argv in (("bare python -c pass", [sys.executable, "-c", "pass"]),
                        ("bare python -c 'import numpy'", [sys.executable, "-c", "import numpy"])):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(argv, check=True)
            times.append(time.perf_counter() - t0)
        medians[label] = statistics.median(times)
        print(f"  {label:34s} {_stats(times)}")
    for mode, kind in CONFIGS:
        if mode == "bubblewrap" and iso._bwrap_works() is not None:
            print(f"  {mode}/{kind}: skipped ({iso._bwrap_works()})")
            continue
        os.environ["GRADER_SANDBOX"], os.environ["GRADER_SANDBOX_WORKER"] = mode, kind
        if iso.worker_kind(mode) != kind:
            print(f"  {mode}/{kind}: not available here (needs root)")
            continue
        run_calls([code], [Call("f", ([1, 2],))])  # warm-up (starts the worker for "fork")
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            r = run_calls([code], [Call("f", ([1, 2],))])
            times.append(time.perf_counter() - t0)
            assert r.outcomes[0].ok, r.outcomes[0].error
        medians[f"{mode}/{kind}"] = statistics.median(times)
        print(f"  run_calls {mode + ' / ' + kind:24s} {_stats(times)}")
    worker.stop_all()
    shutil.rmtree(tmp, ignore_errors=True)
    return medians


def make_submissions(n: int, root: Path) -> None:
    from synth import write_submission

    from grader.exercise.loader import load_course

    exercises = load_course(REPO)
    for i in range(n):
        student = f"s{i:04d}"
        for ex_id in SHOWCASE:
            write_submission(root / student, exercises[ex_id], student, i)


def batch(n: int, jobs: int) -> dict[str, float]:
    from grader.sandbox import isolation as iso

    subs = Path(tempfile.mkdtemp()) / "class"
    make_submissions(n, subs)
    times: dict[str, float] = {}
    for mode, kind in CONFIGS:
        if mode == "bubblewrap" and iso._bwrap_works() is not None:
            continue
        env = dict(os.environ, GRADER_SANDBOX=mode, GRADER_SANDBOX_WORKER=kind, PYTHONPATH=str(REPO))
        out = Path(tempfile.mkdtemp())
        cmd = [sys.executable, "-m", "grader.cli.main", "grade", str(subs), "--course", str(REPO),
               "--out", str(out), "--jobs", str(jobs), *sum((["--exercise", e] for e in SHOWCASE), [])]
        t0 = time.perf_counter()
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        shutil.rmtree(out, ignore_errors=True)
        if p.returncode != 0:
            print(f"  {mode}/{kind}: grade failed ({p.returncode}): {p.stderr.strip()[-300:]}")
            continue
        times[f"{mode}/{kind}"] = elapsed
        print(f"  {mode + ' / ' + kind:20s} {elapsed:7.1f} s   {n / elapsed:5.2f} submissions/s")
    shutil.rmtree(subs.parent, ignore_errors=True)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--submissions", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--skip-batch", action="store_true")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, euid {os.geteuid()}")
    print(f"\n1. per-run overhead (one trivial call), {args.repeat} runs each")
    m = overhead(args.repeat)
    if "bubblewrap/fresh" in m and "bubblewrap/fork" in m:
        print(f"  ratio bubblewrap fresh / pre-started worker: {m['bubblewrap/fresh'] / m['bubblewrap/fork']:.1f}x")
    if "bubblewrap/fresh" in m and "rlimits/fresh" in m:
        print(f"  ratio bubblewrap fresh / rlimits fresh:      {m['bubblewrap/fresh'] / m['rlimits/fresh']:.2f}x "
              f"(bubblewrap costs {(m['bubblewrap/fresh'] - m['rlimits/fresh']) * 1000:.0f} ms more per run)")
    if "bubblewrap/fork" in m and "rlimits/fresh" in m:
        print(f"  ratio rlimits fresh / pre-started worker:    {m['rlimits/fresh'] / m['bubblewrap/fork']:.1f}x")
    if args.skip_batch:
        return
    print(f"\n2. grading {', '.join(SHOWCASE)} for {args.submissions} synthetic submissions, --jobs {args.jobs}")
    t = batch(args.submissions, args.jobs)
    if "bubblewrap/fresh" in t and "bubblewrap/fork" in t:
        print(f"  ratio bubblewrap fresh / pre-started worker: {t['bubblewrap/fresh'] / t['bubblewrap/fork']:.2f}x")
    if "rlimits/fresh" in t and "bubblewrap/fork" in t:
        print(f"  ratio rlimits fresh / pre-started worker:    {t['rlimits/fresh'] / t['bubblewrap/fork']:.2f}x")


if __name__ == "__main__":
    main()
