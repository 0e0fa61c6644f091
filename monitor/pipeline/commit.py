"""One article end to end: fetch → extract → normalize → store version → diff → classify → store change.

The work is cut in two so network waits can overlap: :func:`gather` (fetch and
the pure stages, safe to run in worker threads) and :func:`commit` (every
database write for that check, in one transaction, on the writer's thread).
Failures are data on the result, never exceptions across the pipeline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

import sqlite_utils

from monitor import store
from monitor.compare.classify import classify, classify_dates, classify_status
from monitor.compare.diff import diff_versions
from monitor.config import Settings
from monitor.extract.normalize import content_hash
from monitor.models import Article, Classification, FetchResult, Version
from monitor.pipeline import learned, liveblogs, outlet_health, reread
from monitor.pipeline.gather import Gathered, Job
from monitor.pipeline.outlet_health import IncidentNote, Verdict
from monitor.pipeline.reread import needs_reread, rules_for, rules_of, store_reread
from monitor.policy.schedule import error_backoff, next_check
from monitor.store import snapshots, versions
from monitor.times import iso, parse_iso

#: Base delay for per-article error backoff.
ERROR_BASE_DELAY = 300.0


#: What a check can come to.
CheckOutcome = Literal[
    "new", "changed", "unchanged", "not_modified", "suspect", "incident", "removed",
    "restored", "gone", "error",
]  # fmt: skip


@dataclass(frozen=True)
class CheckResult:
    """What one check did, for progress output, summaries and the daemon's log."""

    article_id: int
    url: str
    outcome: CheckOutcome
    version_id: int | None = None
    change_id: int | None = None
    kinds: tuple[str, ...] = ()
    silent: bool = False
    error: str | None = None
    #: the fetch behind it (filled in by the engine)
    status_code: int | None = None
    fetch_outcome: str | None = None
    fetch_ms: int | None = None
    #: an outlet incident this check opened or closed
    incident: IncidentNote | None = None


@dataclass(frozen=True)
class Replan:
    """Commit could not write this check as gathered: plan the job again (on the
    writer) and read the same fetch again in a worker, never under the write lock.

    ``stale``: the article moved on while the job was in a worker and the reading
    depended on it; ``reread``: the latest version was read under older extraction
    rules and its own page must be read again first (``with_stored``).
    """

    gathered: Gathered
    reason: Literal["stale", "reread"]
    with_stored: bool = False


def commit(
    db: sqlite_utils.Database,
    gathered: Gathered,
    settings: Settings,
    now: datetime,
    rng: random.Random,
) -> CheckResult | Replan:
    """Write everything one check learned, atomically, and schedule the next visit."""
    with store.transaction(db):
        current = _against_current(db, gathered)
        if current is None:
            return Replan(gathered, "stale", with_stored=gathered.job.stored is not None)
        gathered = current
        if gathered.fallbacks:  # kept with the fetch row, for status
            gathered = replace(gathered, fetch=replace(gathered.fetch, fallbacks=gathered.fallbacks))
        fetch = gathered.fetch
        if gathered.extract_error:
            fetch = replace(fetch, outcome="decode_error", error=gathered.extract_error)
            return _failed(db, gathered.job, fetch, now)
        if fetch.outcome == "gone":
            return _gone(db, gathered.job, fetch, now, settings, rng)
        if fetch.outcome == "not_modified" or gathered.fast_unchanged:
            # the server (304) or the fast path says the page shows the stored version:
            # a good read of its outlet
            outcome = "not_modified" if fetch.outcome == "not_modified" else "unchanged"
            result = _unchanged(db, gathered.job, fetch, now, settings, rng, outcome)
            note = outlet_health.note_fast_read(
                db, gathered.job.article.outlet_id, settings.schedule, now
            )
            return replace(result, incident=note) if note else result
        if gathered.article is None:
            return _failed(db, gathered.job, fetch, now)
        result = _fetched(db, gathered, settings, now, rng)
        if isinstance(result, Replan):
            return result
        if result.outcome in ("new", "changed", "unchanged", "restored"):
            fingerprint = gathered.fingerprint
            if result.outcome == "unchanged" and fingerprint is not None:
                fingerprint = learned.vouching(db, result.article_id, fingerprint)
            store.set_fingerprint(db, result.article_id, fingerprint)
            if gathered.full_read:
                store.update_article(db, result.article_id, full_read_at=fetch.fetched_at)
            if result.outcome == "new":
                learned.learn(db, gathered, now)
        return result


