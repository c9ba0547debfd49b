"""The course catalogue: its exercises validate, and docs/catalogue.md says what they hold."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.exercise.loader import load_exercise

#: the catalogue's exercises (the others have their own tests)
CATALOGUE = ("playground", "network-shapes", "relu-net-forward", "gd-nonconvex", "xor-backprop",
             "xor-not-separable", "two-layer-study", "param-counts", "softplus-gradients", "line-search", "training-study")


def test_catalogue_exercises_have_references_and_known_wrong_examples(repo: Path) -> None:
    """`grader validate` (tests/test_cli.py) proves them; here: each has what it needs."""
    for ex_id in CATALOGUE:
        ex = load_exercise(repo / "exercises" / ex_id, repo / "solutions")
        assert ex.solution_path is not None and (ex.solution_path / "answers.md").is_file(), ex_id
        wrong = [p for p in (ex.solution_path / "wrong").iterdir() if (p / "expect.toml").is_file()]
        assert len(wrong) >= 2, f"{ex_id} has {len(wrong)} known-wrong example(s)"
        assert ex.section, f"{ex_id} names no course section"


def _overview_rows(text: str) -> dict[str, str]:
    rows = {}
    for line in text.split("\n"):
        m = re.match(r"^\| [A-E]\.\d[^|]*\| `([a-z0-9-]+)` \| ([^|]*)\|", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


@pytest.mark.parametrize("exercise_id", CATALOGUE)
def test_docs_catalogue_lists_every_part(repo: Path, exercise_id: str) -> None:
    text = (repo / "docs" / "catalogue.md").read_text(encoding="utf-8")
    rows = _overview_rows(text)
    assert exercise_id in rows, f"docs/catalogue.md has no row for {exercise_id}"
    ex = load_exercise(repo / "exercises" / exercise_id, repo / "solutions")
    named = set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", re.sub(r"\([^)]*\)", " ", rows[exercise_id])))
    assert set(ex.part_ids) <= named, f"not in docs/catalogue.md: {sorted(set(ex.part_ids) - named)}"
    assert ex.section and ex.section in text
    kinds = {p.kind for p in ex.parts}
    for kind in kinds:
        assert f"{kind}" in rows[exercise_id], f"{exercise_id}: kind {kind} not mentioned"


def test_readme_links_the_catalogue(repo: Path) -> None:
    assert "(docs/catalogue.md)" in (repo / "README.md").read_text(encoding="utf-8")
