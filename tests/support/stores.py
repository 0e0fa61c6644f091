"""Reading what a CLI run stored, on either store (an SQLite path or a PostgreSQL URL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor import store


def fetch_rows(target: Path | str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (store SQL: SQLite's spelling, rewritten for PostgreSQL), read
    on a connection of its own that is closed afterwards; an SQLite file is opened read-only
    so the test never writes to what it checks."""
    db = store.open_db(target, readonly=True)
    try:
        return [tuple(row) for row in db.execute(sql).fetchall()]
    finally:
        db.conn.close()
