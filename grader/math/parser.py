"""Student math → SymPy, through the project's own LALR grammar (grammar.lark).

Nothing here evaluates student text: the lexer (lexer.py) makes tokens, Lark's LALR parser
checks them against the grammar, and the callbacks below build SymPy objects directly from
the tokens (numbers as exact rationals). Size limits are checked before a number is built,
so `9^{9^{9^9}}` is refused instead of computed.
"""
from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import sympy as sp
from lark import Lark, Token
from lark.exceptions import UnexpectedInput, UnexpectedToken, VisitError
from lark.lexer import Lexer as LarkLexer

from grader.errors import GraderError, MathSyntaxError
from grader.math import functions as F
from grader.math.context import MathContext
from grader.math.lexer import MAX_LENGTH, Tok, tokenize

MAX_EXPONENT = 10_000
MAX_RESULT_DIGITS = 2_000
MAX_RANGE = 50  # terms of a \sum with numeric bounds
MAX_MATRIX = 400  # entries


class MathShapeError(GraderError):
    """An expression whose shapes do not fit (a product that cannot be multiplied...)."""


PUNCT = {"LPAR", "RPAR", "LBRACK", "RBRACK", "LBRACE", "RBRACE", "LCURLY", "RCURLY", "COMMA", "NL", "LINEBREAK"}

HUMAN = {
    "NUMBER": "a number", "NAME": "a name", "FUNC": "a function", "SUB": "a subscript", "LAYER": "a layer index",
    "PRIME": "'", "TRANSPOSE": "^T", "POW": "'^'", "PLUS": "'+'", "MINUS": "'-'", "MUL": "'\\cdot'",
    "DIV": "'/'", "ODOT": "'\\odot'", "_LPAR": "'('", "_RPAR": "')'", "_LBRACK": "'['", "_RBRACK": "']'",
    "_LBRACE": "'{'", "_RBRACE": "'}'", "_LCURLY": "'\\{'", "_RCURLY": "'\\}'", "LPIPE": "'|'", "RPIPE": "'|'",
    "LNORM": "'\\|'", "RNORM": "'\\|'", "_COMMA": "','", "REL": "'='", "CMP": "a comparison", "FRAC": "\\frac",
    "DIFF": "d or \\partial", "SQRT": "\\sqrt", "BIGOP": "\\sum", "INDICATOR": "\\mathbb{1}",
    "BEGIN_MATRIX": "\\begin{bmatrix}", "END_MATRIX": "\\end{bmatrix}", "BEGIN_CASES": "\\begin{cases}",
    "END_CASES": "\\end{cases}", "AMP": "'&'", "_NL": "'\\\\'", "_LINEBREAK": "'\\\\'", "COND": "\\text{if}",
    "OTHERWISE": "\\text{otherwise}", "$END": "the end",
}
#: what to say is expected, in this order; the grammar's full list is too long to read
_EXPECT_ORDER = ["_RPAR", "_RBRACK", "_RBRACE", "_RCURLY", "RPIPE", "RNORM", "END_MATRIX", "END_CASES",
                 "NUMBER", "NAME", "_LBRACE", "$END"]


# ------------------------------------------------------------------------------------------
# parse state shared with the callbacks (Lark builds the tree bottom-up while parsing)

@dataclass
class _State:
    ctx: MathContext
    text: str
    info: "ContextInfo"
    index_names: set[str]
    derivatives: str
    labels: set[int] = field(default_factory=set)  # positions of names inside \frac{\partial L}{\partial w}


_STATE: contextvars.ContextVar[_State] = contextvars.ContextVar("grader_math_state")


@dataclass
class NameRef:
    """A name still collecting its decorations (subscript, layer index, primes)."""

    base: str
    pos: int
    subs: list[tuple[str, int]] = field(default_factory=list)
    layer: str = ""
    primes: int = 0


@dataclass
class DerivOp:
    """\\frac{d}{dx} waiting for what it applies to."""

    var: Any
    name: str
    order: int = 1


@dataclass
class VectorFn:
    """softmax(z) of a declared vector, waiting for a possible index: softmax(z)_i."""

    name: str
    arg: Any


@dataclass
class IdentityRef:
    """`I` (`\\mathbf{I}`, `\\mathbb{I}`) read as the identity matrix, times `coeff`, whose size is
    not known yet: it takes the size that fits the matrix it is added to or multiplied with
    (`I - s s^T`, `A I`), and otherwise the one size of the declared shapes (see _identity_size)."""

    pos: int
    name: str = "I"
    coeff: Any = sp.Integer(1)


@dataclass
class NormValue:
    arg: Any
    sub: str | None = None


@dataclass
class Condition:
    """A stated case of a line: `\\quad \\text{if } i = j` → kind "if", relations [Eq(i, j)]."""

    kind: str  # "if" | "otherwise"
    relations: list[Any]
    text: str = ""


@dataclass
class Member:
    """One member of an `=` chain, with where it sits in the source."""

    expr: Any
    text: str
    start: int
    end: int
    line: int
    relation: str | None  # the relation before this member ('=', 'approx', 'leftarrow'); None for the first
    condition: Condition | None = None
    is_name: bool = False  # a named quantity (\frac{\partial L}{\partial w}, a single symbol)


@dataclass
class Chain:
    members: list[Member]
    conditions: list[Condition | None]  # per line

    @property
    def exprs(self) -> list[Any]:
        return [m.expr for m in self.members]

    @property
    def last(self) -> Member:
        return self.members[-1]


# ------------------------------------------------------------------------------------------
# declarations

@dataclass
class ContextInfo:
    """The context's declarations in canonical form."""

    declared: set[str]  # canonical symbol names (scalars) and bases
    bases: set[str]  # names used with indices (s of s_i)
    shapes: dict[str, tuple[int, int]]
    vectors: set[str]
    domains: dict[str, str]
    definitions: dict[str, str]  # canonical name -> text
    known_words: frozenset[str]
    functions: frozenset[str]
    index_names: set[str]
    index_ranges: dict[str, tuple[Any, Any]]
    dim_names: set[str]


def canonical_name(text: str) -> tuple[str, list[str]]:
    """`\\hat{y}` → ("\\hat{y}", []); `s_i` → ("s", ["i"]); `W^{(1)}` → ("W^{(1)}", [])."""
    toks = tokenize(text.strip(), plain="\\" not in text and "{" not in text)
    if not toks or toks[0].type != "NAME":
        raise ValueError(f"{text!r} is not a name")
    base = toks[0].value
    layer, primes, sub = "", 0, None
    for t in toks[1:]:
        if t.type == "LAYER":
            layer = t.value
        elif t.type == "PRIME":
            primes += 1
        elif t.type == "SUB" and sub is None:
            sub = t.value.strip()
        else:
            raise ValueError(f"{text!r} is not a single name")
    suffix = (f"^{{{layer}}}" if layer else "") + "'" * primes
    if sub is None:
        return base + suffix, []
    if re.fullmatch(r"[A-Za-z](\s*,?\s*[A-Za-z])*", sub) and not re.fullmatch(r"[0-9]+", sub):
        letters = [c for c in sub if c.isalpha()]
        return base + suffix, letters
    return _join_sub(base, sub) + suffix, []


