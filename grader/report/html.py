"""HTML reports (Jinja2, self-contained, all student text escaped).

One Jinja environment serves every page: `grader check`'s single-result page
(result.html.j2), the per-student pages and the class summary of `grader grade`
(class_report.py). They share the macros of _macros.html.j2, so a part looks the same
everywhere. Templates are compiled once per process (the environment is cached), which is
what lets a class of hundreds render in seconds.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from grader.kinds.base import MATH_BLOCK_SEP
from grader.report.evidence import evidence_views
from grader.report.mathml import latex_to_mathml
from grader.results import Result, Status

TEMPLATES = Path(__file__).parent / "templates"

STATUS_CLASS = {
    Status.CORRECT: "ok", Status.INCORRECT: "bad", Status.PARTIAL: "partial",
    Status.ERROR: "bad", Status.NOT_ANSWERED: "none", Status.MANUAL: "manual",
}


def math_blocks(answer: str | None) -> list[str]:
    return [b for b in (answer or "").split(MATH_BLOCK_SEP) if b.strip()]


def code_files(answer: str | None) -> list[str]:
    """The file names a code answer lists (one per line, see Answer.display)."""
    return [line.strip() for line in (answer or "").splitlines() if line.strip()]


def points(x: float) -> str:
    return f"{x:g}"


def isolation_sentence(isolation: str) -> str:
    """The sandbox says a whole sentence ("Your code ran in ..."); older results hold a phrase."""
    text = isolation.strip()
    if not text.lower().startswith("your code"):
        text = f"Your code ran {text}"
    return text if text.endswith(".") else text + "."


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The report environment (one per process; templates compile once)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined, auto_reload=False)
    env.filters["mathml"] = latex_to_mathml
    env.filters["math_blocks"] = math_blocks
    env.filters["code_files"] = code_files
    env.filters["status_class"] = lambda s: STATUS_CLASS.get(Status(s), "none")
    env.filters["points"] = points
    env.filters["isolation_sentence"] = isolation_sentence
    env.filters["evidence_views"] = lambda part: evidence_views(part.evidence, part.feedback)
    env.tests["markup"] = lambda v: isinstance(v, Markup)
    env.globals["Status"] = Status
    return env


def render_result(result: Result, exercise: object | None = None) -> str:
    """A whole HTML page for one Result."""
    return environment().get_template("result.html.j2").render(result=result)


def write_result(result: Result, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_result(result), encoding="utf-8")
    return path
