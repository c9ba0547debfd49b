"""`numeric`: a number, a vector, a matrix or a shape, compared within tolerances.

The student may show their working (`z = w_1 x = 3 \\cdot 1 = 3`): the last member of the
last `=` chain is the answer. Literal numbers, fractions, scientific notation, vectors,
matrices and shapes are read here; anything else (`e^{-1}`, `\\frac{1}{1+e^{2}}`) is read by
the math engine's grammar as a constant expression. No student text is ever evaluated.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.errors import ExerciseError, GraderError, Location, MathSyntaxError
from grader.kinds.base import AnswerKind, CheckTask
from grader.results import Evidence, PartResult, Status

ANSWER_TYPES = ("number", "vector", "matrix", "shape")
MAX_ELEMENTS = 10_000


@dataclass(frozen=True)
class NumericOptions:
    answer: str = "number"
    abs_tol: float = 1e-6
    rel_tol: float = 1e-6
    reveal: bool = False  # show the expected value in feedback


class NumericAnswerError(GraderError):
    """The answer is not a number/vector/matrix/shape of the kind the part asks for."""


_NUM = r"[+-]?\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_SCI = re.compile(rf"^({_NUM})\s*(?:\\cdot|\\times|\*|x|×|·)\s*10\s*\^\s*\{{?\s*([+-]?\d+)\s*\}}?$")
_FRAC = re.compile(rf"^([+-]?)\s*\\[dt]?frac\s*\{{\s*({_NUM})\s*\}}\s*\{{\s*({_NUM})\s*\}}$")
_SLASH = re.compile(rf"^({_NUM})\s*/\s*({_NUM})$")
_PLAIN = re.compile(rf"^{_NUM}$")
_MATRIX_ENV = re.compile(r"\\begin\{([bpvBV]?matrix|array)\}(?:\{[^}]*\})?(.*?)\\end\{\1\}", re.DOTALL)
_NOISE = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)[lr]?(?![A-Za-z])|\\[,;:! ]|\\quad|\\qquad|\\displaystyle|~")
_TEXT = re.compile(r"\\(?:text|mathrm|textrm|mbox)\s*\{[^{}]*\}")


def final_member(latex: str) -> str:
    """The last member of the last `=` (or `\\approx`) chain of a math block."""
    matrices: list[str] = []

    def keep(m: re.Match[str]) -> str:  # matrices keep their & and \\\\ as they are
        matrices.append(m.group(0))
        return f"\x00{len(matrices) - 1}\x00"

    s = _MATRIX_ENV.sub(keep, latex)
    s = re.sub(r"\\(?:begin|end)\{(?:aligned|align\*?|split|gathered)\}", " ", s)
    s = s.replace("&", " ").replace("\\\\", " ")
    s = _TEXT.sub(" ", s)
    s = _NOISE.sub(" ", s)
    depth = 0
    cut = 0
    i = 0
    while i < len(s):
        ch = s[i]
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif depth == 0:
            for sep in ("=", "\\approx", "≈", "\\leftarrow", "\\gets", "←", "\\in"):
                after = s[i + len(sep): i + len(sep) + 1]
                if s.startswith(sep, i) and not (sep[0] == "\\" and after.isalpha()):
                    cut = i + len(sep)
                    i = cut - 1
                    break
        i += 1
    member = s[cut:].strip().rstrip(".,;").strip()
    return re.sub("\x00(\\d+)\x00", lambda m: matrices[int(m.group(1))], member)


def read_scalar(text: str) -> float:
    t = text.strip().replace("−", "-").replace("{,}", "")
    while t.startswith("{") and t.endswith("}"):
        t = t[1:-1].strip()
    if _PLAIN.match(t):
        return float(t.replace(" ", ""))
    m = _SCI.match(t)
    if m:
        return float(m.group(1).replace(" ", "")) * 10.0 ** int(m.group(2))
    m = _FRAC.match(t)
    if m:
        return _div(float(m.group(2).replace(" ", "")), float(m.group(3).replace(" ", "")), m.group(1))
    m = _SLASH.match(t)
    if m:
        return _div(float(m.group(1).replace(" ", "")), float(m.group(2).replace(" ", "")), "")
    return _constant_expression(t)


def _div(a: float, b: float, sign: str) -> float:
    if b == 0:
        raise NumericAnswerError("division by zero in the answer")
    return (-1 if sign == "-" else 1) * a / b


def _constant_expression(text: str) -> float:
    """A constant like e^{-1} or \\sqrt{2}/2, read by the project's own math grammar."""
    try:
        from grader.math import MathContext, parse_expression
    except ImportError:
        raise NumericAnswerError(f"'{text}' is not a number") from None
    expr = parse_expression(text, MathContext(), syntax="auto")
    if getattr(expr, "free_symbols", None):
        names = ", ".join(sorted(str(s) for s in expr.free_symbols))
        raise NumericAnswerError(f"'{text}' still contains {names}: give a number")
    try:
        value = complex(expr.evalf(30))
    except (TypeError, ValueError):
        raise NumericAnswerError(f"'{text}' is not a number") from None
    if abs(value.imag) > 1e-12:
        raise NumericAnswerError(f"'{text}' is not a real number")
    return float(value.real)