def _join_sub(base: str, sub: str) -> str:
    sub = sub.replace(" ", "")
    return f"{base}_{sub}" if len(sub) == 1 else f"{base}_{{{sub}}}"


@lru_cache(maxsize=256)
def _context_info_cached(key: tuple, ctx_ref: "_CtxRef") -> ContextInfo:
    return _build_info(ctx_ref.ctx)


class _CtxRef:
    def __init__(self, ctx: MathContext) -> None:
        self.ctx = ctx
        self._key = ctx.key()

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _CtxRef) and other._key == self._key


def context_info(ctx: MathContext) -> ContextInfo:
    return _context_info_cached(ctx.key(), _CtxRef(ctx))


def _declared_name(text: str, what: str) -> tuple[str, list[str]]:
    try:
        return canonical_name(text)
    except (ValueError, MathSyntaxError) as e:
        raise GraderError(f"declared {what} {text!r} is not a name: {e}") from None


def _build_info(ctx: MathContext) -> ContextInfo:
    declared: set[str] = set()
    bases: set[str] = set()
    multi = set()
    index_names = set(ctx.index_names())
    for s in list(ctx.symbols) + list(ctx.definitions) + list(ctx.shapes) + list(ctx.domains):
        name, idx = _declared_name(s, "symbol")
        if idx:
            bases.add(name)
            index_names.update(idx)
        else:
            declared.add(name)
    for s in ctx.symbols:
        raw = s.strip()
        if re.fullmatch(r"[A-Za-z]{2,}", raw):
            multi.add(raw)
    shapes: dict[str, tuple[int, int]] = {}
    vectors: set[str] = set()
    for s, shape in ctx.shapes.items():
        name, _ = _declared_name(s, "symbol")
        dims = [d if isinstance(d, int) else ctx.dim_value(str(d)) for d in shape]
        if len(dims) == 1:
            shapes[name] = (dims[0], 1)
            vectors.add(name)
        elif len(dims) == 2:
            shapes[name] = (dims[0], dims[1])
        else:
            raise GraderError(f"shape of {s!r} must have one or two dimensions, not {shape!r}")
        bases.add(name)
    domains = {}
    for s, d in ctx.domains.items():
        domains[_declared_name(s, "symbol")[0]] = d
    definitions = {}
    for s, t in ctx.definitions.items():
        definitions[_declared_name(s, "definition")[0]] = t
    ranges: dict[str, tuple[Any, Any]] = {}
    dim_names = set(ctx.dims)
    for name, r in ctx.indices.items():
        if isinstance(r, (tuple, list)) and len(r) == 2:
            ranges[name] = (r[0], r[1])
        elif isinstance(r, (str, int)):
            ranges[name] = (1, r)
        else:
            raise GraderError(f"range of index {name!r} must be a dimension name or (lo, hi), not {r!r}")
        for b in ranges[name]:
            if isinstance(b, str):
                dim_names.add(b)
    return ContextInfo(declared=declared, bases=bases, shapes=shapes, vectors=vectors, domains=domains,
                       definitions=definitions, known_words=frozenset(multi), functions=frozenset(ctx.functions),
                       index_names=index_names, index_ranges=ranges, dim_names=dim_names)


# ------------------------------------------------------------------------------------------
# symbols

_ASSUMPTIONS = {"real": {"real": True}, "positive": {"positive": True}, "negative": {"negative": True},
                "nonnegative": {"nonnegative": True}, "probability": {"positive": True},
                "integer": {"integer": True}, "unit": {"positive": True}}


def make_symbol(name: str, info: ContextInfo) -> sp.Symbol:
    dom = info.domains.get(name, "real")
    return sp.Symbol(name, **_ASSUMPTIONS[dom])


def index_symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, integer=True)


def dim_symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, integer=True, positive=True)


#: the dimension a \sum without bounds runs to, when the part does not say
DEFAULT_UPPER = "n"


def _st() -> _State:
    return _STATE.get()


def _error(msg: str, pos: int, expected: list[str] | None = None) -> MathSyntaxError:
    st = _st()
    return MathSyntaxError(message=msg, text=st.text, position=pos, expected=expected or [])


def finalize(v: Any, keep_identity: bool = False) -> Any:
    """Turn pending values (names still collecting decorations) into SymPy objects.

    An identity of open size is kept as it is where the caller can give it a size
    (`keep_identity`: sums, products, transposes); everywhere else it gets the one size the
    declared shapes allow, or a message."""
    if isinstance(v, NameRef):
        v = _resolve_name(v)
    if isinstance(v, IdentityRef):
        return v if keep_identity else _identity_of_context(v)
    if isinstance(v, NormValue):
        return _norm(v)
    if isinstance(v, VectorFn):
        return F.softmax(v.arg)
    if isinstance(v, DerivOp):
        raise _error("\\frac{d}{dx} must be followed by what it differentiates", 0)
    return v


def _resolve_name(n: NameRef) -> Any:
    st = _st()
    info = st.info
    suffix = (f"^{{{n.layer}}}" if n.layer else "") + "'" * n.primes
    base = n.base + suffix
    if len(n.subs) > 1:
        raise _error("a name has two subscripts; write them as one, like W_{ij}", n.subs[1][1])
    if not n.subs:
        return _bare(base, n)
    sub, spos = n.subs[0]
    sub_s = sub.strip()
    full = _join_sub(n.base, sub_s) + suffix
    if full in info.shapes:  # W_2 declared as a matrix is that matrix, not a scalar named W_2
        return _bare(full, n)
    if full in info.declared:
        return make_symbol(full, info)
    if not suffix and is_identity_name(n.base, info, st.index_names):
        return _sized_identity(sub_s, spos, st)
    if base in info.shapes or base in info.bases:
        # s_1, W_{12}, W_{1,2}: an entry of a declared vector or matrix
        nums = re.fullmatch(r"([0-9]+)\s*,\s*([0-9]+)", sub_s)
        shape = info.shapes.get(base)
        is_matrix = shape is not None and shape[0] != 1 and shape[1] != 1
        if nums:
            return _indexed(base, [sp.Integer(nums.group(1)), sp.Integer(nums.group(2))], n)
        if re.fullmatch(r"[0-9]+", sub_s) is not None:
            if is_matrix and len(sub_s) == 2:
                return _indexed(base, [sp.Integer(sub_s[0]), sp.Integer(sub_s[1])], n)
            return _indexed(base, [sp.Integer(sub_s)], n)
    letters = None
    if re.fullmatch(r"[A-Za-z](\s*,?\s*[A-Za-z])*", sub_s):
        letters = [c for c in sub_s if c.isalpha()]
    if letters and all(c in st.index_names for c in letters):
        idx = [index_symbol(c) for c in letters]
        return _indexed(base, idx, n)
    if re.fullmatch(r"[0-9]+", sub_s) or not any(c in st.index_names for c in re.findall(r"[A-Za-z]", sub_s)) \
            or not info.index_names:
        return _bare(full, n)
    if re.fullmatch(r"[A-Za-z0-9]{2}", sub_s) and all(c in st.index_names for c in sub_s if c.isalpha()):
        # \delta_{i3}, W_{1j}: one character per index
        return _indexed(base, [index_symbol(c) if c.isalpha() else sp.Integer(c) for c in sub_s], n)
    # an index expression: x_{i+1}, s_{y_i}, W_{i,k}
    items = _split_commas(sub_s)
    idx = []
    offset = 0
    for item in items:
        start = sub.find(item, offset)
        offset = start + len(item)
        idx.append(_parse_fragment(item, spos + max(start, 0)))
    return _indexed(base, idx, n)


