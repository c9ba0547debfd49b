"""Helpers shared by the batch tests."""
from __future__ import annotations

from pathlib import Path

from grader.batch.gradebook import Gradebook


def snapshot(out: Path) -> list[tuple]:
    """The gradebook in `out` as comparable rows (what a resumed or remote run must equal)."""
    book = Gradebook.in_folder(out)
    try:
        return book.snapshot()
    finally:
        book.close()
