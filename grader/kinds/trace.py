"""`trace`: the iterates of an algorithm, compared step by step with the reference's.

The student's function (perceptron updates, gradient-descent or momentum steps, Armijo
backtracking) returns its states as a list, the initial state first. Each state is a dict
holding the part's `state` components (`{"w": [...], "b": 0.0}`) or a tuple of them in that
order. The same function of solutions/<id>/solution.py, called here on the same case, gives
the reference states; its states may carry extra `context` keys (the epoch, the sample, the
target) that say what each step did. The first step where the two differ is reported with
both states and the state before it; an update going the opposite way is diagnosed; a final
state that the part's `acceptable` check accepts but that is not the rule's is said in those
words.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.errors import ExerciseError, Location
from grader.kinds._code import (as_array, call_reference, fmt, isolation_evidence, no_unknown_keys, opt_name,
                                opt_names, opt_number, opt_str, outcome, plain, render_value,
                                run_failed, run_student, solution_function)
from grader.kinds.base import AnswerKind, CheckTask
from grader.results import Evidence, PartResult, Status
from grader.sandbox import Call

MAX_STEPS = 10_000
DEFAULT_ACCEPTABLE = "Your final state is acceptable, but it is not what the stated rule produces"


@dataclass(frozen=True)
class TraceOptions:
    function: str
    state: tuple[str, ...]
    cases: tuple[tuple[str, dict[str, Any]], ...]  # (label, keyword arguments as written)
    context: tuple[str, ...] = ()
    abs_tol: float = 1e-9
    rel_tol: float = 1e-6
    acceptable: str | None = None
    acceptable_message: str = DEFAULT_ACCEPTABLE
    acceptable_credit: float = 0.0


@dataclass
class Divergence:
    """Where and how a student's trace leaves the reference's (step 0 is the initial state)."""

    step: int
    message: str
    given: dict[str, np.ndarray] | None = None
    expected: dict[str, np.ndarray] | None = None
    before: dict[str, np.ndarray] | None = None
    context: dict[str, Any] = field(default_factory=dict)
    diagnosis: str | None = None
    diagnosis_message: str | None = None


class TraceFormatError(Exception):
    """The student's return value is not a list of states."""


def state_text(state: dict[str, np.ndarray] | None) -> str:
    if state is None:
        return "(none)"
    return ", ".join(f"{k} = {fmt(v)}" for k, v in state.items())


def read_states(value: Any, names: tuple[str, ...], who: str = "Your function") -> list[dict[str, np.ndarray]]:
    """The states of a trace as {component: float array}; TraceFormatError saying what is off."""
    if isinstance(value, np.ndarray) and value.ndim >= 1 and len(names) == 1:
        value = list(value)
    if not isinstance(value, (list, tuple)):
        raise TraceFormatError(f"{who} returned {type(value).__name__}, not a list of states "
                               f"(each {_state_form(names)})")
    if len(value) > MAX_STEPS:
        raise TraceFormatError(f"{who} returned {len(value)} states, more than the {MAX_STEPS} allowed")
    states = []
    for i, raw in enumerate(value):
        if isinstance(raw, dict):
            missing = [n for n in names if n not in raw]
            if missing:
                raise TraceFormatError(f"{who}: state {i} has no {', '.join(repr(m) for m in missing)} "
                                       f"(it has {', '.join(map(repr, list(raw)[:6])) or 'nothing'})")
            parts = [raw[n] for n in names]
        elif isinstance(raw, (list, tuple)) and len(names) > 1:
            if len(raw) != len(names):
                raise TraceFormatError(f"{who}: state {i} has {len(raw)} components, expected "
                                       f"{len(names)} ({', '.join(names)})")
            parts = list(raw)
        elif len(names) == 1:
            parts = [raw]
        else:
            raise TraceFormatError(f"{who}: state {i} is {type(raw).__name__}, expected {_state_form(names)}")
        state = {}
        for n, v in zip(names, parts):
            arr = as_array(v)
            if arr is None or arr.dtype == object:
                raise TraceFormatError(f"{who}: in state {i}, {n} is not a number or an array of numbers")
            state[n] = arr
        states.append(state)
    return states


def _state_form(names: tuple[str, ...]) -> str:
    if len(names) == 1:
        return f"the value of {names[0]}"
    return "a dict {" + ", ".join(f'"{n}": ...' for n in names) + "} or a tuple (" + ", ".join(names) + ")"


def _same(a: dict[str, np.ndarray], b: dict[str, np.ndarray], abs_tol: float, rel_tol: float) -> bool:
    for k in b:
        x, y = a[k], b[k]
        if x.shape != y.shape and not (x.size == y.size == 1):
            return False
        x = x.reshape(y.shape) if x.size == y.size else x
        if not np.all(np.isfinite(x)) or np.any(np.abs(x - y) > abs_tol + rel_tol * np.abs(y)):
            return False
    return True


