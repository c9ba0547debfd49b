"""Evidence → what a report shows: labelled values, math, code lines, charts.

Each answer kind records its evidence as `Evidence(kind, message, data)`. This module knows
the data shapes documented in docs/reports.md and turns them into an `EvidenceView` that the
shared Jinja macro renders; templates stay free of per-kind logic. A shape that does not
match (a kind still being written, a hostile notebook's output) is shown as its message
only, with a note, never as a crash.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from grader.report import svg
from grader.report.mathml import latex_to_mathml
from grader.results import Evidence

MAX_CURVE = 20_000  # points in a loss curve we accept; more are refused, not drawn
CURVE_DRAWN = 400  # points actually drawn (evenly subsampled)
MAX_GRID = 200  # rows/columns of a decision-boundary grid
MAX_CODE_LINES = 60
MAX_VALUE_CHARS = 400


@dataclass
class CodeExcerpt:
    file: str
    first_line: int
    lines: list[str]
    highlight: set[int] = field(default_factory=set)
    single_line: bool = False  # one line an evidence item pointed at, not an excerpt of its own

    def numbered(self) -> list[tuple[int, str, bool]]:
        return [(self.first_line + i, text, self.first_line + i in self.highlight)
                for i, text in enumerate(self.lines)]


@dataclass
class EvidenceView:
    kind: str
    message: str
    # label, value: a str is escaped and shown as code by the template, Markup (safe MathML) as is
    rows: list[tuple[str, str | Markup]] = field(default_factory=list)
    pre: str | None = None  # preformatted text (a parse error's caret line)
    code: CodeExcerpt | None = None
    figures: list[Markup] = field(default_factory=list)
    note: str | None = None


def format_value(value: Any, digits: int = 6) -> str:
    """A value from evidence data as a short, stable string."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return f"{value:.{digits}g}"
    if isinstance(value, (list, tuple)):
        text = "[" + ", ".join(format_value(v, digits) for v in value[:50]) + (", …" if len(value) > 50 else "") + "]"
    elif isinstance(value, dict):
        text = ", ".join(f"{k} = {format_value(v, digits)}" for k, v in list(value.items())[:50])
    else:
        text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + " …"


def _numbers(values: Any, limit: int) -> list[float] | None:
    if not isinstance(values, (list, tuple)) or len(values) > limit:
        return None
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) and v is not None:
            return None
        out.append(float("nan") if v is None else float(v))
    return out


def _subsample(values: list[float], n: int) -> list[float]:
    if len(values) <= n:
        return values
    return [values[round(i * (len(values) - 1) / (n - 1))] for i in range(n)]


_NUMBER_TYPES = {int, float}


def _grid(g: Any) -> tuple[tuple[int, ...], ...] | None:
    """A grid of class numbers, or None when `g` is not one (checked at C speed: grids are big)."""
    if not isinstance(g, (list, tuple)) or not g or len(g) > MAX_GRID:
        return None
    rows = []
    for row in g:
        if not isinstance(row, (list, tuple)) or not row or len(row) > MAX_GRID:
            return None
        types = set(map(type, row))
        if not types <= _NUMBER_TYPES or (float in types and not all(map(math.isfinite, row))):
            return None
        rows.append(tuple(map(int, row)))
    return tuple(rows)


def _points(points: Any) -> tuple[tuple[float, float, int], ...]:
    if not isinstance(points, (list, tuple)):
        return ()
    out = []
    for p in points[:2000]:
        if (isinstance(p, (list, tuple)) and len(p) >= 3 and set(map(type, p[:3])) <= _NUMBER_TYPES
                and all(map(math.isfinite, p[:3]))):
            out.append((float(p[0]), float(p[1]), int(p[2])))
    return tuple(out)


# Charts are cached by their data: every student of a variant shares the reference's curve and
# boundary, and many right answers draw the same picture.
@lru_cache(maxsize=1024)
def _grid_chart(grid: tuple[tuple[int, ...], ...], title: str, xr: tuple[float, float], yr: tuple[float, float],
                points: tuple[tuple[float, float, int], ...], xl: str, yl: str) -> Markup:
    return svg.prediction_grid(grid, title, xr, yr, points, x_label=xl, y_label=yl)


@lru_cache(maxsize=1024)
def _curve_chart(series: tuple[tuple[str, tuple[float, ...]], ...], title: str, xl: str, yl: str,
                 log_y: bool) -> Markup:
    return svg.line_chart(dict(series), title, x_label=xl, y_label=yl, log_y=log_y)


