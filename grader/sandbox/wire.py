"""The sandbox's wire format: frames of JSON plus raw array bytes, never pickle.

This module is imported both by the grader and by the child harness inside the sandbox, so
it uses only the standard library and numpy.

A frame is `>II` (length of the JSON header, total length of the binary blobs), the JSON
header, then the blobs. Values are a small tagged tree: JSON scalars stand for themselves,
everything else is an object with a "$" tag:

    {"$": "list", "v": [...]}            {"$": "tuple", "v": [...]}
    {"$": "dict", "k": [...], "v": [...]} {"$": "complex", "re": x, "im": y}
    {"$": "nd", "dtype": "<f8", "shape": [2, 3], "blob": 0, "scalar": false}
    {"$": "ref", "label": "train"}       (grader → child only: an earlier call's result)

`decode` is what the grader runs on what the child sent: it accepts only these tags, only
numeric dtypes, checks every size, and builds nothing but None/bool/int/float/str/complex,
list/tuple/dict and plain numpy arrays and scalars. No object the student's code made ever
exists in the grader's process, so no student `__eq__`, `__array__` or `__del__` can run there.
"""
from __future__ import annotations

import json
import math
import struct
from typing import Any

import numpy as np

HEADER = struct.Struct(">II")
MAX_JSON_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 32
MAX_ITEMS = 2_000_000
#: dtype kinds an array may have: bool, signed/unsigned integers, floats, complex
ARRAY_KINDS = "biufc"


class WireError(Exception):
    """A frame or value that does not follow the format (or is too big)."""


class EncodeError(Exception):
    """A value that is not plain data (numbers, strings, lists, tuples, dicts, arrays)."""


class Ref:
    """Stands for the value an earlier call (by label) returned; resolved inside the child."""

    __slots__ = ("label",)

    def __init__(self, label: str) -> None:
        self.label = label


def _describe(v: Any) -> str:
    t = type(v)
    mod = getattr(t, "__module__", "") or ""
    return f"a {t.__name__} object" if mod in ("builtins", "") else f"a {mod}.{t.__name__} object"


