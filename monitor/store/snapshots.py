"""Raw page snapshots: kept for audit, stored as compressed deltas against the previous one.

A keyframe (``compression = 'zlib'``) is the page, compressed. The snapshots after
it are ``'zlib-dict'`` deltas against the article's previous snapshot
(``base_snapshot_id``; see monitor.store.snapdelta). ``chain`` counts the snapshots since
the keyframe; every ``SNAPSHOT_KEYFRAME_EVERY``-th is stored whole again, so
rebuilding any snapshot applies a bounded number of deltas. Rows written before
(``'zlib-delta'``: difflib deltas, chained the same way) stay readable.
"""

from __future__ import annotations

import sqlite3
import zlib

import sqlite_utils

from monitor.models import FetchResult
from monitor.store.snapdelta import DeltaError, apply_delta, apply_dict_delta, make_dict_delta

#: Every this many snapshots of an article one is stored whole.
SNAPSHOT_KEYFRAME_EVERY = 16
_LEVEL = 6


def _previous(db: sqlite_utils.Database, article_id: int) -> tuple[int, int, bytes] | None:
    """(id, chain, page) of the article's latest snapshot, when a delta may follow it."""
    row = db.execute(
        "SELECT id, chain FROM snapshots WHERE article_id = ? ORDER BY id DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    if row is None or row[1] + 1 >= SNAPSHOT_KEYFRAME_EVERY:
        return None
    page = snapshot_html(db, row[0])
    return None if page is None else (row[0], row[1], page)


#: A delta this small is kept without compressing the whole page to compare.
_SMALL_DELTA = 1024


def _encode(
    db: sqlite_utils.Database, article_id: int, content: bytes
) -> tuple[bytes, str, int | None, int]:
    """(stored bytes, compression, base snapshot id, chain) for a new snapshot."""
    # Against the previous snapshot, not the keyframe: a delta then carries one
    # check's edits, not every edit since the keyframe (which on a story edited ten
    # times grows past the whole compressed page). Rebuilding walks at most
    # SNAPSHOT_KEYFRAME_EVERY rows; applying a zlib-dict delta is a copy plus a
    # small decompression.
    found = _previous(db, article_id)
    if found is not None:
        base_id, chain, base = found
        delta = make_dict_delta(base, content)
        if len(delta) < _SMALL_DELTA or len(delta) < len(zlib.compress(content, _LEVEL)):
            return delta, "zlib-dict", base_id, chain + 1
    return zlib.compress(content, _LEVEL), "zlib", None, 0


def store_snapshot(
    db: sqlite_utils.Database, article_id: int, fetch_id: int, result: FetchResult
) -> int | None:
    """Keep the raw page: whole and compressed, or as a delta against the article's
    previous snapshot when that is smaller (rebuilt by :func:`snapshot_html`)."""
    if result.content is None:
        return None
    content, compression, base_id, chain = _encode(db, article_id, result.content)
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
    """The raw page bytes of a snapshot, rebuilt through its base (or delta chain), from
    our own database handle or a bare sqlite3 connection (such as Datasette's); None
    when the snapshot, or a base it needs, is missing or does not rebuild."""
    chain: list[tuple[str, bytes]] = []
    current: int | None = snapshot_id
    while current is not None:
        row = db.execute(
            "SELECT content, compression, base_snapshot_id FROM snapshots WHERE id = ?",
            (current,),
        ).fetchone()
        if row is None or row[0] is None:
            return None
        if row[1] not in ("zlib-delta", "zlib-dict"):
            return _rebuild(zlib.decompress(row[0]), chain)
        chain.append((row[1], row[0]))
        current = row[2]
    return None


def _rebuild(html: bytes, chain: list[tuple[str, bytes]]) -> bytes | None:
    for compression, delta in reversed(chain):
        if compression == "zlib-delta":
            html = apply_delta(html, delta)
            continue
        try:
            html = apply_dict_delta(html, delta)
        except DeltaError:
            return None
    return html
