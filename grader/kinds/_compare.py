"""Comparing a value a student's function returned with the reference's, in the grader.

Both sides are plain data (the sandbox decoder guarantees it for the student's side): numbers,
numpy arrays, and lists/tuples/dicts of them. The comparison says *what* differs: the shape,
the kind of dtype, a NaN or infinity where a finite number belongs, or the largest error
with its index. It never calls a method of the student's value that plain data lacks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: dtype families; "kind" mode requires the same family (int and float count as one: numbers)
_FAMILY = {"b": "boolean", "i": "number", "u": "number", "f": "number", "c": "complex"}


@dataclass
class Mismatch:
    what: str  # "shape", "dtype", "nonfinite", "value", "type", "keys", "length"
    message: str  # one sentence, without the expected value unless `reveal`
    path: str = ""  # where inside a structure: "[1]", "['W1']"
    max_error: float | None = None
    index: tuple[int, ...] | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _numeric(v: Any) -> np.ndarray | None:
    if isinstance(v, (bool, int, float, complex, np.generic)):
        arr = np.asarray(v)
    elif isinstance(v, np.ndarray):
        arr = v
    elif isinstance(v, (list, tuple)):
        try:
            arr = np.asarray(v)
        except (TypeError, ValueError):
            return None
    else:
        return None
    if arr.dtype.kind not in "biufc":
        return None
    return arr


def _is_structure(v: Any) -> bool:
    """A dict, or a list/tuple that is not a rectangular array of numbers."""
    if isinstance(v, dict):
        return True
    return isinstance(v, (list, tuple)) and _numeric(v) is None


def short(v: Any, limit: int = 300) -> str:
    """A readable rendering of plain data, truncated."""
    if isinstance(v, np.ndarray):
        text = np.array2string(v, precision=6, threshold=20, edgeitems=3, separator=", ",
                               max_line_width=90)
    elif isinstance(v, (float, np.floating)):
        text = f"{float(v):.8g}"
    elif isinstance(v, dict):
        text = "{" + ", ".join(f"{k!r}: {short(x, limit)}" for k, x in v.items()) + "}"
    elif isinstance(v, (list, tuple)) and _numeric(v) is not None and np.asarray(v).ndim > 0:
        text = short(np.asarray(v), limit)
    elif isinstance(v, tuple):
        text = "(" + ", ".join(short(x, limit) for x in v) + ("," if len(v) == 1 else "") + ")"
    elif isinstance(v, list):
        text = "[" + ", ".join(short(x, limit) for x in v) + "]"
    else:
        text = repr(v)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shape_text(a: np.ndarray) -> str:
    return "a scalar" if a.ndim == 0 else f"shape {tuple(a.shape)}"


def compare(expected: Any, actual: Any, rtol: float, atol: float, dtype: str = "kind",
            path: str = "") -> Mismatch | None:
    """None when `actual` matches `expected`, else the first Mismatch found."""
    where = f" at {path}" if path else ""
    if _is_structure(expected):
        if isinstance(expected, dict):
            if not isinstance(actual, dict):
                return Mismatch("type", f"returned {type(actual).__name__}{where}; a dict was expected", path)
            if set(map(str, expected)) != set(map(str, actual)):
                return Mismatch("keys", f"returned a dict{where} with keys {sorted(map(str, actual))}; "
                                f"expected keys {sorted(map(str, expected))}", path)
            by_str = {str(k): v for k, v in actual.items()}
            for k, ev in expected.items():
                m = compare(ev, by_str[str(k)], rtol, atol, dtype, f"{path}[{k!r}]")
                if m:
                    return m
            return None
        if not isinstance(actual, (list, tuple)):
            return Mismatch("type", f"returned {type(actual).__name__}{where}; a sequence of "
                            f"{len(expected)} values was expected", path)
        if len(actual) != len(expected):
            return Mismatch("length", f"returned {len(actual)} values{where}; expected {len(expected)}", path)
        for i, (ev, av) in enumerate(zip(expected, actual)):
            m = compare(ev, av, rtol, atol, dtype, f"{path}[{i}]")
            if m:
                return m
        return None
    if isinstance(expected, str) or expected is None:
        if actual != expected or type(actual) is not type(expected):
            return Mismatch("value", f"returned {short(actual)}{where}; expected {short(expected)}", path)
        return None
    exp = _numeric(expected)
    if exp is None:  # pragma: no cover - the reference returned something exotic
        raise TypeError(f"cannot compare a reference value of type {type(expected).__name__}")
    act = _numeric(actual)
    if act is None:
        return Mismatch("type", f"returned {short(actual, 80)}{where}, which is not a number or a numeric "
                        "array", path)
    if exp.shape != act.shape:
        hint = ""
        if exp.ndim == 2 and act.shape == exp.shape[::-1]:
            hint = " (transposed?)"
        elif act.size == exp.size:
            hint = " (same number of values: reshape or transpose?)"
        return Mismatch("shape", f"returned {_shape_text(act)}{where}; expected {_shape_text(exp)}{hint}",
                        path, data={"expected_shape": list(exp.shape), "actual_shape": list(act.shape)})
    fam_e, fam_a = _FAMILY[exp.dtype.kind], _FAMILY[act.dtype.kind]
    if (dtype == "exact" and exp.dtype != act.dtype) or (dtype == "kind" and fam_e != fam_a):
        return Mismatch("dtype", f"returned values of dtype {act.dtype}{where}; expected {exp.dtype}", path,
                        data={"expected_dtype": str(exp.dtype), "actual_dtype": str(act.dtype)})
    if exp.dtype.kind == "b" or act.dtype.kind == "b":
        bad = np.argwhere(exp != act)
        if bad.size:
            idx = tuple(int(i) for i in bad[0])
            return Mismatch("value", f"differs{where} at index {idx}", path, index=idx)
        return None
    e = exp.astype(np.complex128 if "c" in (exp.dtype.kind, act.dtype.kind) else np.float64)
    a = act.astype(e.dtype)
    e_fin, a_fin = np.isfinite(e), np.isfinite(a)
    bad_nonfinite = ~a_fin & e_fin
    if bad_nonfinite.any():
        idx = tuple(int(i) for i in np.argwhere(bad_nonfinite)[0])
        v = a[idx] if idx else a
        what = "NaN" if np.isnan(v) else "an infinity"
        return Mismatch("nonfinite", f"returned {what}{where} at index {idx} where a finite number was "
                        "expected (an overflow? e.g. exp of a large number)", path, index=idx)
    # where the reference itself is not finite, the student must match it exactly (NaN = NaN)
    same_nonfinite = ~e_fin & ((np.isnan(e) & np.isnan(a)) | (e == a))
    if (~e_fin & ~same_nonfinite).any():
        idx = tuple(int(i) for i in np.argwhere(~e_fin & ~same_nonfinite)[0])
        return Mismatch("value", f"differs{where} at index {idx}", path, index=idx)
    err = np.where(e_fin, np.abs(a - e), 0.0)
    ok = err <= atol + rtol * np.abs(np.where(e_fin, e, 0.0))
    if ok.all():
        return None
    flat = int(np.argmax(np.where(ok, -1.0, err)))
    idx = tuple(int(i) for i in np.unravel_index(flat, e.shape)) if e.ndim else ()
    max_err = float(err.max())
    n_bad = int((~ok).sum())
    at = f" at index {idx}" if idx else ""
    # the size of the error is left to the caller: it can reveal the expected value
    return Mismatch("value", f"{n_bad} of {e.size} values{where} differ{', the largest error' + at if at else ''}",
                    path, max_error=max_err, index=idx,
                    data={"wrong_values": n_bad, "values": int(e.size)})


def element(v: Any, path_index: tuple[int, ...] | None) -> Any:
    """The element of a numeric value at an index (for 'expected 0.25, got 0.57')."""
    arr = _numeric(v)
    if arr is None or path_index is None:
        return None
    try:
        return arr[path_index].item() if path_index else arr.item()
    except (IndexError, ValueError):
        return None


def at_path(v: Any, path: str) -> Any:
    """Follow a path produced by `compare` ("[0]['W1']") into a value."""
    import ast

    cur = v
    for part in path.strip("[]").split("][") if path else []:
        try:
            key = ast.literal_eval(part)
        except (ValueError, SyntaxError):
            return None
        try:
            cur = cur[key] if not isinstance(cur, dict) else {str(k): x for k, x in cur.items()}[str(key)]
        except (KeyError, IndexError, TypeError):
            return None
    return cur
