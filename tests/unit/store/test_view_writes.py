"""Scripts that write through the ``versions`` view leave no stale passages behind."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from monitor import store
from monitor.store.migrations import MIGRATIONS

URL = "http://127.0.0.1/a"


def _insert(conn: sqlite3.Connection | sqlite_utils.Database, number: int, body: str) -> None:
    conn.execute(
        "INSERT INTO versions (article_id, version_number, captured_at, title, byline, body, "
        "content_hash) VALUES (1, ?, '2026-01-01T00:00:00Z', 'T', '', ?, ?)",
        (number, body, f"h{number}"),
    )


def _passages(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT text FROM passages ORDER BY id")]


def _searchable(db: sqlite_utils.Database, word: str) -> int:
    """How many passages /DB/passages?_search=word would list."""
    sql = "SELECT COUNT(*) FROM passages_fts WHERE passages_fts MATCH ?"
    return db.execute(sql, (word,)).fetchone()[0]


def _schema_7_database(path: Path) -> sqlite3.Connection:
    """A database as article-monitor left it before migration 8, holding one article."""
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:7]:
        migration(sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version = 7")
    conn.execute(f"INSERT INTO articles (id, url, first_seen_at) VALUES (1, '{URL}', 't')")
    return conn


def test_rewriting_a_body_through_the_view_drops_the_replaced_text(tmp_path: Path) -> None:
    """UPDATE versions SET body = ... replaces the text: the old words are no longer stored
    nor found by the passage search, while text another version still uses stays."""
    db = store.open_db(tmp_path / "m.db")
    with store.transaction(db):
        store.add_article(db, URL, None, "2026-01-01T00:00:00Z")
        _insert(db, 1, "Zebra crossings everywhere.")
        _insert(db, 2, "Shared sentence.")
        _insert(db, 3, "Shared sentence.")
    db.execute("UPDATE versions SET body = 'Giraffes instead.' WHERE version_number = 1")
    db.execute("UPDATE versions SET body = 'Okapis now.' WHERE version_number = 3")
    assert _searchable(db, "zebra") == 0
    assert _passages(db).count("Shared sentence.") == 1  # version 2 still reads it
    bodies = [r[0] for r in db.execute("SELECT body FROM versions ORDER BY version_number")]
    assert bodies == ["Giraffes instead.", "Shared sentence.", "Okapis now."]
    assert sorted(_passages(db)) == ["Giraffes instead.", "Okapis now.", "Shared sentence."]


def test_updating_other_fields_keeps_the_text(tmp_path: Path) -> None:
    """An UPDATE that leaves the body alone (a title fix) keeps every passage."""
    db = store.open_db(tmp_path / "m.db")
    with store.transaction(db):
        store.add_article(db, URL, None, "2026-01-01T00:00:00Z")
        _insert(db, 1, "One sentence. Two sentences.")
    db.execute("UPDATE versions SET title = 'Better' WHERE version_number = 1")
    row = db.execute("SELECT title, body FROM versions").fetchone()
    assert row == ("Better", "One sentence. Two sentences.")
    assert _searchable(db, "sentence") == 1


def test_upgrade_removes_text_left_behind_by_earlier_view_updates(tmp_path: Path) -> None:
    """A database whose view updates (before migration 8) left replaced text behind: the
    upgrade removes it from storage and search; every version reads back as before."""
    path = tmp_path / "old.db"
    conn = _schema_7_database(path)
    _insert(conn, 1, "Zebra crossings everywhere.")
    _insert(conn, 2, "Kept as it was.")
    conn.execute("UPDATE versions SET body = 'Giraffes instead.' WHERE version_number = 1")
    assert "Zebra crossings everywhere." in _passages(sqlite_utils.Database(conn))  # left
    conn.close()
    db = store.open_db(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert sorted(_passages(db)) == ["Giraffes instead.", "Kept as it was."]
    assert _searchable(db, "zebra") == 0
    bodies = [r[0] for r in db.execute("SELECT body FROM versions ORDER BY version_number")]
    assert bodies == ["Giraffes instead.", "Kept as it was."]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_upgrade_keeps_every_passage_when_a_passage_list_is_not_json(tmp_path: Path) -> None:
    """A hand-edited version whose passage list is not JSON does not stop the upgrade, and
    no passage is removed on its account."""
    path = tmp_path / "old.db"
    conn = _schema_7_database(path)
    _insert(conn, 1, "First text.")
    _insert(conn, 2, "Second text.")
    conn.execute("UPDATE version_records SET passage_ids = 'oops' WHERE version_number = 1")
    conn.close()
    db = store.open_db(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert sorted(_passages(db)) == ["First text.", "Second text."]
