"""Finding the submissions under SUBMISSIONS: who submitted what, for which exercise.

Layouts understood (also inside a .zip, and inside one wrapping folder):
  one folder per student        alice/scalar-net.md, alice/scalar-net.py
  one file per student          alice.md, alice_scalar-net.md (exercise from the name or front matter)
  Canvas "download submissions"  <name>[_late]_<userid>_<subid>_<original file name>
  Moodle "download submissions"  <Full Name>_<id>_assignsubmission_file_/<files>
                                 (or <Full Name>_<id>_assignsubmission_file_<file>)
Which exercise a file answers: the exercise id in its file name, else `exercise:` in its
front matter, else the only exercise being graded. The student id: `student:` in the
front matter wins, else the LMS id, else the folder or file name; each task records how
its id was found. Whatever cannot be attributed is listed with the reason.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import grader
from grader.batch.model import Discovery, SubmissionFile, Task
from grader.batch.unpack import read_zip
from grader.exercise.model import Exercise
from grader.submission.ingest import CODE, MAX_FILE_BYTES, WRITTEN
from grader.submission.markdown import parse_front_matter

ANSWER_SUFFIXES = WRITTEN | CODE
JUNK_NAMES = {"__MACOSX", "__pycache__", "Thumbs.db", "desktop.ini", ".DS_Store"}
CANVAS = re.compile(r"^(?P<name>[^_/]+?)(?:_late)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>[^/]+)$", re.I)
MOODLE_DIR = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_?$")
MOODLE_FILE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>[^/]+)$")


@dataclass
class _Unit:
    """Files of one student (before they are split by exercise)."""

    key: str
    student_id: str
    id_source: str
    display_name: str = ""
    lms: str = ""
    lms_id: str = ""
    files: dict[str, str] = field(default_factory=dict)  # display path -> path inside the tree
    # for one-file-per-student units: the exercise the file name already names
    exercise_hint: dict[str, str] = field(default_factory=dict)


def _is_junk(rel: str) -> bool:
    return any(p.startswith(".") or p in JUNK_NAMES for p in rel.split("/"))


def load_tree(path: Path) -> tuple[str, dict[str, bytes], list[str], list[str]]:
    """(container name, files by relative posix path, rejected files, notes) for a folder,
    a zip or a single file. Symlinks are not followed; zips at the top of a folder are read."""
    files: dict[str, bytes] = {}
    rejected: list[str] = []
    notes: list[str] = []

    def add_zip(zpath: Path, prefix: str) -> None:
        z = read_zip(zpath, zpath.name)
        notes.append(f"{zpath.name}: read {len(z.files)} files from the archive")
        if z.error:
            rejected.append(z.error)
        rejected.extend(z.rejected)
        for name, data in z.files.items():
            files[prefix + name] = data

    if path.is_file() and path.suffix.lower() == ".zip":
        add_zip(path, "")
        return path.stem, files, rejected, notes
    if path.is_file():
        return path.parent.name or "submissions", {path.name: path.read_bytes()}, rejected, notes
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        dirnames.sort()
        for fname in sorted(filenames):
            full = Path(dirpath) / fname
            rel = full.relative_to(path).as_posix()
            if _is_junk(rel):
                continue
            if full.is_symlink():
                rejected.append(f"{rel}: a symbolic link; not followed")
                continue
            if "/" not in rel and full.suffix.lower() == ".zip":
                prefix = full.stem + "/" if not (path / full.stem).exists() else full.name + "/"
                add_zip(full, prefix)
                continue
            try:
                size = full.stat().st_size
                if size > MAX_FILE_BYTES:
                    rejected.append(f"{rel}: {size} bytes, over the {MAX_FILE_BYTES} byte limit; not graded")
                    continue
                files[rel] = full.read_bytes()
            except OSError as e:
                rejected.append(f"{rel}: cannot be read ({e.strerror})")
    return path.name or "submissions", files, rejected, notes


def _front_matter(name: str, data: bytes) -> dict[str, str]:
    if Path(name).suffix.lower() not in WRITTEN:
        return {}
    try:
        text = data[:65536].decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}
    return parse_front_matter(text)[0]


def exercise_in_name(name: str, exercise_ids: list[str]) -> str | None:
    """The exercise id a file name carries as a token (`scalar-net.md`, `alice_scalar-net.md`,
    `scalar-net-1.md` for an LMS resubmission), the longest when several match."""
    stem = Path(name).name.rsplit(".", 1)[0] if "." in Path(name).name else Path(name).name
    stem = re.sub(r"-\d+$", "", stem)
    hits = [ex for ex in exercise_ids
            if re.search(rf"(^|[_.\s]){re.escape(ex)}($|[_.\s])", stem, re.I)]
    return max(hits, key=len) if hits else None


def _strip_exercise(stem: str, exercise_id: str | None) -> str:
    if exercise_id:
        stem = re.sub(rf"(^|[_.\s]){re.escape(exercise_id)}(-\d+)?($|[_.\s])", r"\1\3", stem, flags=re.I)
    return stem.strip("_. ")


def _units(files: dict[str, bytes], exercise_ids: list[str], rejected: list[str]) -> list[_Unit]:
    """Group the tree's files by student."""
    paths = sorted(files)
    top_files = [p for p in paths if "/" not in p]
    dirs: dict[str, list[str]] = defaultdict(list)
    for p in paths:
        if "/" in p:
            dirs[p.split("/", 1)[0]].append(p)

    # a single wrapping folder (a zip of "class/...", "submissions/..."): look inside it
    if not top_files and len(dirs) == 1:
        (wrap, inner), = dirs.items()
        children = {p[len(wrap) + 1:] for p in inner}
        direct = [c for c in children if "/" not in c]
        if not direct or all(CANVAS.match(c) or MOODLE_FILE.match(c) for c in direct):
            sub = {p[len(wrap) + 1:]: files[p] for p in inner}
            units = _units(sub, exercise_ids, rejected)
            for u in units:
                u.files = {wrap + "/" + d: wrap + "/" + t for d, t in u.files.items()}
            return units

    units: dict[str, _Unit] = {}

    def unit(key: str, **kw: str) -> _Unit:
        if key not in units:
            units[key] = _Unit(key=key, **kw)
        return units[key]

    for d, inner in sorted(dirs.items()):
        m = MOODLE_DIR.match(d)
        if m:
            u = unit(f"moodle-{m['id']}", student_id=m["id"], id_source=f"Moodle folder name (participant {m['id']}, {m['name']})",
                     display_name=m["name"], lms="moodle", lms_id=m["id"])
        else:
            u = unit(d, student_id=d, id_source="folder name", display_name=d)
        for p in inner:
            u.files[p] = p
    for p in top_files:
        suffix = Path(p).suffix.lower()
        c, m = CANVAS.match(p), MOODLE_FILE.match(p)
        if c:
            u = unit(f"canvas-{c['uid']}", student_id=c["uid"], id_source=f"Canvas file name (user {c['uid']}, {c['name']})",
                     display_name=c["name"], lms="canvas", lms_id=c["uid"])
            u.files[p] = p
            ex = exercise_in_name(c["file"], exercise_ids)
            if ex:
                u.exercise_hint[p] = ex
        elif m:
            u = unit(f"moodle-{m['id']}", student_id=m["id"], id_source=f"Moodle file name (participant {m['id']}, {m['name']})",
                     display_name=m["name"], lms="moodle", lms_id=m["id"])
            u.files[p] = p
            ex = exercise_in_name(m["file"], exercise_ids)
            if ex:
                u.exercise_hint[p] = ex
        elif suffix in ANSWER_SUFFIXES:
            ex = exercise_in_name(p, exercise_ids)
            stem = _strip_exercise(Path(p).stem, ex)
            if not stem:
                # `scalar-net.md` at the top: whose is it? only its front matter can say
                who = _front_matter(p, files[p]).get("student")
                if not who:
                    rejected.append(f"{p}: named after the exercise but no student: put it in a folder "
                                    "named after the student or add `student:` to its front matter")
                    continue
                stem = who
            u = unit(stem, student_id=stem, id_source="file name", display_name=stem)
            u.files[p] = p
            if ex:
                u.exercise_hint[p] = ex
        else:
            rejected.append(f"{p}: not an answer file ({', '.join(sorted(ANSWER_SUFFIXES))}) and not "
                            "named like a Canvas or Moodle download; not graded")
    return [units[k] for k in sorted(units)]


