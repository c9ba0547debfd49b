"""What a part declares about its math: symbols, functions, indices, shapes, domains, definitions.

`MathContext()` with no arguments reads constants and any free symbol. Declaring symbols
makes the grammar strict (an unknown name is reported) and lets multi-letter names be read
as one name (`lr`, `gamma`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: index letters used when a part declares no indices
DEFAULT_INDEX_NAMES = ("i", "j", "k")
#: what an undeclared dimension is taken to be when expressions are sampled
DEFAULT_DIM = 3
#: usual dimension names get different sizes, so that a transposed N×C matrix shows as a shape error
DEFAULT_DIMS = {"N": 4, "C": 3, "D": 2, "H": 5, "K": 3, "M": 2, "n": 3, "m": 2, "d": 2, "h": 5}
DOMAINS = ("real", "positive", "negative", "nonnegative", "probability", "integer", "unit")


@dataclass
class MathContext:
    """The declarations of one part (all optional).

    symbols      names as written (LaTeX or plain): "w_1", "\\hat{y}", "W^{(1)}", "s"
    functions    extra function names a student may call besides the built-in ones
                 (exp, log, ln, sqrt, sigma/sigmoid, ReLU, softplus, softmax, tanh, max...)
    indices      index name -> range: (lo, hi) with ints or dimension names, or a dimension
                 name ("n" means 1..n); e.g. {"i": "n", "j": "n", "k": (1, "n")}
    dims         dimension name -> size used when sampling, e.g. {"n": 3, "N": 4}
    shapes       symbol -> shape, e.g. {"W": ("N", "C"), "s": ("n",)}; a 1-tuple is a column vector
    domains      symbol -> "real" | "positive" | "probability" | "integer" | ...
    definitions  name -> expression text, substituted before comparing (ŷ = w_2 h ...)
    derivatives  "name": \\frac{\\partial L}{\\partial w} is a named quantity; "evaluate": it is
                 the derivative of its numerator
    strict       report names that are not declared (default: strict when symbols are declared)
    """

    symbols: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    indices: dict[str, Any] = field(default_factory=dict)
    dims: dict[str, int] = field(default_factory=dict)
    shapes: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    derivatives: str = "name"
    strict: bool | None = None

    def __post_init__(self) -> None:
        self.symbols = list(self.symbols)
        self.functions = list(self.functions)
        for name, dom in self.domains.items():
            if dom not in DOMAINS:
                raise ValueError(f"unknown domain {dom!r} for {name!r} (known: {', '.join(DOMAINS)})")
        if self.derivatives not in ("name", "evaluate"):
            raise ValueError("derivatives must be 'name' or 'evaluate'")

    @property
    def is_strict(self) -> bool:
        return bool(self.symbols) if self.strict is None else self.strict

    def index_names(self) -> tuple[str, ...]:
        return tuple(self.indices) if self.indices else DEFAULT_INDEX_NAMES

    def dim_value(self, name: str) -> int:
        """The sampling size of a dimension name (distinct defaults help spot transposes)."""
        if name in self.dims:
            return int(self.dims[name])
        return DEFAULT_DIMS.get(name, DEFAULT_DIM)

    def key(self) -> tuple:
        """A hashable summary, for caches."""
        return (tuple(self.symbols), tuple(self.functions),
                tuple(sorted((k, repr(v)) for k, v in self.indices.items())),
                tuple(sorted(self.dims.items())),
                tuple(sorted((k, repr(v)) for k, v in self.shapes.items())),
                tuple(sorted(self.domains.items())), tuple(sorted(self.definitions.items())),
                self.derivatives, self.strict)
