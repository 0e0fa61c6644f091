"""Schema migrations, oldest first. PRAGMA user_version counts those applied.

A migration is a function of the database; it runs inside the caller's
transaction. Never edit a released migration: add a new one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime

import sqlite_utils

from monitor.store.migration_incidents import m13_outlet_incidents
from monitor.store.migration_passages import m6_passage_store
from monitor.urls import without_credentials


def _m1_initial(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE outlets (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, domain TEXT)"""
    )
    db.execute(
        """CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            outlet_id INTEGER REFERENCES outlets(id),
            url TEXT NOT NULL UNIQUE,
            kind TEXT,
            added_at TEXT NOT NULL,
            last_polled_at TEXT,
            next_poll_at TEXT,
            etag TEXT,
            last_modified TEXT,
            last_status INTEGER,
            last_outcome TEXT,
            last_error TEXT,
            consecutive_errors INTEGER NOT NULL DEFAULT 0,
            entries_seen INTEGER NOT NULL DEFAULT 0,
            parent_feed_id INTEGER REFERENCES feeds(id))"""
    )
    db.execute(
        """CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            outlet_id INTEGER REFERENCES outlets(id),
            url TEXT NOT NULL UNIQUE,
            first_seen_at TEXT NOT NULL,
            last_checked_at TEXT,
            next_check_at TEXT,
            status TEXT NOT NULL DEFAULT 'active',
            last_changed_at TEXT,
            title TEXT,
            feed_id INTEGER REFERENCES feeds(id),
            etag TEXT,
            last_modified TEXT,
            consecutive_errors INTEGER NOT NULL DEFAULT 0,
            suspect_count INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            version_count INTEGER NOT NULL DEFAULT 0,
            change_count INTEGER NOT NULL DEFAULT 0)"""
    )
    db.execute(
        """CREATE TABLE article_urls (
            url TEXT PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id))"""
    )
    db.execute(
        """CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            article_id INTEGER REFERENCES articles(id),
            feed_id INTEGER REFERENCES feeds(id),
            url TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            status_code INTEGER,
            outcome TEXT NOT NULL,
            error TEXT,
            final_url TEXT,
            elapsed_ms INTEGER,
            bytes INTEGER,
            suspect_reason TEXT)"""
    )
    db.execute(
        """CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            fetch_id INTEGER REFERENCES fetches(id),
            captured_at TEXT NOT NULL,
            url TEXT,
            encoding TEXT,
            compression TEXT NOT NULL DEFAULT 'zlib',
            size INTEGER NOT NULL,
            content BLOB)"""
    )
    db.execute(
        """CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            version_number INTEGER NOT NULL,
            captured_at TEXT NOT NULL,
            title TEXT NOT NULL,
            byline TEXT NOT NULL,
            body TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            published_at TEXT,
            modified_at TEXT,
            canonical_url TEXT,
            extractor TEXT,
            fetch_id INTEGER REFERENCES fetches(id),
            snapshot_id INTEGER REFERENCES snapshots(id),
            UNIQUE (article_id, version_number))"""
    )
    db.execute(
        """CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            from_version_id INTEGER REFERENCES versions(id),
            to_version_id INTEGER REFERENCES versions(id),
            detected_at TEXT NOT NULL,
            kinds TEXT NOT NULL,
            silent INTEGER NOT NULL,
            summary TEXT NOT NULL,
            evidence TEXT NOT NULL DEFAULT '[]',
            revert_of_version_id INTEGER REFERENCES versions(id),
            fetch_id INTEGER REFERENCES fetches(id))"""
    )
    for sql in (
        "CREATE INDEX idx_articles_due ON articles(next_check_at) WHERE status != 'stopped'",
        "CREATE INDEX idx_articles_outlet ON articles(outlet_id)",
        "CREATE INDEX idx_articles_status ON articles(status)",
        "CREATE INDEX idx_feeds_due ON feeds(next_poll_at)",
        "CREATE INDEX idx_versions_article ON versions(article_id, version_number)",
        "CREATE INDEX idx_versions_hash ON versions(article_id, content_hash)",
        "CREATE INDEX idx_changes_article ON changes(article_id, id)",
        "CREATE INDEX idx_changes_detected ON changes(detected_at)",
        "CREATE INDEX idx_changes_silent ON changes(silent, detected_at)",
        "CREATE INDEX idx_fetches_article ON fetches(article_id, fetched_at)",
        "CREATE INDEX idx_fetches_time ON fetches(fetched_at)",
        "CREATE INDEX idx_snapshots_article ON snapshots(article_id, captured_at)",
    ):
        db.execute(sql)


