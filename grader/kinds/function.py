"""The `function` kind: call the student's function on seeded inputs, compare with solution.py.

```toml
[[parts]]
id = "softmax"
kind = "function"
points = 2
function = "softmax"        # the student's function (default: the part id)
reference = "softmax"       # the function in solutions/<id>/solution.py (default: `function`)
cases = [                   # fixed inputs; lists of numbers become float arrays, "{{ p }}" a parameter
  { args = [[1.0, 2.0, 3.0]] },
  { args = [["{{ scale }}", 0.0]], kwargs = { axis = -1 } },
  { args = [[1000.0, 1000.0, 1000.0]], note = "Inputs of 1000 must not overflow: subtract the maximum first." },
]
generate = "softmax_cases"  # optional: solution.py's softmax_cases(params, rng) -> [argument tuples]
rel_tol = 1e-6              # values match when |a - e| <= abs_tol + rel_tol·|e|
abs_tol = 1e-9
dtype = "kind"              # "kind": bool/number/complex must agree; "exact": same dtype; "any"
reveal = true               # show the expected value of a failing case
limits = { cpu_s = 5 }      # optional, over the exercise's [limits]
  [[parts.mistakes]]        # a known wrong version in solution.py: same outputs → this feedback
  name = "no-max-shift"
  answer = "softmax_naive"
  feedback = "exp overflows for large inputs: subtract max(z) before exponentiating."
```
The reference runs here (instructor code is trusted); the student's function runs only in
the sandbox, and its values come back as plain data.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from grader.errors import ExerciseError, Location
from grader.kinds._code import render_value
from grader.kinds._compare import Mismatch, at_path, compare, element, short
from grader.kinds.base import AnswerKind, CheckTask
from grader.results import Evidence, PartResult, Status
from grader.sandbox import Call, run_calls
from grader.sandbox.limits import limits_for
from grader.solutions import load_solution

KEYS = {"function", "reference", "cases", "generate", "rel_tol", "abs_tol", "dtype", "reveal"}
MAX_CASES = 200


@dataclass
class Case:
    args: tuple
    kwargs: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    name: str = ""


@dataclass
class FunctionOptions:
    function: str
    reference: str
    cases: list[Case]
    generate: str | None
    rel_tol: float
    abs_tol: float
    dtype: str
    reveal: bool


def _at(where: Location, key: str) -> Location:
    return Location(file=where.file, key=f"{where.key}.{key}" if where.key else key, part=where.part)


def _as_input(v: Any) -> Any:
    """TOML lists of numbers become float arrays (what numerical code expects); strings such
    as "{{ alpha }}" stay until check time, when the student's parameters are known."""
    if isinstance(v, list) and any(isinstance(x, str) for x in v):
        return v
    if isinstance(v, list):
        try:
            arr = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            return [_as_input(x) for x in v]
        return arr
    if isinstance(v, dict):
        return {k: _as_input(x) for k, x in v.items()}
    return v


def _number(raw: dict, key: str, default: float, where: Location) -> float:
    v = raw.get(key, default)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        raise ExerciseError(f"'{key}' must be a non-negative number, not {v!r}", location=_at(where, key))
    return float(v)


