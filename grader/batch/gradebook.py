"""The gradebook: a SQLite file in the output folder, the single source of truth of a run.

Every result is committed in its own transaction the moment it arrives (WAL journal, so a
`kill -9` of the coordinator loses nothing committed and readers never block the writer).
A row is keyed by (unit, exercise): `unit` is the submission's stable key from discovery.
`input_key` (hash of the files, student, exercise version, grader version) decides whether
a stored result is still valid. A replaced row is copied to `history` first.

Columns that hold timings (`duration_s`, `graded_at`, `run_id`) are the only ones that may
differ between two runs on the same inputs; `result_json` holds the result without timings.
"""
from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from grader.batch.model import Task
from grader.results import Result

SCHEMA_VERSION = "1"
FILE_NAME = "gradebook.sqlite"
TIMING_COLUMNS = ("duration_s", "graded_at", "run_id")

_COLUMNS = """
    unit TEXT NOT NULL,
    exercise_id TEXT NOT NULL,
    student_id TEXT NOT NULL,
    id_source TEXT NOT NULL,
    display_name TEXT NOT NULL,
    lms TEXT NOT NULL,
    lms_id TEXT NOT NULL,
    files TEXT NOT NULL,
    input_key TEXT NOT NULL,
    outcome TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    result_json TEXT NOT NULL,
    duration_s REAL NOT NULL,
    graded_at TEXT NOT NULL,
    run_id INTEGER NOT NULL"""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    submissions_root TEXT NOT NULL,
    executor TEXT NOT NULL,
    jobs INTEGER NOT NULL,
    regrade INTEGER NOT NULL,
    unattributed TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS results ({_COLUMNS},
    PRIMARY KEY (unit, exercise_id)
);
CREATE TABLE IF NOT EXISTS history ({_COLUMNS},
    superseded_at TEXT NOT NULL,
    superseded_by_run INTEGER NOT NULL
);
"""

_NAMES = [line.split()[0] for line in _COLUMNS.strip().splitlines()]


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class Row:
    """One stored result with what discovery knew about its submission."""

    unit: str
    exercise_id: str
    student_id: str
    id_source: str
    display_name: str
    lms: str
    lms_id: str
    files: list[str]
    input_key: str
    outcome: str  # "graded", or "failed" when the per-task guard had to stop the worker
    score: float
    max_score: float
    result: Result
    duration_s: float
    graded_at: str
    run_id: int


class Gradebook:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open transactions ourselves, one per result
        self.db = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against a killed process (not against power loss), and fast
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    @classmethod
    def in_folder(cls, out_dir: Path) -> "Gradebook":
        return cls(Path(out_dir) / FILE_NAME)

    def close(self) -> None:
        self.db.close()

    # runs ------------------------------------------------------------------------------
    def start_run(self, submissions_root: str, executor: str, jobs: int, regrade: bool,
                  unattributed: list[str], notes: list[str]) -> int:
        with self.db:
            self.db.execute("BEGIN")
            cur = self.db.execute(
                "INSERT INTO runs (started, submissions_root, executor, jobs, regrade, unattributed, notes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (now(), submissions_root, executor, jobs, int(regrade), json.dumps(unattributed), json.dumps(notes)))
        return int(cur.lastrowid)

    def finish_run(self, run_id: int) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (now(), run_id))

    def last_run(self) -> dict | None:
        cur = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1")
        row = cur.fetchone()
        if row is None:
            return None
        d = dict(zip([c[0] for c in cur.description], row))
        d["unattributed"] = json.loads(d["unattributed"])
        d["notes"] = json.loads(d["notes"])
        return d

    # results ---------------------------------------------------------------------------
    def stored_keys(self) -> dict[tuple[str, str], str]:
        return {(u, e): k for u, e, k in self.db.execute("SELECT unit, exercise_id, input_key FROM results")}

    def commit(self, task: Task, result: Result, outcome: str, run_id: int) -> None:
        """Store one result in its own transaction, moving any earlier one to history."""
        values = (task.unit, task.exercise_id, result.student_id, result.student_id_source, task.display_name,
                  task.lms, task.lms_id, json.dumps(task.file_names), task.input_key, outcome, result.score,
                  result.max_score, result.to_json(timing=False, indent=None), result.duration_s, now(), run_id)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                f"INSERT INTO history SELECT {', '.join(_NAMES)}, ?, ? FROM results WHERE unit = ? AND exercise_id = ?",
                (now(), run_id, task.unit, task.exercise_id))
            self.db.execute(f"INSERT OR REPLACE INTO results ({', '.join(_NAMES)}) VALUES "
                            f"({', '.join('?' * len(_NAMES))})", values)

    def rows(self, table: str = "results") -> Iterator[Row]:
        assert table in ("results", "history")
        order = "unit, exercise_id" + (", superseded_at" if table == "history" else "")
        for r in self.db.execute(f"SELECT {', '.join(_NAMES)} FROM {table} ORDER BY {order}"):
            d = dict(zip(_NAMES, r))
            d["files"] = json.loads(d["files"])
            d["result"] = Result.from_dict(json.loads(d.pop("result_json")))
            d["result"].duration_s = d["duration_s"]
            yield Row(**d)

    def count(self, table: str = "results") -> int:
        assert table in ("results", "history")
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def snapshot(self) -> list[tuple]:
        """The results table without its timing columns: equal for equal inputs."""
        keep = [n for n in _NAMES if n not in TIMING_COLUMNS]
        return list(self.db.execute(f"SELECT {', '.join(keep)} FROM results ORDER BY unit, exercise_id"))
