"""Student ids → file names that are safe everywhere and never collide.

Ids come from folder names, file names and front matter, so they may hold anything: spaces,
slashes, `..`, accents, upper and lower case that a case-insensitive file system (macOS,
Windows) would merge, names Windows reserves (`con`, `nul`). A plain lowercase id is used
as it is; any other id gets a sanitised stem plus a short hash of the exact id, so two ids
never share a file and the name of one student's page does not depend on who else is in the
class.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

PLAIN = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def _digest(text: str, n: int) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def safe_stem(student_id: str, hash_len: int = 8) -> str:
    """A file-name stem for `student_id` (without extension)."""
    if PLAIN.fullmatch(student_id) and not student_id.endswith(".") \
            and student_id.split(".")[0] not in WINDOWS_RESERVED:
        return student_id
    return f"{_ascii_stem(student_id)}-{_digest(student_id, hash_len)}"


def _ascii_stem(student_id: str) -> str:
    """Readable part of a hashed name: accents dropped, anything else one underscore."""
    ascii_id = unicodedata.normalize("NFKD", student_id).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_id.lower()).strip("_")[:40] or "student"


def safe_stems(student_ids: list[str]) -> dict[str, str]:
    """`safe_stem` for each id, guaranteed distinct even ignoring case.

    A collision needs a plain id that looks exactly like another id's hashed name (or a
    hash collision); it is resolved by lengthening the hashes involved.
    """
    out: dict[str, str] = {}
    taken: dict[str, str] = {}
    for sid in sorted(set(student_ids)):
        stem = safe_stem(sid)
        n = 8
        while stem.casefold() in taken and taken[stem.casefold()] != sid:
            n += 8
            stem = f"{_ascii_stem(sid)}-{_digest(sid, min(n, 64))}" + (f"-{n}" if n > 64 else "")
        taken[stem.casefold()] = sid
        out[sid] = stem
    return out