class FunctionKind(AnswerKind):
    name = "function"
    reference_from = "solution"
    answer_from = "code"

    def parse_options(self, raw: dict[str, Any], where: Location) -> FunctionOptions:
        extra = set(raw) - KEYS
        if extra:
            raise ExerciseError(f"unknown key(s) for a 'function' part: {', '.join(sorted(extra))} "
                                f"(known: {', '.join(sorted(KEYS))})", location=where)
        fn = raw.get("function", where.part)
        if not isinstance(fn, str) or not fn.isidentifier():
            raise ExerciseError(f"'function' must name a Python function, not {fn!r}", location=_at(where, "function"))
        ref = raw.get("reference", fn)
        if not isinstance(ref, str) or not ref.isidentifier():
            raise ExerciseError(f"'reference' must name a function of solution.py, not {ref!r}",
                                location=_at(where, "reference"))
        gen = raw.get("generate")
        if gen is not None and (not isinstance(gen, str) or not gen.isidentifier()):
            raise ExerciseError(f"'generate' must name a function of solution.py, not {gen!r}",
                                location=_at(where, "generate"))
        raw_cases = raw.get("cases", [])
        if not isinstance(raw_cases, list):
            raise ExerciseError("'cases' must be a list of tables like { args = [[1.0, 2.0]] }",
                                location=_at(where, "cases"))
        cases = []
        for i, c in enumerate(raw_cases):
            loc = _at(where, f"cases[{i}]")
            if not isinstance(c, dict) or not isinstance(c.get("args", []), list):
                raise ExerciseError("a case must be a table with 'args' (a list of arguments)", location=loc)
            bad = set(c) - {"args", "kwargs", "note", "name"}
            if bad:
                raise ExerciseError(f"unknown key(s) {', '.join(sorted(bad))} (known: args, kwargs, note, name)",
                                    location=loc)
            if not isinstance(c.get("kwargs", {}), dict) or not isinstance(c.get("note", ""), str):
                raise ExerciseError("'kwargs' must be a table and 'note' a string", location=loc)
            cases.append(Case(tuple(_as_input(a) for a in c.get("args", [])), _as_input(c.get("kwargs", {})),
                              c.get("note", ""), str(c.get("name", ""))))
        if not cases and gen is None:
            raise ExerciseError("a 'function' part needs 'cases', 'generate', or both", location=where)
        dtype = raw.get("dtype", "kind")
        if dtype not in ("kind", "exact", "any"):
            raise ExerciseError(f"'dtype' must be \"kind\", \"exact\" or \"any\", not {dtype!r}",
                                location=_at(where, "dtype"))
        reveal = raw.get("reveal", True)
        if not isinstance(reveal, bool):
            raise ExerciseError("'reveal' must be true or false", location=_at(where, "reveal"))
        return FunctionOptions(fn, ref, cases, gen, _number(raw, "rel_tol", 1e-6, where),
                               _number(raw, "abs_tol", 1e-9, where), dtype, reveal)

    # -----------------------------------------------------------------------------------
    def check(self, task: CheckTask) -> PartResult:
        opts: FunctionOptions = task.part.options
        assert task.answer is not None
        solution = _solution(task)
        params = task.ctx.parameters
        cases = [Case(tuple(render_value(a, params) for a in c.args),
                      {k: render_value(v, params) for k, v in c.kwargs.items()},
                      str(render_value(c.note, params)), c.name)
                 for c in opts.cases] + _generated(task, solution, opts)
        reference = _function(solution, opts.reference, task)
        expected = [_call_reference(reference, c, task) for c in cases]
        calls = [Call(opts.function, c.args, c.kwargs, label=f"case {i + 1}") for i, c in enumerate(cases)]
        report = run_calls(task.answer.code_files, calls, limits_for(task.ctx.exercise, task.part))
        iso = Evidence("isolation", report.isolation_note, {"isolation": report.isolation})
        if report.load_error:
            msg = f"Your code could not be loaded: {report.load_error}"
            return self.result(task, Status.ERROR, feedback=[msg],
                               evidence=[Evidence("load-error", msg), iso], answer_format="code")
        fatal = next((o for o in report.outcomes if o.fatal or o.limit), None)
        if fatal is not None:  # a limit, a crash, channel misuse: the code is at fault, not an input
            msg = f"Your code failed: {fatal.message}."
            if fatal.limit:
                msg = f"Your code {fatal.limit}" + (f" (on {fatal.label})" if len(cases) > 1 else "") + "."
            return self.result(task, Status.ERROR, feedback=[msg],
                               evidence=[Evidence("limit" if fatal.limit else "error", msg,
                                                  {"call": fatal.label, "limit": fatal.limit_kind}), iso],
                               answer_format="code")
        failures: list[tuple[int, str, Mismatch | None]] = []
        for i, (case, exp, out) in enumerate(zip(cases, expected, report.outcomes)):
            if not out.ok:
                failures.append((i, f"raised {out.error}" if out.error_kind == "exception" else f"failed: {out.error}",
                                 None))
                continue
            m = compare(exp, out.value, opts.rel_tol, opts.abs_tol, opts.dtype)
            if m is not None:
                failures.append((i, m.message, m))
        passed = len(cases) - len(failures)
        if not failures:
            return self.result(task, Status.CORRECT, 1.0,
                               feedback=[f"`{opts.function}` matches the reference on all {len(cases)} inputs."],
                               evidence=[iso], answer_format="code")
        i, text, mismatch = failures[0]
        case, out = cases[i], report.outcomes[i]
        call_text = _call_text(opts.function, case)
        lines = [f"`{opts.function}` is wrong on {len(failures)} of {len(cases)} inputs. "
                 f"First failing input: {call_text} {text}."]
        data: dict[str, Any] = {"input": call_text, "case": i + 1, "failed": len(failures), "cases": len(cases)}
        if mismatch is not None:
            act_part, exp_part = at_path(out.value, mismatch.path), at_path(expected[i], mismatch.path)
            lines.append(f"Your value: {short(act_part)}")
            data["actual"] = short(act_part)
            if opts.reveal:
                lines.append(f"Expected: {short(exp_part)}")
                data["expected"] = short(exp_part)
                if mismatch.index is not None and mismatch.max_error is not None:
                    e_el, a_el = element(exp_part, mismatch.index), element(act_part, mismatch.index)
                    at = f" at index {mismatch.index}" if mismatch.index else ""
                    if e_el is not None and a_el is not None:
                        lines.append(f"Largest error {mismatch.max_error:.3g}{at}: expected {e_el:.8g}, "
                                     f"got {a_el:.8g}.")
                    else:
                        lines.append(f"Largest error {mismatch.max_error:.3g}{at}.")
                if mismatch.max_error is not None:
                    data["max_error"] = mismatch.max_error
            data["what"] = mismatch.what
        if case.note:
            lines.append(case.note)
        diagnosis = None
        for mistake in task.part.mistakes:
            if _reproduces(solution, mistake.answer, cases, report.outcomes, opts, task):
                diagnosis = mistake.name
                lines.append(mistake.feedback)
                break
        status = Status.PARTIAL if passed else Status.INCORRECT
        ev = [Evidence("failing-input", lines[0], data)]
        if diagnosis:
            ev.append(Evidence("diagnosis", lines[-1], {"mistake": diagnosis}))
        return self.result(task, status, passed / len(cases), feedback=lines, evidence=ev + [iso],
                           diagnosis=diagnosis, answer_format="code")

    # --- release bundles: reference outputs on the public cases as fingerprints (grader/release/)
    def fingerprint(self, task: CheckTask) -> dict[str, Any] | None:
        from grader.release.function_fp import function_fingerprint
        return function_fingerprint(task, _solution(task), _function, _call_reference)

    def check_offline(self, task: CheckTask, fingerprint: dict[str, Any]) -> PartResult:
        from grader.release.function_fp import check_function_offline
        return check_function_offline(self, task, fingerprint, _call_text)