def input_key(exercise: Exercise, student_id: str, files: list[SubmissionFile]) -> str:
    """What decides whether a stored result is still valid: the submission's bytes, the
    student (their parameters), the exercise version and the grader version."""
    h = hashlib.sha256()
    for part in (grader.__version__, exercise.id, exercise.version, student_id):
        h.update(part.encode() + b"\0")
    for f in files:
        h.update(f.name.encode() + b"\0" + hashlib.sha256(f.data).digest())
    return h.hexdigest()


def discover(path: Path, exercises: dict[str, Exercise], selected: list[str] | None = None) -> Discovery:
    """Every (student, exercise) task under `path`, plus what could not be attributed."""
    container, files, rejected, notes = load_tree(path)
    all_ids = sorted(exercises)
    chosen = sorted(selected) if selected else all_ids
    out = Discovery(notes=notes)
    units = _units(files, all_ids, rejected)
    for u in units:
        by_ex: dict[str, list[str]] = defaultdict(list)
        loose: list[str] = []
        for shown, tree_path in sorted(u.files.items()):
            name = tree_path.rsplit("/", 1)[-1]
            if Path(name).suffix.lower() not in ANSWER_SUFFIXES:
                rejected.append(f"{shown}: not an answer file ({', '.join(sorted(ANSWER_SUFFIXES))}); not graded")
                continue
            lms = CANVAS.match(name) or MOODLE_FILE.match(name)
            ex = u.exercise_hint.get(tree_path) or exercise_in_name(lms["file"] if lms else name, all_ids)
            if ex is None:
                named = _front_matter(name, files[tree_path]).get("exercise")
                ex = named if named in exercises else None
            if ex is None:
                loose.append(shown)
            else:
                by_ex[ex].append(shown)
        if loose:
            # supporting files of a folder answering one exercise, or the only exercise graded
            owners = sorted(by_ex) if len(by_ex) == 1 else chosen if len(chosen) == 1 else []
            if owners:
                by_ex[owners[0]].extend(loose)
            else:
                rejected.extend(f"{s}: cannot tell which exercise it answers: name it after an exercise "
                                f"({', '.join(chosen)}) or add `exercise:` to its front matter" for s in loose)
        for ex_id in sorted(by_ex):
            if ex_id not in chosen:
                continue
            shown_files = sorted(set(by_ex[ex_id]))
            sub_files = [SubmissionFile(name=s, data=files[u.files[s]]) for s in shown_files]
            sid, source = u.student_id, u.id_source
            for f in sub_files:
                who = _front_matter(f.name, f.data).get("student")
                if who:
                    sid, source = who, f"front matter of {f.name}"
                    break
            out.tasks.append(Task(unit=u.key, exercise_id=ex_id, student_id=sid, id_source=source,
                                  files=sub_files, display_name=u.display_name, lms=u.lms, lms_id=u.lms_id,
                                  input_key=input_key(exercises[ex_id], sid, sub_files)))
    out.container = container
    out.unattributed = sorted(rejected)
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for t in out.tasks:
        seen[(t.student_id, t.exercise_id)].append(t.unit)
    for (sid, ex), us in sorted(seen.items()):
        if len(us) > 1:
            out.notes.append(f"student '{sid}' has {len(us)} submissions for '{ex}' ({', '.join(us)}); each is graded")
    return out