def _split_commas(s: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for c in s:
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        if c == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += c
    out.append(cur)
    return [x.strip() for x in out if x.strip()]


def _parse_fragment(text: str, pos: int) -> Any:
    st = _st()
    token = _STATE.set(st)
    try:
        chain = _parse(text, st.ctx, plain=False, base=pos, full_text=st.text, extra_index=st.index_names)
    finally:
        _STATE.reset(token)
    if len(chain.members) != 1:
        raise _error("a subscript must be one expression", pos)
    return chain.members[0].expr


def _bare(name: str, n: NameRef) -> Any:
    st = _st()
    info = st.info
    if name in info.shapes:
        r, c = info.shapes[name]
        return sp.MatrixSymbol(name, r, c)
    if name in st.index_names and name not in info.declared:
        return index_symbol(name)
    if name in info.dim_names:
        return dim_symbol(name)
    if is_identity_name(name, info, st.index_names):
        return IdentityRef(n.pos, name)
    if name == "\\mathbb{I}" and name not in info.declared:
        raise _error("\\mathbb{I} is read as the identity matrix, and only where the part declares "
                     "matrix or vector shapes", n.pos)
    if name == "e" and "e" not in info.declared:
        return sp.E
    if name == "\\pi" and "\\pi" not in info.declared:
        return sp.pi
    if name in info.declared or name in info.definitions:
        return make_symbol(name, info)
    if st.ctx.is_strict and n.pos not in st.labels:
        known = sorted(info.declared | info.bases)
        raise _error(f"unknown name '{name}' (this part knows: {', '.join(known)})", n.pos)
    return make_symbol(name, info)


IDENTITY_NAMES = ("I", "\\mathbb{I}")


def is_identity_name(name: str, info: ContextInfo, index_names: set[str] | frozenset[str] = frozenset()) -> bool:
    """`I` (also written `\\mathbf{I}`, `\\mathbb{I}`) is the identity matrix where the part declares
    shapes (so it works with matrices or vectors) and does not declare I itself; elsewhere it
    keeps its old reading (an undeclared name, or "unknown name" in a strict part)."""
    if name not in IDENTITY_NAMES or not info.shapes:
        return False
    taken = info.declared | info.bases | set(info.shapes) | set(info.definitions) | info.dim_names | set(index_names)
    return not ({"I", "\\mathbb{I}"} & taken)


def _sized_identity(sub: str, pos: int, st: _State) -> Any:
    """`I_n`, `I_4`: the identity of that size; `I_{ij}`: its entry, the Kronecker delta."""
    info = st.info
    sub = sub.strip().strip("{}").strip()
    if re.fullmatch(r"[0-9]+", sub):
        size = int(sub)
    elif sub in info.dim_names or sub in st.ctx.dims:
        size = st.ctx.dim_value(sub)
    elif re.fullmatch(r"[A-Za-z]\s*,?\s*[A-Za-z]", sub) and all(c in st.index_names for c in sub if c.isalpha()):
        a, b = [c for c in sub if c.isalpha()]
        return sp.KroneckerDelta(index_symbol(a), index_symbol(b))
    elif re.fullmatch(r"[A-Za-z]", sub) and sub not in st.index_names:
        size = st.ctx.dim_value(sub)  # I_n with n not declared: the usual sampling size of n
    else:
        raise _error(f"write the size of the identity as a number or a dimension name (I_n, I_4), not '{sub}'", pos)
    if not 1 <= size <= 20:
        raise _error(f"an identity matrix of size {size} is outside the limit of 1 to 20", pos)
    return sp.Identity(size)


def _identity_size(info: ContextInfo) -> int | None:
    """The size an identity gets when nothing next to it says: the one size every declared
    shape has (all matrices n×n, all vectors n-vectors), else none."""
    sizes = {d for shape in info.shapes.values() for d in shape if d != 1} or {1}
    return next(iter(sizes)) if len(sizes) == 1 else None


def _identity_of_context(v: IdentityRef) -> Any:
    size = _identity_size(_st().info)
    if size is None:
        shown = "\\mathbb{I}" if v.name != "I" else "I"
        raise _error(f"cannot tell the size of the identity matrix {shown} here: use it next to a matrix "
                     f"(I - s s^T, A + I) or give its size (I_n, I_4)", v.pos)
    return v.coeff * sp.Identity(size) if v.coeff != 1 else sp.Identity(size)


def _sized(v: IdentityRef, n: Any) -> Any:
    eye = sp.Identity(int(n)) if getattr(n, "is_Integer", False) or isinstance(n, int) else sp.Identity(n)
    return eye if v.coeff == 1 else v.coeff * eye


def _indexed(base: str, idx: list[Any], n: NameRef) -> Any:
    st = _st()
    info = st.info
    if n.base == "\\delta" and len(idx) == 2 and base not in info.bases and base not in info.declared:
        return sp.KroneckerDelta(idx[0], idx[1])
    if st.ctx.is_strict and base not in info.bases and base not in info.declared and base not in info.shapes \
            and n.pos not in st.labels:
        known = sorted(info.declared | info.bases)
        raise _error(f"unknown name '{base}' (this part knows: {', '.join(known)})", n.pos)
    shape = info.shapes.get(base)
    if shape is not None and len(idx) == 1 and shape[1] != 1 and shape[0] != 1:
        raise _error(f"'{base}' is a {shape[0]}×{shape[1]} matrix: it needs two indices", n.pos)
    return sp.Indexed(sp.IndexedBase(base), *idx)


def _norm(v: NormValue) -> Any:
    a = v.arg
    sub = (v.sub or "").strip()
    if not _is_matrix(a):
        return sp.Abs(a)
    if sub in ("", "2", "F", "\\mathrm{F}", "\\text{F}", "Fro", "fro", "\\mathrm{Fro}"):
        return sp.sqrt(_sum_of_squares(a))
    if sub == "1":
        m = a.as_explicit()
        return sp.Add(*[sp.Abs(x) for x in m])
    if sub in ("\\infty", "max"):
        m = a.as_explicit()
        return sp.Max(*[sp.Abs(x) for x in m])
    raise _error(f"unknown norm '\\|...\\|_{sub}'", 0)


def _sum_of_squares(a: Any) -> Any:
    if isinstance(a, sp.MatrixSymbol):
        return sp.Trace(a.T * a)
    m = a.as_explicit()
    return sp.Add(*[x ** 2 for x in m])


def _is_matrix(v: Any) -> bool:
    return isinstance(v, (sp.MatrixBase, sp.MatrixExpr))


# ------------------------------------------------------------------------------------------
# arithmetic with limits and shape checks

def _number(tok: Token) -> Any:
    text = str(tok)
    if "e" in text.lower():
        mant, exp = re.split("[eE]", text)
        if abs(int(exp)) > 300:
            raise _error("this number is too large", tok.start_pos)
        return sp.Rational(mant) * sp.Integer(10) ** int(exp)
    return sp.Rational(text) if "." in text else sp.Integer(text)


def _shape_op(op: str, fn, *args: Any) -> Any:
    try:
        out = fn(*args)
    except (sp.ShapeError, sp.NonSquareMatrixError) as e:
        shapes = " and ".join(_shape_text(a) for a in args)
        raise MathShapeError(f"{op} of {shapes} is not defined: {e}") from None
    except TypeError as e:
        if any(_is_matrix(a) for a in args):
            shapes = " and ".join(_shape_text(a) for a in args)
            raise MathShapeError(f"{op} of {shapes} is not defined") from None
        raise MathShapeError(f"{op}: {e}") from None
    if _is_matrix(out) and out.shape[0] * out.shape[1] > MAX_MATRIX:
        raise MathShapeError(f"a {out.shape[0]}×{out.shape[1]} matrix is larger than the limit of {MAX_MATRIX} entries")
    return out


def _shape_text(a: Any) -> str:
    if _is_matrix(a):
        r, c = a.shape
        return f"a {r}×{c} matrix" if c != 1 else f"a {r}-vector"
    return "a scalar"


def _quotient(a: Any, b: Any, pos: int) -> Any:
    """a / b (or \\frac{a}{b}): a matrix or zero divisor is refused at `pos`."""
    if _is_matrix(b):
        raise MathShapeError(f"dividing by {_shape_text(b)} is not defined")
    if b == 0:
        raise _error("division by zero", pos)
    return _shape_op("the quotient", lambda x, y: x / y, a, b)


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, IdentityRef) or isinstance(b, IdentityRef):
        return _add_identity(a, b)
    if _is_matrix(a) != _is_matrix(b):
        raise MathShapeError(f"adding {_shape_text(a)} and {_shape_text(b)} is not defined")
    return _shape_op("the sum", lambda x, y: x + y, a, b)


