"""The commit's side of outlet health: judge one read against its outlet, write the verdict.

Runs on the writer, inside the check's transaction. The common case costs one
indexed lookup (is an incident open for the outlet?); the outlet's other reads are
read only when this one looks broken, or differs from its stored version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import sqlite_utils

from monitor import store
from monitor.config import ScheduleSettings
from monitor.extract.normalize import suspect_reason
from monitor.models import Article, FetchResult, Version
from monitor.policy.health import (
    KIND_WORDS,
    Decision,
    HealthPolicy,
    OpenIncident,
    Read,
    decide,
    health_kind,
    selector_miss,
)
from monitor.store import incidents
from monitor.times import iso

#: Seconds before an article held by an incident is read again.
RECHECK = 300.0


@dataclass(frozen=True)
class IncidentNote:
    """An incident opened or closed by a check (the daemon logs it, ``check`` prints it)."""

    event: Literal["open", "close"]
    incident_id: int
    outlet: str
    kind: str
    articles: int
    summary: str


@dataclass(frozen=True)
class Verdict:
    """How the commit goes on: ``quarantine`` the read (``incident_id``), or hold it as
    suspect for ``suspect`` (None: the read is fine); ``note``: an incident opened."""

    health: str | None
    signature: str | None
    suspect: str | None = None
    quarantine: bool = False
    incident_id: int | None = None
    note: IncidentNote | None = None
    #: a good read during an incident: the commit calls :func:`good_read` once written
    healthy_during: int | None = None


def policy_of(schedule: ScheduleSettings) -> HealthPolicy:
    return HealthPolicy(
        articles=schedule.incident_articles,
        share=schedule.incident_share,
        window=schedule.incident_window,
        recovery_reads=schedule.incident_recovery_reads,
    )


def body_signature(article: Article) -> str:
    return hashlib.sha1(article.body_text.encode("utf-8")).hexdigest()[:20]


def judge(
    db: sqlite_utils.Database,
    row: store.ArticleRow,
    article: Article,
    latest: Version | None,
    digest: str,
    selectors: dict[str, str],
    schedule: ScheduleSettings,
    now: datetime,
) -> Verdict:
    """The verdict on one full read of ``row``'s page: the suspect guard's own reason
    (monitor.extract.normalize.suspect_reason), then the outlet's."""
    article_id, outlet_id = row.id, row.outlet_id
    suspect = suspect_reason(article, latest.body if latest else None)
    if (
        suspect is None
        and latest is not None
        and "body" in selectors
        and article.extractor != "outlet"  # only then is the stored version's reader asked
        and selector_miss(True, _extractor_of(db, latest.id), article.extractor)
    ):
        suspect = "outlet selectors match nothing: the body was read without them"
    kind = health_kind(suspect)
    # Only a read that moved away from its stored version can be "alike": a first read
    # is nobody's change, and one outlet may carry the same wire copy at two addresses.
    differs = latest is not None and digest != latest.content_hash
    signature = body_signature(article) if differs and article.body_text else None
    if outlet_id is None:
        return Verdict(kind, signature, suspect)
    policy = policy_of(schedule)
    open_now = incidents.open_incident(db, outlet_id)
    since = iso(now - timedelta(seconds=policy.window))
    if (
        open_now is None
        and kind is None
        and not (signature and incidents.any_alike(db, outlet_id, article_id, signature, since))
    ):
        return Verdict(None, signature)  # the common case: one indexed lookup or two
    peers = incidents.peers(db, outlet_id, since) if open_now is None else ()
    decision = decide(Read(article_id, kind, signature), peers, open_now, policy)
    return _apply(db, decision, article_id, outlet_id, kind, signature, suspect, open_now, now)


