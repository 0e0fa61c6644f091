"""Outlet incidents in SQLite: the open one, the outlet's recent reads, the writes.

The decisions are monitor.policy.health's; this module only reads what they need
and writes what they decided, inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

from monitor.policy.health import OpenIncident, Peer
from monitor.store.db import query_all


@dataclass(frozen=True)
class IncidentRow:
    id: int
    outlet_id: int
    outlet: str
    kind: str
    started_at: str
    ended_at: str | None
    articles: int
    reads: int
    summary: str


def open_incident(db: sqlite_utils.Database, outlet_id: int) -> OpenIncident | None:
    row = db.execute(
        "SELECT id, kind, signature, healthy_reads FROM incidents"
        " WHERE outlet_id = ? AND ended_at IS NULL",
        (outlet_id,),
    ).fetchone()
    return OpenIncident(*row) if row else None


def peers(db: sqlite_utils.Database, outlet_id: int, since: str) -> tuple[Peer, ...]:
    """Each article of the outlet read since ``since``, by how its latest read looked."""
    rows = db.execute(
        "SELECT id, read_health, read_sig, last_checked_at FROM articles"
        " WHERE outlet_id = ? AND last_checked_at >= ?",
        (outlet_id, since),
    ).fetchall()
    return tuple(Peer(*row) for row in rows)


def any_alike(
    db: sqlite_utils.Database, outlet_id: int, article_id: int, signature: str, since: str
) -> bool:
    """Whether another article of the outlet read the same changed text in the window."""
    return (
        db.execute(
            # "+outlet_id": look up by the text (a handful of rows), never walk the
            # outlet's articles, whichever index the planner would guess is better (the
            # same on PostgreSQL: a unary plus there too, no index matches the expression)
            "SELECT 1 FROM articles WHERE read_sig = ? AND +outlet_id = ? AND id != ?"
            " AND last_checked_at >= ? LIMIT 1",
            (signature, outlet_id, article_id, since),
        ).fetchone()
        is not None
    )


def start(
    db: sqlite_utils.Database,
    outlet_id: int,
    kind: str,
    signature: str | None,
    members: tuple[int, ...],
    now: str,
    summary: str,
) -> int:
    """Open an incident over ``members``; their earlier suspect reads were the incident's
    first signs, so they no longer count toward the suspect guard."""
    incident_id = int(
        db.execute(
            """INSERT INTO incidents (outlet_id, kind, started_at, articles, summary, signature,
               reads, last_read_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)""",
            (outlet_id, kind, now, len(members), summary, signature, now),
        ).lastrowid
    )
    for article_id in members:
        db.execute(
            "INSERT OR IGNORE INTO incident_articles (incident_id, article_id) VALUES (?, ?)",
            (incident_id, article_id),
        )
    marks = ",".join("?" * len(members))
    db.execute(f"UPDATE articles SET suspect_count = 0 WHERE id IN ({marks})", members)
    return incident_id


def add_read(db: sqlite_utils.Database, incident_id: int, article_id: int, now: str) -> int:
    """A quarantined read: the article joins the incident; returns its article count."""
    db.execute(
        "INSERT OR IGNORE INTO incident_articles (incident_id, article_id) VALUES (?, ?)",
        (incident_id, article_id),
    )
    db.execute(
        """UPDATE incidents SET reads = reads + 1, healthy_reads = 0, last_read_at = ?,
           articles = (SELECT COUNT(*) FROM incident_articles WHERE incident_id = ?)
           WHERE id = ?""",
        (now, incident_id, incident_id),
    )
    return int(
        db.execute("SELECT articles FROM incidents WHERE id = ?", (incident_id,)).fetchone()[0]
    )


def good_read(db: sqlite_utils.Database, incident_id: int, now: str) -> None:
    db.execute(
        "UPDATE incidents SET healthy_reads = healthy_reads + 1, last_read_at = ? WHERE id = ?",
        (now, incident_id),
    )


def close(db: sqlite_utils.Database, incident_id: int, now: str, summary: str) -> None:
    db.execute(
        "UPDATE incidents SET ended_at = ?, summary = ? WHERE id = ?", (now, summary, incident_id)
    )


def incident(db: sqlite_utils.Database, incident_id: int) -> IncidentRow | None:
    found = _rows(db, "WHERE i.id = ?", (incident_id,))
    return found[0] if found else None


def open_incidents(db: sqlite_utils.Database) -> list[IncidentRow]:
    """Every open incident, oldest first (``status``, the review desk)."""
    return _rows(db, "WHERE i.ended_at IS NULL ORDER BY i.started_at, i.id", ())


def recent_incidents(db: sqlite_utils.Database, limit: int = 20) -> list[IncidentRow]:
    return _rows(db, "ORDER BY i.started_at DESC, i.id DESC LIMIT ?", (limit,))


def _rows(db: sqlite_utils.Database, tail: str, params: tuple[Any, ...]) -> list[IncidentRow]:
    rows = query_all(
        db,
        "SELECT i.id, i.outlet_id, COALESCE(o.name, '#' || i.outlet_id) AS outlet, i.kind,"
        " i.started_at, i.ended_at, i.articles, i.reads, i.summary"
        f" FROM incidents i LEFT JOIN outlets o ON o.id = i.outlet_id {tail}",
        params,
    )
    return [IncidentRow(**row) for row in rows]
