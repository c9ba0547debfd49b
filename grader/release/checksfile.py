"""The checks file of a release bundle: `checks/<exercise-id>.json`.

    {"format": "grader-checks", "format_version": 1,
     "exercise": "scalar-net", "version": "1",
     "about": "...",
     "variants": {"<variant key>": {"<part id>": {fingerprint} | null, ...}, ...},
     "digest": "<sha256 of everything above>"}

A variant is one set of parameter values (grader/exercise/params.py draws them from the
exercise id and the student id, so a student's variant is found again from their id without
the bundle naming any student). A part whose kind needs no reference (gradient, training,
manual...) has no entry: it is checked as usual. `null`: checked by the instructor only.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import ExerciseError
from grader.exercise.model import Exercise

FORMAT = "grader-checks"
FORMAT_VERSION = 1
OFFLINE_NOTE = ("Checked offline against fingerprints (not the reference): the reference answers are not on "
                "this computer; your instructor's grading may differ.")


@dataclass
class ChecksFile:
    path: Path
    exercise_id: str
    version: str
    variants: dict[str, dict[str, Any]]


def checks_path(exercise: Exercise) -> Path:
    """Where a bundle keeps the checks of `exercise`: <course>/checks/<id>.json."""
    return exercise.path.parent.parent / "checks" / f"{exercise.id}.json"


def digest(data: dict[str, Any]) -> str:
    body = {k: v for k, v in data.items() if k != "digest"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def build_checks(exercise: Exercise, variants: dict[str, dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "exercise": exercise.id, "version": exercise.version,
        "about": "Fingerprints of the reference answers (salted hashes, sealed choices), never the answers: "
                 "`grader check` matches answers against them. Made by `grader release`; do not edit.",
        "variants": variants,
    }
    data["digest"] = digest(data)
    return data


def find_checks(exercise: Exercise) -> ChecksFile | None:
    """The checks of `exercise` when its course folder is a release bundle, else None.
    Raises ExerciseError naming the file when it is there but unusable."""
    path = checks_path(exercise)
    if not path.is_file():
        return None
    return load_checks(path, exercise)


def load_checks(path: Path, exercise: Exercise) -> ChecksFile:
    def bad(message: str) -> ExerciseError:
        return ExerciseError(f"{message}; ask your instructor for a fresh release bundle", file=str(path))

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise bad(f"the checks file is not UTF-8 text (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise ExerciseError(f"the checks file is not valid JSON: {e.msg}; ask your instructor for a fresh "
                            "release bundle", file=str(path), line=e.lineno, column=e.colno) from None
    except OSError as e:
        raise bad(f"the checks file cannot be read: {e.strerror}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad("this is not a grader checks file (no \"format\": \"grader-checks\")")
    if data.get("format_version") != FORMAT_VERSION:
        raise bad(f"the checks file has format version {data.get('format_version')!r}; this grader reads "
                  f"version {FORMAT_VERSION}")
    if data.get("exercise") != exercise.id:
        raise bad(f"the checks file is for exercise {data.get('exercise')!r}, not '{exercise.id}'")
    if str(data.get("version")) != exercise.version:
        raise bad(f"the checks file was made for version {data.get('version')!r} of '{exercise.id}', "
                  f"but exercise.toml is version {exercise.version!r}")
    if data.get("digest") != digest(data):
        raise bad("the checks file was changed after it was released (its digest does not match)")
    variants = data.get("variants")
    if not isinstance(variants, dict) or not all(isinstance(v, dict) for v in variants.values()):
        raise bad("'variants' must map variant keys to tables of parts")
    return ChecksFile(path=path, exercise_id=exercise.id, version=exercise.version, variants=variants)