def _apply(
    db: sqlite_utils.Database,
    decision: Decision,
    article_id: int,
    outlet_id: int,
    kind: str | None,
    signature: str | None,
    suspect: str | None,
    open_now: OpenIncident | None,
    now: datetime,
) -> Verdict:
    if decision.action == "pass":
        if decision.alike and suspect is None:
            suspect = "reads the same as other articles of the outlet"
            kind = "alike"
        return Verdict(kind, signature, suspect)
    if decision.action == "healthy":
        assert open_now is not None
        return Verdict(kind, signature, suspect, healthy_during=open_now.id)
    if decision.action == "quarantine":
        assert open_now is not None
        incidents.add_read(db, open_now.id, article_id, iso(now))
        return Verdict(kind or decision.kind, signature, suspect, True, open_now.id)
    assert decision.kind is not None
    outlet = _outlet_name(db, outlet_id)
    summary = open_summary(outlet, decision.kind, len(decision.members))
    incident_id = incidents.start(
        db, outlet_id, decision.kind, decision.signature, decision.members, iso(now), summary
    )
    incidents.add_read(db, incident_id, article_id, iso(now))
    note = IncidentNote("open", incident_id, outlet, decision.kind, len(decision.members), summary)
    return Verdict(kind or decision.kind, signature, suspect, True, incident_id, note)


def quarantine(
    db: sqlite_utils.Database,
    article_id: int,
    fetch: FetchResult,
    now: datetime,
    verdict: Verdict,
    due: str | None,
) -> str:
    """Write a read that looks like its outlet's open incident: kept as a fetch, never
    a version or a change, and it does not count toward the suspect guard (its next
    read starts the guard afresh). ``due``: its next check on the usual schedule.
    Returns why it was held."""
    reason = verdict.suspect or verdict.health or "reads like the incident"
    fetch_id = store.record_fetch(
        db, fetch, article_id=article_id, outcome="incident", suspect_reason=reason
    )
    db.execute("UPDATE fetches SET incident_id = ? WHERE id = ?", (verdict.incident_id, fetch_id))
    store.update_article(
        db,
        article_id,
        last_checked_at=iso(now),
        suspect_count=0,
        last_error=f"outlet incident #{verdict.incident_id}: {reason}",
        # on its usual schedule, but soon: an outage is often short
        next_check_at=min(filter(None, (due, iso(now + timedelta(seconds=RECHECK))))),
        read_health=verdict.health,
        read_sig=verdict.signature,
    )
    return reason


def good_read(
    db: sqlite_utils.Database, incident_id: int, schedule: ScheduleSettings, now: datetime
) -> IncidentNote | None:
    """Count a good read of the outlet during an incident; close it on the last one needed."""
    incidents.good_read(db, incident_id, iso(now))
    row = db.execute("SELECT healthy_reads FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    if row is None or row[0] < schedule.incident_recovery_reads:
        return None
    found = incidents.incident(db, incident_id)
    assert found is not None
    summary = close_summary(found)
    incidents.close(db, incident_id, iso(now), summary)
    return IncidentNote("close", incident_id, found.outlet, found.kind, found.articles, summary)


def note_fast_read(
    db: sqlite_utils.Database, outlet_id: int | None, schedule: ScheduleSettings, now: datetime
) -> IncidentNote | None:
    """A read that showed the stored version (a 304, the fast path) is a good read of its
    outlet: a server that answers 304 to the article's own validators is serving the
    article, not a wall in front of it."""
    if outlet_id is None:
        return None
    open_now = incidents.open_incident(db, outlet_id)
    return good_read(db, open_now.id, schedule, now) if open_now else None


def open_summary(outlet: str, kind: str, articles: int) -> str:
    noun = "article" if articles == 1 else "articles"
    return f"incident at {outlet}: {KIND_WORDS.get(kind, kind)}; {articles} {noun} so far"


def close_summary(row: incidents.IncidentRow) -> str:
    noun = "article" if row.articles == 1 else "articles"
    return (
        f"incident at {row.outlet}: {KIND_WORDS.get(row.kind, row.kind)}; {row.articles} {noun},"
        f" {row.reads} reads quarantined (never stored); the outlet reads well again"
    )


def _extractor_of(db: sqlite_utils.Database, version_id: int) -> str | None:
    row = db.execute("SELECT extractor FROM version_records WHERE id = ?", (version_id,)).fetchone()
    return row[0] if row else None


def _outlet_name(db: sqlite_utils.Database, outlet_id: int) -> str:
    row = db.execute("SELECT name FROM outlets WHERE id = ?", (outlet_id,)).fetchone()
    return row[0] if row else f"#{outlet_id}"
