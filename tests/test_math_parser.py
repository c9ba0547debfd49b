"""The math grammar: course notation and plain syntax into SymPy, errors with carets, limits."""
from __future__ import annotations

import time

import pytest
import sympy as sp

from grader.errors import MathSyntaxError
from grader.math import MathContext, MathShapeError, parse_chain, parse_expression

x, y, z = sp.symbols("x y z", real=True)
i, j, k = sp.symbols("i j k", integer=True)
E0 = MathContext()


def p(text: str, ctx: MathContext = E0, syntax: str = "auto") -> sp.Expr:
    return parse_expression(text, ctx, syntax)


def same(a: sp.Expr, b: sp.Expr) -> bool:
    return sp.simplify(a - b) == 0


@pytest.mark.parametrize("text, expected", [
    (r"\frac{1}{2}", sp.Rational(1, 2)),
    (r"\tfrac12", sp.Rational(1, 2)),
    (r"2.5 \times 10^{-3}", sp.Rational(1, 400)),
    ("1e-3", sp.Rational(1, 1000)),
    (r"e^{-1}", sp.exp(-1)),
    (r"\sqrt{2}/2", sp.sqrt(2) / 2),
    (r"\sqrt[3]{8}", sp.Integer(2)),
    (r"\frac{1}{1+e^{2}}", 1 / (1 + sp.exp(2))),
    (r"\ln e", sp.Integer(1)),
    (r"\log_2 8", sp.Integer(3)),
    ("−1", sp.Integer(-1)),
])
def test_constants(text: str, expected: sp.Expr) -> None:
    assert same(p(text), expected)


@pytest.mark.parametrize("text, expected", [
    ("400y(2y^2-x)", 400 * y * (2 * y ** 2 - x)),
    (r"x \cdot y", x * y),
    (r"x \times y", x * y),
    ("x**2 + x^2", 2 * x ** 2),
    (r"\left( x + 1 \right)^2", (x + 1) ** 2),
    (r"\Big( x \Big) \bigl[ y \bigr]", x * y),
    (r"\exp(x) + \exp x", 2 * sp.exp(x)),
    (r"\ln x", sp.log(x)),
    (r"\sigma(z)", 1 / (1 + sp.exp(-z))),
    (r"\sigma'(z)", sp.exp(-z) / (1 + sp.exp(-z)) ** 2),
    (r"\max(0, z)", sp.Max(0, z)),
    (r"\mathrm{ReLU}(z)", sp.Max(0, z)),
    ("relu(z)", sp.Max(0, z)),
    (r"\operatorname{softplus}(z)", sp.log(1 + sp.exp(z))),
    (r"\tanh(x)", sp.tanh(x)),
    (r"\mathbb{1}[z > 0]", sp.Piecewise((1, z > 0), (0, True))),
    (r"\begin{cases} z & z > 0 \\ 0 & \text{otherwise} \end{cases}", sp.Piecewise((z, z > 0), (0, True))),
    (r"|x|", sp.Abs(x)),
    (r"x\,y\;\quad", x * y),
    (r"3 \text{ units}", sp.Integer(3)),
    (r"-x^2", -x ** 2),
    (r"\frac{d}{dx} x^3", 3 * x ** 2),
])
def test_scalar_notation(text: str, expected: sp.Expr) -> None:
    assert same(p(text), expected)


def test_decorated_names_are_names() -> None:
    for text, name in [(r"\hat{y}", r"\hat{y}"), (r"\bar{x}", r"\bar{x}"), (r"\mathbf{W}", "W"),
                       (r"\boldsymbol{x}", "x"), (r"W^{(1)}", "W^{(1)}"), ("w_1", "w_1"), ("w1", "w_1"),
                       (r"a_{12}", "a_{12}"), ("ŷ", r"\hat{y}")]:
        e = p(text)
        assert isinstance(e, sp.Symbol) and e.name == name, text


def test_layer_index_is_not_a_power() -> None:
    e = p(r"W^{(2)} + W^2")
    names = {s.name for s in e.free_symbols}
    assert names == {"W^{(2)}", "W"}
    assert p(r"z_k^{(2)}") == sp.Indexed(sp.IndexedBase("z^{(2)}"), k)
    assert p(r"a_i^{(1)}") == sp.Indexed(sp.IndexedBase("a^{(1)}"), i)


