"""Revisit policy: young articles often, old ones rarely, quiet ones never."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from monitor.config import ScheduleSettings
from monitor.policy.schedule import error_backoff, next_check, revisit_interval

SETTINGS = ScheduleSettings()


def test_young_articles_are_revisited_every_15_minutes() -> None:
    """Under 3 h since the last change, the interval is the first tier's 15 minutes."""
    assert revisit_interval(timedelta(minutes=10), SETTINGS) == 900


def test_interval_decays_with_time_since_change() -> None:
    """Hourly after 3 h, 3-hourly after a day, daily after 3 days."""
    assert revisit_interval(timedelta(hours=5), SETTINGS) == 3600
    assert revisit_interval(timedelta(days=2), SETTINGS) == 3 * 3600
    assert revisit_interval(timedelta(days=10), SETTINGS) == 86400


def test_ages_count_whole_days() -> None:
    """A 2-day-old article is not treated as seconds-old (diffengine's `.seconds` bug)."""
    assert revisit_interval(timedelta(days=2, seconds=5), SETTINGS) != 900


def test_quiet_articles_stop_being_revisited() -> None:
    """Once unchanged for stop_after (30 days), no next visit is scheduled."""
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert next_check(now, now - timedelta(days=31), SETTINGS, random.Random(1)) is None


def test_jitter_stays_within_the_configured_fraction() -> None:
    """Jitter spreads visits by at most ±10 % of the interval."""
    now = datetime(2026, 11, 25, tzinfo=UTC)
    rng = random.Random(7)
    delays = {(next_check(now, now, SETTINGS, rng) - now).total_seconds() for _ in range(200)}
    assert min(delays) >= 810 and max(delays) <= 990 and len(delays) > 100


def test_error_backoff_doubles_and_respects_retry_after() -> None:
    """Backoff doubles per consecutive error, is capped at a day, and never undercuts Retry-After."""
    assert [error_backoff(n, 60) for n in (1, 2, 3)] == [60, 120, 240]
    assert error_backoff(40, 60) == 86400
    assert error_backoff(1, 60, retry_after=3600) == 3600
