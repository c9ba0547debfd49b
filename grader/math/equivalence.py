"""Are two expressions the same? Decided with evidence, within a hard time budget.

1. Sample points: definitions substituted; free indices (i, j) run over their small ranges;
   every scalar and every vector or matrix entry gets exact-decimal values that respect the
   domains (grader/math/points.py).
2. Both sides evaluated as written, at every point and index case at once, in NumPy
   (grader/math/direct.py). A difference, confirmed in exact or 30-digit arithmetic
   (grader/math/exact.py), is a counterexample: "at z = 0.3 you get −0.09, expected 0.21".
3. Agreement everywhere → a proof under a deadline, cheapest first: matrix algebra word by
   word (grader/math/matrix_algebra.py), sums kept whole, exponentials as powers of one
   generator, then per index case (one per pattern of equal indices) and SymPy's simplify.
   When no proof comes in time, a few points are re-checked in 30-digit arithmetic (which
   catches differences that float rounding hides) and the verdict is numerical, not proven.

What the direct evaluator does not know goes the older, concrete way: sums written out,
entries as symbols (s_1, W_{1,2}), matrices made explicit in SymPy, then the same steps.
"""
from __future__ import annotations

import contextvars
import hashlib
import itertools
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from grader.math import matrix_algebra
from grader.math.context import MathContext
from grader.math.deadline import DeadlineExceeded, run_with_deadline
from grader.math.direct import DirectEvaluator, TooLarge
from grader.math.evaluate import Unsupported, evaluate
from grader.math.exact import ExactEvaluator
from grader.math.points import COARSE, DEN, PointTable, draw, make_entry_symbol, simplex
from grader.math.parser import (DEFAULT_UPPER, ContextInfo, MathShapeError, context_info, infer_upper,
                                parse_expression)
from grader.seeding import rng_for

MODES = ("exact", "tolerance", "additive_constant", "positive_factor")
MAX_INDEX_CASES = 27
MAX_TERMS = 50


@dataclass
class Verdict:
    """The outcome of one equivalence check, with its evidence."""

    equivalent: bool | None  # None: undecided within the budget
    proven: bool = False  # symbolically (or exactly) confirmed, not only numerically
    method: str = ""
    counterexample: dict[str, Any] | None = None
    student_value: Any = None
    reference_value: Any = None
    shape_problem: str | None = None
    message: str = ""
    elapsed_s: float = 0.0
    mode: str = "exact"
    points: int = 0  # sample points (times index cases) where both sides were defined

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return x


# ------------------------------------------------------------------------------------------
# concretisation

@dataclass
class _Concrete:
    assign: dict[str, int]  # free index -> value
    student: Any
    reference: Any


@dataclass
class _Entries:
    """Entry symbols (s_1, W_{1,2}) and where they come from."""

    of: dict[sp.Symbol, tuple[str, tuple[int, ...]]] = field(default_factory=dict)
    cache: dict[tuple, sp.Symbol] = field(default_factory=dict)

    def symbol(self, base: str, idx: tuple[int, ...], info: ContextInfo) -> sp.Symbol:
        key = (base, idx)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        sym = self.cache[key] = make_entry_symbol(base, idx, info.domains)
        self.of[sym] = (base, idx)
        return sym


def _substitute_definitions(expr: Any, ctx: MathContext, info: ContextInfo) -> Any:
    if not info.definitions:
        return expr
    defs = _parsed_definitions(ctx)
    for _ in range(12):
        subs = {s: defs[s.name] for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name in defs}
        if not subs:
            return expr
        expr = expr.xreplace(subs)
    raise ValueError("the definitions refer to each other in a circle")


_DEF_CACHE: dict[tuple, dict[str, Any]] = {}


def _parsed_definitions(ctx: MathContext) -> dict[str, Any]:
    key = ctx.key()
    hit = _DEF_CACHE.get(key)
    if hit is None:
        info = context_info(ctx)
        hit = {name: parse_expression(text, ctx) for name, text in sorted(info.definitions.items())}
        if len(_DEF_CACHE) > 256:
            _DEF_CACHE.clear()
        _DEF_CACHE[key] = hit
    return hit


def _is_matrix(v: Any) -> bool:
    return isinstance(v, (sp.MatrixBase, sp.MatrixExpr))


def _shape(v: Any) -> tuple[int, int] | None:
    return tuple(v.shape) if _is_matrix(v) else None  # type: ignore[return-value]


def _dims_of(exprs: list[Any], ctx: MathContext, info: ContextInfo) -> dict[str, int]:
    names: set[str] = set(info.dim_names) | {DEFAULT_UPPER}
    for e in exprs:
        if _is_matrix(e) and isinstance(e, sp.MatrixBase):
            atoms = set().union(*[x.atoms(sp.Sum, sp.Product) for x in e]) if e.shape[0] * e.shape[1] else set()
        else:
            atoms = e.atoms(sp.Sum, sp.Product)
        for s in atoms:
            for lim in s.limits:
                for b in lim[1:]:
                    names |= {x.name for x in b.free_symbols}
    return {n: ctx.dim_value(n) for n in sorted(names)}


def _free_indices(exprs: list[Any], info: ContextInfo, index_names: set[str]) -> list[sp.Symbol]:
    out: dict[str, sp.Symbol] = {}
    for e in exprs:
        for s in e.free_symbols:
            if isinstance(s, sp.Symbol) and s.is_integer and s.name in index_names:
                out[s.name] = s
    return [out[k] for k in sorted(out)]


def _index_range(name: str, ctx: MathContext, info: ContextInfo, dims: dict[str, int],
                 exprs: list[Any] = ()) -> range:
    if name not in info.index_ranges:
        inferred = infer_upper(name, list(exprs), info)
        if inferred:
            return range(1, inferred + 1)
    lo, hi = info.index_ranges.get(name, (1, DEFAULT_UPPER))

    def val(b: Any) -> int:
        if isinstance(b, int):
            return b
        return dims.get(str(b), ctx.dim_value(str(b)))

    return range(val(lo), val(hi) + 1)


