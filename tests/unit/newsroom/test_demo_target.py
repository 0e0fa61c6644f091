"""Which files the demo may recreate: its own database, an empty one, an older demo's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from monitor import store
from monitor.newsroom.demo import fresh_demo_db, is_demo_db


def test_the_demo_recreates_only_what_it_made_or_what_holds_nothing(tmp_path: Path) -> None:
    """A missing path, an empty file, an empty monitor database, the demo's own (marked)
    database and one an older demo made (newsroom outlets on 127.0.0.1 only) may be
    recreated; a database tracking real articles, a foreign SQLite file and a text file
    may not."""
    empty = tmp_path / "empty.db"
    empty.touch()
    unused = tmp_path / "unused.db"
    store.open_db(unused).conn.close()
    own = tmp_path / "own.db"
    fresh_demo_db(own)
    legacy = tmp_path / "legacy.db"
    db = store.open_db(legacy)
    db.execute("INSERT INTO outlets (name) VALUES ('capitol')")
    db.execute("INSERT INTO articles (outlet_id, url, first_seen_at, next_check_at) "
               "VALUES (1, 'http://127.0.0.1:4100/politics/x', 't', 't')")  # fmt: skip
    db.conn.close()
    real = tmp_path / "real.db"
    db = store.open_db(real)
    store.add_article(db, "https://example.org/news/a", None, "t")
    db.conn.close()
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE recipes (name TEXT)").connection.commit()
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n" * 100, encoding="utf-8")

    assert all(is_demo_db(p) for p in (tmp_path / "missing.db", empty, unused, own, legacy))
    assert not any(is_demo_db(p) for p in (real, foreign, notes))
