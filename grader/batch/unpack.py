"""Reading a .zip of submissions safely, without ever writing its paths to disk.

Members are read into memory with hard caps: no absolute or `..` paths, no symlinks or
special files, a maximum member count, a maximum size per member and in total, and a
maximum compression ratio (zip bombs). Sizes are enforced while decompressing, never
trusted from the archive's headers. A member that breaks a cap is skipped and reported;
an archive that breaks the count or total cap stops being read, and says so.
"""
from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.submission.ingest import MAX_FILE_BYTES

MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = MAX_FILE_BYTES
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024


@dataclass
class ZipContents:
    files: dict[str, bytes] = field(default_factory=dict)  # safe relative posix path -> bytes
    rejected: list[str] = field(default_factory=list)  # "member: why"
    error: str | None = None  # the archive as a whole could not be (fully) read


def safe_member_name(name: str) -> str | None:
    """The member's path if it is a safe relative path, else None."""
    name = name.replace("\\", "/")
    if not name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = PurePosixPath(name).parts
    if any(p in ("..", "") for p in parts) or "\x00" in name:
        return None
    return "/".join(p for p in parts if p != ".")


def read_zip(path: Path, shown: str) -> ZipContents:
    """Every regular file of the archive at `path`, within the caps."""
    out = ZipContents()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        out.error = f"{shown}: not a readable zip archive ({e})"
        return out
    total = 0
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            out.error = (f"{shown}: has {len(infos)} members, over the limit of {MAX_MEMBERS}; "
                         f"only the first {MAX_MEMBERS} are read")
            infos = infos[:MAX_MEMBERS]
        for info in infos:
            if info.is_dir():
                continue
            where = f"{shown}:{info.filename}"
            name = safe_member_name(info.filename)
            if name is None:
                out.rejected.append(f"{where}: unsafe path in the archive (absolute or '..'); not unpacked")
                continue
            mode = info.external_attr >> 16
            if mode and not (stat.S_ISREG(mode) or stat.S_IFMT(mode) == 0):
                out.rejected.append(f"{where}: a link or special file, not a regular file; not unpacked")
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                out.rejected.append(f"{where}: {info.file_size} bytes, over the {MAX_MEMBER_BYTES} byte limit")
                continue
            try:
                with zf.open(info) as fh:
                    data = fh.read(MAX_MEMBER_BYTES + 1)  # the header may lie: cap while inflating
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError) as e:
                # RuntimeError: encrypted member; NotImplementedError: unknown compression
                out.rejected.append(f"{where}: cannot be read ({e})")
                continue
            if len(data) > MAX_MEMBER_BYTES:
                out.rejected.append(f"{where}: inflates past the {MAX_MEMBER_BYTES} byte limit")
                continue
            if len(data) > RATIO_FLOOR and len(data) > MAX_RATIO * max(1, info.compress_size):
                out.rejected.append(f"{where}: compression ratio over {MAX_RATIO}:1 (zip bomb?); not unpacked")
                continue
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                out.error = f"{shown}: unpacks to more than {MAX_TOTAL_BYTES} bytes; the rest is not read"
                break
            if name in out.files:
                out.rejected.append(f"{where}: the archive holds this path twice; the first copy is used")
                continue
            out.files[name] = data
    return out