def _against_current(db: sqlite_utils.Database, gathered: Gathered) -> Gathered | None:
    """The check re-based on the database as it is now, inside the writing transaction;
    None when the reading itself was made against a state that is gone (re-plan it).

    Between planning the job and committing, another check may have stored a
    version of the same article, or merged it into the article its page names as
    canonical; comparing against the stale latest version would store a duplicate.
    """
    job = gathered.job
    # On PostgreSQL another process may commit the same article: its row lock makes
    # the second writer wait, then read (below) what the first stored.
    store.lock_article(db, job.article.id)
    row = store.find_article(db, job.article.id) or store.find_article(db, job.article.url)
    if row is None:
        return gathered
    if int(row["id"]) != job.article.id:
        store.lock_article(db, int(row["id"]))
    article = store.article_row(db, int(row["id"]))
    # versions are never rewritten, so the latest one's id says whether it moved on
    # (and spares rebuilding its body on every check)
    known_id = job.latest.id if job.latest is not None else None
    if article == job.article and versions.latest_version_id(db, article.id) == known_id:
        return gathered
    if gathered.fast_unchanged or gathered.job.stored is not None:
        return None  # "unchanged", or the re-read, was judged against an older latest
    latest = versions.latest_version(db, article.id)
    fresh = replace(
        job,
        article=article,
        latest=latest,
        latest_rules=rules_of(db, latest.id) if latest is not None else None,
        stored=None,
    )
    return replace(gathered, job=fresh, reread=None)


def _schedule_healthy(
    job: Job,
    now: datetime,
    settings: Settings,
    rng: random.Random,
    *,
    changed: bool,
    live: dict[str, object] | None = None,
) -> dict[str, object]:
    """The next visit of an article read fine; ``live``: the live-blog fields just read
    (None: as stored), since a live blog runs on its own schedule until it ends."""
    row = job.article
    live = live if live is not None else liveblogs.stored(row)
    if live["kind"] == "live":
        due = liveblogs.next_visit(live, now, settings.schedule, rng)
    else:
        last_changed = now if changed else parse_iso(row.last_changed_at or row.first_seen_at)
        due = next_check(now, last_changed, settings.schedule, rng)
    return {
        "last_checked_at": iso(now),
        "next_check_at": iso(due) if due else None,
        "status": "active" if due else "stopped",
        "consecutive_errors": 0,
        "last_error": None,
        "read_health": None,
        "read_sig": None,
    }


def _unchanged(
    db: sqlite_utils.Database,
    job: Job,
    fetch: FetchResult,
    now: datetime,
    settings: Settings,
    rng: random.Random,
    outcome: str,
    *,
    live: dict[str, object] | None = None,
) -> CheckResult:
    store.record_fetch(db, fetch, article_id=job.article.id)
    fields = _schedule_healthy(job, now, settings, rng, changed=False, live=live)
    fields.update(live or {}, suspect_count=0)
    if fetch.etag or fetch.last_modified:
        fields.update(etag=fetch.etag, last_modified=fetch.last_modified)
    store.update_article(db, job.article.id, **fields)
    return CheckResult(job.article.id, job.article.url, outcome)