def _add_identity(a: Any, b: Any) -> Any:
    """I + M takes M's size (M must be square); I + I stays open; I + a scalar is a shape problem."""
    if isinstance(a, IdentityRef) and isinstance(b, IdentityRef):
        return IdentityRef(a.pos, a.name, a.coeff + b.coeff)
    eye, other = (a, b) if isinstance(a, IdentityRef) else (b, a)
    if not _is_matrix(other):
        raise MathShapeError(f"adding the identity matrix {eye.name} and a scalar is not defined")
    r, c = other.shape
    if r != c:
        raise MathShapeError(f"adding the identity matrix {eye.name} and {_shape_text(other)} is not defined "
                             "(that matrix is not square)")
    a, b = (_sized(a, r) if isinstance(a, IdentityRef) else a), (_sized(b, r) if isinstance(b, IdentityRef) else b)
    return _shape_op("the sum", lambda x, y: x + y, a, b)


def _mul_identity(a: Any, b: Any) -> Any:
    """I M is M with I of M's rows, M I with I of M's columns; a number times I stays open."""
    if isinstance(a, IdentityRef) and isinstance(b, IdentityRef):
        return IdentityRef(a.pos, a.name, a.coeff * b.coeff)
    if isinstance(a, IdentityRef):
        if _is_matrix(b):
            return _mul(_sized(a, b.shape[0]), b)
        return IdentityRef(a.pos, a.name, a.coeff * b)
    if _is_matrix(a):
        return _mul(a, _sized(b, a.shape[1]))
    return IdentityRef(b.pos, b.name, a * b.coeff)


def _mul(a: Any, b: Any, explicit_dot: bool = False) -> Any:
    if isinstance(a, DerivOp):
        return _apply_derivative(a, finalize(b))
    if isinstance(a, IdentityRef) or isinstance(b, IdentityRef):
        return _mul_identity(a, b)
    if explicit_dot and _is_matrix(a) and _is_matrix(b) and a.shape[1] == 1 and b.shape[1] == 1 and a.shape == b.shape:
        return (a.T * b)[0, 0]  # x \cdot y of two vectors: the dot product
    out = _shape_op("the product", lambda x, y: x * y, a, b)
    if _is_matrix(out) and out.shape == (1, 1):
        return out[0, 0]  # x^T y is a number
    return out


def _pow(base: Any, exp: Any, pos: int) -> Any:
    if exp.is_Number and abs(exp) > MAX_EXPONENT:
        raise _error(f"the exponent {exp} is larger than the limit of {MAX_EXPONENT}", pos)
    if base.is_Number if not _is_matrix(base) else False:
        if exp.is_Number and exp.is_integer and abs(base) > 1:
            digits = float(abs(exp)) * float(sp.log(abs(base), 10).evalf(5)) if base.is_Number else 0
            if digits > MAX_RESULT_DIGITS:
                raise _error(f"this power has about {digits:.3g} digits; the limit is {MAX_RESULT_DIGITS}", pos)
    if _is_matrix(exp):
        raise MathShapeError("a matrix cannot be an exponent")
    if _is_matrix(base):
        if base.shape[0] != base.shape[1]:
            raise MathShapeError(f"a power of {_shape_text(base)} is not defined (it is not square)")
        if not (exp.is_Integer):
            raise MathShapeError("a matrix power must be a whole number")
        return _shape_op("the power", lambda x, y: x ** y, base, exp)
    return base ** exp