def _range(r: Any) -> tuple[float, float] | None:
    if (isinstance(r, (list, tuple)) and len(r) == 2 and all(isinstance(v, (int, float)) for v in r)
            and all(math.isfinite(v) for v in r) and r[1] > r[0]):
        return float(r[0]), float(r[1])
    return None


def _loss_curve(view: EvidenceView, d: dict[str, Any]) -> None:
    series = {}
    for key, label in (("student", "your run"), ("reference", "reference")):
        if key in d:
            vals = _numbers(d[key], MAX_CURVE)
            if vals is None:
                view.note = f"the {key} curve is not a list of at most {MAX_CURVE} numbers; not drawn"
                return
            series[label] = _subsample(vals, CURVE_DRAWN)
    if not series:
        view.note = "no curve to draw"
        return
    view.figures.append(_curve_chart(tuple((k, tuple(v)) for k, v in series.items()),
                                     str(d.get("title", "Loss during training")), str(d.get("x_label", "iteration")),
                                     str(d.get("y_label", "loss")), bool(d.get("log_y", False))))
    for key, label in (("student", "your final loss"), ("reference", "reference final loss")):
        vals = series.get("your run" if key == "student" else "reference")
        if vals:
            view.rows.append((label, format_value(vals[-1])))


def _decision_boundary(view: EvidenceView, d: dict[str, Any]) -> None:
    xr, yr = _range(d.get("x_range")), _range(d.get("y_range"))
    if xr is None or yr is None:
        view.note = "x_range / y_range missing or not [low, high]; boundary not drawn"
        return
    pts = _points(d.get("points", []))
    labels = d.get("axis_labels", ["x₁", "x₂"])
    xl, yl = (str(labels[0]), str(labels[1])) if isinstance(labels, (list, tuple)) and len(labels) == 2 else ("x₁", "x₂")
    for key, title in (("student", "Your decision boundary"), ("reference", "Reference decision boundary")):
        if key not in d:
            continue
        grid = _grid(d[key])
        if grid is None:
            view.note = f"the {key} grid is not a list of rows of class numbers (at most {MAX_GRID}×{MAX_GRID}); not drawn"
            continue
        view.figures.append(_grid_chart(grid, title, xr, yr, pts, xl, yl))
    if "accuracy" in d:
        view.rows.append(("your accuracy", format_value(d["accuracy"], 4)))
    if "reference_accuracy" in d:
        view.rows.append(("reference accuracy", format_value(d["reference_accuracy"], 4)))


def _code(view: EvidenceView, d: dict[str, Any]) -> None:
    lines = d.get("lines")
    if isinstance(lines, str):
        lines = lines.splitlines()
    if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
        view.note = "no code lines to show"
        return
    first = d.get("first_line", 1)
    first = first if isinstance(first, int) and first > 0 else 1
    hl = d.get("highlight", [])
    highlight = {h for h in hl if isinstance(h, int)} if isinstance(hl, list) else set()
    shown = lines[:MAX_CODE_LINES]
    if len(lines) > MAX_CODE_LINES:
        shown = shown + [f"… ({len(lines) - MAX_CODE_LINES} more lines)"]
    view.code = CodeExcerpt(str(d.get("file", "")), first, shown, highlight)


def _math(latex: Any) -> Markup | None:
    return latex_to_mathml(latex) if isinstance(latex, str) and latex.strip() else None


def _point_rows(view: EvidenceView, d: dict[str, Any], labels: tuple[str, str]) -> None:
    """The point where two expressions differ, and both values there."""
    # the math engine's Verdict names them counterexample / student_value / reference_value
    point = d.get("point") if "point" in d else d.get("counterexample")
    if isinstance(point, dict) and point:
        # variable names are LaTeX (s_i, z_{1}); the sanitiser keeps anything odd as text
        at = r",\; ".join(f"{k} = {format_value(v)}" for k, v in list(point.items())[:20])
        view.rows.append(("at", latex_to_mathml(at, display=False)))
    for key, label in zip(("student", "reference"), labels):
        value = d.get(key) if key in d else d.get(f"{key}_value")
        if value is not None:
            view.rows.append((label, format_value(value)))


STEP_MARK = {True: "✓ follows", False: "✗ does not follow", None: "? undecided"}
MAX_STEPS_SHOWN = 40


