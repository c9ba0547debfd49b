"""Checking a derivation E0 = E1 = … = En step by step.

Every member is compared with the one before it, and the first member with the quantity the
part asks for (the reference's value): so a chain that starts wrong, or whose middle does not
follow, is caught at the step where it happens. The last member is also compared with the
reference on its own, so "the end is right but step 2 does not follow" is reported as exactly
that.

Cases: a part may state one (`i = j`), and each line may carry its own
(`\\quad \\text{if } i \\neq j`). A step is checked under the cases of the part and of both of
its lines. An index equality `i = j` is applied by substituting one index for the other (so
δ_ii = 1 and s_j becomes s_i); an inequality `i ≠ j` sets δ_ij to 0; a sign condition on a
scalar (`z > 0`) replaces the scalar by a value that satisfies it (z → |z|), so piecewise
pieces such as max(0, z) or 1[z > 0] resolve under the case.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from grader.math import Chain, Condition, MathContext, Member, canonical_name, parse_expression
from grader.math.equivalence import Verdict, check_equivalence
from grader.math.parser import index_symbol


@dataclass
class Step:
    """One `=` of the chain: `before` = `after` (before None: the quantity asked for)."""

    number: int  # 1-based
    before: Member | None
    after: Member
    conditions: list[str]  # the cases it was checked under, as written
    verdict: Verdict

    @property
    def ok(self) -> bool | None:
        return self.verdict.equivalent


@dataclass
class StepsReport:
    steps: list[Step]
    final: Verdict  # the last member against the reference
    final_member: Member
    skipped_lhs: Member | None = None  # the named quantity the chain starts with, if any
    notes: list[str] = field(default_factory=list)

    @property
    def first_wrong(self) -> Step | None:
        return next((s for s in self.steps if s.ok is not True), None)

    @property
    def n_ok(self) -> int:
        return sum(1 for s in self.steps if s.ok is True)


def _relations(cond: Condition | None, previous_if: Condition | None) -> list[Any]:
    if cond is None:
        return []
    if cond.kind == "otherwise":
        # "otherwise" after "if i = j" means i ≠ j; after anything else it says nothing we can use
        if previous_if is not None and len(previous_if.relations) == 1:
            r = previous_if.relations[0]
            if isinstance(r, sp.Eq):
                return [sp.Ne(r.lhs, r.rhs, evaluate=False)]
        return []
    return list(cond.relations)


def expand_indexed_definitions(expr: Any, ctx: MathContext) -> Any:
    """Replace defined indexed names by their definitions: with s_i defined as
    e^{z_i} / Σ_k e^{z_k}, s_j becomes e^{z_j} / Σ_k e^{z_k}. (Plain names are substituted by
    the equivalence check itself.)"""
    templates = _indexed_definitions(ctx)
    if not templates or not hasattr(expr, "replace"):
        return expr

    def fill(e: Any) -> Any:
        variables, body = templates[str(e.base)]
        return body.xreplace(dict(zip(variables, e.indices)))

    for _ in range(6):  # definitions may use other defined names
        new = expr.replace(lambda e: isinstance(e, sp.Indexed) and str(e.base) in templates
                           and len(e.indices) == len(templates[str(e.base)][0]), fill)
        if new == expr:
            break
        expr = new
    return expr


_TEMPLATES: dict[tuple, dict[str, tuple[list[Any], Any]]] = {}


def _indexed_definitions(ctx: MathContext) -> dict[str, tuple[list[Any], Any]]:
    key = ctx.key()
    hit = _TEMPLATES.get(key)
    if hit is not None:
        return hit
    out: dict[str, tuple[list[Any], Any]] = {}
    for name, text in sorted(ctx.definitions.items()):
        base, idx = canonical_name(name)
        if not idx:
            continue
        body = parse_expression(text, ctx)
        # rename the template's summation variables, so that s_k inside Σ_k cannot be captured
        for n, bound in enumerate(sorted(body.atoms(sp.Sum, sp.Product), key=str)):
            for lim in bound.limits:
                var = lim[0]
                body = body.xreplace({bound: bound.xreplace({var: sp.Symbol(f"_{var.name}{n}", integer=True)})})
        out[base] = ([index_symbol(c) for c in idx], body)
    if len(_TEMPLATES) > 64:
        _TEMPLATES.clear()
    _TEMPLATES[key] = out
    return out


def apply_case(expr: Any, relations: list[Any]) -> Any:
    """`expr` restricted to the case the relations state (see the module docstring)."""
    for rel in relations:
        lhs, rhs = rel.lhs, rel.rhs
        if isinstance(rel, sp.Eq):
            if isinstance(rhs, sp.Symbol) and (isinstance(lhs, sp.Symbol) or lhs.is_Number):
                expr = _subs(expr, {rhs: lhs})
            elif isinstance(lhs, sp.Symbol):
                expr = _subs(expr, {lhs: rhs})
        elif isinstance(rel, sp.Ne):
            expr = _subs(expr, {sp.KroneckerDelta(lhs, rhs): 0, sp.KroneckerDelta(rhs, lhs): 0})
        elif isinstance(rel, (sp.Gt, sp.Ge, sp.Lt, sp.Le)):
            sym, bound, upward = _sign_condition(rel)
            if sym is not None:
                expr = _subs(expr, {sym: bound + sp.Abs(sym) if upward else bound - sp.Abs(sym)})
    return expr


def _sign_condition(rel: Any) -> tuple[Any, Any, bool]:
    lhs, rhs = rel.lhs, rel.rhs
    greater = isinstance(rel, (sp.Gt, sp.Ge))
    if isinstance(lhs, (sp.Symbol, sp.Indexed)) and not rhs.free_symbols:
        return lhs, rhs, greater
    if isinstance(rhs, (sp.Symbol, sp.Indexed)) and not lhs.free_symbols:
        return rhs, lhs, not greater
    return None, None, False


def _subs(expr: Any, mapping: dict) -> Any:
    try:
        # the keys are symbols and Kronecker deltas: a structural replacement is the substitution,
        # and far cheaper than subs(), which re-simplifies every matrix expression it rebuilds;
        # but only subs() leaves a sum's own variable alone (Σ_j s_i s_j with j = i)
        bound = {lim[0] for x in expr.atoms(sp.Sum, sp.Product) for lim in x.limits} \
            if isinstance(expr, sp.Basic) else set()
        if bound & set(mapping):
            return expr.subs(mapping, simultaneous=True)
        return expr.xreplace(mapping)
    except (TypeError, AttributeError):
        return expr


def is_quantity(member: Member, reference_lhs: Member | None) -> bool:
    """Whether a chain's first member names the quantity (∂s_i/∂z_j, or the reference's own
    left-hand side) rather than giving a value."""
    if not member.is_name:
        return False
    e = member.expr
    if isinstance(e, sp.Symbol) and e.name.startswith("\\frac{"):
        return True
    return reference_lhs is not None and reference_lhs.is_name and reference_lhs.expr == e


def check_steps(chain: Chain, reference: Any, ctx: MathContext, *, case: list[Any] | None = None,
                case_text: str = "", reference_lhs: Member | None = None, budget_s: float = 2.0,
                seed: int = 0, mode: str = "exact", rel_tol: float | None = None) -> StepsReport:
    """Check each step of `chain` and its final member(s) against `reference` (a value).

    `case` holds the part's stated case as relations (from parse_condition). Lines with
    different cases (`… if i = j` then `… otherwise`) are branches: each follows from the last
    line without a case (or from the quantity asked for), and the last line of every branch is
    a final answer for its case.
    """
    members = list(chain.members)
    skipped = None
    if len(members) > 1 and is_quantity(members[0], reference_lhs):
        skipped = members.pop(0)
    part_case = list(case or [])
    per_check = min(2.0, max(0.05, budget_s / (2 * len(members) + 1)))
    kw: dict[str, Any] = {"budget_s": per_check, "seed": seed, "mode": mode}
    if rel_tol is not None:
        kw["rel_tol"] = rel_tol

    def compare(a: Any, b: Any, relations: list[Any]) -> Verdict:
        a = apply_case(expand_indexed_definitions(a, ctx), relations)
        b = apply_case(expand_indexed_definitions(b, ctx), relations)
        return check_equivalence(a, b, ctx, **kw)

    steps: list[Step] = []
    prev: Member | None = None
    prev_key = ""
    anchor: Member | None = None  # the last line without a case of its own
    last_if: Condition | None = None
    branches: dict[str, tuple[Member, list[Any]]] = {}
    for k, m in enumerate(members, start=1):
        rel = _relations(m.condition, last_if)
        if m.condition is not None and m.condition.kind != "otherwise":
            last_if = m.condition
        key = _cond_text(m.condition) if rel else ""
        if key and prev_key and key != prev_key:
            before = anchor  # a new branch starts from the common part
        else:
            before = prev
        before_rel = _relations(before.condition, None) if before is not None and before is prev and prev_key else []
        relations = part_case + before_rel + rel
        texts = _unique(([case_text] if case_text else []) + ([prev_key] if before is prev and prev_key else [])
                        + ([key] if key else []))
        verdict = compare(m.expr, reference if before is None else before.expr, relations)
        steps.append(Step(number=k, before=before, after=m, conditions=texts, verdict=verdict))
        if not key:
            anchor = m
            branches = {}
        branches[key] = (m, part_case + rel)
        prev, prev_key = m, key
    finals = [compare(m.expr, reference, rels) for m, rels in branches.values()]
    final = next((v for v in finals if v.equivalent is not True), finals[-1])
    final_member = next((m for (m, _), v in zip(branches.values(), finals) if v is final), members[-1])
    return StepsReport(steps=steps, final=final, final_member=final_member, skipped_lhs=skipped)


def _cond_text(cond: Condition | None) -> str:
    if cond is None:
        return ""
    if cond.text:
        return cond.text
    return ", ".join(sp.latex(r) for r in cond.relations) or cond.kind


def _unique(items: list[str]) -> list[str]:
    out: list[str] = []
    for x in items:
        if x and x not in out:
            out.append(x)
    return out
