"""Offline checks of `function` parts: the reference's outputs on the PUBLIC cases only.

The fixed `cases` of a part are inputs the statement shows; their reference outputs ship as
fingerprints (every numeric leaf of the output at the part's tolerance, its shape and place in
the structure in clear), and so do the outputs of the author's mistake functions on them. The
generated cases (`generate`: random or hidden inputs) stay with the instructor. Offline, the
student's function runs in the sandbox on the public inputs, exactly as online.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from grader.kinds._code import render_value
from grader.kinds._compare import _numeric, short
from grader.kinds.base import AnswerKind, CheckTask
from grader.release.fingerprint import array_fingerprint, array_matches, need, task_salt
from grader.results import Evidence, PartResult, Status
from grader.sandbox import Call, run_calls
from grader.sandbox.limits import limits_for


def _leaves(value: Any, path: str = "") -> list[tuple[str, np.ndarray]] | None:
    """(path, numeric array) for every leaf of plain data; None when a leaf is not numeric."""
    arr = _numeric(value)
    if arr is not None:
        return [(path, np.asarray(arr, dtype=float) if arr.dtype.kind != "c" else arr)]
    if isinstance(value, dict):
        out: list[tuple[str, np.ndarray]] = []
        for k in sorted(value, key=str):
            sub = _leaves(value[k], f"{path}[{k!r}]")
            if sub is None:
                return None
            out += sub
        return out
    if isinstance(value, (list, tuple)):
        out = []
        for i, v in enumerate(value):
            sub = _leaves(v, f"{path}[{i}]")
            if sub is None:
                return None
            out += sub
        return out
    return None


def public_cases(task: CheckTask) -> list[Any]:
    """The part's fixed cases with this variant's parameters filled in, as `check` runs them."""
    from grader.kinds.function import Case

    params = task.ctx.parameters
    return [Case(tuple(render_value(a, params) for a in c.args), {k: render_value(v, params) for k, v in c.kwargs.items()},
                 str(render_value(c.note, params)), c.name) for c in task.part.options.cases]


def _output_fp(value: Any, o: Any, salt: str) -> list[dict[str, Any]] | None:
    leaves = _leaves(value)
    if leaves is None or any(a.dtype.kind == "c" for _, a in leaves):
        return None
    return [{"path": p, **array_fingerprint(a, o.abs_tol, o.rel_tol, f"{salt}|{p}")} for p, a in leaves]


def _matches(value: Any, fp: list[Any], o: Any, salt: str) -> bool:
    leaves = _leaves(value)
    if leaves is None or len(leaves) != len(fp):
        return False
    for (path, arr), leaf in zip(leaves, fp):
        leaf = need(leaf, dict, "an output leaf")
        if leaf.get("path") != path or arr.dtype.kind == "c":
            return False
        if not array_matches(arr, leaf, o.abs_tol, o.rel_tol, f"{salt}|{path}"):
            return False
    return True


def function_fingerprint(task: CheckTask, solution: Any, function: Callable[..., Any],
                         call_reference: Callable[..., Any]) -> dict[str, Any] | None:
    o = task.part.options
    salt = task_salt(task)
    reference = function(solution, o.reference, task)
    cases = []
    for i, case in enumerate(public_cases(task)):
        fp = _output_fp(call_reference(reference, case, task), o, f"{salt}|case{i}")
        if fp is None:
            continue  # an output that is not numbers: this case stays with the instructor
        mistakes = []
        for m in task.part.mistakes:
            try:
                wrong = call_reference(function(solution, m.answer, task), case, task)
            except Exception:  # noqa: BLE001 - a mistake function that fails here diagnoses nothing
                continue
            mfp = _output_fp(wrong, o, f"{salt}|case{i}")
            if mfp is not None:
                mistakes.append({"name": m.name, "outputs": mfp})
        cases.append({"case": i, "outputs": fp, "mistakes": mistakes})
    if not cases:
        return None
    return {"cases": cases, "generated": o.generate is not None,
            "mistakes": {m.name: m.feedback for m in task.part.mistakes}}


def check_function_offline(kind: AnswerKind, task: CheckTask, fp: dict[str, Any],
                           call_text: Callable[[str, Any], str]) -> PartResult:
    o = task.part.options
    assert task.answer is not None
    fp = need(fp, dict, "the fingerprint")
    salt = task_salt(task)
    fcases = need(fp.get("cases"), list, "'cases'")
    rendered = public_cases(task)
    picked = []
    for fc in fcases:
        fc = need(fc, dict, "a case")
        i = need(fc.get("case"), int, "a case's 'case'")
        if not 0 <= i < len(o.cases):
            raise_bad(f"case {i} is not one of the part's {len(o.cases)} public cases")
        picked.append((rendered[i], fc))
    calls = [Call(o.function, c.args, c.kwargs, label=f"case {n + 1}") for n, (c, _) in enumerate(picked)]
    report = run_calls(task.answer.code_files, calls, limits_for(task.ctx.exercise, task.part))
    iso = Evidence("isolation", report.isolation_note, {"isolation": report.isolation})
    if report.load_error:
        msg = f"Your code could not be loaded: {report.load_error}"
        return kind.result(task, Status.ERROR, feedback=[msg], evidence=[Evidence("load-error", msg), iso],
                           answer_format="code")
    hidden = (" The instructor also checks other inputs, which are not in this bundle."
              if fp.get("generated") else "")
    failures: list[tuple[int, str]] = []
    mistake_hits: dict[str, int] = {}
    for n, ((_, fc), out) in enumerate(zip(picked, report.outcomes)):
        if not out.ok:
            failures.append((n, f"{'raised ' if out.error_kind == 'exception' else 'failed: '}{out.error}"))
            continue
        case_salt = f"{salt}|case{fc['case']}"
        if _matches(out.value, need(fc.get("outputs"), list, "a case's 'outputs'"), o, case_salt):
            continue
        failures.append((n, f"gives {short(out.value, 200)}, which does not match the reference"))
        for m in need(fc.get("mistakes", []), list, "a case's 'mistakes'"):
            m = need(m, dict, "a mistake")
            if _matches(out.value, need(m.get("outputs"), list, "a mistake's 'outputs'"), o, case_salt):
                name = need(m.get("name"), str, "a mistake's 'name'")
                mistake_hits[name] = mistake_hits.get(name, 0) + 1
    total = len(picked)
    if not failures:
        return kind.result(task, Status.CORRECT, 1.0, answer_format="code", evidence=[iso], feedback=[
            f"`{o.function}` matches the reference on all {total} public inputs.{hidden}"])
    n, text = failures[0]
    case = picked[n][0]
    lines = [f"`{o.function}` is wrong on {len(failures)} of {total} public inputs. First failing input: "
             f"{call_text(o.function, case)} {text}."]
    if case.note:
        lines.append(case.note)
    diagnosis = None
    feedbacks = need(fp.get("mistakes", {}), dict, "'mistakes'")
    for name, hits in mistake_hits.items():
        if hits == len(failures) and name in feedbacks:
            diagnosis = name
            lines.append(need(feedbacks[name], str, "a mistake's feedback"))
            break
    passed = total - len(failures)
    evidence = [Evidence("failing-input", lines[0], {"case": n + 1, "failed": len(failures), "cases": total})]
    if diagnosis:
        evidence.append(Evidence("diagnosis", lines[-1], {"mistake": diagnosis}))
    return kind.result(task, Status.PARTIAL if passed else Status.INCORRECT, passed / total, feedback=lines,
                       evidence=evidence + [iso], diagnosis=diagnosis, answer_format="code")


def raise_bad(message: str) -> None:
    from grader.release.fingerprint import FingerprintError
    raise FingerprintError(message)
