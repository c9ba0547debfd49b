"""Fingerprints: a reference value in a form that can be matched but not read.

Numbers. A value r with tolerance tol(r) = abs_tol + rel_tol·|r| is cut into cells of a
grid whose step depends only on r's binary order of magnitude e (step = (abs_tol +
rel_tol·2^e)/2); the fingerprint is the salted hashes of every cell that meets
[r − tol, r + tol], padded with decoys to a fixed count. A student's value x is hashed on
the grids of the orders of magnitude around its own, so every x within the tolerance
matches (and nothing further than 1.5 tolerances away can). The grid step, the order of
magnitude and the count reveal nothing better than "about this big" (and only to someone
who already has a candidate).

Short texts (a choice's right options, an author's mistake) are SEALED: XOR-ed with a key
stream derived from the salt. That keeps them off the screen and out of grep, nothing more:
a part whose answer is one of a few options can always be found by trying each one.

The salt names exercise, version, the variant's parameters and the part, so the same value
gives unrelated hashes in two parts or two variants.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
from typing import Any

import numpy as np

from grader.errors import GraderError

FORMAT = "grader-fp/1"
HASH_CHARS = 12  # 48 bits: a wrong answer meets a cell by chance with odds ~1e-13 per look-up
PAD_TO = 12  # a tolerance interval meets at most 9 cells; every set is padded to this size
SEAL_BLOCK = 32


class FingerprintError(GraderError):
    """A fingerprint in a checks file is malformed (edited by hand, truncated, another version)."""


# --- salts and variants -----------------------------------------------------------------
def variant_key(exercise_id: str, version: str, params: dict[str, Any]) -> str:
    """The name of a parameter variant: the same numbers give the same key for everyone."""
    text = json.dumps({"exercise": exercise_id, "version": str(version), "parameters": params},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def part_salt(exercise_id: str, version: str, params: dict[str, Any], part_id: str) -> str:
    return f"{FORMAT}|{exercise_id}|{version}|{variant_key(exercise_id, version, params)}|{part_id}"


def task_salt(task: Any) -> str:
    """The salt of a CheckTask's part and variant (the same at release and at check time)."""
    ex = task.ctx.exercise
    return part_salt(ex.id, ex.version, task.ctx.parameters, task.part.id)


def _h(salt: str, *bits: object) -> str:
    text = "|".join([salt, *map(str, bits)])
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_CHARS]


# --- numbers ------------------------------------------------------------------------------
def _floor_e(abs_tol: float) -> int:
    # below abs_tol the absolute tolerance dominates: one grid serves every smaller value
    return math.floor(math.log2(abs_tol)) if abs_tol > 0 else -1074


def _bucket(x: float, abs_tol: float, rel_tol: float) -> int:
    if rel_tol == 0:
        return 0
    if x == 0:
        return _floor_e(abs_tol)
    return max(_floor_e(abs_tol), math.frexp(abs(x))[1] - 1)


def _step(e: int, abs_tol: float, rel_tol: float) -> float:
    return (abs_tol + rel_tol * math.ldexp(1.0, e)) / 2


def _exact(abs_tol: float, rel_tol: float, x: float) -> bool:
    return abs_tol == 0 and (rel_tol == 0 or _step(_bucket(x, abs_tol, rel_tol), abs_tol, rel_tol) == 0)


def number_cells(value: float, abs_tol: float, rel_tol: float, salt: str) -> list[str]:
    """The fingerprint of one number: PAD_TO salted hashes (cells within tolerance + decoys)."""
    value = float(value)
    if not math.isfinite(value):
        cells = {_h(salt, "nonfinite", repr(value))}
    elif _exact(abs_tol, rel_tol, value):
        cells = {_h(salt, "exact", value.hex())}
    else:
        e = _bucket(value, abs_tol, rel_tol)
        step = _step(e, abs_tol, rel_tol)
        tol = abs_tol + rel_tol * abs(value)
        lo, hi = math.floor((value - tol) / step), math.floor((value + tol) / step)
        cells = {_h(salt, e, k) for k in range(lo, hi + 1)}
    # decoys keyed by the value itself: deterministic, and unpredictable without the value
    secret = hashlib.sha256(f"{salt}|{value!r}".encode()).hexdigest()
    i = 0
    while len(cells) < PAD_TO:
        cells.add(_h(secret, "decoy", i))
        i += 1
    return sorted(cells)


