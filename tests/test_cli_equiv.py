"""`grader equiv`: two expressions or a JSON-lines file of pairs, one JSON verdict each."""
from __future__ import annotations

import json
from pathlib import Path


def test_two_expressions(cli) -> None:
    res = cli("equiv", "--", "-(y-x) x", "(y-x) x")
    assert res.exit_code == 0, res.output
    v = json.loads(res.output)
    assert v["equivalent"] is False
    assert v["message"].startswith("At x = ") and "expected" in v["message"]
    assert v["diagnosis"]["name"] == "sign-flipped"
    assert v["elapsed_s"] < 2.0
    ok = json.loads(cli("equiv", r"\sigma(z)(1-\sigma(z))", r"\frac{e^{-z}}{(1+e^{-z})^2}").output)
    assert ok["equivalent"] is True and ok["proven"] is True


def test_declarations_on_the_command_line(cli) -> None:
    res = cli("equiv", r"\sqrt{x^2}", "x", "--symbol", "x=positive")
    assert json.loads(res.output)["equivalent"] is True
    res = cli("equiv", r"\hat{y} - y", "w x - y", "--symbol", r"\hat{y}", "--symbol", "w", "--symbol", "x",
              "--symbol", "y", "--define", r"\hat{y}=w x")
    assert json.loads(res.output)["equivalent"] is True
    res = cli("equiv", "W x", "x W", "--symbol", "W", "--symbol", "x", "--shape", "W=N,C", "--shape", "x=C")
    v = json.loads(res.output)
    assert v["equivalent"] is False and "not defined" in v["shape_problem"]


def test_pairs_file(cli, tmp_path: Path) -> None:
    f = tmp_path / "pairs.jsonl"
    f.write_text("\n".join([
        json.dumps({"id": "p1", "a": "x**2", "b": "x*x", "syntax": "plain"}),
        json.dumps({"a": "\\frac{1}{", "b": "1"}),
        "not json",
        json.dumps({"a": "log(x)", "b": "ln(x)", "symbols": {"x": "positive"}}),
    ]) + "\n", encoding="utf-8")
    res = cli("equiv", "--file", f)
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.strip().split("\n")]
    assert [x["line"] for x in lines] == [1, 2, 3, 4]
    assert lines[0]["id"] == "p1" and lines[0]["equivalent"] is True
    assert lines[1]["error"]["side"] == "a" and lines[1]["error"]["caret"].endswith("^")
    assert "not JSON" in lines[2]["error"]["message"]
    assert lines[3]["equivalent"] is True


def test_usage_errors(cli) -> None:
    assert cli("equiv", "x").exit_code == 2
    assert cli("equiv", "x", "y", "--budget", "0").exit_code == 2
