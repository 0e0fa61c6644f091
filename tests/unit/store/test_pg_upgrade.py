"""Upgrading a PostgreSQL database made before SQLite's migrations 12-14 were ported:
its publication times are rewritten to UTC as SQLite's are, and the incident and
furniture tables arrive. Skips with the reason where no PostgreSQL can be had."""

from __future__ import annotations

import uuid

from monitor import store
from monitor.extract.normalize import content_hash
from monitor.models import Article
from monitor.store.pg.schema import PG_MIGRATIONS
from tests.unit.store.test_published_times import BODY, CASES, _hash


def _schema_one_database(pg_server) -> str:
    """A database at PostgreSQL's schema 1 holding one article's versions, their times
    stored as written and hashed with them (as the store did before), plus a version
    whose hash was made some other way."""
    import psycopg

    url = pg_server.url(f"am_{uuid.uuid4().hex[:12]}")
    name = url.partition("?")[0].rsplit("/", 1)[1]
    pg_server.admin(f"CREATE DATABASE {name} LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
    with psycopg.connect(url, autocommit=True) as conn:
        PG_MIGRATIONS[0](conn.execute)
        conn.execute("CREATE TABLE schema_migrations (version BIGINT NOT NULL)")
        conn.execute("INSERT INTO schema_migrations (version) VALUES (1)")
        conn.execute(
            "INSERT INTO articles (id, url, first_seen_at) VALUES (1, 'http://127.0.0.1/a', 't')"
        )
        conn.execute(
            "INSERT INTO passages (id, article_id, first_version, text) VALUES (1, 1, 1, %s)",
            (BODY,),
        )
        rows = [(n, _hash(stored), stored) for n, (stored, _) in enumerate(CASES, start=1)]
        rows.append((99, "other", "2024-03-04T10:30:00+00:00"))
        for number, digest, stored in rows:
            conn.execute(
                "INSERT INTO version_records (article_id, version_number, captured_at, title,"
                " byline, content_hash, published_at, modified_at, passage_ids)"
                " VALUES (1, %s, 't', 'T', '', %s, %s, %s, '[1]')",
                (number, digest, stored, stored),
            )
    return url


def test_an_older_postgres_database_gets_utc_times_and_the_new_tables(pg_server) -> None:
    """Opening a schema-1 PostgreSQL database applies the rest: times are rewritten as
    SQLite's migration 12 rewrites them (hash kept in step where it was the fields'
    hash, left alone otherwise), and incidents and furniture exist."""
    url = _schema_one_database(pg_server)
    try:
        db = store.open_db(url)
        version = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        assert version == len(PG_MIGRATIONS)
        assert {"incidents", "incident_articles", "furniture"} <= set(db.table_names())
        got = db.execute(
            "SELECT version_number, published_at, modified_at, content_hash FROM versions"
            " ORDER BY version_number"
        ).fetchall()
        assert [(p, m) for n, p, m, _ in got if n != 99] == [(a, a) for _, a in CASES]
        for number, published, _, digest in got:
            if number == 99:
                assert digest == "other"
            elif published is None or published in ("2024-03-04T10:30", "last Tuesday"):
                assert digest == _hash(published)
            else:
                article = Article(title="T", body=tuple(BODY.split("\n\n")), published_at=published)
                assert digest == content_hash(article), number
        db.close()
    finally:
        pg_server.drop(url)
