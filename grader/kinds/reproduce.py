"""`reproduce`: numbers a student reports in a table are re-computed by running their code.

For studies such as "training and test accuracy for every learning rate and regularisation
strength", the toolkit cannot know the right numbers (they depend on the student's
implementation), but it can check that the reported table is what the student's own code
gives with the stated settings: each cell is one call of the student's function in the
sandbox, on data the instructor's solution.py provides.

```toml
[[parts]]
id = "accuracy_tables"
kind = "reproduce"
points = 3
function = "train_and_evaluate"      # the student's function
data = "study_data"                  # solution.py: study_data(params) -> dict of keyword arguments
rows = { name = "lr", values = [1, 0.1, 0.05, 0.01] }
columns = { name = "reg", values = [1, 0.1, 0.01, 0.001, 0.0001] }
settings = { epochs = 10, batch_size = 50, hidden = 20, seed = 0 }   # fixed keyword arguments
outputs = ["train", "test"]          # what the function returns, in order; a cell is "0.91 / 0.88"
abs_tol = 0.005
```
The answer is a Markdown table: the header row holds the column values, the first cell of
each row its row value, and each cell the outputs separated by `/`.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.errors import ExerciseError, Location
from grader.kinds.base import AnswerKind, CheckTask
from grader.results import Evidence, PartResult, Status
from grader.sandbox import Call, run_calls
from grader.sandbox.limits import limits_for
from grader.solutions import load_solution

KEYS = {"function", "data", "rows", "columns", "settings", "outputs", "abs_tol"}
MAX_CELLS = 100
SHOWN_MISMATCHES = 3
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Axis:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class ReproduceOptions:
    function: str
    data: str
    rows: Axis
    columns: Axis
    settings: dict[str, Any]
    outputs: tuple[str, ...]
    abs_tol: float = 0.005


class TableError(Exception):
    """The reported table cannot be read; the message says where."""


def _at(where: Location, key: str) -> Location:
    return Location(where.file, f"{where.key}.{key}" if where.key else key, where.part)


def _identifier(raw: dict[str, Any], key: str, where: Location) -> str:
    v = raw.get(key)
    if not isinstance(v, str) or not v.isidentifier():
        raise ExerciseError(f"'{key}' must name a Python function, not {v!r}", location=_at(where, key))
    return v


def _axis(raw: Any, key: str, where: Location) -> Axis:
    if (not isinstance(raw, dict) or set(raw) != {"name", "values"} or not isinstance(raw["name"], str)
            or not raw["name"].isidentifier() or not isinstance(raw["values"], list) or not raw["values"]
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw["values"])):
        raise ExerciseError(f"'{key}' must be a table {{ name = \"lr\", values = [0.1, 0.01] }}", location=_at(where, key))
    return Axis(raw["name"], tuple(float(v) for v in raw["values"]))


# --- reading the student's table --------------------------------------------------------
def _number(text: str) -> float | None:
    t = text.strip().strip("*_`$ ").replace("−", "-").replace("\\%", "%")
    percent = t.endswith("%")
    t = t.rstrip("% ")
    m = re.fullmatch(r"([+-]?[\d.]+)\s*(?:\\times|×|x|\*|\\cdot)\s*10\^\{?([+-]?\d+)\}?", t)
    if m and _NUMBER.match(m.group(1)):
        return float(m.group(1)) * 10.0 ** int(m.group(2))
    if re.fullmatch(r"10\^\{?[+-]?\d+\}?", t):
        return 10.0 ** int(re.sub(r"[^\d+-]", "", t[3:]))
    if not _NUMBER.match(t):
        return None
    return float(t) / (100 if percent else 1)


def _cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def _match(value: float, axis: Axis) -> int | None:
    for i, v in enumerate(axis.values):
        if math.isclose(value, v, rel_tol=1e-9, abs_tol=1e-12):
            return i
    return None


def _fmt(v: float) -> str:
    return f"{v:g}"


def read_table(text: str, o: ReproduceOptions) -> dict[tuple[int, int], tuple[float, ...]]:
    """{(row index, column index): reported outputs}. TableError names what is wrong."""
    lines = [ln for ln in text.split("\n") if ln.strip().startswith("|")]
    if not lines:
        raise TableError(f"no Markdown table found: give one row per {o.rows.name} and one column per "
                         f"{o.columns.name}, e.g. `| {o.rows.name} \\ {o.columns.name} | "
                         f"{_fmt(o.columns.values[0])} | ... |`")
    header, body = _cells(lines[0]), [ln for ln in lines[1:] if not re.fullmatch(r"[\s|:\-]+", ln)]
    columns: list[int | None] = [None]
    for j, cell in enumerate(header[1:], start=2):
        value = _number(cell)
        index = None if value is None else _match(value, o.columns)
        if index is None:
            raise TableError(f"the header's column {j} is '{cell}', which is not one of the {o.columns.name} "
                             f"values {', '.join(map(_fmt, o.columns.values))}")
        columns.append(index)
    table: dict[tuple[int, int], tuple[float, ...]] = {}
    for line in body:
        cells = _cells(line)
        value = _number(cells[0])
        row = None if value is None else _match(value, o.rows)
        if row is None:
            raise TableError(f"the row '{cells[0]}' is not one of the {o.rows.name} values "
                             f"{', '.join(map(_fmt, o.rows.values))}")
        for j, cell in enumerate(cells[1:len(columns)], start=1):
            col = columns[j]
            assert col is not None
            parts = [p for p in re.split(r"\s*/\s*", cell.strip())]
            numbers = [_number(p) for p in parts]
            if len(numbers) != len(o.outputs) or any(n is None for n in numbers):
                raise TableError(f"the cell for {o.rows.name} = {_fmt(o.rows.values[row])}, "
                                 f"{o.columns.name} = {_fmt(o.columns.values[col])} is '{cell}'; write "
                                 f"{' / '.join(o.outputs)} as numbers, e.g. '0.91 / 0.88'")
            table[(row, col)] = tuple(float(n) for n in numbers)  # type: ignore[arg-type]
    missing = [(r, c) for r in range(len(o.rows.values)) for c in range(len(o.columns.values)) if (r, c) not in table]
    if missing:
        r, c = missing[0]
        raise TableError(f"{len(missing)} cell(s) missing, the first for {o.rows.name} = {_fmt(o.rows.values[r])}, "
                         f"{o.columns.name} = {_fmt(o.columns.values[c])}")
    return table


# --- the kind ----------------------------------------------------------------------------
class ReproduceKind(AnswerKind):
    name = "reproduce"
    reference_from = None  # the student's own code is the reference for their numbers

    def parse_options(self, raw: dict[str, Any], where: Location) -> ReproduceOptions:
        extra = set(raw) - KEYS
        if extra:
            raise ExerciseError(f"unknown key(s) for a reproduce part: {', '.join(sorted(extra))} "
                                f"(known: {', '.join(sorted(KEYS))})", location=where)
        rows, columns = _axis(raw.get("rows"), "rows", where), _axis(raw.get("columns"), "columns", where)
        if len(rows.values) * len(columns.values) > MAX_CELLS:
            raise ExerciseError(f"at most {MAX_CELLS} cells (each is a run of the student's code)",
                                location=_at(where, "rows"))
        settings = raw.get("settings", {})
        if not isinstance(settings, dict):
            raise ExerciseError("'settings' must be a table of fixed keyword arguments", location=_at(where, "settings"))
        outputs = raw.get("outputs")
        if not isinstance(outputs, list) or not outputs or not all(isinstance(x, str) and x for x in outputs):
            raise ExerciseError("'outputs' must be a list of names, e.g. [\"train\", \"test\"]",
                                location=_at(where, "outputs"))
        tol = raw.get("abs_tol", 0.005)
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or tol < 0:
            raise ExerciseError("'abs_tol' must be a non-negative number", location=_at(where, "abs_tol"))
        return ReproduceOptions(_identifier(raw, "function", where), _identifier(raw, "data", where), rows, columns,
                                dict(settings), tuple(outputs), float(tol))

    def check(self, task: CheckTask) -> PartResult:
        o: ReproduceOptions = task.part.options
        assert task.answer is not None
        if task.reference.solution_file is None:
            # the instructor's data is not here (a student's release bundle): not an error
            return self.instructor_only(task)
        try:
            table = read_table(task.answer.text, o)
        except TableError as e:
            message = f"Could not read your table: {e}."
            return self._result(task, Status.ERROR, 0.0, [message], [Evidence("parse-error", message)])
        if not task.answer.code_files:
            message = ("This part re-runs your code to check the table, but the submission has no .py or "
                       ".ipynb file.")
            return self._result(task, Status.ERROR, 0.0, [message], [Evidence("no-code", message)])
        data = self._data(task, o)
        keys = sorted(table)
        calls = [Call(o.function, kwargs={**data, **o.settings, o.rows.name: o.rows.values[r],
                                          o.columns.name: o.columns.values[c]}, label=f"cell {r},{c}")
                 for r, c in keys]
        report = run_calls(task.answer.code_files, calls, limits_for(task.ctx.exercise, task.part))
        iso = Evidence("isolation", report.isolation_note, {"isolation": report.isolation})
        if report.load_error:
            message = f"Your code could not be loaded: {report.load_error}"
            return self._result(task, Status.ERROR, 0.0, [message], [Evidence("load-error", message), iso])
        cells: list[dict[str, Any]] = []
        for (r, c), out in zip(keys, report.outcomes):
            where = f"{o.rows.name} = {_fmt(o.rows.values[r])}, {o.columns.name} = {_fmt(o.columns.values[c])}"
            if out.limit:
                message = f"Your code {out.limit} ({where})."
                return self._result(task, Status.ERROR, 0.0, [message], [Evidence("limit", message), iso])
            cell = {"row": o.rows.values[r], "column": o.columns.values[c], "where": where,
                    "reported": list(table[(r, c)]), "rerun": None, "error": None}
            if not out.ok:
                cell["error"] = out.error or "failed"
            else:
                cell["rerun"] = self._outputs(out.value, o)
                if cell["rerun"] is None:
                    cell["error"] = (f"`{o.function}` returned {type(out.value).__name__}; expected "
                                     f"{len(o.outputs)} numbers ({', '.join(o.outputs)})")
            cells.append(cell)
        return self._judge(task, o, cells, iso)

    def _judge(self, task: CheckTask, o: ReproduceOptions, cells: list[dict[str, Any]], iso: Evidence) -> PartResult:
        def same(a: list[float] | None, b: list[float]) -> bool:
            return a is not None and all(abs(x - y) <= o.abs_tol for x, y in zip(a, b))

        good = [c for c in cells if same(c["rerun"], c["reported"])]
        bad = [c for c in cells if c not in good]
        data = {"cells": [{k: v for k, v in c.items() if k != "where"} for c in cells], "abs_tol": o.abs_tol}
        if not bad:
            text = (f"All {len(cells)} cells are what your code gives with the stated settings "
                    f"(within {o.abs_tol:g}). This checks that the table is reproducible, not that the "
                    "numbers are good.")
            return self._result(task, Status.CORRECT, 1.0, [text], [Evidence("reproduce", text, data), iso])
        lines = [f"{len(bad)} of {len(cells)} cells are not what your code gives with the stated settings "
                 f"(tolerance {o.abs_tol:g})."]
        for c in bad[:SHOWN_MISMATCHES]:
            said = " / ".join(f"{v:g}" for v in c["reported"])
            got = c["error"] or " / ".join(f"{v:.4g}" for v in c["rerun"])
            lines.append(f"{c['where']}: you report {said}; your code gives {got}.")
        diagnosis, why = self._diagnose(o, cells, same)
        if why:
            lines.insert(1, why)
        evidence = [Evidence("reproduce", lines[0], data)]
        if diagnosis:
            evidence.append(Evidence("diagnosis", why or "", {"name": diagnosis}))
        fraction = len(good) / len(cells)
        status = Status.PARTIAL if good else Status.INCORRECT
        return self._result(task, status, fraction, lines, evidence + [iso], diagnosis)

    @staticmethod
    def _diagnose(o: ReproduceOptions, cells: list[dict[str, Any]], same: Any) -> tuple[str | None, str | None]:
        ran = [c for c in cells if c["rerun"] is not None]
        if not ran:
            return "code-fails", "Your function failed on every setting, so none of the numbers could be checked."
        if len(o.outputs) == 2 and all(same(c["rerun"][::-1], c["reported"]) for c in ran):
            return "outputs-swapped", (f"Your table has {o.outputs[0]} and {o.outputs[1]} the other way round "
                                       "from what your function returns.")
        by_pos = {(c["row"], c["column"]): c for c in cells}
        if o.rows.values == o.columns.values or len(o.rows.values) != len(o.columns.values):
            pass
        else:
            rv, cv = o.rows.values, o.columns.values
            swapped = all(same(by_pos[(rv[i], cv[j])]["rerun"], by_pos[(rv[j], cv[i])]["reported"])
                          for i in range(len(rv)) for j in range(len(cv))
                          if by_pos[(rv[i], cv[j])]["rerun"] is not None)
            if swapped:
                return "rows-columns-swapped", (f"Your table matches your code with {o.rows.name} and "
                                                f"{o.columns.name} swapped.")
        return "not-reproducible", ("The numbers you report do not come from your code with the stated settings "
                                    "(different settings, another version of the code, or edited numbers?).")

    @staticmethod
    def _outputs(value: Any, o: ReproduceOptions) -> list[float] | None:
        if isinstance(value, dict):
            value = [value.get(k) for k in o.outputs]
        if isinstance(value, (int, float)) and len(o.outputs) == 1:
            value = [value]
        if not isinstance(value, (list, tuple)) or len(value) != len(o.outputs):
            return None
        try:
            out = [float(v) for v in value]
        except (TypeError, ValueError):
            return None
        return out if all(math.isfinite(v) for v in out) else None

    @staticmethod
    def _data(task: CheckTask, o: ReproduceOptions) -> dict[str, Any]:
        path = task.reference.solution_file
        assert path is not None  # check() leaves the part to the instructor without it
        module = load_solution(path)
        try:
            data = dict(getattr(module, o.data)(dict(task.ctx.parameters)))
        except Exception as e:  # instructor code: any failure is an exercise error
            raise ExerciseError(f"{o.data}(params) in solution.py failed: {type(e).__name__}: {e}",
                                file=str(path), part=task.part.id) from None
        return {k: np.asarray(v) if isinstance(v, (list, np.ndarray)) else v for k, v in data.items()}

    @staticmethod
    def _result(task: CheckTask, status: Status, fraction: float, feedback: list[str],
                evidence: list[Evidence], diagnosis: str | None = None) -> PartResult:
        res = AnswerKind.result(task, status, fraction, feedback=feedback, evidence=evidence,
                                diagnosis=diagnosis, answer_format="text")
        res.answer = task.answer.text.strip()[:20_000] if task.answer is not None else None
        return res
