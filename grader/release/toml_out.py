"""Writing exercise.toml back out, keeping the order of every table.

Order matters: a code part's `inputs` are passed positionally, in the order written. General
TOML writers put a table's plain values before its sub-tables, which reorders such inputs, so
this one writes everything below a top-level table or a `[[parts]]` entry as inline values.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k, ensure_ascii=False)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }" if v else "{}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def dumps(data: dict[str, Any]) -> str:
    """TOML text for an exercise.toml-like document (tomllib reads it back equal)."""
    out: list[str] = []
    for k, v in data.items():
        if not isinstance(v, dict) and not _is_table_array(v):
            out.append(f"{_key(k)} = {_value(v)}")
    for k, v in data.items():
        if isinstance(v, dict):
            plain = {a: b for a, b in v.items() if not isinstance(b, dict)}
            if plain or not v:
                out.append(f"\n[{_key(k)}]")
                out.extend(f"{_key(a)} = {_value(b)}" for a, b in plain.items())
            for a, b in v.items():
                if isinstance(b, dict):
                    out.append(f"\n[{_key(k)}.{_key(a)}]")
                    out.extend(f"{_key(c)} = {_value(d)}" for c, d in b.items())
    for k, v in data.items():
        if _is_table_array(v):
            for item in v:
                out.append(f"\n[[{_key(k)}]]")
                out.extend(f"{_key(a)} = {_value(b)}" for a, b in item.items())
    return "\n".join(out).lstrip("\n") + "\n"
