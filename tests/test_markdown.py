"""Answer Markdown: front matter, `## part` sections, math blocks."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.submission.markdown import extract_math, match_part, parse_markdown


def test_sections_front_matter_and_lines() -> None:
    doc = parse_markdown("---\nstudent: alice\nexercise: x\n---\n# Title\n\n## z\n$$z = 3$$\n\n## h: hidden\n$h=3$\n")
    assert doc.front_matter == {"student": "alice", "exercise": "x"}
    assert [s.heading for s in doc.sections] == ["z", "h: hidden"]
    assert doc.sections[0].line == 7
    assert extract_math(doc.sections[0].body) == ["z = 3"]
    assert extract_math(doc.sections[1].body) == ["h=3"]


def test_headings_inside_code_fences_are_not_sections() -> None:
    doc = parse_markdown("## a\n```\n## not a heading\n$$ 1 $$\n```\n$$2$$\n")
    assert [s.heading for s in doc.sections] == ["a"]
    assert extract_math(doc.sections[0].body) == ["2"]


def test_aligned_and_display_math_win_over_inline() -> None:
    body = "We get $x$ and\n$$\\begin{aligned} a &= b \\\\ &= c \\end{aligned}$$\n"
    assert extract_math(body) == ["\\begin{aligned} a &= b \\\\ &= c \\end{aligned}"]
    assert extract_math("\\begin{aligned} a &= 1 \\end{aligned}") == ["\\begin{aligned} a &= 1 \\end{aligned}"]
    assert extract_math("\\[ y = 2 \\]") == ["y = 2"]


def test_match_part_is_forgiving_about_heading_style() -> None:
    ids = ["z", "dL_dw1", "w1_new"]
    assert match_part("z", ids) == "z"
    assert match_part("Part dl_dw1", ids) == "dL_dw1"
    assert match_part("w1_new: the update", ids) == "w1_new"
    assert match_part("bonus", ids) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("#$\\{}`~-: \nabz0123") + ["## ", "$$", "```", "---\n"]), max_size=120).map("".join))
def test_any_text_parses_without_error(text: str) -> None:
    doc = parse_markdown(text)
    for s in doc.sections:
        extract_math(s.body)
