"""Migration 10: URLs stored with "user:password@" lose the credentials, nothing else."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from monitor import store
from monitor.store.migrations import MIGRATIONS


def test_stored_credentials_are_taken_out_of_every_url(tmp_path: Path) -> None:
    """Feeds, articles, aliases, fetches and snapshots stored with credentials (before
    canonical URLs dropped them) read without them after the upgrade; a feed whose
    clean URL is already tracked keeps its row untouched rather than collide; every row
    is still there."""
    path = tmp_path / "m.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:9]:
        migration(sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version = 9")
    t = "2026-01-01T00:00:00Z"
    conn.executemany(
        "INSERT INTO feeds (id, url, added_at) VALUES (?, ?, ?)",
        [
            (1, "https://user:s3cret@news.example/rss", t),
            (2, "https://news.example/other", t),
            (3, "https://u:p@news.example/other", t),
        ],
    )
    conn.execute(
        "INSERT INTO articles (id, url, first_seen_at) VALUES (1, 'https://u:p@news.example/a', ?)",
        (t,),
    )
    conn.execute(
        "INSERT INTO article_urls (url, article_id) VALUES ('https://u:p@news.example/a', 1)"
    )
    conn.execute(
        "INSERT INTO fetches (article_id, url, final_url, fetched_at, outcome) VALUES "
        "(1, 'https://u:p@news.example/a', 'https://u:p@news.example/a@2', ?, 'ok')",
        (t,),
    )
    conn.close()
    db = store.open_db(path)
    feeds = [r[0] for r in db.execute("SELECT url FROM feeds ORDER BY id")]
    assert feeds == [
        "https://news.example/rss",
        "https://news.example/other",
        "https://u:p@news.example/other",  # the clean spelling is feed 2 already
    ]
    assert db.execute("SELECT url FROM articles").fetchone()[0] == "https://news.example/a"
    assert db.execute("SELECT url FROM article_urls").fetchone()[0] == "https://news.example/a"
    assert db.execute("SELECT url, final_url FROM fetches").fetchone() == (
        "https://news.example/a",
        "https://news.example/a@2",
    )