def test_indices_sums_and_kronecker() -> None:
    s = sp.IndexedBase("s")
    assert p(r"s_i(\delta_{ij} - s_j)") == s[i] * (sp.KroneckerDelta(i, j) - s[j])
    assert p("s_i*(delta(i,j) - s_j)") == p(r"s_i(\delta_{ij} - s_j)")
    assert p(r"s_i(1 - s_j)") == s[i] * (1 - s[j])  # s_i is not a function
    zb = sp.IndexedBase("z")
    n = sp.Symbol("n", integer=True, positive=True)
    assert p(r"\sum_k e^{z_k}") == sp.Sum(sp.exp(zb[k]), (k, 1, n))
    N = sp.Symbol("N", real=True)
    e = p(r"\sum_{k=1}^{N} z_k")
    assert isinstance(e, sp.Sum) and e.limits[0][2].name == "N" and N.name == "N"
    assert isinstance(p(r"\prod_k z_k"), sp.Product)
    W = sp.IndexedBase("W")
    assert p(r"W_{ij}") == W[i, j]


def test_named_derivatives_and_chains() -> None:
    d = p(r"\frac{\partial L}{\partial w_1}")
    assert isinstance(d, sp.Symbol) and d.name == r"\frac{\partial L}{\partial w_1}"
    assert p(r"\frac{dL}{dw_1}") == d
    ev = parse_expression(r"\frac{\partial}{\partial x} x^2", MathContext(derivatives="evaluate"))
    assert ev == 2 * x
    chain = parse_chain(r"\frac{\partial L}{\partial w_2} = -(y - \hat{y})\, h = 3")
    assert [m.text for m in chain.members] == [r"\frac{\partial L}{\partial w_2}", r"-(y - \hat{y})\, h", "3"]
    assert chain.members[0].is_name and chain.last.expr == 3


def test_aligned_chain_with_conditions() -> None:
    text = (r"\begin{aligned} \frac{\partial s_i}{\partial z_j} &= s_i(1 - s_i) \quad \text{if } i = j \\"
            r" &= -s_i s_j \quad \text{if } i \neq j \end{aligned}")
    chain = parse_chain(text)
    assert len(chain.members) == 3
    assert chain.members[1].relation is None or chain.members[1].relation == "="
    assert chain.members[2].relation == "="
    c1, c2 = chain.conditions
    assert c1.kind == "if" and c1.relations == [sp.Eq(i, j, evaluate=False)]
    assert c2.relations == [sp.Ne(i, j, evaluate=False)]
    assert chain.members[2].condition is c2


def test_matrices_shapes_transpose() -> None:
    ctx = MathContext(shapes={"W": ("N", "C"), "x": ("C",), "s": ("n",)}, dims={"N": 4, "C": 3, "n": 3})
    e = parse_expression(r"W x", ctx)
    assert e.shape == (4, 1)
    assert parse_expression(r"W^T", ctx).shape == (3, 4)
    assert parse_expression(r"W^\top W", ctx).shape == (3, 3)
    jac = parse_expression(r"\operatorname{diag}(s) - s s^\top", ctx)
    assert jac.shape == (3, 3)
    m = p(r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}")
    assert m == sp.ImmutableMatrix([[1, 2], [3, 4]])
    assert parse_expression(r"\|W\|_F^2", ctx).free_symbols
    assert parse_expression(r"W \odot W", ctx).shape == (4, 3)
    with pytest.raises(MathShapeError, match="not defined"):
        parse_expression("x W", ctx)


@pytest.mark.parametrize("text, expected_words, pos", [
    (r"3 \cdot", "unexpected end of the answer", 7),
    (r"(x + 1", "')'", 6),
    (r"\frac{1}{x", "expected '}'", 10),
    (r"x + + ", "unexpected", 6),
    (r"\foo{x}", "unknown command", 0),
    ("x $ y", "unexpected character", 2),
])
def test_errors_say_what_and_where(text: str, expected_words: str, pos: int) -> None:
    with pytest.raises(MathSyntaxError) as info:
        p(text)
    err = info.value
    assert expected_words in str(err)
    assert abs(err.position - pos) <= 2
    assert err.caret().split("\n")[1].index("^") == err.position