def _split_top(s: str, seps: str) -> list[str]:
    out, depth, cur = [], 0, []
    for ch in s:
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        if depth == 0 and ch in seps:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [x.strip() for x in out]


def read_array(text: str) -> np.ndarray:
    """A vector or matrix: a LaTeX matrix environment, or [..] / (..) lists."""
    t = text.strip()
    m = _MATRIX_ENV.search(t)
    if m:
        rows = [r for r in re.split(r"\\\\", m.group(2)) if r.strip() and not r.strip().startswith("\\hline")]
        data = [[read_scalar(c) for c in r.split("&")] for r in rows]
        after = t[m.end():].strip()
        arr = _rect(data)
        if after in ("^T", "^{T}", "^\\top", "^{\\top}", "^\\intercal"):
            arr = arr.T
        return arr
    t = t.replace("\\left", "").replace("\\right", "").replace("\\{", "{").replace("\\}", "}")
    if t[:1] in "[(" and t[-1:] in "])":
        inner = t[1:-1].strip()
        items = _split_top(inner, ",;") if inner else []
        if len(items) > MAX_ELEMENTS:
            raise NumericAnswerError(f"more than {MAX_ELEMENTS} numbers")
        if items and all(i[:1] in "[(" for i in items):
            return _rect([list(read_array(i).reshape(-1)) for i in items])
        return np.array([read_scalar(i) for i in items], dtype=float)
    return np.array([read_scalar(t)], dtype=float)


def _rect(rows: list[list[float]]) -> np.ndarray:
    if len({len(r) for r in rows}) > 1:
        raise NumericAnswerError("the rows of the matrix have different lengths: "
                                 + ", ".join(str(len(r)) for r in rows))
    return np.array(rows, dtype=float)


_SHAPE_SEP = re.compile(r"\\times|×|\*|\bx\b|,")


def read_shape(text: str) -> tuple[int, ...]:
    t = re.sub(r"\\mathbb\{R\}\s*\^?", "", text.strip())
    t = t.strip("{}()[] ")
    parts = [p.strip().strip("{}() ") for p in _SHAPE_SEP.split(t)] if t else []
    if not parts or not all(re.fullmatch(r"\d+", p) for p in parts):
        raise NumericAnswerError(f"'{text.strip()}' is not a shape; write it like 3 \\times 2 or (3, 2)")
    return tuple(int(p) for p in parts)


#: longer answers are refused before any scanning (a hostile 100 000-character answer took 1 s)
MAX_ANSWER_CHARS = 4000


def read_answer(latex: str, answer_type: str) -> Any:
    if len(latex) > MAX_ANSWER_CHARS:
        raise NumericAnswerError(f"the answer is too long ({len(latex)} characters; the limit is {MAX_ANSWER_CHARS})")
    member = final_member(latex)
    if not member:
        raise NumericAnswerError("the answer is empty after its last '='")
    if answer_type == "shape":
        return read_shape(member)
    if answer_type == "number":
        return read_scalar(member)
    arr = read_array(member)
    if answer_type == "vector":
        if arr.ndim == 2 and 1 in arr.shape:
            arr = arr.reshape(-1)
        if arr.ndim != 1:
            raise NumericAnswerError(f"expected a vector, got a {arr.shape[0]}×{arr.shape[1]} matrix")
    elif arr.ndim == 1:
        arr = arr.reshape(1, -1)
    return arr


def answer_source(task_answer: Any) -> str:
    return task_answer.math[-1] if task_answer.math else task_answer.text.strip()


def _fmt(v: Any) -> str:
    if isinstance(v, tuple):
        return " × ".join(map(str, v))
    if isinstance(v, np.ndarray):
        return np.array2string(v, precision=6, suppress_small=True)
    return f"{v:.6g}"


def _close(a: Any, b: Any, o: NumericOptions) -> bool:
    if isinstance(b, tuple):
        return a == b
    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a_arr.shape != b_arr.shape:
        return False
    return bool(np.all(np.abs(a_arr - b_arr) <= o.abs_tol + o.rel_tol * np.abs(b_arr)))


GENERIC_MISTAKES = (
    ("sign-flipped", lambda v: -v, "The value has the right size but the wrong sign: check the sign of each term."),
    ("factor-2", lambda v: 2 * v, "The value is twice the expected one: a factor 2 too many (e.g. from the ½ in the loss)?"),
    ("factor-half", lambda v: v / 2, "The value is half the expected one: a factor 2 missing (e.g. from differentiating a square)?"),
)


