"""Offline checks of `numeric` parts: the reference and the author's mistakes as fingerprints.

A number, vector or matrix is fingerprinted entry by entry at the part's tolerance
(fingerprint.array_fingerprint); its shape is kept in clear, since the statement gives it.
A shape answer (`3 × 2`) is a salted hash of the shape. The generic diagnoses (sign flipped,
factor 2, factor ½) need nothing more: the student's value, mutated the other way, is matched
against the reference's fingerprint.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from grader.errors import ExerciseError, GraderError, MathSyntaxError
from grader.kinds.base import AnswerKind, CheckTask
from grader.kinds.numeric import (GENERIC_MISTAKES, NumericAnswerError, NumericOptions, _as_data, _fmt, _shape,
                                  answer_source, read_answer)
from grader.release.fingerprint import (FingerprintError, array_fingerprint, array_matches, need, read_array_fp,
                                        task_salt, text_hash)
from grader.results import Evidence, PartResult, Status


def _shape_text(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape))


def _value_fp(value: Any, o: NumericOptions, salt: str) -> dict[str, Any]:
    if isinstance(value, tuple):
        return {"shape_hash": text_hash(_shape_text(value), salt)}
    return array_fingerprint(value, o.abs_tol, o.rel_tol, salt)


def numeric_fingerprint(task: CheckTask, o: NumericOptions) -> dict[str, Any]:
    assert task.reference.answer is not None
    try:
        expected = read_answer(answer_source(task.reference.answer), o.answer)
    except (NumericAnswerError, MathSyntaxError) as e:
        raise ExerciseError(f"reference answer unreadable: {e}", part=task.part.id) from None
    salt = task_salt(task)
    mistakes = []
    for m in task.part.mistakes:
        try:
            wrong = read_answer(m.answer, o.answer)
        except (GraderError, MathSyntaxError):
            continue  # unreadable for this variant: online it is skipped the same way
        mistakes.append({"name": m.name, "feedback": m.feedback, "value": _value_fp(wrong, o, salt)})
    return {"value": _value_fp(expected, o, salt), "mistakes": mistakes}


def _matches(given: Any, vfp: Any, o: NumericOptions, salt: str) -> bool:
    vfp = need(vfp, dict, "'value'")
    if "shape_hash" in vfp:
        return isinstance(given, tuple) and text_hash(_shape_text(given), salt) == vfp["shape_hash"]
    if isinstance(given, tuple):
        return False
    return array_matches(given, vfp, o.abs_tol, o.rel_tol, salt)


def check_numeric_offline(kind: AnswerKind, task: CheckTask, o: NumericOptions, given: Any,
                          fp: dict[str, Any]) -> PartResult:
    fp = need(fp, dict, "the fingerprint")
    salt = task_salt(task)
    vfp = fp.get("value")
    if _matches(given, vfp, o, salt):
        return kind.result(task, Status.CORRECT, 1.0, feedback=["Correct."])
    evidence = [Evidence("value", f"You gave {_fmt(given)}.", {"given": _as_data(given)})]
    diagnosis, message = _diagnose(given, vfp, need(fp.get("mistakes", []), list, "'mistakes'"), o, salt)
    if diagnosis:
        evidence.append(Evidence("diagnosis", message, {"name": diagnosis}))
    return kind.result(task, Status.INCORRECT, feedback=[message], evidence=evidence, diagnosis=diagnosis)


def _diagnose(given: Any, vfp: dict[str, Any], mistakes: list[Any], o: NumericOptions,
              salt: str) -> tuple[str | None, str]:
    """The same order and messages as NumericKind._diagnose, against fingerprints."""
    for m in mistakes:
        m = need(m, dict, "a mistake")
        name, feedback = need(m.get("name"), str, "a mistake's 'name'"), need(m.get("feedback"), str,
                                                                              "a mistake's 'feedback'")
        if _matches(given, m.get("value"), o, salt):
            return name, feedback
    if "shape_hash" in vfp:
        if isinstance(given, tuple) and _matches(given[::-1], vfp, o, salt):
            return "transposed", f"The shape {_fmt(given)} is the transpose of the right one: rows and columns are swapped."
        return None, f"The shape {_fmt(given)} is not right."
    shape, _ = read_array_fp(vfp)
    if np.shape(given) != shape:
        expected_shape = "scalar" if shape == () else " × ".join(map(str, shape))
        return "wrong-shape", (f"Your answer has shape {_shape(given)}, but a {o.answer} of shape "
                               f"{expected_shape} is expected.")
    arr = np.asarray(given, dtype=float)
    if np.any(arr != 0):
        for name, mutate, text in GENERIC_MISTAKES:
            factor = float(mutate(np.float64(1.0)))  # the generic mistakes are linear: c·v
            if factor and _matches(arr / factor, vfp, o, salt):
                return name, text
    return None, "The value is not right."


__all__ = ["numeric_fingerprint", "check_numeric_offline", "FingerprintError"]
