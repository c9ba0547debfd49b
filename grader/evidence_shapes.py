"""Builders for the evidence shapes the reports draw (docs/reports.md, "Evidence shapes").

Answer kinds may build `Evidence(kind, message, data)` by hand; these functions make the
documented shapes easy to get right (JSON-safe values, row 0 of a grid at the bottom, code
lines found by function name), so that a page shows a table, math, code or a chart instead
of only a sentence.
"""
from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from grader.results import Evidence

MAX_EXCERPT = 60


def _plain(value: Any) -> Any:
    """JSON-safe: numpy arrays and scalars become lists and floats."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def counterexample(message: str, point: dict[str, float], student: Any, reference: Any) -> Evidence:
    return Evidence("counterexample", message, {"point": _plain(point), "student": _plain(student),
                                                "reference": _plain(reference)})


def first_wrong_step(message: str, step: int, before: str, after: str) -> Evidence:
    """Step `step` (1-based) of a derivation, `after` (LaTeX), does not follow from `before`."""
    return Evidence("first-wrong-step", message, {"step": step, "from": before, "to": after})


def failing_input(message: str, inputs: Any, expected: Any = None, actual: Any = None,
                  error: str | None = None) -> Evidence:
    data: dict[str, Any] = {"input": _plain(inputs)}
    if expected is not None:
        data["expected"] = _plain(expected)
    if actual is not None or error is None:
        data["actual"] = _plain(actual)
    if error is not None:
        data["error"] = error
    return Evidence("failing-input", message, data)


def loss_curve(message: str, student: Sequence[float] | None, reference: Sequence[float] | None = None,
               log_y: bool = False, x_label: str = "iteration", y_label: str = "loss") -> Evidence:
    """Losses per iteration (or epoch); NaN/inf become null so the JSON stays valid."""
    def clean(vals: Sequence[float]) -> list[float | None]:
        return [float(v) if math.isfinite(float(v)) else None for v in np.asarray(vals, dtype=float).ravel()]

    data: dict[str, Any] = {"log_y": log_y, "x_label": x_label, "y_label": y_label}
    if student is not None:
        data["student"] = clean(student)
    if reference is not None:
        data["reference"] = clean(reference)
    return Evidence("loss_curve", message, data)


def prediction_grid(predict: Callable[[np.ndarray], Any], x_range: Sequence[float], y_range: Sequence[float],
                    n: int = 40) -> list[list[int]]:
    """Classes `predict` gives at the centres of an n × n grid; row 0 is the bottom row.

    `predict` takes an (n·n, 2) array of points and returns one class (or a probability of
    class 1, thresholded at 0.5) per point.
    """
    xs = x_range[0] + (np.arange(n) + 0.5) * (x_range[1] - x_range[0]) / n
    ys = y_range[0] + (np.arange(n) + 0.5) * (y_range[1] - y_range[0]) / n
    gx, gy = np.meshgrid(xs, ys)  # gy varies along rows: row 0 holds the lowest y
    out = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()])), dtype=float).reshape(-1)
    if out.size != n * n:
        raise ValueError(f"predict returned {out.size} values for {n * n} points")
    is_probability = np.all((out >= 0) & (out <= 1)) and not np.all(out == np.round(out))
    classes = (out >= 0.5).astype(int) if is_probability else np.round(out).astype(int)
    return classes.reshape(n, n).tolist()


def decision_boundary(message: str, x_range: Sequence[float], y_range: Sequence[float],
                      student: list[list[int]] | None, reference: list[list[int]] | None = None,
                      points: np.ndarray | Sequence[Sequence[float]] = (), labels: Sequence[int] = (),
                      accuracy: float | None = None, reference_accuracy: float | None = None) -> Evidence:
    """Two prediction grids (see `prediction_grid`) and the data: points (N, 2) with labels (N,)."""
    data: dict[str, Any] = {"x_range": [float(x_range[0]), float(x_range[1])],
                            "y_range": [float(y_range[0]), float(y_range[1])]}
    if student is not None:
        data["student"] = _plain(student)
    if reference is not None:
        data["reference"] = _plain(reference)
    pts = np.asarray(points, dtype=float).reshape(-1, 2) if len(points) else np.zeros((0, 2))
    data["points"] = [[float(x), float(y), int(k)] for (x, y), k in zip(pts, labels)]
    if accuracy is not None:
        data["accuracy"] = float(accuracy)
    if reference_accuracy is not None:
        data["reference_accuracy"] = float(reference_accuracy)
    return Evidence("decision_boundary", message, data)


def code_lines(path: Path, function: str | None = None, highlight: Sequence[int] = (),
               display_name: str | None = None) -> Evidence | None:
    """The lines of `function` in the student's file `path` (the whole file, capped, when
    `function` is None or not found as a plain `def`); None when the file cannot be read.

    Parses with `ast` only to find line numbers: nothing of the student's is executed.
    """
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = source.splitlines()
    first, last = 1, min(len(lines), MAX_EXCERPT)
    if function:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            tree = None
        node = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and n.name == function), None) if tree else None
        if node is not None:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            last = min(node.end_lineno or node.lineno, first + MAX_EXCERPT - 1)
    name = display_name or path.name
    where = f"{function}, lines {first}–{last} of {name}" if function else f"{name}, lines {first}–{last}"
    return Evidence("code", where, {"file": name, "first_line": first, "lines": lines[first - 1:last],
                                    "highlight": [h for h in highlight if first <= h <= last]})
