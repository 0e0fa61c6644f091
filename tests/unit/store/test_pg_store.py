"""The PostgreSQL store: the SQL it rewrites, its schema beside SQLite's, fetches by day,
the article row lock, and the errors a bad URL gives. Tests that need a server skip
with the reason where there is none (tests.support.postgres)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from monitor import store
from monitor.errors import StoreError
from monitor.models import FetchResult
from monitor.store.pg.sql import translate
from tests.conftest import run_cli


def test_placeholders_and_percent_signs_are_rewritten() -> None:
    """``?`` becomes ``%s`` outside quotes only, and a literal ``%`` is doubled for psycopg."""
    text, returning = translate("SELECT id FROM feeds WHERE url LIKE '%://%@%' AND id = ?")
    assert text == "SELECT id FROM feeds WHERE url LIKE '%%://%%@%%' AND id = %s"
    assert not returning
    assert translate("SELECT '?' || ?")[0] == "SELECT '?' || %s"


def test_inserts_return_their_id_and_or_ignore_becomes_on_conflict() -> None:
    """An INSERT into a table with ids hands back ``lastrowid`` through RETURNING id; INSERT
    OR IGNORE skips a conflicting row as SQLite does; a table keyed otherwise returns nothing."""
    text, returning = translate("INSERT INTO outlets (name) VALUES (?)")
    assert text.endswith("RETURNING id") and returning
    text, returning = translate(
        "INSERT OR IGNORE INTO article_urls (url, article_id) VALUES (?, ?)"
    )
    assert text == (
        "INSERT INTO article_urls (url, article_id) VALUES (%s, %s) ON CONFLICT DO NOTHING"
    )
    assert not returning
    assert translate("BEGIN IMMEDIATE") == ("BEGIN", False)


def _columns(db, names: list[str]) -> dict[str, list[str]]:
    found = {}
    for name in names:
        cursor = db.execute(f"SELECT * FROM {name} LIMIT 0")
        found[name] = [d[0] for d in cursor.description]
    return found


def test_schema_has_sqlites_tables_columns_and_views(pg_url: str, tmp_path: Path) -> None:
    """Every table and view the store reads has the same columns, in the same order, on both."""
    lite = store.open_db(tmp_path / "m.db")
    pg = store.open_db(pg_url)
    tables = [t for t in lite.table_names() if "_fts" not in t and t not in ("sqlite_stat1",)]
    names = [*tables, "versions", "change_reports"]
    assert _columns(pg, names) == _columns(lite, names)
    assert set(pg.table_names()) == {*tables, "schema_migrations"}


def _fetch(at: str) -> FetchResult:
    return FetchResult(url="http://127.0.0.1/a", fetched_at=at, outcome="ok", elapsed=0.01)


def _partitions(db) -> list[str]:
    rows = db.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'fetches' ORDER BY 1"
    )
    return [r[0] for r in rows]


def test_fetches_get_one_partition_per_day_even_in_a_rolled_back_transaction(
    pg_url: str,
) -> None:
    """The first fetch of a UTC day makes that day's partition; a partition made inside a
    transaction that rolls back stays, so the next fetch of that day still has a home."""
    db = store.open_db(pg_url)
    store.record_fetch(db, _fetch("2026-12-05T23:59:59Z"))
    with pytest.raises(RuntimeError), store.transaction(db):
        store.record_fetch(db, _fetch("2026-12-06T00:00:00Z"))
        raise RuntimeError("the check failed after its fetch")
    assert not db.conn.in_transaction
    store.record_fetch(db, _fetch("2026-12-06T05:00:00Z"))
    assert _partitions(db) == ["fetches_20261205", "fetches_20261206"]
    rows = db.execute("SELECT tableoid::regclass::text, fetched_at FROM fetches ORDER BY id")
    assert list(rows) == [
        ("fetches_20261205", "2026-12-05T23:59:59Z"),
        ("fetches_20261206", "2026-12-06T05:00:00Z"),
    ]
    other = store.open_db(pg_url)  # another process learns the days from the catalog
    store.record_fetch(other, _fetch("2026-12-06T06:00:00Z"))
    assert db.execute("SELECT COUNT(*) FROM fetches").fetchone()[0] == 3


def test_a_writer_waits_for_the_article_another_is_committing(pg_url: str) -> None:
    """The commit's row lock: while one connection holds an article in its transaction,
    another's lock on the same article waits until the first commits, then reads the
    first one's write."""
    first, second = store.open_db(pg_url), store.open_db(pg_url)
    article_id, _ = store.add_article(first, "http://127.0.0.1/a", None, "2026-12-06T00:00:00Z")
    seen: list[tuple[float, str | None]] = []

    def other_writer() -> None:
        with store.transaction(second):
            store.lock_article(second, article_id)
            seen.append((time.monotonic(), store.article_row(second, article_id).etag))

    with store.transaction(first):
        store.lock_article(first, article_id)
        thread = threading.Thread(target=other_writer)
        thread.start()
        time.sleep(0.5)
        assert not seen, "the second writer must wait for the first"
        store.update_article(first, article_id, etag='"v2"')
        released = time.monotonic()
    thread.join(10)
    assert seen and seen[0][0] >= released and seen[0][1] == '"v2"'


