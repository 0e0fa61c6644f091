"""Upgrading a database rewrites publication and modification times stored in mixed
formats to UTC ISO 8601 (as new versions store them); a value that is not a time stays."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import sqlite_utils

from monitor import store
from monitor.extract.normalize import content_hash
from monitor.models import Article
from monitor.store.migrations import MIGRATIONS

BEFORE = next(
    i for i, m in enumerate(MIGRATIONS) if m.__name__ == "_m12_published_times_in_utc"
)
BODY = "First paragraph.\n\nSecond paragraph."


def _hash(published: str | None) -> str:
    """The content hash as the pipeline stored it when the time was kept as written."""
    payload = json.dumps(
        ["T", "", BODY.split("\n\n"), published], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# stored value → what the upgrade leaves
CASES = [
    ("2024-03-04T10:30:00+00:00", "2024-03-04T10:30:00Z"),
    ("2024-03-04T11:30:45+01:00", "2024-03-04T10:30:00Z"),
    ("2024-03-04 10:30:00 UTC", "2024-03-04T10:30:00Z"),
    ("Mon, 04 Mar 2024 05:30:00 -0500", "2024-03-04T10:30:00Z"),
    ("4 mars 2024", "2024-03-04"),
    ("2024-03-04T10:30:00Z", "2024-03-04T10:30:00Z"),
    ("2024-03-04T10:30", "2024-03-04T10:30"),  # no zone: kept as printed
    ("last Tuesday", "last Tuesday"),  # not a time: kept
    (None, None),
]


def _old_database(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:BEFORE]:
        migration(sqlite_utils.Database(conn))
    conn.execute(f"PRAGMA user_version = {BEFORE}")
    conn.execute("INSERT INTO articles (id, url, first_seen_at) VALUES (1, 'http://127.0.0.1/a', 't')")
    for number, (stored, _) in enumerate(CASES, start=1):
        conn.execute(
            "INSERT INTO versions (article_id, version_number, captured_at, title, byline, body, "
            "content_hash, published_at, modified_at) VALUES (1, ?, 't', 'T', '', ?, ?, ?, ?)",
            (number, BODY, _hash(stored), stored, stored),
        )
    # a hash that is not the one of its fields (written by other rules) is left alone
    conn.execute(
        "INSERT INTO versions (article_id, version_number, captured_at, title, byline, body, "
        "content_hash, published_at) VALUES (1, 99, 't', 'T', '', ?, 'other', ?)",
        (BODY, "2024-03-04T10:30:00+00:00"),
    )
    conn.close()


def test_upgrade_stores_publication_times_in_utc(tmp_path: Path) -> None:
    """'+00:00', other offsets, ' UTC', RFC 2822 and a French date become the UTC form new
    versions have (a date alone stays a date); a zone-less time and text that is no time
    are kept as they were. modified_at is rewritten the same way."""
    path = tmp_path / "old.db"
    _old_database(path)
    db = store.open_db(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    got = db.execute(
        "SELECT published_at, modified_at FROM versions WHERE version_number < 99 "
        "ORDER BY version_number"
    ).fetchall()
    assert [tuple(r) for r in got] == [(after, after) for _, after in CASES]


def test_upgrade_keeps_the_content_hash_in_step_with_the_time(tmp_path: Path) -> None:
    """Where a stored hash is the hash of the stored fields, it becomes the hash today's
    pipeline computes for the same page (so an unchanged page is no new version); a hash
    made some other way is not touched."""
    path = tmp_path / "old.db"
    _old_database(path)
    db = store.open_db(path)
    rows = db.execute(
        "SELECT version_number, content_hash, published_at FROM versions ORDER BY version_number"
    ).fetchall()
    for number, digest, published in rows:
        if number == 99:
            assert digest == "other"
            continue
        article = Article(title="T", body=tuple(BODY.split("\n\n")), published_at=published)
        if published is None or published in ("2024-03-04T10:30", "last Tuesday"):
            assert digest == _hash(published)
        else:
            assert digest == content_hash(article), number
