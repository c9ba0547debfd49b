"""Property tests: whatever a student types, the parser gives a result or a clear error, fast."""
from __future__ import annotations

import time

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.errors import MathSyntaxError
from grader.math import MathContext, MathShapeError, check_equivalence, parse_chain, parse_expression

PIECES = [
    "x", "y", "z", "w_1", "s_i", "s_j", "W", "e", "2", "0.5", "10", "+", "-", "*", "/", "^", "**", "(", ")", "[", "]",
    "{", "}", "|", "\\|", ",", "=", "&", "\\\\", "_", "'", " ", "\\frac", "\\cdot", "\\times", "\\sqrt", "\\exp",
    "\\log", "\\ln", "\\sigma", "\\max", "\\sum_k", "\\sum_{k=1}^{N}", "\\prod", "\\delta_{ij}", "\\hat{y}",
    "\\tilde{y}_k", "W^{(1)}", "^T", "^\\top", "^{-1}", "\\left(", "\\right)", "\\Big(", "\\bigl[", "\\text{if }",
    "\\quad", "\\mathbb{1}", "[z > 0]", "\\begin{cases}", "\\end{cases}", "\\begin{bmatrix}", "\\end{bmatrix}",
    "\\begin{aligned}", "\\end{aligned}", "\\odot", "\\partial", "\\frac{\\partial L}{\\partial w}", "d", ">", "<",
    "\\neq", "\\mathrm{ReLU}", "softplus", "\\operatorname{diag}", "\\mathbf{x}", "9^{9^9}", "\\alpha", "−", "·", "ŷ",
    "\\log\\sum_k", "\\ln\\sum_{k=1}^{n}", "I", "\\mathbf{I}", "\\mathbb{I}", "I_n", "I_{ij}", "A", "s",
]
#: a part with matrices, where I is the identity (its size taken from what is next to it)
MATRIX_PART = MathContext(shapes={"A": ("n", "n"), "W": ("N", "C"), "s": ("n",)}, dims={"n": 3, "N": 4, "C": 3})
COURSE = [
    r"s_i(\delta_{ij} - s_j)", r"\frac{e^{z_i}}{\sum_k e^{z_k}}", r"-(y - \hat{y})\, w_2\, x", "400y(2y^2-x)",
    r"\sigma(z)(1-\sigma(z))", r"\max(0, z) + \mathbb{1}[z > 0]", r"\|W\|_F^2 + \lambda \|W\|_2^2",
    r"\begin{aligned} \frac{\partial s_i}{\partial z_j} &= s_i(1 - s_i) \quad \text{if } i = j \\ &= -s_i s_j \end{aligned}",
    r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}^T", r"\begin{cases} z & z > 0 \\ 0 & \text{otherwise} \end{cases}",
    "s_i*(delta(i,j) - s_j)", "x**2 + 3*x - 1/x", r"a_i^{(1)} W^{(2)}_{ij}",
]
OK = (MathSyntaxError, MathShapeError)
parse_expression("x")  # the parser is built once per process; its build is not what is timed here
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def _parse_quickly(text: str, ctx: MathContext | None = None) -> None:
    start = time.perf_counter()
    try:
        out = parse_chain(text, ctx or MathContext())
        assert all(isinstance(m.expr, (sp.Basic, sp.MatrixBase)) for m in out.members)
    except OK as e:
        assert str(e)  # always a message
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"{elapsed:.2f} s for {text!r}"


@SETTINGS
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_token_soup_gives_a_result_or_a_parse_error(text: str) -> None:
    _parse_quickly(text)


@SETTINGS
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_token_soup_in_a_matrix_part_gives_a_result_or_a_parse_error(text: str) -> None:
    _parse_quickly(text, MATRIX_PART)


@SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
def test_arbitrary_text_gives_a_result_or_a_parse_error(text: str) -> None:
    _parse_quickly(text)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(COURSE))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["delete", "insert", "swap"]))
        if op == "delete" and text:
            text = text[:pos] + text[pos + 1:]
        elif op == "insert":
            text = text[:pos] + draw(st.sampled_from(PIECES)) + text[pos:]
        elif len(text) > pos + 1:
            text = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2:]
    return text


@SETTINGS
@given(mutated())
def test_mutated_course_answers_give_a_result_or_a_parse_error(text: str) -> None:
    _parse_quickly(text)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.sampled_from(COURSE[:7]))
def test_equivalence_of_mutants_stays_within_budget(student: str, reference: str) -> None:
    try:
        a = parse_expression(student)
        b = parse_expression(reference)
    except OK:
        return
    start = time.perf_counter()
    v = check_equivalence(a, b, MathContext(), budget_s=0.5)
    assert time.perf_counter() - start < 1.5
    assert v.equivalent in (True, False, None)
    if v.equivalent is False and not v.shape_problem:
        assert "expected" in v.message


INDEXED = MathContext(symbols=["x", "y", "s", "z"], shapes={"s": ("n",), "z": ("n",)}, dims={"n": 3},
                      indices={"i": "n", "j": "n", "k": "n"}, domains={"s": "probability"})
ATOMS = ["x", "y", "s_i", "s_j", "z_i", "z_k", r"\delta_{ij}", "2", "0.5"]


@st.composite
def formulas(draw, depth: int = 0) -> str:
    """Small random formulas over scalars, entries, δ and sums, in LaTeX."""
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(ATOMS))
    a, b = draw(formulas(depth + 1)), draw(formulas(depth + 1))
    op = draw(st.sampled_from(["+", "-", "*", "/", "^", "exp", "sum", "sigma"]))
    if op == "^":
        return f"\\left({a}\\right)^{{{draw(st.integers(2, 3))}}}"
    if op == "/":
        return f"\\frac{{{a}}}{{1 + \\left({b}\\right)^2}}"  # never 0: a formula defined everywhere
    if op == "exp":
        return f"e^{{\\frac{{{a}}}{{4}}}}"
    if op == "sum":
        return f"\\sum_{{k=1}}^{{3}} z_k \\left({a}\\right)"
    if op == "sigma":
        return f"\\sigma\\left({a}\\right)"
    return f"\\left({a}\\right) {op if op != '*' else ' '} \\left({b}\\right)"


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(formulas())
def test_a_formula_equals_itself_and_not_itself_plus_a_small_constant(text: str) -> None:
    try:
        e = parse_expression(text, INDEXED)
    except OK:
        return
    same = check_equivalence(e, e, INDEXED, budget_s=1.0)
    assert same.equivalent in (True, None), (text, same.message)
    shifted = check_equivalence(e + sp.Rational(1, 1000), e, INDEXED, budget_s=1.0)
    assert shifted.equivalent in (False, None), (text, shifted.message)
    if shifted.equivalent is False:
        assert "you get" in shifted.message.lower() and "expected" in shifted.message
