"""Raw page snapshots: kept for audit, stored as compressed deltas against the previous one.

Every ``SNAPSHOT_KEYFRAME_EVERY``-th snapshot of an article is stored whole, so
rebuilding any snapshot decompresses a bounded chain (see monitor.snapdelta).
"""

from __future__ import annotations

import sqlite3
import zlib

import sqlite_utils

from monitor.models import FetchResult
from monitor.snapdelta import apply_delta, make_delta

#: Every this many snapshots of an article one is stored whole, so rebuilding any
#: snapshot decompresses at most this many deltas.
SNAPSHOT_KEYFRAME_EVERY = 16


def store_snapshot(
    db: sqlite_utils.Database, article_id: int, fetch_id: int, result: FetchResult
) -> int | None:
    """Keep the raw page: whole and compressed, or as a delta against the article's
    previous snapshot when that is smaller (rebuilt by :func:`snapshot_html`)."""
    if result.content is None:
        return None
    content, compression, base_id, chain = zlib.compress(result.content, 6), "zlib", None, 0
    previous = db.execute(
        "SELECT id, chain FROM snapshots WHERE article_id = ? ORDER BY id DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    if previous is not None and previous[1] + 1 < SNAPSHOT_KEYFRAME_EVERY:
        base = snapshot_html(db, previous[0])
        if base is not None:
            delta = make_delta(base, result.content)
            if len(delta) < len(content):
                content, compression = delta, "zlib-delta"
                base_id, chain = previous[0], previous[1] + 1
    cursor = db.execute(
        """INSERT INTO snapshots (article_id, fetch_id, captured_at, url, encoding, size, content,
           compression, base_snapshot_id, chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            article_id,
            fetch_id,
            result.fetched_at,
            result.final_url or result.url,
            result.encoding,
            len(result.content),
            content,
            compression,
            base_id,
            chain,
        ),
    )
    return int(cursor.lastrowid)


def snapshot_html(db: sqlite_utils.Database | sqlite3.Connection, snapshot_id: int) -> bytes | None:
    """The raw page bytes of a snapshot, rebuilt through its delta chain (from our own
    database handle or a bare sqlite3 connection, such as Datasette's)."""
    chain: list[bytes] = []
    current: int | None = snapshot_id
    while current is not None:
        row = db.execute(
            "SELECT content, compression, base_snapshot_id FROM snapshots WHERE id = ?",
            (current,),
        ).fetchone()
        if row is None or row[0] is None:
            return None
        if row[1] != "zlib-delta":
            html = zlib.decompress(row[0])
            for delta in reversed(chain):
                html = apply_delta(html, delta)
            return html
        chain.append(row[0])
        current = row[2]
    return None
