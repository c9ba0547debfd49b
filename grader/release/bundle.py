"""Writing a student release bundle (`grader release`).

    OUT/README.md                what the bundle is and how to use it
    OUT/exercises/<id>/          exercise.toml without hidden parts, author mistakes and choice
                                 feedback; spec.md and any other public files, as they are
    OUT/checks/<id>.json         fingerprints per part and per parameter variant (checksfile.py)

Nothing is ever read from solutions/ into the bundle except through a kind's `fingerprint`.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.checking import reference_answers, render_mistakes
from grader.errors import ExerciseError, GraderError
from grader.exercise.loader import load_one
from grader.exercise.model import Exercise
from grader.exercise.params import draw_parameters
from grader.kinds import get_kind
from grader.kinds.base import CheckContext, CheckTask, Reference
from grader.release.checksfile import build_checks
from grader.release.fingerprint import variant_key
from grader.release.toml_out import dumps as toml_dumps

MARKER = ".grader-release"  # marks a folder as a bundle, so a new release may replace it
ROSTER_COLUMNS = ("id", "student", "student_id", "studentid", "username", "login")


@dataclass
class ExerciseRelease:
    id: str
    variants: int = 0
    offline: list[str] = field(default_factory=list)  # parts checked against fingerprints
    instructor: list[str] = field(default_factory=list)  # parts only the instructor checks
    as_is: list[str] = field(default_factory=list)  # parts that need no reference
    hidden: list[str] = field(default_factory=list)  # parts left out


def read_roster(path: Path) -> list[str]:
    """Student ids: one per line, or a CSV with an id column (id, student, student_id...)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise GraderError(f"cannot read the roster: {e}", file=str(path)) from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise GraderError("the roster is empty", file=str(path))
    ids: list[str] = []
    if "," in lines[0] or "\t" in lines[0] or ";" in lines[0]:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
        rows = list(csv.reader(io.StringIO("\n".join(lines)), dialect))
        header = [h.strip().lower() for h in rows[0]]
        col = next((header.index(c) for c in ROSTER_COLUMNS if c in header), None)
        if col is None:
            raise GraderError(f"the roster's CSV header has no id column (one of {', '.join(ROSTER_COLUMNS)}); "
                              f"it has {', '.join(rows[0])}", file=str(path), line=1)
        for n, row in enumerate(rows[1:], start=2):
            if col >= len(row) or not row[col].strip():
                raise GraderError(f"row {n} has no student id", file=str(path), line=n)
            ids.append(row[col].strip())
    else:
        ids = [ln.strip() for ln in lines]
    return list(dict.fromkeys(ids))


def public_toml(exercise: Exercise) -> dict[str, Any]:
    """exercise.toml as a student may see it: no hidden parts, no author mistakes (their
    answers would be wrong answers in clear; their feedback ships in the checks file), no
    choice feedback (it tells which options are wrong)."""
    data = copy.deepcopy(exercise.raw)
    parts = []
    for p in data.get("parts", []):
        if p.get("hidden"):
            continue
        p.pop("mistakes", None)
        p.pop("hidden", None)
        if p.get("kind") == "choice":
            for opt in p.get("options", []) or []:
                if isinstance(opt, dict):
                    opt.pop("feedback", None)
        parts.append(p)
    data["parts"] = parts
    return data


def _tasks(exercise: Exercise, params: dict[str, Any]) -> list[tuple[Any, CheckTask]]:
    """(kind, task) for every public part that needs a reference, as `grade` builds them."""
    answers, values = reference_answers(exercise, params)
    toml = str(exercise.path / "exercise.toml")
    sol = exercise.solution_path / "solution.py" if exercise.solution_path else None
    ctx = CheckContext(exercise=exercise, student_id="release", parameters=params)
    out = []
    for part in exercise.parts:
        kind = get_kind(part.kind)
        if part.hidden or kind.reference_from is None:
            continue
        rendered = copy.copy(part)
        rendered.mistakes = render_mistakes(part.mistakes, values, toml)
        ref = Reference(answer=answers.get(part.id), solution_file=sol if sol and sol.is_file() else None)
        out.append((kind, CheckTask(part=rendered, answer=None, reference=ref, ctx=ctx)))
    return out