def _m2_daemon_hosts(db: sqlite_utils.Database) -> None:
    """Per-host backoff state, and each article's host so the dispatcher can skip paused hosts.

    ``articles.host`` starts NULL; the daemon fills it (monitor.policy.politeness.host_key).
    """
    db.execute(
        """CREATE TABLE hosts (
            host TEXT PRIMARY KEY,
            backoff_until TEXT,
            reason TEXT,
            consecutive_errors INTEGER NOT NULL DEFAULT 0,
            last_error_at TEXT)"""
    )
    db.execute("ALTER TABLE articles ADD COLUMN host TEXT")
    db.execute("CREATE INDEX idx_articles_host_missing ON articles(id) WHERE host IS NULL")
    db.execute("CREATE INDEX idx_hosts_backoff ON hosts(backoff_until)")


def _m3_review(db: sqlite_utils.Database) -> None:
    """Full-text search over versions, and the joined view reviewers browse.

    The FTS index is external-content (no second copy of every body) and kept in
    sync by triggers, so every writer, not just monitor.store.versions, keeps it current.
    ``content=[versions]`` is spelled the way Datasette detects a table's FTS index.
    """
    db.execute(
        """CREATE VIRTUAL TABLE versions_fts USING fts5(
            title, body, content=[versions], content_rowid=[id], tokenize='unicode61')"""
    )
    db.execute(
        """CREATE TRIGGER versions_fts_ai AFTER INSERT ON versions BEGIN
            INSERT INTO versions_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
        END"""
    )
    db.execute(
        """CREATE TRIGGER versions_fts_ad AFTER DELETE ON versions BEGIN
            INSERT INTO versions_fts (versions_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        END"""
    )
    db.execute(
        """CREATE TRIGGER versions_fts_au AFTER UPDATE OF title, body ON versions BEGIN
            INSERT INTO versions_fts (versions_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
            INSERT INTO versions_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
        END"""
    )
    # the backfill: index the versions stored before this migration
    db.execute("INSERT INTO versions_fts (versions_fts) VALUES ('rebuild')")
    # one row per change with what a reviewer filters on (outlet, day, headline), so
    # Datasette can facet and sort changes without joins in every query
    db.execute(
        """CREATE VIEW change_reports AS
        SELECT changes.id AS id,
               changes.detected_at AS detected_at,
               substr(changes.detected_at, 1, 10) AS day,
               outlets.name AS outlet,
               changes.article_id AS article_id,
               COALESCE(new_v.title, old_v.title, articles.title) AS headline,
               changes.kinds AS kinds,
               changes.silent AS silent,
               changes.summary AS summary,
               articles.url AS url,
               changes.from_version_id AS from_version_id,
               changes.to_version_id AS to_version_id
        FROM changes
        JOIN articles ON articles.id = changes.article_id
        LEFT JOIN outlets ON outlets.id = articles.outlet_id
        LEFT JOIN versions AS old_v ON old_v.id = changes.from_version_id
        LEFT JOIN versions AS new_v ON new_v.id = changes.to_version_id"""
    )


