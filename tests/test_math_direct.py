"""The direct path of the equivalence check: values of expressions as written (indices, sums,
matrix algebra in NumPy), their exact re-check, the proofs that avoid SymPy's simplify, and
the sample points they share. The direct path must agree with the concrete one it replaced."""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from grader.cli.equiv import _context
from grader.math import MathContext, parse_expression
from grader.math import equivalence as E
from grader.math.deadline import DeadlineExceeded, run_with_deadline
from grader.math.direct import DirectEvaluator
from grader.math.evaluate import Unsupported
from grader.math.exact import ExactEvaluator
from grader.math.matrix_algebra import equal as matrices_equal
from grader.math.parser import context_info
from grader.math.points import DEN, PointTable

CORPUS = Path(__file__).resolve().parent.parent / "benchmarks" / "equivalence" / "corpus.jsonl"
ROWS = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _setup(expr, ctx):
    info = context_info(ctx)
    expr = E._substitute_definitions(expr, ctx, info)
    dims = E._dims_of([expr], ctx, info)
    free = E._free_indices(E._flat([expr]), info, set(info.index_names))
    assign = {s: list(E._index_range(s.name, ctx, info, dims, E._flat([expr])))[-1] for s in free}
    return info, expr, dims, assign


@pytest.mark.parametrize("row", ROWS[::5], ids=lambda r: f"line{ROWS.index(r) + 1}")
def test_direct_values_equal_the_concrete_paths_values(row: dict) -> None:
    """At the same sample values, evaluating as written gives what writing everything out gives."""
    ctx = _context(row)
    for side in ("a", "b"):
        try:
            expr = parse_expression(row[side], ctx, syntax=row.get("syntax", "auto"))
        except Exception:  # a side that cannot be built (shape problems) has no value to compare
            continue
        info, expr, dims, assign = _setup(expr, ctx)
        table = PointTable(info, 12, seed=3, group_size=E._group_size(expr, expr, [assign], dims))
        ev = DirectEvaluator(table, {s: np.full(12, v) for s, v in assign.items()}, dims, 1, E._undef_stand_in)
        try:
            direct = ev.value(expr)
        except Unsupported:
            continue
        concrete = E.concretize(expr, assign, dims, info, table)
        env = {s: table.values(s) for s in E._free(concrete)}
        slow = np.asarray(E._values(concrete, env, 12), dtype=float)
        both = np.isfinite(direct) & np.isfinite(slow)
        assert np.allclose(direct[both], slow[both], rtol=1e-9, atol=1e-12), (row[side], direct, slow)
        assert (np.isfinite(direct) == np.isfinite(slow)).mean() > 0.9


@pytest.mark.parametrize("row", ROWS[::9], ids=lambda r: f"line{ROWS.index(r) + 1}")
def test_the_exact_value_is_the_float_value_without_rounding(row: dict) -> None:
    ctx = _context(row)
    try:
        expr = parse_expression(row["a"], ctx, syntax=row.get("syntax", "auto"))
    except Exception:  # as above
        return
    info, expr, dims, assign = _setup(expr, ctx)
    table = PointTable(info, 10, seed=5, group_size=E._group_size(expr, expr, [assign], dims))
    try:
        floats = DirectEvaluator(table, {s: np.full(10, v) for s, v in assign.items()}, dims, 1,
                                 E._undef_stand_in).value(expr)
        exact = ExactEvaluator(table, 2, assign, dims, E._undef_stand_in).values(expr)
    except (Unsupported, ValueError, ZeroDivisionError, TypeError):
        return
    got = np.array([complex(x).real for x in exact]).reshape(np.asarray(floats[2]).shape)
    if np.all(np.isfinite(floats[2])):
        assert np.allclose(got, floats[2], rtol=1e-9, atol=1e-12)


def test_index_cases_and_sums_are_evaluated_per_row() -> None:
    ctx = MathContext(symbols=["s"], shapes={"s": ("n",)}, domains={"s": "probability"}, dims={"n": 3},
                      indices={"i": "n", "j": "n", "k": "n"})
    info = context_info(ctx)
    e = parse_expression(r"s_i(\delta_{ij} - s_j) + \sum_k s_k", ctx)
    i, j = sorted((s for s in e.free_symbols if s.name in "ij"), key=lambda s: s.name)
    table = PointTable(info, 4, seed=1)
    cases = [(1, 1), (1, 2), (3, 2)]
    idx = {i: np.repeat([c[0] for c in cases], 4), j: np.repeat([c[1] for c in cases], 4)}
    v = DirectEvaluator(table, idx, {"n": 3}, len(cases), E._undef_stand_in).value(e)
    s = {k: table.values(table.entry_symbol("s", (k,))) for k in (1, 2, 3)}
    for c, (a, b) in enumerate(cases):
        want = s[a] * ((a == b) - s[b]) + 1.0  # a probability vector sums to 1
        assert np.allclose(v[4 * c:4 * c + 4], want)


def test_matrix_algebra_is_done_in_numpy() -> None:
    ctx = MathContext(symbols=["X", "W", "P"], shapes={"X": (5, 3), "W": (3, 3), "P": (3, 3)})
    info = context_info(ctx)
    e = parse_expression(r"X W^{-1} P^T", ctx)
    table = PointTable(info, 6, seed=2)
    v = DirectEvaluator(table, {}, {}, 1, E._undef_stand_in).value(e)
    X, W, P = (table.matrix_values(n, *s) for n, s in (("X", (5, 3)), ("W", (3, 3)), ("P", (3, 3))))
    assert v.shape == (6, 5, 3)
    assert np.allclose(v, X @ np.linalg.inv(W) @ np.swapaxes(P, 1, 2))


