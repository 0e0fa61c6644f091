"""Tell an edit from a change of our own extraction rules.

When the rules that read a page change (a better title choice, a new furniture
pattern), a page that did not change can come out differently from the version
stored under the old rules. Recorded as an edit, that would be a false, probably
silent, change. So before a difference against a version read under other rules
is recorded, that version's own snapshot is read again with the current rules:
if it reads the same as the page now, the page did not change and the change is
recorded as ``reextracted`` (never silent), its evidence saying what reads
differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import sqlite_utils

from monitor.compare.classify import classify
from monitor.compare.diff import diff_versions
from monitor.extract.cascade import EXTRACTION_RULES, extract
from monitor.extract.normalize import content_hash, normalize
from monitor.models import Article, Classification, Version
from monitor.pipeline.gather import Job
from monitor.store import snapshots, versions


@dataclass(frozen=True)
class Reread:
    """A stored version's own page read with today's rules, and where that page came from."""

    article: Article
    fetch_id: int | None
    snapshot_id: int


def read_again(
    db: sqlite_utils.Database, version_id: int, url: str, selectors: Mapping[str, str]
) -> Reread | None:
    """The stored version's own page read with today's rules, when that reads differently
    from what was stored under older rules; None when it reads the same, the version was
    read by today's rules, or the answer is unknown (no snapshot kept, a snapshot that
    does not rebuild or read): then the stored version stands, as before.
    """
    row = db.execute(
        "SELECT extraction_rules, snapshot_id, content_hash, fetch_id FROM version_records"
        " WHERE id = ?",
        (version_id,),
    ).fetchone()
    if row is None or row[0] == EXTRACTION_RULES or row[1] is None:
        return None
    meta = db.execute("SELECT encoding, url FROM snapshots WHERE id = ?", (row[1],)).fetchone()
    page = snapshots.snapshot_html(db, row[1])
    if page is None or meta is None:
        return None
    try:
        text = page.decode(meta[0] or "utf-8", errors="replace")
        again = normalize(extract(text, meta[1] or url, selectors))
    except Exception:  # an unreadable old page proves nothing either way
        return None
    return None if content_hash(again) == row[2] else Reread(again, row[3], row[1])


def as_reextraction(verdict: Classification) -> Classification:
    """The classification of a difference that only the extraction rules made."""
    evidence = tuple(replace(e, kind="reextracted") for e in verdict.evidence)
    return Classification(
        kinds=("reextracted",),
        evidence=evidence,
        silent=False,
        summary=f"Read again with updated extraction rules (the page did not change): "
        f"{verdict.summary}",
    )


def rebase(db: sqlite_utils.Database, job: Job, now: str) -> tuple[Version, int] | None:
    """When the latest version was read under older rules and its own page reads
    differently today, store that re-reading as a version with a ``reextracted``
    change; returns it and the change id."""
    latest = job.latest
    assert latest is not None
    again = read_again(db, latest.id, job.article.url, job.selectors)
    if again is None:
        return None
    article = again.article
    fields = version_fields(article, content_hash(article), now, again.fetch_id, again.snapshot_id)
    version = versions.insert_version(db, job.article.id, fields)
    verdict = as_reextraction(classify(diff_versions(latest, version)))
    change_id = versions.insert_change(
        db,
        job.article.id,
        from_version_id=latest.id,
        to_version_id=version.id,
        detected_at=now,
        classification=verdict,
        fetch_id=again.fetch_id,
    )
    return version, change_id


def version_fields(
    article: Article, digest: str, now: str, fetch_id: int | None, snapshot_id: int | None
) -> dict[str, object]:
    """The ``versions`` fields of an article read now by today's rules."""
    return {
        "captured_at": now,
        "title": article.title,
        "byline": article.byline,
        "body": article.body_text,
        "content_hash": digest,
        "published_at": article.published_at,
        "modified_at": article.modified_at,
        "canonical_url": article.canonical_url,
        "extractor": article.extractor,
        "extraction_rules": EXTRACTION_RULES,
        "fetch_id": fetch_id,
        "snapshot_id": snapshot_id,
    }
