"""Grading one part of a release bundle against its fingerprint (no reference present)."""
from __future__ import annotations

import time

from grader.errors import GraderError
from grader.kinds.base import AnswerKind, CheckTask
from grader.release.checksfile import ChecksFile
from grader.release.fingerprint import FingerprintError, variant_key
from grader.results import Evidence, PartResult, Status

OFFLINE_EVIDENCE = "Checked offline against fingerprints (not the reference)."


def check_part_offline(kind: AnswerKind, task: CheckTask, checks: ChecksFile) -> PartResult:
    """The verdict of `kind.check_offline`, or a clear status saying why there is none."""
    start = time.perf_counter()
    res = _check(kind, task, checks)
    res.duration_s = round(time.perf_counter() - start, 6)
    return res


def _check(kind: AnswerKind, task: CheckTask, checks: ChecksFile) -> PartResult:
    if task.answer is None and kind.answer_from == "markdown":
        return kind.not_answered(task)
    ex = task.ctx.exercise
    variant = checks.variants.get(variant_key(ex.id, ex.version, task.ctx.parameters))
    if variant is None:
        message = (f"This bundle has no checks for your numbers (student '{task.ctx.student_id}'): it was "
                   "released for other students. Ask your instructor for a bundle made with you on the roster.")
        return kind.result(task, Status.MANUAL, feedback=[message], evidence=[Evidence("offline", message, {})],
                           answer_format="text")
    if task.part.id not in variant:
        return kind.error(task, f"{checks.path}: no entry for part '{task.part.id}'; ask your instructor for a "
                                "fresh release bundle")
    fp = variant[task.part.id]
    if fp is None:
        return kind.instructor_only(task)
    try:
        res = kind.check_offline(task, fp)
    except FingerprintError as e:
        return kind.error(task, f"{checks.path}: the fingerprint of part '{task.part.id}' is malformed "
                                f"({e.message}); ask your instructor for a fresh release bundle")
    except GraderError as e:
        return kind.error(task, e)
    if res.status not in (Status.ERROR, Status.NOT_ANSWERED):
        res.evidence.append(Evidence("offline", OFFLINE_EVIDENCE, {"offline": True}))
    return res
