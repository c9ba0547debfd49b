"""Parser micro-benchmark: median and p99 time to parse course-notation answers.

Run: PYTHONPATH=. python benchmarks/bench_math_parser.py [--repeat 30]
Prints one line per expression group and the overall figures; the parser is built once
before timing (its one-off build time is printed separately).
"""
from __future__ import annotations

import argparse
import statistics
import time

from grader.errors import MathSyntaxError
from grader.math import MathContext, parse_chain

CASES = {
    "scalar": [r"-(y - \hat{y})\, w_2 \, x", "400y(2y^2-x)", r"\frac{1}{2}(y - \hat{y})^2", r"e^{-1}",
               r"\sigma(z)(1-\sigma(z))", r"\frac{e^{-z}}{(1+e^{-z})^2}", r"\max(0, z) + \mathbb{1}[z > 0]"],
    "indexed": [r"s_i(\delta_{ij} - s_j)", r"\frac{e^{z_i}}{\sum_k e^{z_k}}", "s_i*(delta(i,j) - s_j)",
                r"\sum_{k=1}^{N} W_{ik} x_k + b_i", r"z_k^{(2)} - a_i^{(1)}"],
    "matrix": [r"\operatorname{diag}(s) - s s^\top", r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}^T",
               r"\frac{1}{N}(P - Y)"],
    "derivation": [r"\begin{aligned} \frac{\partial s_i}{\partial z_j} &= \frac{e^{z_i}\delta_{ij}\sum_k e^{z_k}"
                   r" - e^{z_i}e^{z_j}}{(\sum_k e^{z_k})^2} \\ &= s_i(\delta_{ij} - s_j) \quad \text{if } i = j"
                   r" \end{aligned}"],
    "refused": ["9^{9^{9^9}}", "(" * 10_000 + "x" + ")" * 10_000, "(" * 45 + "x" + ")" * 45, r"3 \cdot"],
}
CTX = MathContext(shapes={"s": ("n",), "P": ("N", "C"), "Y": ("N", "C")}, dims={"n": 3, "N": 4, "C": 3})


def parse_once(text: str) -> float:
    start = time.perf_counter()
    try:
        parse_chain(text, CTX)
    except MathSyntaxError:
        pass
    return time.perf_counter() - start


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    build = parse_once("x")
    print(f"parser build (once per process): {build * 1000:.1f} ms")
    everything: list[float] = []
    for group, texts in CASES.items():
        times = [parse_once(t) for _ in range(args.repeat) for t in texts]
        everything += times
        print(f"{group:11s} n={len(times):4d}  median {statistics.median(times) * 1000:7.3f} ms"
              f"  p99 {pct(times, 0.99) * 1000:7.3f} ms  max {max(times) * 1000:7.3f} ms")
    print(f"{'all':11s} n={len(everything):4d}  median {statistics.median(everything) * 1000:7.3f} ms"
          f"  p99 {pct(everything, 0.99) * 1000:7.3f} ms  max {max(everything) * 1000:7.3f} ms")


if __name__ == "__main__":
    main()
