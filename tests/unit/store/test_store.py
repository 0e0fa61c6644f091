"""Storage guarantees: transactions never stay open, one story is stored once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from monitor import store
from monitor.store import feeds as feedstore
from tests.conftest import no_host_delay, run_cli


def test_a_failed_commit_leaves_no_transaction_open(tmp_path: Path) -> None:
    """When COMMIT itself fails (here: a deferred foreign key), the writer can still write after."""
    db = store.open_db(tmp_path / "m.db")
    with pytest.raises(sqlite3.IntegrityError), store.transaction(db):
        db.execute("PRAGMA defer_foreign_keys = ON")
        db.execute(
            "INSERT INTO versions (article_id, version_number, captured_at, title, byline, body, "
            "content_hash) VALUES (999, 1, 'now', 't', '', 'b', 'h')"
        )
    assert not db.conn.in_transaction
    with store.transaction(db):
        feedstore.ensure_outlet(db, "still-writable")
    assert db.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 0


def test_one_story_under_two_urls_is_stored_once(newsroom, tmp_path: Path) -> None:
    """Two tracked URLs whose pages name one canonical URL end as one article with one version.

    Both are fetched concurrently in one pass; whichever commits second must see the
    first one's version instead of storing the same text again.
    """
    _, server = newsroom
    config = tmp_path / "c.toml"
    config.write_text(no_host_delay(server.outlet_config_toml()), encoding="utf-8")
    url = server.article_url("capitol", "white-house-weighs-new-export-controls")
    for attempt in range(4):
        db_path = tmp_path / f"m{attempt}.db"
        result = run_cli("check", "--no-feeds", f"{url}?page=1", url, db=db_path, config=config)
        assert result.code == 0, result.stderr
        db = store.open_db(db_path)
        rows = db.execute(
            "SELECT article_id, version_number, content_hash FROM versions"
        ).fetchall()
        assert len(rows) == 1, rows
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
        assert db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 0


def test_sitemap_children_an_index_stops_listing_are_retired(tmp_path: Path) -> None:
    """The daemon polls the children an index lists now; dropped ones stop being due until re-listed."""
    from monitor.store.feeds import RETIRED, schedule_children

    db = store.open_db(tmp_path / "m.db")
    now, later = "2026-11-25T12:00:00Z", "2026-11-25T13:00:00Z"
    with store.transaction(db):
        index, _ = feedstore.add_feed(db, "https://news.example/sitemap-index.xml", None, now)
        day1, _ = feedstore.add_feed(db, "https://news.example/s-1.xml", None, now, parent_id=index)
        day2, _ = feedstore.add_feed(db, "https://news.example/s-2.xml", None, now, parent_id=index)
        schedule_children(db, index, [day2], later)
    due = {f["id"] for f in feedstore.feeds_due(db, later)}
    assert day2 in due and day1 not in due
    assert (
        feedstore.feeds_due(db, RETIRED)
        and db.execute("SELECT next_poll_at FROM feeds WHERE id = ?", (day1,)).fetchone()[0]
        == RETIRED
    )
    with store.transaction(db):
        schedule_children(db, index, [day1, day2], later)
    assert {day1, day2} <= {f["id"] for f in feedstore.feeds_due(db, later)}
