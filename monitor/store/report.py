"""The figures behind `article-monitor status`: tracking, due work, failures, activity."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from monitor.policy.health import KIND_WORDS
from monitor.store.db import query_all
from monitor.store.incidents import open_incidents


def status_report(db: sqlite_utils.Database, now: str, since: str) -> dict[str, Any]:
    """Counts and recent problems for `article-monitor status`."""
    one = lambda sql, *p: db.execute(sql, p).fetchone()[0]  # noqa: E731
    return {
        "outlets": one("SELECT COUNT(*) FROM outlets"),
        "feeds": one("SELECT COUNT(*) FROM feeds"),
        "articles": one("SELECT COUNT(*) FROM articles"),
        "by_status": dict(
            db.execute("SELECT status, COUNT(*) FROM articles GROUP BY status").fetchall()
        ),
        "due_now": one(
            "SELECT COUNT(*) FROM articles WHERE status != 'stopped' AND next_check_at <= ?", now
        ),
        "next_due": one(
            "SELECT MIN(next_check_at) FROM articles WHERE status != 'stopped' AND next_check_at > ?",
            now,
        ),
        "failing": query_all(
            db,
            "SELECT id, url, consecutive_errors, last_error FROM articles "
            "WHERE consecutive_errors > 0 ORDER BY consecutive_errors DESC, id LIMIT 10",
        ),
        "failing_feeds": query_all(
            db,
            "SELECT id, url, consecutive_errors, last_error FROM feeds "
            "WHERE consecutive_errors > 0 ORDER BY consecutive_errors DESC, id LIMIT 10",
        ),
        "last_errors": query_all(
            db,
            # the latest error of each of the five URLs that failed most recently
            "SELECT f.fetched_at, f.url, f.outcome, f.status_code, f.error, n.times FROM fetches f "
            "JOIN (SELECT url, MAX(id) AS last_id, COUNT(*) AS times FROM fetches "
            "WHERE error IS NOT NULL GROUP BY url ORDER BY last_id DESC LIMIT 5) n "
            "ON f.id = n.last_id ORDER BY f.id DESC",
        ),
        "versions_24h": one("SELECT COUNT(*) FROM versions WHERE captured_at >= ?", since),
        "changes_24h": one("SELECT COUNT(*) FROM changes WHERE detected_at >= ?", since),
        "silent_24h": one(
            "SELECT COUNT(*) FROM changes WHERE detected_at >= ? AND silent = 1", since
        ),
        "reads_24h": one(
            "SELECT COUNT(*) FROM fetches WHERE fetched_at >= ? AND article_id IS NOT NULL", since
        ),
        "fallbacks_24h": _fallbacks(db, since),
        "capped_feeds": _capped_feeds(db, since),
        "versions": one("SELECT COUNT(*) FROM versions"),
        "changes": one("SELECT COUNT(*) FROM changes"),
        "incidents": _open_incidents(db),
    }


def _open_incidents(db: sqlite_utils.Database) -> list[str]:
    """One line per open outlet incident (none in a database from before incidents)."""
    if "incidents" not in db.table_names():
        return []
    return [
        f"open incident #{row.id} at outlet {row.outlet} since {row.started_at}: "
        f"{KIND_WORDS.get(row.kind, row.kind)}; {row.articles} articles, {row.reads} reads "
        "held back (never stored as versions)"
        for row in open_incidents(db)
    ]


def _fallbacks(db: sqlite_utils.Database, since: str) -> dict[str, int]:
    """How often each cheaper read fell back since ``since`` (see migration 9)."""
    counts: dict[str, int] = {}
    rows = db.execute(
        "SELECT fallbacks, COUNT(*) FROM fetches WHERE fetched_at >= ? AND fallbacks IS NOT NULL"
        " GROUP BY fallbacks",
        (since,),
    )
    for names, n in rows:
        for name in names.split(","):
            counts[name] = counts.get(name, 0) + n
    return dict(sorted(counts.items()))


def _capped_feeds(db: sqlite_utils.Database, since: str) -> list[str]:
    """One line per feed whose new articles a [discover] cap held back since ``since``."""
    rows = db.execute(
        "SELECT id, url, held_back, held_back_at, new_on_day FROM feeds"
        " WHERE held_back_at >= ? ORDER BY held_back_at DESC, id LIMIT 10",
        (since,),
    ).fetchall()
    return [
        f"feed capped #{feed_id} at {when}: {url}: {held:,} entries held back"
        f" ({today:,} new articles taken that day; see [discover] max_new_per_poll,"
        " max_new_per_day)"
        if held
        else f"feed capped #{feed_id} at {when}: {url}: since caught up"
        for feed_id, url, held, when, today in rows
    ]
