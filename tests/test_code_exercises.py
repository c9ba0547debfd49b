"""The two code showcase exercises end to end: validate, the example class, self-checks."""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from grader.checking import grade_path
from grader.exercise.loader import load_one
from grader.kinds import _code
from grader.results import Status


def test_alice_gets_full_marks(cli, course: Path) -> None:
    alice = course / "examples" / "class" / "alice"
    res = cli("check", "two-layer-net", alice, "--course", course)
    assert res.exit_code == 0 and "Score: 13 / 13" in res.output, res.output
    res = cli("check", "perceptron", alice, "--course", course)
    assert "Score: 6 / 6" in res.output, res.output


def test_bob_is_told_what_is_wrong_where(repo: Path) -> None:
    ex = load_one(repo, "two-layer-net")
    result = grade_path(ex, repo / "examples" / "class" / "bob")
    w2 = result.part("grad_W2")
    assert w2.status == Status.INCORRECT and w2.diagnosis == "lambda-w"
    assert w2.feedback[0] == "The derivative of λ‖W‖² is 2λW, not λW: the factor 2 is missing."
    assert result.part("grad_b2").status == Status.CORRECT
    vec = result.part("vectorised")
    assert vec.status == Status.INCORRECT
    assert "two-layer-net.py, line 18: `picked = np.array([probs[i, y[i]] for i in range(len(y))])` in `loss`" \
        in "\n".join(vec.feedback)
    training = result.part("training")
    assert training.status == Status.CORRECT
    assert "held-out accuracy" in training.feedback[0] and "required: accuracy at least 0.9" in training.feedback[0]
    trace = grade_path(load_one(repo, "perceptron"), repo / "examples" / "class" / "bob").part("and_trace")
    assert trace.diagnosis == "strict-threshold" and "Step 1 (epoch = 1, x = [0, 0], t = 0)" in trace.feedback[1]


def test_carols_hostile_code_scores_nothing_and_is_told_why(repo: Path) -> None:
    result = grade_path(load_one(repo, "two-layer-net"), repo / "examples" / "class" / "carol")
    assert all(result.part(p).score == 0 for p in ("grad_W1", "grad_b1", "grad_W2", "grad_b2", "training"))
    assert result.part("training").feedback[0].startswith("Your code ended the process in `train`")
    assert "has no key 'W1'" in result.part("grad_W1").feedback[0]
    broken = grade_path(load_one(repo, "perceptron"), repo / "examples" / "class" / "carol").part("and_trace")
    assert broken.status == Status.ERROR
    assert broken.feedback == ["Your code could not be loaded: SyntaxError: expected ':' (at perceptron.py:1)"]


def test_the_four_gradient_parts_share_one_sandbox_run(repo: Path, monkeypatch) -> None:
    runs: list[int] = []
    real = _code.run_calls

    def counting(files, calls, limits):
        runs.append(len(calls))
        return real(files, calls, limits)

    monkeypatch.setattr(_code, "run_calls", counting)
    _code._RUNS.clear()
    grade_path(load_one(repo, "two-layer-net"), repo / "solutions" / "two-layer-net" / "wrong" / "missing-2lw")
    assert len(runs) == 3  # gradients (4 parts, 1 run), vectorised (2 batch sizes), training
    assert runs[0] == 2 + 2 * (10 + 5 + 10 + 3)  # grad + loss at the point + ±h per checked entry


def only(ex, *part_ids):
    """The exercise with just these parts (fewer sandbox runs in a test)."""
    return replace(ex, parts=[ex.part(p) for p in part_ids])


def test_self_check_without_the_reference_uses_finite_differences(course: Path) -> None:
    shutil.rmtree(course / "solutions")
    ex = only(load_one(course, "two-layer-net"), "grad_W1")
    good = grade_path(ex, course / "examples" / "class" / "alice")
    w1 = good.part("grad_W1")
    assert w1.status == Status.CORRECT and "Checked by finite differences only" in w1.feedback[-1]
    bad = grade_path(ex, course / "examples" / "class" / "bob")
    assert bad.part("grad_W1").status == Status.INCORRECT
    assert "disagrees with centred finite differences of your `loss`" in bad.part("grad_W1").feedback[0]
    trace = grade_path(load_one(course, "perceptron"), course / "examples" / "class" / "alice").part("and_trace")
    assert trace.status == Status.ERROR and "reference solution, which is not available here" in trace.feedback[0]


@pytest.mark.parametrize("student", ["s01", "s02", "s03"])
def test_reference_training_reaches_the_threshold_for_other_students(repo: Path, student: str) -> None:
    ex = only(load_one(repo, "two-layer-net"), "training")
    res = grade_path(ex, repo / "examples" / "class" / "alice" / "two-layer-net.py", student_id=student)
    assert res.part("training").status == Status.CORRECT, res.part("training").feedback
