"""Reviewers' verdicts and notes, in their own SQLite file beside the monitored database.

The monitored database stays read-only to the review UI: `serve` opens it ``mode=ro``
and every verdict goes to ``<stem>-verdicts.db`` next to it. A verdict is keyed by the
change's id *and* its ``detected_at`` and article: a demo database recreated from
scratch reuses change ids, and a stale verdict must never attach to another change.

``verdicts`` holds the current verdict per change; ``verdict_history`` keeps every
verdict ever given (nothing a reviewer wrote is overwritten).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Verdict = Literal["reviewed", "confirmed", "false_positive"]
VERDICTS: dict[str, str] = {
    "reviewed": "reviewed",
    "confirmed": "confirmed",
    "false_positive": "false positive",
}
#: the schema name the verdicts file is attached under on the monitor database's
#: read connections, so the desk and canned queries can join it
SCHEMA = "review"
MAX_NOTE = 4000

_SCHEMA_SQL = (
    """CREATE TABLE IF NOT EXISTS verdicts (
        change_id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL,
        detected_at TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('reviewed', 'confirmed', 'false_positive')),
        note TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL,
        decided_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS verdict_history (
        id INTEGER PRIMARY KEY,
        change_id INTEGER NOT NULL,
        article_id INTEGER NOT NULL,
        detected_at TEXT NOT NULL,
        verdict TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL,
        decided_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS idx_verdict_history_change ON verdict_history(change_id, id)",
)


@dataclass(frozen=True)
class VerdictRecord:
    change_id: int
    article_id: int
    detected_at: str
    verdict: Verdict
    note: str
    reviewer: str
    decided_at: str


def verdicts_path(db_path: Path | str) -> Path:
    """``monitor.db`` → ``monitor-verdicts.db``, in the same directory."""
    path = Path(db_path)
    return path.with_name(f"{path.stem}-verdicts.db")


def ensure_file(path: Path) -> None:
    """Create the verdicts file (WAL, both tables) unless it is there; OSError/sqlite3
    errors propagate so the caller can say why verdicts are off."""
    with closing(sqlite3.connect(path, isolation_level=None, timeout=10)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        for sql in _SCHEMA_SQL:
            conn.execute(sql)
        conn.execute("PRAGMA user_version = 1")


def attach_sql(path: Path | None) -> str:
    """The URI to ATTACH the file read-only; an empty in-memory schema when it is absent,
    so queries joining the verdicts work either way."""
    if path is not None and path.exists():
        return f"{path.resolve().as_uri()}?mode=ro"
    return "file::memory:"


def attach(conn: sqlite3.Connection, path: Path | None) -> None:
    """Attach the verdicts (read-only) to a monitor-database connection as ``review``."""
    if any(row[1] == SCHEMA for row in conn.execute("PRAGMA database_list")):
        return
    uri = attach_sql(path)
    conn.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (uri,))
    if uri == "file::memory:":
        # the CREATE statements name the table bare: point them at the empty schema
        for sql in _SCHEMA_SQL[:1]:
            conn.execute(sql.replace("EXISTS verdicts", f"EXISTS {SCHEMA}.verdicts"))


def record(path: Path, verdict: VerdictRecord) -> None:
    """Store a verdict: the current one replaced, the history appended (one transaction)."""
    values = (
        verdict.change_id,
        verdict.article_id,
        verdict.detected_at,
        verdict.verdict,
        verdict.note,
        verdict.reviewer,
        verdict.decided_at,
    )
    with closing(sqlite3.connect(path, isolation_level=None, timeout=10)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT OR REPLACE INTO verdicts (change_id, article_id, detected_at, verdict, "
                "note, reviewer, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            conn.execute(
                "INSERT INTO verdict_history (change_id, article_id, detected_at, verdict, "
                "note, reviewer, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def read_all(path: Path) -> Iterator[VerdictRecord]:
    """Every current verdict (for export); nothing when the file does not exist."""
    if not path.exists():
        return
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        try:
            rows = conn.execute(
                "SELECT change_id, article_id, detected_at, verdict, note, reviewer, decided_at "
                "FROM verdicts ORDER BY change_id"
            ).fetchall()
        except sqlite3.OperationalError:
            return  # not a verdicts file (no table): nothing to add
    for row in rows:
        yield VerdictRecord(*row)