def _expand_big(e: Any) -> Any:
    """Write out sums and products whose bounds are now numbers."""
    def expand(x: Any) -> Any:
        var, lo, hi = x.limits[0]
        if not (lo.is_Integer and hi.is_Integer):
            return x
        if hi - lo + 1 > MAX_TERMS:
            raise _TooLarge(f"a sum with {hi - lo + 1} terms")
        body = x.function
        terms = [body.xreplace({var: sp.Integer(v)}) for v in range(int(lo), int(hi) + 1)]
        inner = sp.Add(*terms) if isinstance(x, sp.Sum) else sp.Mul(*terms)
        if len(x.limits) > 1:
            return expand(type(x)(inner, *x.limits[1:]))
        return inner

    if isinstance(e, sp.MatrixBase):
        return e.applyfunc(_expand_big)
    return e.replace(lambda x: isinstance(x, (sp.Sum, sp.Product)), expand)


class _TooLarge(Exception):
    pass


def _undef_stand_in(name: str, args: tuple) -> Any:
    """A fixed smooth function standing in for an author-declared, undefined function f."""
    h = hashlib.sha256(name.encode()).digest()
    out = sp.Integer(0)
    for k, a in enumerate(args):
        p, q, r = (sp.Rational(h[3 * k + j] % 17 + 3, 10) for j in range(3))
        out += sp.sin(p * a + q) + r * a / (1 + a ** 2)
    return out


def _entries(e: Any, info: ContextInfo, ent: _Entries) -> Any:
    memo: dict[Any, Any] = {}

    def walk(x: Any) -> Any:
        hit = memo.get(x)
        if hit is not None:
            return hit
        out = _walk_node(x)
        memo[x] = out
        return out

    def _walk_node(x: Any) -> Any:
        if isinstance(x, sp.MatrixBase):
            return sp.ImmutableMatrix(x.shape[0], x.shape[1], [walk(v) for v in x])
        if isinstance(x, sp.Indexed):
            idx = [walk(i) for i in x.indices]
            if all(i.is_Integer for i in idx):
                return ent.symbol(str(x.base), tuple(int(i) for i in idx), info)
            return sp.Indexed(x.base, *idx)
        if isinstance(x, MatrixElement):
            i, j = walk(x.i), walk(x.j)
            parent = x.parent
            if isinstance(parent, sp.MatrixSymbol) and i.is_Integer and j.is_Integer:
                idx = (int(i) + 1,) if parent.shape[1] == 1 else (int(i) + 1, int(j) + 1)
                return ent.symbol(parent.name, idx, info)
            if i.is_Integer and j.is_Integer:
                return walk(parent.as_explicit()[int(i), int(j)])
            return x
        if isinstance(x, sp.Trace):
            m = x.arg.as_explicit()
            return walk(sp.Add(*[m[k, k] for k in range(m.shape[0])]))
        if isinstance(x, sp.MatrixExpr):
            return walk(sp.ImmutableMatrix(x.as_explicit()))
        if isinstance(x, sp.core.function.AppliedUndef):
            return walk(_undef_stand_in(x.func.__name__, x.args))
        if not x.args or x.is_Atom:
            return x
        args = [walk(a) for a in x.args]
        if all(a is b for a, b in zip(args, x.args)):
            return x
        return x.func(*args)

    return walk(e)


def concretize(expr: Any, assign: dict[sp.Symbol, int], dims: dict[str, int], info: ContextInfo,
               ent: _Entries) -> Any:
    subs: dict[Any, Any] = {}
    atoms = set().union(*[v.free_symbols for v in expr]) if isinstance(expr, sp.MatrixBase) else expr.free_symbols
    for s in atoms:
        if isinstance(s, sp.Symbol) and s.name in dims and not (s.name in {a.name for a in assign}):
            subs[s] = sp.Integer(dims[s.name])
    subs.update({k: sp.Integer(v) for k, v in assign.items()})
    e = expr.xreplace(subs) if subs else expr
    e = _expand_big(e)
    return _entries(_explicit_matrices(e), info, ent)


def _explicit_matrices(e: Any) -> Any:
    """Matrix symbols replaced by matrices of their entries (W → [W_{1,1} …]) and the matrix
    algebra done on those: much faster than SymPy's as_explicit(), which writes every entry of a
    product as a Sum first. Anything this cannot do is left to as_explicit()."""
    if not isinstance(e, sp.Basic):
        return e
    syms = e.atoms(sp.MatrixSymbol)
    if not syms:
        return e
    rep = {}
    for m in syms:
        r, c = m.shape
        if not (r.is_Integer and c.is_Integer):
            return e
        base = sp.IndexedBase(m.name)
        rep[m] = sp.ImmutableMatrix(int(r), int(c),
                                    lambda a, b, base=base, c=int(c): base[a + 1] if c == 1 else base[a + 1, b + 1])
    try:
        out = e.xreplace(rep).doit()
    except (TypeError, ValueError, AttributeError, sp.ShapeError, NotImplementedError):
        return e
    if isinstance(out, sp.MatrixExpr) and not isinstance(out, sp.MatrixBase):
        return e
    return out


# ------------------------------------------------------------------------------------------
# sampling

_COARSE = COARSE  # the first points use one decimal: readable counterexamples


def _sample(symbols: list[sp.Symbol], ent: Any, info: ContextInfo, n: int, rng: np.random.Generator,
            force_positive: bool) -> tuple[dict[sp.Symbol, np.ndarray], dict[sp.Symbol, np.ndarray]]:
    """Values (floats) and their exact numerators over DEN (for exact re-checks) of the
    concrete path's symbols; the entries of one probability vector present form one simplex."""
    num: dict[sp.Symbol, np.ndarray] = {}
    prob_groups: dict[str, list[sp.Symbol]] = {}
    for s in symbols:
        base = ent.of.get(s, (s.name, ()))[0]
        dom = info.domains.get(s.name) or info.domains.get(base) or ("integer" if s.is_integer else "real")
        if dom == "probability" and s in ent.of:
            prob_groups.setdefault(base, []).append(s)
            continue
        num[s] = draw(rng, n, dom, force_positive or bool(s.is_positive))
    for base in sorted(prob_groups):
        members = sorted(prob_groups[base], key=lambda s: ent.of[s][1])
        cols = simplex(rng, n, len(members))
        for c, s in enumerate(members):
            num[s] = cols[:, c]
    env = {s: num[s] / DEN for s in symbols}
    return env, num


