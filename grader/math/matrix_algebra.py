"""Matrix expressions written out as sums of words: a proof of matrix identities.

A matrix expression becomes a sum of coefficient × word, a word being a product of matrix
letters in order (products do not commute): X, Xᵀ, X⁻¹, an elementwise product, an explicit
matrix. Products distribute over sums, powers become repeated products, and transposes and
inverses are pushed inside products ((AB)ᵀ = BᵀAᵀ, (AB)⁻¹ = B⁻¹A⁻¹). Two expressions whose
sums are the same are equal for every matrix: (P+Q)² = P² + PQ + QP + Q², Xᵀ(P − Y)/N =
(XᵀP − XᵀY)/N. SymPy's own doit() folds (P+Q)(P+Q) back into (P+Q)² and cannot show these.

Anything else stays one opaque letter, so a "not equal" here proves nothing: the caller
falls back to other means.
"""
from __future__ import annotations

from typing import Any

import sympy as sp

Word = tuple[Any, ...]
Poly = dict[Word, Any]  # word -> scalar coefficient (a SymPy expression)

MAX_TERMS = 400


class TooBig(Exception):
    """The expansion would have more terms than is worth writing out."""


def equal(a: Any, b: Any) -> bool:
    """True when the matrix expressions are equal for every matrix (proven); False when not shown."""
    try:
        poly = _add(_expand(a), _expand(b), -1)
    except (TooBig, TypeError, ValueError, AttributeError, NotImplementedError):
        return False
    for c in poly.values():
        c = sp.expand(c)
        if c != 0 and sp.cancel(sp.together(c)) != 0:
            return False
    return True


def _add(a: Poly, b: Poly, scale: Any = 1) -> Poly:
    out = dict(a)
    for w, c in b.items():
        out[w] = out.get(w, 0) + scale * c
    return out


def _mul(a: Poly, b: Poly) -> Poly:
    if len(a) * len(b) > MAX_TERMS:
        raise TooBig()
    out: Poly = {}
    for wa, ca in a.items():
        for wb, cb in b.items():
            w = wa + wb
            out[w] = out.get(w, 0) + ca * cb
    return out


def _letter(x: Any) -> Poly:
    return {(x,): sp.Integer(1)}


def _expand(e: Any) -> Poly:
    if isinstance(e, sp.MatrixSymbol):
        return _letter(e)
    if isinstance(e, sp.ZeroMatrix):
        return {}
    if isinstance(e, sp.Identity):
        return {(): sp.Integer(1)}
    if isinstance(e, sp.MatAdd):
        out: Poly = {}
        for a in e.args:
            out = _add(out, _expand(a))
        return out
    if isinstance(e, sp.MatMul):
        out = {(): sp.Integer(1)}
        for a in e.args:
            if isinstance(a, (sp.MatrixBase, sp.MatrixExpr)):
                out = _mul(out, _expand(a))
            else:
                out = {w: c * a for w, c in out.items()}
        return out
    if isinstance(e, sp.MatPow) and e.exp.is_Integer and 0 < int(e.exp) <= 8:
        base = _expand(e.base)
        out = {(): sp.Integer(1)}
        for _ in range(int(e.exp)):
            out = _mul(out, base)
        return out
    if isinstance(e, sp.Transpose):
        return {tuple(_transpose(x) for x in reversed(w)): c for w, c in _expand(e.arg).items()}
    if isinstance(e, (sp.Inverse, sp.MatPow)) and _inverse_of(e) is not None:
        inner = _expand(_inverse_of(e))
        if len(inner) == 1:  # a single word: (c·AB)⁻¹ = c⁻¹ B⁻¹A⁻¹ (square factors)
            (w, c), = inner.items()
            if all(_square(x) for x in w):
                return {tuple(_invert(x) for x in reversed(w)): 1 / c}
        return _letter(sp.Inverse(_canonical(inner, e)))
    if isinstance(e, sp.HadamardPower) and e.exp.is_Integer and 0 < int(e.exp) <= 8:
        return _expand(sp.HadamardProduct(*([e.base] * int(e.exp)), evaluate=False))
    if isinstance(e, sp.HadamardProduct):
        out = None
        for a in e.args:
            pa = _expand(a)
            if out is None:
                out = {(("⊙", (w,)),): c for w, c in pa.items()}
                continue
            if len(out) * len(pa) > MAX_TERMS:
                raise TooBig()
            nxt: Poly = {}
            for (had,), ca in ((k, v) for k, v in out.items()):
                for wb, cb in pa.items():
                    key = (("⊙", tuple(sorted(had[1] + (wb,), key=str))),)
                    nxt[key] = nxt.get(key, 0) + ca * cb
            out = nxt
        return out or {}
    if isinstance(e, sp.MatrixBase):
        return _letter(sp.ImmutableMatrix(e))
    return _letter(e)


def _inverse_of(e: Any) -> Any:
    if isinstance(e, sp.Inverse):
        return e.arg
    if isinstance(e, sp.MatPow) and e.exp == -1:
        return e.base
    return None


def _square(x: Any) -> bool:
    shape = getattr(x, "shape", None)
    return shape is not None and shape[0] == shape[1]


def _transpose(x: Any) -> Any:
    if isinstance(x, tuple) and x and x[0] == "⊙":
        return ("⊙", tuple(sorted((tuple(_transpose(y) for y in reversed(w)) for w in x[1]), key=str)))
    if isinstance(x, sp.Transpose):
        return x.arg
    if isinstance(x, sp.Inverse) and isinstance(x.arg, sp.MatrixSymbol):
        return sp.Inverse(sp.Transpose(x.arg))
    if isinstance(x, sp.MatrixBase):
        return sp.ImmutableMatrix(x.T)
    return sp.Transpose(x)


def _invert(x: Any) -> Any:
    if isinstance(x, sp.Inverse):
        return x.arg
    return sp.Inverse(x)


def _canonical(poly: Poly, original: Any) -> Any:
    """A hashable stand-in for a sum that has to stay whole (the inside of (A + B)⁻¹)."""
    return sp.MatrixSymbol("(" + " + ".join(f"{c}·{w}" for w, c in sorted(poly.items(), key=str)) + ")",
                           *original.shape)
