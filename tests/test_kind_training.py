"""`training`: the metric achieved and the one required."""
from __future__ import annotations

import numpy as np
import pytest

from grader.errors import GraderError, Location
from grader.kinds import get_kind
from grader.kinds.training import accuracy, final_loss

WHERE = Location(file="exercise.toml", key="parts.training", part="training")


def test_accuracy_from_labels_or_scores():
    y = np.array([0, 1, 2, 1])
    assert accuracy([0, 1, 2, 0], y).value == 0.75
    assert accuracy(np.eye(3)[[0, 1, 2, 1]] * 5, y).text == "held-out accuracy 1.000 (4 of 4 points)"
    with pytest.raises(ValueError, match="shape 3 for 4 points; expected 4 labels"):
        accuracy([0, 1, 2], y)
    with pytest.raises(ValueError, match="not an array of labels"):
        accuracy({"labels": [0]}, y)
    with pytest.raises(ValueError, match="NaN"):
        accuracy([0, 1, float("nan"), 1], y)


def test_final_loss_from_a_list_or_a_dict():
    assert final_loss([3.0, 1.0, 0.25]).text == "final loss 0.25 after 3 recorded step(s)"
    assert final_loss({"loss": [2.0, 0.5]}).value == 0.5
    with pytest.raises(ValueError, match="no 'loss'"):
        final_loss({"W": [1.0]})
    with pytest.raises(ValueError, match="final loss is nan"):
        final_loss([1.0, float("nan")])


def test_options_are_checked_at_load_time():
    kind = get_kind("training")
    base = {"train": "train", "predict": "predict", "dataset": {"name": "circles"}, "threshold": 0.9}
    with pytest.raises(GraderError, match="needs 'predict'"):
        kind.parse_options({k: v for k, v in base.items() if k != "predict"}, WHERE)
    with pytest.raises(GraderError, match="unknown data set 'moons'"):
        kind.parse_options({**base, "dataset": {"name": "moons"}}, WHERE)
    with pytest.raises(GraderError, match=r"threshold' must be in \(0, 1\]"):
        kind.parse_options({**base, "threshold": 90}, WHERE)
    with pytest.raises(GraderError, match="'metric' must be one of accuracy, loss"):
        kind.parse_options({**base, "metric": "f1"}, WHERE)
