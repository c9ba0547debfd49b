"""Two reading conventions of course notation: `\\log\\sum_k ...` takes the log of the whole sum,
and `I` is the identity matrix where a part works with matrices."""
from __future__ import annotations

import pytest
import sympy as sp

from grader.errors import MathSyntaxError
from grader.math import MathContext, MathShapeError, check_equivalence, parse_expression

LOGITS = MathContext(symbols=["z"], shapes={"z": (4,)}, indices={"c": "n", "k": "n"}, dims={"n": 4})
JACOBIAN = MathContext(symbols=["s"], shapes={"s": ("n",)}, dims={"n": 4}, domains={"s": "probability"})
SQUARE = MathContext(symbols=["A", "x"], shapes={"A": ("n", "n"), "x": ("n",)}, dims={"n": 3})
RECT = MathContext(symbols=["W", "\\lambda"], shapes={"W": ("N", "C")}, dims={"N": 4, "C": 3})


def p(text: str, ctx: MathContext = LOGITS) -> sp.Basic:
    return parse_expression(text, ctx, syntax="latex")


# ---- a function written before a sum -------------------------------------------------------

@pytest.mark.parametrize("bare, bracketed", [
    (r"\log\sum_k e^{z_k}", r"\log\left(\sum_k e^{z_k}\right)"),
    (r"\ln\sum_{k=1}^{n} e^{z_k}", r"\ln\left(\sum_{k=1}^{n} e^{z_k}\right)"),
    (r"\log \sum_k e^{z_k} - z_c", r"\log\left(\sum_k e^{z_k}\right) - z_c"),
    (r"-z_c + \log\sum_{k=1}^{4} e^{z_k}", r"-z_c + \log\left(\sum_{k=1}^{4} e^{z_k}\right)"),
    # the sum's body is a product, as after any \sum: it takes z_c along, then the log applies
    (r"\log\sum_k e^{z_k} z_c", r"\log\left(\sum_k e^{z_k} z_c\right)"),
    (r"\exp\sum_k z_k + 1", r"\exp\left(\sum_k z_k\right) + 1"),
    (r"\log^2\sum_k e^{z_k}", r"\left(\log\sum_k e^{z_k}\right)^2"),
])
def test_a_log_before_a_sum_takes_the_whole_sum(bare: str, bracketed: str) -> None:
    assert p(bare) == p(bracketed)


def test_the_log_of_a_sum_is_not_the_sum_of_logs() -> None:
    e = p(r"\log\sum_k e^{z_k}")
    assert isinstance(e, sp.log) and isinstance(e.args[0], sp.Sum)


def test_cross_entropy_forms_are_decided() -> None:
    """The corpus pairs that used to be parse errors: two right forms, and a wrong one."""
    right = p(r"-z_c + \log\sum_{k=1}^{4} e^{z_k}")
    assert check_equivalence(p(r"-\log\left(\frac{e^{z_c}}{\sum_k e^{z_k}}\right)"), right, LOGITS).equivalent is True
    wrong = check_equivalence(p(r"\sum_k z_k - z_c"), right, LOGITS)
    assert wrong.equivalent is False and "expected" in wrong.message


def test_a_log_with_nothing_after_it_still_says_what_is_missing() -> None:
    with pytest.raises(MathSyntaxError, match="unexpected end of the answer"):
        p(r"\log\sum_k")


# ---- the identity matrix -------------------------------------------------------------------

@pytest.mark.parametrize("text", ["I - s s^T", r"\mathbf{I} - s s^\top", r"\mathbb{I} - s s^T", "I_n - s s^T",
                                  "I_4 - s s^T", r"-s s^T + I"])
def test_I_is_the_identity_next_to_a_matrix(text: str) -> None:
    e = parse_expression(text, JACOBIAN)
    assert e.shape == (4, 4)
    s = sp.MatrixSymbol("s", 4, 1)
    assert sp.ImmutableMatrix(e.as_explicit()) == sp.ImmutableMatrix((sp.Identity(4) - s * s.T).as_explicit())


def test_the_identity_takes_the_size_that_fits() -> None:
    """W is 4×3: W I needs a 3×3 identity, I W a 4×4 one, W^T W + λI a 3×3 one."""
    assert parse_expression("W I", RECT) == sp.MatrixSymbol("W", 4, 3)
    assert parse_expression("I W", RECT) == sp.MatrixSymbol("W", 4, 3)
    ridge = parse_expression(r"W^T W + \lambda I", RECT)
    W, lam = sp.MatrixSymbol("W", 4, 3), sp.Symbol("\\lambda", real=True)
    assert sp.ImmutableMatrix(ridge.as_explicit()) == sp.ImmutableMatrix((W.T * W + lam * sp.Identity(3)).as_explicit())
    assert parse_expression("2I - A", SQUARE).shape == (3, 3)
    assert parse_expression("(I - A)^{-1} x", SQUARE).shape == (3, 1)
    assert parse_expression("I^{-1} A", SQUARE) == sp.MatrixSymbol("A", 3, 3)
    assert parse_expression("I^T", SQUARE) == sp.Identity(3)  # alone: the one size the part declares
    assert parse_expression(r"\frac{A + I}{2}", SQUARE).shape == (3, 3)