def _apply_derivative(op: DerivOp, target: Any) -> Any:
    var = op.var
    if not isinstance(var, (sp.Symbol, sp.Indexed)):
        raise MathShapeError("a derivative must be taken with respect to a single variable")
    return sp.diff(target, var, op.order)


# ------------------------------------------------------------------------------------------
# the callbacks

def _v(x: Any) -> Any:
    return finalize(x)


def _tokpos(t: Any, default: int = 0) -> int:
    return t.start_pos if isinstance(t, Token) and t.start_pos is not None else default


class Build:
    """Lark callbacks (one per grammar alternative), building SymPy bottom-up."""

    # chains -------------------------------------------------------------------------------
    def start(self, c):
        return list(c)

    def line(self, c):
        return ("line", None, c[0], c[1] if len(c) > 1 else None)

    def line_cont(self, c):
        return ("line", c[0], c[1], c[2] if len(c) > 2 else None)

    def chain(self, c):
        out = [(None, _v(c[0]))]
        for k in range(1, len(c), 2):
            out.append((c[k], _v(c[k + 1])))
        return out

    def condition(self, c):
        return Condition(str(c[0]).strip() or "if", c[1])

    def otherwise(self, c):
        return Condition("otherwise", [])

    def bare_condition(self, c):
        return Condition("if", c[0])

    def cond_list(self, c):
        return list(c)

    def relation(self, c):
        a, op, b = _v(c[0]), str(c[1]), _v(c[2])
        if _is_matrix(a) or _is_matrix(b):
            raise MathShapeError("conditions compare scalars")
        ops = {"=": sp.Eq, "!=": sp.Ne, "<": sp.Lt, ">": sp.Gt, "<=": sp.Le, ">=": sp.Ge}
        if op not in ops:
            raise _error(f"'{op}' cannot be used in a condition", _tokpos(c[1]))
        return ops[op](a, b, evaluate=False) if op in ("=", "!=") else ops[op](a, b)

    # arithmetic ---------------------------------------------------------------------------
    def add(self, c):
        return _add(_vi(c[0]), _vi(c[2]))

    def sub(self, c):
        return _add(_vi(c[0]), _neg(_vi(c[2])))

    def neg(self, c):
        return _neg(_vi(c[1]))

    def pos(self, c):
        return _vi(c[1])

    def mul(self, c):
        return _mul(_vd(c[0]), _vi(c[2]), explicit_dot=str(c[1]) == "cdot")

    def div(self, c):
        a, b = _vi(c[0]), _v(c[2])
        if isinstance(a, IdentityRef) and not _is_matrix(b) and b != 0:
            return IdentityRef(a.pos, a.name, a.coeff / b)
        return _quotient(_v(a), b, _tokpos(c[1]))

    def hadamard(self, c):
        a, b = _vi(c[0]), _vi(c[2])
        if isinstance(a, IdentityRef) and _is_matrix(b):
            a = _sized(a, b.shape[0])
        if isinstance(b, IdentityRef) and _is_matrix(a):
            b = _sized(b, a.shape[0])
        if isinstance(a, IdentityRef) or isinstance(b, IdentityRef):
            return _mul(a, b)
        if _is_matrix(a) and _is_matrix(b):
            if a.shape != b.shape:
                raise MathShapeError(f"the elementwise product of {_shape_text(a)} and {_shape_text(b)} is not defined")
            return _shape_op("the elementwise product", sp.hadamard_product, a, b)
        return _mul(a, b)

    def imul(self, c):
        return _mul(_vd(c[0]), _vd(c[1]))

    def pow(self, c):
        base, exp = _vi(c[0]), _v(c[2])
        if isinstance(base, IdentityRef) and not _is_matrix(exp) and getattr(exp, "is_Integer", False):
            return IdentityRef(base.pos, base.name, _pow(base.coeff, exp, _tokpos(c[1])))  # I^{-1} = I, I^2 = I
        return _pow(_v(base), exp, _tokpos(c[1]))

    # postfix ------------------------------------------------------------------------------
    def subscript(self, c):
        x, tok = c[0], c[1]
        if isinstance(x, NameRef):
            x.subs.append((str(tok), tok.start_pos))
            return x
        if isinstance(x, NormValue) and x.sub is None:
            x.sub = str(tok)
            return x
        if isinstance(x, VectorFn):
            return _softmax_entry(x.arg, str(tok), tok.start_pos)
        x = _v(x)
        return _element(x, str(tok), tok.start_pos)

    def layer(self, c):
        x, tok = c[0], c[1]
        if isinstance(x, NameRef) and not x.layer:
            x.layer = str(tok)
            return x
        raise _error("a layer index (a superscript in parentheses) belongs right after a name", tok.start_pos)

    def prime(self, c):
        x, tok = c[0], c[1]
        if isinstance(x, NameRef):
            x.primes += 1
            return x
        raise _error("a prime ' belongs after a name or a function", tok.start_pos)

    def transpose(self, c):
        x = _vi(c[0])
        if isinstance(x, IdentityRef):
            return x
        if _is_matrix(x):
            return x.T
        return x  # a scalar is its own transpose

    # atoms --------------------------------------------------------------------------------
    def number(self, c):
        return _number(c[0])

    def name(self, c):
        return NameRef(str(c[0]), c[0].start_pos)

    def group(self, c):
        return _vd(c[0])

    def abs(self, c):
        x = _v(c[1])
        if _is_matrix(x):
            if x.shape == (1, 1):
                return sp.Abs(x[0, 0])
            return NormValue(x)
        return sp.Abs(x)

    def norm(self, c):
        return NormValue(_v(c[1]))

    def frac(self, c):
        return _quotient(_v(c[1]), _v(c[2]), _tokpos(c[0]))

    def farg(self, c):
        return _v(c[0])

    def derivative(self, c):
        # FRAC DIFF [POW order] [num] DIFF den
        frac_tok = c[0]
        order = 1
        rest = []
        k = 1
        while k < len(c):
            x = c[k]
            if isinstance(x, Token) and x.type == "POW":
                o = _v(c[k + 1])
                if not (o.is_Integer and 1 <= o <= 4):
                    raise _error("the order of a derivative must be 1 to 4", _tokpos(x))
                order = int(o)
                k += 2
                continue
            if not (isinstance(x, Token) and x.type == "DIFF"):
                rest.append(x)
            k += 1
        den = _v(rest[-1])
        var = den
        if order > 1:
            if not (isinstance(den, sp.Pow) and den.exp == order):
                raise _error(f"a derivative of order {order} needs \\partial x^{order} below", _tokpos(frac_tok))
            var = den.base
        if len(rest) == 1:
            return DerivOp(var, str(var), order)
        num = _v(rest[0])
        if _st().derivatives == "evaluate":
            if not isinstance(var, (sp.Symbol, sp.Indexed)):
                raise _error("a derivative must be taken with respect to a single variable", _tokpos(frac_tok))
            return sp.diff(num, var, order)
        up = "^" + str(order) if order > 1 else ""
        down = f"^{order}" if order > 1 else ""
        return sp.Symbol(f"\\frac{{\\partial{up} {_latex_name(num)}}}{{\\partial {_latex_name(var)}{down}}}", real=True)

    def sqrt_arg(self, c):
        return _v(c[0])

    def sqrt(self, c):
        x = _v(c[1])
        if _is_matrix(x):
            return x.applyfunc(sp.sqrt) if isinstance(x, sp.MatrixBase) else x.as_explicit().applyfunc(sp.sqrt)
        return sp.sqrt(x)

    def root(self, c):
        n, x = _v(c[1]), _v(c[2])
        if not (n.is_Integer and 1 < n <= 100):
            raise _error("the index of a root must be a whole number from 2 to 100", _tokpos(c[0]))
        return sp.root(x, n)

    def fprefix(self, c):
        return c if len(c) == 2 else c[0]

    def fargs(self, c):
        return [_v(x) for x in c]

    def call(self, c):
        ftok = c[0]
        prefixes = c[1:-1]
        args = c[-1]
        if not isinstance(args, list):
            args = [_v(args)]
        primes = 0
        power = None
        base_sub = None
        for p in prefixes:
            if isinstance(p, Token) and p.type == "PRIME":
                primes += 1
            elif isinstance(p, Token) and p.type == "SUB":
                base_sub = str(p)
            elif isinstance(p, list):
                power = _v(p[1])
        if str(ftok) == "softmax" and not primes and power is None and len(args) == 1 \
                and isinstance(args[0], sp.MatrixSymbol) and args[0].shape[1] == 1:
            return VectorFn("softmax", args[0])
        try:
            out = F.apply(str(ftok), args, primes=primes, base=base_sub, info=_st().info)
        except F.FunctionError as e:
            raise _error(str(e), ftok.start_pos) from None
        if power is not None:
            out = _pow(out, power, ftok.start_pos)
        return out

    def indicator(self, c):
        return F.indicator(c[1])

    def indicator_sub(self, c):
        tok = c[1]
        chain = _parse_condition_text(str(tok), tok.start_pos)
        return F.indicator(chain)

    def matrix(self, c):
        rows = [r for r in c[1:-1]]
        widths = {len(r) for r in rows}
        if len(widths) > 1:
            raise _error("the rows of the matrix have different lengths: " + ", ".join(str(len(r)) for r in rows),
                         _tokpos(c[0]))
        if len(rows) * len(rows[0]) > MAX_MATRIX:
            raise _error(f"the matrix has more than {MAX_MATRIX} entries", _tokpos(c[0]))
        for r in rows:
            for x in r:
                if _is_matrix(x):
                    raise MathShapeError("matrix entries must be scalars")
        return sp.ImmutableMatrix(rows)

    def mrow(self, c):
        return [_v(x) for x in c if not (isinstance(x, Token) and x.type == "AMP")]

    def cases(self, c):
        pieces = []
        for expr, cond in c[1:-1]:
            pieces.append((expr, cond))
        if not any(cond is sp.true for _, cond in pieces):
            pieces.append((sp.nan, True))
        return sp.Piecewise(*pieces)

    def crow(self, c):
        items = [x for x in c if not (isinstance(x, Token) and x.type in ("AMP", "COND"))]
        expr, conds = _v(items[0]), items[1]
        return expr, sp.And(*conds)

    def crow_otherwise(self, c):
        return _v(c[0]), sp.true

    def bigop(self, c):
        tok = c[0]
        sub = None
        upper = None
        body = c[-1]
        for x in c[1:-1]:
            if isinstance(x, Token) and x.type == "SUB":
                sub = x
            elif not isinstance(x, Token):
                upper = _v(x)
        body = _v(body)
        if sub is None:
            raise _error(f"which index does \\{tok} run over? write it below, like \\{tok}_k or \\{tok}_{{k=1}}^{{n}}",
                         tok.start_pos)
        return _big_operator(str(tok), str(sub), sub.start_pos, upper, body)


