"""Offline checks of `expression` parts: the reference's values at seeded sample points.

At release time the reference is made concrete exactly as the equivalence check does it
(grader/math/equivalence.py: definitions substituted, free indices run over their ranges,
sums written out, vector and matrix entries as plain symbols) and evaluated at seeded
points drawn over the part's declared symbols and domains. The bundle keeps the points (they
are public: any expression may be evaluated there) and each value as a fingerprint at the
comparison's tolerance (grader/release/fingerprint.py). The author's mistakes are kept the
same way. At check time the student's expression is evaluated at the same points and
matched: agreement at every point is "numerically established, not proven".

Modes "exact" and "tolerance" are supported; "additive_constant" and "positive_factor"
parts are left to the instructor (their comparison needs the reference's values in clear).
"""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from grader.errors import ExerciseError, GraderError, MathSyntaxError
from grader.kinds.base import AnswerKind, CheckTask
from grader.math.context import MathContext
from grader.math.equivalence import (DEN, MAX_INDEX_CASES, _Concrete, _dims_of, _Entries, _flat, _fmt, _free,
                                     _free_indices, _index_range, _point_words, _sample, _shape, _shape_words,
                                     _substitute_definitions, _values, concretize)
from grader.math.parser import MathShapeError, context_info, parse_expression
from grader.release.fingerprint import array_fingerprint, array_matches, need, task_salt
from grader.results import Evidence, PartResult, Status
from grader.seeding import rng_for

POINTS = 24
MIN_POINTS = 4
OFFLINE_MODES = ("exact", "tolerance")


def _tolerances(mode: str, rel_tol: float) -> tuple[float, float]:
    """(abs_tol, rel_tol) of the fingerprints: those of equivalence._compare for the mode."""
    return (1e-12, max(rel_tol, 1e-9)) if mode == "exact" else (0.0, max(rel_tol, 1e-12))


def _concrete_cases(expr: Any, ctx: MathContext, assigns: list[dict[str, int]]) -> tuple[list[Any], _Entries]:
    info = context_info(ctx)
    e = _substitute_definitions(expr, ctx, info)
    dims = _dims_of([e], ctx, info)
    free = {s.name: s for s in _free_indices(_flat([e]), info, set(info.index_names))}
    ent = _Entries()
    out = []
    for a in assigns:
        extra = sorted(set(free) - set(a))
        if extra:
            raise _ExtraIndex(extra)
        out.append(concretize(e, {free[k]: v for k, v in a.items() if k in free}, dims, info, ent))
    return out, ent


class _ExtraIndex(Exception):
    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


