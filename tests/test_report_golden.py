"""Golden files: the report documents of a fixed class, byte for byte after normalising.

A change to templates, macros, the SVG writer or the MathML path shows up here as a diff.
When the change is deliberate, regenerate the goldens and review them like code:

    GRADER_UPDATE_GOLDENS=1 PYTHONPATH=. python -m pytest tests/test_report_golden.py
"""
from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from grader.report.class_report import write_class_reports
from grader.report.html import render_result
from tests.report_fixtures import class_entries, run_info, student_result

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GRADER_UPDATE_GOLDENS") == "1"


def normalise(html: str) -> str:
    """Trailing blanks and empty lines do not matter, nor the shared style sheet (the same in
    every page, checked by the browser test), nor the inside of <math> elements: that is
    latex2mathml's output, which may change between its releases (the MathML path is
    tested in test_report_html.py and in the browser). Everything else does."""
    html = re.sub(r"<style>.*?</style>", "<style>…</style>", html, flags=re.S)
    html = re.sub(r'<math\b[^>]*\bdisplay="(\w+)"[^>]*>.*?</math>', r'<math display="\1">…</math>', html,
                  flags=re.S)
    lines = (line.rstrip() for line in html.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line) + "\n"


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, str]:
    """Every golden document, rendered once for the module."""
    paths = write_class_reports(tmp_path_factory.mktemp("golden"), class_entries(6, ("scalar-net",)), run_info())
    docs = {"class-index.html": paths.index.read_text(encoding="utf-8"),
            "student-bob.html": paths.student_pages["bob"].read_text(encoding="utf-8"),
            "student-carol.html": paths.student_pages["Carol Ann"].read_text(encoding="utf-8"),
            "check-result.html": render_result(student_result("alice", variant=0))}
    return {name: normalise(text) for name, text in docs.items()}


@pytest.mark.parametrize("name", ["class-index.html", "student-bob.html", "student-carol.html", "check-result.html"])
def test_document_matches_golden(name: str, documents: dict[str, str]) -> None:
    got = documents[name]
    golden = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
        return
    assert golden.is_file(), f"{golden} missing: run with GRADER_UPDATE_GOLDENS=1 to create it"
    want = golden.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(list(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                 f"golden/{name}", "rendered now", n=1))[:60])
        pytest.fail(f"{name} differs from its golden file (if deliberate: GRADER_UPDATE_GOLDENS=1):\n{diff}")


def test_normalise_keeps_content_and_drops_only_blank_noise() -> None:
    assert normalise("<p>a</p>  \n\n\n<p> b</p>\r\n") == "<p>a</p>\n<p> b</p>\n"
    assert normalise("<style>\nbody {}\n</style>\n<p>x</p>") == "<style>…</style>\n<p>x</p>\n"
    for math in ('<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mi>x</mi></math>',
                 '<math display="inline" xmlns="http://www.w3.org/1998/Math/MathML"><mfrac>\n</mfrac></math>'):
        assert normalise(f"<td>{math}</td>") == '<td><math display="inline">…</math></td>\n'
