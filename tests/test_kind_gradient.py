"""`gradient`: finite differences of the student's loss, compared in the grader."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from grader.errors import GraderError, Location
from grader.kinds import get_kind
from grader.kinds.gradient import fd_indices, read_gradients, relative_error

WHERE = Location(file="exercise.toml", key="parts.g", part="g")


def quadratic_loss(w, A):
    return float(0.5 * w @ A @ w + np.sum(np.maximum(0, w)))


def fake_report(kind, o, values, positions, loss):
    """What the sandbox would report for these calls, computed from a trusted loss here."""
    outcomes = []
    for call in kind.calls(o, values, positions):
        if call.label == "grad":
            continue
        outcomes.append(SimpleNamespace(label=call.label, ok=True, value=loss(*call.args), error=None, limit=None))
    return SimpleNamespace(outcomes=outcomes, load_error=None, isolation="rlimits")


def options(**extra):
    raw = {"function": "grad", "loss": "loss", "params": ["w"],
           "inputs": {"w": {"normal": [6]}, "A": {"array": np.eye(6).tolist()}}, **extra}
    return get_kind("gradient").parse_options(raw, WHERE)


def setup(o):
    kind = get_kind("gradient")
    rng = np.random.default_rng(1)
    values = {"w": rng.normal(size=6) + 0.5, "A": np.diag(np.arange(1.0, 7.0))}
    positions = {"w": fd_indices((6,), 6, rng)}
    return kind, values, positions


def test_right_gradient_passes_and_says_the_largest_error():
    o = options()
    kind, values, positions = setup(o)
    report = fake_report(kind, o, values, positions, quadratic_loss)
    w, A = values["w"], values["A"]
    ok, message, data = kind._finite_differences(o, report, "w", A @ w + (w > 0), positions["w"])
    assert ok and message.startswith("w: matches centred finite differences of your `loss`")
    assert data["max_rel_error"] < 1e-7 and data["entries"] == 6


def test_wrong_gradient_names_the_entry_both_values_and_the_error():
    o = options()
    kind, values, positions = setup(o)
    report = fake_report(kind, o, values, positions, quadratic_loss)
    w, A = values["w"], values["A"]
    wrong = A @ w  # forgot the ReLU term's derivative
    ok, message, data = kind._finite_differences(o, report, "w", wrong, positions["w"])
    assert not ok
    i = data["worst"]["index"][0]
    assert f"at w[{i}] your `grad` gives {wrong[i]:.6g}, but (L(w + h) − L(w − h)) / 2h = " in message
    assert "which must be below 1e-07" in message


def test_a_kink_within_h_is_skipped_not_blamed():
    o = options()
    kind, values, positions = setup(o)
    values["w"][positions["w"][0]] = 3e-6  # the ReLU switches within ±h of this entry
    report = fake_report(kind, o, values, positions, quadratic_loss)
    w, A = values["w"], values["A"]
    ok, message, data = kind._finite_differences(o, report, "w", A @ w + (w > 0), positions["w"])
    assert ok and "1 entry at a kink of the loss skipped" in message and data["kinks"]


def test_a_failing_loss_is_reported_not_crashed():
    o = options()
    kind, values, positions = setup(o)
    report = fake_report(kind, o, values, positions, quadratic_loss)
    report.outcomes[3] = SimpleNamespace(label=report.outcomes[3].label, ok=False, value=None,
                                         error="ValueError: shapes do not match (net.py:12)", limit=None)
    ok, message, data = kind._finite_differences(o, report, "w", values["w"], positions["w"])
    assert message is None and "Your `loss` failed at a perturbed point" in data["error"]
    assert "net.py:12" in data["error"]


def test_relative_error_is_the_course_formula():
    assert relative_error(1.0, 1.0) == 0
    assert relative_error(1.0, 3.0) == pytest.approx(0.5)
    assert relative_error(0.0, 0.0) == 0
    assert relative_error(1e-10, 0.0) == pytest.approx(1e-2)  # floor 1e-8 in the denominator


def test_gradients_read_from_dict_pair_or_tuple():
    params = ("W", "b")
    assert read_gradients({"W": 1, "b": 2, "extra": 3}, params) == {"W": 1, "b": 2}
    assert read_gradients((0.5, {"W": 1, "b": 2}), ("W", "b", "c")[:2]) == {"W": 0.5, "b": {"W": 1, "b": 2}}
    assert read_gradients((0.5, {"W": 1, "b": 2, "c": 3}), ("W", "b", "c")) == {"W": 1, "b": 2, "c": 3}
    with pytest.raises(ValueError, match="has no key 'b'"):
        read_gradients({"W": 1, "db": 2}, params)


def test_positions_are_seeded_and_distinct():
    a = fd_indices((4, 5), 10, np.random.default_rng(3))
    assert a == fd_indices((4, 5), 10, np.random.default_rng(3))
    assert len(set(a)) == 10 and all(0 <= i < 4 and 0 <= j < 5 for i, j in a)
    assert len(fd_indices((3,), 10, np.random.default_rng(3))) == 3


def test_options_errors_name_the_problem():
    kind = get_kind("gradient")
    base = {"function": "g", "loss": "l", "params": ["W"], "inputs": {"W": {"normal": [2, 2]}}}
    with pytest.raises(GraderError, match="'params' names 'V', which is not in 'inputs'"):
        kind.parse_options({**base, "params": ["V"]}, WHERE)
    with pytest.raises(GraderError, match="exactly one of normal, uniform, integers, array"):
        kind.parse_options({**base, "inputs": {"W": {"gauss": [2]}}}, WHERE)
    with pytest.raises(GraderError, match="'integers' needs an integer 'high'"):
        kind.parse_options({**base, "inputs": {"W": {"normal": [2]}, "y": {"integers": [3]}}}, WHERE)
    with pytest.raises(GraderError, match="'wrt' names 'b'"):
        kind.parse_options({**base, "wrt": ["b"]}, WHERE)


# --- check() on a fabricated sandbox run: what the student reads ----------------------------

from grader.exercise.model import Mistake  # noqa: E402
from tests.code_kind_helpers import code_task, fabricated_run  # noqa: E402

LINEAR = '''
import numpy as np

def loss(X, y, W, reg):
    return float(np.mean((X @ W - y) ** 2) + reg * np.sum(W * W))

def grad(X, y, W, reg):
    return {"W": 2 * X.T @ (X @ W - y) / len(y) + 2 * reg * W}

def grad_no_reg(X, y, W, reg):
    return {"W": 2 * X.T @ (X @ W - y) / len(y)}
'''
GRAD_OPTIONS = {"function": "grad", "loss": "loss", "params": ["W"],
                "inputs": {"X": {"normal": [8, 3]}, "y": {"normal": [8]}, "W": {"normal": [3]}, "reg": 0.1}}
NO_REG = Mistake("missing-2lw", "grad_no_reg", "The 2λW term is missing.")


def check_gradient(tmp_path, monkeypatch, student, solution=LINEAR):
    import grader.kinds.gradient as gradient

    monkeypatch.setattr(gradient, "run_student", fabricated_run(student))
    task = code_task(tmp_path, "gradient", GRAD_OPTIONS, student, solution, mistakes=[NO_REG])
    return get_kind("gradient").check(task)


def test_right_gradient_is_correct_against_both(tmp_path, monkeypatch):
    res = check_gradient(tmp_path, monkeypatch, LINEAR)
    assert res.status.value == "correct" and res.score == 2
    assert res.feedback == ["W: matches the reference."]
    fd = next(e for e in res.evidence if e.kind == "finite-differences")
    assert fd.message.startswith("W: matches centred finite differences of your `loss` (largest relative error")


def test_a_known_mistake_is_named_first(tmp_path, monkeypatch):
    student = LINEAR.replace('return {"W": 2 * X.T @ (X @ W - y) / len(y) + 2 * reg * W}',
                             'return {"W": 2 * X.T @ (X @ W - y) / len(y)}', 1)
    res = check_gradient(tmp_path, monkeypatch, student)
    assert res.status.value == "incorrect" and res.diagnosis == "missing-2lw"
    assert res.feedback[0] == "The 2λW term is missing."
    assert res.feedback[1].startswith("W: your gradient differs from the right one on the same inputs: at W[")
    assert "disagrees with centred finite differences of your `loss`" in res.feedback[2]


def test_consistent_but_wrong_loss_and_gradient_are_told_apart(tmp_path, monkeypatch):
    student = LINEAR.replace("np.mean(", "np.sum(").replace("/ len(y) + 2 * reg", "+ 2 * reg", 1)
    res = check_gradient(tmp_path, monkeypatch, student)
    assert res.status.value == "incorrect"
    assert res.feedback[-1] == ("Your gradient is consistent with your own `loss`, so both compute something "
                                "other than the loss the statement defines.")


def test_wrong_shape_and_missing_key_are_explained(tmp_path, monkeypatch):
    res = check_gradient(tmp_path, monkeypatch, LINEAR.replace('return {"W": 2 * X.T', 'return {"W": [[1.0]] or 2 * X.T', 1))
    assert res.status.value == "incorrect" and res.diagnosis == "wrong-shape"
    assert res.feedback[0] == ("The gradient for W has shape 1 × 1, but W has shape 3: "
                               "a gradient has the shape of its parameter.")
    res = check_gradient(tmp_path, monkeypatch, LINEAR.replace('return {"W": 2', 'return {"dW": 2', 1))
    assert res.status.value == "error" and "has no key 'W' (it has 'dW')" in res.feedback[0]


def test_without_reference_finite_differences_decide(tmp_path, monkeypatch):
    res = check_gradient(tmp_path, monkeypatch, LINEAR, solution=None)
    assert res.status.value == "correct" and res.feedback[-1] == "(Checked by finite differences only: no reference here.)"
