"""Synthetic submissions for the batch benchmark: for every exercise of a course, a mix of
correct answers (the reference rendered with each student's own numbers, and solution.py for
code), known-wrong ones (solutions/<id>/wrong/*) and malformed files (not UTF-8, empty,
math that does not parse, an unknown heading)."""
from __future__ import annotations

import shutil
from pathlib import Path

from grader.checking import reference_answers, render_template
from grader.exercise.model import Exercise
from grader.exercise.params import draw_parameters
from grader.submission.markdown import parse_front_matter

MALFORMED = [
    b"\xff\xfe not UTF-8 at all \x80\x81",
    b"",
    "## {part}\n$$\\frac{{1}}{{$$\n".encode(),
    "## no-such-part\n$$1$$\n".encode(),
]


def reference_text(ex: Exercise, student: str) -> str | None:
    """solutions/<id>/answers.md rendered with `student`'s numbers, with front matter."""
    if ex.solution_path is None or not (ex.solution_path / "answers.md").is_file():
        return None
    _, values = reference_answers(ex, draw_parameters(ex, student))
    path = ex.solution_path / "answers.md"
    body = render_template(path.read_text(encoding="utf-8"), values, str(path))
    body = parse_front_matter(body)[1]  # the reference's own `student: reference` goes
    return f"---\nstudent: {student}\nexercise: {ex.id}\n---\n{body}"


def wrong_examples(ex: Exercise) -> list[Path]:
    folder = ex.solution_path / "wrong" if ex.solution_path else None
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder and folder.is_dir() else []


def write_submission(folder: Path, ex: Exercise, student: str, variant: int) -> str:
    """Write one student's files for `ex` into `folder`; returns "correct", "wrong" or "malformed"."""
    folder.mkdir(parents=True, exist_ok=True)
    wrong = wrong_examples(ex)
    kind = ("correct", "wrong", "correct", "malformed", "wrong")[variant % 5]
    if kind == "wrong" and not wrong:
        kind = "correct"
    if kind == "correct":
        text = reference_text(ex, student)
        if text is not None:
            (folder / f"{ex.id}.md").write_text(text, encoding="utf-8")
        sol = ex.solution_path / "solution.py" if ex.solution_path else None
        if sol is not None and sol.is_file() and any(p.kind not in _written_kinds() for p in ex.parts):
            shutil.copyfile(sol, folder / f"{ex.id}.py")
    elif kind == "wrong":
        src = wrong[variant % len(wrong)]
        for f in sorted(src.iterdir()):
            if f.name == "expect.toml" or not f.is_file():
                continue
            name = f"{ex.id}{f.suffix}" if f.suffix in (".md", ".py", ".ipynb") else f.name
            shutil.copyfile(f, folder / name)
    else:
        raw = MALFORMED[variant % len(MALFORMED)]
        part = ex.parts[0].id
        (folder / f"{ex.id}.md").write_bytes(raw.replace(b"{part}", part.encode()))
    return kind


def _written_kinds() -> set[str]:
    from grader.kinds import registry

    return {name for name, k in registry().items() if k.answer_from == "markdown"}


def make_class(root: Path, exercises: dict[str, Exercise], n: int) -> dict[str, int]:
    """`n` submissions under `root`: student-0000 ... each answer one exercise, taken in turn,
    so every exercise of the course is graded about n / len(exercises) times."""
    counts = {"correct": 0, "wrong": 0, "malformed": 0}
    exs = list(exercises.values())
    for i in range(n):
        student = f"student-{i:04d}"
        counts[write_submission(root / student, exs[i % len(exs)], student, i // len(exs))] += 1
    return counts