def _m4_fastpath_and_snapshot_deltas(db: sqlite_utils.Database) -> None:
    # The fast path's fingerprint of the page that showed the latest version
    # (monitor/fastpath.py); NULL means "run the full extraction".
    db.execute("ALTER TABLE articles ADD COLUMN fast_locator TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN fast_digest TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN fast_hash TEXT")
    # compression 'zlib-delta': content is a compressed delta against base_snapshot_id;
    # chain counts the deltas down to a full ('zlib') snapshot.
    db.execute("ALTER TABLE snapshots ADD COLUMN base_snapshot_id INTEGER REFERENCES snapshots(id)")
    db.execute("ALTER TABLE snapshots ADD COLUMN chain INTEGER NOT NULL DEFAULT 0")


def _m5_notify(db: sqlite_utils.Database) -> None:
    """Webhook delivery state (monitor.pipeline.notify): targets and the outbox.

    A target is known by a key derived from its URL (the URL itself may hold a
    secret, and Datasette shows every table). ``start_change_id`` is the newest
    change when the target was first seen: older changes are never sent.
    ``scanned_change_id`` is how far its filter has looked at ``changes``.

    The outbox holds one row per (change, target) ever queued, so a change is
    never queued twice; digest rows (``kind = 'digest'``, no change) stand for
    the changes a per-hour cap held back.
    """
    db.execute(
        """CREATE TABLE notify_targets (
            target TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            added_at TEXT NOT NULL,
            start_change_id INTEGER NOT NULL,
            scanned_change_id INTEGER NOT NULL)"""
    )
    db.execute(
        """CREATE TABLE notify_outbox (
            id INTEGER PRIMARY KEY,
            target TEXT NOT NULL REFERENCES notify_targets(target),
            kind TEXT NOT NULL DEFAULT 'change',
            change_id INTEGER REFERENCES changes(id),
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            next_attempt_at TEXT,
            last_error TEXT,
            sent_at TEXT,
            digest_id INTEGER REFERENCES notify_outbox(id),
            held_count INTEGER,
            UNIQUE (change_id, target))"""
    )
    db.execute("CREATE INDEX idx_notify_outbox_queue ON notify_outbox(target, status, id)")
    db.execute("CREATE INDEX idx_notify_outbox_sent ON notify_outbox(target, sent_at)")


def _m7_full_reads_and_rules(db: sqlite_utils.Database) -> None:
    # Which extraction rules read a version (monitor.extract.cascade.EXTRACTION_RULES); NULL
    # for versions stored before rules were named.
    db.execute("ALTER TABLE version_records ADD COLUMN extraction_rules TEXT")
    # When the cascade last read the article's page in full (not through the fast
    # path or a region read): the fingerprint's age, see [schedule] full_read_every.
    db.execute("ALTER TABLE articles ADD COLUMN full_read_at TEXT")
    # fingerprints taken before count from the last check, so an upgrade spreads the
    # first full reads over the next interval instead of re-reading everything at once
    db.execute("UPDATE articles SET full_read_at = last_checked_at WHERE fast_locator IS NOT NULL")


# Passages no version lists any more (passage ids are unique across articles).
_UNREFERENCED = """id NOT IN (
    SELECT j.value FROM version_records AS r, json_each(r.passage_ids) AS j)"""


def _m8_view_updates_keep_no_stale_passages(db: sqlite_utils.Database) -> None:
    # Migration 6's UPDATE trigger on the versions view stored a rewritten body as a
    # new passage and left the replaced one behind: unreferenced, yet still found by
    # /DB/passages?_search=. The trigger now drops the article's unreferenced
    # passages after such an update (as the DELETE trigger always did). Its own text
    # is kept verbatim from the stored schema, so this migration does not restate
    # migration 6's column list.
    sql = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'versions_update'"
    ).fetchone()[0]
    head, _, _ = sql.rpartition("END")
    db.execute("DROP TRIGGER versions_update")
    db.execute(
        head
        + """DELETE FROM passages WHERE new.body IS NOT old.body
                AND article_id = old.article_id AND NOT EXISTS (
                SELECT 1 FROM version_records AS r, json_each(r.passage_ids) AS j
                WHERE r.article_id = old.article_id AND j.value = passages.id);
        END"""
    )
    # a passage list that is not JSON (written by hand) would make every passage look
    # unreferenced, or stop the upgrade: then leave the stale text rather than risk any
    if db.execute("SELECT 1 FROM version_records WHERE NOT json_valid(passage_ids)").fetchone():
        return
    db.execute(f"DELETE FROM passages WHERE {_UNREFERENCED}")