def _vd(x: Any) -> Any:
    return x if isinstance(x, DerivOp) else _vi(x)


def _vi(x: Any) -> Any:
    """A value that may still be an identity of open size (for sums, products, transposes)."""
    return finalize(x, keep_identity=True)


def _neg(x: Any) -> Any:
    if isinstance(x, DerivOp):
        raise MathShapeError("\\frac{d}{dx} must be followed by what it differentiates")
    if isinstance(x, IdentityRef):
        return IdentityRef(x.pos, x.name, -x.coeff)
    return -x


def _latex_name(x: Any) -> str:
    if isinstance(x, sp.Symbol):
        return x.name
    if isinstance(x, sp.Indexed):
        idx = "".join(str(i) for i in x.indices)
        return _join_sub(str(x.base), idx)
    if isinstance(x, sp.MatrixSymbol):
        return x.name
    return sp.latex(x)


def _element(x: Any, sub: str, pos: int) -> Any:
    """(expr)_i: an element of a vector or matrix value."""
    if not _is_matrix(x):
        raise _error("only a name, a vector or a matrix can have a subscript here", pos)
    idx = [_parse_fragment(item, pos) for item in _split_commas(sub.strip())] if "," in sub else None
    if idx is None:
        letters = [ch for ch in sub.strip() if not ch.isspace()]
        idx = [_parse_fragment(ch, pos) for ch in letters] if len(letters) <= 2 and all(
            ch.isalnum() for ch in letters) else [_parse_fragment(sub, pos)]
    r, col = x.shape
    if len(idx) == 1:
        if col == 1:
            idx = [idx[0], sp.Integer(1)]
        elif r == 1:
            idx = [sp.Integer(1), idx[0]]
        else:
            raise _error("a matrix element needs two indices", pos)
    i, j = idx
    if i.is_Integer and j.is_Integer:
        if not (1 <= i <= r and 1 <= j <= col):
            raise _error(f"index ({i}, {j}) is outside a {r}×{col} matrix", pos)
        return x[int(i) - 1, int(j) - 1] if isinstance(x, sp.MatrixBase) else x.as_explicit()[int(i) - 1, int(j) - 1]
    return F.element(x, i, j)


def _softmax_entry(z: sp.MatrixSymbol, sub: str, pos: int) -> Any:
    """softmax(z)_i = e^{z_i} / sum_k e^{z_k}, kept as an index expression."""
    idx = _parse_fragment(sub.strip(), pos)
    if idx.is_Integer:
        return F.softmax(z)[int(idx) - 1, 0]
    used = {s.name for s in idx.free_symbols}
    k = index_symbol(next(c for c in "klmpqr" if c not in used))
    zb = sp.IndexedBase(z.name)
    return sp.exp(zb[idx]) / sp.Sum(sp.exp(zb[k]), (k, 1, z.shape[0]))


