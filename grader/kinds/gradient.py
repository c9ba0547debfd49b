"""`gradient`: a student's gradient function, checked by centred finite differences of the
student's own loss, and against the reference when the reference is available.

The inputs are a small random problem described in exercise.toml (`inputs`, seeded from the
exercise and the student) passed positionally to both functions. The finite differences
are computed by calling the student's loss in the sandbox at perturbed points
(θ ± h at a seeded sample of `entries` positions per parameter); the comparison happens here:

    relative error = |analytic − numeric| / max(1e-8, |analytic| + |numeric|)

(the course's gradient check), which must stay below `max_rel_error` (1e-7 by default, in
float64). Without a reference (a student's self-check) the finite differences decide; with
one, the student's gradient must also equal the reference's, and an author's mistake (a
function of solution.py computing a known-wrong gradient) names the misconception.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.errors import ExerciseError, Location
from grader.kinds._code import (as_array, build_inputs, call_reference, check_input_spec, fmt, index_text,
                                isolation_evidence, no_unknown_keys, opt_name, opt_names, opt_number,
                                outcome, run_failed, run_student, shape_text, solution_function)
from grader.kinds.base import AnswerKind, CheckTask
from grader.results import Evidence, PartResult, Status
from grader.sandbox import Call

REL_FLOOR = 1e-8
#: forward and backward differences further apart than this (relative) mean a kink within ±h
KINK_TOL = 1e-3


@dataclass(frozen=True)
class GradientOptions:
    function: str
    loss: str
    params: tuple[str, ...]
    wrt: tuple[str, ...]
    inputs: dict[str, Any]
    h: float = 1e-5
    max_rel_error: float = 1e-7
    entries: int = 10
    rel_tol: float = 1e-6
    abs_tol: float = 1e-10
    fd_abs_tol: float = 1e-9  # below this absolute difference float64 differences cannot resolve more


@dataclass
class FDPoint:
    index: tuple[int, ...]
    analytic: float
    numeric: float

    @property
    def rel_error(self) -> float:
        return relative_error(self.analytic, self.numeric)


def relative_error(a: float, n: float) -> float:
    """The course's relative error between an analytic and a numeric derivative."""
    return abs(a - n) / max(REL_FLOOR, abs(a) + abs(n))


