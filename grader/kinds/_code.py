"""Helpers shared by the kinds that check code (gradient, trace, training, vectorised).

Not a kind itself: the registry skips `_`-prefixed modules. Student code only ever runs in
the sandbox (`grader.sandbox.run_calls`); what comes back is plain data, compared here in the
grader's process. The instructor's solution.py is trusted and is imported here.
"""
from __future__ import annotations

import hashlib
import json
import math
import pickle
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable

import numpy as np

from grader.errors import ExerciseError, Location
from grader.kinds.base import CheckTask
from grader.results import Evidence, PartResult, Status
from grader.sandbox import Call, CallOutcome, RunReport, run_calls
from grader.sandbox.limits import limits_for
from grader.solutions import load_solution

# --- option parsing helpers --------------------------------------------------------------


def opt_str(raw: dict[str, Any], key: str, where: Location, default: str | None = None) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ExerciseError(f"'{key}' must be a non-empty string" + ("" if key in raw else " (it is missing)"),
                            location=_at(where, key))
    return value


def opt_name(raw: dict[str, Any], key: str, where: Location, default: str | None = None) -> str:
    """A Python identifier (a function or argument name)."""
    value = opt_str(raw, key, where, default)
    if not value.isidentifier():
        raise ExerciseError(f"'{key}' must be a Python name, not {value!r}", location=_at(where, key))
    return value


def opt_names(raw: dict[str, Any], key: str, where: Location, default: list[str] | None = None) -> list[str]:
    value = raw.get(key, default)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.isidentifier() for v in value):
        raise ExerciseError(f"'{key}' must be a list of Python names, not {value!r}", location=_at(where, key))
    return list(value)


def opt_number(raw: dict[str, Any], key: str, where: Location, default: float, *,
               positive: bool = True, integer: bool = False) -> float:
    value = raw.get(key, default)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok and integer and not isinstance(value, int):
        ok = False
    if ok and positive and value <= 0:
        ok = False
    if not ok:
        what = "a positive " if positive else "a "
        raise ExerciseError(f"'{key}' must be {what}{'integer' if integer else 'number'}, not {value!r}",
                            location=_at(where, key))
    return int(value) if integer else float(value)


def no_unknown_keys(raw: dict[str, Any], known: set[str], kind: str, where: Location) -> None:
    extra = set(raw) - known
    if extra:
        raise ExerciseError(f"unknown key(s) for a '{kind}' part: {', '.join(sorted(extra))} "
                            f"(known: {', '.join(sorted(known))})", location=where)


def _at(where: Location, key: str) -> Location:
    return Location(file=where.file, key=f"{where.key}.{key}" if where.key else key, part=where.part)


# --- inputs described in exercise.toml -----------------------------------------------------

_RANDOM = {"normal", "uniform", "integers"}


def check_input_spec(name: str, spec: Any, where: Location, symbols: tuple[str, ...] = ()) -> None:
    """Validate one entry of an `inputs` table (a literal, or a seeded random array whose
    shape may use the size `symbols`, e.g. ["N", 4])."""
    loc = _at(where, f"inputs.{name}")
    if isinstance(spec, dict):
        kinds = _RANDOM & set(spec) | ({"array"} & set(spec))
        if len(kinds) != 1:
            raise ExerciseError("an input table needs exactly one of normal, uniform, integers, array "
                                "(e.g. {normal = [4, 5], scale = 0.5})", location=loc)
        kind = kinds.pop()
        extra = set(spec) - {kind, "scale", "low", "high"}
        if extra:
            raise ExerciseError(f"unknown key(s) {', '.join(sorted(extra))}", location=loc)
        if kind == "array":
            try:
                np.asarray(spec["array"], dtype=float)
            except (TypeError, ValueError):
                raise ExerciseError("'array' must be a rectangular list of numbers", location=loc) from None
            return
        shape = spec[kind]
        if isinstance(shape, int):
            shape = [shape]
        fixed = [s for s in shape if s not in symbols] if isinstance(shape, list) else None
        if (fixed is None or not all(isinstance(s, int) and not isinstance(s, bool) and 0 < s <= 10_000
                                     for s in fixed) or int(np.prod(fixed)) > 1_000_000):
            also = f" or {', '.join(repr(x) for x in symbols)}" if symbols else ""
            raise ExerciseError(f"'{kind}' must be a shape: a list of positive integers{also}, not {shape!r}",
                                location=loc)
        if kind == "integers" and not isinstance(spec.get("high"), int):
            raise ExerciseError("'integers' needs an integer 'high' (values are 0 … high−1)", location=loc)
        return
    if isinstance(spec, (bool, int, float, str)):
        return
    if isinstance(spec, list):
        try:
            np.asarray(spec, dtype=float)
        except (TypeError, ValueError):
            raise ExerciseError("a list input must be a rectangular list of numbers", location=loc) from None
        return
    raise ExerciseError(f"cannot use {spec!r} as an input", location=loc)


