"""Learned furniture as stored: per outlet, the blocks seen in its articles.

The store keeps what the pipeline hands it: block keys and a sample of their text
(``monitor.extract.furniture`` computes both). ``learned`` is what the planner hands a
worker; ``record`` and ``record_rotation`` are written by the commit, in its
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from monitor.urls import host_key

#: a sample is for people reading the table, not for matching
SAMPLE_CHARS = 300


def scope_of(outlet_id: int | None, url: str) -> str:
    """Whose furniture an article's blocks are: its outlet's, else its host's."""
    return f"outlet:{outlet_id}" if outlet_id is not None else f"host:{host_key(url)}"


def learned(db: sqlite_utils.Database, scope: str, min_articles: int) -> frozenset[str]:
    """Keys of the scope's furniture: seen in ``min_articles`` articles, or rotated."""
    rows = db.execute(
        "SELECT block_hash FROM furniture WHERE scope = ? AND (seen_count >= ? OR source = 'rotation')",
        (scope, min_articles),
    ).fetchall()
    return frozenset(r[0] for r in rows)


def record(
    db: sqlite_utils.Database,
    scope: str,
    outlet_id: int | None,
    article_id: int,
    blocks: Iterable[tuple[str, str]],
    now: str,
) -> None:
    """Count the article once for each of its blocks (key, text) not counted before."""
    for key, text in blocks:
        fresh = db.execute(
            "INSERT OR IGNORE INTO furniture_sightings (scope, block_hash, article_id)"
            " VALUES (?, ?, ?)",
            (scope, key, article_id),
        ).rowcount
        if not fresh:
            continue
        db.execute(
            """INSERT INTO furniture
                 (scope, outlet_id, block_hash, sample, seen_count, first_seen, last_seen)
               VALUES (?, ?, ?, ?, 1, ?, ?)
               ON CONFLICT (scope, block_hash)
               DO UPDATE SET seen_count = seen_count + 1, last_seen = excluded.last_seen""",
            (scope, outlet_id, key, text[:SAMPLE_CHARS], now, now),
        )


def record_rotation(
    db: sqlite_utils.Database,
    scope: str,
    outlet_id: int | None,
    blocks: Iterable[tuple[str, str]],
    now: str,
) -> None:
    """Blocks a rail exchanged on an unchanged article: furniture from now on."""
    for key, text in blocks:
        db.execute(
            """INSERT INTO furniture
                 (scope, outlet_id, block_hash, sample, source, seen_count, first_seen, last_seen)
               VALUES (?, ?, ?, ?, 'rotation', 0, ?, ?)
               ON CONFLICT (scope, block_hash)
               DO UPDATE SET source = 'rotation', last_seen = excluded.last_seen""",
            (scope, outlet_id, key, text[:SAMPLE_CHARS], now, now),
        )


def summary(db: sqlite_utils.Database, min_articles: int) -> dict[str, int]:
    """Learned blocks per scope (for status and benchmarks)."""
    rows = db.execute(
        "SELECT scope, COUNT(*) FROM furniture WHERE seen_count >= ? OR source = 'rotation'"
        " GROUP BY scope",
        (min_articles,),
    ).fetchall()
    return {scope: count for scope, count in rows}
