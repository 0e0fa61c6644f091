"""Migration: outlet health and the ``incidents`` table (issue 10, item 1)."""

from __future__ import annotations

import sqlite_utils


def m13_outlet_incidents(db: sqlite_utils.Database) -> None:
    """Outlet health and incidents (monitor.policy.health, monitor.store.incidents).

    ``articles.read_health``: why the article's latest read looked broken (a health
    kind: consent_or_paywall, empty_body, shrunk, limits, selectors, alike), NULL when
    it read well; ``articles.read_sig``: the body hash of that read when it differed
    from the stored version (many articles reading the same text is an incident too).
    ``incidents.healthy_reads`` counts good reads of the outlet since the last read
    that looked like the incident (it closes at [schedule] incident_recovery_reads).
    Webhook targets scan ``incidents`` past their own cursor, like ``changes``.
    """
    db.execute("ALTER TABLE articles ADD COLUMN read_health TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN read_sig TEXT")
    # "did another article move to this same text?" is asked on every changed read
    db.execute(
        "CREATE INDEX idx_articles_read_sig ON articles(read_sig) WHERE read_sig IS NOT NULL"
    )
    db.execute(
        """CREATE TABLE incidents (
            id INTEGER PRIMARY KEY,
            outlet_id INTEGER NOT NULL REFERENCES outlets(id),
            kind TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            articles INTEGER NOT NULL DEFAULT 0,
            summary TEXT NOT NULL,
            signature TEXT,
            reads INTEGER NOT NULL DEFAULT 0,
            healthy_reads INTEGER NOT NULL DEFAULT 0,
            last_read_at TEXT)"""
    )
    db.execute(
        "CREATE UNIQUE INDEX idx_incidents_open ON incidents(outlet_id) WHERE ended_at IS NULL"
    )
    db.execute(
        """CREATE TABLE incident_articles (
            incident_id INTEGER NOT NULL REFERENCES incidents(id),
            article_id INTEGER NOT NULL REFERENCES articles(id),
            PRIMARY KEY (incident_id, article_id))"""
    )
    db.execute("ALTER TABLE fetches ADD COLUMN incident_id INTEGER REFERENCES incidents(id)")
    db.execute(
        "ALTER TABLE notify_targets ADD COLUMN scanned_incident_id INTEGER NOT NULL DEFAULT 0"
    )
    db.execute("ALTER TABLE notify_outbox ADD COLUMN incident_id INTEGER REFERENCES incidents(id)")
    db.execute(
        "CREATE UNIQUE INDEX idx_notify_outbox_incident ON notify_outbox(incident_id, target)"
        " WHERE incident_id IS NOT NULL"
    )
