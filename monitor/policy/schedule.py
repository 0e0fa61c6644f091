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


def error_backoff(consecutive_errors: int, base: float, retry_after: float | None = None) -> float:
    """Exponential backoff after failures, never sooner than the server asked."""
    delay = min(base * 2 ** max(consecutive_errors - 1, 0), MAX_BACKOFF)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_BACKOFF))
    return delay
