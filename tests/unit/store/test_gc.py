"""`article-monitor gc`: old raw snapshots go, versions and changes stay byte for byte, the
file shrinks after VACUUM, --dry-run changes nothing; `status` shows the database size."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from monitor import store
from monitor.store import snapshots
from monitor.store import versions as version_store
from monitor.store.retention import database_size, prune_snapshots
from tests.conftest import run_cli

AGED = "2020-01-01T00:00:00Z"


@pytest.fixture
def monitored_db(tmp_path: Path, newsroom, config_file: Path) -> Path:
    """A database from four `check --all` passes over the newsroom, the first two passes'
    snapshots back-dated to 2020 (older than the default 180 days)."""
    room, _ = newsroom
    db = tmp_path / "m.db"
    for step in range(4):
        if step:
            room.advance()
        assert run_cli("check", "--all", db=db, config=config_file).code == 0
        if step == 1:
            with sqlite3.connect(db) as conn:
                conn.execute("UPDATE snapshots SET captured_at = ?", (AGED,))
    return db


def _record(db: Path) -> tuple[list, list]:
    """Every versions row without the snapshot link, and every changes row."""
    with sqlite3.connect(db) as conn:
        columns = [
            r[1] for r in conn.execute("PRAGMA table_info(versions)") if r[1] != "snapshot_id"
        ]
        versions = conn.execute(f"SELECT {', '.join(columns)} FROM versions ORDER BY id").fetchall()
        changes = conn.execute("SELECT * FROM changes ORDER BY id").fetchall()
    return versions, changes


def _snapshots(db: Path) -> tuple[int, int]:
    """(old snapshots, all snapshots)."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT COALESCE(SUM(captured_at = ?), 0), COUNT(*) FROM snapshots", (AGED,)
        ).fetchone()


@pytest.mark.slow
def test_gc_prunes_old_snapshots_keeps_the_record_and_shrinks_the_file(
    monitored_db: Path, config_file: Path
) -> None:
    """Default age (180 days): the back-dated snapshots go, except the bases that recent delta
    snapshots are built on; the recent ones stay and still rebuild; versions lose only their
    link to a pruned snapshot, changes are identical, the file shrinks."""
    db = monitored_db
    old, total = _snapshots(db)
    assert old >= 10 and total > old
    record = _record(db)
    before = sum(database_size(db))
    result = run_cli("gc", db=db, config=config_file)
    assert result.code == 0, result.stderr
    pruned = int(re.search(r"pruned (\d+) snapshots", result.stdout).group(1))
    assert 0 < pruned <= old
    assert re.search(r"database size: .+ → .+ \(freed .+\)", result.stdout), result.stdout
    assert _snapshots(db) == (old - pruned, total - pruned)
    kept = store.open_db(db)
    for (snapshot_id,) in kept.execute("SELECT id FROM snapshots").fetchall():
        assert snapshots.snapshot_html(kept, snapshot_id).lstrip().lower().startswith(b"<!doctype")
    kept.conn.close()
    assert _record(db) == record
    with sqlite3.connect(db) as conn:
        dangling = conn.execute(
            "SELECT COUNT(*) FROM versions WHERE snapshot_id IS NOT NULL "
            "AND snapshot_id NOT IN (SELECT id FROM snapshots)"
        ).fetchone()[0]
        unlinked = conn.execute(
            "SELECT COUNT(*) FROM versions WHERE snapshot_id IS NULL"
        ).fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert dangling == 0 and unlinked >= pruned
    main, wal = database_size(db)
    assert main + wal < before and wal == 0


@pytest.mark.slow
def test_gc_dry_run_changes_nothing_and_older_than_overrides(
    monitored_db: Path, config_file: Path
) -> None:
    """--dry-run reports what would go and leaves every row and the file as they were;
    --older-than 9999d keeps everything."""
    db = monitored_db
    old, total = _snapshots(db)
    record = _record(db)
    run_cli("status", db=db, config=config_file)  # settles the WAL the way any open does
    size = database_size(db)
    result = run_cli("gc", "--dry-run", db=db, config=config_file)
    assert result.code == 0, result.stderr
    would = int(re.search(r"would prune (\d+) snapshots", result.stdout).group(1))
    assert 0 < would <= old
    assert _snapshots(db) == (old, total) and _record(db) == record
    assert database_size(db)[0] == size[0]
    result = run_cli("gc", "--older-than", "9999d", db=db, config=config_file)
    assert result.code == 0 and "pruned 0 snapshots" in result.stdout
    assert _snapshots(db) == (old, total)
    bad = run_cli("gc", "--older-than", "soon", db=db, config=config_file)
    assert bad.code == 1 and "--older-than" in bad.stderr


def test_prune_snapshots_unlinks_versions(tmp_path: Path) -> None:
    """The store-level function deletes only snapshots before the cutoff and clears the
    versions' links to them in the same step."""
    db = store.open_db(tmp_path / "m.db")
    with store.transaction(db):
        article, _ = store.add_article(db, "https://x.test/a", None, "2026-01-01T00:00:00Z")
        for n, when in enumerate(("2025-01-01T00:00:00Z", "2026-06-01T00:00:00Z")):
            snap = db.execute(
                "INSERT INTO snapshots (article_id, captured_at, size, content) "
                "VALUES (?, ?, 1, x'00')",
                (article, when),
            ).lastrowid
            fields = {"captured_at": when, "title": f"t{n}", "byline": "", "body": "b"}
            version_store.insert_version(
                db, article, {**fields, "content_hash": str(n), "snapshot_id": snap}
            )
    assert prune_snapshots(db, "2026-01-01T00:00:00Z") == 1
    links = db.execute("SELECT snapshot_id IS NULL FROM versions ORDER BY id").fetchall()
    assert links == [(1,), (0,)]
    assert db.execute("SELECT captured_at FROM snapshots").fetchall() == [("2026-06-01T00:00:00Z",)]


def test_status_shows_database_size(tmp_path: Path) -> None:
    """`status` has a "database size" line with the file and the WAL."""
    assert run_cli("add", "https://example.org/a", db=tmp_path / "m.db").code == 0
    result = run_cli("status", db=tmp_path / "m.db")
    assert result.code == 0
    assert re.search(
        r"^database size: \S+ \S+ \(file \S+ \S+ \+ WAL \S+ \S+\)$", result.stdout, re.M
    )