def infer_upper(var: str, exprs: list[Any], info: ContextInfo) -> int | None:
    """The range of an index from the declared shape of what it indexes (W_{ij}: i < rows)."""
    for e in exprs:
        for ind in sorted(e.atoms(sp.Indexed), key=str):
            shape = info.shapes.get(str(ind.base))
            if shape is None:
                continue
            for p, x in enumerate(ind.indices):
                if isinstance(x, sp.Symbol) and x.name == var:
                    if len(ind.indices) == 1:
                        return shape[0] if shape[1] == 1 else shape[1] if shape[0] == 1 else None
                    if p < 2:
                        return shape[p]
    return None


def _parse_condition_text(text: str, pos: int) -> list[Any]:
    st = _st()
    toks = tokenize(text, plain=False, known_words=st.info.known_words, functions=st.info.functions, base=pos)
    toks = [Tok("NUMBER", "1", pos, pos), Tok("COND", "if", pos, pos)] + toks  # "1 if <condition>"
    chain = _run_parser(toks, st)
    line = chain[0]
    cond = line[3]
    if cond is None:
        raise _error("expected a condition such as z > 0", pos)
    return cond.relations


def _big_operator(op: str, sub: str, pos: int, upper: Any, body: Any) -> Any:
    st = _st()
    sub = sub.strip()
    m = re.fullmatch(r"([A-Za-z])\s*(?:=\s*(.+))?", sub)
    if m is None:
        letters = re.fullmatch(r"([A-Za-z])\s*,?\s*([A-Za-z])", sub)
        if letters and upper is None:  # \sum_{i,j}: both over their ranges
            out = body
            for v in reversed(letters.groups()):
                out = _big_operator(op, v, pos, None, out)
            return out
        raise _error(f"write the index of \\{op} as a letter, like \\{op}_k or \\{op}_{{k=1}}", pos)
    var = index_symbol(m.group(1))
    if m.group(2):
        lower = _parse_fragment(m.group(2), pos + sub.find(m.group(2)))
    else:
        lower = None
    rng = st.info.index_ranges.get(m.group(1))
    if lower is None:
        lower = _bound(rng[0]) if rng else sp.Integer(1)
    if upper is None:
        inferred = None if rng else infer_upper(m.group(1), [body], st.info)
        upper = _bound(rng[1]) if rng else sp.Integer(inferred) if inferred else dim_symbol(DEFAULT_UPPER)
    if _is_matrix(body):
        raise MathShapeError(f"\\{op} over a matrix-valued body is not supported; use indices")
    if upper.is_Integer and lower.is_Integer and (upper - lower) > MAX_RANGE:
        raise _error(f"\\{op} with more than {MAX_RANGE} terms", pos)
    cls = sp.Sum if op == "sum" else sp.Product
    return cls(body, (var, lower, upper))


def _bound(b: Any) -> Any:
    if isinstance(b, int):
        return sp.Integer(b)
    return dim_symbol(str(b))


# ------------------------------------------------------------------------------------------
# the parser

class _TokenFeed(LarkLexer):
    def __init__(self, lexer_conf: Any) -> None:
        pass

    def lex(self, data: Any, *args: Any) -> Any:  # data: our token list
        for t in data:
            yield t


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = (Path(__file__).with_name("grammar.lark")).read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer=_TokenFeed, transformer=Build(), cache=_grammar_cache())


def _grammar_cache() -> str | bool:
    """Where Lark may keep the grammar's parse tables between runs (0.3 s to build, 0.01 s to
    load: every `grader check` and every batch starts sooner). Lark's cache is a pickle, so it
    lives in a folder only this user can write (~/.cache/grader), never a shared /tmp file;
    when there is no such folder there is no cache. Lark checks the grammar's hash on load and
    rebuilds when the file is stale or unreadable."""
    import os

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "grader"
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = base.stat()
    except (OSError, RuntimeError):  # no home folder, read-only file system
        return False
    if st.st_uid != os.getuid() or st.st_mode & 0o022:
        return False
    return str(base / "grammar-lalr.cache")


def _to_lark(toks: list[Tok]) -> list[Token]:
    out = []
    for t in toks:
        ty = "_" + t.type if t.type in PUNCT else t.type
        out.append(Token(ty, t.value, start_pos=t.start, end_pos=t.end, line=1, column=t.start + 1))
    return out


def _run_parser(toks: list[Tok], st: _State) -> list:
    token = _STATE.set(st)
    try:
        return _lark().parse(_to_lark(toks))
    except UnexpectedToken as e:
        tok = e.token
        pos = tok.start_pos if tok.type != "$END" and tok.start_pos is not None else len(st.text)
        if tok.type == "$END":
            pos = toks[-1].end if toks else 0
        expected = [HUMAN.get(x, x) for x in _EXPECT_ORDER if x in e.expected][:4]
        if not expected:
            expected = sorted({HUMAN.get(x, x) for x in e.expected})[:4]
        what = "end of the answer" if tok.type == "$END" else f"'{_shown(tok, st.text)}'"
        raise MathSyntaxError(message=f"unexpected {what}", text=st.text, position=pos, expected=expected) from None
    except VisitError as e:  # a callback raised: unwrap our own errors
        inner = e.orig_exc
        if isinstance(inner, (MathSyntaxError, GraderError)):
            raise inner from None
        raise
    except UnexpectedInput as e:
        raise MathSyntaxError(message="cannot read this", text=st.text, position=getattr(e, "pos_in_stream", 0) or 0) from None
    finally:
        _STATE.reset(token)


def _shown(tok: Token, text: str) -> str:
    if tok.start_pos is not None and tok.end_pos is not None and tok.end_pos > tok.start_pos:
        return text[tok.start_pos:tok.end_pos]
    return str(tok)


def _bound_variables(toks: list[Tok]) -> set[str]:
    out: set[str] = set()
    for a, b in zip(toks, toks[1:]):
        if a.type == "BIGOP" and b.type == "SUB":
            m = re.match(r"\s*([A-Za-z])(\s*,?\s*([A-Za-z])\s*$)?", b.value)
            if m:
                out.add(m.group(1))
                if m.group(3):
                    out.add(m.group(3))
    return out


def _choose_plain(text: str, syntax: str) -> bool:
    if syntax == "plain":
        return True
    if syntax == "latex":
        return False
    if syntax != "auto":
        raise ValueError("syntax must be 'latex', 'plain' or 'auto'")
    return "\\" not in text and "{" not in text


_TRAILING = re.compile(r"(?:\s|\\[,;:! ]|\\quad|\\qquad|[.,;])+$")