def _m9_read_fallbacks(db: sqlite_utils.Database) -> None:
    # Which cheaper read fell back to a dearer one on each check (comma-separated:
    # fast_path, region, no_fingerprint, fingerprint_error, reread_error, reread_no_snapshot), so `status` shows a
    # regression as counts, not only as CPU. NULL: the check took no fallback.
    db.execute("ALTER TABLE fetches ADD COLUMN fallbacks TEXT")


def _m10_discovery_caps_and_no_credentials(db: sqlite_utils.Database) -> None:
    # [discover] caps: new articles a feed added on its last counted UTC day, and what
    # its last poll left untracked (a cap, or entries past a sitemap's 50,000 URLs)
    # and when, for `status` and the next polls.
    db.execute("ALTER TABLE feeds ADD COLUMN new_day TEXT")
    db.execute("ALTER TABLE feeds ADD COLUMN new_on_day INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE feeds ADD COLUMN held_back INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE feeds ADD COLUMN held_back_at TEXT")
    # Canonical URLs no longer keep "user:password@": take it out of the URLs stored
    # before, which Datasette and `feed list` show. A URL whose clean spelling is
    # already taken (the same feed tracked twice) keeps its row as it is.
    for table, column, unique in _URL_COLUMNS:
        rows = db.execute(
            f"SELECT rowid, {column} FROM {table} WHERE {column} LIKE '%://%@%'"
        ).fetchall()
        for rowid, url in rows:
            clean = without_credentials(url)
            if clean == url or (
                unique
                and db.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (clean,)).fetchone()
            ):
                continue
            db.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (clean, rowid))


#: (table, column, UNIQUE) of every stored URL
_URL_COLUMNS = (
    ("feeds", "url", True),
    ("articles", "url", True),
    ("article_urls", "url", True),
    ("fetches", "url", False),
    ("fetches", "final_url", False),
    ("snapshots", "url", False),
)


def _m11_revert_numbers(db: sqlite_utils.Database) -> None:
    # Revert summaries and evidence named the earlier version by its row id ("reverts to
    # version 11") where the timeline calls it version 1. Rewrite them with the
    # article's own number; revert_of_version_id keeps the row id.
    rows = db.execute(
        "SELECT c.id, c.summary, c.evidence, c.revert_of_version_id, v.version_number "
        "FROM changes c JOIN version_records v ON v.id = c.revert_of_version_id"
    ).fetchall()
    for change_id, summary, evidence, row_id, number in rows:
        summary = (summary or "").replace(
            f"reverts to version {row_id}", f"reverts to version {number}"
        )
        try:
            items = json.loads(evidence or "[]")
        except ValueError:  # hand-edited evidence: leave it as it is
            items = None
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict) and item.get("kind") == "revert":
                    item.update(text=f"same as earlier version {number}", new=str(number))
            evidence = json.dumps(items, ensure_ascii=False)
        db.execute(
            "UPDATE changes SET summary = ?, evidence = ? WHERE id = ?",
            (summary, evidence, change_id),
        )


