"""Discovery: configured outlets and feeds into the database, feeds polled for new articles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from monitor import store
from monitor.config import Settings
from monitor.discover.parse import FeedError, parse_feed
from monitor.models import FeedEntry, FetchResult
from monitor.policy.schedule import error_backoff
from monitor.store import feeds as feedstore
from monitor.times import iso
from monitor.urls import BadURL, canonicalize_url, site_host


@dataclass(frozen=True)
class FeedPoll:
    feed_id: int
    url: str
    entries: int = 0
    new_articles: int = 0
    error: str | None = None
    #: new entries a [discover] cap left for later polls, plus entries listed past
    #: what one feed is read for (a sitemap's 50,000 URLs, a feed's 5,000 items)
    held_back: int = 0
    #: which limit held them back (the [discover] key, or the sitemap's size)
    cap: str | None = None

    def capped_line(self) -> str:
        """What a user reads when a cap held entries back (`check`, the daemon's log)."""
        return (
            f"feed capped: {self.url}: {self.new_articles} new articles tracked, "
            f"{self.held_back} held back ({self.cap}; later polls take the rest)"
        )


def outlet_for_url(db: sqlite_utils.Database, settings: Settings, url: str) -> int:
    """The outlet an unlabelled URL belongs to: a configured one by domain, else its host."""
    host = site_host(url)
    configured = settings.outlet_for_host(host)
    if configured:
        return feedstore.ensure_outlet(db, configured.name)
    row = db.execute("SELECT id FROM outlets WHERE domain = ?", (host,)).fetchone()
    if row:
        return int(row[0])
    return feedstore.ensure_outlet(db, host, host)


def sync_config(db: sqlite_utils.Database, settings: Settings, now: datetime) -> None:
    """Make every configured outlet, feed and sitemap exist in the database."""
    with store.transaction(db):
        for outlet in settings.outlets:
            domain = outlet.domains[0] if outlet.domains else None
            outlet_id = feedstore.ensure_outlet(db, outlet.name, domain)
            for url in (*outlet.feeds, *outlet.sitemaps):
                feedstore.add_feed(db, canonicalize_url(url), outlet_id, iso(now))


def commit_feed_poll(
    db: sqlite_utils.Database,
    settings: Settings,
    feed: dict,
    result: FetchResult,
    read: FeedRead,
    now: datetime,
) -> FeedPoll:
    """Commit (writer): record one feed fetch and track the articles it lists.

    A sitemap index's children are registered as feeds and become due now, to be
    dispatched like any feed within the host's politeness limits; children the
    index no longer lists are retired until it lists them again.
    """
    kind, entries, error = read.kind, read.entries, read.error
    interval = settings.schedule.feed_interval
    failures = feed.get("consecutive_errors", 0) + 1 if error else 0
    delay = error_backoff(failures, interval, result.retry_after) if error else interval
    with store.transaction(db):
        store.record_fetch(
            db,
            result,
            feed_id=feed["id"],
            outcome="feed_error" if error and result.outcome == "ok" else None,
        )
        tracked = _track_entries(db, settings, feed, entries, now)
        held_back = tracked.held_back + read.unread
        children = [
            feedstore.add_feed(db, child, feed["outlet_id"], iso(now), parent_id=feed["id"])[0]
            for child in read.children
        ]
        if kind == "sitemap_index":
            feedstore.schedule_children(db, feed["id"], children, iso(now))
        feedstore.record_feed_poll(
            db,
            feed["id"],
            result,
            kind=kind,
            entries=len(entries),
            error=error,
            next_poll_at=iso(now + timedelta(seconds=delay)),
        )
        feedstore.record_discovery(db, feed["id"], tracked.day, tracked.on_day, held_back, iso(now))
    cap = tracked.cap or ("more entries than one feed is read for" if read.unread else None)
    return FeedPoll(feed["id"], feed["url"], len(entries), tracked.new, error, held_back, cap)


@dataclass(frozen=True)
class FeedRead:
    """What one feed fetch yielded: its kind, entries and child sitemaps, or an error."""

    kind: str | None = None
    entries: tuple[FeedEntry, ...] = ()
    children: tuple[str, ...] = ()
    error: str | None = None
    #: entries listed past what one feed is read for (FeedResult.unread)
    unread: int = 0


def read_feed(result: FetchResult, url: str) -> FeedRead:
    if result.outcome == "ok" and result.content is not None:
        try:
            parsed = parse_feed(result.content, result.final_url or url)
        except FeedError as exc:
            return FeedRead(error=str(exc))
        return FeedRead(parsed.kind, tuple(parsed.entries), parsed.sitemaps, unread=parsed.unread)
    if result.outcome != "not_modified":
        return FeedRead(error=f"{result.outcome}: {result.error or result.status_code}")
    return FeedRead()


@dataclass(frozen=True)
class _Tracked:
    new: int
    held_back: int
    cap: str | None
    #: the UTC day counted, and the new articles the feed added on it
    day: str
    on_day: int


def _track_entries(
    db: sqlite_utils.Database,
    settings: Settings,
    feed: dict,
    entries: tuple[FeedEntry, ...],
    now: datetime,
) -> _Tracked:
    """Track the entries' URLs, at most as many new ones as the [discover] caps allow.

    Past a cap the newest entries (by their feed date; undated ones last) are tracked,
    in feed order; the rest are left for the next polls, which see them as new again.
    """
    caps = settings.discover
    day = now.date().isoformat()
    row = db.execute("SELECT new_day, new_on_day FROM feeds WHERE id = ?", (feed["id"],)).fetchone()
    on_day = int(row[1]) if row is not None and row[0] == day else 0
    allowed = max(0, min(caps.max_new_per_poll, caps.max_new_per_day - on_day))
    fresh = [e for e in entries if store.find_article(db, e.url) is None]
    take = fresh
    if len(fresh) > allowed:
        newest = sorted(fresh, key=lambda e: e.published_at or "", reverse=True)[:allowed]
        chosen = {e.url for e in newest}
        take = [e for e in fresh if e.url in chosen]
    held_back = len(fresh) - len(take)
    new_articles = 0
    for entry in take:
        _, created = store.add_article(
            db,
            entry.url,
            feed["outlet_id"] or outlet_for_url(db, settings, entry.url),
            iso(now),
            feed_id=feed["id"],
            title=entry.title,
        )
        new_articles += created
    cap = None
    if held_back:
        per_poll = allowed == caps.max_new_per_poll
        cap = (
            f"[discover] max_new_per_poll = {caps.max_new_per_poll}"
            if per_poll
            else f"[discover] max_new_per_day = {caps.max_new_per_day}"
        )
    return _Tracked(new_articles, held_back, cap, day, on_day + new_articles)


def track_urls(
    db: sqlite_utils.Database,
    settings: Settings,
    urls: list[str],
    outlet: str | None,
    now: datetime,
) -> list[tuple[int, str, bool]]:
    """Add article URLs (validated first, so a bad one adds nothing); (id, url, created) each."""
    canonical = [canonicalize_url(url) for url in urls]  # raises BadURL before any write
    added = []
    with store.transaction(db):
        for url in canonical:
            outlet_id = (
                feedstore.ensure_outlet(db, outlet) if outlet else outlet_for_url(db, settings, url)
            )
            article_id, created = store.add_article(db, url, outlet_id, iso(now))
            added.append((article_id, url, created))
    return added


__all__ = [
    "BadURL",
    "FeedPoll",
    "FeedRead",
    "commit_feed_poll",
    "outlet_for_url",
    "read_feed",
    "sync_config",
    "track_urls",
]