def _parse(text: str, ctx: MathContext, *, plain: bool, base: int = 0, full_text: str | None = None,
           extra_index: set[str] | None = None) -> Chain:
    if len(text) > MAX_LENGTH:  # first, before any work proportional to the length
        raise MathSyntaxError(message=f"the answer is too long ({len(text)} characters; the limit is {MAX_LENGTH})",
                              text=text[:200], position=0)
    info = context_info(ctx)
    whole = full_text if full_text is not None else text
    from grader.math.lexer import normalise_unicode
    if base == 0 and full_text is None:
        text = normalise_unicode(text)
        whole = text
    stripped = _TRAILING.sub("", text)
    if not stripped.strip():
        raise MathSyntaxError(message="the answer is empty", text=whole, position=base, expected=["an expression"])
    try:
        toks = tokenize(stripped, plain=plain, known_words=info.known_words, functions=info.functions, base=base)
    except MathSyntaxError as e:
        if base:
            raise MathSyntaxError(message=e.message, text=whole, position=e.position + base, expected=e.expected) from None
        raise
    index_names = set(info.index_names) | _bound_variables(toks) | (extra_index or set())
    st = _State(ctx=ctx, text=whole, info=info, index_names=index_names, derivatives=ctx.derivatives,
                labels=_derivative_labels(toks))
    if extra_index is not None:  # a subscript of a name that is itself a label stays lenient
        outer = _STATE.get(None)
        if outer is not None and base in outer.labels:
            st.labels |= {t.start for t in toks}
    lines = _run_parser(toks, st)
    return _assemble(lines, whole, toks)


def _derivative_labels(toks: list[Tok]) -> set[int]:
    r"""Positions of the names in \frac{\partial L}{\partial w}: labels, not declared symbols."""
    out: set[int] = set()
    diffs = [k for k, t in enumerate(toks) if t.type == "DIFF"]
    for a, b in zip(diffs[::2], diffs[1::2]):
        depth = 0
        k = b + 1
        while k < len(toks):
            t = toks[k]
            if t.type == "LBRACE":
                depth += 1
            elif t.type == "RBRACE":
                if depth == 0:
                    break
                depth -= 1
            k += 1
        out |= {t.start for t in toks[a:k]}
    return out


def _assemble(lines: list, text: str, toks: list[Tok]) -> Chain:
    """Members with their source spans: the text between the relation tokens of each line."""
    members: list[Member] = []
    conditions: list[Condition | None] = []
    # spans: walk the tokens once, splitting at top-level REL/LINEBREAK/COND
    spans: list[tuple[int, int]] = []
    start = toks[0].start if toks else 0
    depth = 0
    in_cond = False
    last_end = start
    for t in toks:
        if t.type in ("LPAR", "LBRACK", "LBRACE", "LCURLY", "LPIPE", "LNORM", "BEGIN_MATRIX", "BEGIN_CASES"):
            depth += 1
        elif t.type in ("RPAR", "RBRACK", "RBRACE", "RCURLY", "RPIPE", "RNORM", "END_MATRIX", "END_CASES"):
            depth -= 1
        if depth == 0 and t.type == "LINEBREAK":
            if not in_cond and last_end > start:
                spans.append((start, last_end))
            in_cond = False
            start = t.end
            last_end = t.end
            continue
        if depth == 0 and not in_cond and t.type in ("COND", "OTHERWISE"):
            spans.append((start, last_end))
            in_cond = True
            continue
        if depth == 0 and not in_cond and t.type == "COMMA":
            # a comma at top level starts a condition (`..., \quad i = j`)
            spans.append((start, last_end))
            in_cond = True
            continue
        if depth == 0 and not in_cond and t.type == "REL":
            if last_end > start:
                spans.append((start, last_end))
            start = t.end
            last_end = t.end
            continue
        if not in_cond:
            last_end = t.end
    if not in_cond and last_end > start:
        spans.append((start, last_end))
    k = 0
    for li, (_, rel0, chain, cond) in enumerate(lines):
        conditions.append(cond)
        for mi, (rel, expr) in enumerate(chain):
            relation = str(rel) if rel is not None else (str(rel0) if mi == 0 and rel0 is not None else None)
            s, e = spans[k] if k < len(spans) else (0, len(text))
            k += 1
            src = text[s:e].strip()
            members.append(Member(expr=expr, text=src, start=s, end=e, line=li, relation=relation, condition=cond,
                                  is_name=isinstance(expr, (sp.Symbol, sp.Indexed, sp.MatrixSymbol))))
    return Chain(members=members, conditions=conditions)


def parse_chain(text: str, ctx: MathContext | None = None, syntax: str = "auto") -> Chain:
    """Read an `=` chain (or an `aligned` block) into its members, in order.

    Parses are remembered per (text, declarations): a batch reads the same reference, author
    mistakes and definitions for every student, and many students write the same answer.
    """
    ctx = ctx or MathContext()
    key = (text, syntax, ctx.key())
    hit = _CHAINS.get(key)
    if hit is None:
        hit = _parse(text, ctx, plain=_choose_plain(text, syntax))
        if len(_CHAINS) >= MAX_CACHED_CHAINS:
            _CHAINS.pop(next(iter(_CHAINS)))
        _CHAINS[key] = hit
    return Chain(members=list(hit.members), conditions=list(hit.conditions))


_CHAINS: dict[tuple, Chain] = {}
MAX_CACHED_CHAINS = 2048


def parse_expression(text: str, ctx: MathContext | None = None, syntax: str = "auto") -> Any:
    """Read one expression. Raises MathSyntaxError (with position and what was expected)."""
    ctx = ctx or MathContext()
    chain = parse_chain(text, ctx, syntax)
    if len(chain.members) != 1:
        second = chain.members[1]
        pos = max(0, second.start - 1)
        raise MathSyntaxError(message="expected one expression, not an '=' chain", text=chain_text(text),
                              position=pos, expected=[])
    if chain.conditions and chain.conditions[0] is not None:
        raise MathSyntaxError(message="expected one expression, without a condition", text=chain_text(text),
                              position=chain.members[0].end, expected=[])
    return chain.members[0].expr


def chain_text(text: str) -> str:
    from grader.math.lexer import normalise_unicode
    return normalise_unicode(text)


def parse_condition(text: str, ctx: MathContext | None = None) -> list[Any]:
    """`i = j`, `z > 0`: the relations of a condition written on its own."""
    ctx = ctx or MathContext()
    info = context_info(ctx)
    toks = [Tok("NUMBER", "0", 0, 0), Tok("COND", "if", 0, 0)] + tokenize(text, plain=_choose_plain(text, "auto"),
                                                                          known_words=info.known_words,
                                                                          functions=info.functions)
    st = _State(ctx=ctx, text=text, info=info, index_names=set(info.index_names), derivatives=ctx.derivatives)
    lines = _run_parser(toks, st)
    return lines[0][3].relations
