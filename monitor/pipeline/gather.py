"""The first half of a check: fetch the page and read the article from it.

Everything here is safe in worker threads: one fetch, then pure stages (fast
path, region read or the whole extraction cascade, normalize, hash). The second
half, every database write, is monitor.pipeline.commit.commit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlite_utils

from monitor import store
from monitor.config import Settings
from monitor.extract import fingerprint as fastpath
from monitor.extract import furniture, region
from monitor.extract.cascade import extract
from monitor.extract.normalize import content_hash, normalize
from monitor.models import Article, FetchResult, Version
from monitor.net.fetch import Fetcher
from monitor.pipeline import variants
from monitor.pipeline.reread import (
    Reread,
    StoredPage,
    needs_reread,
    read_again,
    rules_for,
    rules_of,
    stored_page,
)
from monitor.store import furniture as furniture_store
from monitor.store import versions
from monitor.times import parse_iso
from monitor.urls import BadURL, canonicalize_url


@dataclass(frozen=True)
class Job:
    """What a worker needs to check one article, read before the fetch."""

    article: store.ArticleRow
    latest: Version | None
    selectors: dict[str, str]
    #: seconds a fast-path fingerprint is trusted before one full read ([schedule])
    full_read_every: float
    #: the extraction rules that read ``latest`` (None: before rules were recorded)
    latest_rules: str | None = None
    #: the latest version's own page, planned when it must be re-read (monitor.pipeline.reread)
    stored: StoredPage | None = None
    #: the outlet's learned furniture, dropped from what is read (monitor.extract.furniture)
    furniture: furniture.Learned = furniture.NOTHING
    #: whose furniture it is ("outlet:<id>" or "host:<host>"); None: learning is off
    furniture_scope: str | None = None


@dataclass(frozen=True)
class Gathered:
    """A fetch and, when it succeeded, the normalized article read from it."""

    job: Job
    fetch: FetchResult
    article: Article | None = None
    content_hash: str | None = None
    extract_error: str | None = None
    #: the page still shows job.latest (fast path: no extraction was run)
    fast_unchanged: bool = False
    #: where the article sits on this page, for the next check's fast path
    fingerprint: fastpath.Fingerprint | None = None
    #: the whole extraction cascade read this page (neither fast path nor region read)
    full_read: bool = False
    #: the latest version's own page read again with today's rules, when it reads
    #: differently (only when the job planned ``stored``)
    reread: Reread | None = None
    #: fallbacks taken on the way (see monitor.pipeline.counters): "fast_path", "region"
    fallbacks: tuple[str, ...] = ()
    #: (key, text) of the page's body blocks that may be learned as furniture, read
    #: before learned furniture was dropped (so what was learned keeps being counted)
    blocks: tuple[tuple[str, str], ...] = ()
    #: byline names after the lead that may be related-story credits (furniture.credits)
    credits: tuple[tuple[str, str, str], ...] = ()
    #: the article as the page shows it, learned furniture included (None: not read, or
    #: nothing was learned so it is ``article``)
    page: Article | None = None
    #: the article's canonical page, checked to serve this article, when the URL
    #: checked was another one (a variant); ``fetch`` and ``article`` are then its
    canonical: str | None = None


def make_job(
    db: sqlite_utils.Database, settings: Settings, article_id: int, *, with_stored: bool = False
) -> Job:
    """Plan (writer thread): everything a worker needs to check one article."""
    row = store.article_row(db, article_id)
    outlet_name = None
    if row.outlet_id is not None:
        found = db.execute("SELECT name FROM outlets WHERE id = ?", (row.outlet_id,)).fetchone()
        outlet_name = found[0] if found else None
    outlet = settings.outlet(outlet_name)
    selectors = dict(outlet.selectors) if outlet else {}
    latest = versions.latest_version(db, article_id)
    current = rules_for(selectors)
    stored = stored_page(db, latest.id, current) if latest is not None and with_stored else None
    learned, scope = furniture.NOTHING, None
    if settings.furniture.learn:
        scope = furniture_store.scope_of(row.outlet_id, row.url)
        keys = furniture_store.learned(db, scope, settings.furniture.min_articles)
        learned = furniture.Learned(keys, settings.furniture.max_words)
    return Job(
        article=row,
        latest=latest,
        selectors=selectors,
        full_read_every=settings.schedule.full_read_every,
        latest_rules=rules_of(db, latest.id) if latest is not None else None,
        stored=stored,
        furniture=learned,
        furniture_scope=scope,
    )


#: Verification hook for tests: when a list, every region read also runs the full
#: cascade and appends ``(url, region_article, cascade_article)``.
region_audit: list[tuple[str, Article, Article | None]] | None = None


def gather(job: Job, fetcher: Fetcher) -> Gathered:
    """Fetch the page and run the pure stages; never raises for what a page contains."""
    conditional = job.latest is not None and job.article.status != "removed"
    result = fetcher.fetch(
        job.article.url,
        etag=job.article.etag if conditional else None,
        last_modified=job.article.last_modified if conditional else None,
    )
    gathered = read(job, result)
    if job.latest is None and job.stored is None:
        return canonical_reading(gathered, fetcher)
    return gathered


def canonical_reading(gathered: Gathered, fetcher: Fetcher) -> Gathered:
    """On a first check: the article read from its canonical page, when it has another
    one that answers and serves the same article (monitor.pipeline.variants); else
    ``gathered`` as it is, so the working URL is kept."""
    job, article = gathered.job, gathered.article
    if article is None:
        return gathered
    for candidate in variants.candidates(job.article.url, article.canonical_url):
        fetch = fetcher.fetch(candidate)
        if not fetch.ok or fetch.text is None:
            continue
        try:
            if fetch.final_url and canonicalize_url(fetch.final_url) != candidate:
                continue  # redirected elsewhere (often the front page): not this article
        except BadURL:
            continue
        found = read_page(job, fetch)
        if found.article is not None and variants.same_article(article, found.article):
            fallbacks = gathered.fallbacks + found.fallbacks
            return replace(found, canonical=candidate, fallbacks=fallbacks)
    return gathered


def read(job: Job, result: FetchResult) -> Gathered:
    """The pure stages on a fetched page (also a re-planned job's second read of the
    same fetch): fast path, region read or the cascade, then the rules re-read."""
    gathered = _read_article(job, result)
    if (
        job.stored is not None
        and job.latest is not None
        and gathered.content_hash is not None
        and gathered.content_hash != job.latest.content_hash
    ):
        try:
            content_type = (result.headers or {}).get("content-type")
            again = read_again(
                job.stored, job.article.url, job.selectors, content_type, job.furniture
            )
        except Exception:  # an unreadable old page proves nothing either way (counted)
            return _with_fallback(gathered, "reread_error")
        current = rules_for(job.selectors)
        if again is None and job.stored.html is None and needs_reread(job.stored.rules, current):
            return _with_fallback(gathered, "reread_no_snapshot")
        gathered = replace(gathered, reread=again)
    return gathered


def _read_article(job: Job, result: FetchResult) -> Gathered:
    if not result.ok or result.text is None:
        return Gathered(job=job, fetch=result)
    known = store.fingerprint_of(job.article)
    if (
        known is not None
        and not _full_read_due(job, result.fetched_at)
        and job.latest is not None
        and job.article.status != "removed"
        and known.content_hash == job.latest.content_hash
    ):
        located = fastpath.locate(result.text, known, job.selectors)
        if located is None:
            return _with_fallback(read_page(job, result), "fast_path")
        if located.digest == known.digest:
            return Gathered(job=job, fetch=result, fast_unchanged=True)
        edited = _read_region(job, result, located, known)
        if edited is not None:
            return edited
        return _with_fallback(read_page(job, result), "region")
    return read_page(job, result)


def _with_fallback(gathered: Gathered, fallback: str) -> Gathered:
    return replace(gathered, fallbacks=(fallback, *gathered.fallbacks))


def _full_read_due(job: Job, fetched_at: str) -> bool:
    """Whether the fingerprint is too old to trust: it only watches the article region,
    so an edit beside it (a new box next to the story) waits for a full read."""
    last = job.article.full_read_at
    if last is None:
        return True
    return (parse_iso(fetched_at) - parse_iso(last)).total_seconds() >= job.full_read_every


def _read_region(
    job: Job, result: FetchResult, located: fastpath.Located, known: fastpath.Fingerprint
) -> Gathered | None:
    """An edit read from the located region (see monitor.extract.region), or None for the cascade."""
    rule = located.locator.get("read")
    if not rule or located.scripts_removed:
        return None
    assert result.text is not None
    url = result.final_url or job.article.url
    article = region.read(
        located.root, located.region, located.lines, rule, job.selectors, url, result.text
    )
    if article is None:
        return None
    page = article
    article = furniture.strip(article, job.furniture)
    digest = content_hash(article)
    fingerprint = fastpath.Fingerprint(known.locator, located.digest, digest)
    if region_audit is not None:
        region_audit.append((url, article, read_page(job, result).article))
    return Gathered(
        job=job,
        fetch=result,
        article=article,
        content_hash=digest,
        fingerprint=fingerprint,
        **_learning(job, page, article),
    )


def _learning(job: Job, page: Article, article: Article) -> dict[str, Any]:
    """What the commit learns furniture from: the page's candidate blocks and byline
    credits, and the page as read when learned furniture was stripped from it."""
    if job.furniture_scope is None:
        return {"blocks": (), "credits": (), "page": page if page is not article else None}
    return {
        "blocks": furniture.candidates(page, job.furniture.max_words),
        "credits": furniture.credits(page),
        "page": page if page is not article else None,
    }


def read_page(job: Job, result: FetchResult) -> Gathered:
    """The pure stages on a fetched page: extract, normalize, hash, fingerprint."""
    assert result.text is not None
    url = result.final_url or job.article.url
    try:
        page = normalize(extract(result.text, url, job.selectors))
        article = furniture.strip(page, job.furniture)
    except Exception as exc:  # an extractor bug must not stop the other articles
        return Gathered(job=job, fetch=result, extract_error=f"extraction failed: {exc!r}"[:300])
    digest = content_hash(article)
    fallbacks: tuple[str, ...] = ()
    fingerprint = None  # a live blog grows outside any region one watches: read in full
    if article.live is None:
        try:
            # the fingerprint watches the page as it is (learned furniture included), so a
            # change of what was learned never makes the fast path miss; it vouches for
            # ``digest``, the article without the furniture
            fingerprint = fastpath.take(result.text, page, digest, job.selectors, learn_read=True)
        except Exception:  # no fingerprint only means no fast path next time (counted)
            fingerprint, fallbacks = None, ("fingerprint_error",)
        if fingerprint is None and not fallbacks:
            fallbacks = ("no_fingerprint",)
    return Gathered(
        job=job,
        fetch=result,
        article=article,
        content_hash=digest,
        fingerprint=fingerprint,
        full_read=True,
        fallbacks=fallbacks,
        **_learning(job, page, article),
    )
