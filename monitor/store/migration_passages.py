"""Migration 6: versions stored as passage lists, ``versions`` becomes a view.

Kept apart from monitor.store.migrations because it is long: the backfill, the view that
rebuilds bodies in SQL, the write triggers on that view and the search indexes.
"""

from __future__ import annotations

import json

import sqlite_utils

from monitor.sentences import passages

# The column order of the original ``versions`` table: the view keeps it, so
# ``SELECT *`` and positional readers see what they always saw (plus passage_ids).
_VERSION_COLUMNS = (
    "id, article_id, version_number, captured_at, title, byline, {body}, content_hash, "
    "published_at, modified_at, {canonical}, extractor, fetch_id, snapshot_id"
)

# version_records.canonical_url: NULL when the page's canonical URL is the article's
# own URL (nearly always: an article is keyed by it), '' when the page declared
# none, else the URL. Each version used to repeat the URL; the view restores it.
_CANONICAL_SQL = """CASE WHEN r.canonical_url IS NULL
        THEN (SELECT url FROM articles WHERE articles.id = r.article_id)
        ELSE NULLIF(r.canonical_url, '') END"""
_STORED_CANONICAL = """CASE WHEN new.canonical_url IS NULL THEN ''
        WHEN new.canonical_url = (SELECT url FROM articles WHERE id = new.article_id) THEN NULL
        ELSE new.canonical_url END"""

# A version's body, rebuilt in SQL from its passage list (each passage keeps the
# whitespace after it, so they join with nothing between): readable from any SQLite
# client, not just ours. The ORDER BY sits in a subquery of an aggregate, which
# SQLite never flattens, so group_concat sees the passages in list order.
_BODY_SQL = """COALESCE((SELECT group_concat(text, '') FROM (
        SELECT p.text AS text FROM json_each(r.passage_ids) AS j
        JOIN passages AS p ON p.id = j.value ORDER BY j.key)), '')"""


def m6_passage_store(db: sqlite_utils.Database) -> None:
    """Versions stored as passage lists: each distinct sentence of an article once.

    An edit of one sentence used to store the whole text again (and index it again
    in FTS): ~11 KB per version on real pages. Now ``version_records`` holds every
    field but the body, plus ``passage_ids`` (a JSON array into ``passages``, see
    monitor.sentences); ``versions`` is a view with the original columns, body rebuilt
    in SQL, and INSTEAD OF triggers so writes through the old name still work.
    Full-text search moves to ``passages_fts`` (each distinct passage indexed once)
    and ``versions_fts`` keeps title and byline.
    """
    for trigger in ("versions_fts_ai", "versions_fts_ad", "versions_fts_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE IF EXISTS versions_fts")
    # RENAME rewrites the REFERENCES clauses of changes and the change_reports view
    db.execute("ALTER TABLE versions RENAME TO version_records")
    db.execute(
        """CREATE TABLE passages (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            first_version INTEGER NOT NULL,
            text TEXT NOT NULL)"""
    )
    db.execute("CREATE INDEX idx_passages_article ON passages(article_id)")
    # An article has tens of versions: the UNIQUE (article_id, version_number) index
    # finds them, and a scan of those few finds a hash, so these two only cost bytes.
    db.execute("DROP INDEX IF EXISTS idx_versions_article")
    db.execute("DROP INDEX IF EXISTS idx_versions_hash")
    db.execute("ALTER TABLE version_records ADD COLUMN passage_ids TEXT NOT NULL DEFAULT '[]'")
    _split_stored_bodies(db)
    db.execute("ALTER TABLE version_records DROP COLUMN body")
    db.execute(
        """UPDATE version_records SET canonical_url = CASE
            WHEN canonical_url IS NULL THEN ''
            WHEN canonical_url = (SELECT url FROM articles WHERE id = article_id) THEN NULL
            ELSE canonical_url END"""
    )
    columns = _VERSION_COLUMNS.format(
        body=_BODY_SQL + " AS body", canonical=_CANONICAL_SQL + " AS canonical_url"
    )
    db.execute(f"CREATE VIEW versions AS SELECT {columns}, passage_ids FROM version_records AS r")
    _create_version_write_triggers(db)
    _create_search_indexes(db)


def _split_stored_bodies(db: sqlite_utils.Database) -> None:
    """The backfill: every stored body as a passage list, oldest version first."""
    known: dict[str, int] = {}
    current_article = None
    rows = db.execute(
        "SELECT id, article_id, version_number, body FROM version_records "
        "ORDER BY article_id, version_number"
    ).fetchall()
    for version_id, article_id, number, body in rows:
        if article_id != current_article:
            known, current_article = {}, article_id
        ids = []
        for text in passages(body):
            if text not in known:
                known[text] = db.execute(
                    "INSERT INTO passages (article_id, first_version, text) VALUES (?, ?, ?)",
                    (article_id, number, text),
                ).lastrowid
            ids.append(known[text])
        db.execute(
            "UPDATE version_records SET passage_ids = ? WHERE id = ?",
            (json.dumps(ids, separators=(",", ":")), version_id),
        )


