"""Tokens of student math, LaTeX and plain keyboard syntax alike.

A hand-written lexer, because reading course notation needs context a regular lexer lacks:
`W^{(1)}` after a name is a layer index (not a power), `\\frac{d f}{d x}` holds derivative
d's, `\\sigma(` is the sigmoid but `\\sigma^2` a symbol, `|` opens or closes by position,
`&` and `\\\\` mean columns in a matrix but alignment in an `aligned` block. Names come out
canonical (`\\hat{y}`, `w_1`, `W^{(1)}`), so declared symbols and student text meet.

Limits are enforced here, before any parsing: length, nesting depth, size of numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from grader.errors import MathSyntaxError

MAX_LENGTH = 4000
MAX_DEPTH = 40
MAX_NUMBER_DIGITS = 40


@dataclass
class Tok:
    type: str
    value: str
    start: int
    end: int


GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
         "pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi "
         "Pi Sigma Upsilon Phi Psi Omega ell").split()
GREEK_SET = frozenset(GREEK)

#: canonical function names; the keys are how they may be written (after a backslash or plain)
FUNCTION_WORDS = {
    "exp": "exp", "log": "log", "ln": "log", "sin": "sin", "cos": "cos", "tan": "tan",
    "tanh": "tanh", "sinh": "sinh", "cosh": "cosh", "sigmoid": "sigmoid", "relu": "relu",
    "softplus": "softplus", "softmax": "softmax", "max": "max", "min": "min", "diag": "diag",
    "abs": "abs", "sgn": "sign", "sign": "sign", "tr": "trace", "trace": "trace",
    "logsumexp": "logsumexp", "lse": "logsumexp",
    "sec": "sec", "csc": "csc", "cot": "cot", "coth": "coth", "sech": "sech", "csch": "csch",
    "arcsin": "arcsin", "arccos": "arccos", "arctan": "arctan",
}
#: words that are functions only when written as plain words followed by '('
PLAIN_CALL_WORDS = {"sigma": "sigmoid", "delta": "kronecker", "sqrt": "sqrt", "step": "step",
                    "heaviside": "step", "indicator": "indicator", "transpose": "transpose"}

DECORATIONS = {"hat": "hat", "widehat": "hat", "tilde": "tilde", "widetilde": "tilde", "bar": "bar",
               "overline": "bar", "dot": "dot", "ddot": "ddot", "check": "check", "breve": "breve",
               "mathcal": "mathcal", "mathscr": "mathcal", "mathfrak": "mathfrak"}
BOLD = {"mathbf", "boldsymbol", "bm", "vec", "mathbfit", "pmb", "mathit", "mathsf", "mathnormal"}
SPACING = {",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "limits", "nolimits",
           "enspace", "thinspace", "medspace", "thickspace", "hfill", "notag", "nonumber"}
SIZERS = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
          "Biggl", "Biggr", "middle", "bigm", "Bigm"}
TEXT_CMDS = {"text", "textrm", "textit", "textbf", "mbox", "textnormal", "texttt"}
NAME_CMDS = {"mathrm", "operatorname", "operatorname*", "mathrm*"}
MUL_CMDS = {"cdot": "MUL", "times": "MUL", "ast": "MUL", "odot": "ODOT", "circ": "ODOT", "div": "DIV"}
REL_CMDS = {"approx": "approx", "leftarrow": "leftarrow", "gets": "leftarrow", "coloneqq": "=",
            "equiv": "=", "triangleq": "=", "doteq": "="}
CMP_CMDS = {"neq": "!=", "ne": "!=", "le": "<=", "leq": "<=", "leqslant": "<=", "ge": ">=", "geq": ">=",
            "geqslant": ">=", "lt": "<", "gt": ">"}
MATRIX_ENVS = {"matrix", "bmatrix", "pmatrix", "Bmatrix", "smallmatrix", "array"}
CASES_ENVS = {"cases", "dcases", "rcases"}
ALIGN_ENVS = {"aligned", "align", "align*", "split", "gathered", "gather", "gather*", "eqnarray",
              "eqnarray*", "alignedat", "equation", "equation*"}
UNICODE = {"−": "-", "–": "-", "·": r"\cdot ", "×": r"\times ", "⋅": r"\cdot ", "∑": r"\sum ", "∏": r"\prod ",
           "≤": r"\le ", "≥": r"\ge ", "≠": r"\ne ", "≈": r"\approx ", "∂": r"\partial ", "√": r"\sqrt ",
           "ŷ": r"\hat{y}", "σ": r"\sigma ", "δ": r"\delta ", "α": r"\alpha ", "β": r"\beta ", "γ": r"\gamma ",
           "λ": r"\lambda ", "η": r"\eta ", "θ": r"\theta ", "μ": r"\mu ", "π": r"\pi ", "ε": r"\epsilon ",
           "²": "^2", "³": "^3", "⊙": r"\odot ", "←": r"\leftarrow ", "∈": r"\in ", "ℓ": r"\ell ",
           "\u00a0": " ", "\u2009": " ", "\u202f": " "}

DIGITS = frozenset("0123456789")
LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NUM = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_SCI = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")
_CMD = re.compile(r"\\([A-Za-z]+\*?|.)")
_TRANSPOSE_SUP = re.compile(r"\^\s*(?:T\b|\{\s*T\s*\}|\\top\b|\{\s*\\top\s*\}|\\intercal\b|\{\s*\\intercal\s*\}"
                            r"|\{\s*\\mathsf\s*\{\s*T\s*\}\s*\}|\\mathsf\s*\{\s*T\s*\})")
# in LaTeX a bare superscript is one character: X^TP is X^T P, not X^{TP}
_LATEX_T_SUP = re.compile(r"\^\s*T(?=[A-Za-z\\])")
_LAYER_SUP = re.compile(r"\^\s*\{\s*\(\s*([A-Za-z0-9+\- ]{1,12})\s*\)\s*(T|\\top|\\intercal)?\s*\}")
_PRIME_SUP = re.compile(r"\^\s*(?:\\prime\b|\{\s*\\prime\s*\})")
_ENV = re.compile(r"\\(begin|end)\s*\{\s*([A-Za-z]+\*?)\s*\}")

#: token types after which a '|' closes rather than opens
_OPERAND_END = {"NUMBER", "NAME", "RPAR", "RBRACK", "RBRACE", "RCURLY", "RPIPE", "RNORM", "SUB", "LAYER",
                "PRIME", "TRANSPOSE", "END_MATRIX", "END_CASES"}
_OPENERS = {"LPAR", "LBRACK", "LBRACE", "LCURLY", "LPIPE", "LNORM", "BEGIN_MATRIX", "BEGIN_CASES"}
_CLOSERS = {"RPAR", "RBRACK", "RBRACE", "RCURLY", "RPIPE", "RNORM", "END_MATRIX", "END_CASES"}


def normalise_unicode(text: str) -> str:
    if all(ord(c) < 128 for c in text):
        return text
    return "".join(UNICODE.get(c, c) for c in text)


def _err(msg: str, text: str, pos: int, expected: list[str] | None = None) -> MathSyntaxError:
    return MathSyntaxError(message=msg, text=text, position=max(0, min(pos, len(text))), expected=expected or [])


def brace_group(text: str, pos: int) -> tuple[str, int, int]:
    """At `pos` (a '{'), the balanced group's content, its start and the position after '}'."""
    depth = 0
    i = pos
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[pos + 1:i], pos + 1, i + 1
        i += 1
    raise _err("this '{' is never closed", text, pos, ["'}'"])


