"""An expression's exact value at one sample point: rational arithmetic where the point's
exact decimals allow it, 30 significant digits where a function (exp, log, σ) is applied.

This is the re-check that tells a real difference from float rounding. Walking the tree with
numbers is far cheaper than substituting them and asking SymPy to simplify matrix
expressions (30 ms for a 5×3 product, against 1 ms here).
"""
from __future__ import annotations

from typing import Any, Callable

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from grader.math.evaluate import Unsupported
from grader.math.points import PointTable

DIGITS = 30
MAX_TERMS = 50


class ExactEvaluator:
    """Values at point `p` of `table`, with the index values of one case (`indices`)."""

    def __init__(self, table: PointTable, p: int, indices: dict[sp.Symbol, int], dims: dict[str, int],
                 undef: Callable[[str, tuple], Any]) -> None:
        self.table = table
        self.p = p
        self.indices = dict(indices)
        self.dims = dims
        self.undef = undef

    def values(self, e: Any) -> list[Any]:
        """The value (a list of one, or a matrix's entries row by row) as SymPy numbers."""
        v = self._v(e)
        items = list(v) if isinstance(v, sp.MatrixBase) else [v]
        return [x if x.is_Rational else sp.Float(x.evalf(DIGITS), DIGITS) for x in items]

    def _num(self, x: Any) -> Any:
        """A function's value at numbers, as a 30-digit float (no symbolic swell)."""
        if x.is_Rational:
            return x
        v = x.evalf(DIGITS)
        if not v.is_number:
            raise Unsupported(f"no number for {x}")
        return v

    def _v(self, e: Any) -> Any:
        if isinstance(e, sp.MatrixBase):
            return sp.ImmutableMatrix(e.shape[0], e.shape[1], [self._v(x) for x in e])
        if isinstance(e, sp.MatrixExpr):
            return self._matrix(e)
        if e.is_Symbol:
            if e in self.indices:
                return sp.Integer(self.indices[e])
            if e.name in self.dims:
                return sp.Integer(self.dims[e.name])
            return self.table.exact(e, self.p)
        if e.is_Number or e.is_NumberSymbol:
            return e
        if e.is_Add:
            return sp.Add(*[self._v(a) for a in e.args])
        if e.is_Mul:
            return sp.Mul(*[self._v(a) for a in e.args])
        if e.is_Pow:
            b, x = self._v(e.base), self._v(e.exp)
            if b == 0 and (x.is_negative or x == 0):
                raise ZeroDivisionError("0 to a power that is not positive")
            return self._num(sp.Pow(b, x))
        if isinstance(e, sp.Indexed):
            idx = tuple(self._int(i) for i in e.indices)
            return self.table.exact(self.table.entry_symbol(str(e.base), idx), self.p)
        if isinstance(e, MatrixElement):
            m = self._v(e.parent)
            i, j = self._int(e.i), self._int(e.j)
            if not (0 <= i < m.shape[0] and 0 <= j < m.shape[1]):
                raise ValueError("an entry outside the matrix")
            return m[i, j]
        if isinstance(e, (sp.Sum, sp.Product)):
            return self._big(e.function, list(e.limits), isinstance(e, sp.Sum))
        if isinstance(e, sp.Trace):
            return self._v(e.arg).trace()
        if isinstance(e, sp.Determinant):
            return self._v(e.arg).det()
        if isinstance(e, sp.core.function.AppliedUndef):
            return self._v(self.undef(e.func.__name__, e.args))
        if isinstance(e, sp.Piecewise):
            for expr, cond in e.args:
                c = self._cond(cond)
                if c:
                    return self._v(expr)
            return sp.nan
        if isinstance(e, sp.Function):
            return self._num(e.func(*[self._v(a) for a in e.args]))
        raise Unsupported(f"cannot evaluate {type(e).__name__} exactly")

    def _cond(self, c: Any) -> bool:
        if c is sp.true or c is True:
            return True
        if c is sp.false or c is False:
            return False
        if isinstance(c, sp.And):
            return all(self._cond(a) for a in c.args)
        if isinstance(c, sp.Or):
            return any(self._cond(a) for a in c.args)
        if isinstance(c, sp.Not):
            return not self._cond(c.args[0])
        if isinstance(c, sp.core.relational.Relational):
            v = c.func(self._v(c.lhs), self._v(c.rhs))
            if v in (sp.true, sp.false):
                return bool(v)
        raise Unsupported(f"cannot decide {c} exactly")

    def _int(self, e: Any) -> int:
        v = self._v(e)
        if not v.is_Integer:
            raise Unsupported("an index that is not a whole number")
        return int(v)

    def _big(self, body: Any, limits: list, is_sum: bool) -> Any:
        var, lo, hi = limits[-1]
        a, b = self._int(lo), self._int(hi)
        if b - a + 1 > MAX_TERMS:
            raise Unsupported(f"a sum with {b - a + 1} terms")
        terms = []
        outer = self.indices.get(var)
        try:
            for k in range(a, b + 1):
                self.indices[var] = k
                terms.append(self._big(body, limits[:-1], is_sum) if len(limits) > 1 else self._v(body))
        finally:
            if outer is None:
                self.indices.pop(var, None)
            else:
                self.indices[var] = outer
        return sp.Add(*terms) if is_sum else sp.Mul(*terms)

    def _dim(self, d: Any) -> int:
        if getattr(d, "is_Integer", False) or isinstance(d, int):
            return int(d)
        if isinstance(d, sp.Symbol) and d.name in self.dims:
            return int(self.dims[d.name])
        raise Unsupported(f"a matrix of unknown size {d}")

    def _matrix(self, e: Any) -> sp.ImmutableMatrix:
        if isinstance(e, sp.MatrixSymbol):
            r, c = self._dim(e.shape[0]), self._dim(e.shape[1])
            return sp.ImmutableMatrix(r, c, [self.table.exact(self.table.entry_symbol(
                e.name, (i + 1,) if c == 1 else (i + 1, j + 1)), self.p) for i in range(r) for j in range(c)])
        if isinstance(e, sp.MatAdd):
            out = self._v(e.args[0])
            for a in e.args[1:]:
                out = out + self._v(a)
            return out
        if isinstance(e, sp.MatMul):
            scalar: Any = sp.Integer(1)
            acc = None
            for a in e.args:
                if isinstance(a, (sp.MatrixBase, sp.MatrixExpr)):
                    v = self._v(a)
                    acc = v if acc is None else acc * v
                else:
                    scalar = scalar * self._v(a)
            if acc is None:
                raise Unsupported("a matrix product without a matrix")
            return acc * scalar
        if isinstance(e, sp.Transpose):
            return self._v(e.arg).T
        if isinstance(e, sp.Inverse):
            return self._v(e.arg).inv()  # ValueError when singular: no exact value
        if isinstance(e, sp.MatPow):
            base, ex = e.args
            if not ex.is_Integer:
                raise Unsupported("a matrix power that is not a whole number")
            m = self._v(base)
            return m.inv() ** (-int(ex)) if int(ex) < 0 else m ** int(ex)
        if isinstance(e, sp.HadamardProduct):
            out = self._v(e.args[0])
            for a in e.args[1:]:
                out = out.multiply_elementwise(self._v(a))
            return out
        if isinstance(e, sp.HadamardPower):
            x = self._v(e.exp)
            return self._v(e.base).applyfunc(lambda v: self._num(sp.Pow(v, x)))
        if isinstance(e, sp.Identity):
            return sp.ImmutableMatrix(sp.eye(self._dim(e.shape[0])))
        if isinstance(e, sp.ZeroMatrix):
            return sp.ImmutableMatrix(sp.zeros(self._dim(e.shape[0]), self._dim(e.shape[1])))
        if isinstance(e, sp.OneMatrix):
            return sp.ImmutableMatrix(sp.ones(self._dim(e.shape[0]), self._dim(e.shape[1])))
        raise Unsupported(f"cannot evaluate the matrix expression {type(e).__name__} exactly")
