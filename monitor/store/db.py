"""SQLite storage: opening the database (migrating it), transactions, and the
queries on articles and fetches the pipeline runs.

One writer (the CLI or the daemon) and any number of readers (Datasette) share
the file in WAL mode. Every multi-row write that belongs together (a fetch, the
version it produced, its change, the article's schedule) is one transaction, so
a crash at any moment leaves either all of it or none of it.

The schema's migrations live in monitor.store.migrations; versions and changes,
stored as passage lists, in monitor.store.versions.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from monitor.errors import StoreError
from monitor.models import FetchResult, Fingerprint
from monitor.store.migrations import MIGRATIONS
from monitor.store.pg import is_postgres, is_postgres_url, open_pg


@dataclass(frozen=True)
class ArticleRow:
    id: int
    outlet_id: int | None
    url: str
    status: str
    etag: str | None
    last_modified: str | None
    last_changed_at: str | None
    first_seen_at: str
    consecutive_errors: int
    suspect_count: int
    fast_locator: str | None = None
    fast_digest: str | None = None
    fast_hash: str | None = None
    full_read_at: str | None = None
    #: "live" while the latest read is a live blog (monitor.extract.live), else "article"
    kind: str = "article"
    live_post_at: str | None = None
    live_ended_at: str | None = None


def open_db(path: Path | str, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) the database, in WAL mode, with migrations applied.

    ``readonly``: open an existing database for reading only, never writing a byte
    (see :func:`open_readonly`). Otherwise a database that cannot be written (a
    read-only file or file system) is a StoreError that says so and where, before any
    command gets halfway.

    A ``postgresql://`` URL opens the PostgreSQL store instead (monitor.store.pg), an
    object that answers the same calls.
    """
    if is_postgres_url(path):
        return open_pg(str(path))
    path = Path(path)
    if not path.parent.exists():
        raise StoreError(f"database directory does not exist: {path.parent}")
    if path.is_dir():
        raise StoreError(f"database path is a directory: {path}")
    if readonly:
        return open_readonly(path)
    if (why := _not_writable(path)) is not None:
        raise StoreError(
            f"database {path} is read-only ({why}); this command writes to it"
            " (status, diff, export, feed list and serve only read)"
        )
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 10000")
        db = sqlite_utils.Database(conn)
        _check_is_ours(db, path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from None
    return db


class SchemaBehind(StoreError):
    """A database opened read-only has a schema older than this article-monitor's."""


def open_readonly(path: Path) -> sqlite_utils.Database:
    """An existing database opened for reading only: ``mode=ro``, so the daemon's new
    rows show as they commit; ``immutable=1`` where even that cannot open it (a
    read-only file system without the WAL's shared-memory file, which a reader cannot
    create). Never migrates: an older schema is :class:`SchemaBehind`."""
    conn, _ = _reader(path)
    db = sqlite_utils.Database(conn)
    _check_is_ours(db, path)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(
            f"database schema {version} is newer than this article-monitor knows "
            f"({len(MIGRATIONS)}); upgrade article-monitor"
        )
    if version < len(MIGRATIONS):
        conn.close()
        raise SchemaBehind(
            f"database {path} has schema {version}, this article-monitor reads {len(MIGRATIONS)}"
            " and it is read-only here: open it once where it can be written to upgrade it"
        )
    return db


def open_for_reading(path: Path | str) -> sqlite_utils.Database:
    """The database for a command that only reads: read-only when it exists and its
    schema is current; otherwise opened as every command opens it (created, or
    upgraded in one short transaction), which fails with a clear message where the
    file cannot be written. PostgreSQL: opened as every command opens it."""
    if is_postgres_url(path):
        return open_pg(str(path))
    path = Path(path)
    if path.parent.exists() and path.is_file():
        try:
            return open_db(path, readonly=True)
        except SchemaBehind as behind:
            if _not_writable(path) is not None:
                raise StoreError(str(behind)) from None
    return open_db(path)


def needs_immutable(path: Path) -> bool:
    """Whether ``path`` can be read only as an immutable file (see :func:`open_readonly`)."""
    conn, immutable = _reader(path)
    conn.close()
    return immutable


def _reader(path: Path) -> tuple[sqlite3.Connection, bool]:
    """A read-only connection (``mode=ro``, else ``immutable=1``), and whether it is
    the immutable one."""
    if not path.exists():
        raise StoreError(f"database {path} does not exist")
    uri = path.resolve().as_uri()
    for immutable in (False, True):
        query = "mode=ro&immutable=1" if immutable else "mode=ro"
        try:
            conn = sqlite3.connect(f"{uri}?{query}", uri=True, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # opening is lazy
        except sqlite3.OperationalError as exc:
            # a reader cannot create the WAL index on a read-only file system: then
            # nothing can write the file either, and reading it as fixed is exact
            if getattr(exc, "sqlite_errorname", "") in ("SQLITE_CANTOPEN", "SQLITE_READONLY"):
                continue
            raise StoreError(f"cannot open database {path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from None
        return conn, immutable
    raise StoreError(f"cannot open database {path}: unable to open database file")


def _not_writable(path: Path) -> str | None:
    """Why SQLite could not write ``path`` (a read-only file system, no permission to
    the file or to the directory that holds its WAL), or None."""
    where = path if path.exists() else path.parent
    try:
        if os.statvfs(where).f_flag & os.ST_RDONLY:
            return "read-only file system"
    except OSError:
        return None  # cannot tell: let SQLite say
    if path.exists() and not os.access(path, os.W_OK):
        return "no write permission on the file"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"no write permission on its directory {path.parent}"
    return None


def _check_is_ours(db: sqlite_utils.Database, path: Path) -> None:
    tables = set(db.table_names())
    if tables and "articles" not in tables:
        raise StoreError(f"{path} is an SQLite database but not an article-monitor one")


def migrate(db: sqlite_utils.Database) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(
            f"database schema {version} is newer than this article-monitor knows "
            f"({len(MIGRATIONS)}); upgrade article-monitor"
        )
    for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
        with transaction(db):
            migration(db)
            db.execute(f"PRAGMA user_version = {number}")


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception, a failed COMMIT included.

    A transaction left open after a failed COMMIT (disk full, I/O error, deferred
    constraint) would make every later BEGIN fail: the writer would never write again.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            # keep the original error (sqlite3's or psycopg's, whichever store this is)
            with contextlib.suppress(Exception):
                db.execute("ROLLBACK")
        raise


def query_one(db: sqlite_utils.Database, sql: str, params: tuple[Any, ...] = ()) -> dict | None:
    cursor = db.execute(sql, params)
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cursor.description], row, strict=True))