def release_exercise(exercise: Exercise, out: Path, students: list[str]) -> ExerciseRelease:
    if exercise.solution_path is None:
        raise ExerciseError(f"no solutions/{exercise.id}/: a release fingerprints the reference answers, "
                            "so it is made where the solutions are")
    info = ExerciseRelease(exercise.id)
    for part in exercise.parts:
        kind = get_kind(part.kind)
        if part.hidden:
            info.hidden.append(part.id)
        elif kind.reference_from is None:
            info.as_is.append(part.id)
    variants: dict[str, dict[str, Any]] = {}
    for student in ["default", *students]:
        params = draw_parameters(exercise, None if student == "default" else student)
        key = variant_key(exercise.id, exercise.version, params)
        if key in variants:
            continue
        parts: dict[str, Any] = {}
        for kind, task in _tasks(exercise, params):
            try:
                fp = kind.fingerprint(task)
            except GraderError as e:
                raise ExerciseError(f"part '{task.part.id}' cannot be fingerprinted for parameters {params}: "
                                    f"{e.message}", file=str(exercise.solution_path)) from None
            parts[task.part.id] = fp
            bucket = info.offline if fp is not None else info.instructor
            if task.part.id not in bucket:
                bucket.append(task.part.id)
        variants[key] = parts
    info.variants = len(variants)

    dest = out / "exercises" / exercise.id
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for src in sorted(exercise.path.rglob("*")):
        rel = src.relative_to(exercise.path)
        if src.is_dir() or any(bit.startswith(".") or bit == "__pycache__" for bit in rel.parts):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel == Path("exercise.toml"):
            target.write_text(toml_dumps(public_toml(exercise)), encoding="utf-8")
        else:
            shutil.copy2(src, target)
    checks = out / "checks" / f"{exercise.id}.json"
    checks.parent.mkdir(parents=True, exist_ok=True)
    checks.write_text(json.dumps(build_checks(exercise, variants), sort_keys=True, separators=(",", ":")) + "\n",
                      encoding="utf-8")
    return info


def prepare_out(root: Path, out: Path) -> None:
    """Refuse to write into the course itself or over a folder that is not a bundle."""
    root_r, out_r = root.resolve(), out.resolve()
    if out_r == root_r or root_r in out_r.parents and out_r.parts[len(root_r.parts)] in ("exercises", "solutions"):
        raise GraderError(f"--out {out} is inside the course's exercises/ or solutions/; choose a new folder")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise GraderError(f"--out {out} exists and is not an earlier release bundle; choose a new or empty folder")
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by `grader release`; this folder may be replaced by the next release\n",
                              encoding="utf-8")


def write_bundle(root: Path, out: Path, exercise_ids: list[str], students: list[str]) -> list[ExerciseRelease]:
    """Release `exercise_ids` of the course at `root` into `out`; returns what went where."""
    exercises = [load_one(root, ex_id) for ex_id in exercise_ids]
    prepare_out(root, out)
    done = [release_exercise(ex, out, students) for ex in exercises]
    (out / "README.md").write_text(readme(done, len(students)), encoding="utf-8")
    return done


def readme(done: list[ExerciseRelease], roster_size: int) -> str:
    rows = "\n".join(f"| {r.id} | {', '.join(r.offline) or '—'} | {', '.join(r.as_is) or '—'} | "
                     f"{', '.join(r.instructor) or '—'} |" for r in done)
    roster = (f"the default numbers and the numbers of the {roster_size} students on the roster"
              if roster_size else "the statement's default numbers only")
    return f"""# Exercise bundle for students

This folder is a **student release** of the course's exercises, made by `grader release`.
It holds the statements (`exercises/<id>/spec.md`), the exercise settings
(`exercises/<id>/exercise.toml`) and, in `checks/<id>.json`, **fingerprints** of the
reference answers: salted hashes that an answer can be matched against, never the reference
answers themselves, never the instructor's solutions or hidden checks.

Check your answers offline, on your own computer:

```bash
grader show EXERCISE --course THIS_FOLDER --student YOUR_ID      # your statement, your numbers
grader check EXERCISE YOUR_ANSWERS --course THIS_FOLDER --student YOUR_ID
```

Every verdict says "checked offline against fingerprints (not the reference)": an answer
within the part's tolerance matches, a known mistake gets its specific feedback, expressions
are compared at sample points (numerically established, not proven). Your instructor grades
with the reference, which may differ. Parts marked "checked by your instructor" cannot be
checked offline. The checks cover {roster}.

| exercise | checked offline | checked as usual (no reference needed) | checked by your instructor |
|---|---|---|---|
{rows}
"""