def _create_version_write_triggers(db: sqlite_utils.Database) -> None:
    """INSERT, UPDATE and DELETE on the ``versions`` view, for scripts written against
    the table. A body written this way is stored as one passage (a trigger cannot
    split text); monitor.store.versions splits and deduplicates."""
    fields = (
        "article_id, version_number, captured_at, title, byline, content_hash, "
        "published_at, modified_at, canonical_url, extractor, fetch_id, snapshot_id"
    )
    values = ", ".join(f"new.{name.strip()}" for name in fields.split(","))
    values = values.replace("new.canonical_url", _STORED_CANONICAL)
    db.execute(
        f"""CREATE TRIGGER versions_insert INSTEAD OF INSERT ON versions BEGIN
            INSERT INTO passages (article_id, first_version, text)
            VALUES (new.article_id, new.version_number, new.body);
            INSERT INTO version_records (id, {fields}, passage_ids)
            VALUES (new.id, {values}, json_array(last_insert_rowid()));
        END"""
    )
    updates = ", ".join(f"{name.strip()} = new.{name.strip()}" for name in fields.split(","))
    updates = updates.replace("= new.canonical_url", "= " + _STORED_CANONICAL)
    db.execute(
        f"""CREATE TRIGGER versions_update INSTEAD OF UPDATE ON versions BEGIN
            UPDATE version_records SET {updates} WHERE id = old.id;
            INSERT INTO passages (article_id, first_version, text)
            SELECT new.article_id, new.version_number, new.body WHERE new.body IS NOT old.body;
            UPDATE version_records SET passage_ids = json_array(last_insert_rowid())
            WHERE id = old.id AND new.body IS NOT old.body;
        END"""
    )
    db.execute(
        """CREATE TRIGGER versions_delete INSTEAD OF DELETE ON versions BEGIN
            DELETE FROM version_records WHERE id = old.id;
            DELETE FROM passages WHERE article_id = old.article_id AND NOT EXISTS (
                SELECT 1 FROM version_records AS r, json_each(r.passage_ids) AS j
                WHERE r.article_id = old.article_id AND j.value = passages.id);
        END"""
    )


def _create_search_indexes(db: sqlite_utils.Database) -> None:
    """FTS5 over distinct passages (each indexed once, however many versions share
    it) and over version titles and bylines; kept in sync by triggers, so every
    writer keeps them current. ``content=[...]`` is spelled the way Datasette
    detects a table's FTS index."""
    db.execute(
        """CREATE VIRTUAL TABLE passages_fts USING fts5(
            text, content=[passages], content_rowid=[id], tokenize='unicode61',
            columnsize=0)"""
    )
    db.execute(
        """CREATE TRIGGER passages_fts_ai AFTER INSERT ON passages BEGIN
            INSERT INTO passages_fts (rowid, text) VALUES (new.id, new.text);
        END"""
    )
    db.execute(
        """CREATE TRIGGER passages_fts_ad AFTER DELETE ON passages BEGIN
            INSERT INTO passages_fts (passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END"""
    )
    db.execute(
        """CREATE TRIGGER passages_fts_au AFTER UPDATE OF text ON passages BEGIN
            INSERT INTO passages_fts (passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
            INSERT INTO passages_fts (rowid, text) VALUES (new.id, new.text);
        END"""
    )
    db.execute(
        """CREATE VIRTUAL TABLE versions_fts USING fts5(
            title, byline, content=[version_records], content_rowid=[id], tokenize='unicode61')"""
    )
    db.execute(
        """CREATE TRIGGER versions_fts_ai AFTER INSERT ON version_records BEGIN
            INSERT INTO versions_fts (rowid, title, byline) VALUES (new.id, new.title, new.byline);
        END"""
    )
    db.execute(
        """CREATE TRIGGER versions_fts_ad AFTER DELETE ON version_records BEGIN
            INSERT INTO versions_fts (versions_fts, rowid, title, byline)
            VALUES ('delete', old.id, old.title, old.byline);
        END"""
    )
    db.execute(
        """CREATE TRIGGER versions_fts_au AFTER UPDATE OF title, byline ON version_records BEGIN
            INSERT INTO versions_fts (versions_fts, rowid, title, byline)
            VALUES ('delete', old.id, old.title, old.byline);
            INSERT INTO versions_fts (rowid, title, byline) VALUES (new.id, new.title, new.byline);
        END"""
    )
    for index in ("passages_fts", "versions_fts"):
        db.execute(f"INSERT INTO {index} ({index}) VALUES ('rebuild')")
        # merge small segments sooner: one check writes one tiny segment, and each
        # segment repeats its terms, so the default (4) leaves the index twice its size
        db.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('automerge', 2)")