def _failed(db: sqlite_utils.Database, job: Job, fetch: FetchResult, now: datetime) -> CheckResult:
    store.record_fetch(db, fetch, article_id=job.article.id)
    errors = job.article.consecutive_errors + 1
    delay = error_backoff(errors, ERROR_BASE_DELAY, fetch.retry_after)
    store.update_article(
        db,
        job.article.id,
        last_checked_at=iso(now),
        consecutive_errors=errors,
        last_error=f"{fetch.outcome}: {fetch.error or fetch.status_code}",
        next_check_at=iso(now + timedelta(seconds=delay)),
    )
    return CheckResult(job.article.id, job.article.url, "error", error=fetch.error or fetch.outcome)


def _gone(
    db: sqlite_utils.Database,
    job: Job,
    fetch: FetchResult,
    now: datetime,
    settings: Settings,
    rng: random.Random,
) -> CheckResult:
    fetch_id = store.record_fetch(db, fetch, article_id=job.article.id)
    newly_removed = job.article.status != "removed" and job.latest is not None
    # A takedown is a change: look again on the young-article schedule, since pulled
    # stories often come back within hours (legal review, embargo slips).
    since = (
        now
        if newly_removed
        else parse_iso(job.article.last_changed_at or job.article.first_seen_at)
    )
    due = next_check(now, since, settings.schedule, rng)
    fields: dict[str, object] = {
        "last_checked_at": iso(now),
        "consecutive_errors": 0,
        "last_error": None,
        "next_check_at": iso(due) if due else None,
    }
    if due is None and job.latest is None:
        fields["status"] = "stopped"
    if not newly_removed:
        # Never seen alive, or already recorded as removed: nothing new to report.
        if job.latest is None:
            fields["last_error"] = f"gone: HTTP {fetch.status_code}"
        store.update_article(db, job.article.id, **fields)
        return CheckResult(job.article.id, job.article.url, "gone")
    result = _status_change(db, job, "removed", fetch, fetch_id, now, to_version_id=None)
    store.update_article(db, job.article.id, status="removed", last_changed_at=iso(now), **fields)
    return result


def _status_change(
    db: sqlite_utils.Database,
    job: Job,
    event: Literal["removed", "restored"],
    fetch: FetchResult,
    fetch_id: int,
    now: datetime,
    *,
    to_version_id: int | None,
) -> CheckResult:
    """A takedown or a return, as a change from the latest version."""
    assert job.latest is not None
    verdict = classify_status(event, status_code=fetch.status_code)
    change_id = versions.insert_change(
        db,
        job.article.id,
        from_version_id=job.latest.id,
        to_version_id=to_version_id,
        detected_at=iso(now),
        classification=verdict,
        fetch_id=fetch_id,
    )
    return CheckResult(
        job.article.id,
        job.article.url,
        event,
        change_id=change_id,
        kinds=verdict.kinds,
        silent=verdict.silent,
    )


