"""Learned furniture as stored: per outlet, the short blocks of its articles.

The store keeps what the pipeline hands it: block keys and their text
(``monitor.extract.furniture`` computes both). ``learned`` is what the planner hands a
worker; ``record`` and ``record_rotation`` are written by the commit, in its
transaction. Each article is counted once, from its first reading (a re-read of the
same article never counts it again), so ``seen_count`` is a count of distinct
articles without a row per sighting.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from monitor.urls import host_key

#: a sample is for people reading the table, not for matching
SAMPLE_CHARS = 200


def scope_of(outlet_id: int | None, url: str) -> str:
    """Whose furniture an article's blocks are: its outlet's, else its host's."""
    return f"outlet:{outlet_id}" if outlet_id is not None else f"host:{host_key(url)}"


def learned(db: sqlite_utils.Database, scope: str, min_articles: int) -> frozenset[str]:
    """Keys of the scope's furniture: seen in ``min_articles`` articles, rotated, or a
    name credited after ``min_articles`` different lead authors."""
    repeated = db.execute(
        "SELECT block_hash FROM furniture WHERE scope = ? AND seen_count >= ?",
        (scope, min_articles),
    ).fetchall()
    rotated = db.execute(
        "SELECT block_hash FROM furniture WHERE scope = ? AND source = 'rotation'", (scope,)
    ).fetchall()
    credited = db.execute(
        "SELECT credit_of FROM furniture WHERE scope = ? AND credit_of IS NOT NULL"
        " GROUP BY credit_of HAVING COUNT(*) >= ?",
        (scope, min_articles),
    ).fetchall()
    return frozenset(r[0] for r in [*repeated, *rotated, *credited])


def record(
    db: sqlite_utils.Database,
    scope: str,
    outlet_id: int | None,
    blocks: Iterable[tuple[str, str]],
    now: str,
) -> None:
    """Count one article's first reading for each of its blocks (key, text)."""
    for key, text in blocks:
        seen = db.execute(
            """UPDATE furniture SET seen_count = seen_count + 1, last_seen = ?,
                 sample = CASE WHEN sample = '' THEN ? ELSE sample END
               WHERE scope = ? AND block_hash = ?""",
            (now, text[:SAMPLE_CHARS], scope, key),
        ).rowcount
        if not seen:
            db.execute(
                """INSERT INTO furniture
                     (scope, outlet_id, block_hash, seen_count, first_seen, last_seen)
                   VALUES (?, ?, ?, 1, ?, ?)""",
                (scope, outlet_id, key, now, now),
            )


def record_credits(
    db: sqlite_utils.Database,
    scope: str,
    outlet_id: int | None,
    names: Iterable[tuple[str, str, str]],
    now: str,
) -> None:
    """Byline names after the lead, one row per (name, lead author): (pair, name key, name)."""
    for pair, key, name in names:
        db.execute(
            """INSERT INTO furniture (scope, outlet_id, block_hash, sample, source, seen_count,
                 first_seen, last_seen, credit_of)
               VALUES (?, ?, ?, ?, 'credit', 1, ?, ?, ?)
               ON CONFLICT (scope, block_hash) DO UPDATE SET last_seen = excluded.last_seen""",
            (scope, outlet_id, pair, name[:SAMPLE_CHARS], now, now, key),
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
               DO UPDATE SET source = 'rotation', last_seen = excluded.last_seen,
                 sample = excluded.sample""",
            (scope, outlet_id, key, text[:SAMPLE_CHARS], now, now),
        )


def prune_singletons(db: sqlite_utils.Database, older_than: str) -> int:
    """Forget blocks seen in one article only, last seen before ``older_than`` (``gc``):
    an outlet's furniture shows up again in its next articles."""
    return db.execute(
        "DELETE FROM furniture WHERE source = 'repeat' AND seen_count <= 1 AND last_seen < ?",
        (older_than,),
    ).rowcount


def summary(db: sqlite_utils.Database, min_articles: int) -> dict[str, int]:
    """Learned blocks per scope (for status and benchmarks)."""
    scopes = [r[0] for r in db.execute("SELECT DISTINCT scope FROM furniture")]
    return {scope: len(learned(db, scope, min_articles)) for scope in scopes}