def query_all(db: sqlite_utils.Database, sql: str, params: tuple[Any, ...] = ()) -> list[dict]:
    cursor = db.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ---------------------------------------------------------------- articles


def find_article(db: sqlite_utils.Database, url_or_id: str | int) -> dict | None:
    """An article by id, canonical URL or any alias URL it was reached by."""
    if isinstance(url_or_id, int) or str(url_or_id).isdigit():
        return query_one(db, "SELECT * FROM articles WHERE id = ?", (int(url_or_id),))
    row = query_one(db, "SELECT * FROM articles WHERE url = ?", (url_or_id,))
    if row:
        return row
    return query_one(
        db,
        "SELECT articles.* FROM article_urls JOIN articles ON articles.id = article_urls.article_id "
        "WHERE article_urls.url = ?",
        (url_or_id,),
    )


def add_article(
    db: sqlite_utils.Database,
    url: str,
    outlet_id: int | None,
    now: str,
    *,
    feed_id: int | None = None,
    title: str | None = None,
) -> tuple[int, bool]:
    """Track an article URL (already canonical); returns (article id, created)."""
    existing = find_article(db, url)
    if existing:
        return int(existing["id"]), False
    # OR IGNORE: on PostgreSQL another process may insert the same URL between the look
    # and the insert; its row wins, as if it had been there to find
    cursor = db.execute(
        """INSERT OR IGNORE INTO articles (outlet_id, url, first_seen_at, next_check_at, feed_id,
           title) VALUES (?, ?, ?, ?, ?, ?)""",
        (outlet_id, url, now, now, feed_id, title),
    )
    if cursor.rowcount != 1:
        other = find_article(db, url)
        if other is None:
            raise StoreError(f"could not track {url}: a row conflicts but cannot be found")
        return int(other["id"]), False
    article_id = int(cursor.lastrowid)
    db.execute(
        "INSERT OR IGNORE INTO article_urls (url, article_id) VALUES (?, ?)", (url, article_id)
    )
    return article_id, True


def add_alias(db: sqlite_utils.Database, url: str, article_id: int) -> None:
    db.execute(
        "INSERT OR IGNORE INTO article_urls (url, article_id) VALUES (?, ?)", (url, article_id)
    )


