"""A slice of the equivalence corpus through the engine: every verdict must be right.

The whole corpus and the timings belong to benchmarks/equivalence/run.py; this slice keeps
the engine honest on course notation (softmax Jacobian, sigmoid/softplus derivatives,
cross-entropy and L2 gradients, matrices, domains, near-equal constants, a polynomial off by
a constant) without making the suite slow.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.cli.equiv import compare_pair

CORPUS = Path(__file__).resolve().parent.parent / "benchmarks" / "equivalence" / "corpus.jsonl"
FAMILIES = ("sigmoid-derivative", "softplus-derivative", "bce-gradient-prob", "softmax-jacobian-index",
            "softmax-jacobian-index-plain", "softmax-jacobian-logits", "softmax-jacobian-matrix",
            "l2-regularised-gradient", "chain-rule-sigmoid", "rosenbrock-like-dy", "log-power-positive",
            "sqrt-real", "near-equal-e", "near-equal-constants", "poly-16-3-plain", "matrix-transpose-product")
EVERY = 3


def _slice() -> list[dict]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    picked = [r for r in rows if r["note"].split(":")[0] in FAMILIES]
    return picked[::EVERY]


def test_the_corpus_is_large_and_labelled() -> None:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 300
    assert {r["syntax"] for r in rows} == {"latex", "plain"}
    assert 0.25 < sum(r["equal"] for r in rows) / len(rows) < 0.75
    assert all({"a", "b", "syntax", "symbols", "equal", "note"} <= set(r) for r in rows)


SLICE = _slice()


@pytest.mark.parametrize("row", SLICE, ids=[f"{r['note'].split(':')[0]}:{k}" for k, r in enumerate(SLICE)])
def test_slice_is_decided_right(row: dict) -> None:
    out = compare_pair(row, budget_s=10.0)  # generous: a loaded CI machine must not turn a verdict into None
    assert "error" not in out, out.get("error")
    assert out["equivalent"] is row["equal"], f"{row['a']}  vs  {row['b']}: {out.get('message')}"