def test_I_with_index_letters_is_the_kronecker_delta() -> None:
    i, j = sp.symbols("i j", integer=True)
    assert parse_expression("I_{ij}", SQUARE) == sp.KroneckerDelta(i, j)


def test_an_identity_whose_size_cannot_be_told_gets_a_message() -> None:
    """W is 4×3: a lone I could be 4×4 or 3×3."""
    with pytest.raises(MathSyntaxError) as info:
        parse_expression(r"\sigma(I)", RECT)
    assert "cannot tell the size of the identity matrix I" in str(info.value)
    assert info.value.position == 7
    with pytest.raises(MathShapeError, match="adding the identity matrix I and a scalar"):
        parse_expression("I + 1", SQUARE)
    with pytest.raises(MathShapeError, match="not square"):
        parse_expression("W + I", RECT)
    with pytest.raises(MathSyntaxError, match="size of the identity"):
        parse_expression("I_{k+1} A", SQUARE)


def test_a_declared_I_stays_the_authors_symbol() -> None:
    ctx = MathContext(symbols=["A", "I"], shapes={"A": ("n", "n")})
    assert parse_expression("I", ctx) == sp.Symbol("I", real=True)
    assert parse_expression("I A", ctx).shape == (3, 3)  # a scalar I times A


def test_in_a_scalar_part_I_keeps_its_old_reading() -> None:
    """No shapes declared: I is an ordinary name (never √−1), or unknown in a strict part."""
    assert parse_expression("I x") == sp.Symbol("I", real=True) * sp.Symbol("x", real=True)
    assert parse_expression("I + 1") == sp.Symbol("I", real=True) + 1
    with pytest.raises(MathSyntaxError, match="unknown name 'I'"):
        parse_expression("I x", MathContext(symbols=["x"]))
    with pytest.raises(MathSyntaxError, match=r"only where the part declares matrix or vector shapes"):
        parse_expression(r"\mathbb{I} x")


def test_indicators_are_still_indicators() -> None:
    x = sp.Symbol("x", real=True)
    for text in [r"\mathbb{I}[x > 0]", r"\mathbb{1}[x > 0]", r"\mathbb{I}_{x > 0}", r"\mathbf{1}[x > 0]"]:
        e = parse_expression(text)
        assert e.subs(x, 2) == 1 and e.subs(x, -2) == 0, text


def test_the_identity_answer_is_judged_against_the_jacobian() -> None:
    """The corpus pair: I − s sᵀ is wrong for diag(s) − s sᵀ, with a point shown."""
    v = check_equivalence(parse_expression("I - s s^T", JACOBIAN),
                          parse_expression(r"\operatorname{diag}(s) - s s^T", JACOBIAN), JACOBIAN)
    assert v.equivalent is False and "expected" in v.message
    v = check_equivalence(parse_expression(r"\mathbf{I} - s s^T", JACOBIAN),
                          parse_expression(r"I_n - s s^\top", JACOBIAN), JACOBIAN)
    assert v.equivalent is True


# ---- notation met in other answer checkers' test suites (benchmarks/equivalence/external.jsonl) ----

@pytest.mark.parametrize("text, expected", [
    ("sec x", 1 / sp.cos(sp.Symbol("x", real=True))),
    ("csc(x)", 1 / sp.sin(sp.Symbol("x", real=True))),
    ("cot x", sp.cos(sp.Symbol("x", real=True)) / sp.sin(sp.Symbol("x", real=True))),
    ("coth(x)", sp.cosh(sp.Symbol("x", real=True)) / sp.sinh(sp.Symbol("x", real=True))),
    ("arctan(x)", sp.atan(sp.Symbol("x", real=True))),
    (r"\arcsin(x)", sp.asin(sp.Symbol("x", real=True))),
    (r"\sec^2(x)", 1 / sp.cos(sp.Symbol("x", real=True)) ** 2),
    ("log(x, 10)", sp.log(sp.Symbol("x", real=True)) / sp.log(10)),
])
def test_reciprocal_and_inverse_trig_and_a_log_base(text: str, expected: sp.Basic) -> None:
    assert sp.simplify(parse_expression(text) - expected) == 0


def test_a_greek_letter_declared_in_plain_spelling_is_read_in_plain_spelling() -> None:
    """symbols = ["theta"] declares θ; a student's plain `theta` was reported as unknown."""
    ctx = MathContext(symbols=["theta", "d"])
    theta = sp.Symbol("\\theta", real=True)
    assert parse_expression("2*d*sin(theta)", ctx) == 2 * sp.Symbol("d", real=True) * sp.sin(theta)
    assert parse_expression(r"\sin\theta", ctx) == sp.sin(theta)
    with pytest.raises(MathSyntaxError, match="unknown name"):
        parse_expression("sin(phi)", ctx)