def test_undeclared_name_is_reported() -> None:
    ctx = MathContext(symbols=["x", "y"])
    with pytest.raises(MathSyntaxError, match="unknown name 'q'") as info:
        parse_expression("x + q", ctx)
    assert info.value.position == 4


@pytest.mark.parametrize("text, words", [
    ("9^{9^{9^9}}", "larger than the limit"),
    ("9^{9^9}", "larger than the limit"),
    ("99^{9999}", "digits"),
    ("(" * 10_000 + "x" + ")" * 10_000, "too long"),
    ("(" * 200 + "x" + ")" * 200, "nested"),
    ("1" * 60, "digits"),
    ("x^{100000}", "exponent"),
])
def test_limits_refuse_quickly(text: str, words: str) -> None:
    start = time.perf_counter()
    with pytest.raises(MathSyntaxError, match=words):
        p(text)
    assert time.perf_counter() - start < 0.5


def test_never_evaluates_python() -> None:
    with pytest.raises(MathSyntaxError):
        p("__import__('os').system('true')")
    with pytest.raises(MathSyntaxError):
        p("x.__class__")


def test_more_course_notation() -> None:
    ctx = MathContext(symbols=["z", "W", "s"], shapes={"z": ("n",), "W": ("m", "n"), "s": ("n",)}, dims={"n": 3, "m": 2})
    zb = sp.IndexedBase("z")
    e = parse_expression(r"\operatorname{softmax}(z)_i", ctx)
    assert e.has(sp.Sum) and e.has(zb[i])
    assert parse_expression(r"\mathbb{1}_{z_i > 0}", ctx) == sp.Piecewise((1, zb[i] > 0), (0, True))
    second = parse_expression(r"\frac{\partial^2 L}{\partial w^2}")
    assert second.name == r"\frac{\partial^2 L}{\partial w^2}"
    assert parse_expression(r"\frac{d^2}{dx^2} x^3", MathContext(derivatives="evaluate")) == 6 * x
    assert not isinstance(parse_expression(r"1 + s^T s", ctx), sp.MatrixBase)  # a 1×1 product is a number
    total = parse_expression(r"\sum_{i,j} W_{ij}", ctx)
    assert [lim[2] for lim in total.limits] == [3, 2]  # ranges from W's shape (m × n)



def test_plain_decorations_are_the_latex_names() -> None:
    """Students type `y_hat` for ŷ in plain syntax (a part may also declare that spelling)."""
    ctx = MathContext(symbols=["\\hat{y}", "y", "\\bar{x}", "x"])
    assert parse_expression("y_hat - y", ctx, syntax="plain") == parse_expression("\\hat{y} - y", ctx)
    assert parse_expression("x_bar*2", ctx, syntax="plain") == parse_expression("2\\bar{x}", ctx)
    plain = MathContext(symbols=["y_hat", "y"])  # a part may declare the plain spelling too
    assert parse_expression("-(y - y_hat)", plain, syntax="plain") == parse_expression("\\hat{y} - y", plain)


def test_a_bare_latex_superscript_is_one_character() -> None:
    """X^TP is X^T P (LaTeX takes one character after ^), not X to the power TP."""
    ctx = MathContext(symbols=["X", "P"], shapes={"X": (5, 3), "P": (5, 3)})
    assert parse_expression("X^TP", ctx, syntax="latex") == parse_expression("X^T P", ctx, syntax="latex")
    assert parse_expression("X^T\\delta", MathContext(symbols=["X", "\\delta"], shapes={"X": (5, 3), "\\delta": (5, 1)})) \
        == parse_expression("X^{T}\\delta", MathContext(symbols=["X", "\\delta"], shapes={"X": (5, 3), "\\delta": (5, 1)}))


def test_a_subscripted_name_declared_as_a_matrix_is_that_matrix() -> None:
    """W_2 with a declared shape is a 4×2 matrix, so G W_2^T is 5×4 (it was read as a scalar)."""
    ctx = MathContext(symbols=["G", "W_2"], shapes={"G": (5, 2), "W_2": (4, 2)})
    assert parse_expression("G W_2^T", ctx, syntax="latex").shape == (5, 4)
    assert parse_expression("W_2", ctx, syntax="latex").shape == (4, 2)
