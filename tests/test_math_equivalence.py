"""Equivalence with evidence: counterexamples, domains, indices, shapes, modes, budget."""
from __future__ import annotations

import time

import pytest
import sympy as sp

from grader.exercise.model import Mistake
from grader.math import MathContext, check_equivalence, parse_expression
from grader.math.diagnosis import diagnose

E0 = MathContext()


def eq(a: str, b: str, ctx: MathContext = E0, **kw):
    return check_equivalence(a, b, ctx, **kw)


@pytest.mark.parametrize("a, b", [
    (r"\sigma(z)(1-\sigma(z))", r"\frac{e^{-z}}{(1+e^{-z})^2}"),
    ("(x+1)^2", "x^2 + 2x + 1"),
    (r"\frac{e^{z_i}}{\sum_k e^{z_k}}", r"\frac{e^{z_i}}{\sum_j e^{z_j}}"),
    (r"s_i(\delta_{ij} - s_j)", r"s_i \delta_{ij} - s_i s_j"),
    ("s_i*(delta(i,j) - s_j)", r"s_i(\delta_{ij} - s_j)"),
    (r"\log(xy)", r"\log x + \log y"),
])
def test_equal_pairs_are_accepted(a: str, b: str) -> None:
    v = eq(a, b)
    assert v.equivalent is True, v.message
    assert v.counterexample is None


def test_proof_is_reported() -> None:
    v = eq("(x+1)^2", "x^2 + 2x + 1")
    assert v.proven and v.method == "symbolic"
    assert "proven" in v.message


def test_counterexample_names_the_point_and_both_values() -> None:
    v = eq("(y - x) x", "-(y - x) x")
    assert v.equivalent is False
    assert set(v.counterexample) == {"x", "y"}
    x, y = v.counterexample["x"], v.counterexample["y"]
    assert v.student_value == pytest.approx((y - x) * x)
    assert v.reference_value == pytest.approx(-(y - x) * x)
    assert v.message.startswith("At x = ")
    assert "you get" in v.message and "expected" in v.message


def test_counterexample_with_indices() -> None:
    v = eq(r"s_i(1 - s_j)", r"s_i(\delta_{ij} - s_j)")
    assert v.equivalent is False
    assert "i = " in v.message and "j = " in v.message and "s = (" in v.message
    assert v.counterexample["i"] != v.counterexample["j"]


def test_float_rounding_cannot_hide_a_difference() -> None:
    # a high-degree polynomial off by a tiny constant: equal in floats, not in exact arithmetic
    v = eq("(x+1)^{30}", "(x+1)^{30} + 10^{-12}")
    assert v.equivalent is False
    assert v.method in ("high-precision", "numeric")


def test_domains_positive_and_probability() -> None:
    ctx = MathContext(symbols=["x"], domains={"x": "positive"})
    v = eq(r"\sqrt{x^2}", "x", ctx)
    assert v.equivalent is True and v.proven
    ctx_real = MathContext(symbols=["x"])
    v = eq(r"\sqrt{x^2}", "x", ctx_real)
    assert v.equivalent is False and v.counterexample["x"] < 0
    # entries of a probability vector sum to 1
    ctx_p = MathContext(symbols=["s"], shapes={"s": (3,)}, domains={"s": "probability"})
    v = eq(r"\sum_k s_k", "1", ctx_p)
    assert v.equivalent is True


def test_matrix_expressions_and_shapes() -> None:
    ctx = MathContext(symbols=["s", "W", "x"], shapes={"s": ("n",), "W": ("N", "C"), "x": ("C",)},
                      dims={"n": 3, "N": 4, "C": 2})
    v = eq(r"\operatorname{diag}(s) - s s^\top", r"\begin{bmatrix} s_1 - s_1^2 & -s_1 s_2 & -s_1 s_3 \\"
           r" -s_2 s_1 & s_2 - s_2^2 & -s_2 s_3 \\ -s_3 s_1 & -s_3 s_2 & s_3 - s_3^2 \end{bmatrix}", ctx)
    assert v.equivalent is True
    v = eq("W^T W", "W W^T", ctx)
    assert v.equivalent is False and v.shape_problem and "2×2" in v.message and "4×4" in v.message
    v = eq("x W", "W x", ctx)
    assert v.equivalent is False and "not defined" in v.shape_problem
    v = eq(r"(W x)^T", r"x^T W^T", ctx)
    assert v.equivalent is True