def test_sample_points_do_not_depend_on_the_order_entries_are_asked_for() -> None:
    info = context_info(MathContext(symbols=["z", "x"], shapes={"z": ("n",)}, dims={"n": 4}))
    t1, t2 = PointTable(info, 16, seed=9), PointTable(info, 16, seed=9)
    a1 = t1.values(t1.entry_symbol("z", (2,)))
    t2.values(sp.Symbol("x", real=True))
    t2.values(t2.entry_symbol("z", (1,)))
    assert np.array_equal(a1, t2.values(t2.entry_symbol("z", (2,))))
    assert np.all(np.abs(t1.numerators(t1.entry_symbol("z", (2,)))[:8]) % 100 == 0)  # one decimal first


def test_probability_vectors_and_rows_sum_to_one() -> None:
    info = context_info(MathContext(symbols=["s", "P"], shapes={"s": ("n",), "P": (5, 3)}, dims={"n": 4},
                                    domains={"s": "probability", "P": "probability"}))
    t = PointTable(info, 10, seed=4)
    s = sum(t.numerators(t.entry_symbol("s", (k,))) for k in range(1, 5))
    assert np.all(s == DEN)
    P = t.matrix_values("P", 5, 3)
    assert np.allclose(P.sum(axis=2), 1.0) and np.all(P > 0)


@pytest.mark.parametrize("a, b, same", [
    ("(P+Q)^2", "P^2 + PQ + QP + Q^2", True),
    ("(PQ)^{-1}", "Q^{-1}P^{-1}", True),
    ("(PQ)^T", "Q^T P^T", True),
    (r"P \odot (P + Q)", r"P\odot P + Q \odot P", True),
    ("(P+Q)(P-Q)", "P^2 - Q^2", False),  # not for matrices that do not commute
    ("(PQ)^{-1}", "P^{-1}Q^{-1}", False),
    ("PQ", "QP", False),
])
def test_matrix_identities_are_proven_word_by_word(a: str, b: str, same: bool) -> None:
    ctx = MathContext(symbols=["P", "Q"], shapes={"P": (3, 3), "Q": (3, 3)})
    assert matrices_equal(parse_expression(a, ctx), parse_expression(b, ctx)) is same
    v = E.check_equivalence(a, b, ctx)
    assert v.equivalent is same and (v.proven or not same)


SCALAR = MathContext(symbols=["z"])
VECTOR = MathContext(symbols=["z", "z_c"], shapes={"z": ("n",)}, dims={"n": 4}, indices={"k": "n", "c": "n"})


@pytest.mark.parametrize("a, b, ctx", [
    ("log(1 + exp(z))", "z + log(1 + exp(-z))", SCALAR),
    (r"1-\tanh(z)^2", r"4\sigma(2z)(1-\sigma(2z))", SCALAR),
    (r"-\log\left(\frac{e^{z_c}}{\sum_k e^{z_k}}\right)", r"\log\left(\sum_k e^{z_k}\right) - z_c", VECTOR),
])
def test_exp_and_log_identities_are_proven_without_simplify(a: str, b: str, ctx: MathContext, monkeypatch) -> None:
    monkeypatch.setattr(sp, "simplify", lambda *x, **k: (_ for _ in ()).throw(AssertionError("simplify")))
    v = E.check_equivalence(a, b, ctx)
    assert v.equivalent is True and v.proven, v.message


def test_one_index_case_per_pattern_of_equal_indices() -> None:
    ctx = MathContext(symbols=["s"], shapes={"s": ("n",)}, dims={"n": 4}, indices={"i": "n", "j": "n", "k": "n"})
    e = parse_expression(r"s_i(\delta_{ij} - s_j) + \sum_k s_k", ctx)
    free = sorted((s for s in e.free_symbols if s.name in "ij"), key=lambda s: s.name)
    every = [{free[0]: a, free[1]: b} for a in range(1, 5) for b in range(1, 5)]
    reps = E._representatives(e, e, free, every, {"n": 4})
    assert reps == [{free[0]: 1, free[1]: 1}, {free[0]: 1, free[1]: 2}]
    literal = parse_expression(r"s_i s_1 + s_j", ctx)  # index value 1 singled out: every case needed
    assert E._representatives(literal, literal, free, every, {"n": 4}) == every
    assert len(E._set_partitions(3)) == 5


def _spin(seconds: float) -> float:
    t = time.monotonic()
    while time.monotonic() - t < seconds:
        pass
    return seconds


def test_an_inner_deadline_stops_only_the_inner_work() -> None:
    def outer() -> str:
        try:
            run_with_deadline(lambda: _spin(5), 0.1)
        except DeadlineExceeded:
            return "inner stopped"
        return "not stopped"

    t = time.monotonic()
    assert run_with_deadline(outer, 2.0) == "inner stopped"
    assert time.monotonic() - t < 1.5


def test_an_outer_deadline_passing_inside_inner_work_stops_both() -> None:
    def outer() -> str:
        try:
            run_with_deadline(lambda: _spin(5), 3.0)
        except DeadlineExceeded:
            return "caught by the inner call"
        return "finished"

    t = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        run_with_deadline(outer, 0.2)
    assert time.monotonic() - t < 1.5
