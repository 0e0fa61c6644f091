"""Learned furniture at commit: counted, compared under, and vouched for.

The writer's part of learned furniture (monitor.extract.furniture): an article's first
reading counts towards its outlet's furniture; a new reading is compared with the latest
version under the same learned furniture (so learning never makes a wave of edits, and
nothing stored is re-read or rewritten), and learns a rail's rotation on the spot; a
fingerprint taken of a page that reads as the latest version vouches for that version.
Everything runs in the commit's transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import sqlite_utils

from monitor.extract import furniture
from monitor.extract.normalize import content_hash
from monitor.models import Article, Fingerprint, Version
from monitor.pipeline.gather import Gathered, Job
from monitor.store import furniture as furniture_store
from monitor.store import versions
from monitor.times import iso


def vouching(db: sqlite_utils.Database, article_id: int, fingerprint: Fingerprint) -> Fingerprint:
    """The fingerprint of a page that reads as the latest version under today's learned
    furniture vouches for that version's hash: the stored version is not rewritten, and
    the fast path's next check compares with it."""
    latest_id = versions.latest_version_id(db, article_id)
    row = db.execute(
        "SELECT content_hash FROM version_records WHERE id = ?", (latest_id,)
    ).fetchone()
    if row is None or row[0] == fingerprint.content_hash:
        return fingerprint
    return replace(fingerprint, content_hash=row[0])


def learn(db: sqlite_utils.Database, gathered: Gathered, now: datetime) -> None:
    """Count an article's first reading towards its outlet's furniture
    (monitor.store.furniture): once per article, so re-reads never inflate a count."""
    job = gathered.job
    if job.furniture_scope is None:
        return
    outlet_id = job.article.outlet_id
    furniture_store.record(db, job.furniture_scope, outlet_id, gathered.blocks, iso(now))
    furniture_store.record_credits(db, job.furniture_scope, outlet_id, gathered.credits, iso(now))


def under_furniture(
    db: sqlite_utils.Database,
    job: Job,
    latest: Version,
    reading: tuple[Article, Article],
    digest: str,
    now: datetime,
) -> tuple[Version, Article, str]:
    """The latest version and the new reading, compared under the same learned furniture.

    A stored version keeps the blocks it was stored with; read under what is learned
    today, a page that did not change reads the same, so learning never makes a wave
    of edits (and nothing stored is re-read or rewritten). When the two still differ
    only by blocks a rail rotated (``furniture.flips``), those are learned now, in this
    transaction, and the check is unchanged. ``reading``: the page as read, and without
    the furniture learned before; the exchange is judged between the page and the
    version as stored (a rail that rotated a learned teaser out and a new one in is an
    exchange, not an addition).
    """
    page, article = reading
    learned = job.furniture
    base = furniture.strip_version(latest, learned)
    if job.furniture_scope is None or digest == base.content_hash:
        return base, article, digest
    rotated = furniture.flips(furniture.as_article(latest), page, learned)
    if not rotated:
        return base, article, digest
    furniture_store.record_rotation(
        db, job.furniture_scope, job.article.outlet_id, rotated, iso(now)
    )
    learned = learned.plus(key for key, _ in rotated)
    article = furniture.strip(article, learned)
    return furniture.strip_version(latest, learned), article, content_hash(article)
