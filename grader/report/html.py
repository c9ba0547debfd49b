"""The HTML report of one graded submission (Jinja2, self-contained, all student text escaped)."""
from __future__ import annotations

from pathlib import Path

import jinja2

from grader.kinds.base import MATH_BLOCK_SEP
from grader.report.mathml import latex_to_mathml
from grader.results import Result, Status

TEMPLATES = Path(__file__).parent / "templates"

STATUS_CLASS = {
    Status.CORRECT: "ok", Status.INCORRECT: "bad", Status.PARTIAL: "partial",
    Status.ERROR: "bad", Status.NOT_ANSWERED: "none", Status.MANUAL: "manual",
}


def math_blocks(answer: str | None) -> list[str]:
    return [b for b in (answer or "").split(MATH_BLOCK_SEP) if b.strip()]


def environment() -> jinja2.Environment:
    """The report environment; other report writers reuse its filters and macros."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["mathml"] = latex_to_mathml
    env.filters["math_blocks"] = math_blocks
    env.filters["status_class"] = lambda s: STATUS_CLASS.get(Status(s), "none")
    env.filters["points"] = lambda x: f"{x:g}"
    return env


def render_result(result: Result, exercise: object | None = None) -> str:
    """A whole HTML page for one Result."""
    return environment().get_template("result.html.j2").render(result=result, Status=Status)


def write_result(result: Result, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_result(result), encoding="utf-8")
    return path
