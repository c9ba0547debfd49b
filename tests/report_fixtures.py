"""A fixed, synthetic class of results for report tests and the report benchmark.

Built by hand rather than by grading, so that the pages' tests do not move when a kind's
wording changes, and so that every evidence shape of docs/reports.md appears.
"""
from __future__ import annotations

import math

from grader.report.class_report import ReportEntry, RunInfo
from grader.results import Evidence, PartResult, Result, Status

EVIL = "<script>alert('x')</script>"


def loss(n: int, rate: float, floor: float) -> list[float]:
    return [round(floor + 2.0 * math.exp(-rate * i), 6) for i in range(n)]


def boundary(n: int, flip: bool) -> list[list[int]]:
    """An XOR-like reference boundary; `flip` gives a student's linear one."""
    grid = []
    for r in range(n):
        y = -1 + 2 * (r + 0.5) / n
        row = []
        for c in range(n):
            x = -1 + 2 * (c + 0.5) / n
            row.append(int(x + y > 0) if flip else int(x * y > 0))
        grid.append(row)
    return grid


XOR_POINTS = [[-0.6, -0.5, 1], [0.5, 0.6, 1], [-0.5, 0.55, 0], [0.6, -0.4, 0], [0.2, 0.3, 1], [-0.3, 0.2, 0]]


def student_result(sid: str, exercise: str = "scalar-net", variant: int = 0, id_source: str = "folder name") -> Result:
    """A result whose verdicts depend on `variant` (0: all right, 1: wrong, 2: broken)."""
    ok = variant == 0
    parts = [
        PartResult("z", "numeric", Status.CORRECT if ok else Status.INCORRECT, 1.0 if ok else 0.0, 1.0,
                   [] if ok else ["Gradient descent subtracts the gradient."],
                   [] if ok else [Evidence("value", "You gave 3.2.", {"given": 3.2}),
                                  Evidence("diagnosis", "Gradient descent subtracts the gradient.",
                                           {"name": "update-plus"})],
                   answer="z = w_1 x = 3" if ok else "z = 3.2", answer_format="math",
                   diagnosis=None if ok else "update-plus", title="Pre-activation", duration_s=0.001),
        PartResult("dsoftmax", "expression", Status.CORRECT if ok else Status.INCORRECT, 2.0 if ok else 0.0, 2.0,
                   [] if ok else ["Your expression differs from the expected one."],
                   [] if ok else [Evidence("counterexample", "At s_i = 0.3, s_j = 0.2 they differ.",
                                           {"point": {"s_i": 0.3, "s_j": 0.2}, "student": 0.06, "reference": -0.06}),
                                  Evidence("first-wrong-step", "Step 2 does not follow from step 1.",
                                           {"step": 2, "from": "\\frac{e^{z_i}}{\\sum_k e^{z_k}}",
                                            "to": "\\frac{1}{1 + e^{-z_i}}"})],
                   answer="\\frac{\\partial s_i}{\\partial z_j} = s_i(\\delta_{ij} - s_j)" if ok
                   else "\\frac{\\partial s_i}{\\partial z_j} = s_i s_j", answer_format="math",
                   diagnosis=None if ok else "softmax-as-sigmoid", title="Softmax Jacobian", duration_s=0.02),
        PartResult("train", "training", Status.CORRECT if ok else Status.PARTIAL, 3.0 if ok else 1.5, 3.0,
                   [] if ok else ["Your loss stalls: the learning rate is too low."],
                   [Evidence("code", "ff_nn_relu, lines 3–6 of net.py.",
                             {"file": "net.py", "first_line": 3, "highlight": [] if ok else [5],
                              "lines": ["def ff_nn_relu(X, W, b, V, c):", "    H = np.maximum(0, X @ W + b)",
                                        "    z = H @ V + c" if ok else "    z = H @ V - c",
                                        "    return 1 / (1 + np.exp(-z))"]}),
                    Evidence("loss_curve", "Loss per iteration, yours and the reference's.",
                             {"student": loss(60, 0.15 if ok else 0.02, 0.05), "reference": loss(60, 0.15, 0.05),
                              "log_y": True}),
                    Evidence("decision_boundary", "Predicted class over the plane.",
                             {"x_range": [-1, 1], "y_range": [-1, 1], "student": boundary(24, not ok),
                              "reference": boundary(24, False), "points": XOR_POINTS,
                              "accuracy": 1.0 if ok else 0.5, "reference_accuracy": 1.0})],
                   answer="net.py", answer_format="code", title="Train on XOR", duration_s=0.4 + variant),
    ]
    if variant == 2:
        parts[0] = PartResult("z", "numeric", Status.ERROR, 0.0, 1.0, ["Cannot read '3 +' at position 3."],
                              [Evidence("parse-error", "Cannot read '3 +' at position 3.", {"caret": "3 +\n   ^"})],
                              answer="3 +", answer_format="math", title="Pre-activation")
        parts[2] = PartResult("train", "training", Status.ERROR, 0.0, 3.0, ["ff_nn_relu raised ValueError."],
                              [Evidence("failing-input", "ff_nn_relu(X, W, b, V, c) raised ValueError.",
                                        {"input": {"X": [[1, -1], [0, -1]], "c": 1}, "expected": [0.73, 0.5],
                                         "actual": None, "error": "ValueError: shapes (2,2) and (3,4) not aligned"})],
                              answer="net.py\nhelpers.py", answer_format="code", title="Train on XOR")
    messages = ["notes.txt: not an answer file; ignored"] if variant == 2 else []
    return Result(exercise, "1", "Forward and backward pass" if exercise == "scalar-net" else "Softmax",
                  sid, id_source, {"w1": 3, "gamma": 0.1}, parts, messages, f"hash-{sid}-{exercise}",
                  "in a bubblewrap sandbox" if variant != 2 else None, duration_s=0.5 + variant)


def class_entries(n: int = 6, exercises: tuple[str, ...] = ("scalar-net",)) -> list[ReportEntry]:
    ids = ["alice", "bob", "Carol Ann", "dave/../x", EVIL, "zoë"] + [f"s{i:04d}" for i in range(max(0, n - 6))]
    out = []
    for i, sid in enumerate(ids[:n]):
        for ex in exercises:
            source = "front matter" if i % 3 == 1 else "folder name"
            out.append(ReportEntry(sid, ex, student_result(sid, ex, i % 3, source), source,
                                   [f"{sid}/{ex}.md", f"{sid}/net.py"]))
    return out


def run_info() -> RunInfo:
    return RunInfo(started="2026-11-30 07:00:00 UTC", finished="2026-11-30 07:00:05 UTC",
                   submissions_root="examples/class", unattributed_files=["README.txt", f"stray/{EVIL}.md"],
                   executor="local", jobs=2)