def test_index_and_matrix_forms_of_the_softmax_jacobian_agree() -> None:
    ctx = MathContext(symbols=["s"], shapes={"s": ("n",)}, dims={"n": 3})
    index_form = parse_expression(r"s_i(\delta_{ij} - s_j)", ctx)
    i, j = sp.symbols("i j", integer=True)
    as_matrix = sp.ImmutableMatrix(3, 3, lambda a, b: index_form.xreplace({i: a + 1, j: b + 1}))
    v = check_equivalence(as_matrix, r"\operatorname{diag}(s) - s s^\top", ctx)
    assert v.equivalent is True


def test_modes() -> None:
    assert eq("x^2 + 3", "x^2", mode="additive_constant").equivalent is True
    assert eq("x^2 + x", "x^2", mode="additive_constant").equivalent is False
    assert eq("3 x^2", "x^2", mode="positive_factor").equivalent is True
    assert eq("-3 x^2", "x^2", mode="positive_factor").equivalent is False
    assert eq("3.14159", r"\pi", mode="tolerance", rel_tol=1e-5).equivalent is True
    assert eq("3.14", r"\pi", mode="tolerance", rel_tol=1e-5).equivalent is False
    assert eq("3.14159", r"\pi").equivalent is False


def test_definitions_are_substituted() -> None:
    ctx = MathContext(symbols=["x", "y", "w_1", "w_2", "z", "h", r"\hat{y}"],
                      definitions={r"\hat{y}": "w_2 h", "h": "z", "z": "w_1 x"})
    assert eq(r"-(y - \hat{y}) w_2 x", r"(w_2 w_1 x - y) w_2 x", ctx).equivalent is True


def test_budget_is_never_exceeded() -> None:
    start = time.perf_counter()
    v = eq("(x + y + z + 1)^{40}", "(x + y + z + 1)^{40} + 0", budget_s=0.3)
    assert time.perf_counter() - start < 1.0
    assert v.equivalent in (True, None)
    assert v.elapsed_s < 1.0


def test_seeded_and_independent_of_hash_seed() -> None:
    a = eq("(y - x) x + z", "-(y - x) x + z", seed="s1")
    b = eq("(y - x) x + z", "-(y - x) x + z", seed="s1")
    assert a.message == b.message and a.counterexample == b.counterexample


def test_diagnosis_author_mistake_then_sign_flip() -> None:
    ctx = MathContext(symbols=["x", "y"])
    ref = parse_expression("-(y - x) x", ctx)
    mistakes = [Mistake("missing-x", "-(y - x)", "The factor x is missing.")]
    d = diagnose(parse_expression("-(y-x)", ctx), ref, ctx, mistakes)
    assert d is not None and d.name == "missing-x"
    d = diagnose(parse_expression("(y-x) x", ctx), ref, ctx, mistakes)
    assert d is not None and d.name == "sign-flipped" and "opposite sign" in d.message
    assert diagnose(parse_expression("x y", ctx), ref, ctx, mistakes) is None


def test_proofs_through_exponentials_and_softmax_entries() -> None:
    assert eq(r"\tanh(z)", r"2\sigma(2z) - 1").proven
    assert eq(r"\tanh(z)", r"\frac{e^z - e^{-z}}{e^z + e^{-z}}").proven
    ctx = MathContext(symbols=["z"], shapes={"z": ("n",)})
    v = eq(r"\operatorname{softmax}(z)_i", r"\frac{e^{z_i}}{\sum_k e^{z_k}}", ctx)
    assert v.equivalent is True and v.proven


def test_index_ranges_follow_declared_shapes() -> None:
    ctx = MathContext(symbols=["W"], shapes={"W": ("N", "C")}, dims={"N": 4, "C": 2})
    v = eq(r"W_{ij}", r"W_{ij} + \delta_{i3}", ctx)  # i runs to 4, so i = 3 exists
    assert v.equivalent is False and v.counterexample["i"] == 3


def test_probability_vector_is_shown_whole() -> None:
    ctx = MathContext(symbols=["s"], shapes={"s": ("n",)}, domains={"s": "probability"}, dims={"n": 3})
    v = eq(r"s_i(1 - s_j)", r"s_i(\delta_{ij} - s_j)", ctx)
    s = v.counterexample["s"]
    assert len(s) == 3 and sum(s.values()) == pytest.approx(1.0)
    assert "s = (" in v.message