class NumericKind(AnswerKind):
    name = "numeric"

    def parse_options(self, raw: dict[str, Any], where: Location) -> NumericOptions:
        known = {"answer", "abs_tol", "rel_tol", "reveal"}
        extra = set(raw) - known
        if extra:
            raise ExerciseError(f"unknown key(s) for a numeric part: {', '.join(sorted(extra))} "
                                f"(known: {', '.join(sorted(known))})", location=where)
        answer = raw.get("answer", "number")
        if answer not in ANSWER_TYPES:
            raise ExerciseError(f"'answer' must be one of {', '.join(ANSWER_TYPES)}, not {answer!r}",
                                location=Location(where.file, f"{where.key}.answer", where.part))
        tols = {}
        for k in ("abs_tol", "rel_tol"):
            v = raw.get(k, getattr(NumericOptions, k))
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
                raise ExerciseError(f"'{k}' must be a non-negative number, not {v!r}",
                                    location=Location(where.file, f"{where.key}.{k}", where.part))
            tols[k] = float(v)
        return NumericOptions(answer=answer, reveal=bool(raw.get("reveal", False)), **tols)

    def check(self, task: CheckTask) -> PartResult:
        o: NumericOptions = task.part.options or NumericOptions()
        assert task.answer is not None and task.reference.answer is not None
        try:
            expected = read_answer(answer_source(task.reference.answer), o.answer)
        except (NumericAnswerError, MathSyntaxError) as e:
            raise ExerciseError(f"reference answer unreadable: {e}", part=task.part.id) from None
        given = self._read_given(task, o)
        if isinstance(given, PartResult):
            return given
        if _close(given, expected, o):
            return self.result(task, Status.CORRECT, 1.0, feedback=["Correct."])
        return self._wrong(task, o, given, expected)

    def _read_given(self, task: CheckTask, o: NumericOptions) -> Any:
        """The student's value, or the ERROR verdict saying why it cannot be read."""
        assert task.answer is not None
        source = answer_source(task.answer)
        try:
            return read_answer(source, o.answer)
        except MathSyntaxError as e:
            return self.error(task, e, "parse-error")
        except GraderError as e:
            message = f"Could not read a {o.answer}: {e.message}"
            return self.result(task, Status.ERROR, feedback=[message],
                               evidence=[Evidence("parse-error", message, {"source": source})])

    def _wrong(self, task: CheckTask, o: NumericOptions, given: Any, expected: Any) -> PartResult:
        evidence = [Evidence("value", f"You gave {_fmt(given)}.", {"given": _as_data(given)})]
        diagnosis, message = self._diagnose(task, o, given, expected)
        if diagnosis:
            evidence.append(Evidence("diagnosis", message, {"name": diagnosis}))
        return self.result(task, Status.INCORRECT, feedback=[message] + _reveal(o, expected),
                           evidence=evidence, diagnosis=diagnosis)

    @staticmethod
    def _diagnose(task: CheckTask, o: NumericOptions, given: Any, expected: Any) -> tuple[str | None, str]:
        """The most specific explanation: an author's mistake, then shape, then generic ones."""
        for m in task.part.mistakes:
            try:
                wrong = read_answer(m.answer, o.answer)
            except (GraderError, MathSyntaxError):
                continue
            if _close(given, wrong, o):
                return m.name, m.feedback
        if isinstance(expected, tuple):
            if given == expected[::-1]:
                return "transposed", f"The shape {_fmt(given)} is the transpose of the right one: rows and columns are swapped."
            return None, f"The shape {_fmt(given)} is not right."
        if np.shape(given) != np.shape(expected):
            return "wrong-shape", (f"Your answer has shape {_shape(given)}, but a {o.answer} of shape "
                                   f"{_shape(expected)} is expected.")
        exp = np.asarray(expected, dtype=float)
        if np.any(exp != 0):
            for name, mutate, text in GENERIC_MISTAKES:
                if _close(given, mutate(exp), o):
                    return name, text
        return None, "The value is not right."


    # --- release bundles: fingerprints instead of the reference (grader/release/) ------------
    def fingerprint(self, task: CheckTask) -> dict[str, Any] | None:
        from grader.release.numeric_fp import numeric_fingerprint
        return numeric_fingerprint(task, task.part.options or NumericOptions())

    def check_offline(self, task: CheckTask, fingerprint: dict[str, Any]) -> PartResult:
        from grader.release.numeric_fp import check_numeric_offline
        o: NumericOptions = task.part.options or NumericOptions()
        given = self._read_given(task, o)
        if isinstance(given, PartResult):
            return given
        return check_numeric_offline(self, task, o, given, fingerprint)


def _reveal(o: NumericOptions, expected: Any) -> list[str]:
    return [f"Expected {_fmt(expected)}."] if o.reveal else []


def _shape(v: Any) -> str:
    shape = np.shape(v)
    return "scalar" if shape == () else " × ".join(map(str, shape))


def _as_data(v: Any) -> Any:
    return v.tolist() if isinstance(v, np.ndarray) else list(v) if isinstance(v, tuple) else v
