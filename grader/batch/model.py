"""Plain dataclasses passed between the stages of a batch run."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SubmissionFile:
    """One student file: `name` is its display path (relative, '/'-separated, e.g.
    'alice/scalar-net.md'), `data` its bytes. Tasks carry bytes, not paths, so a worker on
    another machine grades exactly what the coordinator hashed."""

    name: str
    data: bytes


@dataclass
class Task:
    """One student × one exercise to grade.

    `unit` is the stable key of the submission in the gradebook (folder, file stem or LMS
    id); `student_id` is the id found by discovery (front matter may still override it);
    `id_source` says how it was found; `lms`/`lms_id` keep the LMS's own id for exports.
    """

    unit: str
    exercise_id: str
    student_id: str
    id_source: str
    files: list[SubmissionFile]
    display_name: str = ""
    lms: str = ""  # "canvas", "moodle" or ""
    lms_id: str = ""
    input_key: str = ""  # hash of files + exercise version + grader version

    @property
    def file_names(self) -> list[str]:
        return [f.name for f in self.files]


@dataclass
class Discovery:
    tasks: list[Task] = field(default_factory=list)
    unattributed: list[str] = field(default_factory=list)  # "file: why it was not graded"
    notes: list[str] = field(default_factory=list)  # e.g. zips that were read, duplicate students
    container: str = ""  # the name of SUBMISSIONS (folder or zip), the first part of display paths