def _fetched(
    db: sqlite_utils.Database,
    gathered: Gathered,
    settings: Settings,
    now: datetime,
    rng: random.Random,
) -> CheckResult | Replan:
    job, fetch, article = gathered.job, gathered.fetch, gathered.article
    assert article is not None and gathered.content_hash is not None
    article_id = job.article.id
    if job.latest is None:
        # only a canonical page checked to serve this article (monitor.pipeline.variants)
        canonical = gathered.canonical or job.article.url
        if canonical != job.article.url:
            article_id = store.rekey_article(db, article_id, canonical)
            # A merge may land on an article that already has versions.
            survivor = versions.latest_version(db, article_id)
            job = replace(
                job,
                article=store.article_row(db, article_id),
                latest=survivor,
                # the rules that read the survivor's latest version, not the job's (None:
                # "read before rules were named", which would ask for a re-read)
                latest_rules=rules_of(db, survivor.id) if survivor is not None else None,
            )
    latest = job.latest
    if latest is not None and gathered.content_hash != latest.content_hash:
        # Read under other rules (an update, an edit of the outlet's selectors): its own
        # page is read again first; when that reads as the page does now, nothing
        # changed and there is nothing to judge.
        if needs_reread(job.latest_rules, rules_for(job.selectors)) and job.stored is None:
            return Replan(gathered, "reread", with_stored=True)
        if gathered.reread is not None and _same_page(gathered):
            return _compare(db, replace(gathered, job=job), settings, now, rng)
    verdict = outlet_health.judge(
        db, job.article, article, latest, gathered.content_hash, job.selectors,
        settings.schedule, now,
    )  # fmt: skip
    if verdict.quarantine:
        due = _schedule_healthy(job, now, settings, rng, changed=False)["next_check_at"]
        reason = outlet_health.quarantine(db, job.article.id, fetch, now, verdict, str(due or ""))
        return CheckResult(job.article.id, job.article.url, "incident", error=reason,
                           incident=verdict.note)  # fmt: skip
    reason = verdict.suspect
    if reason and job.article.suspect_count + 1 < settings.schedule.suspect_confirmations:
        return _suspect(db, job, fetch, now, reason, verdict)
    result = _compare(db, replace(gathered, job=job), settings, now, rng)
    if isinstance(result, Replan):
        return result
    if verdict.health or verdict.signature:
        store.update_article(
            db, result.article_id, read_health=verdict.health, read_sig=verdict.signature
        )
    if verdict.healthy_during is not None:
        note = outlet_health.good_read(db, verdict.healthy_during, settings.schedule, now)
        return replace(result, incident=note) if note else result
    return result


def _same_page(gathered: Gathered) -> bool:
    """The stored version's page, re-read with today's rules, reads as this page does."""
    assert gathered.reread is not None
    return content_hash(gathered.reread.article) == gathered.content_hash


def _compare(
    db: sqlite_utils.Database,
    gathered: Gathered,
    settings: Settings,
    now: datetime,
    rng: random.Random,
) -> CheckResult | Replan:
    """The read is trusted: compare it with the latest version (re-reading that one
    first when newer rules read it), store a version and a change when it differs."""
    job, fetch, article = gathered.job, gathered.fetch, gathered.article
    assert article is not None and gathered.content_hash is not None
    latest = job.latest
    rebased = None
    if latest is not None and gathered.content_hash != latest.content_hash and gathered.reread:
        rebased = store_reread(db, job.article.id, latest, gathered.reread, iso(now))
        job, latest = replace(job, latest=rebased[0]), rebased[0]
    digest, base = gathered.content_hash, latest
    if latest is not None and digest != latest.content_hash:
        page = gathered.page or article
        base, article, digest = learned.under_furniture(
            db, job, latest, (page, article), digest, now
        )
    if base is not None and digest == base.content_hash:
        if job.article.status == "removed":
            return _restored_unchanged(db, job, fetch, now, settings, rng)
        live = liveblogs.fields(job.article, article, now, posted=False)
        result = _unchanged(db, job, fetch, now, settings, rng, "unchanged", live=live)
        if rebased is None:
            return result
        return replace(result, outcome="changed", version_id=latest.id, change_id=rebased[1],
                       kinds=("reextracted",))  # fmt: skip
    return _new_version(db, job, fetch, article, digest, now, settings, rng, base)


def _suspect(
    db: sqlite_utils.Database,
    job: Job,
    fetch: FetchResult,
    now: datetime,
    reason: str,
    verdict: Verdict,
) -> CheckResult:
    store.record_fetch(
        db, fetch, article_id=job.article.id, outcome="suspect", suspect_reason=reason
    )
    # Look again soon: a broken render is usually transient.
    store.update_article(
        db,
        job.article.id,
        last_checked_at=iso(now),
        suspect_count=job.article.suspect_count + 1,
        last_error=f"suspect extraction: {reason}",
        next_check_at=iso(now + timedelta(seconds=min(ERROR_BASE_DELAY, 900))),
        read_health=verdict.health,
        read_sig=verdict.signature,
    )
    return CheckResult(job.article.id, job.article.url, "suspect", error=reason)


