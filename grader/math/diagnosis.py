"""Which misconception explains a wrong answer?

The wrong answer is compared, with the same equivalence check as the answer itself, against
candidate wrong answers, most specific first; the first that matches is the diagnosis:

1. the part author's own mistakes (`[[parts.mistakes]]`, each with its own message);
2. mutants of the reference (grader/math/mutants.py): softmax treated as an elementwise
   sigmoid, the Kronecker delta taken as 1 or 0, sigmoid and softplus mixed up, the
   regularisation term missing, a chain-rule factor missing, a matrix transposed, indices
   swapped, the sign flipped, a factor 2, ½, N or 1/N off (in the whole answer or one term),
   a term missing, a factor missing.

Nothing matches → no diagnosis (None): a guess would be worse than silence.

An answer whose shapes do not fit (it cannot even be built, like diag(s) − sᵀs) is diagnosed
from its text by `diagnose_text`: a transpose moved, added or removed that makes it right.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from grader.errors import GraderError, MathSyntaxError
from grader.exercise.model import Mistake
from grader.math.context import MathContext
from grader.math.direct import DirectEvaluator
from grader.math.equivalence import check_equivalence
from grader.math.mutants import mutants
from grader.math.parser import MathShapeError, context_info, parse_chain, parse_expression
from grader.math.points import PointTable


@dataclass
class Diagnosis:
    name: str
    message: str


def _matches(student: Any, candidate: Any, ctx: MathContext, budget_s: float) -> bool:
    try:
        v = check_equivalence(student, candidate, ctx, budget_s=budget_s, symbolic=False, points=16)
    except (GraderError, ValueError, TypeError, AttributeError):
        return False
    return v.equivalent is True


def _author_mistakes(mistakes: Iterable[Mistake], ctx: MathContext) -> list[tuple[Mistake, Any]]:
    out = []
    for m in mistakes:
        try:
            out.append((m, parse_chain(m.answer, ctx).last.expr))
        except (MathSyntaxError, MathShapeError, GraderError):
            continue  # an author mistake that does not parse is reported by validation, not here
    return out


def diagnose(student: Any, reference: Any, ctx: MathContext, mistakes: Iterable[Mistake] = (),
             budget_s: float = 1.0) -> Diagnosis | None:
    """The most specific known mistake that the (wrong) student answer equals, or None.

    The search is bounded by work, not by the clock: every candidate is screened numerically
    at the same few points (cheap), and only those that agree get the full check. So the
    same answer gets the same diagnosis on a loaded machine; `budget_s` only bounds each
    full check, and HARD_CAP_S the whole search for pathological input.
    """
    deadline = time.perf_counter() + HARD_CAP_S
    per_check = max(budget_s, 0.5)
    for m, wrong in _author_mistakes(mistakes, ctx):
        if _matches(student, wrong, ctx, per_check):
            return Diagnosis(m.name, m.feedback)
    try:
        candidates = mutants(reference, ctx)
    except (TypeError, ValueError, AttributeError):
        return None
    for cand in _screen(student, candidates, ctx):
        if time.perf_counter() > deadline:
            break
        if _matches(student, cand.expr, ctx, per_check):
            return Diagnosis(cand.name, cand.message)
    return None


def _screen(student: Any, candidates: list[Any], ctx: MathContext, n_points: int = 10) -> list[Any]:
    """Candidates that agree with the student at a few sample points and index cases, in
    order: every expression evaluated as written (grader/math/direct.py) at the same points,
    with the subexpressions they share computed once. All of them when the screen cannot run."""
    from grader.math import equivalence as E

    try:
        info = context_info(ctx)
        exprs = [E._substitute_definitions(e, ctx, info) for e in [student] + [c.expr for c in candidates]]
        dims = E._dims_of(exprs, ctx, info)
        free = E._free_indices(E._flat(exprs), info, set(info.index_names))
        ranges = [list(E._index_range(x.name, ctx, info, dims)) for x in free]
        rng = np.random.default_rng(7)
        assigns = [{}] if not free else _index_cases(free, ranges, rng)
        table = PointTable(info, n_points, 7, group_size=E._group_size(exprs[0], exprs[0], assigns, dims))
        idx = {x: np.repeat(np.array([a[x] for a in assigns], dtype=np.int64), n_points) for x in free}
        ev = DirectEvaluator(table, idx, dims, len(assigns), E._undef_stand_in)
        mine = ev.value(exprs[0])
    except Exception:  # the screen is only a shortcut: anything it cannot do, the full check does
        return candidates
    mine = mine.reshape(mine.shape[0], -1)
    kept = []
    for cand, e in zip(candidates, exprs[1:]):
        try:
            theirs = ev.value(e)
        except Exception:  # as above: a candidate the screen cannot evaluate goes to the full check
            kept.append(cand)
            continue
        theirs = theirs.reshape(theirs.shape[0], -1)
        if theirs.shape != mine.shape:
            continue
        ok = np.all(np.isfinite(mine) & np.isfinite(theirs), axis=1)
        if ok.any() and np.allclose(mine[ok], theirs[ok], rtol=1e-7, atol=1e-10):
            kept.append(cand)
    return kept


def _index_cases(free: list[Any], ranges: list[list[int]], rng: np.random.Generator) -> list[dict]:
    """A few index assignments: all equal, all different (when the range allows), random ones."""
    cases = [{x: r[0] for x, r in zip(free, ranges)}]
    if all(len(r) >= len(free) for r in ranges):
        cases.append({x: r[k] for k, (x, r) in enumerate(zip(free, ranges))})
    for _ in range(4):
        cases.append({x: int(rng.choice(r)) for x, r in zip(free, ranges)})
    return cases


# ---- answers that cannot be built -------------------------------------------------------------

_TRANSPOSE = re.compile(r"\^\s*(?:\{\s*(?:T|\\top|\\intercal)\s*\}|T(?![A-Za-z])|\\top|\\intercal)")
_NAME = re.compile(r"(?<![\\A-Za-z])([A-Za-z])(?:_\{[^{}]*\}|_[A-Za-z0-9])?(?![A-Za-z{(])")
MAX_TEXT_VARIANTS = 60
HARD_CAP_S = 6.0


def _text_variants(text: str) -> list[tuple[str, str, str]]:
    """(variant, old fragment, new fragment): one transpose moved to another name, removed, or added."""
    marks = [(m.start(), m.end()) for m in _TRANSPOSE.finditer(text)]
    names = {m.end(): m.start() for m in _NAME.finditer(text)}  # end -> start of each single-letter name
    out: list[tuple[str, str, str]] = []

    def edit(s: str, cut: tuple[int, int] | None, insert_at: int | None, offset: int = 0) -> str:
        if cut is not None:
            a, b = cut[0] - offset, cut[1] - offset
            if insert_at is not None and insert_at - offset > a:
                insert_at -= b - a
            s = s[:a] + s[b:]
        if insert_at is not None:
            p = insert_at - offset
            s = s[:p] + "^\\top" + s[p:]
        return s

    for a, b in marks:
        lo = names.get(a, a)
        out.append((edit(text, (a, b), None), text[lo:b], edit(text[lo:b], (a, b), None, lo)))
        for end, start in names.items():
            if end == a:
                continue
            lo2, hi2 = min(lo, start), max(b, end)
            out.append((edit(text, (a, b), end), text[lo2:hi2], edit(text[lo2:hi2], (a, b), end, lo2)))
    if not marks:
        for end, start in names.items():
            out.append((edit(text, None, end), text[start:end], edit(text[start:end], None, end, start)))
    return out[:MAX_TEXT_VARIANTS]


def diagnose_text(text: str, reference: Any, ctx: MathContext, budget_s: float = 1.0) -> Diagnosis | None:
    """For an answer whose shapes do not fit: a transpose moved, removed or added that makes
    it equal to the reference."""
    deadline = time.perf_counter() + max(budget_s, HARD_CAP_S)
    member = _last_member_text(text, ctx)
    for variant, old, new in _text_variants(member):
        if time.perf_counter() > deadline:
            break
        try:
            expr = parse_expression(variant, ctx)
        except (MathSyntaxError, MathShapeError, GraderError, ValueError):
            continue
        if _matches(expr, reference, ctx, 0.5):
            return Diagnosis("transposed", f"A transpose is in the wrong place: with '{old}' written as "
                                           f"'{new}' the shapes fit and the answer is right. (For a column "
                                           "vector s, sᵀs is a number, the inner product, and s sᵀ is an "
                                           "n×n matrix, the outer product.)")
    return None


def _last_member_text(text: str, ctx: MathContext) -> str:
    """The text of the last member of an `=` chain, without parsing what cannot be built."""
    depth = 0
    cut = 0
    for i, ch in enumerate(text):
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif ch == "=" and depth == 0:
            cut = i + 1
    return text[cut:].strip()