# ---------------------------------------------------------------------------------------
def _solution(task: CheckTask) -> Any:
    path = task.reference.solution_file
    if path is None:
        raise ExerciseError(f"part '{task.part.id}' needs solutions/{task.ctx.exercise.id}/solution.py, "
                            "which is not available here")
    return load_solution(path)


def _function(solution: Any, name: str, task: CheckTask) -> Callable[..., Any]:
    fn = getattr(solution, name, None)
    if not callable(fn):
        raise ExerciseError(f"solution.py defines no function '{name}' (part '{task.part.id}' needs it)",
                            file=str(task.reference.solution_file))
    return fn


def _generated(task: CheckTask, solution: Any, opts: FunctionOptions) -> list[Case]:
    if opts.generate is None:
        return []
    hook = _function(solution, opts.generate, task)
    rng = task.ctx.rng("function", task.part.id)
    try:
        raw = list(hook(dict(task.ctx.parameters), rng))
    except Exception as e:
        raise ExerciseError(f"{opts.generate}(params, rng) failed: {type(e).__name__}: {e}",
                            file=str(task.reference.solution_file), part=task.part.id) from None
    cases = []
    for item in raw[:MAX_CASES]:
        if isinstance(item, dict):
            cases.append(Case(tuple(item.get("args", ())), dict(item.get("kwargs", {})), str(item.get("note", ""))))
        elif isinstance(item, tuple):
            cases.append(Case(item))
        else:
            raise ExerciseError(f"{opts.generate} must return argument tuples or dicts with 'args', "
                                f"not {type(item).__name__}", file=str(task.reference.solution_file))
    return cases


def _call_reference(fn: Callable[..., Any], case: Case, task: CheckTask) -> Any:
    try:
        with np.errstate(all="ignore"):
            return fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    except Exception as e:
        raise ExerciseError(f"the reference {getattr(fn, '__name__', fn)} failed on "
                            f"{_call_text(getattr(fn, '__name__', '?'), case)}: {type(e).__name__}: {e}",
                            file=str(task.reference.solution_file), part=task.part.id) from None


def _reproduces(solution: Any, name: str, cases: list[Case], outcomes: list, opts: FunctionOptions,
                task: CheckTask) -> bool:
    """True when the mistake function in solution.py gives the student's outputs on every case."""
    fn = _function(solution, name, task)
    for case, out in zip(cases, outcomes):
        try:
            with np.errstate(all="ignore"):
                wrong = fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        except Exception:
            if out.ok:
                return False
            continue
        if not out.ok or compare(wrong, out.value, opts.rel_tol, opts.abs_tol, "any") is not None:
            return False
    return True


def _call_text(fn: str, case: Case) -> str:
    parts = [short(a, 120) for a in case.args] + [f"{k}={short(v, 120)}" for k, v in case.kwargs.items()]
    return f"{fn}({', '.join(parts)})"
