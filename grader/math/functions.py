"""The functions students may call, as SymPy expressions.

The network functions are written out in elementary terms (σ(z) = 1/(1+e^{−z}),
ReLU(z) = max(0, z), softplus(z) = log(1+e^z)), so that equivalence checks need no special
knowledge of them. On a matrix argument the elementwise ones act entry by entry.
"""
from __future__ import annotations

from typing import Any, Callable

import sympy as sp


class FunctionError(Exception):
    """A call the engine cannot make sense of (wrong number of arguments, unknown function)."""


def sigmoid(x: Any) -> Any:
    return 1 / (1 + sp.exp(-x))


def relu(x: Any) -> Any:
    return sp.Max(0, x)


def softplus(x: Any) -> Any:
    return sp.log(1 + sp.exp(x))


def step(x: Any) -> Any:
    """ReLU'(z): 1 where z > 0, else 0 (the usual convention at 0)."""
    return sp.Piecewise((1, x > 0), (0, True))


ELEMENTWISE: dict[str, Callable[[Any], Any]] = {
    "exp": sp.exp, "log": sp.log, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "tanh": sp.tanh,
    "sinh": sp.sinh, "cosh": sp.cosh, "sigmoid": sigmoid, "relu": relu, "softplus": softplus,
    "abs": sp.Abs, "sign": sp.sign, "step": step, "sqrt": sp.sqrt,
    # reciprocal and inverse trig functions, written in the functions above (as σ is), so that
    # sampling and proving need nothing more
    "sec": lambda x: 1 / sp.cos(x), "csc": lambda x: 1 / sp.sin(x), "cot": lambda x: sp.cos(x) / sp.sin(x),
    "coth": lambda x: sp.cosh(x) / sp.sinh(x), "sech": lambda x: 1 / sp.cosh(x), "csch": lambda x: 1 / sp.sinh(x),
    "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan,
}
#: derivatives written the way the course writes them
DERIVATIVES: dict[str, Callable[[Any], Any]] = {
    "sigmoid": lambda x: sigmoid(x) * (1 - sigmoid(x)),
    "relu": step,
    "softplus": sigmoid,
    "step": lambda x: sp.Integer(0),
}


def _is_matrix(v: Any) -> bool:
    return isinstance(v, (sp.MatrixBase, sp.MatrixExpr))


def _explicit(v: Any) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(v.as_explicit()) if not isinstance(v, sp.MatrixBase) else sp.ImmutableMatrix(v)


def _derivative_of(name: str, order: int) -> Callable[[Any], Any]:
    fn = ELEMENTWISE[name]
    if order == 1 and name in DERIVATIVES:
        return DERIVATIVES[name]
    t = sp.Dummy("t", real=True)
    d = sp.diff(fn(t), t, order)
    return lambda x: d.subs(t, x)