_PLAIN_DECORATION = re.compile(r"(hat|bar|tilde)(?![A-Za-z0-9])")


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n\r":
        i += 1
    return i


class Lexer:
    """Turns one text into tokens. `known_names`: declared multi-letter names (canonical)."""

    def __init__(self, text: str, *, plain: bool, known_words: frozenset[str] = frozenset(),
                 functions: frozenset[str] = frozenset(), base: int = 0) -> None:
        self.text = text
        self.plain = plain
        self.known_words = known_words
        self.functions = functions
        self.base = base  # offset of this text inside the whole answer (subscripts are re-lexed)
        self.toks: list[Tok] = []
        self.envs: list[str] = []
        self.diff_at: set[int] = set()
        self.pipe_depth = 0
        self.norm_depth = 0

    # ---------------------------------------------------------------------------------
    def emit(self, type_: str, value: str, start: int, end: int) -> None:
        self.toks.append(Tok(type_, value, start + self.base, end + self.base))

    def error(self, msg: str, pos: int, expected: list[str] | None = None) -> MathSyntaxError:
        return _err(msg, self.text, pos, expected)

    def prev_type(self) -> str | None:
        return self.toks[-1].type if self.toks else None

    def tokens(self) -> list[Tok]:
        text = self.text
        if len(text) > MAX_LENGTH:
            raise _err(f"the answer is too long ({len(text)} characters; the limit is {MAX_LENGTH})", text, MAX_LENGTH)
        i = 0
        n = len(text)
        while i < n:
            c = text[i]
            if c in " \t\n\r~":
                i += 1
            elif c == "\\":
                i = self.command(i)
            elif c in DIGITS or (c == "." and i + 1 < n and text[i + 1] in DIGITS):
                i = self.number(i)
            elif c in LETTERS:
                i = self.letters(i)
            elif c == "^":
                i = self.superscript(i)
            elif c == "_":
                i = self.subscript(i)
            elif c == "*":
                if text.startswith("**", i):
                    self.emit("POW", "^", i, i + 2)
                    i += 2
                else:
                    self.emit("MUL", "*", i, i + 1)
                    i += 1
            else:
                i = self.punct(i)
        self.check_depth()
        return self.toks

    def check_depth(self) -> None:
        depth = 0
        for t in self.toks:
            if t.type in _OPENERS or t.type in ("FRAC", "SQRT"):
                depth += 1 if t.type in _OPENERS else 0
                if depth > MAX_DEPTH:
                    raise _err(f"brackets are nested more than {MAX_DEPTH} deep", self.full_text(), t.start)
            elif t.type in _CLOSERS:
                depth -= 1

    def full_text(self) -> str:
        return self.text if self.base == 0 else self.text

    # ---------------------------------------------------------------------------------
    def punct(self, i: int) -> int:
        text = self.text
        c = text[i]
        two = text[i:i + 2]
        if two in ("<=", ">=", "!=", "=="):
            self.emit("CMP", {"==": "="}.get(two, two), i, i + 2)
            return i + 2
        if two == ":=":
            self.emit("REL", "=", i, i + 2)
            return i + 2
        simple = {"+": "PLUS", "-": "MINUS", "/": "DIV", "(": "LPAR", ")": "RPAR", "[": "LBRACK",
                  "]": "RBRACK", "{": "LBRACE", "}": "RBRACE", ",": "COMMA", "'": "PRIME"}
        if c in simple:
            self.emit(simple[c], c, i, i + 1)
            return i + 1
        if c == "=":
            self.emit("REL", "=", i, i + 1)
            return i + 1
        if c in "<>":
            self.emit("CMP", c, i, i + 1)
            return i + 1
        if c == "|":
            self.pipe(i, i + 1)
            return i + 1
        if c == "&":
            if self.envs and self.envs[-1] in ("matrix", "cases"):
                self.emit("AMP", "&", i, i + 1)
            return i + 1
        if c == ";" and self.plain:
            self.emit("COMMA", ";", i, i + 1)
            return i + 1
        raise self.error(f"unexpected character '{c}'", i)

    def pipe(self, start: int, end: int, norm: bool = False, side: str | None = None) -> None:
        depth_attr = "norm_depth" if norm else "pipe_depth"
        depth = getattr(self, depth_attr)
        closing = side == "r" or (side is None and depth > 0 and self.prev_type() in _OPERAND_END)
        kind = "NORM" if norm else "PIPE"
        if closing:
            if depth == 0:
                raise self.error(f"this '{'‖' if norm else '|'}' closes nothing", start)
            setattr(self, depth_attr, depth - 1)
            self.emit("R" + kind, "|", start, end)
        else:
            setattr(self, depth_attr, depth + 1)
            self.emit("L" + kind, "|", start, end)

    def number(self, i: int) -> int:
        text = self.text
        m = _SCI.match(text, i) if self.plain else None
        if m is None:
            m = _NUM.match(text, i)
        assert m is not None
        digits = sum(ch in DIGITS for ch in m.group(0))
        if digits > MAX_NUMBER_DIGITS:
            raise self.error(f"this number has more than {MAX_NUMBER_DIGITS} digits", i)
        # a number directly after \frac is one digit per argument: \frac12
        if self.prev_type() == "FRAC" or (len(self.toks) >= 2 and self.toks[-2].type == "FRAC"
                                          and self.toks[-1].type == "NUMBER" and self.toks[-1].end - self.base == i):
            self.emit("NUMBER", text[i], i, i + 1)
            return i + 1
        self.emit("NUMBER", m.group(0), i, m.end())
        return m.end()

    def letters(self, i: int) -> int:
        """A run of letters: known words (functions, Greek names, declared names) or single letters."""
        text = self.text
        if i in self.diff_at and text[i] == "d":  # the d of \frac{d f}{d x}
            self.emit("DIFF", "d", i, i + 1)
            return i + 1
        j = i
        while j < len(text) and text[j] in LETTERS:
            j += 1
        if j == i:
            raise self.error(f"unexpected character '{text[i]}'", i)
        run = text[i:j]
        k = 0
        while k < len(run):
            word = self.match_word(run, k, j)
            if word is None:
                self.emit_name(run[k], i + k, i + k + 1)
                k += 1
            else:
                length, kind, value = word
                if kind == "NAME":
                    self.emit_name(value, i + k, i + k + length)
                else:
                    self.emit(kind, value, i + k, i + k + length)
                k += length
        # digits glued to a name are its subscript: w1 -> w_1
        if j < len(text) and text[j] in DIGITS and self.prev_type() == "NAME":
            m = re.compile(r"[0-9]+").match(text, j)
            assert m is not None
            self.emit("SUB", m.group(0), j, m.end())
            return m.end()
        return j

    def match_word(self, run: str, k: int, run_end: int) -> tuple[int, str, str] | None:
        rest = run[k:]
        next_char = self.text[_skip_ws(self.text, run_end)] if _skip_ws(self.text, run_end) < len(self.text) else ""
        for length in range(len(rest), 1, -1):
            w = rest[:length]
            lw = w.lower()
            if w in self.known_words:  # a declared word; a Greek one is its LaTeX name, as declared
                return length, "NAME", "\\" + w if w in GREEK_SET else w
            if k + length == len(run) and next_char == "(" and lw in PLAIN_CALL_WORDS:
                return length, ("SQRT" if lw == "sqrt" else "FUNC"), PLAIN_CALL_WORDS[lw]
            if k + length == len(run) and next_char == "(" and w in self.functions:
                return length, "FUNC", w
            if lw in FUNCTION_WORDS and (lw == w or len(w) > 3):
                return length, "FUNC", FUNCTION_WORDS[lw]
            if lw == "sqrt":
                return length, "SQRT", "sqrt"
            if w in GREEK_SET and w not in ("eta", "pi", "nu", "mu", "xi", "chi", "psi", "phi", "rho", "tau")\
                    or (w in GREEK_SET and length == len(rest)):
                return length, "NAME", "\\" + w
        return None

    def emit_name(self, name: str, start: int, end: int) -> None:
        self.emit("NAME", name, start, end)

    # ---------------------------------------------------------------------------------
    def superscript(self, i: int) -> int:
        text = self.text
        after_name = self.prev_type() in ("NAME", "SUB", "LAYER") and not (
            self.prev_type() == "NAME" and self.toks[-1].value == "e")
        m = _TRANSPOSE_SUP.match(text, i) or (None if self.plain else _LATEX_T_SUP.match(text, i))
        if m:
            self.emit("TRANSPOSE", "T", i, m.end())
            return m.end()
        m = _PRIME_SUP.match(text, i)
        if m:
            self.emit("PRIME", "'", i, m.end())
            return m.end()
        m = _LAYER_SUP.match(text, i)
        if m and after_name:
            self.emit("LAYER", "(" + m.group(1).replace(" ", "") + ")", i, m.end())
            if m.group(2):
                self.emit("TRANSPOSE", "T", m.start(2), m.end(2))
            return m.end()
        self.emit("POW", "^", i, i + 1)
        return i + 1

    def subscript(self, i: int) -> int:
        text = self.text
        j = _skip_ws(text, i + 1)
        if j >= len(text):
            raise self.error("a subscript is missing after '_'", j, ["a subscript"])
        m = _PLAIN_DECORATION.match(text, j) if self.plain else None
        if m and self.toks and self.toks[-1].type == "NAME" and "\\" not in self.toks[-1].value:
            # plain `y_hat`, `x_bar`, `y_tilde` are how students type \hat{y}, \bar{x}, \tilde{y}
            self.toks[-1].value = f"\\{m.group(1)}{{{self.toks[-1].value}}}"
            self.toks[-1].end = m.end() + self.base
            return m.end()
        if text[j] == "{":
            content, cstart, end = brace_group(text, j)
        elif text[j] == "\\":
            m = _CMD.match(text, j)
            assert m is not None
            content, cstart, end = m.group(0), j, m.end()
        elif text[j] in DIGITS or text[j] in LETTERS:
            content, cstart, end = text[j], j, j + 1
        else:
            raise self.error("a subscript is missing after '_'", j, ["a subscript"])
        self.emit("SUB", content, cstart, cstart + len(content))
        self.toks[-1].end = end + self.base
        return end

    # ---------------------------------------------------------------------------------
    def command(self, i: int) -> int:
        text = self.text
        m = _CMD.match(text, i)
        if m is None:
            raise self.error("a lone backslash", i)
        name = m.group(1)
        end = m.end()
        if name in SPACING:
            return end
        if name == "\\":
            if self.envs and self.envs[-1] in ("matrix", "cases"):
                self.emit("NL", "\\\\", i, end)
            else:
                self.emit("LINEBREAK", "\\\\", i, end)
            # an optional spacing argument: \\[2pt]
            k = _skip_ws(text, end)
            mm = re.compile(r"\[\s*-?[\d.]+\s*[a-z]{2}\s*\]").match(text, k)
            return mm.end() if mm else end
        if name in SIZERS:
            return self.sized_delimiter(i, end, name)
        if name in ("{", "}"):
            self.emit("LCURLY" if name == "{" else "RCURLY", name, i, end)
            return end
        if name == "|" or name in ("Vert", "lVert", "rVert"):
            self.pipe(i, end, norm=True, side={"lVert": "l", "rVert": "r"}.get(name))
            return end
        if name in ("vert", "lvert", "rvert"):
            self.pipe(i, end, side={"lvert": "l", "rvert": "r"}.get(name))
            return end
        if name in ("begin", "end"):
            return self.environment(i)
        if name in TEXT_CMDS:
            return self.text_command(i, end)
        if name in NAME_CMDS:
            return self.name_command(i, end)
        if name in DECORATIONS:
            return self.decoration(i, end, DECORATIONS[name])
        if name in BOLD:
            return self.bold(i, end)
        if name in ("mathbb",):
            return self.blackboard(i, end)
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            self.emit("FRAC", "frac", i, end)
            self.mark_derivative(end)
            return end
        if name == "partial":
            if i in self.diff_at:
                self.emit("DIFF", "partial", i, end)
                return end
            raise self.error("'\\partial' is only understood in \\frac{\\partial ...}{\\partial ...}", i)
        if name == "sqrt":
            self.emit("SQRT", "sqrt", i, end)
            return end
        if name in ("sum", "prod"):
            self.emit("BIGOP", name, i, end)
            return end
        if name in MUL_CMDS:
            self.emit(MUL_CMDS[name], name, i, end)
            return end
        if name in REL_CMDS:
            self.emit("REL", REL_CMDS[name], i, end)
            return end
        if name in CMP_CMDS:
            self.emit("CMP", CMP_CMDS[name], i, end)
            return end
        if name in ("top", "intercal") and self.prev_type() == "POW":
            self.toks[-1] = Tok("TRANSPOSE", "T", self.toks[-1].start, end + self.base)
            return end
        if name == "prime":
            self.emit("PRIME", "'", i, end)
            return end
        if name == "sigma":
            k = _skip_ws(text, end)
            if text.startswith("(", k) or text.startswith("'", k) or re.compile(r"\\(left|big|Big|bigl|Bigl)\b").match(text, k) \
                    or text.startswith("^\\prime", k) or text.startswith("^{\\prime}", k):
                self.emit("FUNC", "sigmoid", i, end)
            else:
                self.emit_name("\\sigma", i, end)
            return end
        if name in FUNCTION_WORDS:
            self.emit("FUNC", FUNCTION_WORDS[name], i, end)
            return end
        if name in GREEK_SET:
            self.emit_name("\\" + {"varepsilon": "epsilon"}.get(name, name), i, end)
            return end
        if name in ("infty", "in", "to", "mapsto", "forall", "cdots", "ldots", "dots", "nabla"):
            raise self.error(f"'\\{name}' cannot be used in an answer here", i)
        raise self.error(f"unknown command '\\{name}'", i)

    def sized_delimiter(self, i: int, end: int, name: str) -> int:
        text = self.text
        k = _skip_ws(text, end)
        if k >= len(text):
            raise self.error(f"'\\{name}' needs a delimiter after it", k, ["a delimiter"])
        side = "l" if name in ("left", "bigl", "Bigl", "biggl", "Biggl") else \
            "r" if name in ("right", "bigr", "Bigr", "biggr", "Biggr") else None
        c = text[k]
        if c == ".":
            return k + 1
        if c in "()[]":
            return self.punct(k)
        if c == "|":
            self.pipe(k, k + 1, side=side)
            return k + 1
        m = _CMD.match(text, k)
        if m and m.group(1) in ("{", "}", "|", "vert", "Vert", "lvert", "rvert", "lVert", "rVert", "langle", "rangle",
                                 "lbrack", "rbrack"):
            d = m.group(1)
            if d in ("{", "}"):
                self.emit("LCURLY" if d == "{" else "RCURLY", d, k, m.end())
            elif d in ("|", "Vert", "lVert", "rVert"):
                self.pipe(k, m.end(), norm=True, side=side or {"lVert": "l", "rVert": "r"}.get(d))
            elif d in ("vert", "lvert", "rvert"):
                self.pipe(k, m.end(), side=side or {"lvert": "l", "rvert": "r"}.get(d))
            elif d in ("langle", "lbrack"):
                self.emit("LPAR" if d == "langle" else "LBRACK", d, k, m.end())
            else:
                self.emit("RPAR" if d == "rangle" else "RBRACK", d, k, m.end())
            return m.end()
        raise self.error(f"'\\{name}' must be followed by a delimiter such as ( or [", k, ["a delimiter"])

    def environment(self, i: int) -> int:
        m = _ENV.match(self.text, i)
        if m is None:
            raise self.error("\\begin / \\end needs an environment name in braces", i)
        which, env = m.group(1), m.group(2)
        end = m.end()
        if env in MATRIX_ENVS:
            kind = "matrix"
        elif env in CASES_ENVS:
            kind = "cases"
        elif env in ALIGN_ENVS:
            kind = "align"
        else:
            raise self.error(f"unknown environment '{env}'", i)
        if which == "begin":
            self.envs.append(kind)
            if env in ("array", "alignedat") or self.text.startswith("{", _skip_ws(self.text, end)) and env == "array":
                k = _skip_ws(self.text, end)
                if self.text.startswith("{", k):
                    _, _, end = brace_group(self.text, k)
            if kind == "matrix":
                self.emit("BEGIN_MATRIX", env, i, end)
            elif kind == "cases":
                self.emit("BEGIN_CASES", env, i, end)
            return end
        if not self.envs or self.envs[-1] != kind:
            raise self.error(f"'\\end{{{env}}}' does not match an open \\begin{{{env}}}", i)
        self.envs.pop()
        if kind == "matrix":
            self.emit("END_MATRIX", env, i, end)
        elif kind == "cases":
            self.emit("END_CASES", env, i, end)
        return end

    def group_arg(self, end: int, what: str) -> tuple[str, int, int]:
        k = _skip_ws(self.text, end)
        if k < len(self.text) and self.text[k] == "{":
            return brace_group(self.text, k)
        if k < len(self.text) and (self.text[k] in DIGITS or self.text[k] in LETTERS):
            return self.text[k], k, k + 1
        if k < len(self.text) and self.text[k] == "\\":
            m = _CMD.match(self.text, k)
            assert m is not None
            return m.group(0), k, m.end()
        raise self.error(f"'{what}' needs an argument in braces", k, ["'{'"])

    def text_command(self, i: int, end: int) -> int:
        content, _, after = self.group_arg(end, "\\text")
        word = content.strip()
        if word.lower() in FUNCTION_WORDS or word.lower() in ("sigmoid", "sigma"):
            self.emit("FUNC", FUNCTION_WORDS.get(word.lower(), "sigmoid"), i, after)
            return after
        words = content.strip().lower().rstrip(",:")
        first = words.split()[0] if words.split() else ""
        if first in ("if", "for", "when", "where", "falls"):
            self.emit("COND", first, i, after)
        elif first in ("otherwise", "else", "sonst"):
            self.emit("OTHERWISE", first, i, after)
        elif first == "and" and self.toks and self.toks[-1].type != "COMMA":
            self.emit("COMMA", ",", i, after)
        return after

    def name_command(self, i: int, end: int) -> int:
        content, cstart, after = self.group_arg(end, "\\mathrm")
        word = content.strip()
        lw = word.lower()
        if lw in FUNCTION_WORDS:
            self.emit("FUNC", FUNCTION_WORDS[lw], i, after)
        elif lw in ("sigmoid", "sigma"):
            self.emit("FUNC", "sigmoid", i, after)
        elif word in self.functions:
            self.emit("FUNC", word, i, after)
        elif word == "d" and (i in self.diff_at):
            self.emit("DIFF", "d", i, after)
        elif re.fullmatch(r"[A-Za-z]+", word):
            self.emit_name(word if len(word) == 1 else "\\mathrm{" + word + "}", i, after)
        elif word == "T" or word == "":
            raise self.error("empty name", i)
        else:
            self.sub_lex(content, cstart)
        return after

    def decoration(self, i: int, end: int, deco: str) -> int:
        content, cstart, after = self.group_arg(end, "\\" + deco)
        inner = Lexer(content, plain=False, known_words=self.known_words, functions=self.functions, base=0)
        toks = inner.tokens()
        if len(toks) != 1 or toks[0].type != "NAME":
            raise self.error(f"\\{deco}{{...}} must hold one letter or name", cstart)
        self.emit_name(f"\\{deco}{{{toks[0].value}}}", i, after)
        return after

    def bold(self, i: int, end: int) -> int:
        content, cstart, after = self.group_arg(end, "\\mathbf")
        if content.strip() in ("1", "I") and self.indicator_follows(after, letter=content.strip() == "I"):
            self.emit("INDICATOR", "1", i, after)
            return after
        self.sub_lex(content, cstart)
        return after

    def blackboard(self, i: int, end: int) -> int:
        content, cstart, after = self.group_arg(end, "\\mathbb")
        if content.strip() == "1" or content.strip() == "I" and self.indicator_follows(after, letter=True):
            self.emit("INDICATOR", "1", i, after)
            return after
        if content.strip() == "I":  # \mathbb{I} with no condition after it: the identity matrix (parser)
            self.emit_name("\\mathbb{I}", i, after)
            return after
        if content.strip() == "E":
            raise self.error("expectations (\\mathbb{E}) cannot be checked here", i)
        self.emit_name(f"\\mathbb{{{content.strip()}}}", i, after)
        return after

    def indicator_follows(self, k: int, letter: bool = False) -> bool:
        """A condition follows: `[z > 0]`, `\\{...\\}`, `_{z > 0}`. After the letter I a subscript
        without a comparison is a size instead (`\\mathbb{I}_n`, the identity of size n)."""
        k = _skip_ws(self.text, k)
        if letter and self.text.startswith("_", k):
            try:
                sub, _, _ = self.group_arg(k + 1, "_")
            except MathSyntaxError:
                return True
            return re.search(r"[<>=]|\\(?:le|ge|ne|neq|leq|geq|lt|gt|in)\b", sub) is not None
        return self.text.startswith(("[", "\\{", "_", "\\left[", "\\left\\{", "\\big"), k)

    def sub_lex(self, content: str, cstart: int) -> None:
        inner = Lexer(content, plain=False, known_words=self.known_words, functions=self.functions,
                      base=self.base + cstart)
        inner.envs = list(self.envs)
        inner.toks = []
        self.toks.extend(inner.tokens())

    def mark_derivative(self, end: int) -> None:
        """\\frac{d f}{d x} / \\frac{\\partial L}{\\partial w}: remember where the d's are."""
        text = self.text
        k = _skip_ws(text, end)
        if not text.startswith("{", k):
            return
        try:
            num, nstart, after = brace_group(text, k)
            k2 = _skip_ws(text, after)
            if not text.startswith("{", k2):
                return
            den, dstart, _ = brace_group(text, k2)
        except MathSyntaxError:
            return
        p1 = self._diff_start(num, nstart, allow_alone=True)
        p2 = self._diff_start(den, dstart, allow_alone=False)
        if p1 is not None and p2 is not None:
            self.diff_at.update({p1, p2})

    def _diff_start(self, group: str, start: int, allow_alone: bool) -> int | None:
        s = group.lstrip()
        off = start + len(group) - len(s)
        if s.startswith("\\partial"):
            return off
        if s.startswith("\\mathrm{d}"):
            return off
        if s.startswith("d"):
            rest = s[1:]
            if (rest == "" and allow_alone) or (rest[:1] in (" ", "\\", "^") or (rest[:1] != "" and rest[:1] in LETTERS)):
                return off
        return None


def tokenize(text: str, *, plain: bool, known_words: frozenset[str] = frozenset(),
             functions: frozenset[str] = frozenset(), base: int = 0) -> list[Tok]:
    lx = Lexer(text, plain=plain, known_words=known_words, functions=functions, base=base)
    toks = lx.tokens()
    if lx.envs:
        raise _err(f"\\begin{{...}} of a {lx.envs[-1]} environment is never closed by \\end", text, len(text), ["\\end"])
    return toks