def _derivation_steps(view: EvidenceView, d: dict[str, Any]) -> None:
    """A derivation line by line, each step marked as following or not (grader/kinds/derivation.py)."""
    steps = d.get("steps")
    if not isinstance(steps, list):
        view.note = "no steps to show"
        return
    lhs = _math(d.get("lhs"))
    if lhs is not None:
        view.rows.append(("derived quantity", lhs))
    for st in steps[:MAX_STEPS_SHOWN]:
        if not isinstance(st, dict):
            continue
        mark = STEP_MARK.get(st.get("ok"), "?")
        cases = st.get("conditions") or []
        label = f"step {st.get('step', '?')} {mark}" + (f" (if {', '.join(map(str, cases))})" if cases else "")
        m = _math(st.get("to"))
        view.rows.append((label, m if m is not None else format_value(st.get("to"))))
    if len(steps) > MAX_STEPS_SHOWN:
        view.note = f"{len(steps) - MAX_STEPS_SHOWN} more steps not shown"
    final = d.get("final_ok")
    view.rows.append(("final answer", {True: "right", False: "not right", None: "undecided"}.get(final, "?")))


def evidence_view(ev: Evidence) -> EvidenceView:
    """What to show for one piece of evidence (shapes: docs/reports.md)."""
    d = ev.data if isinstance(ev.data, dict) else {}
    view = EvidenceView(kind=ev.kind, message=ev.message)
    kind = ev.kind.replace("_", "-")
    if kind == "loss-curve":
        _loss_curve(view, d)
    elif kind == "decision-boundary":
        _decision_boundary(view, d)
    elif kind == "code":
        _code(view, d)
    elif kind == "counterexample":
        _point_rows(view, d, ("your expression gives", "expected"))
    elif kind == "first-wrong-step":
        if isinstance(d.get("step"), int):
            view.rows.append(("step", str(d["step"])))
        for key, label in (("from", "from"), ("to", "does not follow:")):
            m = _math(d.get(key))
            if m is not None:
                view.rows.append((label, m))
        _point_rows(view, d, ("this line gives", "the line before gives"))
    elif kind == "derivation-steps":
        _derivation_steps(view, d)
    elif kind == "failing-input":
        for key, label in (("input", "input"), ("expected", "expected"), ("actual", "your code gave"),
                           ("max_error", "largest error"), ("error", "error")):
            if key in d:
                view.rows.append((label, format_value(d[key], 3 if key == "max_error" else 6)))
        if isinstance(d.get("failed"), int) and isinstance(d.get("cases"), int):
            view.rows.append(("failing inputs", f"{d['failed']} of {d['cases']}"))
    elif kind == "first-diverging-step":  # the trace kind: a state sequence leaves the rule's
        for key, label in (("case", "case"), ("step", "step"), ("before", "state before"),
                           ("expected", "the rule gives"), ("given", "yours")):
            if d.get(key) is not None:
                view.rows.append((label, format_value(d[key])))
    elif kind == "metric":  # the training kind: a measured quality against its threshold
        if "metric" in d and "value" in d:
            view.rows.append((str(d["metric"]), format_value(d["value"], 4)))
        if "threshold" in d:
            view.rows.append(("required", format_value(d["threshold"], 4)))
    elif kind == "diagnosis":
        name = d.get("name") or d.get("mistake")  # the function kind names an author's mistake
        if name:
            view.rows.append(("diagnosis", str(name)))
    elif isinstance(d.get("file"), str) and isinstance(d.get("line"), int) and isinstance(d.get("code"), str):
        # any evidence pointing at one line of the student's code (the vectorised kind's loops)
        _code(view, {"file": d["file"], "first_line": d["line"], "lines": d["code"].splitlines() or [""],
                     "highlight": [d["line"]]})
        if view.code is not None:
            view.code.single_line = True
    if isinstance(d.get("caret"), str) and d["caret"]:
        view.pre = d["caret"]
    return view


def evidence_views(evidence: list[Evidence], feedback: list[str]) -> list[EvidenceView]:
    """The views of a part's evidence, leaving out evidence that only repeats the feedback
    (a plot or a table still earns its place even when its message is repeated), and a single
    line of code that a longer excerpt of the same part already shows."""
    views = [evidence_view(ev) for ev in evidence if ev.kind != "isolation"]  # isolation: in the header
    shown = {(v.code.file, no) for v in views if v.code and not v.code.single_line
             for no, _, _ in v.code.numbered()}
    out = []
    for ev, v in zip((ev for ev in evidence if ev.kind != "isolation"), views):
        if v.code and v.code.single_line and (v.code.file, v.code.first_line) in shown:
            v.code = None
        if ev.message in feedback and not (v.rows or v.pre or v.code or v.figures):
            continue
        if ev.message in feedback:
            v.message = ""
        out.append(v)
    return out