def _context(raw: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return {}
    return {k: raw[k] for k in keys if k in raw}


def compare_traces(given: list[dict[str, np.ndarray]], expected: list[dict[str, np.ndarray]],
                   expected_raw: list[Any], o: TraceOptions) -> Divergence | None:
    """The first step where `given` leaves `expected`, or None when they agree throughout."""
    for k, (g, e) in enumerate(zip(given, expected)):
        if _same(g, e, o.abs_tol, o.rel_tol):
            continue
        ctx = _context(expected_raw[k], o.context)
        if k == 0:
            return Divergence(0, f"Your initial state is {state_text(g)}; the rule starts from {state_text(e)}.",
                              g, e, None, ctx)
        before = expected[k - 1]
        what = _step_text(k, ctx)
        d = Divergence(k, f"{what}: the rule gives {state_text(e)}; you have {state_text(g)} "
                          f"(before this step both were {state_text(before)}).", g, e, before, ctx)
        if _flipped(g, e, before):
            d.diagnosis = "update-sign-flipped"
            d.diagnosis_message = ("At this step your update goes the opposite way from the rule's: "
                                   "the error term (or the gradient) has the wrong sign.")
        return d
    if len(given) == len(expected):
        return None
    k = min(len(given), len(expected))
    if len(given) < len(expected):
        ctx = _context(expected_raw[k], o.context)
        return Divergence(k, f"Your trace stops after {len(given)} state(s), but the rule goes on: "
                             f"{_step_text(k, ctx)} gives {state_text(expected[k])}.",
                          None, expected[k], expected[k - 1] if k else None, ctx, "stops-early",
                          "Your loop stops before the rule's stopping condition is met.")
    return Divergence(k, f"The rule stops after {len(expected)} state(s) (at {state_text(expected[-1])}), "
                         f"but your trace goes on to {state_text(given[k])}.",
                      given[k], None, expected[-1], {}, "runs-on",
                      "Your loop does not stop when the rule's stopping condition is met.")


def _step_text(k: int, ctx: dict[str, Any]) -> str:
    if not ctx:
        return f"Step {k}"
    return f"Step {k} ({', '.join(f'{key} = {fmt(v)}' for key, v in ctx.items())})"


def _flipped(g: dict[str, np.ndarray], e: dict[str, np.ndarray], before: dict[str, np.ndarray]) -> bool:
    moved = False
    for key in e:
        if g[key].shape != e[key].shape:
            return False
        dg, de = g[key] - before[key], e[key] - before[key]
        if not np.allclose(dg, -de, rtol=1e-6, atol=1e-12):
            return False
        moved = moved or bool(np.any(de != 0))
    return moved


class TraceKind(AnswerKind):
    name = "trace"
    reference_from = "solution"
    answer_from = "code"

    def parse_options(self, raw: dict[str, Any], where: Location) -> TraceOptions:
        known = {"function", "state", "context", "cases", "abs_tol", "rel_tol", "acceptable",
                 "acceptable_message", "acceptable_credit"}
        no_unknown_keys(raw, known, self.name, where)
        cases_raw = raw.get("cases")
        if not isinstance(cases_raw, list) or not cases_raw:
            raise ExerciseError("'cases' must be a non-empty list of tables like "
                                "{label = \"AND\", args = {X = [[0, 0], [0, 1]], t = [0, 1]}}", location=where)
        cases = []
        for i, c in enumerate(cases_raw):
            if not isinstance(c, dict) or not isinstance(c.get("args"), dict) or set(c) - {"label", "args"}:
                raise ExerciseError(f"cases[{i}] must be a table with 'args' (a table of keyword arguments) "
                                    "and an optional 'label'", location=where)
            cases.append((str(c.get("label", f"case {i + 1}")), dict(c["args"])))
        credit = opt_number(raw, "acceptable_credit", where, 0.0, positive=False)
        if not 0 <= credit < 1:
            raise ExerciseError("'acceptable_credit' must be at least 0 and below 1", location=where)
        return TraceOptions(
            function=opt_name(raw, "function", where),
            state=tuple(opt_names(raw, "state", where)),
            cases=tuple(cases),
            context=tuple(opt_names(raw, "context", where, [])),
            abs_tol=opt_number(raw, "abs_tol", where, 1e-9),
            rel_tol=opt_number(raw, "rel_tol", where, 1e-6),
            acceptable=opt_name(raw, "acceptable", where) if "acceptable" in raw else None,
            acceptable_message=opt_str(raw, "acceptable_message", where, DEFAULT_ACCEPTABLE),
            acceptable_credit=credit
        )

    def check(self, task: CheckTask) -> PartResult:
        o: TraceOptions = task.part.options
        reference = solution_function(task, o.function)
        if reference is None:
            return self.result(task, Status.ERROR, answer_format="code", feedback=[
                "This part compares your steps with the reference solution, which is not available here."])
        cases = [(str(render_value(label, task.ctx.parameters)), render_value(args, task.ctx.parameters))
                 for label, args in o.cases]
        report = run_student(task, self.calls(task))
        matched = 0
        feedback: list[str] = []
        evidence: list[Evidence] = []
        diagnosis = None
        acceptable_only = True
        for i, (label, args) in enumerate(cases):
            out = outcome(report, f"{task.part.id}:case{i}")
            failed = run_failed(self, task, report, out, f"`{o.function}` on {label}")
            if failed is not None:
                if len(cases) == 1:
                    return failed
                feedback += failed.feedback
                evidence += [e for e in failed.evidence if e.kind != "isolation"]
                acceptable_only = False
                continue
            expected_raw = call_reference(task, reference, **args)
            expected = read_states(expected_raw, o.state, "The reference")
            try:
                given = read_states(out.value, o.state, f"`{o.function}` on {label}")
            except TraceFormatError as e:
                feedback.append(str(e))
                evidence.append(Evidence("format", str(e)))
                acceptable_only = False
                continue
            d = compare_traces(given, expected, list(expected_raw), o)
            if d is None:
                matched += 1
                continue
            mistake = self._mistake(task, given, args, o)
            if mistake:
                d.diagnosis, d.diagnosis_message = mistake
            step_at = len(feedback)
            feedback.append(f"{label}: {d.message}")
            evidence.append(Evidence("first-diverging-step", f"{label}: {d.message}", {
                "case": label, "step": d.step, "given": plain(d.given), "expected": plain(d.expected),
                "before": plain(d.before), "context": plain(d.context)}))
            same_end = bool(given) and _same(given[-1], expected[-1], o.abs_tol, o.rel_tol)
            if same_end:
                feedback.append(f"{label}: your final state is the rule's, but the steps that lead there are "
                                "not: the order or the condition of the updates differs.")
            comparable = bool(given) and all(given[-1][k].shape == expected[-1][k].shape for k in o.state)
            accepted = comparable and not same_end and self._acceptable(task, o, given[-1], args)
            if accepted:
                text = (f"{label}: {o.acceptable_message}: yours end at {state_text(given[-1])}, "
                        f"the rule ends at {state_text(expected[-1])}.")
                feedback.insert(0, text)
                evidence.append(Evidence("acceptable-not-rule", text, {"case": label}))
                diagnosis = diagnosis or (d.diagnosis if mistake else "acceptable-not-rule")
            else:
                acceptable_only = False
                if d.diagnosis_message:  # the likely misconception first, then the step
                    feedback.insert(step_at, d.diagnosis_message)
                    evidence.append(Evidence("diagnosis", d.diagnosis_message, {"name": d.diagnosis}))
                diagnosis = diagnosis or d.diagnosis
        evidence.append(isolation_evidence(report))
        if matched == len(cases):
            return self.result(task, Status.CORRECT, 1.0, answer_format="code", evidence=evidence, feedback=[
                f"Every step matches the rule ({', '.join(label for label, _ in cases)})."])
        feedback = list(dict.fromkeys(feedback))  # one diagnosis shared by several cases is said once
        fraction = matched / len(cases)
        if acceptable_only and o.acceptable_credit > 0:
            fraction += (1 - fraction) * o.acceptable_credit
        status = Status.PARTIAL if fraction > 0 else Status.INCORRECT
        return self.result(task, status, fraction, feedback=feedback, evidence=evidence,
                           diagnosis=diagnosis, answer_format="code")

    def calls(self, task: CheckTask) -> list[Call]:
        """The calls of every trace part of the exercise, so that one sandbox run (cached)
        serves them all instead of one run per part."""
        calls = []
        for part in task.ctx.exercise.parts:
            if part.kind != self.name:
                continue
            o: TraceOptions = part.options
            for i, (_, args) in enumerate(o.cases):
                calls.append(Call(o.function, kwargs=render_value(args, task.ctx.parameters), label=f"{part.id}:case{i}"))
        return calls

    def _mistake(self, task: CheckTask, given: list[dict[str, np.ndarray]], args: dict[str, Any],
                 o: TraceOptions) -> tuple[str, str] | None:
        """An author's mistake (a function of solution.py producing the wrong trace) that
        reproduces the student's trace exactly."""
        for m in task.part.mistakes:
            fn = solution_function(task, m.answer.strip())
            assert fn is not None
            wrong = read_states(call_reference(task, fn, **args), o.state, f"The mistake {m.name}")
            if len(wrong) == len(given) and all(_same(g, w, o.abs_tol, o.rel_tol) for g, w in zip(given, wrong)):
                return m.name, m.feedback
        return None

    def _acceptable(self, task: CheckTask, o: TraceOptions, final: dict[str, np.ndarray] | None,
                    args: dict[str, Any]) -> bool:
        if o.acceptable is None or final is None:
            return False
        fn = solution_function(task, o.acceptable)
        assert fn is not None
        verdict = call_reference(task, fn, {k: v.copy() for k, v in final.items()}, **args)
        return isinstance(verdict, (bool, np.bool_)) and bool(verdict)
