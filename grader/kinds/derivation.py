"""`derivation`: a chain E0 = E1 = … = En, checked step by step.

Every step is checked against the one before it (the first against the quantity asked for),
the first step that does not follow is reported with the point where its two sides differ,
and whether the final answer is right is reported separately: a derivation whose middle is
wrong but whose end is right gets exactly that verdict, with the credit the part declares.

Part keys, besides those of an `expression` part (symbols, indices, shapes, domains,
definitions, mode, ...):
  final_weight  share of the points for a right final answer            (default 0.5)
  steps_weight  share for the steps, in proportion of the steps that follow (default 0.5)
  min_steps     fewer steps than this earn no step credit                 (default 1)
  case          the case the derivation is for, e.g. "i = j" or "i \\neq j"; lines may also
                state their own case (`\\quad \\text{if } i = j`)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.errors import ExerciseError, GraderError, Location, MathSyntaxError
from grader.kinds.base import AnswerKind, CheckTask
from grader.kinds.expression import ExpressionKind, ExpressionOptions
from grader.math import Chain, Member, parse_chain, parse_condition
from grader.math.diagnosis import diagnose
from grader.math.steps import Step, StepsReport, apply_case, check_steps, expand_indexed_definitions
from grader.results import Evidence, PartResult, Status

OWN_KEYS = ("final_weight", "steps_weight", "min_steps", "case")
MAX_MEMBERS = 40
MAX_PART_S = 12.0


@dataclass(frozen=True)
class DerivationOptions:
    math: ExpressionOptions
    final_weight: float = 0.5
    steps_weight: float = 0.5
    min_steps: int = 1
    case: str = ""


class DerivationKind(AnswerKind):
    name = "derivation"

    def parse_options(self, raw: dict[str, Any], where: Location) -> DerivationOptions:
        own = {k: raw[k] for k in OWN_KEYS if k in raw}
        math = ExpressionKind().parse_options({k: v for k, v in raw.items() if k not in OWN_KEYS}, where)

        def bad(key: str, msg: str) -> ExerciseError:
            return ExerciseError(msg, location=Location(where.file, f"{where.key}.{key}", where.part))

        weights = {}
        for k in ("final_weight", "steps_weight"):
            v = own.get(k, getattr(DerivationOptions, k))
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 1:
                raise bad(k, f"'{k}' must be a number from 0 to 1, not {v!r}")
            weights[k] = float(v)
        if abs(weights["final_weight"] + weights["steps_weight"] - 1) > 1e-9:
            raise bad("steps_weight", f"final_weight + steps_weight must be 1, not "
                                      f"{weights['final_weight']} + {weights['steps_weight']}")
        min_steps = own.get("min_steps", 1)
        if not isinstance(min_steps, int) or isinstance(min_steps, bool) or min_steps < 1:
            raise bad("min_steps", f"'min_steps' must be a whole number of at least 1, not {min_steps!r}")
        case = own.get("case", "")
        if not isinstance(case, str):
            raise bad("case", f"'case' must be a condition such as \"i = j\", not {case!r}")
        if case:
            try:
                parse_condition(case, math.ctx)
            except (MathSyntaxError, GraderError) as e:
                raise bad("case", f"'case' cannot be read: {e}") from None
        return DerivationOptions(math=math, min_steps=min_steps, case=case, **weights)

    # -------------------------------------------------------------------------------------
    def check(self, task: CheckTask) -> PartResult:
        o: DerivationOptions = task.part.options
        ctx = o.math.ctx
        assert task.answer is not None and task.reference.answer is not None
        case = parse_condition(o.case, ctx) if o.case else []
        try:
            ref_chain = _read_chain(task.reference.answer.math, task.reference.answer.text, ctx)
        except (MathSyntaxError, GraderError) as e:
            raise ExerciseError(f"reference derivation unreadable: {e}", part=task.part.id) from None
        ref_lhs = ref_chain.members[0] if len(ref_chain.members) > 1 else None
        reference = apply_case(ref_chain.members[-1].expr, case)
        try:
            chain = _read_chain(task.answer.math, task.answer.text, ctx)
        except MathSyntaxError as e:
            return self.error(task, e, "parse-error")
        except GraderError as e:  # a shape that cannot be built, a limit
            return self.error(task, e, "shape" if type(e).__name__ == "MathShapeError" else "error")
        if len(chain.members) > MAX_MEMBERS:
            return self.error(task, f"the derivation has {len(chain.members)} members; the limit is {MAX_MEMBERS}")
        # each check gets the usual budget, the whole part at most MAX_PART_S
        budget = min(MAX_PART_S, task.ctx.time_budget_s * (2 * len(chain.members) + 1))
        seed = int(task.ctx.rng("derivation", task.part.id).integers(2**31))
        report = check_steps(chain, reference, ctx, case=case, case_text=o.case, reference_lhs=ref_lhs,
                             budget_s=budget, seed=seed, mode=o.math.mode, rel_tol=o.math.rel_tol)
        return self._verdict(task, o, report, reference)

    def _verdict(self, task: CheckTask, o: DerivationOptions, report: StepsReport, reference: Any) -> PartResult:
        ctx = o.math.ctx
        n = len(report.steps)
        wrong = report.first_wrong
        final_ok = report.final.equivalent is True
        enough = n >= o.min_steps
        step_share = (report.n_ok / n) if n and enough else 0.0
        fraction = o.final_weight * final_ok + o.steps_weight * step_share
        feedback: list[str] = []
        evidence: list[Evidence] = [_steps_evidence(report, o)]
        diagnosis = None
        if final_ok and wrong is None:
            feedback.append("Correct: every step follows and the final answer is right.")
        elif final_ok:
            feedback.append(f"Your final answer is right, but step {wrong.number} does not follow: "
                            + _step_problem(wrong))
        elif report.final.equivalent is None:
            feedback.append("Whether the final answer is right could not be decided in time.")
        else:
            feedback.append("The final answer is not right.")
            if wrong is not None:
                feedback.append(f"The first step that does not follow is step {wrong.number}: " + _step_problem(wrong))
            else:
                feedback.append("Every step follows from the one before, but the derivation stops short of "
                                "the answer asked for.")
        if not enough:
            feedback.append(f"Show the derivation: at least {o.min_steps} step(s) are expected, you gave {n}.")
        if wrong is not None:
            evidence.append(_wrong_step_evidence(wrong))
        if report.final.equivalent is False:
            member = report.final_member
            if report.final.counterexample is not None or report.final.message:
                evidence.append(Evidence("counterexample", f"Final answer: {report.final.message}",
                                         _verdict_data(report.final, member.text)))
            relations = parse_condition(o.case, ctx) if o.case else []
            found = diagnose(apply_case(expand_indexed_definitions(member.expr, ctx), relations),
                             expand_indexed_definitions(reference, ctx), ctx, task.part.mistakes)
            if found is not None:
                diagnosis = found.name
                feedback.append(found.message)
                evidence.append(Evidence("diagnosis", found.message, {"name": found.name}))
        elif wrong is not None and wrong.before is not None:
            found = diagnose(expand_indexed_definitions(wrong.after.expr, ctx),
                             expand_indexed_definitions(wrong.before.expr, ctx), ctx, [])
            if found is not None:
                feedback.append(f"In step {wrong.number}: {found.message}")
                evidence.append(Evidence("diagnosis", f"Step {wrong.number}: {found.message}",
                                         {"name": found.name, "step": wrong.number}))
        if fraction >= 1 - 1e-9:
            status = Status.CORRECT
        elif fraction > 0:
            status = Status.PARTIAL
        else:
            status = Status.INCORRECT
        if any(s.ok is None for s in report.steps) or report.final.equivalent is None:
            feedback.append("Some steps could not be decided within the time budget; they earn no credit here "
                            "and may need a look by hand.")
        return self.result(task, status, fraction, feedback=feedback, evidence=evidence, diagnosis=diagnosis)


def _read_chain(blocks: list[str], text: str, ctx: Any) -> Chain:
    """The derivation in an answer: every math block's chain, one after the other (a block
    that starts with the derived quantity again continues the same derivation)."""
    sources = blocks or [text.strip()]
    members: list[Member] = []
    conditions = []
    for src in sources:
        if not src.strip():
            continue
        chain = parse_chain(src, ctx, syntax="auto")
        ms = chain.members
        if members and len(ms) > 1 and ms[0].is_name and ms[0].expr == members[0].expr:
            ms = ms[1:]
        members.extend(ms)
        conditions.extend(chain.conditions)
    if not members:
        raise GraderError("no derivation found (write it as a chain of '=' in $$ ... $$)")
    return Chain(members=members, conditions=conditions)


def _step_problem(step: Step) -> str:
    left = "the quantity asked for" if step.before is None else f"{step.before.text}"
    under = f" (under {', '.join(step.conditions)})" if step.conditions else ""
    if step.ok is None:
        return f"'{left} = {step.after.text}'{under} could not be decided in time."
    msg = step.verdict.message or "the two sides differ"
    return f"'{left} = {step.after.text}'{under} is not an equality: {msg}"


def _verdict_data(v: Any, text: str) -> dict[str, Any]:
    # the shape docs/reports.md gives a counterexample: the point and both values
    return {"point": _plain(v.counterexample), "student": _plain(v.student_value),
            "reference": _plain(v.reference_value), "expression": text, "method": v.method,
            "proven": v.proven, "shape_problem": v.shape_problem}


def _wrong_step_evidence(step: Step) -> Evidence:
    data = _verdict_data(step.verdict, step.after.text)
    data.update({"step": step.number, "from": None if step.before is None else step.before.text,
                 "to": step.after.text, "conditions": step.conditions})
    return Evidence("first-wrong-step", f"Step {step.number}: " + _step_problem(step), data)


def _steps_evidence(report: StepsReport, o: DerivationOptions) -> Evidence:
    rows = []
    for s in report.steps:
        rows.append({"step": s.number, "from": None if s.before is None else s.before.text, "to": s.after.text,
                     "ok": s.ok, "proven": s.verdict.proven, "method": s.verdict.method,
                     "conditions": s.conditions})
    n_ok = report.n_ok
    final = {True: "right", False: "not right", None: "undecided"}[report.final.equivalent]
    msg = f"{n_ok} of {len(report.steps)} steps follow; the final answer is {final}."
    return Evidence("derivation-steps", msg, {
        "steps": rows, "final_ok": report.final.equivalent, "final": report.final_member.text,
        "lhs": report.skipped_lhs.text if report.skipped_lhs is not None else None, "case": o.case})


def _plain(v: Any) -> Any:
    """JSON-safe copies of points and values (SymPy numbers, numpy arrays)."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if hasattr(v, "tolist"):
        return v.tolist()
    try:
        return float(v)
    except (TypeError, ValueError):
        return str(v)
