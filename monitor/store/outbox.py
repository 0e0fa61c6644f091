"""The webhook outbox: what each target still has to receive, persisted in SQLite.

Every function here is one short transaction (or a read) on the caller's
connection; no network I/O ever happens while a transaction is open, so the
daemon's writer never waits on a webhook.

Exactly-once bookkeeping: a change is queued for a target at most once
(``UNIQUE(change_id, target)``, and a per-target scan cursor advanced in the
same transaction), and a row is marked ``sent`` right after the receiver's 2xx.
Row statuses: ``pending`` → ``sent`` | ``held`` (over the per-hour cap) →
``digested`` (covered by a digest row) | ``failed`` (gave up after GIVE_UP).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from monitor import store
from monitor.times import iso

#: The per-target rate window.
WINDOW = timedelta(hours=1)
#: A delivery still failing this long after it was queued is given up (status ``failed``).
GIVE_UP = timedelta(hours=24)
#: Changes read per scan; the rest are picked up on the next step.
SCAN_BATCH = 500


@dataclass(frozen=True)
class ChangeInfo:
    """What a target's filter looks at: one row of ``changes`` with its outlet."""

    id: int
    outlet: str | None
    kinds: tuple[str, ...]
    silent: bool


@dataclass(frozen=True)
class OutboxRow:
    id: int
    target: str
    kind: str  # "change" or "digest"
    change_id: int | None
    attempts: int
    created_at: str
    next_attempt_at: str | None
    held_count: int | None
    incident_id: int | None = None


def target_key(url: str) -> str:
    """A stable name for a webhook URL that does not reveal it (URLs often carry a token)."""
    return "t" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def register_target(db: sqlite_utils.Database, key: str, label: str, now: datetime) -> int:
    """Record a target the first time it is seen; returns its starting change id.

    Only changes with a higher id are ever sent to it: configuring a webhook must
    not replay the whole history into a channel.
    """
    with store.transaction(db):
        db.execute(
            """INSERT OR IGNORE INTO notify_targets
               (target, label, added_at, start_change_id, scanned_change_id, scanned_incident_id)
               SELECT ?, ?, ?, COALESCE(MAX(id), 0), COALESCE(MAX(id), 0),
                      (SELECT COALESCE(MAX(id), 0) FROM incidents) FROM changes""",
            (key, label, iso(now)),
        )
        db.execute("UPDATE notify_targets SET label = ? WHERE target = ?", (label, key))
        row = db.execute(
            "SELECT start_change_id FROM notify_targets WHERE target = ?", (key,)
        ).fetchone()
    return int(row[0])


def enqueue(
    db: sqlite_utils.Database, key: str, matches: Callable[[ChangeInfo], bool], now: datetime
) -> int:
    """Queue the changes detected since the last scan that pass the filter; returns how many."""
    (scanned,) = db.execute(
        "SELECT scanned_change_id FROM notify_targets WHERE target = ?", (key,)
    ).fetchone()
    rows = db.execute(
        """SELECT changes.id, outlets.name, changes.kinds, changes.silent FROM changes
           JOIN articles ON articles.id = changes.article_id
           LEFT JOIN outlets ON outlets.id = articles.outlet_id
           WHERE changes.id > ? ORDER BY changes.id LIMIT ?""",
        (scanned, SCAN_BATCH),
    ).fetchall()
    if not rows:
        return 0
    infos = [ChangeInfo(r[0], r[1], tuple(json.loads(r[2])), bool(r[3])) for r in rows]
    chosen = [info.id for info in infos if matches(info)]
    with store.transaction(db):
        # The cursor moves in the same transaction as the queueing, and only forward:
        # a crash here leaves both undone, and a racing scan cannot queue twice.
        cursor = db.execute(
            """UPDATE notify_targets SET scanned_change_id = ?
               WHERE target = ? AND scanned_change_id = ?""",
            (infos[-1].id, key, scanned),
        )
        if cursor.rowcount != 1:
            return 0
        for change_id in chosen:
            db.execute(
                """INSERT OR IGNORE INTO notify_outbox
                   (target, kind, change_id, created_at, next_attempt_at)
                   VALUES (?, 'change', ?, ?, ?)""",
                (key, change_id, iso(now), iso(now)),
            )
    return len(chosen)


def enqueue_incidents(
    db: sqlite_utils.Database, key: str, matches: Callable[[str | None], bool], now: datetime
) -> int:
    """Queue one row per outlet incident opened since the last scan whose outlet passes
    the target's filter (one payload for the whole outlet, never one per article)."""
    (scanned,) = db.execute(
        "SELECT scanned_incident_id FROM notify_targets WHERE target = ?", (key,)
    ).fetchone()
    rows = db.execute(
        """SELECT incidents.id, outlets.name FROM incidents
           LEFT JOIN outlets ON outlets.id = incidents.outlet_id
           WHERE incidents.id > ? ORDER BY incidents.id LIMIT ?""",
        (scanned, SCAN_BATCH),
    ).fetchall()
    if not rows:
        return 0
    chosen = [incident_id for incident_id, outlet in rows if matches(outlet)]
    with store.transaction(db):
        cursor = db.execute(
            """UPDATE notify_targets SET scanned_incident_id = ?
               WHERE target = ? AND scanned_incident_id = ?""",
            (rows[-1][0], key, scanned),
        )
        if cursor.rowcount != 1:
            return 0
        for incident_id in chosen:
            db.execute(
                """INSERT OR IGNORE INTO notify_outbox
                   (target, kind, incident_id, created_at, next_attempt_at)
                   VALUES (?, 'incident', ?, ?, ?)""",
                (key, incident_id, iso(now), iso(now)),
            )
    return len(chosen)


