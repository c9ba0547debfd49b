"""Diagnosis: each generic misconception found on a realistic wrong answer, the most specific
one winning, the author's own mistakes first, and nothing when nothing fits."""
from __future__ import annotations

import pytest

from grader.exercise.model import Mistake
from grader.math import MathContext, parse_expression
from grader.math.diagnosis import diagnose, diagnose_text

SCALAR = MathContext(symbols=["x", "y", "w", "b", "z", "h", "w_2", "\\hat{y}", "\\lambda"],
                     domains={"\\lambda": "positive"})
SOFTMAX = MathContext(symbols=["s_i", "s_j"], indices={"i": "n", "j": "n", "c": "n"}, dims={"n": 4},
                      shapes={"s": ("n",)}, domains={"s": "probability"})
MATRIX = MathContext(symbols=["X", "P", "Y", "W", "N", "\\lambda"],
                     shapes={"X": (5, 3), "P": (5, 3), "Y": (5, 3), "W": (3, 3)},
                     domains={"N": "positive", "\\lambda": "positive"})
JACOBIAN = MathContext(symbols=["s"], shapes={"s": ("n",)}, dims={"n": 4}, domains={"s": "probability"})
BACKPROP = MathContext(symbols=["X", "G", "W", "M"], shapes={"X": (5, 3), "G": (5, 2), "W": (4, 2), "M": (5, 4)})

CASES = [
    # (name expected, context, reference, wrong answer, words the message must contain)
    ("sign-flipped", SCALAR, r"-(y - \hat{y}) h", r"(y - \hat{y}) h", "sign"),
    ("factor-2", SCALAR, r"(\hat{y} - y) x", r"2(\hat{y} - y) x", "twice"),
    ("factor-half", SCALAR, r"2\lambda w", r"\lambda w", "half"),
    ("missing-regularisation", SCALAR, r"(\hat{y}-y)x + 2\lambda w", r"(\hat{y}-y)x", "regularisation"),
    ("missing-term", SCALAR, r"x^2 y + 3 x y^2", r"3 x y^2", "missing"),
    ("missing-chain-factor", SCALAR, r"(\sigma(wx+b) - y)\sigma(wx+b)(1 - \sigma(wx+b))x",
     r"(\sigma(wx+b) - y)x", "σ'"),
    ("sigmoid-for-softplus", SCALAR, r"w_2\log(1 + e^{wx})", r"w_2\sigma(wx)", "softplus"),
    ("sigmoid-derivative-for-softplus", SCALAR, r"w_2 \sigma(z) x", r"w_2 \sigma(z)(1 - \sigma(z)) x",
     "derivative of the softplus"),
    ("elementwise-sigmoid", SOFTMAX, r"s_i(\delta_{ij} - s_j)", r"s_i(1 - s_i)", "elementwise sigmoid"),
    ("kronecker-as-one", SOFTMAX, r"s_i(\delta_{ij} - s_j)", r"s_i(1 - s_j)", "i ≠ j"),
    ("missing-term", SOFTMAX, r"s_i(\delta_{ij} - s_j)", r"s_i\delta_{ij}", "missing"),
    ("indices-swapped", SOFTMAX, r"s_j - \delta_{jc}", r"s_c - \delta_{jc}", "indices"),
    ("sign-flipped", JACOBIAN, r"\operatorname{diag}(s) - s s^\top", r"s s^\top - \operatorname{diag}(s)", "sign"),
    ("elementwise-sigmoid", JACOBIAN, r"\operatorname{diag}(s) - s s^\top",
     r"\operatorname{diag}(s) - \operatorname{diag}(s)^2", "diagonal"),
    ("transposed", MATRIX, r"X^T(P - Y)", r"(P - Y)^T X", "transpose"),
    ("missing-1/N", MATRIX, r"\frac{1}{N}X^T(P - Y) + 2\lambda W", r"X^T(P - Y) + 2\lambda W", "1/N"),
    ("missing-regularisation", MATRIX, r"\frac{1}{N}X^T(P - Y) + 2\lambda W", r"\frac{1}{N}X^T(P - Y)",
     "regularisation"),
    ("missing-chain-factor", BACKPROP, r"X^T((G W^T) \odot M)", r"X^T G W^T", "mask"),
]


@pytest.mark.parametrize("name, ctx, reference, wrong, words", CASES, ids=[f"{c[0]}:{c[3]}" for c in CASES])
def test_each_misconception_is_named_on_a_realistic_answer(name, ctx, reference, wrong, words) -> None:
    d = diagnose(parse_expression(wrong, ctx), parse_expression(reference, ctx), ctx)
    assert d is not None, f"no diagnosis for {wrong}"
    assert d.name == name
    assert words.lower() in d.message.lower()


def test_the_most_specific_diagnosis_wins() -> None:
    # dropping the 2λw term is both "a term missing" and "the regularisation term missing"
    ref = parse_expression(r"(\hat{y}-y)x + 2\lambda w", SCALAR)
    d = diagnose(parse_expression(r"(\hat{y}-y)x", SCALAR), ref, SCALAR)
    assert d is not None and d.name == "missing-regularisation"
    # s_i(1 - s_i) is also "s_i where s_j belongs", but the elementwise-sigmoid reading is the one
    ref = parse_expression(r"s_i(\delta_{ij} - s_j)", SOFTMAX)
    d = diagnose(parse_expression(r"s_i(1 - s_i)", SOFTMAX), ref, SOFTMAX)
    assert d is not None and d.name == "elementwise-sigmoid"


def test_the_authors_mistake_wins_over_generic_ones() -> None:
    ref = parse_expression(r"-(y - \hat{y}) h", SCALAR)
    mine = Mistake("dy-sign", r"(y - \hat{y}) h", "d(y − ŷ)/dŷ is −1, not 1.")
    d = diagnose(parse_expression(r"h(y - \hat{y})", SCALAR), ref, SCALAR, [mine])
    assert d is not None and (d.name, d.message) == ("dy-sign", "d(y − ŷ)/dŷ is −1, not 1.")


def test_no_diagnosis_when_nothing_fits() -> None:
    ref = parse_expression(r"-(y - \hat{y}) h", SCALAR)
    assert diagnose(parse_expression(r"(y - \hat{y})^2 h + x", SCALAR), ref, SCALAR) is None
    ref = parse_expression(r"s_i(\delta_{ij} - s_j)", SOFTMAX)
    assert diagnose(parse_expression(r"s_i + s_j", SOFTMAX), ref, SOFTMAX) is None


def test_an_answer_whose_shapes_do_not_fit_is_diagnosed_from_its_text() -> None:
    ref = parse_expression(r"\operatorname{diag}(s) - s s^\top", JACOBIAN)
    d = diagnose_text(r"\frac{\partial s}{\partial z} = \operatorname{diag}(s) - s^\top s", ref, JACOBIAN)
    assert d is not None and d.name == "transposed"
    assert "'s^\\top s' written as 's s^\\top'" in d.message
    assert diagnose_text(r"\operatorname{diag}(s) - s^\top s s^\top", ref, JACOBIAN) is None