def build_inputs(specs: dict[str, Any], rng: np.random.Generator, sizes: dict[str, int] | None = None) -> dict[str, Any]:
    """Concrete values for validated input specs, drawn in key order from `rng`; `sizes`
    gives the size symbols their values."""
    out: dict[str, Any] = {}
    for name, spec in specs.items():
        if isinstance(spec, dict):
            if "array" in spec:
                out[name] = np.asarray(spec["array"], dtype=np.float64)
                continue
            kind = next(k for k in ("normal", "uniform", "integers") if k in spec)
            raw_shape = spec[kind] if isinstance(spec[kind], list) else [spec[kind]]
            shape = tuple((sizes or {}).get(d, d) if isinstance(d, str) else d for d in raw_shape)
            if kind == "normal":
                out[name] = rng.normal(0.0, float(spec.get("scale", 1.0)), size=shape)
            elif kind == "uniform":
                out[name] = rng.uniform(float(spec.get("low", -1.0)), float(spec.get("high", 1.0)), size=shape)
            else:
                out[name] = rng.integers(int(spec.get("low", 0)), int(spec["high"]), size=shape).astype(np.int64)
        elif isinstance(spec, list):
            out[name] = np.asarray(spec, dtype=np.float64)
        else:
            out[name] = spec
    return out


def render_value(value: Any, params: dict[str, Any]) -> Any:
    """A case value from exercise.toml with "{{ parameter }}" strings replaced by numbers."""
    if isinstance(value, str) and "{{" in value:
        from grader.checking import render_template

        text = render_template(value, params, "exercise.toml").strip()
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and "." not in text else number
    if isinstance(value, list):
        rendered = [render_value(v, params) for v in value]
        try:
            arr = np.asarray(rendered, dtype=np.float64)
        except (TypeError, ValueError):
            return rendered
        return arr
    if isinstance(value, dict):
        return {k: render_value(v, params) for k, v in value.items()}
    return value


# --- the instructor's solution.py (trusted, runs here) ------------------------------------

def solution_function(task: CheckTask, name: str) -> Callable[..., Any] | None:
    """The reference's function `name`, or None when no solution is available (self-check)."""
    path = task.reference.solution_file
    if path is None:
        return None
    fn = getattr(load_solution(path), name, None)
    if not callable(fn):
        raise ExerciseError(f"solution.py defines no function '{name}' (part '{task.part.id}' needs it)",
                            file=str(path))
    return fn