def incident_payload_row(db: sqlite_utils.Database, incident_id: int) -> dict | None:
    cursor = db.execute(
        """SELECT incidents.id AS incident_id, incidents.outlet_id, outlets.name AS outlet,
                  incidents.kind,
                  incidents.started_at, incidents.ended_at, incidents.articles, incidents.summary
           FROM incidents LEFT JOIN outlets ON outlets.id = incidents.outlet_id
           WHERE incidents.id = ?""",
        (incident_id,),
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cursor.description], row, strict=True))


def sent_in_window(db: sqlite_utils.Database, key: str, now: datetime) -> int:
    """Deliveries (changes and digests) this target received in the last hour."""
    return int(
        db.execute(
            "SELECT COUNT(*) FROM notify_outbox WHERE target = ? AND status = 'sent' "
            "AND sent_at > ?",
            (key, iso(now - WINDOW)),
        ).fetchone()[0]
    )


def held_count(db: sqlite_utils.Database, key: str) -> int:
    return int(
        db.execute(
            "SELECT COUNT(*) FROM notify_outbox WHERE target = ? AND status = 'held'", (key,)
        ).fetchone()[0]
    )


def make_digest(db: sqlite_utils.Database, key: str, now: datetime) -> int | None:
    """Fold every held change into one pending digest row; returns its id (None: nothing held)."""
    with store.transaction(db):
        count = held_count(db, key)
        if not count:
            return None
        digest_id = int(
            db.execute(
                """INSERT INTO notify_outbox
                   (target, kind, change_id, created_at, next_attempt_at, held_count)
                   VALUES (?, 'digest', NULL, ?, ?, ?)""",
                (key, iso(now), iso(now), count),
            ).lastrowid
        )
        db.execute(
            "UPDATE notify_outbox SET status = 'digested', digest_id = ? "
            "WHERE target = ? AND status = 'held'",
            (digest_id, key),
        )
    return digest_id


def next_pending(db: sqlite_utils.Database, key: str) -> OutboxRow | None:
    """The row this target must deliver next: digests first, then changes oldest first.

    Strict order per target: a failing head row makes the rest wait (the receiver
    is down for all of them anyway, and reviewers read the channel in order).
    """
    row = db.execute(
        """SELECT id, target, kind, change_id, attempts, created_at, next_attempt_at, held_count,
                  incident_id FROM notify_outbox WHERE target = ? AND status = 'pending'
           ORDER BY kind = 'change', id LIMIT 1""",
        (key,),
    ).fetchone()
    return OutboxRow(*row) if row else None


def hold(db: sqlite_utils.Database, row_id: int) -> None:
    with store.transaction(db):
        db.execute("UPDATE notify_outbox SET status = 'held' WHERE id = ?", (row_id,))


def mark_sent(db: sqlite_utils.Database, row_id: int, now: datetime) -> None:
    with store.transaction(db):
        db.execute(
            """UPDATE notify_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,
               last_error = NULL, next_attempt_at = NULL WHERE id = ?""",
            (iso(now), row_id),
        )


def mark_failed(
    db: sqlite_utils.Database, row: OutboxRow, error: str, now: datetime, retry_in: float
) -> str:
    """Record a failed attempt; schedules a retry, or gives up. Returns the new status."""
    created = datetime.fromisoformat(row.created_at.replace("Z", "+00:00"))
    status = "failed" if now - created >= GIVE_UP else "pending"
    with store.transaction(db):
        db.execute(
            """UPDATE notify_outbox SET status = ?, attempts = attempts + 1, last_error = ?,
               next_attempt_at = ? WHERE id = ?""",
            (status, error, iso(now + timedelta(seconds=retry_in)), row.id),
        )
    return status


def change_payload_row(db: sqlite_utils.Database, change_id: int) -> dict | None:
    """The change with what a payload shows: article, outlet, headlines before and after."""
    cursor = db.execute(
        """SELECT changes.id AS change_id, changes.article_id, articles.url, outlets.name AS outlet,
                  changes.kinds, changes.silent, changes.summary, changes.evidence,
                  changes.detected_at, old_v.title AS headline_before,
                  new_v.title AS headline_after
           FROM changes JOIN articles ON articles.id = changes.article_id
           LEFT JOIN outlets ON outlets.id = articles.outlet_id
           LEFT JOIN versions AS old_v ON old_v.id = changes.from_version_id
           LEFT JOIN versions AS new_v ON new_v.id = changes.to_version_id
           WHERE changes.id = ?""",
        (change_id,),
    )
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cursor.description], row, strict=True))


def digested_change_ids(db: sqlite_utils.Database, digest_id: int) -> list[int]:
    return [
        r[0]
        for r in db.execute(
            "SELECT change_id FROM notify_outbox WHERE digest_id = ? ORDER BY change_id",
            (digest_id,),
        ).fetchall()
    ]