def _restored_unchanged(
    db: sqlite_utils.Database,
    job: Job,
    fetch: FetchResult,
    now: datetime,
    settings: Settings,
    rng: random.Random,
) -> CheckResult:
    assert job.latest is not None
    fetch_id = store.record_fetch(db, fetch, article_id=job.article.id)
    result = _status_change(db, job, "restored", fetch, fetch_id, now, to_version_id=job.latest.id)
    fields = _schedule_healthy(job, now, settings, rng, changed=True)
    store.update_article(db, job.article.id, last_changed_at=iso(now), suspect_count=0, **fields)
    return result


def _new_version(
    db: sqlite_utils.Database,
    job: Job,
    fetch: FetchResult,
    article: Article,
    digest: str,
    now: datetime,
    settings: Settings,
    rng: random.Random,
    base: Version | None = None,
) -> CheckResult:
    """Store the reading as a new version; the change is the difference from ``base``
    (the latest version under today's learned furniture; default: as stored)."""
    article_id, latest = job.article.id, job.latest
    fetch_id = store.record_fetch(db, fetch, article_id=article_id)
    snapshot_id = snapshots.store_snapshot(db, article_id, fetch_id, fetch)
    liveblogs.remember_amp(db, article_id, job.article.url, article)
    version = versions.insert_version(
        db,
        article_id,
        reread.version_fields(
            article, digest, iso(now), fetch_id, snapshot_id, rules_for(job.selectors)
        ),
    )
    if latest is None:
        _schedule_new_version(db, job, fetch, article, now, settings, rng, posted=True)
        return CheckResult(article_id, job.article.url, "new", version_id=version.id)
    revert_of = versions.earlier_version_with_hash(db, article_id, digest, version.id)
    if revert_of == latest.id:
        revert_of = None
    # people read versions by the article's own numbers; the row id stays in the column
    revert_to = versions.version_number(db, revert_of) if revert_of is not None else None
    verdict = classify(
        diff_versions(base or latest, version), revert_to=revert_to, live=article.live
    )
    if not verdict.kinds:  # only a date outside the diffed fields moved
        verdict = classify_dates(latest.published_at, version.published_at)
    if job.article.status == "removed":
        verdict = _with_restored(verdict, fetch)
    posted = "live_update" in verdict.kinds
    _schedule_new_version(db, job, fetch, article, now, settings, rng, posted=posted)
    change_id = versions.insert_change(
        db,
        article_id,
        from_version_id=latest.id,
        to_version_id=version.id,
        detected_at=iso(now),
        classification=verdict,
        revert_of=revert_of,
        fetch_id=fetch_id,
    )
    return CheckResult(
        article_id,
        job.article.url,
        "changed",
        version_id=version.id,
        change_id=change_id,
        kinds=verdict.kinds,
        silent=verdict.silent,
    )


def _schedule_new_version(
    db: sqlite_utils.Database,
    job: Job,
    fetch: FetchResult,
    article: Article,
    now: datetime,
    settings: Settings,
    rng: random.Random,
    *,
    posted: bool,
) -> None:
    live = liveblogs.fields(job.article, article, now, posted)
    fields = _schedule_healthy(job, now, settings, rng, changed=True, live=live)
    fields.update(
        live,
        etag=fetch.etag,
        last_modified=fetch.last_modified,
        suspect_count=0,
        last_changed_at=iso(now),
    )
    store.update_article(db, job.article.id, **fields)


def _with_restored(verdict: Classification, fetch: FetchResult) -> Classification:
    restored = classify_status("restored", status_code=fetch.status_code)
    return replace(
        verdict,
        kinds=(*verdict.kinds, *restored.kinds),
        evidence=(*verdict.evidence, *restored.evidence),
        summary=f"{restored.summary}; {verdict.summary}",
    )
