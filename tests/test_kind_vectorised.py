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
