"""Commit-side bookkeeping for live blogs and page variants (no I/O but the writes named).

A live blog (monitor.extract.live) runs on its own schedule: every ``live_interval``
until its ``coverageEndTime`` passes or no new post has come for ``live_quiet``. The
articles table keeps what that needs: ``kind``, ``live_post_at``, ``live_ended_at``.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import sqlite_utils

from monitor import store
from monitor.config import ScheduleSettings
from monitor.models import Article
from monitor.policy.schedule import next_live_check
from monitor.store.db import ArticleRow
from monitor.times import iso, parse_iso
from monitor.urls import BadURL, canonicalize_url, same_site

#: The articles' live-blog columns, as ``fields`` below gives them.
LiveFields = dict[str, object]


def fields(row: ArticleRow, article: Article, now: datetime, posted: bool) -> LiveFields:
    """The live-blog columns after reading ``article``; ``posted``: it shows a new post
    (or is the first read)."""
    if article.live is None:
        return {"kind": "article", "live_post_at": None, "live_ended_at": None}
    last = iso(now) if posted or not row.live_post_at else row.live_post_at
    return {"kind": "live", "live_post_at": last, "live_ended_at": article.live.ended_at}


def stored(row: ArticleRow) -> LiveFields:
    """The live-blog columns as the article row has them."""
    return {"kind": row.kind, "live_post_at": row.live_post_at, "live_ended_at": row.live_ended_at}


def next_visit(
    live: LiveFields, now: datetime, settings: ScheduleSettings, rng: random.Random
) -> datetime | None:
    """When to look at a live blog next (``live["kind"] == "live"``); None: it ended."""
    post = live["live_post_at"]
    last_post = parse_iso(str(post)) if post else now
    return next_live_check(now, last_post, _time_or_none(live["live_ended_at"]), settings, rng)


def _time_or_none(value: object) -> datetime | None:
    try:
        moment = parse_iso(str(value)) if value else None
    except ValueError:  # a coverageEndTime no one could read ends nothing
        return None
    # a time without an offset is taken as UTC, as every stored time is
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def remember_amp(db: sqlite_utils.Database, article_id: int, url: str, article: Article) -> None:
    """The AMP address the page names (``rel=amphtml``) leads to this article: adding it
    later finds the article tracked (monitor.pipeline.variants)."""
    if not article.amp_url:
        return
    try:
        amp = canonicalize_url(article.amp_url)
    except BadURL:
        return
    if amp != url and same_site(url, amp) and store.find_article(db, amp) is None:
        store.add_alias(db, amp, article_id)
