"""Reading the student's code files (in the grader's process, without running them):
.py modules as text, notebooks' code cells with nbformat."""
from __future__ import annotations

import re
from pathlib import Path

from grader.errors import SubmissionError

MAX_SOURCE_BYTES = 5 * 1024 * 1024
#: IPython-only lines (magics, shell escapes) that plain Python cannot run
_IPYTHON_LINE = re.compile(r"^\s*(%|!|get_ipython\(\))")


def module_name(path: Path, taken: set[str]) -> str:
    base = re.sub(r"\W", "_", path.stem) or "student"
    if base[0].isdigit():
        base = "_" + base
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SubmissionError(f"cannot be read ({e.strerror})", file=path.name) from None
    if len(data) > MAX_SOURCE_BYTES:
        raise SubmissionError(f"is {len(data)} bytes, over the {MAX_SOURCE_BYTES} byte limit", file=path.name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise SubmissionError(f"is not UTF-8 text (byte 0x{data[e.start]:02x}); save it as UTF-8",
                              file=path.name, line=line) from None


def notebook_cells(path: Path, text: str) -> list[dict]:
    """The code cells of a notebook as [{"index": n (1-based), "source": str}], IPython
    magics commented out. A malformed notebook raises SubmissionError naming file and cell."""
    import json

    import nbformat

    try:
        raw = json.loads(text)
    except ValueError as e:
        raise SubmissionError(f"is not a readable Jupyter notebook: not JSON ({e})", file=path.name) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", []), list):
        raise SubmissionError("is not a readable Jupyter notebook: no list of cells", file=path.name)
    for i, cell in enumerate(raw.get("cells", []), start=1):
        if not isinstance(cell, dict) or "cell_type" not in cell:
            raise SubmissionError(f"is not a readable Jupyter notebook: cell {i} has no cell_type", file=path.name)
        src = cell.get("source", "")
        if not isinstance(src, str) and not (isinstance(src, list) and all(isinstance(s, str) for s in src)):
            raise SubmissionError(f"is not a readable Jupyter notebook: cell {i} has a source that is "
                                  "neither text nor a list of lines", file=path.name)
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as e:  # nbformat raises several unrelated types for a bad schema
        first = str(e).split("\n")[0]
        raise SubmissionError(f"is not a readable Jupyter notebook ({type(e).__name__}: {first})",
                              file=path.name) from None
    cells = []
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        lines = [("# " + ln if _IPYTHON_LINE.match(ln) else ln) for ln in cell.source.split("\n")]
        cells.append({"index": i, "source": "\n".join(lines)})
    return cells


def read_sources(code_files: list[Path]) -> list[dict]:
    """What the child loads: [{"name", "module", "kind": "py"|"ipynb", "source"|"cells"}]."""
    taken: set[str] = set()
    out = []
    for path in code_files:
        path = Path(path)
        text = _text(path)
        entry = {"name": path.name, "module": module_name(path, taken)}
        if path.suffix.lower() == ".ipynb":
            entry.update(kind="ipynb", cells=notebook_cells(path, text))
        else:
            entry.update(kind="py", source=text)
        out.append(entry)
    return out
