"""Outlets and feeds in the database: who publishes, where their feeds are, how polls went."""

from __future__ import annotations

import sqlite_utils

from monitor.errors import StoreError
from monitor.models import FetchResult
from monitor.store.db import query_all, query_one


def ensure_outlet(db: sqlite_utils.Database, name: str, domain: str | None = None) -> int:
    row = query_one(db, "SELECT id, domain FROM outlets WHERE name = ?", (name,))
    if row:
        if domain and not row["domain"]:
            db.execute("UPDATE outlets SET domain = ? WHERE id = ?", (domain, row["id"]))
        return int(row["id"])
    # OR IGNORE: another process (PostgreSQL) may add the same outlet meanwhile
    cursor = db.execute(
        "INSERT OR IGNORE INTO outlets (name, domain) VALUES (?, ?)", (name, domain)
    )
    if cursor.rowcount == 1:
        return int(cursor.lastrowid)
    return int(_added_meanwhile(db, "SELECT id FROM outlets WHERE name = ?", name))


def outlet_names(db: sqlite_utils.Database) -> list[str]:
    """Every outlet's name, sorted (for messages that list what there is)."""
    return [row[0] for row in db.execute("SELECT name FROM outlets ORDER BY name")]


def add_feed(
    db: sqlite_utils.Database,
    url: str,
    outlet_id: int | None,
    now: str,
    *,
    parent_id: int | None = None,
) -> tuple[int, bool]:
    """Track a feed; returns (feed id, created)."""
    row = query_one(db, "SELECT id, outlet_id FROM feeds WHERE url = ?", (url,))
    if row:
        if outlet_id and row["outlet_id"] != outlet_id:
            db.execute("UPDATE feeds SET outlet_id = ? WHERE id = ?", (outlet_id, row["id"]))
        return int(row["id"]), False
    # OR IGNORE: another process (PostgreSQL) may add the same feed meanwhile
    cursor = db.execute(
        "INSERT OR IGNORE INTO feeds (outlet_id, url, added_at, next_poll_at, parent_feed_id)"
        " VALUES (?, ?, ?, ?, ?)",
        (outlet_id, url, now, now, parent_id),
    )
    if cursor.rowcount != 1:
        return int(_added_meanwhile(db, "SELECT id FROM feeds WHERE url = ?", url)), False
    return int(cursor.lastrowid), True


def _added_meanwhile(db: sqlite_utils.Database, sql: str, key: str) -> int:
    """The id of the row another writer added between our look and our insert."""
    row = db.execute(sql, (key,)).fetchone()
    if row is None:
        raise StoreError(f"could not add {key!r}: a row conflicts but cannot be found")
    return int(row[0])


def list_feeds(db: sqlite_utils.Database) -> list[dict]:
    return query_all(
        db,
        """SELECT feeds.*, outlets.name AS outlet FROM feeds
           LEFT JOIN outlets ON outlets.id = feeds.outlet_id ORDER BY feeds.id""",
    )


def feed_by_id(db: sqlite_utils.Database, feed_id: int) -> dict:
    row = query_one(db, "SELECT * FROM feeds WHERE id = ?", (feed_id,))
    assert row is not None, f"no feed with id {feed_id}"
    return row


def feeds_due(db: sqlite_utils.Database, now: str, *, all_feeds: bool = False) -> list[dict]:
    sql = "SELECT * FROM feeds"
    if not all_feeds:
        sql += " WHERE next_poll_at IS NULL OR next_poll_at <= ?"
        return query_all(db, sql + " ORDER BY next_poll_at", (now,))
    return query_all(db, sql + " ORDER BY id")


def record_feed_poll(
    db: sqlite_utils.Database,
    feed_id: int,
    result: FetchResult,
    *,
    kind: str | None,
    entries: int,
    error: str | None,
    next_poll_at: str,
) -> None:
    failed = error is not None
    db.execute(
        """UPDATE feeds SET last_polled_at = ?, next_poll_at = ?, last_status = ?, last_outcome = ?,
           last_error = ?, kind = COALESCE(?, kind), entries_seen = entries_seen + ?,
           etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),
           consecutive_errors = CASE WHEN ? THEN consecutive_errors + 1 ELSE 0 END
           WHERE id = ?""",
        (
            result.fetched_at,
            next_poll_at,
            result.status_code,
            result.outcome,
            error,
            kind,
            entries,
            result.etag,
            result.last_modified,
            failed,
            feed_id,
        ),
    )


#: next_poll_at of a child sitemap its index no longer lists: never due until re-listed.
RETIRED = "9999-12-31T00:00:00Z"


def schedule_children(
    db: sqlite_utils.Database, index_id: int, listed: list[int], now: str
) -> None:
    """Children an index lists are polled (re-listed ones due now); the others retire.

    Daily news sitemaps come and go; polling every one an index ever named would
    grow the crawl without bound.
    """
    marks = ",".join("?" for _ in listed) or "NULL"
    db.execute(
        f"UPDATE feeds SET next_poll_at = ? WHERE parent_feed_id = ? AND id IN ({marks}) "
        "AND (next_poll_at IS NULL OR next_poll_at = ?)",
        (now, index_id, *listed, RETIRED),
    )
    db.execute(
        f"UPDATE feeds SET next_poll_at = ? WHERE parent_feed_id = ? AND id NOT IN ({marks})",
        (RETIRED, index_id, *listed),
    )


def record_discovery(
    db: sqlite_utils.Database, feed_id: int, day: str, on_day: int, held_back: int, now: str
) -> None:
    """Count a poll's new articles against the feed's day, and what a cap held back.

    A poll that held entries back forgets the feed's validators (ETag, Last-Modified):
    the next poll must get the whole feed again to take the rest, not a 304.
    """
    db.execute(
        "UPDATE feeds SET new_day = ?, new_on_day = ?, held_back = ?,"
        " held_back_at = CASE WHEN ? > 0 THEN ? ELSE held_back_at END,"
        " etag = CASE WHEN ? > 0 THEN NULL ELSE etag END,"
        " last_modified = CASE WHEN ? > 0 THEN NULL ELSE last_modified END"
        " WHERE id = ?",
        (day, on_day, held_back, held_back, now, held_back, held_back, feed_id),
    )
