"""Reading answer Markdown: front matter, `## part` sections, and the math inside them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^##\s+(.*?)\s*#*\s*$")
FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")


@dataclass
class Section:
    heading: str  # the heading text as written
    body: str
    line: int  # 1-based line of the heading


@dataclass
class MarkdownDoc:
    front_matter: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    preamble: str = ""  # text before the first `##` heading


def parse_front_matter(text: str) -> tuple[dict[str, str], str, int]:
    """Split `---` front matter (simple `key: value` lines) from the text.

    Returns (front matter, rest of the text, number of lines consumed).
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 0
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            meta: dict[str, str] = {}
            for raw in lines[1:end]:
                m = FRONT_KEY.match(raw.strip())
                if m:
                    meta[m.group(1).lower()] = m.group(2).strip().strip("'\"")
            return meta, "\n".join(lines[end + 1:]), end + 1
    return {}, text, 0  # an unclosed '---' is just text


def parse_markdown(text: str) -> MarkdownDoc:
    """Sections are level-2 headings outside fenced code blocks."""
    meta, rest, offset = parse_front_matter(text)
    doc = MarkdownDoc(front_matter=meta)
    in_fence = False
    current: Section | None = None
    buf: list[str] = []
    for i, line in enumerate(rest.split("\n")):
        if FENCE.match(line):
            in_fence = not in_fence
        m = None if in_fence else HEADING.match(line)
        if m:
            if current is None:
                doc.preamble = "\n".join(buf)
            else:
                current.body = "\n".join(buf)
                doc.sections.append(current)
            current = Section(heading=m.group(1).strip(), body="", line=offset + i + 1)
            buf = []
        else:
            buf.append(line)
    if current is None:
        doc.preamble = "\n".join(buf)
    else:
        current.body = "\n".join(buf)
        doc.sections.append(current)
    return doc


_ENV = r"(?:aligned|align\*?|equation\*?|gather\*?|split|alignat\*?)"
_MATH = re.compile(
    r"\$\$(?P<dd>.+?)\$\$"
    r"|\\\[(?P<br>.+?)\\\]"
    rf"|(?P<env>\\begin\{{{_ENV}\}}.+?\\end\{{{_ENV}\}})"
    r"|(?<![\\$])\$(?P<inl>[^$\n]+?)\$",
    re.DOTALL,
)


def extract_math(body: str) -> list[str]:
    """The LaTeX math blocks of a section body, in order, without their delimiters.

    Display math (`$$...$$`, `\\[...\\]`, a bare `aligned`-style environment) wins: inline
    `$...$` is used only when a body has no display math.
    """
    display: list[str] = []
    inline: list[str] = []
    for m in _MATH.finditer(_strip_code(body)):
        if m.group("inl") is not None:
            inline.append(m.group("inl").strip())
        else:
            display.append((m.group("dd") or m.group("br") or m.group("env")).strip())
    return display or inline


def _strip_code(body: str) -> str:
    """Remove fenced code blocks, so a `$` in a code sample is not taken for math."""
    out: list[str] = []
    in_fence = False
    for line in body.split("\n"):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            out.append(line)
    return "\n".join(out)


def match_part(heading: str, part_ids: list[str]) -> str | None:
    """The part a heading names: `## z`, `## z: forward value`, `## Part z`, any case."""
    words = re.split(r"[\s:.,—–]+", heading.strip())
    words = [w for w in words if w]
    if words and words[0].lower() == "part" and len(words) > 1:
        words = words[1:]
    if not words:
        return None
    lowered = {pid.lower(): pid for pid in part_ids}
    return lowered.get(words[0].lower())
