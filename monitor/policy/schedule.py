"""Revisit policy: how soon an article or feed is checked again.

Pure functions of the settings, the article's history and ``now``; the daemon's
APScheduler wiring lives elsewhere and only asks these when work is due.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from monitor.config import ScheduleSettings

#: Ceiling for error backoff, so a long outage is retried at least daily.
MAX_BACKOFF = 86400.0


def revisit_interval(since_change: timedelta, settings: ScheduleSettings) -> float | None:
    """Seconds until the next visit, or None once the article has been quiet for good.

    Uses total seconds: ``timedelta.seconds`` drops whole days (diffengine's bug).
    """
    age = since_change.total_seconds()
    if age >= settings.stop_after:
        return None
    for tier_age, interval in settings.tiers:
        if age < tier_age:
            return interval
    return settings.tiers[-1][1]


def with_jitter(seconds: float, jitter: float, rng: random.Random) -> float:
    if jitter <= 0:
        return seconds
    return seconds * (1 + rng.uniform(-jitter, jitter))


def next_check(
    now: datetime, last_changed: datetime, settings: ScheduleSettings, rng: random.Random
) -> datetime | None:
    """When to look at a healthy article next; None means stop revisiting."""
    interval = revisit_interval(now - last_changed, settings)
    if interval is None:
        return None
    return now + timedelta(seconds=with_jitter(interval, settings.jitter, rng))


def next_live_check(
    now: datetime,
    last_post: datetime,
    ended: datetime | None,
    settings: ScheduleSettings,
    rng: random.Random,
) -> datetime | None:
    """When to look at a live blog next; None once it has ended (its coverageEndTime
    has passed) or has had no new post for ``live_quiet``."""
    if ended is not None and ended <= now:
        return None
    if (now - last_post).total_seconds() >= settings.live_quiet:
        return None
    return now + timedelta(seconds=with_jitter(settings.live_interval, settings.jitter, rng))


def replanned_visit(
    now: datetime,
    last_checked: datetime,
    last_changed: datetime,
    planned: datetime,
    settings: ScheduleSettings,
    rng: random.Random,
) -> datetime | None:
    """Where a healthy article's next visit belongs under ``settings`` (a schedule changed
    since ``planned`` was set at ``last_checked``); None keeps ``planned``.

    ``planned`` is kept while it lies within the jitter band of the interval the settings
    give at that check, so restarting under the same schedule moves nothing. A moved
    visit is never before ``now``; an article past ``stop_after`` keeps its visit (that
    visit stops it).
    """
    interval = revisit_interval(last_checked - last_changed, settings)
    if interval is None:
        return None
    gap = (planned - last_checked).total_seconds()
    if abs(gap - interval) <= interval * settings.jitter + 1.0:
        return None
    return max(now, last_checked + timedelta(seconds=with_jitter(interval, settings.jitter, rng)))


def resumed_visit(
    now: datetime,
    last_checked: datetime,
    last_changed: datetime,
    settings: ScheduleSettings,
    rng: random.Random,
) -> datetime | None:
    """The next visit of an article no longer revisited (quiet past an older, shorter
    ``stop_after``) that the settings would still revisit; None: it stays stopped."""
    interval = revisit_interval(now - last_changed, settings)
    if interval is None:
        return None
    return max(now, last_checked + timedelta(seconds=with_jitter(interval, settings.jitter, rng)))


def error_backoff(consecutive_errors: int, base: float, retry_after: float | None = None) -> float:
    """Exponential backoff after failures, never sooner than the server asked."""
    delay = min(base * 2 ** max(consecutive_errors - 1, 0), MAX_BACKOFF)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_BACKOFF))
    return delay
