"""The text of a student's code files for static checks (never executed here).

A `.py` file is read as it is; a notebook contributes its code cells, joined, with IPython
magics and shell lines (`%time`, `!pip`) blanked so the rest still parses. Every line keeps
its origin, so a message can say "notebook.ipynb, cell 3, line 5".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import SubmissionError
from grader.submission.ingest import read_text


@dataclass
class Source:
    name: str  # the file name shown to the student
    text: str
    #: 1-based line in `text` → (cell number, line in cell); empty for .py files
    cells: dict[int, tuple[int, int]] = field(default_factory=dict)
    path: Path | None = None

    def where(self, line: int) -> str:
        if line in self.cells:
            cell, cell_line = self.cells[line]
            return f"{self.name}, cell {cell}, line {cell_line}"
        return f"{self.name}, line {line}"

    def line_text(self, line: int) -> str:
        lines = self.text.split("\n")
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def read_source(path: Path) -> Source:
    """The code of one student file; SubmissionError when it cannot be read."""
    shown = path.name
    text = read_text(path, shown)
    if path.suffix.lower() != ".ipynb":
        return Source(shown, text, path=path)
    import nbformat

    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as e:  # nbformat raises several unrelated types for bad JSON/schema
        raise SubmissionError(f"is not a readable Jupyter notebook ({type(e).__name__})", file=shown) from None
    lines: list[str] = []
    cells: dict[int, tuple[int, int]] = {}
    number = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        for i, line in enumerate(str(cell.source).split("\n"), start=1):
            stripped = line.lstrip()
            if stripped.startswith(("%", "!")):
                line = line[: len(line) - len(stripped)] + "pass  # " + stripped
            lines.append(line)
            cells[len(lines)] = (number, i)
        lines.append("")
    return Source(shown, "\n".join(lines), cells, path)
