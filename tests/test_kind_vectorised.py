"""`vectorised`: the line that loops over the samples is named; other loops are allowed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.errors import GraderError, Location
from grader.kinds import get_kind
from grader.kinds._source import Source
from grader.kinds.base import Answer, CheckContext, CheckTask, Reference
from grader.kinds.vectorised import find_sample_loops
from grader.exercise.model import Exercise, Part
from grader.results import Status

VECTORISED = '''
import numpy as np

def loss(X, y, W1, b1, W2, b2, reg):
    N = X.shape[0]
    h = np.maximum(0, X @ W1 + b1)
    s = h @ W2 + b2
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    total = -np.log(p[np.arange(N), y]).mean()
    for W in (W1, W2):          # a loop over layers is fine
        total += reg * np.sum(W * W)
    for c in range(W2.shape[1]):  # and one over classes
        pass
    return total
'''


def loops_in(code: str, functions=("loss",), other="allow"):
    loops, missing = find_sample_loops([Source("net.py", code)], functions, ("X", "y"), other)
    return [(l.line, l.why) for l in loops], missing


def test_vectorised_code_passes():
    assert loops_in(VECTORISED) == ([], [])


@pytest.mark.parametrize("body, line", [
    ("    for i in range(X.shape[0]):\n        pass", 3),
    ("    n = len(X)\n    for i in range(n):\n        pass", 4),
    ("    N, D = X.shape\n    i = 0\n    while i < N:\n        i += 1", 5),
    ("    for x, t in zip(X, y):\n        pass", 3),
    ("    for i, x in enumerate(X):\n        pass", 3),
    ("    h = X @ W1\n    for row in h:\n        pass", 4),
    ("    return sum(float(t) for t in y)", 3),
    ("    return [r.sum() for r in X]", 3),
    ("    idx = np.random.permutation(X.shape[0])\n    for i in idx:\n        pass", 4),
    ("    for start in range(0, len(X), 10):\n        pass", 3),
    ("    return np.apply_along_axis(np.sum, 1, X)", 3),
    ("    return list(map(np.sum, X))", 3),
])
def test_each_way_of_looping_over_samples_is_found(body, line):
    code = "import numpy as np\ndef loss(X, y, W1, b1, W2, b2, reg):\n" + body + "\n"
    found, _ = loops_in(code)
    assert [l for l, _ in found] == [line], found


def test_loop_in_a_helper_is_found_through_the_call():
    code = ("def rowwise(S):\n    out = []\n    for s in S:\n        out.append(s)\n    return out\n"
            "def forward(X, W):\n    return rowwise(X @ W)\n")
    loops, _ = find_sample_loops([Source("net.py", code)], ("forward",), ("X",))
    assert len(loops) == 1 and loops[0].line == 3
    assert "`rowwise` (called from `forward`)" in loops[0].message
    assert "net.py, line 3: `for s in S:`" in loops[0].message
    # the same helper called on something without the samples does not loop over them
    ok = "def rowwise(S):\n    for s in S:\n        pass\ndef forward(X, W):\n    return rowwise(W)\n"
    assert find_sample_loops([Source("net.py", ok)], ("forward",), ("X",))[0] == []


def test_other_loops_forbidden_when_the_part_says_so():
    found, _ = loops_in(VECTORISED, other="forbid")
    assert [l for l, _ in found] == [11, 13]
    assert "allows none" in found[0][1]


def _task(tmp_path: Path, files: dict[str, str], **options) -> CheckTask:
    paths = []
    for name, text in files.items():
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    kind = get_kind("vectorised")
    opts = kind.parse_options({"functions": ["loss"], **options}, Location(file="exercise.toml", key="parts.vec"))
    part = Part(id="vec", kind="vectorised", points=2, title="no loops", options=opts)
    ex = Exercise(id="t", title="t", version="1", path=tmp_path, parameters={}, parts=[part], spec_template="")
    return CheckTask(part=part, answer=Answer(part_id="vec", code_files=paths), reference=Reference(),
                     ctx=CheckContext(exercise=ex, student_id="s", parameters={}))


def test_check_names_the_line_and_gives_zero(tmp_path):
    code = VECTORISED.replace("    total = -np.log(p[np.arange(N), y]).mean()\n",
                              "    total = 0.0\n    for i in range(N):\n        total -= np.log(p[i, y[i]]) / N\n")
    res = get_kind("vectorised").check(_task(tmp_path, {"two-layer-net.py": code}))
    assert res.status == Status.INCORRECT and res.score == 0 and res.diagnosis == "loop-over-samples"
    text = "\n".join(res.feedback)
    assert "two-layer-net.py, line 11: `for i in range(N):` in `loss` loops over the samples" in text
    good = get_kind("vectorised").check(_task(tmp_path, {"two-layer-net.py": VECTORISED}))
    assert good.status == Status.CORRECT and good.score == 2


def test_notebook_lines_are_named_by_cell(tmp_path):
    cells = [{"id": "c0", "cell_type": "markdown", "metadata": {}, "source": "# my net"},
             {"id": "c1", "cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "%matplotlib inline\nimport numpy as np"},
             {"id": "c2", "cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "def loss(X, y, W1, b1, W2, b2, reg):\n    for x in X:\n        pass\n    return 0.0"}]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    res = get_kind("vectorised").check(_task(tmp_path, {"net.ipynb": json.dumps(nb)}))
    assert res.status == Status.INCORRECT
    assert "net.ipynb, cell 2, line 2: `for x in X:`" in "\n".join(res.feedback)


def test_syntax_error_and_missing_function_are_clear(tmp_path):
    res = get_kind("vectorised").check(_task(tmp_path, {"net.py": "def loss(X, y):\n    return (\n"}))
    assert res.status == Status.ERROR and "net.py, line 2" in res.feedback[0] and "cannot parse" in res.feedback[0]
    res = get_kind("vectorised").check(_task(tmp_path, {"net.py": "def other(X):\n    return X\n"}))
    assert res.status == Status.ERROR and res.feedback == ["No function `loss` is defined in your code."]


def test_bad_options_are_exercise_errors():
    kind = get_kind("vectorised")
    with pytest.raises(GraderError, match="other_loops"):
        kind.parse_options({"functions": ["f"], "other_loops": "sometimes"}, Location())
    with pytest.raises(GraderError, match="unknown key"):
        kind.parse_options({"functions": ["f"], "axis": 0}, Location())


# --- the optional run on a small and a large batch (sandbox results fabricated here) --------

SOLUTION = "import numpy as np\n\ndef loss(X, y, w):\n    return float(np.mean((X @ w - y) ** 2))\n"


def _timed_task(tmp_path: Path, student: str):
    from grader.sandbox import CallOutcome, RunReport  # noqa: F401  (the shapes fabricated below)

    task = _task(tmp_path, {"net.py": student}, inputs={"X": {"normal": ["N", 3]}, "y": {"normal": ["N"]},
                                                          "w": {"normal": [3]}}, sizes=[10, 1000], repeat=2)
    sol = tmp_path / "solution.py"
    sol.write_text(SOLUTION, encoding="utf-8")
    task.reference.solution_file = sol
    return task


def _report(values: dict[str, object], seconds: dict[int, float]):
    from grader.sandbox import CallOutcome, RunReport

    outcomes = [CallOutcome(label=f"loss:{n}:{r}", ok=True, value=values.get(n), duration_s=seconds[n])
                for n in (10, 1000) for r in range(2)]
    return RunReport(outcomes=outcomes, load_error=None, isolation="rlimits")


def _grade_with(monkeypatch, task, report):
    import grader.kinds.vectorised as vec

    seen = {}

    def fake_run(task_, calls):
        seen["calls"] = calls
        return report

    monkeypatch.setattr(vec, "run_student", fake_run)
    return get_kind("vectorised").check(task), seen["calls"]


def _expected_loss(task):
    import numpy as np

    from grader.kinds._code import build_inputs
    key = json.dumps(task.part.options.inputs, sort_keys=True)
    specs = task.part.options.inputs
    values = build_inputs({k: specs[k] for k in ("X", "y")}, task.ctx.rng("vectorised", key, 10), {"N": 10})
    values.update(build_inputs({"w": specs["w"]}, task.ctx.rng("vectorised", key)))
    return float(np.mean((values["X"] @ values["w"] - values["y"]) ** 2)), values


def test_runs_on_both_sizes_and_reports_the_growth(tmp_path, monkeypatch):
    task = _timed_task(tmp_path, "import numpy as np\n" + SOLUTION.split("\n", 2)[2])
    value, values = _expected_loss(task)
    res, calls = _grade_with(monkeypatch, task, _report({10: value}, {10: 0.001, 1000: 0.0012}))
    assert [c.label for c in calls] == ["loss:10:0", "loss:10:1", "loss:1000:0", "loss:1000:1"]
    assert calls[0].args[0].shape == (10, 3) and calls[2].args[0].shape == (1000, 3)
    assert (calls[0].args[2] == values["w"]).all() and (calls[2].args[2] == calls[0].args[2]).all()
    assert res.status == Status.CORRECT
    timing = next(e for e in res.evidence if e.kind == "timing")
    assert timing.message == "`loss`: 1.00 ms for 10 samples, 1.20 ms for 1000 (×1.2 for ×100 samples)."


def test_a_loop_the_source_hides_is_hinted_by_the_run_time(tmp_path, monkeypatch):
    task = _timed_task(tmp_path, "import numpy as np\n" + SOLUTION.split("\n", 2)[2])
    value, _ = _expected_loss(task)
    res, _ = _grade_with(monkeypatch, task, _report({10: value}, {10: 0.001, 1000: 0.05}))
    assert res.status == Status.CORRECT  # a hint, not a verdict: timings are noisy
    assert "slows down with the batch size like a Python loop over the samples" in res.feedback[0]


def test_loop_free_but_wrong_values_earn_nothing(tmp_path, monkeypatch):
    task = _timed_task(tmp_path, "def loss(X, y, w):\n    return 0.0\n")
    res, _ = _grade_with(monkeypatch, task, _report({10: 0.0}, {10: 0.001, 1000: 0.001}))
    assert res.status == Status.INCORRECT and res.score == 0 and res.diagnosis == "not-working"
    assert res.feedback[0] == "`loss` does not give the right values on a batch of 10 samples " \
                              "(see the parts that check its values)."
