"""The `expression` kind, end to end: scalar-net's symbolic gradients through `grader check`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.errors import ExerciseError, Location
from grader.kinds.expression import ExpressionKind

KIND = ExpressionKind()
WHERE = Location(file="exercise.toml", key="parts[0]", part="p")


def _answer(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "eve.md"
    f.write_text(body, encoding="utf-8")
    return f


def _check(cli, course: Path, tmp_path: Path, body: str) -> tuple[str, dict, str]:
    js = tmp_path / "eve.json"
    html = tmp_path / "eve.html"
    res = cli("check", "scalar-net", _answer(tmp_path, body), "--course", course, "--json", js, "--html", html)
    assert res.exit_code == 0, res.output
    parts = {p["part_id"]: p for p in json.loads(js.read_text(encoding="utf-8"))["parts"]}
    return res.output, parts, html.read_text(encoding="utf-8")


def test_equal_forms_are_correct(cli, course: Path, tmp_path: Path) -> None:
    _, parts, _ = _check(cli, course, tmp_path,
                         "## dL_dw1_expr\n$$\\frac{\\partial L}{\\partial w_1} = (w_2 w_1 x - y)\\, w_2 x$$\n"
                         "## dL_dw2_expr\n$$(\\hat{y} - y) h$$\n")
    assert parts["dL_dw1_expr"]["status"] == "correct"
    assert parts["dL_dw2_expr"]["status"] == "correct"
    assert "proven" in parts["dL_dw2_expr"]["evidence"][0]["message"]


def test_wrong_answer_shows_the_point_and_diagnosis(cli, course: Path, tmp_path: Path) -> None:
    out, parts, html = _check(cli, course, tmp_path, "## dL_dw1_expr\n$$(y - \\hat{y}) w_2 x$$\n"
                                                    "## dL_dw2_expr\n$$-(y - \\hat{y}) h^2$$\n")
    p = parts["dL_dw1_expr"]
    assert p["status"] == "incorrect" and p["diagnosis"] == "sign-flipped"
    ce = next(e for e in p["evidence"] if e["kind"] == "counterexample")
    assert ce["message"].startswith("At w_1 = ") and "you get" in ce["message"]
    assert set(ce["data"]["counterexample"]) == {"w_1", "w_2", "x", "y"}
    q = parts["dL_dw2_expr"]
    assert q["status"] == "incorrect" and q["diagnosis"] is None
    assert "you get" in out and "expected" in out
    assert "you get" in html


def test_parse_error_shows_a_caret(cli, course: Path, tmp_path: Path) -> None:
    out, parts, html = _check(cli, course, tmp_path, "## dL_dw1_expr\n$$-(y - \\hat{y} w_2 x$$\n"
                                                    "## dL_dw2_expr\n$$-(y - q) h$$\n")
    p = parts["dL_dw1_expr"]
    assert p["status"] == "error"
    ev = p["evidence"][0]
    assert "expected ')'" in ev["message"] or "')'" in str(ev["data"])
    assert ev["data"]["caret"].split("\n")[1].strip() == "^"
    assert "^" in out
    q = parts["dL_dw2_expr"]
    assert q["status"] == "error" and "unknown name 'q'" in q["feedback"][0]


def test_options_are_validated() -> None:
    with pytest.raises(ExerciseError, match="unknown key"):
        KIND.parse_options({"symbol": ["x"]}, WHERE)
    with pytest.raises(ExerciseError, match="does not parse"):
        KIND.parse_options({"symbols": ["x"], "definitions": {"x": "(1 +"}}, WHERE)
    with pytest.raises(ExerciseError, match="mode"):
        KIND.parse_options({"mode": "fuzzy"}, WHERE)
    with pytest.raises(ExerciseError, match="shape of 'W'"):
        KIND.parse_options({"shapes": {"W": "3x2"}}, WHERE)
    o = KIND.parse_options({"symbols": ["W", "x"], "shapes": {"W": ["N", "C"], "x": ["C"]}, "dims": {"N": 4}}, WHERE)
    assert o.ctx.shapes["W"] == ("N", "C")
