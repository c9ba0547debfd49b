"""`training`: run the student's training code on a generated data set and check a metric.

The data set (grader.datasets: xor, circles, spirals, blobs) is drawn from a seed of the
exercise and the student, split into a training and a held-out part (stratified), and the
student's `train(X, y, **settings)` runs in the sandbox within the part's time budget. Its
result stays in the sandbox; `predict(model, X_test)` gives labels (or one score per class,
read by argmax) and the held-out accuracy must reach `threshold`. With `metric = "loss"`,
`train` returns the losses it saw (a list, or a dict with a `loss` list) and the last one
must be at most `threshold`. The report says the metric achieved and the one required.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader import datasets
from grader.errors import ExerciseError, Location
from grader.evidence_shapes import decision_boundary, loss_curve, prediction_grid
from grader.kinds._code import (as_array, call_reference, isolation_evidence, no_unknown_keys, opt_name, opt_number,
                                opt_str, outcome, render_value, run_failed, run_student, solution_function)
from grader.kinds.base import AnswerKind, CheckTask
from grader.results import Evidence, PartResult, Status
from grader.sandbox import Call, ResultOf

METRICS = ("accuracy", "loss")
GRID_N = 40  # the decision-boundary picture: 40 × 40 predictions


@dataclass(frozen=True)
class TrainingOptions:
    train: str
    dataset: dict[str, Any]
    threshold: float
    metric: str = "accuracy"
    predict: str | None = None
    test_fraction: float = 0.3
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class Measured:
    """What a run achieved: the metric's value and the words for it."""

    value: float
    text: str


def accuracy(predicted: Any, labels: np.ndarray) -> Measured:
    """Held-out accuracy of labels or per-class scores; ValueError saying what is wrong."""
    arr = as_array(predicted)
    n = labels.shape[0]
    if arr is None or arr.dtype == object:
        raise ValueError(f"it returned {type(predicted).__name__}, not an array of labels")
    if arr.ndim == 2 and arr.shape[0] == n and arr.shape[1] > 1:
        arr = arr.argmax(axis=1)
    elif arr.ndim == 2 and arr.shape[0] == n and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.shape != (n,):
        raise ValueError(f"it returned {'a scalar' if arr.ndim == 0 else 'shape ' + ' × '.join(map(str, arr.shape))} "
                         f"for {n} points; expected {n} labels (or an {n} × classes array of scores)")
    if not np.all(np.isfinite(arr)):
        raise ValueError("its predictions contain NaN or infinity")
    value = float(np.mean(arr == labels))
    return Measured(value, f"held-out accuracy {value:.3f} ({int(round(value * n))} of {n} points)")


def final_loss(returned: Any) -> Measured:
    """The last loss of what train returned (a list of losses, or a dict with 'loss')."""
    arr = losses(returned)
    last = float(arr[-1])
    if not np.isfinite(last):
        raise ValueError(f"its final loss is {last}")
    return Measured(last, f"final loss {last:.4g} after {arr.size} recorded step(s)")


def losses(returned: Any) -> np.ndarray:
    """The losses train returned, flat; ValueError saying what is wrong."""
    if isinstance(returned, dict):
        for key in ("loss", "losses", "loss_history"):
            if key in returned:
                returned = returned[key]
                break
        else:
            raise ValueError("the dict it returned has no 'loss' (the list of losses seen while training)")
    arr = as_array(returned)
    if arr is None or arr.dtype == object or arr.size == 0:
        raise ValueError("it must return the losses seen while training (a list of numbers)")
    return arr.reshape(-1).astype(float)


MAX_CURVE_POINTS = 200  # a loss curve in the report: enough to see its shape, small in the page


def _thinned(values: np.ndarray) -> np.ndarray:
    if values.size <= MAX_CURVE_POINTS:
        return values
    keep = np.unique(np.linspace(0, values.size - 1, MAX_CURVE_POINTS).round().astype(int))
    return values[keep]


