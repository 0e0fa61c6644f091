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

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace

import sqlite_utils

from monitor.compare.classify import classify
from monitor.compare.diff import diff_versions
from monitor.extract import furniture
from monitor.extract.cascade import EXTRACTION_RULES, extract
from monitor.extract.normalize import content_hash, normalize
from monitor.models import Article, Classification, Version
from monitor.net.charset import decode_body
from monitor.store import snapshots, versions


@dataclass(frozen=True)
class StoredPage:
    """The snapshot of the latest version, read by the planner for a worker to re-read."""

    version_id: int
    rules: str | None
    content_hash: str
    html: bytes | None
    encoding: str | None
    url: str | None
    fetch_id: int | None
    snapshot_id: int | None


@dataclass(frozen=True)
class Reread:
    """A stored version's own page read with today's rules, and where that page came from."""

    article: Article
    fetch_id: int | None
    snapshot_id: int
    #: the rules that read it (today's, with the outlet's selectors)
    rules: str = EXTRACTION_RULES


def rules_of(db: sqlite_utils.Database, version_id: int) -> str | None:
    """The extraction rules that read a stored version (None: before rules were recorded)."""
    row = db.execute(
        "SELECT extraction_rules FROM version_records WHERE id = ?", (version_id,)
    ).fetchone()
    return row[0] if row else None


def rules_for(selectors: Mapping[str, str]) -> str:
    """The rules that read an article today: the extraction rules, and the outlet's
    selectors when it has any. Editing an outlet's selectors changes how its pages read
    just as a new rules version does, so its stored versions are re-read the same way."""
    if not selectors:
        return EXTRACTION_RULES
    spelled = json.dumps(sorted(selectors.items()), ensure_ascii=False)
    return f"{EXTRACTION_RULES}+selectors:{hashlib.sha1(spelled.encode()).hexdigest()[:12]}"


def needs_reread(rules: str | None, current: str = EXTRACTION_RULES) -> bool:
    """Whether a version read under ``rules`` must be re-read before it is compared
    with a page read under ``current`` (see :func:`rules_for`)."""
    return rules != current


def stored_page(
    db: sqlite_utils.Database, version_id: int, current: str = EXTRACTION_RULES
) -> StoredPage | None:
    """Plan: what a worker needs to re-read a stored version (its snapshot, rebuilt)."""
    row = db.execute(
        "SELECT extraction_rules, snapshot_id, content_hash, fetch_id FROM version_records"
        " WHERE id = ?",
        (version_id,),
    ).fetchone()
    if row is None:
        return None
    rules, snapshot_id, digest, fetch_id = row
    html = encoding = url = None
    if snapshot_id is not None and needs_reread(rules, current):
        meta = db.execute(
            "SELECT encoding, url FROM snapshots WHERE id = ?", (snapshot_id,)
        ).fetchone()
        html = snapshots.snapshot_html(db, snapshot_id)
        encoding, url = meta if meta else (None, None)
    return StoredPage(version_id, rules, digest, html, encoding, url, fetch_id, snapshot_id)


def read_again(
    page: StoredPage,
    url: str,
    selectors: Mapping[str, str],
    content_type: str | None = None,
    learned: furniture.Learned = furniture.NOTHING,
) -> Reread | None:
    """Gather (pure): the stored version's own page read with today's rules, when that
    reads differently from what was stored under older rules; None when it reads the
    same, the version was read by today's rules, or the answer is unknown (no snapshot
    kept, a snapshot that does not rebuild): then the stored version stands. Raises
    what extraction raises on a page that does not read (the caller counts it).

    The snapshot's bytes are decoded again too, as today's fetch would decode them
    under ``content_type`` (the page's Content-Type now): the charset rules are part
    of the reading (a page once read as cp775 for one stray byte reads as UTF-8 now).
    The outlet's ``learned`` furniture is dropped, as from today's page.
    """
    current = rules_for(selectors)
    if not needs_reread(page.rules, current) or page.html is None or page.snapshot_id is None:
        return None
    decoded = decode_body(page.html, content_type)
    if decoded is None:
        text = page.html.decode(page.encoding or "utf-8", errors="replace")
    else:
        text = decoded[0]
    again = furniture.strip(normalize(extract(text, page.url or url, selectors)), learned)
    if content_hash(again) == page.content_hash:
        return None
    return Reread(again, page.fetch_id, page.snapshot_id, current)


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


def store_reread(
    db: sqlite_utils.Database, article_id: int, latest: Version, again: Reread, now: str
) -> tuple[Version, int]:
    """Commit: store a re-reading as a version with a ``reextracted`` change; returns
    the version and the change id."""
    article = again.article
    fields = version_fields(
        article, content_hash(article), now, again.fetch_id, again.snapshot_id, again.rules
    )
    version = versions.insert_version(db, article_id, fields)
    verdict = as_reextraction(classify(diff_versions(latest, version)))
    change_id = versions.insert_change(
        db,
        article_id,
        from_version_id=latest.id,
        to_version_id=version.id,
        detected_at=now,
        classification=verdict,
        fetch_id=again.fetch_id,
    )
    return version, change_id


def version_fields(
    article: Article,
    digest: str,
    now: str,
    fetch_id: int | None,
    snapshot_id: int | None,
    rules: str = EXTRACTION_RULES,
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
        "extraction_rules": rules,
        "fetch_id": fetch_id,
        "snapshot_id": snapshot_id,
    }