def _m12_published_times_in_utc(db: sqlite_utils.Database) -> None:
    """Publication and modification times stored before they were normalized (mixed
    "+00:00", "Z", RFC 2822, "4 mars 2024"…) rewritten the way new versions store them:
    UTC ISO 8601 to the minute, a date alone as the date (monitor.extract.normalize's
    canonical_time, which reads people's dates with monitor.extract.dates). A value that
    does not read as a time is kept as it was.

    A version's content hash covers its publication time: where the stored hash is the
    one of its stored fields, it is recomputed, so the next visit of an unchanged page
    matches it (no change for a spelling of the same instant) and reverts are still found.
    """
    from monitor.extract.normalize import canonical_time  # pure; loaded for this upgrade only

    rows = db.execute(
        "SELECT id, title, byline, body, content_hash, published_at, modified_at FROM versions "
        "WHERE published_at IS NOT NULL OR modified_at IS NOT NULL"
    ).fetchall()
    for version_id, title, byline, body, digest, published, modified in rows:
        new_published, new_modified = _utc_time(published, canonical_time), _utc_time(
            modified, canonical_time
        )
        if (new_published, new_modified) == (published, modified):
            continue
        if new_published != published and digest == _version_hash(title, byline, body, published):
            digest = _version_hash(title, byline, body, new_published)
        db.execute(
            "UPDATE version_records SET published_at = ?, modified_at = ?, content_hash = ? "
            "WHERE id = ?",
            (new_published, new_modified, digest, version_id),
        )


def _utc_time(value: str | None, canonical: Callable[[str | None], str | None]) -> str | None:
    if value is None:
        return None
    shown = canonical(value)
    try:
        datetime.fromisoformat((shown or "").replace("Z", "+00:00"))
    except ValueError:
        return value  # not a time once read: keep what the page said
    return shown


def _version_hash(title: str, byline: str, body: str, published: str | None) -> str:
    """monitor.extract.normalize.content_hash of a stored (so already normalized) version."""
    paragraphs = [p for p in (body or "").split("\n\n") if p]
    payload = json.dumps(
        [title, byline, paragraphs, published], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _m14_furniture_learned(db: sqlite_utils.Database) -> None:
    # Learned furniture (monitor.extract.furniture, monitor.store.furniture): per outlet
    # (scope "outlet:<id>", or "host:<host>" for an article of no outlet), the short
    # blocks of its articles' first readings. A block is furniture when seen_count
    # (articles whose first reading had it) reaches [furniture] min_articles, or when
    # source is 'rotation' (a rail exchanged it on an article whose story did not
    # change). The sample is kept from a block's second sighting on: a block of one
    # article only costs its key.
    db.execute(
        """CREATE TABLE furniture (
            scope TEXT NOT NULL,
            outlet_id INTEGER REFERENCES outlets(id),
            block_hash TEXT NOT NULL,
            sample TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT 'repeat',
            seen_count INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            credit_of TEXT,
            PRIMARY KEY (scope, block_hash)
        ) WITHOUT ROWID"""
    )
    # the planner's lookup, per job: the repeated blocks, the rotated ones, the credits
    # (source 'credit': one row per name and lead author, credit_of the name's key)
    db.execute("CREATE INDEX idx_furniture_seen ON furniture(scope, seen_count)")
    db.execute("CREATE INDEX idx_furniture_rotation ON furniture(scope) WHERE source = 'rotation'")
    db.execute(
        "CREATE INDEX idx_furniture_credit ON furniture(scope, credit_of)"
        " WHERE credit_of IS NOT NULL"
    )
def _m15_live_blogs(db: sqlite_utils.Database) -> None:
    # Live blogs (monitor.extract.live) are revisited on their own schedule until they
    # end: kind 'live' while the latest read is a live blog; live_post_at: when a new
    # post was last seen; live_ended_at: the page's coverageEndTime (UTC ISO 8601).
    db.execute("ALTER TABLE articles ADD COLUMN kind TEXT NOT NULL DEFAULT 'article'")
    db.execute("ALTER TABLE articles ADD COLUMN live_post_at TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN live_ended_at TEXT")


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _m1_initial,
    _m2_daemon_hosts,
    _m3_review,
    _m4_fastpath_and_snapshot_deltas,
    _m5_notify,
    m6_passage_store,
    _m7_full_reads_and_rules,
    _m8_view_updates_keep_no_stale_passages,
    _m9_read_fallbacks,
    _m10_discovery_caps_and_no_credentials,
    _m11_revert_numbers,
    _m12_published_times_in_utc,
    m13_outlet_incidents,
    _m14_furniture_learned,
    _m15_live_blogs,
)