class Encoder:
    """Turns a value into (tree, blobs). Subclasses of builtin types and of ndarray are
    converted to the plain base type without calling any of their own methods."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.blobs: list[bytes] = []
        self.total = 0
        self.items = 0

    def encode(self, v: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise EncodeError(f"a value nested more than {MAX_DEPTH} levels deep")
        self.items += 1
        if self.items > MAX_ITEMS:
            raise EncodeError(f"a value with more than {MAX_ITEMS} items")
        if v is None or v is True or v is False:
            return v
        if isinstance(v, Ref):
            return {"$": "ref", "label": v.label}
        if isinstance(v, np.ndarray):
            return self._array(np.ndarray.view(v, np.ndarray), scalar=False)
        if isinstance(v, np.generic):
            return self._array(np.asarray(v), scalar=True)
        if isinstance(v, bool):  # a bool subclass cannot exist, but be exact anyway
            return bool.__bool__(v)
        if isinstance(v, int):
            return int.__int__(v)
        if isinstance(v, float):
            return float.__float__(v)
        if isinstance(v, complex):
            c = complex.__complex__(v)
            return {"$": "complex", "re": c.real, "im": c.imag}
        if isinstance(v, str):
            s = str.__str__(v)
            self._count(len(s))
            return s
        if isinstance(v, (list, tuple)):
            items = list.__iter__(v) if isinstance(v, list) else tuple.__iter__(v)
            return {"$": "list" if isinstance(v, list) else "tuple",
                    "v": [self.encode(x, depth + 1) for x in items]}
        if isinstance(v, dict):
            keys, vals = [], []
            for k, x in dict.items(v):
                keys.append(self.encode(k, depth + 1))
                vals.append(self.encode(x, depth + 1))
            return {"$": "dict", "k": keys, "v": vals}
        raise EncodeError(f"{_describe(v)}, which is not plain data "
                          "(return numbers, strings, lists, tuples, dicts or numpy arrays)")

    def _count(self, n: int) -> None:
        self.total += n
        if self.total > self.max_bytes:
            raise EncodeError(f"a value larger than the {self.max_bytes / 2**20:g} MB limit")

    def _array(self, a: np.ndarray, scalar: bool) -> dict[str, Any]:
        if a.dtype.kind not in ARRAY_KINDS or a.dtype.fields is not None or a.dtype.hasobject:
            raise EncodeError(f"a numpy array of dtype {a.dtype} (only numeric arrays can be returned)")
        self._count(a.nbytes)
        data = np.ascontiguousarray(a).tobytes()
        self.blobs.append(data)
        return {"$": "nd", "dtype": a.dtype.str, "shape": list(a.shape), "blob": len(self.blobs) - 1,
                "scalar": scalar}


def pack(header: dict[str, Any], blobs: list[bytes] = ()) -> bytes:  # type: ignore[assignment]
    """One frame: the JSON header (with the blob lengths) and the blobs."""
    header = dict(header, blob_sizes=[len(b) for b in blobs])
    js = json.dumps(header, allow_nan=True, separators=(",", ":")).encode()
    body = b"".join(blobs)
    return HEADER.pack(len(js), len(body)) + js + body


def encode_message(header: dict[str, Any], values: dict[str, Any], max_bytes: int) -> bytes:
    """A frame whose `values` entries are encoded (`header[name] = tree`)."""
    enc = Encoder(max_bytes)
    out = dict(header)
    for name, v in values.items():
        out[name] = enc.encode(v)
    return pack(out, enc.blobs)


class FrameReader:
    """Accumulates bytes and yields complete frames as (header, blobs); size-checked."""

    def __init__(self, max_blob_bytes: int) -> None:
        self.buf = bytearray()
        self.max_blob_bytes = max_blob_bytes

    def feed(self, data: bytes) -> list[tuple[dict[str, Any], list[bytes]]]:
        self.buf += data
        frames = []
        while len(self.buf) >= HEADER.size:
            jlen, blen = HEADER.unpack_from(self.buf)
            if jlen > MAX_JSON_BYTES or blen > self.max_blob_bytes:
                raise WireError(f"a message of {jlen + blen} bytes, over the size limit")
            end = HEADER.size + jlen + blen
            if len(self.buf) < end:
                break
            js = bytes(self.buf[HEADER.size:HEADER.size + jlen])
            body = bytes(self.buf[HEADER.size + jlen:end])
            del self.buf[:end]
            try:
                header = json.loads(js)
            except (ValueError, RecursionError) as e:
                raise WireError(f"a message that is not valid JSON ({type(e).__name__})") from None
            if not isinstance(header, dict):
                raise WireError("a message that is not a JSON object")
            sizes = header.get("blob_sizes", [])
            if (not isinstance(sizes, list) or not all(type(s) is int and s >= 0 for s in sizes)
                    or sum(sizes) != blen):
                raise WireError("a message whose binary parts do not add up")
            blobs, pos = [], 0
            for s in sizes:
                blobs.append(body[pos:pos + s])
                pos += s
            frames.append((header, blobs))
        return frames


def decode(tree: Any, blobs: list[bytes], depth: int = 0, *, allow_refs: bool = False) -> Any:
    """Rebuild plain data from a tree; anything unexpected raises WireError."""
    if depth > MAX_DEPTH + 1:
        raise WireError("a value nested too deeply")
    t = type(tree)
    if tree is None or t is bool or t is int or t is float or t is str:
        return tree
    if t is not dict:
        raise WireError(f"an unexpected {t.__name__} in a value")
    tag = tree.get("$")
    if tag in ("list", "tuple"):
        items = tree.get("v")
        if type(items) is not list:
            raise WireError("a malformed list")
        out = [decode(x, blobs, depth + 1, allow_refs=allow_refs) for x in items]
        return out if tag == "list" else tuple(out)
    if tag == "dict":
        keys, vals = tree.get("k"), tree.get("v")
        if type(keys) is not list or type(vals) is not list or len(keys) != len(vals):
            raise WireError("a malformed dict")
        d = {}
        for k, v in zip(keys, vals):
            key = decode(k, blobs, depth + 1)
            try:
                hash(key)
            except TypeError:
                raise WireError("a dict key that is not hashable") from None
            d[key] = decode(v, blobs, depth + 1, allow_refs=allow_refs)
        return d
    if tag == "complex":
        re_, im = tree.get("re"), tree.get("im")
        if type(re_) not in (int, float) or type(im) not in (int, float):
            raise WireError("a malformed complex number")
        return complex(re_, im)
    if tag == "nd":
        return _decode_array(tree, blobs)
    if tag == "ref" and allow_refs:
        label = tree.get("label")
        if type(label) is not str:
            raise WireError("a malformed reference")
        return Ref(label)
    raise WireError(f"an unknown value tag {str(tag)[:40]!r}")


def _decode_array(tree: dict[str, Any], blobs: list[bytes]) -> Any:
    dtype_s, shape, idx = tree.get("dtype"), tree.get("shape"), tree.get("blob")
    if type(dtype_s) is not str or len(dtype_s) > 8 or type(idx) is not int or not 0 <= idx < len(blobs):
        raise WireError("a malformed array")
    if type(shape) is not list or len(shape) > 32 or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError("an array with a malformed shape")
    try:
        dt = np.dtype(dtype_s)
    except TypeError:
        raise WireError(f"an array of unknown dtype {dtype_s!r}") from None
    if dt.kind not in ARRAY_KINDS or dt.fields is not None or dt.hasobject or dt.subdtype is not None:
        raise WireError(f"an array of dtype {dt} (only numeric arrays are accepted)")
    data = blobs[idx]
    count = math.prod(shape)  # exact: no int64 wrap-around
    if count * dt.itemsize != len(data):
        raise WireError("an array whose bytes do not match its shape")
    arr = np.frombuffer(data, dtype=dt, count=count).reshape(shape).copy()
    if tree.get("scalar") is True and arr.ndim == 0:
        return arr[()]
    return arr
