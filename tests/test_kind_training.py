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


# --- check() on a fabricated sandbox run ----------------------------------------------------

from tests.code_kind_helpers import code_task, fabricated_run  # noqa: E402

NEAREST_MEAN = '''
import numpy as np

def train(X, y, shrink=1.0):
    return {"means": np.stack([X[y == k].mean(axis=0) * shrink for k in range(int(y.max()) + 1)])}

def predict(model, X):
    return np.argmin(((X[:, None, :] - model["means"][None]) ** 2).sum(axis=2), axis=1)
'''
TRAIN_OPTIONS = {"train": "train", "predict": "predict", "dataset": {"name": "blobs", "n": 90, "classes": 3, "std": 0.3},
                 "threshold": 0.95, "settings": {"shrink": 1.0}}


def check_training(tmp_path, monkeypatch, student, solution=NEAREST_MEAN, **extra):
    import grader.kinds.training as training

    monkeypatch.setattr(training, "run_student", fabricated_run(student))
    task = code_task(tmp_path, "training", {**TRAIN_OPTIONS, **extra}, student, solution)
    return get_kind("training").check(task)


def test_reaching_the_threshold_says_the_metric_and_draws_both_boundaries(tmp_path, monkeypatch):
    res = check_training(tmp_path, monkeypatch, NEAREST_MEAN)
    assert res.status.value == "correct"
    assert res.feedback[0].startswith("On the blobs data set (63 training points, 27 held out, 3 classes) your code "
                                      "reached a held-out accuracy 1.000 (27 of 27 points); required: accuracy at least 0.95.")
    picture = next(e for e in res.evidence if e.kind == "decision_boundary")
    assert len(picture.data["student"]) == 40 and picture.data["reference_accuracy"] == 1.0


def test_below_the_threshold_is_incorrect_with_both_numbers(tmp_path, monkeypatch):
    res = check_training(tmp_path, monkeypatch, NEAREST_MEAN, settings={"shrink": -1.0})
    assert res.status.value == "incorrect" and res.diagnosis == "below-threshold"
    assert "required: accuracy at least 0.95" in res.feedback[0] and "held-out accuracy 0." in res.feedback[0]


def test_predictions_of_the_wrong_shape_and_failures_are_errors(tmp_path, monkeypatch):
    res = check_training(tmp_path, monkeypatch, NEAREST_MEAN.replace("return np.argmin(", "return 0 * np.argmin(", 1)
                         .replace("axis=2), axis=1)", "axis=2), axis=1)[:5]", 1))
    assert res.status.value == "error"
    assert res.feedback == ["`predict`: it returned shape 5 for 27 points; expected 27 labels "
                            "(or an 27 × classes array of scores)."]
    res = check_training(tmp_path, monkeypatch, NEAREST_MEAN.replace("return {", "raise ValueError('no data')\n    return {", 1))
    assert res.status.value == "error" and res.feedback == ["`train` raised ValueError: no data"]


DESCENT = '''
import numpy as np

def fit(X, y, lr):
    w, seen = 1.0, []
    for step in range(500):
        seen.append(w * w + 0.01)
        w -= lr * 2 * w
    return {"loss": seen}
'''


def test_a_loss_metric_draws_the_students_losses_beside_the_references(tmp_path, monkeypatch):
    import grader.kinds.training as training

    student = DESCENT.replace("lr * 2 * w", "lr * w")
    monkeypatch.setattr(training, "run_student", fabricated_run(student))
    options = {"train": "fit", "dataset": {"name": "blobs", "n": 30, "classes": 2}, "metric": "loss",
               "threshold": 0.02, "settings": {"lr": 0.1}}
    res = get_kind("training").check(code_task(tmp_path, "training", options, student, DESCENT))
    assert res.status.value == "correct"
    curve = next(e for e in res.evidence if e.kind == "loss_curve")
    assert "beside the reference solution's on the same data and settings" in curve.message
    mine, ref = curve.data["student"], curve.data["reference"]
    assert len(mine) == len(ref) == 200  # 500 recorded steps, thinned for the page
    assert mine[0] == ref[0] == pytest.approx(1.01) and mine[10] > ref[10]  # the student descends more slowly
    assert curve.data["log_y"] is True  # 1.01 down to 0.01: a hundredfold
