"""The result model serialises to the documented JSON schema and back."""
from __future__ import annotations

import json
from pathlib import Path

from grader.results import Evidence, PartResult, Result, Status

SCHEMA_DOC = Path(__file__).resolve().parent.parent / "docs" / "result-schema.md"


def _result() -> Result:
    part = PartResult("z", "numeric", Status.PARTIAL, 0.5, 1.0, ["half"], [Evidence("value", "You gave 2.", {"given": 2})],
                      answer="z = 2", answer_format="math", diagnosis="factor-half", title="z")
    return Result("scalar-net", "1", "Scalar", "alice", "folder name", {"x": 1}, [part], ["msg"], "abc")


def test_round_trip() -> None:
    r = _result()
    back = Result.from_dict(json.loads(r.to_json()))
    assert back.to_dict() == r.to_dict()
    assert back.parts[0].status == Status.PARTIAL and back.score == 0.5


def test_timing_free_form_is_stable() -> None:
    d = _result().to_dict(timing=False)
    assert "duration_s" not in d and "duration_s" not in d["parts"][0]


def test_every_field_is_documented() -> None:
    doc = SCHEMA_DOC.read_text(encoding="utf-8")
    d = _result().to_dict()
    for key in list(d) + list(d["parts"][0]) + ["kind", "message", "data"]:
        assert f"`{key}`" in doc, key
    for status in Status:
        assert f"`{status.value}`" in doc