def call_reference(task: CheckTask, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call instructor code on private copies of the inputs; its failure is an exercise error."""
    import copy

    try:
        return fn(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except Exception as e:
        raise ExerciseError(f"the reference {getattr(fn, '__name__', fn)} failed: {type(e).__name__}: {e}",
                            part=task.part.id) from None


# --- running the student's code -------------------------------------------------------------

_RUNS: "OrderedDict[str, Any]" = OrderedDict()
_RUN_CACHE_SIZE = 16


def run_student(task: CheckTask, calls: list[Call]) -> RunReport:
    """Run `calls` on the student's code in the sandbox; identical runs (the four gradient
    parts of one submission) share one sandbox run."""
    assert task.answer is not None
    files = list(task.answer.code_files)
    limits = limits_for(task.ctx.exercise, task.part)
    h = hashlib.sha256()
    for f in files:
        h.update(str(f).encode() + b"\0")
        try:
            h.update(Path(f).read_bytes())
        except OSError:
            h.update(b"<unreadable>")
    # the calls as pickled: faithful to every value (arrays by dtype, shape and bytes), and
    # written by C code; equal calls built another way may miss the cache, never share a run
    try:
        h.update(pickle.dumps([(c.function, c.args, c.kwargs, c.label, c.want_value) for c in calls],
                              protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError):  # an argument pickle cannot write: no sharing
        return run_calls(files, calls, limits)
    h.update(repr(limits).encode())
    key = h.hexdigest()
    if key in _RUNS:
        _RUNS.move_to_end(key)
        return _RUNS[key]
    report = run_calls(files, calls, limits)
    _RUNS[key] = report
    while len(_RUNS) > _RUN_CACHE_SIZE:
        _RUNS.popitem(last=False)
    return report


def isolation_evidence(report: RunReport) -> Evidence:
    return Evidence("isolation", report.isolation_note, {"isolation": report.isolation})


def outcome_problem(outcome: CallOutcome | None, what: str) -> tuple[str, str] | None:
    """(evidence kind, message) when a call did not return normally, else None."""
    if outcome is None:
        return "error", f"{what} was not run."
    if outcome.limit:
        return "limit", f"Your code {outcome.limit}."
    if outcome.ok:
        return None
    error = outcome.error or "it failed"
    if error.startswith("your code"):  # the sandbox's own sentence: no such function, ...
        return "error", f"{error[0].upper()}{error[1:]}."
    if outcome.error_kind == "exception":
        return "exception", f"{what} raised {error}"
    return "error", f"{what} failed: {error}"


def run_failed(kind: Any, task: CheckTask, report: RunReport, outcome: CallOutcome | None, what: str) -> PartResult | None:
    """A zero with the reason when the module did not load or the call failed, else None."""
    if getattr(report, "load_error", None):
        message = f"Your code could not be loaded: {report.load_error}"
        return kind.result(task, Status.ERROR, feedback=[message],
                           evidence=[Evidence("load-error", message), isolation_evidence(report)],
                           answer_format="code")
    problem = outcome_problem(outcome, what)
    if problem is None:
        return None
    ev_kind, message = problem
    return kind.result(task, Status.ERROR, feedback=[message],
                       evidence=[Evidence(ev_kind, message), isolation_evidence(report)], answer_format="code")


def outcome(report: RunReport, label: str) -> CallOutcome | None:
    return next((o for o in report.outcomes if o.label == label), None)


# --- values ------------------------------------------------------------------------------------


def as_array(value: Any) -> np.ndarray | None:
    """A float64 array from plain data returned by student code, or None if it is not numeric."""
    if isinstance(value, (bool, int, float, np.number, np.bool_)):
        return np.asarray(value, dtype=np.float64)
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return None
        return arr
    return None


def fmt(value: Any) -> str:
    """A short, readable rendering of a number or an array."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return f"{float(value):.6g}"
        return np.array2string(value, threshold=16, edgeitems=2, separator=", ", max_line_width=100,
                               formatter={"float_kind": lambda v: f"{v:.6g}"})
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {fmt(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        arr = as_array(value)
        return fmt(arr) if arr is not None else repr(value)[:200]
    return repr(value)[:200]


def shape_text(arr: np.ndarray) -> str:
    return "a scalar" if arr.ndim == 0 else "shape " + " × ".join(map(str, arr.shape))


def plain(value: Any) -> Any:
    """JSON-safe copy for evidence data."""
    return json.loads(json.dumps(value, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))


def index_text(name: str, idx: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(map(str, idx))}]" if idx else name


def same_value(given: Any, expected: Any, rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """Whether plain data from the student equals the reference's (dicts by key, sequences
    element by element, numbers and arrays within tolerance). Never calls the student's
    value's own methods: it is plain data, read through numpy."""
    if isinstance(expected, dict):
        return (isinstance(given, dict) and set(map(str, given)) >= set(map(str, expected))
                and all(same_value(given[k], v, rel_tol, abs_tol) for k, v in expected.items()))
    exp = as_array(expected)
    if exp is None or exp.dtype == object:
        if isinstance(expected, (list, tuple)):
            return (isinstance(given, (list, tuple)) and len(given) == len(expected)
                    and all(same_value(g, e, rel_tol, abs_tol) for g, e in zip(given, expected)))
        return False
    got = as_array(given)
    if got is None or got.dtype == object or got.shape != exp.shape or not np.all(np.isfinite(got)):
        return False
    return bool(np.all(np.abs(got - exp) <= abs_tol + rel_tol * np.abs(exp)))
