"""Offline checks of `choice` parts: which options are right, sealed.

Each option gets a sealed record {"right": ..., "feedback": ...} and each author mistake a
sealed {"name", "answer", "feedback"} (fingerprint.seal: off the screen and out of grep, not
encryption). The public exercise.toml of a bundle has no option feedback, since the feedback
of an option tells whether it is wrong; it comes back from here at check time, so a student
sees the same verdict and messages offline as with solutions/.
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from grader.exercise.model import Mistake
from grader.kinds.base import CheckTask
from grader.release.fingerprint import FingerprintError, need, seal, task_salt, unseal


def choice_fingerprint(task: CheckTask, right: list[str]) -> dict[str, Any]:
    salt = task_salt(task)
    o = task.part.options
    options = {opt.id: seal(json.dumps({"right": opt.id in right, "feedback": opt.feedback}), salt,
                            f"option:{opt.id}") for opt in o.options}
    mistakes = [seal(json.dumps({"name": m.name, "answer": m.answer, "feedback": m.feedback}), salt, f"mistake:{i}")
                for i, m in enumerate(task.part.mistakes)]
    return {"options": options, "mistakes": mistakes}


def _open(blob: Any, salt: str, label: str) -> dict[str, Any]:
    try:
        data = json.loads(unseal(blob, salt, label))
    except json.JSONDecodeError:
        raise FingerprintError(f"the sealed record '{label}' does not open") from None
    return need(data, dict, f"the sealed record '{label}'")


def open_choice(task: CheckTask, fp: dict[str, Any]) -> tuple[CheckTask, list[str]]:
    """The task with its option feedback and mistakes restored, and the right options."""
    fp = need(fp, dict, "the fingerprint")
    salt = task_salt(task)
    o = task.part.options
    sealed = need(fp.get("options"), dict, "'options'")
    if set(sealed) != set(o.ids):
        raise FingerprintError(f"the options {sorted(sealed)} are not the part's {o.ids}")
    right: list[str] = []
    restored = []
    for opt in o.options:
        record = _open(sealed[opt.id], salt, f"option:{opt.id}")
        if record.get("right") is True:
            right.append(opt.id)
        restored.append(replace(opt, feedback=need(record.get("feedback", ""), str, "an option's 'feedback'")))
    mistakes = []
    for i, blob in enumerate(need(fp.get("mistakes", []), list, "'mistakes'")):
        m = _open(blob, salt, f"mistake:{i}")
        mistakes.append(Mistake(*(need(m.get(k), str, f"a mistake's '{k}'") for k in ("name", "answer", "feedback"))))
    part = replace(task.part, options=replace(o, options=tuple(restored)), mistakes=mistakes)
    return replace(task, part=part), right