def apply(name: str, args: list[Any], *, primes: int = 0, base: str | None = None, info: Any = None) -> Any:
    """Call function `name` (canonical, from the lexer) on parsed arguments."""
    if primes > 3:
        raise FunctionError("at most three primes")
    if name in ELEMENTWISE:
        if name == "log" and len(args) == 2 and not primes and base is None \
                and not any(_is_matrix(a) for a in args):
            return sp.log(args[0]) / sp.log(args[1])  # log(x, 10): the base second, as in SymPy and Python
        if len(args) != 1:
            raise FunctionError(f"{name} takes one argument, not {len(args)}")
        fn = _derivative_of(name, primes) if primes else ELEMENTWISE[name]
        if name == "log" and base is not None:
            b = base.strip()
            if not b.isdigit():
                raise FunctionError("the base of a logarithm must be a number, like \\log_2")
            fn = (lambda x, b=int(b): sp.log(x) / sp.log(b))  # noqa: E731
        x = args[0]
        if _is_matrix(x):
            return _explicit(x).applyfunc(fn)
        return fn(x)
    if primes:
        raise FunctionError(f"{name}' is not understood")
    if name in ("max", "min"):
        if len(args) < 2:
            if len(args) == 1 and _is_matrix(args[0]):
                entries = list(_explicit(args[0]))
                return (sp.Max if name == "max" else sp.Min)(*entries)
            raise FunctionError(f"\\{name} needs at least two arguments, like \\{name}(0, z)")
        if any(_is_matrix(a) for a in args):
            return _elementwise_max(name, args)
        return (sp.Max if name == "max" else sp.Min)(*args)
    if name == "kronecker":
        if len(args) != 2:
            raise FunctionError("delta(i, j) takes two indices")
        return sp.KroneckerDelta(args[0], args[1])
    if name == "indicator":
        return indicator(args)
    if name == "softmax":
        if len(args) != 1:
            raise FunctionError("softmax takes one vector")
        return softmax(args[0])
    if name == "logsumexp":
        x = args[0]
        if not _is_matrix(x):
            raise FunctionError("logsumexp takes a vector")
        return sp.log(sp.Add(*[sp.exp(v) for v in _explicit(x)]))
    if name == "diag":
        x = args[0]
        if len(args) != 1 or not _is_matrix(x) or 1 not in x.shape:
            raise FunctionError("diag takes one vector")
        v = _explicit(x)
        return sp.ImmutableMatrix(sp.diag(*list(v)))
    if name == "trace":
        x = args[0]
        if len(args) != 1 or not _is_matrix(x) or x.shape[0] != x.shape[1]:
            raise FunctionError("tr takes one square matrix")
        return sp.Trace(x) if isinstance(x, sp.MatrixExpr) and not isinstance(x, sp.MatrixBase) else x.trace()
    if name == "transpose":
        return args[0].T if _is_matrix(args[0]) else args[0]
    if info is not None and name in getattr(info, "functions", ()):
        return sp.Function(name, real=True)(*args)
    raise FunctionError(f"unknown function '{name}'")


def _elementwise_max(name: str, args: list[Any]) -> Any:
    shape = next(a.shape for a in args if _is_matrix(a))
    mats = []
    for a in args:
        if _is_matrix(a):
            if a.shape != shape:
                raise FunctionError(f"\\{name} of matrices of different shapes")
            mats.append(_explicit(a))
        else:
            mats.append(sp.ImmutableMatrix(shape[0], shape[1], lambda i, j, a=a: a))
    f = sp.Max if name == "max" else sp.Min
    return sp.ImmutableMatrix(shape[0], shape[1], lambda i, j: f(*[m[i, j] for m in mats]))


def softmax(x: Any) -> Any:
    if not _is_matrix(x) or 1 not in x.shape:
        raise FunctionError("softmax takes a vector")
    v = _explicit(x)
    total = sp.Add(*[sp.exp(e) for e in v])
    return v.applyfunc(lambda e: sp.exp(e) / total)


def indicator(relations: list[Any]) -> Any:
    """\\mathbb{1}[z > 0]: 1 where every relation holds, else 0."""
    cond = sp.And(*relations)
    return sp.Piecewise((1, cond), (0, True))


def element(x: Any, i: Any, j: Any) -> Any:
    """The (i, j) element (1-based, symbolic indices allowed) of a vector or matrix value."""
    if isinstance(x, sp.MatrixSymbol):
        base = sp.IndexedBase(x.name)
        if x.shape[1] == 1:
            return sp.Indexed(base, i)
        return sp.Indexed(base, i, j)
    m = _explicit(x)
    r, c = m.shape
    if c == 1:
        return sp.Piecewise(*[(m[k, 0], sp.Eq(i, k + 1)) for k in range(r)], (sp.nan, True))
    return sp.Piecewise(*[(m[a, b], sp.And(sp.Eq(i, a + 1), sp.Eq(j, b + 1))) for a in range(r) for b in range(c)],
                        (sp.nan, True))