def number_matches(x: float, cells: set[str], abs_tol: float, rel_tol: float, salt: str) -> bool:
    """Whether x is within the tolerance of the number whose fingerprint is `cells`."""
    x = float(x)
    if not math.isfinite(x):
        return _h(salt, "nonfinite", repr(x)) in cells
    if _h(salt, "exact", x.hex()) in cells:
        return True
    if abs_tol == 0 and rel_tol == 0:
        return False
    e0 = _bucket(x, abs_tol, rel_tol)
    lowest = _floor_e(abs_tol) if rel_tol else 0
    for e in range(e0 - 2, e0 + 3) if rel_tol else (0,):
        if e < lowest:
            continue
        step = _step(e, abs_tol, rel_tol)
        if step > 0 and _h(salt, e, math.floor(x / step)) in cells:
            return True
    return False


def array_fingerprint(values: Any, abs_tol: float, rel_tol: float, salt: str) -> dict[str, Any]:
    """A number, vector or matrix: its shape (public: the statement says it) and one cell set
    per entry, each salted with its position."""
    arr = np.asarray(values, dtype=float)
    return {"shape": list(arr.shape),
            "cells": [number_cells(v, abs_tol, rel_tol, f"{salt}|{i}") for i, v in enumerate(arr.reshape(-1))]}


def array_matches(values: Any, fp: dict[str, Any], abs_tol: float, rel_tol: float, salt: str) -> bool:
    arr = np.asarray(values, dtype=float)
    shape, cells = read_array_fp(fp)
    if tuple(arr.shape) != shape:
        return False
    return all(number_matches(v, cells[i], abs_tol, rel_tol, f"{salt}|{i}") for i, v in enumerate(arr.reshape(-1)))


def read_array_fp(fp: Any) -> tuple[tuple[int, ...], list[set[str]]]:
    """The shape and cell sets of an array fingerprint; FingerprintError when malformed."""
    d = need(fp, dict, "a value fingerprint")
    shape = need(d.get("shape"), list, "'shape'")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise FingerprintError(f"'shape' must be a list of sizes, not {shape!r}")
    cells = [hash_set(c, f"'cells[{i}]'") for i, c in enumerate(need(d.get("cells"), list, "'cells'"))]
    if len(cells) != int(np.prod(shape)):
        raise FingerprintError(f"'cells' has {len(cells)} entries for shape {shape}")
    return tuple(shape), cells


def text_hash(text: str, salt: str) -> str:
    return _h(salt, "text", text)


# --- sealed texts ------------------------------------------------------------------------------
def _stream(salt: str, label: str, n: int) -> bytes:
    key = hashlib.sha256(f"{salt}|seal|{label}".encode()).digest()
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(key + counter.to_bytes(8, "big")).digest()
        counter += 1
    return out[:n]


def seal(text: str, salt: str, label: str) -> str:
    data = text.encode("utf-8")
    data += b"\x00" * (-len(data) % SEAL_BLOCK or (SEAL_BLOCK if not data else 0))
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, _stream(salt, label, len(data))))).decode()


def unseal(blob: Any, salt: str, label: str) -> str:
    if not isinstance(blob, str):
        raise FingerprintError(f"a sealed text must be a string, not {type(blob).__name__}")
    try:
        data = base64.b64decode(blob.encode(), validate=True)
        plain = bytes(a ^ b for a, b in zip(data, _stream(salt, label, len(data))))
        return plain.rstrip(b"\x00").decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise FingerprintError("a sealed text does not open (edited, or made for another variant)") from None


# --- reading checks files safely ---------------------------------------------------------------
def need(v: Any, typ: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(v, typ) or isinstance(v, bool) and typ is not bool:
        name = typ.__name__ if isinstance(typ, type) else " or ".join(t.__name__ for t in typ)
        raise FingerprintError(f"{what} must be a {name}, not {type(v).__name__}")
    return v


def hash_set(v: Any, what: str) -> set[str]:
    items = need(v, list, what)
    if not all(isinstance(h, str) and len(h) == HASH_CHARS for h in items):
        raise FingerprintError(f"{what} must be a list of {HASH_CHARS}-character hashes")
    return set(items)