def _exact_point(num: dict[sp.Symbol, np.ndarray], p: int) -> dict[sp.Symbol, sp.Rational]:
    return {s: sp.Rational(int(v[p]), DEN) for s, v in num.items()}


# ------------------------------------------------------------------------------------------
# the check

_WARM = False


def warm_up() -> None:
    """Build the parser and load SymPy's lazily imported parts (simplify's first call imports
    sympy.physics.units, ~0.5 s) once per process, so that no check's time budget is spent
    on start-up. Grading workers and `grader equiv` call it before their first check; a
    one-shot `grader check` does not, as most checks never reach simplify (check_equivalence
    itself only builds the parser)."""
    global _WARM
    if _WARM:
        return
    _WARM = True
    x = sp.Symbol("x", real=True)
    _warm_parser()
    sp.simplify(sp.cancel(sp.together(sp.exp(x) / (1 + sp.exp(x)) - 1 + 1 / (1 + sp.exp(x)))))
    sp.simplify(sp.log(1 + sp.exp(x)) - x - sp.log(1 + sp.exp(-x)))


def _warm_parser() -> None:
    parse_expression("x + 1")
    (sp.Symbol("x") + 1).evalf(30, subs={sp.Symbol("x"): sp.Rational(1, 3)})


def check_equivalence(student: Any, reference: Any, ctx: MathContext | None = None, *, mode: str = "exact",
                      rel_tol: float = 1e-9, budget_s: float = 2.0, seed: Any = 0, points: int = 24,
                      symbolic: bool = True, symbolic_budget_s: float = 0.5) -> Verdict:
    """Decide whether `student` equals `reference` (SymPy objects or text to parse with `ctx`).

    mode: "exact" (equal, up to float rounding), "tolerance" (within rel_tol), "additive_constant"
    (equal up to a constant term), "positive_factor" (equal up to a positive constant factor).
    Never runs past `budget_s` (a verdict of None says so); the symbolic proof gets at most
    `symbolic_budget_s` of it, after which the numeric verdict stands (not proven).
    """
    _warm_parser()
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    t0 = time.perf_counter()
    # The stages below watch a slightly earlier deadline and stop with the verdict they have;
    # this outer one is the hard stop for SymPy work no stage can interrupt (e.g. inverting a
    # product of symbolic matrices, which once took 50 s).
    try:
        return run_with_deadline(
            lambda: _check(student, reference, ctx or MathContext(), mode, rel_tol, t0, t0 + 0.9 * budget_s,
                           seed, points, symbolic, symbolic_budget_s), budget_s)
    except DeadlineExceeded:
        return Verdict(None, False, "budget", message=f"Could not be decided within the {budget_s:.3g} s time budget.",
                       elapsed_s=round(time.perf_counter() - t0, 6), mode=mode)


def _check(student: Any, reference: Any, ctx: MathContext, mode: str, rel_tol: float, t0: float, deadline: float,
           seed: Any, points: int, symbolic: bool, symbolic_budget_s: float) -> Verdict:

    def done(v: Verdict) -> Verdict:
        v.elapsed_s = round(time.perf_counter() - t0, 6)
        v.mode = mode
        return v

    if isinstance(student, str):
        try:
            student = parse_expression(student, ctx)
        except MathShapeError as e:
            return done(Verdict(False, True, "shape", shape_problem=e.message, message=e.message))
    if isinstance(reference, str):
        reference = parse_expression(reference, ctx)
    info = context_info(ctx)
    _PROB_BASES.set(frozenset(b for b, d in info.domains.items() if d == "probability"))
    try:
        s_expr = _substitute_definitions(student, ctx, info)
        r_expr = _substitute_definitions(reference, ctx, info)
    except ValueError as e:
        return done(Verdict(None, False, "definitions", message=str(e)))
    ss, rs = _shape(s_expr), _shape(r_expr)
    if ss != rs:
        msg = f"Your answer is {_shape_words(ss)}, but {_shape_words(rs)} is expected."
        return done(Verdict(False, True, "shape", shape_problem=msg, message=msg))

    index_names = set(info.index_names)
    dims = _dims_of([s_expr, r_expr], ctx, info)
    free = _free_indices(_flat([s_expr, r_expr]), info, index_names)
    ranges = [_index_range(s.name, ctx, info, dims, _flat([s_expr, r_expr])) for s in free]
    assigns = [dict(zip(free, combo)) for combo in itertools.product(*ranges)] if free else [{}]
    rng = rng_for("equivalence", seed)
    if len(assigns) > MAX_INDEX_CASES:
        pick = sorted(rng.choice(len(assigns), MAX_INDEX_CASES, replace=False))
        assigns = [assigns[k] for k in pick]
    try:
        fast = _direct_check(s_expr, r_expr, assigns, free, dims, info, points, rng, mode, rel_tol, deadline,
                             symbolic and mode != "tolerance", symbolic_budget_s)
    except TooLarge as e:
        return done(Verdict(None, False, "limits", message=f"cannot check: {e}"))
    if fast is not None:
        return done(fast)
    # the concrete path: for what the direct evaluator does not know
    ent = _Entries()
    cases: list[_Concrete] = []
    try:
        for a in assigns:
            cases.append(_Concrete({s.name: v for s, v in a.items()},
                                   concretize(s_expr, a, dims, info, ent), concretize(r_expr, a, dims, info, ent)))
    except _TooLarge as e:
        return done(Verdict(None, False, "limits", message=f"cannot check: {e}"))
    symbols = sorted(set().union(*[_free(c.student) | _free(c.reference) for c in cases]), key=lambda s: s.name)

    # numeric screen -------------------------------------------------------------------------
    outcome = _numeric(cases, symbols, ent, info, points, rng, mode, rel_tol, deadline)
    if isinstance(outcome, Verdict):
        return done(outcome)
    n_valid, values_num = outcome
    if time.perf_counter() > deadline:
        return done(Verdict(True, False, "numeric", points=n_valid,
                            message=f"Equal at {n_valid} sample points (no time left to prove it)."))
    # symbolic confirmation -------------------------------------------------------------------
    proven = None
    if symbolic and mode != "tolerance":
        proven = _symbolic(s_expr, r_expr, cases, mode, min(deadline, time.perf_counter() + symbolic_budget_s))
    if proven is True:
        return done(Verdict(True, True, "symbolic", points=n_valid, message="Equal (proven symbolically)."))
    if proven is False and mode == "exact":
        # symbolic work says they differ: find the point in exact arithmetic
        v = _exact_counterexample(cases, values_num, ent, deadline)
        if v is not None:
            return done(v)
    if mode in ("exact",):
        v = _exact_counterexample(cases, values_num, ent, deadline)
        if v is not None:
            return done(v)
    words = {"exact": "Equal", "tolerance": f"Equal within a relative tolerance of {rel_tol:g}",
             "additive_constant": "Equal up to an additive constant",
             "positive_factor": "Equal up to a positive factor"}[mode]
    return done(Verdict(True, False, "numeric", points=n_valid,
                        message=f"{words} at {n_valid} sample points (not proven symbolically)."))


