"""Numeric values of an expression as it is written: indices, sums and matrix algebra done in
NumPy at every sample point and every index case at once, nothing made explicit symbolically.

This is the fast path of the equivalence check. Making an expression concrete first (sums
written out, each matrix product expanded entry by entry in SymPy) costs 10–500 ms; evaluating
the tree directly costs a fraction of a millisecond per node. Rows are (index case, point)
pairs: row = case · P + point. A scalar is an array of shape (B,), a matrix one of (B, r, c).

Anything this does not know raises Unsupported and the caller falls back to the concrete path.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import sympy as sp
from sympy.core.relational import Relational
from sympy.matrices.expressions.matexpr import MatrixElement

from grader.math.evaluate import _CMP, _UNARY, Unsupported
from grader.math.points import PointTable

MAX_TERMS = 50


class TooLarge(Exception):
    """A sum or product with more terms than a check may write out."""


class DirectEvaluator:
    """Evaluates expressions over B = cases × points rows.

    `indices` maps each free index symbol to its value per row (ints, shape (B,)); `dims`
    gives the sizes named by dimension symbols (n = 4); `undef` turns an author-declared,
    undefined function application into the smooth stand-in the engine uses for it.
    """

    def __init__(self, table: PointTable, indices: dict[sp.Symbol, np.ndarray], dims: dict[str, int],
                 n_cases: int, undef: Callable[[str, tuple], Any], used: set | None = None) -> None:
        self.table = table
        self.P = table.n
        self.C = n_cases
        self.B = n_cases * table.n
        self.rows = np.arange(self.B)
        self.point_of_row = self.rows % self.P
        self.indices = dict(indices)
        self.dims = dims
        self.undef = undef
        self.used = used  # entry symbols read, when the caller wants to know
        self._memo: dict[Any, np.ndarray] = {}
        self._matrices: dict[Any, np.ndarray] = {}
        self._tiles: dict[sp.Symbol, np.ndarray] = {}  # shared with child evaluators, like _matrices

    # ---- entry points -------------------------------------------------------------------

    def value(self, e: Any) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = self._v(e)
        if isinstance(e, (sp.MatrixBase, sp.MatrixExpr)):
            return out
        return out if out.shape == (self.B,) else np.broadcast_to(out, (self.B,)).astype(float)

    def _child(self, var: sp.Symbol, val: np.ndarray) -> "DirectEvaluator":
        c = DirectEvaluator.__new__(DirectEvaluator)
        c.__dict__.update(self.__dict__)
        c.indices = {**self.indices, var: val}
        c._memo = {}
        return c

    # ---- the tree -----------------------------------------------------------------------

    def _v(self, e: Any) -> np.ndarray:
        hit = self._memo.get(e)
        if hit is not None:
            return hit
        out = self._node(e)
        self._memo[e] = out
        return out

    def _s(self, e: Any) -> np.ndarray:
        """A scalar's values as a (B,) array."""
        v = self._v(e)
        if v.ndim == 0 or v.shape != (self.B,):
            if v.ndim > 1:
                raise Unsupported("a matrix where a number is expected")
            v = np.broadcast_to(v, (self.B,))
        return v

    def _node(self, e: Any) -> np.ndarray:
        if isinstance(e, sp.MatrixBase):
            r, c = e.shape
            out = np.empty((self.B, r, c))
            for a in range(r):
                for b in range(c):
                    out[:, a, b] = self._s(e[a, b])
            return out
        if isinstance(e, sp.MatrixExpr):
            return self._matrix(e)
        if e.is_Symbol:
            return self._symbol(e)
        if e.is_Number or e.is_NumberSymbol:
            if e is sp.nan or e is sp.zoo or e in (sp.oo, -sp.oo):
                return np.full(self.B, np.nan)
            return np.full(self.B, float(e))
        if e.is_Add:
            acc = np.zeros(self.B)
            for a in e.args:
                acc = acc + self._s(a)
            return acc
        if e.is_Mul:
            acc = np.ones(self.B)
            for a in e.args:
                acc = acc * self._s(a)
            return acc
        if e.is_Pow:
            base, ex = e.args
            b = self._s(base)
            if ex.is_Integer:
                k = int(ex)
                return 1.0 / np.power(b, -k) if k < 0 else np.power(b, k)
            if ex == sp.Rational(1, 2):
                return np.sqrt(b)
            return np.power(b, self._s(ex))
        if isinstance(e, sp.Indexed):
            return self._indexed(e)
        if isinstance(e, MatrixElement):
            m = self._v(e.parent)
            i, j = self._index(e.i, 0), self._index(e.j, 0)
            ok = (i >= 0) & (i < m.shape[1]) & (j >= 0) & (j < m.shape[2])
            out = np.full(self.B, np.nan)
            out[ok] = m[self.rows[ok], i[ok], j[ok]]
            return out
        if isinstance(e, (sp.Sum, sp.Product)):
            return self._big(e.function, list(e.limits), isinstance(e, sp.Sum))
        f = e.func
        if f in _UNARY:
            return _UNARY[f](self._s(e.args[0]))
        if f is sp.KroneckerDelta:
            a, b = (self._s(x) for x in e.args[:2])
            return (a == b).astype(float)
        if f is sp.Max or f is sp.Min:
            return (np.maximum if f is sp.Max else np.minimum).reduce([self._s(a) for a in e.args])
        if f is sp.Piecewise:
            out = np.full(self.B, np.nan)
            done = np.zeros(self.B, dtype=bool)
            for expr, cond in e.args:
                c = self._cond(cond)
                take = c & ~done
                if take.any():
                    out = np.where(take, self._s(expr), out)
                done |= c
            return out
        if f is sp.Heaviside:
            x = self._s(e.args[0])
            half = float(e.args[1]) if len(e.args) > 1 else 0.5
            return np.where(x > 0, 1.0, np.where(x < 0, 0.0, half))
        if isinstance(e, sp.Trace):
            m = self._v(e.arg)
            return np.trace(m, axis1=1, axis2=2)
        if isinstance(e, sp.Determinant):
            return np.linalg.det(self._v(e.arg))
        if isinstance(e, sp.core.function.AppliedUndef):
            return self._s(self.undef(e.func.__name__, e.args))
        raise Unsupported(f"cannot evaluate {type(e).__name__}")

    def _symbol(self, e: sp.Symbol) -> np.ndarray:
        if e in self.indices:
            return self.indices[e].astype(float)
        if e.name in self.dims:
            return np.full(self.B, float(self.dims[e.name]))
        return self._tiled(e)

    def _index(self, e: Any, offset: int = 0) -> np.ndarray:
        """An index expression's integer value per row (minus `offset`)."""
        if e.is_Integer:
            return np.full(self.B, int(e) - offset, dtype=np.int64)
        v = self._s(e)
        r = np.rint(v)
        if not np.all(r == v):
            raise Unsupported("an index that is not a whole number")
        return r.astype(np.int64) - offset

    def _indexed(self, e: sp.Indexed) -> np.ndarray:
        base = str(e.base)
        cols = [self._index(i) for i in e.indices]
        if all(c[0] == c[-1] and (c == c[0]).all() for c in cols):  # one entry on every row (z_k in Σ_k)
            return self._tiled(self.table.entry_symbol(base, tuple(int(c[0]) for c in cols)))
        if len(cols) == 1:
            uniq, inverse = np.unique(cols[0], return_inverse=True)
            keys = [(int(u),) for u in uniq]
        else:
            uniq, inverse = np.unique(np.stack(cols, axis=1), axis=0, return_inverse=True)
            keys = [tuple(int(x) for x in u) for u in uniq]
        inverse = inverse.reshape(-1)
        out = np.empty(self.B)
        for k, key in enumerate(keys):
            sym = self.table.entry_symbol(base, key)
            if self.used is not None:
                self.used.add(sym)
            rows = inverse == k
            out[rows] = self.table.values(sym)[self.point_of_row[rows]]
        return out

    def _tiled(self, sym: sp.Symbol) -> np.ndarray:
        """A symbol's values on every row (the same points for every index case)."""
        if self.used is not None:
            self.used.add(sym)
        hit = self._tiles.get(sym)
        if hit is None:
            hit = self._tiles[sym] = np.tile(self.table.values(sym), self.C)
        return hit

    def _big(self, body: Any, limits: list, is_sum: bool) -> np.ndarray:
        """A sum or product: the outermost limit here, the inner ones in a child evaluator."""
        var, lo, hi = limits[-1]
        lo_v, hi_v = self._index(lo), self._index(hi)
        a, b = int(lo_v.min()), int(hi_v.max())
        if b - a + 1 > MAX_TERMS:
            raise TooLarge(f"a sum with {b - a + 1} terms")
        acc = np.zeros(self.B) if is_sum else np.ones(self.B)
        for k in range(a, b + 1):
            child = self._child(var, np.full(self.B, k, dtype=np.int64))
            term = child._big(body, limits[:-1], is_sum) if len(limits) > 1 else child._s(body)
            inside = (lo_v <= k) & (k <= hi_v)
            acc = np.where(inside, acc + term if is_sum else acc * term, acc)
        return acc

    def _cond(self, c: Any) -> np.ndarray:
        if c is sp.true or c is True:
            return np.ones(self.B, dtype=bool)
        if c is sp.false or c is False:
            return np.zeros(self.B, dtype=bool)
        if isinstance(c, Relational):
            op = _CMP.get(type(c))
            if op is None:
                raise Unsupported(f"cannot evaluate {type(c).__name__}")
            return op(self._s(c.lhs), self._s(c.rhs))
        if isinstance(c, (sp.And, sp.Or)):
            parts = [self._cond(a) for a in c.args]
            return np.logical_and.reduce(parts) if isinstance(c, sp.And) else np.logical_or.reduce(parts)
        if isinstance(c, sp.Not):
            return ~self._cond(c.args[0])
        raise Unsupported(f"cannot evaluate condition {type(c).__name__}")

    # ---- matrices -----------------------------------------------------------------------

    def _dim(self, d: Any) -> int:
        if isinstance(d, (int, np.integer)) or getattr(d, "is_Integer", False):
            return int(d)
        if isinstance(d, sp.Symbol) and d.name in self.dims:
            return int(self.dims[d.name])
        raise Unsupported(f"a matrix of unknown size {d}")

    def _matrix(self, e: Any) -> np.ndarray:
        if isinstance(e, sp.MatrixSymbol):
            return self._matrix_symbol(e)
        if isinstance(e, sp.MatAdd):
            return sum((self._v(a) for a in e.args[1:]), self._v(e.args[0]))
        if isinstance(e, sp.MatMul):
            scalar = np.ones(self.B)
            acc = None
            for a in e.args:
                if isinstance(a, (sp.MatrixBase, sp.MatrixExpr)):
                    v = self._v(a)
                    acc = v if acc is None else np.matmul(acc, v)
                else:
                    scalar = scalar * self._s(a)
            if acc is None:
                raise Unsupported("a matrix product without a matrix")
            return acc * scalar[:, None, None]
        if isinstance(e, sp.Transpose):
            return np.swapaxes(self._v(e.arg), 1, 2)
        if isinstance(e, sp.Inverse):
            return _inverse(self._v(e.arg))
        if isinstance(e, sp.MatPow):
            base, ex = e.args
            if not ex.is_Integer:
                raise Unsupported("a matrix power that is not a whole number")
            m = self._v(base)
            k = int(ex)
            if k < 0:
                m, k = _inverse(m), -k
            return np.linalg.matrix_power(m, k)
        if isinstance(e, sp.HadamardProduct):
            out = self._v(e.args[0])
            for a in e.args[1:]:
                out = out * self._v(a)
            return out
        if isinstance(e, sp.HadamardPower):
            return np.power(self._v(e.base), self._s(e.exp)[:, None, None])
        if isinstance(e, sp.Identity):
            n = self._dim(e.shape[0])
            return np.broadcast_to(np.eye(n), (self.B, n, n)).copy()
        if isinstance(e, sp.ZeroMatrix):
            return np.zeros((self.B, self._dim(e.shape[0]), self._dim(e.shape[1])))
        if isinstance(e, sp.OneMatrix):
            return np.ones((self.B, self._dim(e.shape[0]), self._dim(e.shape[1])))
        raise Unsupported(f"cannot evaluate the matrix expression {type(e).__name__}")

    def _matrix_symbol(self, m: sp.MatrixSymbol) -> np.ndarray:
        hit = self._matrices.get(m)
        if hit is not None:
            return hit
        r, c = self._dim(m.shape[0]), self._dim(m.shape[1])
        vals = self.table.matrix_values(m.name, r, c)
        if self.used is not None:
            self.used.update(self.table.entry_symbol(m.name, (a + 1,) if c == 1 else (a + 1, b + 1))
                             for a in range(r) for b in range(c))
        out = np.tile(vals, (self.C, 1, 1))
        self._matrices[m] = out
        return out


def _inverse(m: np.ndarray) -> np.ndarray:
    """Inverse of each matrix of the stack; NaN where one is singular (outside the domain)."""
    try:
        out = np.linalg.inv(m)
    except np.linalg.LinAlgError:
        out = np.full_like(m, np.nan)
        for k in range(m.shape[0]):
            try:
                out[k] = np.linalg.inv(m[k])
            except np.linalg.LinAlgError:
                pass
    cond = np.linalg.cond(m)
    out[~np.isfinite(cond) | (cond > 1e12)] = np.nan
    return out
