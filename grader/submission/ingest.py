"""Turning a student's files into a Submission for one exercise.

Nothing here raises for bad student files: an empty file, a file that is not UTF-8, a
notebook that is not JSON, an unknown or repeated part heading all become `problems`
(each naming the file and line) and the affected parts stay unanswered.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import SubmissionError
from grader.exercise.model import Exercise
from grader.kinds import registry
from grader.kinds.base import Answer
from grader.submission.markdown import extract_math, match_part, parse_markdown

WRITTEN = {".md", ".markdown", ".txt"}
CODE = {".py", ".ipynb"}
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class Submission:
    student_id: str
    student_id_source: str
    root: Path
    files: list[Path] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)
    code_files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    content_hash: str = ""


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent if root.is_dir() else root.parent))
    except ValueError:
        return str(path)


def select_files(path: Path, exercise_id: str) -> list[Path]:
    """The files of `path` that belong to `exercise_id`.

    A file is the submission itself. In a folder, files named after the exercise
    (`scalar-net.md`, `scalar-net.py`, `scalar-net_answers.md`) win; without any, every
    answer or code file of the folder is taken (one folder per exercise).
    """
    if path.is_file():
        return [path]
    candidates = sorted(p for p in path.rglob("*")
                        if p.is_file() and p.suffix.lower() in WRITTEN | CODE
                        and not any(part.startswith(".") or part == "__pycache__"
                                    for part in p.relative_to(path).parts))
    named = [p for p in candidates if p.stem == exercise_id or p.stem.startswith(exercise_id + "_")
             or p.stem.startswith(exercise_id + ".")]
    return named or candidates


def read_text(path: Path, shown: str) -> str:
    """UTF-8 text of a student file, or SubmissionError saying precisely what is wrong."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise SubmissionError(f"cannot be read ({e.strerror})", file=shown) from None
    if size > MAX_FILE_BYTES:
        raise SubmissionError(f"is {size} bytes, over the {MAX_FILE_BYTES} byte limit", file=shown)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise SubmissionError(f"is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); "
                              "save it as UTF-8", file=shown, line=line) from None
    if "\x00" in text:
        raise SubmissionError("contains NUL bytes: it looks like a binary file, not text", file=shown)
    if not text.strip():
        raise SubmissionError("is empty", file=shown)
    return text


def notebook_markdown(text: str, shown: str) -> str:
    """The markdown cells of a notebook, joined, for written answers kept in notebooks."""
    import nbformat

    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as e:  # nbformat raises several unrelated types for bad JSON/schema
        raise SubmissionError(f"is not a readable Jupyter notebook ({type(e).__name__}: {e})".split("\n")[0],
                              file=shown) from None
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _student_id(path: Path, exercise_id: str, front: dict[str, str], given: str | None) -> tuple[str, str]:
    if given:
        return given, "command line"
    if front.get("student"):
        return front["student"], "front matter"
    if path.is_dir():
        return path.resolve().name, "folder name"
    stem = path.stem
    if stem != exercise_id and stem not in ("answers", "submission", "solution"):
        return stem, "file name"
    return path.resolve().parent.name, "folder name"


def ingest(path: Path, exercise: Exercise, student_id: str | None = None,
           files: list[Path] | None = None) -> Submission:
    """Read the student's files at `path` (a file or a folder) for `exercise`.

    `files` overrides which files of the folder are read (the reference solution's).
    """
    path = Path(path)
    if not path.exists():
        raise SubmissionError("no such file or folder", file=str(path))
    files = select_files(path, exercise.id) if files is None else files
    kinds = registry()
    part_ids = exercise.part_ids
    written_parts = {p.id for p in exercise.parts if kinds[p.kind].answer_from == "markdown"}
    answers: dict[str, Answer] = {}
    problems: list[str] = []
    code_files: list[Path] = []
    front: dict[str, str] = {}
    digest = hashlib.sha256()
    for f in files:
        shown = _display(f, path)
        digest.update(shown.encode() + b"\0")
        try:
            digest.update(f.read_bytes())
        except OSError:
            pass
        suffix = f.suffix.lower()
        if suffix == ".py":
            code_files.append(f)
            continue
        try:
            text = read_text(f, shown)
            if suffix == ".ipynb":
                code_files.append(f)
                text = notebook_markdown(text, shown)
        except SubmissionError as e:
            problems.append(str(e))
            continue
        doc = parse_markdown(text)
        if doc.front_matter.get("exercise") and doc.front_matter["exercise"] != exercise.id:
            continue  # an answer file of another exercise
        front.update(doc.front_matter)
        for sec in doc.sections:
            pid = match_part(sec.heading, part_ids)
            if pid is None:
                problems.append(f"{shown}:{sec.line}: heading '## {sec.heading}' names no part of "
                                f"'{exercise.id}' (parts: {', '.join(part_ids)})")
                continue
            if pid not in written_parts:
                problems.append(f"{shown}:{sec.line}: part '{pid}' is answered with code, not in "
                                "Markdown; this section is ignored")
                continue
            if pid in answers:
                problems.append(f"{shown}:{sec.line}: part '{pid}' is answered twice; the first "
                                f"answer (line {answers[pid].line}) is graded")
                continue
            if not sec.body.strip():
                problems.append(f"{shown}:{sec.line}: the section for part '{pid}' is empty")
                continue
            answers[pid] = Answer(part_id=pid, text=sec.body, math=extract_math(sec.body),
                                  file=shown, line=sec.line)
    if not files:
        problems.append(f"{path}: no answer (.md) or code (.py, .ipynb) files found")
    for pid, ans in answers.items():
        ans.code_files = list(code_files)
    sid, source = _student_id(path, exercise.id, front, student_id)
    return Submission(student_id=sid, student_id_source=source, root=path, files=files,
                      answers=answers, code_files=code_files, problems=problems,
                      content_hash=digest.hexdigest())


def reference_submission_text(text: str, exercise: Exercise, shown: str) -> dict[str, Answer]:
    """Answers from already-rendered reference Markdown (solutions/<id>/answers.md)."""
    doc = parse_markdown(text)
    out: dict[str, Answer] = {}
    for sec in doc.sections:
        pid = match_part(sec.heading, exercise.part_ids)
        if pid and pid not in out:
            out[pid] = Answer(part_id=pid, text=sec.body, math=extract_math(sec.body),
                              file=shown, line=sec.line)
    return out

