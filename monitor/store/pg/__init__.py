"""The store on PostgreSQL: ``--db postgresql://…`` (or ``ARTICLE_MONITOR_DB``).

The embedded default stays SQLite; this package is imported only when the database
given is a PostgreSQL URL, and needs the ``postgres`` extra (psycopg 3). Modules:
``adapter`` (the connection as the store speaks to it), ``sql`` (SQLite spellings
rewritten), ``schema`` (PostgreSQL's own migrations), ``partitions`` (``fetches`` by
day).
"""

from __future__ import annotations

from typing import Any

from monitor.errors import StoreError

_SCHEMES = ("postgresql://", "postgres://")
#: pg_advisory_lock key held while migrating, so two processes never both migrate
_MIGRATE_LOCK = 0x6D6F6E69746F72


def is_postgres_url(target: object) -> bool:
    return str(target).startswith(_SCHEMES)


def is_postgres(db: Any) -> bool:
    """Whether ``db`` is a PostgreSQL store (monitor.store.pg.adapter.PgDatabase)."""
    return getattr(db, "is_postgres", False) is True


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    head, sep, rest = url.partition("://")
    if "@" not in rest.split("/", 1)[0]:
        return url
    auth, _, tail = rest.partition("@")
    user = auth.split(":", 1)[0]
    return f"{head}{sep}{user}:***@{tail}" if ":" in auth else url


def open_pg(url: str) -> Any:
    """Connect to the PostgreSQL database at ``url`` and bring its schema up to date."""
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            "a postgresql:// database needs psycopg: pip install 'article-monitor[postgres]'"
        ) from None
    from monitor.store.pg.adapter import PgDatabase

    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        first = " ".join(str(exc).split())
        raise StoreError(f"cannot open database {redact(url)}: {first}") from None
    db = PgDatabase(raw, url)
    try:
        migrate_pg(db)
    except psycopg.Error as exc:
        raw.close()
        raise StoreError(f"cannot migrate database {redact(url)}: {exc}") from None
    return db


def migrate_pg(db: Any) -> None:
    """Apply PostgreSQL's migrations not applied yet, each in its own transaction."""
    from monitor.store.pg.schema import PG_MIGRATIONS

    raw = db.raw
    raw.execute("SELECT pg_advisory_lock(%s)", (_MIGRATE_LOCK,))
    try:
        tables = set(db.table_names())
        if tables and "schema_migrations" not in tables:
            raise StoreError(
                f"{redact(db.conninfo)} is a PostgreSQL database but not an article-monitor one"
            )
        raw.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL)")
        row = raw.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        done = int(row[0] or 0)
        if done > len(PG_MIGRATIONS):
            raise StoreError(
                f"database schema {done} is newer than this article-monitor knows "
                f"({len(PG_MIGRATIONS)}); upgrade article-monitor"
            )
        for number, migration in enumerate(PG_MIGRATIONS[done:], start=done + 1):
            with raw.transaction():
                migration(raw.execute)
                raw.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (number,))
    finally:
        raw.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATE_LOCK,))
