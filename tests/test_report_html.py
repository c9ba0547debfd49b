"""The HTML report: self-contained, math rendered, everything the student wrote escaped."""
from __future__ import annotations

import re
from pathlib import Path

from grader.checking import grade
from grader.exercise.loader import load_one
from grader.report.html import render_result
from grader.report.mathml import latex_to_mathml
from grader.results import Evidence, PartResult, Result, Status
from grader.submission.ingest import ingest


def test_wrong_submission_report_names_part_renders_math_and_says_what_is_wrong(repo: Path) -> None:
    ex = load_one(repo, "scalar-net")
    html = render_result(grade(ex, ingest(repo / "examples" / "class" / "bob", ex)))
    assert 'id="part-dL_dw1"' in html
    assert "<math" in html and "<mfrac>" in html  # rendered, not raw LaTeX
    assert "\\frac" not in html
    assert "wrong sign" in html
    assert "incorrect" in html


def test_report_is_self_contained(repo: Path) -> None:
    ex = load_one(repo, "scalar-net")
    html = render_result(grade(ex, ingest(repo / "examples" / "class" / "alice", ex)))
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html)
    assert "<script" not in html
    assert "default-src 'none'" in html


def test_student_text_is_escaped_everywhere() -> None:
    evil = "<script>alert(1)</script>"
    part = PartResult("p", "numeric", Status.ERROR, 0, 1, [evil], [Evidence("parse-error", evil, {"caret": evil})],
                      answer=f"\\text{{{evil}}} + x {evil}", answer_format="math")
    text_part = PartResult("q", "numeric", Status.ERROR, 0, 1, [], [], answer=evil, answer_format="text")
    html = render_result(Result("e", "1", "E", evil, "front matter", {}, [part, text_part], [evil]))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_mathml_sanitiser_keeps_only_mathml() -> None:
    broken = str(latex_to_mathml("\\text{<img src=x onerror=alert(1)>} \\frac{a}{b}"))
    assert "<img" not in broken and "&lt;img" in broken  # shown as text, never as markup
    wellformed = str(latex_to_mathml("\\text{<b>bold</b><script>x()</script>} \\frac{a}{b}"))
    assert "<b>" not in wellformed and "<script" not in wellformed
    assert "bold" in wellformed and "<mfrac>" in wellformed
    assert "<code" in str(latex_to_mathml("\\frac{" * 50))  # unconvertible → escaped source