def _flat(exprs: list[Any]) -> list[Any]:
    out = []
    for e in exprs:
        if isinstance(e, sp.MatrixBase):
            out.extend(list(e))
        else:
            out.append(e)
    return out


def _free(e: Any) -> set:
    if isinstance(e, sp.MatrixBase):
        return set().union(*[v.free_symbols for v in e]) if len(e) else set()
    return set(e.free_symbols)


def _shape_words(shape: tuple[int, int] | None) -> str:
    if shape is None:
        return "a scalar"
    r, c = shape
    if c == 1:
        return f"a vector of length {r}"
    return f"a {r}×{c} matrix"


def _values(e: Any, env: dict, n: int) -> np.ndarray:
    try:
        return evaluate(e, env, n)
    except Unsupported:
        return _values_slow(e, env, n)


def _values_slow(e: Any, env: dict, n: int) -> np.ndarray:
    """SymPy's own evaluation, point by point (for what the fast evaluator does not know)."""
    def one(x: Any, p: int) -> float:
        try:
            val = complex(x.xreplace({s: sp.Float(v[p], 20) for s, v in env.items()}).evalf(20))
        except (TypeError, ValueError):
            return float("nan")
        return val.real if abs(val.imag) < 1e-12 * max(1.0, abs(val.real)) else float("nan")

    if isinstance(e, sp.MatrixBase):
        out = np.empty((n,) + e.shape)
        for a in range(e.shape[0]):
            for b in range(e.shape[1]):
                out[:, a, b] = [one(e[a, b], p) for p in range(n)]
        return out
    return np.array([one(e, p) for p in range(n)], dtype=float)


def _compare(a: np.ndarray, b: np.ndarray, mode: str, rel_tol: float) -> tuple[np.ndarray, np.ndarray]:
    """(valid, close) per point (matrix values: all entries)."""
    a2 = a.reshape(a.shape[0], -1)
    b2 = b.reshape(b.shape[0], -1)
    valid = np.all(np.isfinite(a2) & np.isfinite(b2), axis=1)
    tol = max(rel_tol, 1e-9)
    with np.errstate(all="ignore"):
        if mode == "additive_constant":
            d = a2 - b2
            ref = d[valid][0] if valid.any() else np.zeros(a2.shape[1])
            scale = np.maximum(np.abs(a2), np.abs(b2)) + np.abs(ref)
            close = np.all(np.abs(d - ref) <= tol * np.maximum(scale, 1.0), axis=1)
        elif mode == "positive_factor":
            ok = valid & np.all(np.abs(b2) > 1e-12, axis=1)
            valid = ok
            r = np.where(np.abs(b2) > 1e-12, a2 / np.where(b2 == 0, 1, b2), np.nan)
            ref = r[ok][0] if ok.any() else np.ones(a2.shape[1])
            finite_ref = ref[np.isfinite(ref)]
            c0 = finite_ref[0] if finite_ref.size else 1.0
            close = np.all(np.abs(r - c0) <= tol * max(abs(c0), 1e-12) * 10, axis=1) & (c0 > 0)
        else:
            scale = np.maximum(np.abs(a2), np.abs(b2))
            atol = 1e-12 if mode == "exact" else 0.0
            close = np.all(np.abs(a2 - b2) <= atol + tol * scale, axis=1)
    return valid, close


