"""`trace`: what a student sees when their iterates leave the rule's."""
from __future__ import annotations

import numpy as np
import pytest

from grader.errors import GraderError, Location
from grader.kinds import get_kind
from grader.kinds.trace import TraceFormatError, TraceOptions, compare_traces, read_states

OPTS = TraceOptions(function="perceptron_trace", state=("w", "b"), cases=(), context=("epoch", "x", "t"))


def perceptron(X, t, alpha=1.0, sign=1.0, max_epochs=20):
    w, b = np.zeros(2), 0.0
    out = [{"w": w.copy(), "b": b}]
    for epoch in range(1, max_epochs + 1):
        changed = False
        for x, target in zip(np.asarray(X, float), t):
            err = target - (1 if w @ x + b >= 0 else 0)
            if err:
                w, b, changed = w + sign * alpha * err * x, b + sign * alpha * err, True
            out.append({"w": w.copy(), "b": b, "epoch": epoch, "x": x.copy(), "t": target})
        if not changed:
            break
    return out


X = [[0, 0], [0, 1], [1, 0], [1, 1]]
AND = [0, 0, 0, 1]


def states(raw):
    return read_states(raw, ("w", "b"))


def test_identical_traces_agree():
    ref = perceptron(X, AND)
    assert compare_traces(states(ref), states(ref), ref, OPTS) is None


def test_first_diverging_step_shows_both_states_and_the_one_before():
    ref = perceptron(X, AND)
    wrong = perceptron(X, AND, sign=-1.0)
    d = compare_traces(states(wrong), states(ref), ref, OPTS)
    assert d.step == 1
    assert d.message == ("Step 1 (epoch = 1, x = [0, 0], t = 0): the rule gives w = [0, 0], b = -1; "
                         "you have w = [0, 0], b = 1 (before this step both were w = [0, 0], b = 0).")
    assert d.diagnosis == "update-sign-flipped" and "wrong sign" in d.diagnosis_message


def test_a_later_divergence_is_found_at_its_step():
    ref = perceptron(X, AND)
    given = [dict(s) for s in ref]
    given[7] = {**given[7], "w": given[7]["w"] + np.array([0.5, 0])}
    d = compare_traces(states(given), states(ref), ref, OPTS)
    assert d.step == 7 and d.diagnosis is None and d.message.startswith("Step 7 (epoch = 2,")


def test_stopping_too_early_or_too_late_is_said():
    ref = perceptron(X, AND)
    d = compare_traces(states(ref[:-4]), states(ref), ref, OPTS)
    assert d.diagnosis == "stops-early" and f"stops after {len(ref) - 4} state(s)" in d.message
    longer = ref + [ref[-1]] * 4
    d = compare_traces(states(longer), states(ref), ref, OPTS)
    assert d.diagnosis == "runs-on" and f"The rule stops after {len(ref)} state(s)" in d.message


def test_initial_state_differs():
    ref = perceptron(X, AND)
    given = [{"w": [1, 1], "b": 0}] + ref[1:]
    d = compare_traces(states(given), states(ref), ref, OPTS)
    assert d.step == 0 and d.message.startswith("Your initial state is w = [1, 1], b = 0")


def test_tuples_and_dicts_both_read_and_bad_shapes_are_explained():
    assert states([([0, 0], 0), ([1, 0], -1)])[1]["b"] == -1
    with pytest.raises(TraceFormatError, match="returned float, not a list of states"):
        states(3.0)
    with pytest.raises(TraceFormatError, match="state 1 has no 'b'"):
        states([{"w": [0, 0], "b": 0}, {"w": [0, 0]}])
    with pytest.raises(TraceFormatError, match="state 0 has 3 components, expected 2"):
        states([(1, 2, 3)])
    with pytest.raises(TraceFormatError, match="w is not a number"):
        states([{"w": "zero", "b": 0}])


def test_options_are_validated_with_the_key():
    kind = get_kind("trace")
    where = Location(file="exercise.toml", key="parts.and_trace", part="and_trace")
    with pytest.raises(GraderError, match="'cases' must be a non-empty list"):
        kind.parse_options({"function": "f", "state": ["w"]}, where)
    with pytest.raises(GraderError, match=r"cases\[0\] must be a table with 'args'"):
        kind.parse_options({"function": "f", "state": ["w"], "cases": [{"X": 1}]}, where)
    with pytest.raises(GraderError, match="acceptable_credit"):
        kind.parse_options({"function": "f", "state": ["w"], "cases": [{"args": {}}], "acceptable_credit": 1.5},
                           where)


# --- check() on a fabricated sandbox run ----------------------------------------------------

from grader.exercise.model import Mistake  # noqa: E402
from tests.code_kind_helpers import code_task, fabricated_run  # noqa: E402

COUNTER = '''
def count(start, step, n):
    return [{"x": start + k * step} for k in range(n + 1)]

def count_down(start, step, n):
    return [{"x": start - k * step} for k in range(n + 1)]

def big_enough(state, start, step, n):
    return state["x"] >= 10
'''
TRACE_OPTIONS = {"function": "count", "state": ["x"], "acceptable": "big_enough",
                 "acceptable_message": "Your final value is large enough, but it is not the rule's",
                 "acceptable_credit": 0.5,
                 "cases": [{"label": "by {{ k }}", "args": {"start": 0, "step": "{{ k }}", "n": 5}}]}


def check_trace(tmp_path, monkeypatch, student, **extra):
    import grader.kinds.trace as trace

    monkeypatch.setattr(trace, "run_student", fabricated_run(student))
    task = code_task(tmp_path, "trace", {**TRACE_OPTIONS, **extra}, student, COUNTER, parameters={"k": 2},
                     mistakes=[Mistake("backwards", "count_down", "You count down.")])
    return get_kind("trace").check(task)


def test_matching_trace_is_correct(tmp_path, monkeypatch):
    res = check_trace(tmp_path, monkeypatch, COUNTER)
    assert res.status.value == "correct" and res.feedback == ["Every step matches the rule (by 2)."]


def test_acceptable_final_state_gets_its_words_and_share(tmp_path, monkeypatch):
    res = check_trace(tmp_path, monkeypatch, COUNTER.replace("start + k * step", "start + k * (step + 1)", 1))
    assert res.status.value == "partially correct" and res.score == 1 and res.diagnosis == "acceptable-not-rule"
    assert res.feedback[0] == ("by 2: Your final value is large enough, but it is not the rule's: "
                               "yours end at x = 15, the rule ends at x = 10.")
    assert res.feedback[1] == ("by 2: Step 1: the rule gives x = 2; you have x = 3 "
                               "(before this step both were x = 0).")


def test_known_mistake_and_failure_messages(tmp_path, monkeypatch):
    res = check_trace(tmp_path, monkeypatch, COUNTER.replace("start + k * step", "start - k * step", 1))
    assert res.status.value == "incorrect" and res.diagnosis == "backwards" and res.feedback[0] == "You count down."
    res = check_trace(tmp_path, monkeypatch, COUNTER.replace('return [{"x"', 'return 1 / 0 or [{"x"', 1))
    assert res.status.value == "error" and "raised ZeroDivisionError: division by zero" in res.feedback[0]
    res = check_trace(tmp_path, monkeypatch, COUNTER.replace('[{"x": start + k * step}', '[(start, k)', 1))
    assert res.status.value == "incorrect"
    assert res.feedback == ["by 2: Your initial state is x = [0, 0]; the rule starts from x = 0."]
