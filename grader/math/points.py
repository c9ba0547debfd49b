"""Sample points: the values of every scalar and every vector or matrix entry a check needs.

Values are drawn lazily, the first time an entry is asked for, each from its own generator
seeded by the check's seed and the entry's name: the same entry gets the same values whatever
order the expression is walked in, and a point is the same for both sides of a comparison.
Every value is an exact decimal (an integer numerator over DEN), so that a reported point can
be re-checked in exact arithmetic. The first COARSE points use one decimal (0.3, −1.2): they
make readable counterexamples.

Domains: "positive"/"unit"/"nonnegative" positive, "negative" negative, "integer" small
integers, "probability" a probability vector (a column vector's entries, or each row of a
matrix, sum to 1); everything else real, away from 0.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp

if TYPE_CHECKING:  # pragma: no cover
    from grader.math.parser import ContextInfo

DEN = 1000
COARSE = 8


@dataclass
class PointTable:
    """Lazily sampled values at `n` points, keyed by the SymPy symbol that names each entry."""

    info: "ContextInfo"
    n: int
    seed: int
    force_positive: bool = False
    group_size: int = 4  # length of a probability vector whose shape is not declared
    num: dict[sp.Symbol, np.ndarray] = field(default_factory=dict)  # numerators over DEN
    of: dict[sp.Symbol, tuple[str, tuple[int, ...]]] = field(default_factory=dict)  # entry -> (base, index)
    _names: dict[tuple[str, tuple[int, ...]], sp.Symbol] = field(default_factory=dict)
    _floats: dict[sp.Symbol, np.ndarray] = field(default_factory=dict)

    # ---- naming -------------------------------------------------------------------------

    def entry_symbol(self, base: str, idx: tuple[int, ...]) -> sp.Symbol:
        """The symbol for entry `idx` (1-based) of `base`: s_1, W_{1,2}."""
        key = (base, idx)
        hit = self._names.get(key)
        if hit is not None:
            return hit
        sym = self._names[key] = make_entry_symbol(base, idx, self.info.domains)
        self.of[sym] = (base, idx)
        return sym

    def symbol(self, base: str, idx: tuple[int, ...], info: object = None) -> sp.Symbol:
        """entry_symbol with the signature of the concrete path's entry table."""
        return self.entry_symbol(base, idx)

    # ---- values -------------------------------------------------------------------------

    def values(self, sym: sp.Symbol) -> np.ndarray:
        """Float values of `sym` at the n points."""
        hit = self._floats.get(sym)
        if hit is None:
            hit = self._floats[sym] = self.numerators(sym) / DEN
        return hit

    def numerators(self, sym: sp.Symbol) -> np.ndarray:
        hit = self.num.get(sym)
        if hit is not None:
            return hit
        base, idx = self.of.get(sym, (sym.name, ()))
        dom = self.info.domains.get(sym.name) or self.info.domains.get(base) or \
            ("integer" if sym.is_integer else "real")
        if dom == "probability" and sym in self.of:
            self._probability_group(base, idx)
            return self.num[sym]
        rng = self._rng(sym.name)
        self.num[sym] = draw(rng, self.n, dom, self.force_positive or bool(sym.is_positive))
        return self.num[sym]

    def matrix_values(self, name: str, r: int, c: int) -> np.ndarray:
        """Float values of a whole r×c matrix (or r-vector when c = 1), shape (n, r, c): drawn
        in one go from the matrix's own generator, unless some entries already have values."""
        keys = [(i + 1,) if c == 1 else (i + 1, j + 1) for i in range(r) for j in range(c)]
        syms = [self.entry_symbol(name, k) for k in keys]
        dom = self.info.domains.get(name, "real")
        if dom != "probability" and not any(s in self.num for s in syms):
            block = draw(self._rng(name + "|matrix"), self.n, dom, self.force_positive or bool(syms[0].is_positive),
                          k=len(syms)).reshape(len(syms), self.n)
            for k, s in enumerate(syms):
                self.num[s] = block[k]
        return np.stack([self.numerators(s) for s in syms], axis=1).reshape(self.n, r, c) / DEN

    def exact(self, sym: sp.Symbol, p: int) -> sp.Rational:
        return sp.Rational(int(self.numerators(sym)[p]), DEN)

    def _rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, int(self.force_positive), zlib.crc32(name.encode())])

    def _probability_group(self, base: str, idx: tuple[int, ...]) -> None:
        """All entries of the probability vector (or matrix row) that holds `idx`, at once."""
        shape = self.info.shapes.get(base)
        if shape is not None and shape[1] != 1 and len(idx) == 2:
            members = [(idx[0], c) for c in range(1, int(shape[1]) + 1)]
        elif shape is not None:
            members = [(r,) if len(idx) == 1 else (r, 1) for r in range(1, int(shape[0]) + 1)]
        else:
            members = [(r,) for r in range(1, max(self.group_size, idx[0]) + 1)]
        if idx not in members:
            members.append(idx)
        cols = simplex(self._rng(f"{base}|{members[0]}"), self.n, len(members))
        for c, m in enumerate(members):
            self.num[self.entry_symbol(base, m)] = cols[:, c]


def make_entry_symbol(base: str, idx: tuple[int, ...], domains: dict[str, str]) -> sp.Symbol:
    """The symbol naming entry idx (1-based) of base, with its domain's assumptions."""
    if len(idx) == 1:
        name = f"{base}_{idx[0]}" if 0 <= idx[0] < 10 else f"{base}_{{{idx[0]}}}"
    else:
        name = f"{base}_{{{','.join(str(i) for i in idx)}}}"
    dom = domains.get(base, "real")
    kw = {"positive": True} if dom in ("positive", "probability", "unit") else \
        {"integer": True} if dom == "integer" else {"real": True}
    return sp.Symbol(name, **kw)


def draw(rng: np.random.Generator, n: int, dom: str, positive: bool, k: int = 1) -> np.ndarray:
    """Numerators for k entries at n points, shape (n,) or (k, n) when k > 1; the first
    COARSE points of every entry with one decimal."""
    c, f = min(n, COARSE), max(0, n - COARSE)
    if dom == "integer":
        v = rng.integers(1, 6, (k, n)) * DEN
    elif dom == "probability":  # a scalar declared a probability
        v = np.concatenate([rng.integers(1, 10, (k, c)) * 100, rng.integers(50, 950, (k, f))], axis=1)
    else:
        negative = dom == "negative"
        if positive or negative or dom in ("positive", "unit", "nonnegative"):
            v = np.concatenate([rng.integers(1, 31, (k, c)) * 100, rng.integers(50, 3001, (k, f))], axis=1)
        else:
            v = np.concatenate([rng.choice(np.r_[-25:0, 1:26], (k, c)) * 100,
                                rng.choice(np.r_[-2500:-49, 50:2501], (k, f))], axis=1)
        if negative:
            v = -v
    return v[0] if k == 1 else v


def simplex(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """Numerators (over DEN) of a probability vector of length k at n points, shape (n, k):
    positive, summing to DEN; the first COARSE points in steps of 0.05."""
    cols = np.zeros((n, k), dtype=np.int64)
    for p in range(n):
        total = 20 if p < COARSE else DEN
        cuts = np.sort(rng.choice(np.arange(1, total), size=k - 1, replace=False)) if k > 1 else np.array([], int)
        cols[p] = np.diff(np.concatenate([[0], cuts, [total]])) * (DEN // total)
    return cols