@dataclass
class _Grid:
    """The centres of an n × n grid over the data, row 0 at the bottom (evidence_shapes)."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    n: int = GRID_N

    @classmethod
    def around(cls, X: np.ndarray) -> "_Grid":
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = 0.1 * (hi - lo) + 1e-9
        return cls((float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1])))

    @property
    def points(self) -> np.ndarray:
        xs = self.x_range[0] + (np.arange(self.n) + 0.5) * (self.x_range[1] - self.x_range[0]) / self.n
        ys = self.y_range[0] + (np.arange(self.n) + 0.5) * (self.y_range[1] - self.y_range[0]) / self.n
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack([gx.ravel(), gy.ravel()])

    def classes(self, predicted: Any) -> list[list[int]] | None:
        """The predicted classes as a grid, or None when they are not one label per point."""
        try:
            return prediction_grid(lambda _: _labels(predicted), self.x_range, self.y_range, self.n)
        except (TypeError, ValueError):
            return None


def _labels(predicted: Any) -> np.ndarray:
    arr = as_array(predicted)
    if arr is None:
        raise ValueError("not numbers")
    return arr.argmax(axis=1) if arr.ndim == 2 and arr.shape[1] > 1 else arr.reshape(-1)


class TrainingKind(AnswerKind):
    name = "training"
    reference_from = None  # the threshold is the reference
    answer_from = "code"

    def parse_options(self, raw: dict[str, Any], where: Location) -> TrainingOptions:
        known = {"train", "predict", "dataset", "test_fraction", "metric", "threshold", "settings"}
        no_unknown_keys(raw, known, self.name, where)
        metric = opt_str(raw, "metric", where, "accuracy")
        if metric not in METRICS:
            raise ExerciseError(f"'metric' must be one of {', '.join(METRICS)}, not {metric!r}", location=where)
        if metric == "accuracy" and "predict" not in raw:
            raise ExerciseError("metric \"accuracy\" needs 'predict' (the student's predict(model, X) function)",
                                location=where)
        fraction = opt_number(raw, "test_fraction", where, 0.3)
        if not 0 < fraction < 1:
            raise ExerciseError("'test_fraction' must be between 0 and 1", location=where)
        settings = raw.get("settings", {})
        if not isinstance(settings, dict) or not all(isinstance(k, str) and k.isidentifier() for k in settings):
            raise ExerciseError("'settings' must be a table of keyword arguments for train", location=where)
        threshold = opt_number(raw, "threshold", where, 0.0, positive=False)
        if metric == "accuracy" and not 0 < threshold <= 1:
            raise ExerciseError("an accuracy 'threshold' must be in (0, 1]", location=where)
        return TrainingOptions(
            train=opt_name(raw, "train", where),
            predict=opt_name(raw, "predict", where) if "predict" in raw else None,
            dataset=datasets.check_spec(raw.get("dataset"), Location(where.file, f"{where.key}.dataset", where.part)),
            threshold=threshold, metric=metric, test_fraction=fraction, settings=dict(settings),)

    def data(self, task: CheckTask) -> tuple[datasets.Dataset, datasets.Dataset]:
        o: TrainingOptions = task.part.options
        seed = int(task.ctx.rng("training", task.part.id, "data").integers(2**31))
        full = datasets.make(o.dataset, seed)
        return datasets.split(full, o.test_fraction, seed + 1)

    def _boundary(self, task: CheckTask, o: TrainingOptions, grid: _Grid, report: Any, train: datasets.Dataset,
                  test: datasets.Dataset, settings: dict[str, Any], measured: Measured) -> Evidence | None:
        """The student's decision regions beside the reference's (when solution.py trains too)."""
        out = outcome(report, "grid")
        student = grid.classes(out.value) if out is not None and out.ok else None
        if student is None:
            return None
        reference, reference_accuracy = None, None
        try:  # the reference's picture only when solution.py has the same train/predict
            fit, predict = solution_function(task, o.train), solution_function(task, o.predict or "")
        except ExerciseError:
            fit = predict = None
        if fit is not None and predict is not None:
            model = call_reference(task, fit, train.X, train.y, **settings)
            reference = grid.classes(call_reference(task, predict, model, grid.points))
            reference_accuracy = float(np.mean(_labels(call_reference(task, predict, model, test.X)) == test.y))
        return decision_boundary(
            f"What your trained network predicts over the plane, with the held-out points on top "
            f"(their colour is the true class).", grid.x_range, grid.y_range, student, reference,
            points=test.X, labels=test.y, accuracy=measured.value if o.metric == "accuracy" else None,
            reference_accuracy=reference_accuracy)

    def _curve(self, task: CheckTask, o: TrainingOptions, train: datasets.Dataset, settings: dict[str, Any],
               returned: Any) -> Evidence:
        """The losses the student's training saw, beside the reference solution's on the same
        data and settings (when solution.py has the same train function)."""
        mine = losses(returned)
        reference = None
        try:
            fit = solution_function(task, o.train)
        except ExerciseError:
            fit = None
        if fit is not None:
            try:
                reference = losses(call_reference(task, fit, train.X, train.y, **settings))
            except ValueError:
                reference = None
        both = np.concatenate([mine, reference if reference is not None else []])
        finite = both[np.isfinite(both)]
        log_y = bool(finite.size and finite.min() > 0 and finite.max() / finite.min() > 100)
        said = ", beside the reference solution's on the same data and settings" if reference is not None else ""
        return loss_curve(f"The losses your `{o.train}` recorded while training{said}.",
                          _thinned(mine), _thinned(reference) if reference is not None else None, log_y=log_y,
                          x_label="recorded step")

    def check(self, task: CheckTask) -> PartResult:
        o: TrainingOptions = task.part.options
        train, test = self.data(task)
        settings = render_value(o.settings, task.ctx.parameters)
        calls = [Call(o.train, (train.X, train.y), settings, label="train", want_value=o.metric == "loss")]
        grid = _Grid.around(np.concatenate([train.X, test.X])) if o.predict and train.X.shape[1] == 2 else None
        if o.predict:
            calls.append(Call(o.predict, (ResultOf("train"), test.X), label="predict"))
        if grid is not None:
            calls.append(Call(o.predict, (ResultOf("train"), grid.points), label="grid"))
        report = run_student(task, calls)
        label = "train" if o.metric == "loss" else "predict"
        shown = f"`{o.train}`" if label == "train" else f"`{o.predict}`"
        failed = run_failed(self, task, report, outcome(report, "train"), f"`{o.train}`") \
            or run_failed(self, task, report, outcome(report, label), shown)
        if failed is not None:
            return failed
        where = (f"the {o.dataset['name']} data set ({len(train)} training points, {len(test)} held out, "
                 f"{train.classes} classes)")
        try:
            measured = accuracy(outcome(report, "predict").value, test.y) if o.metric == "accuracy" \
                else final_loss(outcome(report, "train").value)
        except ValueError as e:
            message = f"{shown}: {e}."
            return self.result(task, Status.ERROR, feedback=[message], answer_format="code",
                               evidence=[Evidence("format", message), isolation_evidence(report)])
        duration = sum(getattr(x, "duration_s", 0.0) or 0.0 for x in report.outcomes)
        passed = measured.value >= o.threshold if o.metric == "accuracy" else measured.value <= o.threshold
        required = (f"at least {o.threshold:g}" if o.metric == "accuracy" else f"at most {o.threshold:g}")
        message = (f"On {where} your code reached a {measured.text}; required: {o.metric} {required}. "
                   f"Training took {duration:.2f} s.")
        evidence = [Evidence("metric", message, {"metric": o.metric, "value": measured.value,
                                                 "threshold": o.threshold, "dataset": o.dataset,
                                                 "train_points": len(train), "test_points": len(test),
                                                 "duration_s": round(duration, 3)}),
                    isolation_evidence(report)]
        if grid is not None:
            picture = self._boundary(task, o, grid, report, train, test, settings, measured)
            if picture is not None:
                evidence.insert(1, picture)
        if o.metric == "loss":
            evidence.insert(1, self._curve(task, o, train, settings, outcome(report, "train").value))
        if passed:
            return self.result(task, Status.CORRECT, 1.0, feedback=[message], evidence=evidence, answer_format="code")
        return self.result(task, Status.INCORRECT, 0.0, feedback=[message], evidence=evidence,
                           diagnosis="below-threshold", answer_format="code")

