"""`expression`: a formula, compared with the reference by the math engine.

The student may write the quantity first (`\\frac{\\partial L}{\\partial w_2} = -(y - \\hat{y}) h`):
the last member of the `=` chain is the answer. Options (all optional):

  symbols      names the answer may use, e.g. ["x", "w_1", "\\hat{y}"] (others are reported)
  definitions  name -> expression, substituted before comparing: { "\\hat{y}" = "w_2 h" }
  functions    extra function names the answer may call
  indices      index -> range: { i = "n", k = [1, "n"] };  dims: { n = 3 }
  shapes       symbol -> shape: { W = ["N", "C"], s = ["n"] };  domains: { s = "probability" }
  mode         "exact" | "tolerance" | "additive_constant" | "positive_factor";  rel_tol
  derivatives  "name" (default) or "evaluate": \\frac{d}{dx} f differentiates
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.errors import ExerciseError, GraderError, Location, MathSyntaxError
from grader.kinds.base import AnswerKind, CheckTask
from grader.math import MathContext, parse_chain
from grader.math.context import DOMAINS
from grader.math.diagnosis import diagnose, diagnose_text
from grader.math.equivalence import MODES, Verdict, check_equivalence
from grader.math.parser import MathShapeError, canonical_name, parse_expression
from grader.results import Evidence, PartResult, Status


@dataclass(frozen=True)
class ExpressionOptions:
    ctx: MathContext = field(default_factory=MathContext)
    mode: str = "exact"
    rel_tol: float = 1e-9


def _where(where: Location, key: str) -> Location:
    return Location(where.file, f"{where.key}.{key}" if where.key else key, where.part)


def _str_list(raw: dict[str, Any], key: str, where: Location) -> list[str]:
    v = raw.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise ExerciseError(f"'{key}' must be a list of strings", location=_where(where, key))
    return list(v)


def _table(raw: dict[str, Any], key: str, where: Location) -> dict[str, Any]:
    v = raw.get(key, {})
    if not isinstance(v, dict):
        raise ExerciseError(f"'{key}' must be a table", location=_where(where, key))
    return dict(v)


def _tuple_shape(v: Any) -> tuple[Any, ...]:
    if isinstance(v, (list, tuple)) and 1 <= len(v) <= 2 and all(isinstance(x, (int, str)) for x in v):
        return tuple(v)
    raise ValueError


class ExpressionKind(AnswerKind):
    name = "expression"

    KEYS = {"symbols", "definitions", "functions", "indices", "dims", "shapes", "domains", "mode", "rel_tol",
            "derivatives"}

    def parse_options(self, raw: dict[str, Any], where: Location) -> ExpressionOptions:
        extra = set(raw) - self.KEYS
        if extra:
            raise ExerciseError(f"unknown key(s) for an expression part: {', '.join(sorted(extra))} "
                                f"(known: {', '.join(sorted(self.KEYS))})", location=where)
        symbols = _str_list(raw, "symbols", where)
        functions = _str_list(raw, "functions", where)
        definitions = _table(raw, "definitions", where)
        indices = _table(raw, "indices", where)
        dims = _table(raw, "dims", where)
        domains = _table(raw, "domains", where)
        shapes_raw = _table(raw, "shapes", where)
        for k, v in definitions.items():
            if not isinstance(v, str):
                raise ExerciseError(f"definition of '{k}' must be an expression in a string",
                                    location=_where(where, f"definitions.{k}"))
        for k, v in dims.items():
            if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 20:
                raise ExerciseError(f"dimension '{k}' must be a whole number from 1 to 20",
                                    location=_where(where, f"dims.{k}"))
        for k, v in domains.items():
            if v not in DOMAINS:
                raise ExerciseError(f"domain of '{k}' must be one of {', '.join(DOMAINS)}, not {v!r}",
                                    location=_where(where, f"domains.{k}"))
        shapes = {}
        for k, v in shapes_raw.items():
            try:
                shapes[k] = _tuple_shape(v)
            except ValueError:
                raise ExerciseError(f"shape of '{k}' must be a list of one or two sizes (numbers or dimension "
                                    f"names), like [\"N\", \"C\"]", location=_where(where, f"shapes.{k}")) from None
        mode = raw.get("mode", "exact")
        if mode not in MODES:
            raise ExerciseError(f"'mode' must be one of {', '.join(MODES)}, not {mode!r}", location=_where(where, "mode"))
        rel_tol = raw.get("rel_tol", 1e-9 if mode != "tolerance" else 1e-6)
        if not isinstance(rel_tol, (int, float)) or isinstance(rel_tol, bool) or not 0 <= rel_tol < 1:
            raise ExerciseError("'rel_tol' must be a number between 0 and 1", location=_where(where, "rel_tol"))
        derivatives = raw.get("derivatives", "name")
        if derivatives not in ("name", "evaluate"):
            raise ExerciseError("'derivatives' must be \"name\" or \"evaluate\"", location=_where(where, "derivatives"))
        ctx = MathContext(symbols=symbols, functions=functions, indices=indices, dims=dims, shapes=shapes,
                          domains=domains, definitions=definitions, derivatives=derivatives)
        for s in symbols:
            try:
                canonical_name(s)
            except (ValueError, MathSyntaxError):
                raise ExerciseError(f"'{s}' is not a name the math grammar can read",
                                    location=_where(where, "symbols")) from None
        for k, text in definitions.items():
            try:
                parse_expression(text, ctx)
            except (MathSyntaxError, MathShapeError, GraderError) as e:
                raise ExerciseError(f"definition of '{k}' does not parse: {e}",
                                    location=_where(where, f"definitions.{k}")) from None
        return ExpressionOptions(ctx=ctx, mode=mode, rel_tol=float(rel_tol))

    # ---------------------------------------------------------------------------------
    @staticmethod
    def _source(answer: Any) -> str:
        return answer.math[-1] if answer.math else answer.text.strip()

    @staticmethod
    def _final(text: str, ctx: MathContext) -> Any:
        return parse_chain(text, ctx).last.expr

    def check(self, task: CheckTask) -> PartResult:
        o: ExpressionOptions = task.part.options or ExpressionOptions()
        assert task.answer is not None and task.reference.answer is not None
        try:
            reference = self._final(self._source(task.reference.answer), o.ctx)
        except (MathSyntaxError, MathShapeError) as e:
            raise ExerciseError(f"reference answer unreadable: {e}", part=task.part.id) from None
        source = self._source(task.answer)
        try:
            student = self._final(source, o.ctx)
        except MathSyntaxError as e:
            return self.parse_error(task, e)
        except MathShapeError as e:
            message = f"The shapes in your answer do not fit: {e.message}"
            # a transpose in the wrong place (sᵀs for s sᵀ) is the usual reason: say so when it is
            found = diagnose_text(source, reference, o.ctx)
            feedback = [message] + ([found.message] if found else [])
            evidence = [Evidence("shape", message, {})]
            if found:
                evidence.append(Evidence("diagnosis", found.message, {"name": found.name}))
            return self.result(task, Status.INCORRECT, feedback=feedback, evidence=evidence,
                               diagnosis=found.name if found else "shape")
        verdict = check_equivalence(student, reference, o.ctx, mode=o.mode, rel_tol=o.rel_tol,
                                    budget_s=task.ctx.time_budget_s,
                                    seed=(task.ctx.exercise.id, task.part.id, task.ctx.student_id))
        if verdict.equivalent:
            how = "proven symbolically" if verdict.proven else f"checked at {verdict.points} sample points"
            return self.result(task, Status.CORRECT, 1.0, feedback=["Correct."],
                               evidence=[Evidence("equivalence", f"Equal to the expected expression ({how}).",
                                                  _data(verdict))])
        if verdict.equivalent is None:
            message = f"The grader could not decide this answer: {verdict.message}"
            return self.result(task, Status.MANUAL, feedback=[message],
                               evidence=[Evidence("undecided", message, _data(verdict))])
        return self._wrong(task, o, student, reference, verdict)

    def parse_error(self, task: CheckTask, e: MathSyntaxError) -> PartResult:
        """A zero with what was expected and a caret under the position."""
        expected = f" (expected {', '.join(e.expected)})" if e.expected else ""
        message = f"Could not read your answer: {e.message}{expected}."
        where = f"at character {e.position + 1}:"
        return self.result(task, Status.ERROR, feedback=[message],
                           evidence=[Evidence("parse-error", where, {"caret": e.caret(), "position": e.position,
                                                                        "expected": list(e.expected)})])

    def _wrong(self, task: CheckTask, o: ExpressionOptions, student: Any, reference: Any,
               verdict: Verdict) -> PartResult:
        evidence: list[Evidence] = []
        feedback: list[str] = []
        if verdict.shape_problem:
            feedback.append(verdict.shape_problem)
            evidence.append(Evidence("shape", verdict.shape_problem, _data(verdict)))
            return self.result(task, Status.INCORRECT, feedback=feedback, evidence=evidence, diagnosis="shape")
        diag = diagnose(student, reference, o.ctx, task.part.mistakes, budget_s=max(0.2, task.ctx.time_budget_s / 2))
        if diag is not None:
            feedback.append(diag.message)
            evidence.append(Evidence("diagnosis", diag.message, {"name": diag.name}))
        feedback.append(f"Not equal to the expected expression: {_lower_first(verdict.message)}")
        evidence.append(Evidence("counterexample", verdict.message, _data(verdict)))
        return self.result(task, Status.INCORRECT, feedback=feedback, evidence=evidence,
                           diagnosis=diag.name if diag else None)

    # --- release bundles: values at sample points as fingerprints (grader/release/) ---------
    def fingerprint(self, task: CheckTask) -> dict[str, Any] | None:
        from grader.release.expression_fp import expression_fingerprint
        o: ExpressionOptions = task.part.options or ExpressionOptions()
        assert task.reference.answer is not None
        try:
            reference = self._final(self._source(task.reference.answer), o.ctx)
        except (MathSyntaxError, MathShapeError) as e:
            raise ExerciseError(f"reference answer unreadable: {e}", part=task.part.id) from None
        return expression_fingerprint(task, reference, o.ctx, o.mode, o.rel_tol)

    def check_offline(self, task: CheckTask, fingerprint: dict[str, Any]) -> PartResult:
        from grader.release.expression_fp import check_expression_offline
        o: ExpressionOptions = task.part.options or ExpressionOptions()
        assert task.answer is not None
        try:
            student = self._final(self._source(task.answer), o.ctx)
        except MathSyntaxError as e:
            return self.parse_error(task, e)
        except MathShapeError as e:
            message = f"The shapes in your answer do not fit: {e.message}"
            return self.result(task, Status.INCORRECT, feedback=[message], diagnosis="shape",
                               evidence=[Evidence("shape", message, {})])
        return check_expression_offline(self, task, student, o.ctx, o.rel_tol, fingerprint)


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s else s


def _data(v: Verdict) -> dict[str, Any]:
    """The verdict as evidence data; no timings, so the same answer always gives the same result."""
    d = v.to_dict()
    return {k: d[k] for k in ("equivalent", "proven", "method", "counterexample", "student_value",
                              "reference_value", "shape_problem", "points")}