def rekey_article(db: sqlite_utils.Database, article_id: int, canonical: str) -> int:
    """Point an article at its declared canonical URL, merging into an existing one.

    Only called before the article has versions, so nothing stored is lost by a
    merge: the fetches move to the surviving article.
    """
    other = find_article(db, canonical)
    if other is None:
        # host NULL: the daemon recomputes it (the canonical URL may live on another host).
        db.execute("UPDATE articles SET url = ?, host = NULL WHERE id = ?", (canonical, article_id))
        add_alias(db, canonical, article_id)
        return article_id
    survivor = int(other["id"])
    if survivor == article_id:
        return article_id
    for table in ("fetches", "snapshots", "article_urls"):
        db.execute(
            f"UPDATE {table} SET article_id = ? WHERE article_id = ?", (survivor, article_id)
        )
    # an outlet incident that held its first reads now counts the survivor (once); the
    # NOT EXISTS is SQLite's UPDATE OR IGNORE spelled so PostgreSQL reads it too
    db.execute(
        """UPDATE incident_articles SET article_id = ? WHERE article_id = ?
           AND NOT EXISTS (SELECT 1 FROM incident_articles AS held
                           WHERE held.incident_id = incident_articles.incident_id
                             AND held.article_id = ?)""",
        (survivor, article_id, survivor),
    )
    db.execute("DELETE FROM incident_articles WHERE article_id = ?", (article_id,))
    db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
    return survivor


def article_row(db: sqlite_utils.Database, article_id: int) -> ArticleRow:
    row = query_one(db, "SELECT * FROM articles WHERE id = ?", (article_id,))
    if row is None:
        raise StoreError(f"no article with id {article_id}")
    return ArticleRow(
        id=row["id"],
        outlet_id=row["outlet_id"],
        url=row["url"],
        status=row["status"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_changed_at=row["last_changed_at"],
        first_seen_at=row["first_seen_at"],
        consecutive_errors=row["consecutive_errors"],
        suspect_count=row["suspect_count"],
        fast_locator=row.get("fast_locator"),
        fast_digest=row.get("fast_digest"),
        fast_hash=row.get("fast_hash"),
        full_read_at=row.get("full_read_at"),
        kind=row.get("kind") or "article",
        live_post_at=row.get("live_post_at"),
        live_ended_at=row.get("live_ended_at"),
    )


def fingerprint_of(row: ArticleRow) -> Fingerprint | None:
    """The fast-path fingerprint stored with an article, if any."""
    if row.fast_locator and row.fast_digest and row.fast_hash:
        return Fingerprint(row.fast_locator, row.fast_digest, row.fast_hash)
    return None


def set_fingerprint(
    db: sqlite_utils.Database, article_id: int, fingerprint: Fingerprint | None
) -> None:
    """Remember (or, with None, forget) where the article sits on its page."""
    fp = fingerprint
    update_article(
        db,
        article_id,
        fast_locator=fp.locator if fp else None,
        fast_digest=fp.digest if fp else None,
        fast_hash=fp.content_hash if fp else None,
    )


def lock_article(db: sqlite_utils.Database, article_id: int) -> None:
    """Inside a transaction: hold the article's row until it ends, so two writers of
    the same article take turns (the second then re-reads what the first stored).
    SQLite's BEGIN IMMEDIATE already makes every writer take turns."""
    if is_postgres(db):
        db.execute("SELECT id FROM articles WHERE id = ? FOR UPDATE", (article_id,))


def articles_due(db: sqlite_utils.Database, now: str, limit: int | None = None) -> list[int]:
    sql = (
        "SELECT id FROM articles WHERE status != 'stopped' AND next_check_at <= ? "
        "ORDER BY next_check_at"
    )
    params: tuple[Any, ...] = (now,)
    if limit is not None:
        sql += " LIMIT ?"
        params = (now, limit)
    return [r[0] for r in db.execute(sql, params).fetchall()]


def all_article_ids(db: sqlite_utils.Database) -> list[int]:
    return [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id").fetchall()]


def update_article(db: sqlite_utils.Database, article_id: int, **fields: Any) -> None:
    if not fields:
        return
    assignments = ", ".join(f"{name} = ?" for name in fields)
    db.execute(f"UPDATE articles SET {assignments} WHERE id = ?", (*fields.values(), article_id))


# ---------------------------------------------------------------- fetches


def record_fetch(
    db: sqlite_utils.Database,
    result: FetchResult,
    *,
    article_id: int | None = None,
    feed_id: int | None = None,
    outcome: str | None = None,
    suspect_reason: str | None = None,
) -> int:
    if is_postgres(db):
        db.ensure_fetch_day(result.fetched_at)  # fetches is partitioned by day there
    cursor = db.execute(
        """INSERT INTO fetches (article_id, feed_id, url, fetched_at, status_code, outcome, error,
           final_url, elapsed_ms, bytes, suspect_reason, fallbacks)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            article_id,
            feed_id,
            result.url,
            result.fetched_at,
            result.status_code,
            outcome or result.outcome,
            result.error,
            result.final_url,
            round(result.elapsed * 1000),
            len(result.content) if result.content is not None else None,
            suspect_reason,
            ",".join(result.fallbacks) or None,
        ),
    )
    return int(cursor.lastrowid)