def expression_fingerprint(task: CheckTask, reference: Any, ctx: MathContext, mode: str,
                           rel_tol: float) -> dict[str, Any] | None:
    if mode not in OFFLINE_MODES:
        return None
    salt = task_salt(task)
    info = context_info(ctx)
    try:
        r_expr = _substitute_definitions(reference, ctx, info)
    except ValueError as e:
        raise ExerciseError(str(e), part=task.part.id) from None
    dims = _dims_of([r_expr], ctx, info)
    free = _free_indices(_flat([r_expr]), info, set(info.index_names))
    ranges = [_index_range(s.name, ctx, info, dims) for s in free]
    assigns = [{s.name: v for s, v in zip(free, combo)} for combo in itertools.product(*ranges)] if free else [{}]
    rng = rng_for("offline-expression", salt)
    if len(assigns) > MAX_INDEX_CASES:
        assigns = [assigns[k] for k in sorted(rng.choice(len(assigns), MAX_INDEX_CASES, replace=False))]
    cases, ent = _concrete_cases(reference, ctx, assigns)
    # the points cover every declared symbol too: a student may write the answer with them
    symbols = set().union(*[_free(c) for c in cases])
    for name in ctx.symbols:
        try:
            declared, _ = _concrete_cases(parse_expression(name, ctx), ctx, [{}])
        except (GraderError, MathShapeError, ValueError, TypeError, _ExtraIndex):
            continue
        symbols |= {s for s in _free(declared[0]) if s.name not in info.index_names}
    ordered = sorted(symbols, key=lambda s: s.name)
    abs_t, rel_t = _tolerances(mode, rel_tol)

    def values_of(concrete: list[Any], env: dict) -> list[np.ndarray]:
        return [_values(c, env, POINTS) for c in concrete]

    for force_positive in (False, True):
        env, num = _sample(ordered, ent, info, POINTS, rng, force_positive=force_positive)
        ref_values = values_of(cases, env)
        valid = sum(int(np.all(np.isfinite(v.reshape(POINTS, -1)), axis=1).sum()) for v in ref_values)
        if valid >= max(MIN_POINTS, len(cases) * POINTS // 3):
            break
    else:
        return None  # the reference cannot be evaluated at enough points: left to the instructor

    def fingerprints(values: list[np.ndarray], tag: str) -> list[dict[str, Any]]:
        out = []
        for ci, (a, v) in enumerate(zip(assigns, values)):
            per_point: list[Any] = []
            for p in range(POINTS):
                val = v[p]
                per_point.append(array_fingerprint(val, abs_t, rel_t, f"{salt}|{tag}|c{ci}|p{p}")
                                 if np.all(np.isfinite(val)) else None)
            out.append({"assign": a, "values": per_point})
        return out

    mistakes = []
    for m in task.part.mistakes:
        try:
            concrete, _ = _concrete_cases(parse_expression(m.answer, ctx), ctx, assigns)
            m_values = values_of(concrete, {s: env[s] for s in env})
        except (GraderError, MathShapeError, MathSyntaxError, ValueError, TypeError, _ExtraIndex):
            continue  # a mistake that does not fit this reference is skipped, as online
        if any(np.shape(mv) != np.shape(rv) for mv, rv in zip(m_values, ref_values)):
            continue
        mistakes.append({"name": m.name, "feedback": m.feedback, "cases": fingerprints(m_values, "ref")})
    return {
        "mode": mode,
        "shape": list(_shape(r_expr)) if _shape(r_expr) else None,
        "den": DEN,
        "points": {s.name: [int(x) for x in num[s]] for s in ordered},
        "cases": fingerprints(ref_values, "ref"),
        "mistakes": mistakes,
    }


def check_expression_offline(kind: AnswerKind, task: CheckTask, student: Any, ctx: MathContext,
                             rel_tol: float, fp: dict[str, Any]) -> PartResult:
    fp = need(fp, dict, "the fingerprint")
    mode = need(fp.get("mode"), str, "'mode'")
    if mode not in OFFLINE_MODES:
        return kind.instructor_only(task)
    salt = task_salt(task)
    info = context_info(ctx)
    try:
        s_expr = _substitute_definitions(student, ctx, info)
    except ValueError as e:
        return _undecided(kind, task, str(e))
    shape = fp.get("shape")
    rs = tuple(need(shape, list, "'shape'")) if shape is not None else None
    ss = _shape(s_expr)
    if ss != rs:
        msg = f"Your answer is {_shape_words(ss)}, but {_shape_words(rs)} is expected."
        return kind.result(task, Status.INCORRECT, feedback=[msg], diagnosis="shape",
                           evidence=[Evidence("shape", msg, {"shape_problem": msg})])
    den = need(fp.get("den"), int, "'den'")
    points = need(fp.get("points"), dict, "'points'")
    cases = need(fp.get("cases"), list, "'cases'")
    assigns = [need(need(c, dict, "a case").get("assign"), dict, "a case's 'assign'") for c in cases]
    try:
        concrete, ent = _concrete_cases(student, ctx, assigns)
    except _ExtraIndex as e:
        msg = (f"Your answer has the free index {', '.join(e.names)}, which the expected expression does not "
               "have.")
        return kind.result(task, Status.INCORRECT, feedback=[msg], evidence=[Evidence("index", msg, {})])
    env: dict[Any, np.ndarray] = {}
    extra = []
    for s in sorted(set().union(*[_free(c) for c in concrete]) if concrete else set(), key=lambda s: s.name):
        if s.name in points:
            column = need(points[s.name], list, f"'points.{s.name}'")
            if len(column) != POINTS or not all(isinstance(x, int) for x in column):
                raise_bad(f"'points.{s.name}' must be {POINTS} whole numbers")
            env[s] = np.array(column, dtype=float) / den
        else:
            extra.append(s)
    if extra:  # names the reference does not depend on: any values (the answer must not depend on them)
        env.update(_sample(extra, ent, info, POINTS, rng_for("offline-extra", salt), force_positive=False)[0])
    try:
        values = [_values(c, env, POINTS) for c in concrete]
    except (TypeError, ValueError, ArithmeticError) as e:
        return _undecided(kind, task, f"your expression could not be evaluated ({type(e).__name__})")
    abs_t, rel_t = _tolerances(mode, rel_tol)

    def compare(vals: list[np.ndarray], fcases: list[Any], sign: float = 1.0) -> tuple[int, tuple[int, int] | None]:
        """(points compared, first (case, point) that differs)."""
        n = 0
        for ci, (v, fc) in enumerate(zip(vals, fcases)):
            per_point = need(need(fc, dict, "a case").get("values"), list, "a case's 'values'")
            if len(per_point) != POINTS:
                raise_bad(f"a case has {len(per_point)} values, not {POINTS}")
            for p, fpv in enumerate(per_point):
                if fpv is None or not np.all(np.isfinite(v[p])):
                    continue
                n += 1
                if not array_matches(sign * v[p], fpv, abs_t, rel_t, f"{salt}|ref|c{ci}|p{p}"):
                    return n, (ci, p)
        return n, None

    if len(cases) != len(values):
        raise_bad("the cases do not match")
    compared, differs = compare(values, cases)
    if differs is None:
        if compared < MIN_POINTS:
            return _undecided(kind, task, "your expression could not be evaluated at enough of the sample points "
                                          "(outside its domain?)")
        msg = (f"Equal to the expected expression at {compared} sample points (numerically established, "
               "not proven).")
        return kind.result(task, Status.CORRECT, 1.0, feedback=["Correct."],
                           evidence=[Evidence("equivalence", msg, {"points": compared, "proven": False,
                                                                   "method": "offline fingerprints"})])
    ci, p = differs
    c = _Concrete(dict(assigns[ci]), concrete[ci], concrete[ci])
    data, where = _point_words(c.assign, _free(c.student) | _free(c.reference), p, env, ent)
    val = values[ci][p]
    if np.ndim(val) == 0:
        said = f"you get {_fmt(float(val))}, which is not the expected value"
    else:
        said = "your answer is " + np.array2string(np.asarray(val, dtype=float), precision=4) + \
               ", which is not the expected value"
    message = (f"At {where} {said}." if where else said[0].upper() + said[1:] + ".")
    feedback: list[str] = []
    evidence: list[Evidence] = []
    diagnosis = None
    for m in need(fp.get("mistakes", []), list, "'mistakes'"):
        m = need(m, dict, "a mistake")
        mcases = need(m.get("cases"), list, "a mistake's 'cases'")
        if len(mcases) == len(values) and compare(values, mcases)[1] is None:
            diagnosis = (need(m.get("name"), str, "a mistake's 'name'"), need(m.get("feedback"), str,
                                                                                "a mistake's 'feedback'"))
            break
    if diagnosis is None and compare(values, cases, sign=-1.0)[1] is None:
        diagnosis = ("sign-flipped", "Your answer is the expected one with the opposite sign: check the sign of "
                                     "each term.")
    if diagnosis:
        feedback.append(diagnosis[1])
        evidence.append(Evidence("diagnosis", diagnosis[1], {"name": diagnosis[0]}))
    feedback.append(f"Not equal to the expected expression: {message[:1].lower() + message[1:]}")
    evidence.append(Evidence("counterexample", message, {"counterexample": data, "student_value": np.asarray(
        val, dtype=float).tolist(), "points": compared, "proven": False}))
    return kind.result(task, Status.INCORRECT, feedback=feedback, evidence=evidence,
                       diagnosis=diagnosis[0] if diagnosis else None)


def _undecided(kind: AnswerKind, task: CheckTask, why: str) -> PartResult:
    message = f"The grader could not decide this answer offline: {why}."
    return kind.result(task, Status.MANUAL, feedback=[message], evidence=[Evidence("undecided", message, {})])


def raise_bad(message: str) -> None:
    from grader.release.fingerprint import FingerprintError
    raise FingerprintError(message)