def test_text_search_finds_passages(pg_url: str) -> None:
    """Passages are searchable with PostgreSQL's text search (the GIN index SQLite's
    passages_fts stands for)."""
    db = store.open_db(pg_url)
    article_id, _ = store.add_article(db, "http://127.0.0.1/a", None, "2026-12-06T00:00:00Z")
    from monitor.store import versions

    versions.insert_version(
        db,
        article_id,
        {
            "captured_at": "2026-12-06T00:00:00Z",
            "title": "Export controls",
            "byline": "A. Writer",
            "body": "The ministry did not immediately respond. Talks go on.\n\nA second part.",
            "content_hash": "h1",
        },
    )
    hits = db.execute(
        "SELECT text FROM passages WHERE to_tsvector('simple', text)"
        " @@ plainto_tsquery('simple', ?)",
        ("immediately respond",),
    ).fetchall()
    assert hits == [("The ministry did not immediately respond. ",)]
    body = db.execute("SELECT body FROM versions WHERE article_id = ?", (article_id,))
    assert body.fetchone()[0].startswith("The ministry did not immediately respond. Talks go on.")


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    """--db with a PostgreSQL URL nobody answers: one line naming it (no password), exit 1."""
    url = f"postgresql://me:secret@/nothing?host={tmp_path}"
    result = run_cli("status", db=url)  # type: ignore[arg-type]
    assert result.code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot open database postgresql://me:***@" in lines[0], lines
    assert "secret" not in result.stderr


def test_a_database_of_something_else_is_refused(pg_server) -> None:
    """A PostgreSQL database holding other tables is not taken over."""
    url = pg_server.fresh_database()
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE schema_migrations")
        with pytest.raises(StoreError, match="not an article-monitor one"):
            store.open_db(url)
    finally:
        pg_server.drop(url)


def test_commands_not_on_postgresql_yet_say_so(pg_url: str) -> None:
    """`serve` and `demo` on a PostgreSQL URL: one line saying they need SQLite for now."""
    for command in ("serve", "demo"):
        result = run_cli(command, db=pg_url)  # type: ignore[arg-type]
        assert result.code == 1, result.stderr
        assert "works on an SQLite database only for now" in result.stderr, result.stderr


def test_without_psycopg_a_postgresql_url_says_what_to_install(tmp_path: Path) -> None:
    """A base install (no `postgres` extra) given a postgresql:// URL: one line naming the
    extra to install, exit 1, and SQLite keeps working in the same install."""
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from monitor.cli import main\n"
        "main(['--db', sys.argv[1], 'status'])\n"
    )
    url = f"postgresql:///nothing?host={tmp_path}"
    done = subprocess.run(
        [sys.executable, "-c", script, url], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "article-monitor: error: a postgresql:// database needs psycopg:"
        " pip install 'article-monitor[postgres]'"
    )
    lite = subprocess.run(
        [sys.executable, "-c", script.replace("'status'", "'add', 'http://127.0.0.1/a'"),
         str(tmp_path / "m.db")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert lite.returncode == 0, lite.stderr


def test_article_monitor_db_selects_postgresql(pg_url: str, tmp_path: Path) -> None:
    """ARTICLE_MONITOR_DB set to a PostgreSQL URL is the store when --db is not given: `add`
    then `status` go there, and no SQLite file appears in the working directory."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
    env["ARTICLE_MONITOR_DB"] = pg_url

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "monitor", *args],
            capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path,
        )  # fmt: skip

    assert cli("add", "http://127.0.0.1:9/a").returncode == 0
    status = cli("status")
    assert status.returncode == 0, status.stderr
    assert "database: postgresql:///" in status.stdout and "1 article" in status.stdout
    assert list(tmp_path.iterdir()) == []


def test_text_with_a_nul_character_is_stored_without_it(pg_url: str) -> None:
    """PostgreSQL text cannot hold NUL (SQLite can): a page's stray NUL is dropped on the way
    in instead of failing the whole check; the rest of the text is kept as it was."""
    db = store.open_db(pg_url)
    article_id, _ = store.add_article(db, "http://127.0.0.1/a", None, "2026-12-06T00:00:00Z")
    from monitor.store import versions

    versions.insert_version(
        db,
        article_id,
        {
            "captured_at": "2026-12-06T00:00:00Z",
            "title": "Nul\x00 here",
            "byline": "",
            "body": "One\x00 sentence.",
            "content_hash": "h",
        },
    )
    row = db.execute("SELECT title, body FROM versions WHERE article_id = ?", (article_id,))
    assert row.fetchone() == ("Nul here", "One sentence.")
