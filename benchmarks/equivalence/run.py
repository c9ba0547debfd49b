"""Equivalence benchmark: the engine against a labelled corpus, with two baselines.

    PYTHONPATH=. python benchmarks/equivalence/run.py [--corpus FILE] [--limit N] [--no-baselines]

For every pair of corpus.jsonl it reads the declarations and both sides and asks the engine
(`check_equivalence`) whether they are equal: the steps of `grader equiv`'s compare_pair,
in-process, without the diagnosis it adds for unequal pairs. It prints accuracy, false accepts (a wrong pair said equal), false rejects (an equal
pair said different), undecided verdicts and parse errors, and the median / p99 / max time per
check (parse + decision; the process is warmed up first, as every grading worker is). In the same run it measures two baselines on the same parsed
expressions:
  simplify   `simplify(a - b) == 0`, each call in a worker process killed after --timeout s
             (a time-out counts as "not equal", which is what a grader using it would do);
  8 points   both sides evaluated at 8 random points respecting the domains, equal when all
             agree within a relative 1e-9 (no symbolic step, no high-precision re-check).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from grader.errors import GraderError, MathSyntaxError  # noqa: E402
from grader.math import MathContext, MathShapeError, parse_expression  # noqa: E402
from grader.math.equivalence import check_equivalence, warm_up  # noqa: E402
from grader.cli.equiv import _context  # noqa: E402  (the declarations as `grader equiv` reads them)

HERE = Path(__file__).resolve().parent
BUDGET_S = 2.0


def load(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            row["line"] = n
            rows.append(row)
    return rows


@dataclass
class Tally:
    name: str
    right: int = 0
    false_accept: int = 0
    false_reject: int = 0
    undecided: int = 0
    errors: int = 0
    times: list[float] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def add(self, row: dict, said: bool | None, seconds: float | None = None) -> None:
        if seconds is not None:
            self.times.append(seconds)
        if said is None:
            self.undecided += 1
            self.wrong.append(f"undecided  line {row['line']}: {row['note']}")
        elif said == row["equal"]:
            self.right += 1
        elif said:
            self.false_accept += 1
            self.wrong.append(f"FALSE ACCEPT line {row['line']}: {row['a']}  vs  {row['b']}  ({row['note']})")
        else:
            self.false_reject += 1
            self.wrong.append(f"false reject line {row['line']}: {row['a']}  vs  {row['b']}  ({row['note']})")

    def line(self, total: int) -> str:
        acc = 100.0 * self.right / total if total else 0.0
        out = (f"{self.name:<10} accuracy {acc:6.2f}%  ({self.right}/{total})  false accepts {self.false_accept}"
               f"  false rejects {self.false_reject}  undecided {self.undecided}")
        if self.errors:
            out += f"  parse errors {self.errors}"
        if self.times:
            ts = sorted(self.times)
            p99 = ts[min(len(ts) - 1, int(round(0.99 * (len(ts) - 1))))]
            out += (f"\n{'':<10} time per check: median {1000 * statistics.median(ts):.1f} ms, "
                    f"p99 {1000 * p99:.1f} ms, max {1000 * ts[-1]:.1f} ms")
        return out


def parse_pair(row: dict) -> tuple[MathContext, Any, Any]:
    ctx = _context(row)
    a = parse_expression(row["a"], ctx, syntax=row.get("syntax", "auto"))
    b = parse_expression(row["b"], ctx, syntax=row.get("syntax", "auto"))
    return ctx, a, b


def engine(rows: list[dict], verbose: bool) -> Tally:
    t = Tally("engine")
    warm_up()  # the parser's tables and SymPy's lazy imports, once per process as a grader worker does
    for k, row in enumerate(rows):
        start = time.perf_counter()
        try:
            ctx, a, b = parse_pair(row)
            v = check_equivalence(a, b, ctx, budget_s=BUDGET_S, seed=f"corpus:{row['line']}")
            said = v.equivalent
        except MathShapeError:  # a side that cannot be built (s^T s added to a matrix): not equal,
            said = False         # as check_equivalence says for text with a shape problem
        except (MathSyntaxError, GraderError) as e:
            t.errors += 1
            said = None
            if verbose:
                print(f"  parse error line {row['line']}: {e}", file=sys.stderr)
        t.add(row, said, time.perf_counter() - start)
    return t


# ---- baselines ---------------------------------------------------------------------------

def _simplify_worker(conn: Any) -> None:
    while True:
        row = conn.recv()
        if row is None:
            return
        try:
            ctx, a, b = parse_pair(row)
            from grader.math.equivalence import _substitute_definitions  # the same definitions the engine uses
            from grader.math.parser import context_info
            info = context_info(ctx)
            a = _substitute_definitions(a, ctx, info)
            b = _substitute_definitions(b, ctx, info)
            d = sp.simplify(a - b)
            zero = bool(d == 0) or bool(getattr(d, "is_ZeroMatrix", False)) or (
                isinstance(d, sp.MatrixBase) and all(x == 0 for x in d))
            conn.send(zero)
        except Exception:  # a baseline that breaks on a pair just does not accept it
            conn.send(False)


def simplify_baseline(rows: list[dict], timeout: float) -> Tally:
    t = Tally("simplify")
    ctx = mp.get_context("fork")
    worker = None
    parent = None

    def start() -> tuple[Any, Any]:
        p, c = ctx.Pipe()
        w = ctx.Process(target=_simplify_worker, args=(c,), daemon=True)
        w.start()
        return w, p

    timeouts = 0
    for row in rows:
        if worker is None:
            worker, parent = start()
        t0 = time.perf_counter()
        parent.send(row)
        if parent.poll(timeout):
            said = parent.recv()
        else:  # too slow: kill this worker (ours), count the pair as not accepted
            worker.kill()
            worker.join()
            worker = None
            timeouts += 1
            said = False
        t.add(row, said, time.perf_counter() - t0)
    if worker is not None:
        parent.send(None)
        worker.join(1)
    t.name = "simplify"
    t.wrong.insert(0, f"({timeouts} time-outs at {timeout:g} s)")
    t.timeouts = timeouts  # type: ignore[attr-defined]
    return t


def eight_points_baseline(rows: list[dict]) -> Tally:
    from grader.math import equivalence as E
    from grader.math.parser import context_info

    t = Tally("8 points")
    for row in rows:
        t0 = time.perf_counter()
        try:
            ctx, a, b = parse_pair(row)
        except MathShapeError:
            t.add(row, False, time.perf_counter() - t0)
            continue
        except (MathSyntaxError, GraderError):
            t.errors += 1
            t.add(row, None)
            continue
        info = context_info(ctx)
        a = E._substitute_definitions(a, ctx, info)
        b = E._substitute_definitions(b, ctx, info)
        if E._shape(a) != E._shape(b):
            t.add(row, False, time.perf_counter() - t0)
            continue
        dims = E._dims_of([a, b], ctx, info)
        free = E._free_indices(E._flat([a, b]), info, set(info.index_names))
        rng = np.random.default_rng(row["line"])
        ent = E._Entries()
        # one random assignment of the free indices per point: 8 evaluations in all
        said = True
        n_ok = 0
        for p in range(8):
            assign = {s: int(rng.choice(list(E._index_range(s.name, ctx, info, dims)))) for s in free}
            ca = E.concretize(a, assign, dims, info, ent)
            cb = E.concretize(b, assign, dims, info, ent)
            symbols = sorted(E._free(ca) | E._free(cb), key=lambda s: s.name)
            env, _ = E._sample(symbols, ent, info, 8, rng, force_positive=False)
            env = {s: v[p:p + 1] for s, v in env.items()}
            va = np.asarray(E._values(ca, env, 1), dtype=float).reshape(-1)
            vb = np.asarray(E._values(cb, env, 1), dtype=float).reshape(-1)
            if not (np.all(np.isfinite(va)) and np.all(np.isfinite(vb))):
                continue
            n_ok += 1
            if not np.allclose(va, vb, rtol=1e-9, atol=1e-12):
                said = False
                break
        t.add(row, said if n_ok else None, time.perf_counter() - t0)
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=HERE / "corpus.jsonl")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pairs")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--timeout", type=float, default=2.0, help="time-out of the simplify baseline per pair (s)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every pair a method gets wrong")
    args = ap.parse_args(argv)
    rows = load(args.corpus)
    if args.limit:
        rows = rows[:args.limit]
    kinds = {"latex": sum(r.get("syntax") == "latex" for r in rows), "plain": sum(r.get("syntax") == "plain" for r in rows)}
    print(f"corpus: {len(rows)} pairs ({sum(r['equal'] for r in rows)} equal), {kinds['latex']} LaTeX, "
          f"{kinds['plain']} plain; budget {BUDGET_S:g} s per check")
    tallies = [engine(rows, args.verbose)]
    if not args.no_baselines:
        tallies.append(simplify_baseline(rows, args.timeout))
        tallies.append(eight_points_baseline(rows))
    for t in tallies:
        print(t.line(len(rows)))
    for t in tallies:
        if t.wrong and (args.verbose or t.name == "engine"):
            print(f"\n{t.name}: pairs not decided right")
            for w in t.wrong[:60]:
                print("  " + w)
    engine_t = tallies[0]
    return 0 if engine_t.right == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
