"""The evidence builders produce the shapes the pages draw, JSON-safe."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from grader import evidence_shapes as shapes
from grader.report.evidence import evidence_view
from grader.results import Evidence, PartResult, Result, Status


def _roundtrip(ev: Evidence) -> Evidence:
    """Through the result JSON, as the gradebook stores it."""
    part = PartResult("p", "k", Status.INCORRECT, 0, 1, [], [ev])
    back = Result.from_dict(json.loads(Result("e", "1", "E", "s", "x", {}, [part]).to_json()))
    return back.parts[0].evidence[0]


def test_prediction_grid_puts_low_y_in_row_zero_and_thresholds_probabilities() -> None:
    grid = shapes.prediction_grid(lambda p: 1 / (1 + np.exp(-10 * p[:, 1])), (-1, 1), (-1, 1), n=4)
    assert grid == [[0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1], [1, 1, 1, 1]]
    classes = shapes.prediction_grid(lambda p: (p[:, 0] > 0).astype(int), (-1, 1), (-1, 1), n=2)
    assert classes == [[0, 1], [0, 1]]


def test_decision_boundary_and_loss_curve_render_as_charts_after_json() -> None:
    ref = shapes.prediction_grid(lambda p: (p[:, 0] * p[:, 1] > 0).astype(int), (-1, 1), (-1, 1), n=10)
    ev = shapes.decision_boundary("Boundary.", (-1, 1), (-1, 1), ref, ref, np.array([[0.5, 0.5], [-0.5, 0.5]]),
                                  np.array([1, 0]), accuracy=np.float64(0.75))
    view = evidence_view(_roundtrip(ev))
    assert len(view.figures) == 2 and view.note is None and ("your accuracy", "0.75") in view.rows
    curve = shapes.loss_curve("Loss.", np.array([1.0, np.nan, 0.5, np.inf]), [1.0, 0.4], log_y=True)
    assert curve.data["student"] == [1.0, None, 0.5, None]
    view = evidence_view(_roundtrip(curve))
    assert len(view.figures) == 1 and ("reference final loss", "0.4") in view.rows


def test_failing_input_and_counterexample_are_json_safe() -> None:
    ev = shapes.failing_input("f fails.", {"X": np.eye(2)}, expected=np.array([1.0, 2.0]), actual=None,
                              error="ValueError: bad")
    assert json.dumps(ev.data) and ev.data["input"] == {"X": [[1.0, 0.0], [0.0, 1.0]]}
    rows = dict(evidence_view(_roundtrip(ev)).rows)
    assert rows["expected"] == "[1, 2]" and rows["error"] == "ValueError: bad"
    cx = shapes.counterexample("Differs.", {"x": np.float64(0.5)}, 1.25, 0.75)
    rows = dict(evidence_view(_roundtrip(cx)).rows)
    assert "<mi>x</mi>" in rows.pop("at") and rows == {"your expression gives": "1.25",
                                                        "expected": "0.75"}


def test_code_lines_finds_the_function_without_running_it(tmp_path: Path) -> None:
    src = tmp_path / "net.py"
    src.write_text("import os\nos.system('rm -rf /')\n\n@dec\ndef f(x):\n    y = x\n    return y\n\ndef g():\n    pass\n",
                   encoding="utf-8")
    ev = shapes.code_lines(src, "f", highlight=[6, 9])
    assert ev is not None and ev.message == "f, lines 4–7 of net.py"
    assert ev.data["lines"] == ["@dec", "def f(x):", "    y = x", "    return y"] and ev.data["highlight"] == [6]
    code = evidence_view(_roundtrip(ev)).code
    assert code is not None and code.numbered()[2] == (6, "    y = x", True)
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n", encoding="utf-8")
    whole = shapes.code_lines(broken, "f")
    assert whole is not None and whole.data["lines"] == ["def f(:"]  # unparsable: the file's start
    assert shapes.code_lines(tmp_path / "missing.py", "f") is None