def fd_indices(shape: tuple[int, ...], count: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    """Up to `count` distinct positions of an array of `shape`, drawn from `rng`."""
    size = int(np.prod(shape)) if shape else 1
    flat = rng.choice(size, size=min(count, size), replace=False)
    return [tuple(int(i) for i in np.unravel_index(int(f), shape)) if shape else () for f in sorted(flat)]


def read_gradients(value: Any, params: tuple[str, ...]) -> dict[str, Any]:
    """{name: value} from what a gradient function returned: a dict, a (loss, dict) pair, or a
    tuple in the order of `params`. ValueError says what was returned instead."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[1], dict) and len(params) != 2:
        value = value[1]
    if isinstance(value, dict):
        missing = [p for p in params if p not in value]
        if missing:
            have = ", ".join(repr(k) for k in list(value)[:8]) or "no keys"
            raise ValueError(f"the dict it returned has no key {', '.join(repr(m) for m in missing)} (it has {have})")
        return {p: value[p] for p in params}
    if isinstance(value, (list, tuple)) and len(value) == len(params):
        return dict(zip(params, value))
    raise ValueError(f"it returned {type(value).__name__}; expected a dict "
                     f"{{{', '.join(repr(p) for p in params)}: ...}} or a tuple in that order")


class GradientKind(AnswerKind):
    name = "gradient"
    reference_from = None  # finite differences need no reference: works in self-checks too
    answer_from = "code"

    def parse_options(self, raw: dict[str, Any], where: Location) -> GradientOptions:
        known = {"function", "loss", "params", "wrt", "inputs", "h", "max_rel_error", "entries",
                 "rel_tol", "abs_tol", "fd_abs_tol"}
        no_unknown_keys(raw, known, self.name, where)
        inputs = raw.get("inputs")
        if not isinstance(inputs, dict) or not inputs:
            raise ExerciseError("'inputs' must be a table of the arguments, in order, e.g. "
                                "{X = {normal = [5, 4]}, W = {normal = [4, 3], scale = 0.1}, reg = 0.1}",
                                location=where)
        for name, spec in inputs.items():
            check_input_spec(name, spec, where)
        params = tuple(opt_names(raw, "params", where))
        for p in params:
            if p not in inputs:
                raise ExerciseError(f"'params' names '{p}', which is not in 'inputs'", location=where)
            spec = inputs[p]
            if not (isinstance(spec, dict) and ("normal" in spec or "uniform" in spec or "array" in spec)):
                raise ExerciseError(f"the parameter '{p}' must be a float array input (normal, uniform or array)",
                                    location=where)
        wrt = tuple(opt_names(raw, "wrt", where, list(params)))
        for w in wrt:
            if w not in params:
                raise ExerciseError(f"'wrt' names '{w}', which is not in 'params'", location=where)
        h = opt_number(raw, "h", where, 1e-5)
        return GradientOptions(
            function=opt_name(raw, "function", where), loss=opt_name(raw, "loss", where), params=params, wrt=wrt,
            inputs=dict(inputs), h=h, max_rel_error=opt_number(raw, "max_rel_error", where, 1e-7),
            entries=int(opt_number(raw, "entries", where, 10, integer=True)),
            rel_tol=opt_number(raw, "rel_tol", where, 1e-6), abs_tol=opt_number(raw, "abs_tol", where, 1e-10),
            fd_abs_tol=opt_number(raw, "fd_abs_tol", where, 1e-9),)

    # the problem and the calls -------------------------------------------------------------
    def problem(self, task: CheckTask) -> tuple[dict[str, Any], dict[str, list[tuple[int, ...]]]]:
        """The seeded inputs and the positions checked per parameter. Parts with the same
        functions and inputs get the same problem, so they share one sandbox run."""
        o: GradientOptions = task.part.options
        rng = task.ctx.rng("gradient", o.function, o.loss, json.dumps(o.inputs, sort_keys=True))
        values = build_inputs(o.inputs, rng)
        for p in o.params:
            values[p] = np.asarray(values[p], dtype=np.float64)
        positions = {p: fd_indices(values[p].shape, o.entries, rng) for p in o.params}
        return values, positions

    def calls(self, o: GradientOptions, values: dict[str, Any],
              positions: dict[str, list[tuple[int, ...]]]) -> list[Any]:
        calls = [Call(o.function, tuple(values.values()), label="grad"),
                 Call(o.loss, tuple(values.values()), label="loss0")]
        for p in o.params:
            for idx in positions[p]:
                for sign in (+1, -1):
                    moved = dict(values)
                    arr = values[p].copy()
                    arr[idx] += sign * o.h
                    moved[p] = arr
                    calls.append(Call(o.loss, tuple(moved.values()), label=self.fd_label(p, idx, sign)))
        return calls

    @staticmethod
    def fd_label(p: str, idx: tuple[int, ...], sign: int) -> str:
        return f"fd:{p}:{','.join(map(str, idx))}:{'+' if sign > 0 else '-'}"

    # checking ---------------------------------------------------------------------------------
    def check(self, task: CheckTask) -> PartResult:
        o: GradientOptions = task.part.options
        values, positions = self.problem(task)
        report = run_student(task, self.calls(o, values, positions))
        failed = run_failed(self, task, report, outcome(report, "grad"), f"`{o.function}`")
        if failed is not None:
            return failed
        try:
            grads = read_gradients(outcome(report, "grad").value, o.params)
        except ValueError as e:
            return self._wrong(task, report, [f"`{o.function}`: {e}."], [], Status.ERROR, "format")
        arrays: dict[str, np.ndarray] = {}
        for p in o.wrt:
            arr = as_array(grads[p])
            if arr is None or arr.dtype == object:
                return self._wrong(task, report, [f"The gradient for {p} is not an array of numbers."], [],
                                   Status.ERROR, "format")
            if arr.shape != values[p].shape:
                hint = " (transposed?)" if arr.shape == values[p].shape[::-1] and arr.ndim == 2 else ""
                return self._wrong(task, report, [
                    f"The gradient for {p} has {shape_text(arr)}, but {p} has {shape_text(values[p])}{hint}: "
                    f"a gradient has the shape of its parameter."], [], Status.INCORRECT,
                    "transposed" if hint else "wrong-shape")
            if not np.all(np.isfinite(arr)):
                return self._wrong(task, report, [f"The gradient for {p} contains NaN or infinity on a small "
                                                  "random problem."], [], Status.INCORRECT, "not-finite")
            arrays[p] = arr
        feedback: list[str] = []
        evidence: list[Evidence] = []
        fd_ok = True
        for p in o.wrt:
            ok, message, data = self._finite_differences(o, report, p, arrays[p], positions[p])
            if message is None:  # the loss itself failed at a perturbed point
                return self._wrong(task, report, [data["error"]], [], Status.ERROR, "loss-failed")
            fd_ok = fd_ok and ok
            evidence.append(Evidence("finite-differences", message, data))
            if not ok:
                feedback.append(message)
        reference = solution_function(task, o.function)
        if reference is None:
            if fd_ok:
                return self.result(task, Status.CORRECT, 1.0, answer_format="code",
                                   feedback=[e.message for e in evidence] + [
                                       "(Checked by finite differences only: no reference here.)"],
                                   evidence=evidence + [isolation_evidence(report)])
            return self._wrong(task, report, feedback, evidence, Status.INCORRECT, None)
        expected = read_gradients(call_reference(task, reference, *values.values()), o.params)
        ref_problems: list[str] = []
        for p in o.wrt:
            message = self._against_reference(o, p, arrays[p], np.asarray(expected[p], dtype=np.float64))
            if message:
                ref_problems.append(message)
                evidence.append(Evidence("reference", message, {"param": p}))
        if not ref_problems:
            notes = [f"{', '.join(o.wrt)}: matches the reference."]
            if not fd_ok:
                notes.append("Your gradient is right, but it does not match finite differences of your own "
                             f"`{o.loss}`: your loss function is probably wrong.")
            return self.result(task, Status.CORRECT, 1.0, feedback=notes + ([] if fd_ok else feedback),
                               evidence=evidence + [isolation_evidence(report)], answer_format="code")
        diagnosis, diag_message = self._diagnose(task, o, values, arrays, expected)
        feedback = ref_problems + feedback
        if fd_ok:
            feedback.append(f"Your gradient is consistent with your own `{o.loss}`, so both compute "
                            "something other than the loss the statement defines.")
        if diag_message:
            feedback.insert(0, diag_message)
            evidence.append(Evidence("diagnosis", diag_message, {"name": diagnosis}))
        return self._wrong(task, report, feedback, evidence, Status.INCORRECT, diagnosis)

    def _wrong(self, task: CheckTask, report: Any, feedback: list[str], evidence: list[Evidence],
               status: Status, diagnosis: str | None) -> PartResult:
        if not evidence:
            evidence = [Evidence(diagnosis or "gradient", m) for m in feedback]
        return self.result(task, status, 0.0, feedback=feedback, evidence=evidence + [isolation_evidence(report)],
                           diagnosis=diagnosis, answer_format="code")

    def _loss_value(self, o: GradientOptions, out: Any, where: str) -> float | str:
        """The loss a call returned, or the message saying why there is none."""
        if out is None or not out.ok:
            why = (out.limit or out.error) if out is not None else "it was not run"
            return f"Your `{o.loss}` failed {where}: {why}"
        value = as_array(out.value)
        if value is None or value.dtype == object or value.size != 1 or not np.isfinite(value).all():
            return f"Your `{o.loss}` must return one finite number; {where} it returned {fmt(out.value)}."
        return float(value.reshape(()))

    def _finite_differences(self, o: GradientOptions, report: Any, p: str, analytic: np.ndarray,
                            positions: list[tuple[int, ...]]) -> tuple[bool, str | None, dict[str, Any]]:
        """Compare `analytic` with centred differences at `positions`. An entry where the
        forward and backward differences disagree sits on a kink of the loss (a ReLU switching
        within ±h): no finite difference is meaningful there, so it is skipped and said."""
        base = self._loss_value(o, outcome(report, "loss0"), "at the test point")
        if isinstance(base, str):
            return False, None, {"error": base}
        points: list[FDPoint] = []
        kinks: list[tuple[int, ...]] = []
        for idx in positions:
            losses = []
            for sign in (+1, -1):
                value = self._loss_value(o, outcome(report, self.fd_label(p, idx, sign)),
                                         f"at a perturbed point ({index_text(p, idx)} {'+' if sign > 0 else '−'} h)")
                if isinstance(value, str):
                    return False, None, {"error": value}
                losses.append(value)
            forward, backward = (losses[0] - base) / o.h, (base - losses[1]) / o.h
            if abs(forward - backward) > KINK_TOL * max(1.0, abs(forward) + abs(backward)):
                kinks.append(idx)
                continue
            points.append(FDPoint(idx, float(analytic[idx]), (losses[0] - losses[1]) / (2 * o.h)))
        skipped = (f" ({len(kinks)} entr{'y' if len(kinks) == 1 else 'ies'} at a kink of the loss skipped: "
                   f"{', '.join(index_text(p, k) for k in kinks)})") if kinks else ""
        if not points:
            return True, f"{p}: every checked entry sits at a kink of the loss; nothing to compare{skipped}.", \
                {"param": p, "entries": 0, "kinks": [list(k) for k in kinks]}
        bad = [q for q in points if q.rel_error >= o.max_rel_error and abs(q.analytic - q.numeric) > o.fd_abs_tol]
        worst = max(bad or points, key=lambda q: q.rel_error)
        data = {"param": p, "entries": len(points), "max_rel_error": worst.rel_error, "h": o.h,
                "kinks": [list(k) for k in kinks],
                "worst": {"index": list(worst.index), "analytic": worst.analytic, "numeric": worst.numeric}}
        if not bad:
            return True, (f"{p}: matches centred finite differences of your `{o.loss}` (largest relative error "
                          f"{worst.rel_error:.1e} over {len(points)} entries){skipped}."), data
        return False, (f"{p}: your gradient disagrees with centred finite differences of your `{o.loss}`: at "
                       f"{index_text(p, worst.index)} your `{o.function}` gives {worst.analytic:.6g}, but "
                       f"(L({p} + h) − L({p} − h)) / 2h = {worst.numeric:.6g} with h = {o.h:g}; relative error "
                       f"{worst.rel_error:.1e}, which must be below {o.max_rel_error:.0e}{skipped}."), data

    def _against_reference(self, o: GradientOptions, p: str, given: np.ndarray, expected: np.ndarray) -> str | None:
        diff = np.abs(given - expected)
        bad = diff > o.abs_tol + o.rel_tol * np.abs(expected)
        if not bad.any():
            return None
        idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(np.where(bad, diff, -1))), diff.shape)) \
            if diff.ndim else ()
        return (f"{p}: your gradient differs from the right one on the same inputs: at {index_text(p, idx)} "
                f"you give {float(given[idx]):.6g}, expected {float(expected[idx]):.6g} "
                f"({int(bad.sum())} of {bad.size} entries differ).")

    def _diagnose(self, task: CheckTask, o: GradientOptions, values: dict[str, Any], given: dict[str, np.ndarray],
                  expected: dict[str, Any]) -> tuple[str | None, str | None]:
        """An author's mistake that reproduces the student's gradient, else a generic pattern."""
        for m in task.part.mistakes:
            fn = solution_function(task, m.answer.strip())
            assert fn is not None
            wrong = read_gradients(call_reference(task, fn, *values.values()), o.params)
            if all(np.allclose(given[p], np.asarray(wrong[p], dtype=np.float64), rtol=o.rel_tol, atol=o.abs_tol)
                   for p in o.wrt):
                return m.name, m.feedback
        exp = {p: np.asarray(expected[p], dtype=np.float64) for p in o.wrt}
        if all(np.allclose(given[p], -exp[p], rtol=o.rel_tol, atol=o.abs_tol) for p in o.wrt):
            return "sign-flipped", "Your gradient has the right size but the wrong sign."
        ratios = [given[p][exp[p] != 0] / exp[p][exp[p] != 0] for p in o.wrt]
        flat = np.concatenate(ratios) if ratios else np.array([])
        if flat.size and np.allclose(flat, flat[0], rtol=1e-6) and abs(flat[0] - 1) > 1e-6:
            return "scaled", f"Your gradient is exactly {flat[0]:.6g} times the right one: a constant factor is off."
        return None, None
