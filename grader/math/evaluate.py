"""Vectorised numeric evaluation of a (concrete) SymPy expression at many points at once.

Walks the expression tree once, each node one NumPy operation over all sample points; no
code generation, no string evaluation. Anything it does not know raises Unsupported, and the
caller falls back to SymPy's own (slower) evaluation.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.core.relational import Relational


class Unsupported(Exception):
    """The expression holds something the vectorised evaluator does not handle."""


_UNARY = {
    sp.exp: np.exp, sp.log: np.log, sp.sin: np.sin, sp.cos: np.cos, sp.tan: np.tan, sp.tanh: np.tanh,
    sp.sinh: np.sinh, sp.cosh: np.cosh, sp.Abs: np.abs, sp.sign: np.sign, sp.atan: np.arctan,
    sp.asin: np.arcsin, sp.acos: np.arccos, sp.floor: np.floor, sp.ceiling: np.ceil,
}
_CMP = {sp.StrictGreaterThan: np.greater, sp.StrictLessThan: np.less, sp.GreaterThan: np.greater_equal,
        sp.LessThan: np.less_equal, sp.Equality: np.equal, sp.Unequality: np.not_equal}


def evaluate(expr: Any, env: dict[sp.Symbol, np.ndarray], n: int) -> np.ndarray:
    """Values of `expr` at n points; `env` maps each free symbol to an array of n values.

    A matrix gives an array of shape (n, rows, cols).
    """
    memo: dict[Any, np.ndarray] = {}
    with np.errstate(all="ignore"):
        if isinstance(expr, sp.MatrixBase):
            r, c = expr.shape
            out = np.empty((n, r, c))
            for a in range(r):
                for b in range(c):
                    out[:, a, b] = _ev(expr[a, b], env, n, memo)
            return out
        if isinstance(expr, sp.MatrixExpr):
            raise Unsupported("matrix expression not made explicit")
        return _ev(expr, env, n, memo)


def _ev(e: Any, env: dict, n: int, memo: dict) -> np.ndarray:
    hit = memo.get(e)
    if hit is not None:
        return hit
    out = _ev_node(e, env, n, memo)
    if out.shape != (n,):
        out = np.broadcast_to(out, (n,)).astype(float)
    memo[e] = out
    return out


def _ev_node(e: Any, env: dict, n: int, memo: dict) -> np.ndarray:
    if e.is_Symbol:
        try:
            return env[e]
        except KeyError:
            raise Unsupported(f"no value for {e}") from None
    if e.is_Number or e.is_NumberSymbol:
        if e is sp.nan or e is sp.zoo or e in (sp.oo, -sp.oo):
            return np.full(n, np.nan)
        return np.full(n, float(e))
    if e.is_Add:
        acc = np.zeros(n)
        for a in e.args:
            acc = acc + _ev(a, env, n, memo)
        return acc
    if e.is_Mul:
        acc = np.ones(n)
        for a in e.args:
            acc = acc * _ev(a, env, n, memo)
        return acc
    if e.is_Pow:
        base, ex = e.args
        b = _ev(base, env, n, memo)
        if ex.is_Integer:
            k = int(ex)
            if k < 0:
                return 1.0 / np.power(b, -k)
            return np.power(b, k)
        if ex == sp.Rational(1, 2):
            return np.sqrt(b)  # nan for negative: outside the domain
        x = _ev(ex, env, n, memo)
        return np.power(b, x)
    f = e.func
    if f in _UNARY:
        return _UNARY[f](_ev(e.args[0], env, n, memo))
    if f is sp.Max or f is sp.Min:
        vals = [_ev(a, env, n, memo) for a in e.args]
        red = np.maximum if f is sp.Max else np.minimum
        out = vals[0]
        for v in vals[1:]:
            out = red(out, v)
        return out
    if f is sp.Piecewise:
        out = np.full(n, np.nan)
        done = np.zeros(n, dtype=bool)
        for expr, cond in e.args:
            c = _cond(cond, env, n, memo)
            take = c & ~done
            if take.any():
                out = np.where(take, _ev(expr, env, n, memo), out)
            done |= c
        return out
    if f is sp.Heaviside:
        x = _ev(e.args[0], env, n, memo)
        half = float(e.args[1]) if len(e.args) > 1 else 0.5
        return np.where(x > 0, 1.0, np.where(x < 0, 0.0, half))
    if f is sp.KroneckerDelta:
        a, b = (_ev(x, env, n, memo) for x in e.args[:2])
        return (a == b).astype(float)
    if isinstance(e, sp.Trace):
        m = e.arg.as_explicit()
        return sum((_ev(m[i, i], env, n, memo) for i in range(m.shape[0])), np.zeros(n))
    if isinstance(e, MatrixElement):
        m = e.parent.as_explicit()
        return _ev(m[int(e.i), int(e.j)], env, n, memo)
    if isinstance(e, sp.AppliedUndef):
        raise Unsupported(f"unknown function {e.func}")
    raise Unsupported(f"cannot evaluate {type(e).__name__}")


def _cond(c: Any, env: dict, n: int, memo: dict) -> np.ndarray:
    if c is sp.true or c is True:
        return np.ones(n, dtype=bool)
    if c is sp.false or c is False:
        return np.zeros(n, dtype=bool)
    if isinstance(c, Relational):
        op = _CMP.get(type(c))
        if op is None:
            raise Unsupported(f"cannot evaluate {type(c).__name__}")
        return op(_ev(c.lhs, env, n, memo), _ev(c.rhs, env, n, memo))
    if isinstance(c, sp.And):
        out = np.ones(n, dtype=bool)
        for a in c.args:
            out &= _cond(a, env, n, memo)
        return out
    if isinstance(c, sp.Or):
        out = np.zeros(n, dtype=bool)
        for a in c.args:
            out |= _cond(a, env, n, memo)
        return out
    if isinstance(c, sp.Not):
        return ~_cond(c.args[0], env, n, memo)
    raise Unsupported(f"cannot evaluate condition {type(c).__name__}")
