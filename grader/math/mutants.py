"""Mutants of a reference answer: the wrong answers students commonly give, each with a name
and a message in plain words.

`mutants(reference, ctx)` lists them most specific first; `grader.math.diagnosis` tries them in
that order against a wrong answer and reports the first that matches. Every mutant is built
from the reference's SymPy tree (never from text), so it exists for any reference the author
writes; the ones that do not apply (no Kronecker delta, no matrix, a single term...) are simply
not generated.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

import sympy as sp
from sympy.printing.str import StrPrinter

from grader.math.context import MathContext

#: names a regularisation strength goes by
REG_NAMES = ("\\lambda", "lambda", "lam", "reg", "\\alpha_{reg}")
#: names of a batch size / number of samples
BATCH_NAMES = ("N", "n", "m", "B")
MAX_MUTANTS = 80


@dataclass
class Mutant:
    name: str
    message: str
    expr: Any


_GREEK = {"\\lambda": "λ", "\\alpha": "α", "\\beta": "β", "\\gamma": "γ", "\\eta": "η", "\\sigma": "σ",
          "\\delta": "δ", "\\hat{y}": "ŷ", "\\mu": "μ", "\\theta": "θ"}


class _Plain(StrPrinter):
    """Expressions as a student reads them in a message: s_i, δ_ij, σ(z), Wᵀ, x^2."""

    printmethod = "_grader_plain"  # not "_sympystr", which Indexed uses to print itself as s[i]

    def _print_Indexed(self, e: Any) -> str:
        idx = "".join(self._print(i) for i in e.indices)
        return f"{self._print(e.base.label)}_{idx if len(idx) == 1 else '{' + idx + '}'}"

    def _print_KroneckerDelta(self, e: Any) -> str:
        return "δ_" + "".join(self._print(a) for a in e.args[:2])

    def _print_HadamardProduct(self, e: Any) -> str:
        return " ⊙ ".join(self.parenthesize(a, 50) for a in e.args)

    def _print_Transpose(self, e: Any) -> str:
        inner = self._print(e.arg)
        return (inner if isinstance(e.arg, sp.MatrixSymbol) else f"({inner})") + "ᵀ"

    def _print_Pow(self, e: Any, rational: bool = False) -> str:
        u = _is_sigmoid(e)
        if u is not None:
            return f"σ({self._print(u)})"
        return super()._print_Pow(e, rational)

    def _print_Symbol(self, e: Any) -> str:
        return _GREEK.get(e.name, e.name.replace("\\", ""))


_SIGMA = sp.Function("σ")


def _show(e: Any) -> str:
    try:
        if isinstance(e, sp.Basic):
            e = _replace(e, _is_sigmoid, _SIGMA)
        text = _Plain().doprint(e)
    except Exception:  # SymPy's printer fails on odd objects; a message is still better than none
        text = str(e)
    return text.replace("**", "^").replace("*", "·")




def _is_matrix(e: Any) -> bool:
    return isinstance(e, (sp.MatrixBase, sp.MatrixExpr))


def _terms(e: Any) -> list[Any]:
    if isinstance(e, sp.MatAdd) or isinstance(e, sp.Add):
        return list(e.args)
    return [e]


def _rebuild_sum(terms: list[Any]) -> Any:
    if not terms:
        return sp.Integer(0)
    if any(_is_matrix(t) for t in terms):
        return sp.MatAdd(*terms).doit() if len(terms) > 1 else terms[0]
    return sp.Add(*terms)


def _is_sigmoid(e: Any) -> Any:
    """The argument u when e is 1/(1 + e^{-u}) (how the grammar writes σ(u)), else None."""
    if isinstance(e, sp.Pow) and e.exp == -1 and isinstance(e.base, sp.Add) and len(e.base.args) == 2:
        one, ex = e.base.args if e.base.args[0] == 1 else e.base.args[::-1]
        if one == 1 and isinstance(ex, sp.exp):
            return -ex.args[0]
    return None


def _is_softplus(e: Any) -> Any:
    """The argument u when e is log(1 + e^{u}), else None."""
    if isinstance(e, sp.log) and isinstance(e.args[0], sp.Add) and len(e.args[0].args) == 2:
        a, b = e.args[0].args
        one, ex = (a, b) if a == 1 else (b, a)
        if one == 1 and isinstance(ex, sp.exp):
            return ex.args[0]
    return None


def _sig(u: Any) -> Any:
    return 1 / (1 + sp.exp(-u))


def _replace(expr: Any, match: Callable[[Any], Any], build: Callable[[Any], Any]) -> Any:
    """Replace every subexpression where match(e) is not None by build(match(e))."""
    return expr.replace(lambda e: isinstance(e, sp.Basic) and match(e) is not None, lambda e: build(match(e)))


def _free_indices(expr: Any, ctx: MathContext) -> list[sp.Symbol]:
    names = set(ctx.index_names())
    out = {s for s in getattr(expr, "free_symbols", set()) if isinstance(s, sp.Symbol) and s.is_integer
           and s.name in names}
    return sorted(out, key=lambda s: s.name)


def _symbol_named(expr: Any, names: tuple[str, ...]) -> list[sp.Symbol]:
    return sorted((s for s in getattr(expr, "free_symbols", set())
                   if isinstance(s, sp.Symbol) and s.name in names), key=lambda s: s.name)


def mutants(reference: Any, ctx: MathContext) -> list[Mutant]:
    """The mutants of `reference`, most specific first (duplicates by construction are kept:
    the first one that matches wins)."""
    out: list[Mutant] = []
    for m in _generate(reference, ctx):
        if m.expr is None:
            continue
        out.append(m)
        if len(out) >= MAX_MUTANTS:
            break
    return out


def _safe(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except (TypeError, ValueError, AttributeError, sp.ShapeError, NotImplementedError, IndexError):
        return None


def _generate(ref: Any, ctx: MathContext) -> Iterator[Mutant]:
    idx = _free_indices(ref, ctx)
    deltas = sorted(ref.atoms(sp.KroneckerDelta), key=str) if not isinstance(ref, sp.MatrixBase) else []

    # -- softmax treated as an elementwise sigmoid; the Kronecker delta mishandled ----------
    for d in deltas:
        a, b = d.args[:2]
        if isinstance(a, sp.Symbol) and isinstance(b, sp.Symbol):
            diag = _safe(lambda: ref.xreplace({b: a}))
            yield Mutant("elementwise-sigmoid",
                         f"This is the i = j case, {_show(diag)}, used for every {a} and {b}, as if the softmax "
                         f"were an elementwise sigmoid. The softmax couples its outputs: for {a} \u2260 {b} the "
                         f"derivative is not zero but {_show(ref.xreplace({d: 0}))}.", diag)
        yield Mutant("kronecker-as-one",
                     f"\u03b4_{a}{b} was taken as 1 for every {a}, {b}: the derivative of e^(z_{a}) with "
                     f"respect to z_{b} is e^(z_{a}) only when {a} = {b}, and 0 when {a} \u2260 {b}, which "
                     f"is what \u03b4_{a}{b} says.", _safe(lambda: ref.xreplace({d: 1})))
        yield Mutant("kronecker-as-zero",
                     f"This is the {a} \u2260 {b} formula used for every {a}, {b}: on the diagonal "
                     f"({a} = {b}) the term with \u03b4_{a}{b} is missing.", _safe(lambda: ref.xreplace({d: 0})))
    if _is_matrix(ref) and ref.shape[0] == ref.shape[1] and ref.shape[0] > 1 and _has_outer_product(ref):
        eye = sp.Identity(ref.shape[0])
        yield Mutant("elementwise-sigmoid",
                     "Only the diagonal of the Jacobian is there, as if the softmax were an elementwise "
                     "sigmoid (diag(s(1 − s))). The softmax couples its outputs: the off-diagonal entries "
                     "are −s_i s_j, the −s sᵀ part.", _safe(lambda: sp.hadamard_product(ref, eye)))

    # -- activations mixed up --------------------------------------------------------------
    if any(_is_softplus(e) is not None for e in sp.preorder_traversal(ref)):
        yield Mutant("sigmoid-for-softplus",
                     "The sigmoid σ(z) is used where the softplus log(1 + e^z) belongs.",
                     _safe(lambda: _replace(ref, _is_softplus, _sig)))
    if any(_is_sigmoid(e) is not None for e in sp.preorder_traversal(ref)):
        yield Mutant("sigmoid-derivative-for-softplus",
                     "σ(z)(1 − σ(z)) is the derivative of the sigmoid; the derivative of the softplus "
                     "log(1 + e^z) is σ(z) itself.",
                     _safe(lambda: _replace(ref, _is_sigmoid, lambda u: _sig(u) * (1 - _sig(u)))))
        yield Mutant("softplus-for-sigmoid",
                     "The softplus log(1 + e^z) is used where the sigmoid σ(z) belongs.",
                     _safe(lambda: _replace(ref, _is_sigmoid, lambda u: sp.log(1 + sp.exp(u)))))

    terms = _terms(ref)
    if len(terms) == 1 and not _is_matrix(ref) and isinstance(ref, sp.Mul) and not ref.has(sp.exp, sp.log):
        # s_i(δ_ij − s_j): a missing or wrong term shows in the expanded form
        expanded = _terms(sp.expand(ref))
        if 1 < len(expanded) <= 6:
            terms = expanded
    # -- the regularisation term missing ----------------------------------------------------
    regs = [t for t in terms if _symbol_named(t, REG_NAMES)] if len(terms) > 1 else []
    for t in regs:
        yield Mutant("missing-regularisation",
                     f"The regularisation term {_show(t)} is missing: the penalty is part of the loss, so "
                     "its gradient is part of the gradient.", _safe(lambda t=t: _rebuild_sum([x for x in terms if x is not t])))

    # -- a chain-rule factor missing -------------------------------------------------------
    yield from _chain_factor_mutants(ref)

    # -- transposes and indices --------------------------------------------------------------
    if _is_matrix(ref):
        yield from _transpose_mutants(ref)
    if len(idx) >= 2 or ref.atoms(sp.Indexed):
        yield from _index_mutants(ref, idx)

    # -- sign and factors ------------------------------------------------------------------
    yield Mutant("sign-flipped", "The sign is flipped: your answer is the expected one with the opposite sign. "
                                 "Check the sign of each derivative in the chain (e.g. d(y − ŷ)/dŷ = −1).",
                 _safe(lambda: -ref))
    yield Mutant("factor-2", "Your answer is twice the right one: a factor 2 too many (e.g. the ½ of a "
                             "squared loss forgotten, or λ‖W‖² differentiated as 4λW).", _safe(lambda: 2 * ref))
    yield Mutant("factor-half", "Your answer is half the right one: a factor 2 is missing (e.g. the derivative "
                                "of x² is 2x, of λ‖W‖² is 2λW).", _safe(lambda: ref / 2))
    for n in _symbol_named(ref, BATCH_NAMES) or [sp.Symbol(x, positive=True) for x in ("N",) if x in ctx.symbols]:
        yield Mutant("missing-1/N", f"The 1/{n} is missing: the loss is a mean over the {n} samples, so its "
                                    "gradient is one too.", _safe(lambda n=n: n * ref))
        yield Mutant("factor-1/N", f"Your answer is 1/{n} times the right one: divided by {n} once too often.",
                     _safe(lambda n=n: ref / n))

    # -- one term wrong or missing -----------------------------------------------------------
    if len(terms) > 1:
        for k, t in enumerate(terms):
            rest = [x for j, x in enumerate(terms) if j != k]
            yield Mutant("sign-flipped", f"The sign of the term {_show(t)} is flipped.",
                         _safe(lambda rest=rest, t=t: _rebuild_sum(rest + [-t])))
        for k, t in enumerate(terms):
            rest = [x for j, x in enumerate(terms) if j != k]
            yield Mutant("factor-2", f"The term {_show(t)} is twice what it should be.",
                         _safe(lambda rest=rest, t=t: _rebuild_sum(rest + [2 * t])))
            yield Mutant("factor-half", f"The term {_show(t)} is half what it should be: a factor 2 is missing.",
                         _safe(lambda rest=rest, t=t: _rebuild_sum(rest + [t / 2])))
            for n in _symbol_named(t, BATCH_NAMES):
                yield Mutant("missing-1/N", f"The 1/{n} of the term {_show(t)} is missing.",
                             _safe(lambda rest=rest, t=t, n=n: _rebuild_sum(rest + [n * t])))
        for k, t in enumerate(terms):
            if t in regs:
                continue
            rest = [x for j, x in enumerate(terms) if j != k]
            yield Mutant("missing-term", f"A term is missing: {_show(t)}.", _safe(lambda rest=rest: _rebuild_sum(rest)))

    # -- one factor missing (a generic chain-rule slip) ------------------------------------------
    for f in _factors(ref):
        yield Mutant("missing-factor", f"The factor {_show(f)} is missing (a step of the chain rule?).",
                     _safe(lambda f=f: _drop_factor(ref, f)))


def _has_outer_product(ref: Any) -> bool:
    for e in sp.preorder_traversal(ref):
        if isinstance(e, sp.MatMul):
            args = e.args
            for a, b in zip(args, args[1:]):
                if _is_matrix(a) and _is_matrix(b) and a.shape[1] == 1 and b.shape[0] == 1:
                    return True
    return False


def _factors(ref: Any) -> list[Any]:
    if isinstance(ref, sp.Mul):
        return [f for f in ref.args if not f.is_Number]
    if isinstance(ref, sp.MatMul):
        return [f for f in ref.args if not (getattr(f, "is_Number", False))]
    return []


def _drop_factor(ref: Any, f: Any) -> Any:
    if isinstance(ref, sp.MatMul):
        rest = [a for a in ref.args if a is not f]
        if not rest:
            return None
        out = sp.MatMul(*rest).doit() if len(rest) > 1 else rest[0]
        return out if out.shape == ref.shape else None
    return ref / f


def _activation_args(e: Any) -> set[Any]:
    """Arguments u of the e^{±u} inside e (a sigmoid or softplus written out)."""
    out = set()
    for x in sp.preorder_traversal(e):
        if isinstance(x, sp.exp):
            u = x.args[0]
            out.add(sp.expand(-u) if u.could_extract_minus_sign() else u)
    return out


def _sigmoid_of(f: Any) -> Any:
    return _is_sigmoid(f)


def _one_minus_sigmoid_of(f: Any) -> Any:
    """u when f is 1 − σ(u)."""
    if isinstance(f, sp.Add) and len(f.args) == 2 and sp.Integer(1) in f.args:
        other = f.args[0] if f.args[1] == 1 else f.args[1]
        return _is_sigmoid(-other)
    return None


def _sigmoid_derivative_groups(args: tuple) -> list[tuple[Any, list[Any]]]:
    """σ'(u) inside a product's factors: σ(u)·(1 − σ(u)), or e^{−u}·(1 + e^{−u})^{−2}."""
    groups = []
    sig = {u: f for f in args for u in [_sigmoid_of(f)] if u is not None}
    for f in args:
        u = _one_minus_sigmoid_of(f)
        if u is not None and u in sig:
            groups.append((u, [sig[u], f]))
    for f in args:
        if isinstance(f, sp.Pow) and f.exp == -2 and _is_sigmoid(1 / f.base) is not None:
            u = _is_sigmoid(1 / f.base)
            partner = next((g for g in args if isinstance(g, sp.exp) and sp.simplify(g.args[0] + u) == 0), None)
            if partner is not None:
                groups.append((u, [partner, f]))
    return groups


def _chain_factor_mutants(ref: Any) -> Iterator[Mutant]:
    """Drop the activation's derivative from a product (σ'(u) = σ(u)(1 − σ(u))), or one side
    of an elementwise product (a ReLU mask, f'(Z))."""
    if isinstance(ref, sp.Mul):
        for u, fs in _sigmoid_derivative_groups(ref.args):
            if len(fs) == len(ref.args):
                continue
            yield Mutant("missing-chain-factor",
                         f"A chain-rule factor is missing: the derivative of the sigmoid, σ'({_show(u)}) = "
                         f"σ({_show(u)})(1 − σ({_show(u)})).", _safe(lambda fs=fs: ref / sp.Mul(*fs)))
    for h in [e for e in sp.preorder_traversal(ref) if isinstance(e, sp.HadamardProduct)]:
        for k, keep in enumerate(h.args):
            others = [a for j, a in enumerate(h.args) if j != k]
            if len(others) != 1:
                continue
            yield Mutant("missing-chain-factor",
                         f"The elementwise factor {_show(others[0])} is missing (the ReLU mask or the "
                         "activation's derivative, applied with ⊙).", _safe(lambda h=h, keep=keep: ref.xreplace({h: keep})))


def _transpose_mutants(ref: Any) -> Iterator[Mutant]:
    if ref.shape[0] == ref.shape[1] or True:
        yield Mutant("transposed", "Your answer is the transpose of the right one: rows and columns are "
                                   "swapped (check the order of the factors and where each ᵀ goes).",
                     _safe(lambda: ref.T))
    syms = sorted(ref.atoms(sp.MatrixSymbol), key=lambda s: s.name)
    for s in syms:
        if s.shape[0] == s.shape[1] and s.shape[0] > 1:
            yield Mutant("transposed", f"{s.name} should be transposed the other way ({s.name} and {s.name}ᵀ "
                                       "are swapped somewhere).",
                         _safe(lambda s=s: ref.xreplace({s: s.T, sp.Transpose(s): s})))


def _index_mutants(ref: Any, idx: list[sp.Symbol]) -> Iterator[Mutant]:
    if len(idx) >= 2:
        for a, b in [(idx[x], idx[y]) for x in range(len(idx)) for y in range(x + 1, len(idx))]:
            yield Mutant("indices-swapped", f"The indices {a} and {b} are swapped.",
                         _safe(lambda a=a, b=b: ref.xreplace({a: b, b: a})))
    occurrences = sorted(ref.atoms(sp.Indexed), key=str)
    names = sorted({i for occ in occurrences for i in occ.indices if isinstance(i, sp.Symbol)}, key=str)
    for occ in occurrences:
        for pos, i in enumerate(occ.indices):
            for j in names:
                if j == i or not isinstance(i, sp.Symbol):
                    continue
                new_idx = list(occ.indices)
                new_idx[pos] = j
                changed = sp.Indexed(occ.base, *new_idx)
                yield Mutant("indices-swapped",
                             f"An index is mixed up: {_show(changed)} where {_show(occ)} belongs.",
                             _safe(lambda occ=occ, changed=changed: ref.xreplace({occ: changed})))
        if len(occ.indices) == 2:
            swapped = sp.Indexed(occ.base, occ.indices[1], occ.indices[0])
            yield Mutant("indices-swapped", f"The two indices of {_show(occ)} are swapped (its transpose).",
                         _safe(lambda occ=occ, swapped=swapped: ref.xreplace({occ: swapped})))