def _numeric(cases: list[_Concrete], symbols: list[sp.Symbol], ent: _Entries, info: ContextInfo, n: int,
             rng: np.random.Generator, mode: str, rel_tol: float, deadline: float) -> Any:
    best_valid = 0
    for attempt, force_pos in enumerate((False, True)):
        env, num = _sample(symbols, ent, info, n, rng, force_positive=force_pos)
        total_valid = 0
        candidates = []
        for ci, c in enumerate(cases):
            a = _values(c.student, env, n)
            b = _values(c.reference, env, n)
            valid, close = _compare(a, b, mode, rel_tol)
            total_valid += int(valid.sum())
            bad = np.nonzero(valid & ~close)[0]
            for p in bad[:3]:
                candidates.append((ci, int(p), a, b))
            if time.perf_counter() > deadline:
                return Verdict(None, False, "budget", message="No time left to compare the expressions.")
        for ci, p, a, b in candidates[:4]:
            c = cases[ci]
            if mode != "tolerance" and not _differs_exactly(c, _exact_point(num, p)):
                continue  # a float-rounding artefact: not a real difference
            return _counterexample_verdict(c.assign, _free(c.student) | _free(c.reference), p, a, b, env, ent, mode)
        total_cases = len(cases) * n
        if total_valid >= max(4, total_cases // 3):
            return total_valid, num
        best_valid = max(best_valid, total_valid)
        if attempt == 0 and not symbols:
            break
    if best_valid == 0:
        return Verdict(None, False, "numeric", message="Could not evaluate the expressions at any sample point "
                                                        "(outside their domain everywhere?).")
    return best_valid, num


def _differs_exactly(c: _Concrete, point: dict[sp.Symbol, sp.Rational]) -> bool:
    """True when the two sides differ at the point in 30-digit arithmetic."""
    try:
        a = _precise(c.student, point)
        b = _precise(c.reference, point)
    except (TypeError, ValueError, ZeroDivisionError):
        return True
    return _lists_differ(a, b)


def _precise(e: Any, point: dict) -> list:
    items = list(e) if isinstance(e, sp.MatrixBase) else [e]
    out = []
    for x in items:
        v = x.xreplace(point)
        v = v.evalf(30) if not v.is_Rational else v
        try:
            cv = complex(v)
        except (TypeError, ValueError):
            out.append(None)
            continue
        out.append(sp.Float(cv.real, 30) if not v.is_Rational else v)
    return out


def _fmt(v: float) -> str:
    if v != v:
        return "undefined"
    if abs(v - round(v)) < 1e-12 and abs(v) < 1e12:
        s = str(int(round(v)))
    else:
        s = f"{v:.4g}"
    return s.replace("-", "−")


_PROB_BASES: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("grader_prob_bases", default=frozenset())


def _fmt_pair(a: float, b: float) -> tuple[str, str]:
    """Both values, with enough digits that they do not look the same."""
    fa, fb = _fmt(a), _fmt(b)
    digits = 4
    while fa == fb and a != b and digits < 17:
        digits += 3
        fa, fb = (f"{a:.{digits}g}".replace("-", "−"), f"{b:.{digits}g}".replace("-", "−"))
    return fa, fb


def _point_words(assign: dict[str, int], used: set, p: int, env: dict, ent: Any) -> tuple[dict[str, Any], str]:
    used = set(used)
    # a probability vector is shown whole, so that its entries visibly sum to 1
    prob_bases = {ent.of[s][0] for s in used if s in ent.of and s.is_positive and ent.of[s][0] in _PROB_BASES.get()}
    used |= {s for s in env if s in ent.of and ent.of[s][0] in prob_bases}
    used = sorted(used, key=lambda s: s.name)
    data: dict[str, Any] = {}
    words: list[str] = []
    for k, v in sorted(assign.items()):
        data[k] = v
        words.append(f"{k} = {v}")
    groups: dict[str, list[tuple[tuple[int, ...], float]]] = {}
    for s in used:
        val = float(env[s][p]) if s in env else float("nan")
        if s in ent.of:
            base, idx = ent.of[s]
            groups.setdefault(base, []).append((idx, val))
        else:
            data[s.name] = val
            words.append(f"{s.name} = {_fmt(val)}")
    for base in sorted(groups):
        items = sorted(groups[base])
        if all(len(i) == 1 for i, _ in items):
            data[base] = {str(i[0]): v for i, v in items}
            words.append(f"{base} = (" + ", ".join(_fmt(v) for _, v in items) + ")"
                         if [i[0] for i, _ in items] == list(range(1, len(items) + 1))
                         else ", ".join(f"{base}_{i[0]} = {_fmt(v)}" for i, v in items))
        else:
            data[base] = {",".join(map(str, i)): v for i, v in items}
            words.append(", ".join(f"{base}_{{{','.join(map(str, i))}}} = {_fmt(v)}" for i, v in items))
    if len(words) > 10:
        words = words[:10] + ["…"]
    return data, ", ".join(words)


def _counterexample_verdict(assign: dict[str, int], used: set, p: int, a: np.ndarray, b: np.ndarray, env: dict,
                            ent: Any, mode: str) -> Verdict:
    data, where = _point_words(assign, used, p, env, ent)
    av, bv = a[p], b[p]
    if np.ndim(av) == 0:
        got, exp = float(av), float(bv)
        fg, fe = _fmt_pair(got, exp)
        msg = f"at {where} you get {fg}, expected {fe}" if where else f"you get {fg}, expected {fe}"
        sv, rv = got, exp
    else:
        diff = np.abs(av - bv)
        r, col = np.unravel_index(int(np.nanargmax(diff)), diff.shape)
        entry = f"entry ({r + 1}, {col + 1})" if av.shape[1] != 1 else f"entry {r + 1}"
        msg = (f"at {where} " if where else "") + \
            "{} of your answer is {}, expected {}".format(entry, *_fmt_pair(float(av[r, col]), float(bv[r, col])))
        sv, rv = av.tolist(), bv.tolist()
        data["entry"] = [int(r) + 1, int(col) + 1]
    if mode == "additive_constant":
        msg = "the difference is not constant: " + msg
    elif mode == "positive_factor":
        msg = "the ratio is not a positive constant: " + msg
    msg = msg[0].upper() + msg[1:] + "."
    return Verdict(False, True, "numeric", counterexample=data, student_value=sv, reference_value=rv, message=msg)


def _symbolic(s_expr: Any, r_expr: Any, cases: list[_Concrete], mode: str, deadline: float) -> bool | None:
    """True: proven equal; False: proven different; None: could not decide in time."""
    def work() -> bool | None:
        if mode == "exact":
            if not _is_matrix(s_expr):
                d = s_expr - r_expr
                if d == 0 or sp.expand(d) == 0:
                    return True
            results = [_zero(_flat([c.student])[k] - _flat([c.reference])[k])
                       for c in cases for k in range(len(_flat([c.student])))]
            if all(r is True for r in results):
                return True
            if any(r is False for r in results):
                return False
            return None
        for c in cases:
            for a, b in zip(_flat([c.student]), _flat([c.reference])):
                if mode == "additive_constant":
                    d = a - b
                    if not all(_zero(sp.diff(d, s)) is True for s in sorted(d.free_symbols, key=lambda s: s.name)):
                        return None
                else:
                    if b == 0:
                        return None
                    r = sp.simplify(a / b)
                    if not (r.is_number and r.is_positive):
                        return None
        return True

    remaining = deadline - time.perf_counter()
    try:
        return run_with_deadline(work, remaining)
    except DeadlineExceeded:
        return None
    except (TypeError, ValueError, NotImplementedError, RecursionError, AttributeError):
        return None


def _zero(d: Any) -> bool | None:
    """Is d identically 0? Cheap rewritings first; SymPy's simplify only as the last resort."""
    if d == 0:
        return True
    e = sp.expand(d)
    if e == 0:
        return True
    if e.is_number:
        v = e.evalf(30)
        return True if v == 0 else (False if v.is_number and abs(v) > 1e-20 else None)
    if _cheap_zero(e):
        return True
    if e.has(sp.log):
        lg = sp.expand(sp.expand_log(e))  # uses the symbols' assumptions: only where it is valid
        if lg == 0 or sp.cancel(sp.together(lg)) == 0:
            return True
    s = sp.simplify(e)
    if s == 0:
        return True
    if s.is_number and s.evalf(30) != 0:
        return False
    return None


def _cheap_zero(e: Any) -> bool:
    """Is the expanded expression e identically 0, by rational-function algebra alone?

    Rational in its generators (x, s_1, exp(z)): cancel decides. Hyperbolic functions are
    written with exp first; exponentials whose arguments are rational multiples of one another
    (e^{z}, e^{−2z}) become powers of one generator; and a real d with e^d = 1 is 0, which
    proves identities between logarithms (log(1 + e^z) = z + log(1 + e^{−z})).
    """
    if sp.cancel(sp.together(e)) == 0:
        return True
    if e.has(sp.tanh, sp.sinh, sp.cosh, sp.tan, sp.sin, sp.cos):
        e = sp.expand(e.rewrite(sp.exp))
        if e == 0 or sp.cancel(sp.together(e)) == 0:
            return True
    if e.has(sp.exp):
        p = _exp_powers(e)
        if p is not None and sp.cancel(sp.together(p)) == 0:
            return True
    if e.has(sp.log):
        x = sp.expand(sp.exp(e))
        if x == 1:
            return True
        x = (_exp_powers(x) if x.has(sp.exp) else None) or x
        if sp.cancel(sp.together(x - 1)) == 0:
            return True
    return False


def _exp_powers(e: Any) -> Any:
    """e with every exp(r·u) written t^(r·L) for a positive t = exp(u/L) (r rational), or None."""
    groups: list[tuple[Any, list[tuple[Any, Any]]]] = []
    for x in sorted(e.atoms(sp.exp), key=str):
        a = x.args[0]
        for u, members in groups:
            r = sp.cancel(a / u)
            if r.is_Rational:
                members.append((x, r))
                break
        else:
            groups.append((a, [(x, sp.Integer(1))]))
    if all(len(m) == 1 for _, m in groups):
        return None
    rep = {}
    for k, (_, members) in enumerate(groups):
        t = sp.Symbol(f"_t{k}", positive=True)
        lcm = sp.ilcm(*[r.q for _, r in members])
        for x, r in members:
            rep[x] = t ** int(r * lcm)
    return sp.expand(e.xreplace(rep))


def _exact_counterexample(cases: list[_Concrete], num: dict, ent: _Entries, deadline: float) -> Verdict | None:
    """Re-check a few points in 30-digit arithmetic: float agreement can hide a difference."""
    n = len(next(iter(num.values()))) if num else 1
    env = {s: v / DEN for s, v in num.items()}
    for c in cases[:3]:
        for p in (_COARSE, _COARSE + 1, 0):
            if p >= n or time.perf_counter() > deadline:
                continue
            if _differs_exactly(c, _exact_point(num, p)):
                a = _precise(c.student, _exact_point(num, p))
                b = _precise(c.reference, _exact_point(num, p))
                if any(x is None for x in a + b):
                    continue
                av = np.array([float(x) for x in a])
                bv = np.array([float(x) for x in b])
                if isinstance(c.student, sp.MatrixBase):
                    av = av.reshape((1,) + c.student.shape)
                    bv = bv.reshape((1,) + c.reference.shape)
                    arr_a, arr_b = np.repeat(av, n, axis=0), np.repeat(bv, n, axis=0)
                else:
                    arr_a, arr_b = np.full(n, av[0]), np.full(n, bv[0])
                v = _counterexample_verdict(c.assign, _free(c.student) | _free(c.reference), p, arr_a, arr_b, env, ent,
                                            "exact")
                v.method = "high-precision"
                return v
    return None


# ------------------------------------------------------------------------------------------
# the direct path: values computed from the expressions as written (grader/math/direct.py),
# sums and matrices made concrete only for a proof or an exact re-check

def _direct_check(s_expr: Any, r_expr: Any, assigns: list[dict], free: list[sp.Symbol], dims: dict[str, int],
                  info: ContextInfo, points: int, rng: np.random.Generator, mode: str, rel_tol: float,
                  deadline: float, prove: bool, symbolic_budget_s: float) -> Verdict | None:
    """The check on the direct path; None when an expression holds something it cannot evaluate."""
    seed = int(rng.integers(2 ** 62))
    n_cases = len(assigns)
    idx = {s: np.repeat(np.array([a[s] for a in assigns], dtype=np.int64), points) for s in free}
    group = _group_size(s_expr, r_expr, assigns, dims)
    best_valid, table = 0, None
    for force_pos in (False, True):
        table = PointTable(info, points, seed, force_positive=force_pos, group_size=group)
        ev = DirectEvaluator(table, idx, dims, n_cases, _undef_stand_in)
        try:
            a, b = ev.value(s_expr), ev.value(r_expr)
        except Unsupported:
            return None
        if a.shape != b.shape:
            return None
        valid, close = _compare(a, b, mode, rel_tol)
        n_valid = int(valid.sum())
        per_case: dict[int, int] = {}
        candidates = []
        for row in np.nonzero(valid & ~close)[0]:
            c = int(row) // points
            if per_case.get(c, 0) < 3:
                per_case[c] = per_case.get(c, 0) + 1
                candidates.append(int(row))
        for row in candidates[:4]:
            c, p = divmod(row, points)
            if mode != "tolerance" and not _differs_direct(s_expr, r_expr, assigns[c], dims, info, table, p):
                continue  # a float-rounding artefact: not a real difference
            sl = slice(c * points, (c + 1) * points)
            return _direct_counterexample(s_expr, r_expr, assigns[c], dims, table, p, a[sl], b[sl], mode)
        if time.perf_counter() > deadline:
            return Verdict(None, False, "budget", message="No time left to compare the expressions.")
        best_valid = max(best_valid, n_valid)
        if n_valid >= max(4, n_cases * points // 3) or not table.num:
            break
    if best_valid == 0:
        return Verdict(None, False, "numeric", message="Could not evaluate the expressions at any sample point "
                                                        "(outside their domain everywhere?).")
    if time.perf_counter() > deadline:
        return Verdict(True, False, "numeric", points=best_valid,
                       message=f"Equal at {best_valid} sample points (no time left to prove it).")
    if prove:
        proven = _prove_direct(s_expr, r_expr, assigns, free, dims, info, mode,
                               min(deadline, time.perf_counter() + symbolic_budget_s))
        if proven is True:
            return Verdict(True, True, "symbolic", points=best_valid, message="Equal (proven symbolically).")
    if mode == "exact":
        v = _direct_recheck(s_expr, r_expr, assigns, dims, info, table, points, deadline)
        if v is not None:
            return v
    return Verdict(True, False, "numeric", points=best_valid,
                   message=f"{_EQUAL_WORDS[mode].format(rel_tol=rel_tol)} at {best_valid} sample points "
                           "(not proven symbolically).")


_EQUAL_WORDS = {"exact": "Equal", "tolerance": "Equal within a relative tolerance of {rel_tol:g}",
                "additive_constant": "Equal up to an additive constant",
                "positive_factor": "Equal up to a positive factor"}


def _group_size(s_expr: Any, r_expr: Any, assigns: list[dict], dims: dict[str, int]) -> int:
    """Length of a probability vector whose shape is not declared: the indices' largest value."""
    ups = [v for a in assigns for v in a.values()]
    subs = {sp.Symbol(k, integer=True, positive=True): v for k, v in dims.items()}
    for e in (s_expr, r_expr):
        if isinstance(e, sp.Basic) and not isinstance(e, sp.MatrixBase):
            for x in e.atoms(sp.Sum, sp.Product):
                for lim in x.limits:
                    hi = lim[2].xreplace(subs) if isinstance(lim[2], sp.Basic) else lim[2]
                    for s in getattr(hi, "free_symbols", ()):
                        if s.name in dims:
                            hi = hi.xreplace({s: dims[s.name]})
                    if getattr(hi, "is_Integer", False):
                        ups.append(int(hi))
    return max(ups) if ups else int(dims.get(DEFAULT_UPPER, 3))


def _direct_counterexample(s_expr: Any, r_expr: Any, assign: dict, dims: dict[str, int], table: PointTable,
                           p: int, a: np.ndarray, b: np.ndarray, mode: str) -> Verdict:
    used: set = set()
    one = DirectEvaluator(table, {s: np.full(table.n, v, dtype=np.int64) for s, v in assign.items()}, dims, 1,
                          _undef_stand_in, used=used)
    one.value(s_expr)
    one.value(r_expr)
    env = {s: table.values(s) for s in set(used) | set(table.num)}
    return _counterexample_verdict({s.name: v for s, v in assign.items()}, used, p, a, b, env, table, mode)


def _exact_values(expr: Any, assign: dict, dims: dict[str, int], info: ContextInfo, table: PointTable,
                  p: int) -> list:
    """The expression's value(s) at point p of the table, for one index case, in exact or
    30-digit arithmetic (grader/math/exact.py; SymPy's own substitution for what it lacks)."""
    try:
        return ExactEvaluator(table, p, assign, dims, _undef_stand_in).values(expr)
    except Unsupported:
        pass
    subs: dict[Any, Any] = {s: sp.Integer(dims[s.name]) for s in _free(expr)
                            if isinstance(s, sp.Symbol) and s.name in dims and s not in assign}
    subs.update({k: sp.Integer(v) for k, v in assign.items()})
    e = expr.xreplace(subs) if subs else expr
    if isinstance(e, sp.Basic) and not isinstance(e, sp.MatrixBase):
        mats = e.atoms(sp.MatrixSymbol)
        if mats:
            rep = {}
            for m in mats:
                r, c = int(m.shape[0]), int(m.shape[1])
                rep[m] = sp.ImmutableMatrix(r, c, [table.exact(table.entry_symbol(m.name, (i + 1,) if c == 1 else
                                                                                  (i + 1, j + 1)), p)
                                                   for i in range(r) for j in range(c)])
            e = e.xreplace(rep).doit()
            if isinstance(e, sp.MatrixExpr) and not isinstance(e, sp.MatrixBase):
                e = e.as_explicit()
    e = _entries(_expand_big(e), info, table)
    left = _free(e)
    if any(isinstance(x, sp.Indexed) for x in left) or (isinstance(e, sp.Basic) and e.atoms(sp.Indexed)):
        raise ValueError("an entry whose index is not a number")
    return _precise(e, {s: table.exact(s, p) for s in left if isinstance(s, sp.Symbol)})


def _differs_direct(s_expr: Any, r_expr: Any, assign: dict, dims: dict[str, int], info: ContextInfo,
                    table: PointTable, p: int) -> bool:
    """True when the two sides differ at the point in 30-digit arithmetic (or it cannot tell)."""
    try:
        a = _exact_values(s_expr, assign, dims, info, table, p)
        b = _exact_values(r_expr, assign, dims, info, table, p)
    except (TypeError, ValueError, ZeroDivisionError, AttributeError, NotImplementedError, _TooLarge):
        return True
    if any(x is None for x in a + b):
        return True  # no exact value to compare with: the float difference stands
    return _lists_differ(a, b)


def _lists_differ(a: list, b: list) -> bool:
    for x, y in zip(a, b):
        if x is None or y is None:
            continue
        scale = max(abs(x), abs(y), sp.Float(1e-30))
        if abs(x - y) > sp.Float(1e-20) * scale:
            return True
    return False


def _direct_recheck(s_expr: Any, r_expr: Any, assigns: list[dict], dims: dict[str, int], info: ContextInfo,
                    table: PointTable, points: int, deadline: float) -> Verdict | None:
    """Re-check a few points in 30-digit arithmetic: float agreement can hide a difference."""
    for assign in assigns[:3]:
        for p in (COARSE, COARSE + 1, 0):
            if p >= points or time.perf_counter() > deadline:
                continue
            try:
                a = _exact_values(s_expr, assign, dims, info, table, p)
                b = _exact_values(r_expr, assign, dims, info, table, p)
            except (TypeError, ValueError, ZeroDivisionError, AttributeError, NotImplementedError, _TooLarge):
                continue
            if any(x is None for x in a + b) or not _lists_differ(a, b):
                continue
            av, bv = np.array([float(x) for x in a]), np.array([float(x) for x in b])
            if _is_matrix(s_expr):
                shape = tuple(int(d) for d in s_expr.shape)
                av, bv = av.reshape((1,) + shape), bv.reshape((1,) + shape)
                arr_a, arr_b = np.repeat(av, points, axis=0), np.repeat(bv, points, axis=0)
            else:
                arr_a, arr_b = np.full(points, av[0]), np.full(points, bv[0])
            v = _direct_counterexample(s_expr, r_expr, assign, dims, table, p, arr_a, arr_b, "exact")
            v.method = "high-precision"
            return v
    return None



def _prove_direct(s_expr: Any, r_expr: Any, assigns: list[dict], free: list[sp.Symbol], dims: dict[str, int],
                  info: ContextInfo, mode: str, deadline: float) -> bool | None:
    """The symbolic proof: on the expressions as written first (matrix algebra; sums as
    opaque terms), then on concrete index cases, one per pattern of equal indices when the
    expressions treat index values alike."""
    def work() -> Any:
        if mode == "exact" and _quick_zero(s_expr, r_expr, dims):
            return True
        ent = _Entries()
        return [_Concrete({s.name: v for s, v in a.items()}, concretize(s_expr, a, dims, info, ent),
                          concretize(r_expr, a, dims, info, ent))
                for a in _representatives(s_expr, r_expr, free, assigns, dims)]

    try:
        cases = run_with_deadline(work, deadline - time.perf_counter())
    except DeadlineExceeded:
        return None
    except (TypeError, ValueError, NotImplementedError, RecursionError, AttributeError, _TooLarge):
        return None
    if cases is True:
        return True
    return _symbolic(s_expr, r_expr, cases, mode, deadline)


def _quick_zero(s_expr: Any, r_expr: Any, dims: dict[str, int]) -> bool:
    """Is s − r zero by algebra alone: matrix algebra for matrices (Xᵀ(P − Y) = XᵀP − XᵀY,
    (PQ)⁻¹ = Q⁻¹P⁻¹), expansion and cancellation with every sum kept as one opaque term?
    Either way a True is a proof: an identity with the sums as free terms holds for their values."""
    if _is_matrix(s_expr):
        return matrix_algebra.equal(s_expr, r_expr)
    sums: dict[Any, sp.Symbol] = {}
    dsubs = {}

    def opaque(x: Any) -> Any:
        x = x.xreplace(dsubs) if dsubs else x
        canon = x
        for k, lim in enumerate(x.limits):
            canon = canon.xreplace({lim[0]: sp.Symbol(f"_bound{k}", integer=True)})
        hit = sums.get(canon)
        if hit is None:
            hit = sums[canon] = sp.Symbol(f"_sum{len(sums)}")
        return hit

    for e in (s_expr, r_expr):
        for s in e.free_symbols:
            if isinstance(s, sp.Symbol) and s.name in dims:
                dsubs[s] = sp.Integer(dims[s.name])
    a, b = (e.replace(lambda x: isinstance(x, (sp.Sum, sp.Product)), opaque) for e in (s_expr, r_expr))
    d = sp.expand(a - b)
    return d == 0 or _cheap_zero(d)


def _representatives(s_expr: Any, r_expr: Any, free: list[sp.Symbol], assigns: list[dict],
                     dims: dict[str, int]) -> list[dict]:
    """The index cases a proof needs. When index values enter only through which indices are
    equal (entries s_i, δ_ij, sums over the whole range, one range for all), renaming the
    values maps every case to one with the same pattern of equal indices, so one case per
    pattern proves them all: 2 cases for i, j instead of 16. Otherwise every case."""
    if len(free) < 2 or len(assigns) <= 2:
        return assigns
    values = [sorted({a[s] for a in assigns}) for s in free]
    if any(v != values[0] for v in values):
        return assigns
    lo, hi = values[0][0], values[0][-1]
    if values[0] != list(range(lo, hi + 1)):
        return assigns
    bound: set[sp.Symbol] = set()
    for e in (s_expr, r_expr):
        if _is_matrix(e) or e.atoms(sp.MatrixSymbol, MatrixElement):
            return assigns
        for x in e.atoms(sp.Sum, sp.Product):
            for var, a, b in x.limits:
                a = a.xreplace({s: dims[s.name] for s in a.free_symbols if s.name in dims})
                b = b.xreplace({s: dims[s.name] for s in b.free_symbols if s.name in dims})
                if (a, b) != (lo, hi):
                    return assigns
                bound.add(var)
        for x in e.atoms(sp.Indexed):
            if not all(isinstance(i, sp.Symbol) and (i in free or i in bound) for i in x.indices):
                return assigns
        for x in e.atoms(sp.KroneckerDelta):
            if not all(isinstance(i, sp.Symbol) and (i in free or i in bound) for i in x.args):
                return assigns
        if any(isinstance(s, sp.Symbol) and s in free for s in _bare_index_uses(e, free)):
            return assigns
    out = []
    for blocks in _set_partitions(len(free)):
        if max(blocks) + lo > hi:
            continue
        out.append({s: lo + blk for s, blk in zip(free, blocks)})
    return out


def _bare_index_uses(e: Any, free: list[sp.Symbol]) -> set:
    """Free indices used as numbers (i·x, z_{i+1}), not only to pick entries or in δ."""
    uses: set = set()

    def walk(x: Any) -> None:
        if isinstance(x, (sp.Indexed, sp.KroneckerDelta)):
            return
        if isinstance(x, sp.Symbol):
            if x in free:
                uses.add(x)
            return
        for a in x.args:
            walk(a)

    walk(e)
    return uses


def _set_partitions(k: int) -> list[list[int]]:
    """Every way to make k indices equal or different, as block numbers (restricted growth)."""
    out: list[list[int]] = []

    def grow(prefix: list[int]) -> None:
        if len(prefix) == k:
            out.append(prefix)
            return
        for b in range(max(prefix, default=-1) + 2):
            grow(prefix + [b])

    grow([])
    return out
