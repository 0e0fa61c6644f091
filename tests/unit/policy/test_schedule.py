"""Revisit policy: young articles often, old ones rarely, quiet ones never."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import ConfigError, ScheduleSettings, load_settings
from monitor.policy.schedule import (
    error_backoff,
    next_check,
    next_live_check,
    replanned_visit,
    resumed_visit,
    revisit_interval,
)

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


NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FAST = ScheduleSettings(tiers=((3600.0, 2.0),), stop_after=86400.0)


def test_a_visit_planned_under_the_same_schedule_stays_where_it_is() -> None:
    """Restarting with an unchanged schedule moves nothing: a visit within the jitter band
    of the interval the schedule gives is kept."""
    checked = NOW - timedelta(minutes=2)
    for planned_in in (810, 900, 990):  # 15 min ± 10 % jitter
        planned = checked + timedelta(seconds=planned_in)
        assert replanned_visit(NOW, checked, checked, planned, SETTINGS, random.Random(1)) is None


def test_a_shorter_tier_pulls_the_planned_visit_in_but_never_before_now() -> None:
    """An article checked 2 minutes ago and due in 13 more under 15-minute tiers is due now
    under 2-second tiers (its new visit would have been in the past)."""
    checked = NOW - timedelta(minutes=2)
    planned = checked + timedelta(minutes=15)
    moved = replanned_visit(NOW, checked, checked, planned, FAST, random.Random(1))
    assert moved == NOW


def test_a_longer_tier_pushes_the_planned_visit_out() -> None:
    """From 2-second tiers back to the defaults: a visit planned 2 s after the last check
    moves to about 15 minutes after it."""
    checked = NOW - timedelta(seconds=1)
    planned = checked + timedelta(seconds=2)
    moved = replanned_visit(NOW, checked, checked, planned, SETTINGS, random.Random(1))
    assert moved is not None
    assert 810 <= (moved - checked).total_seconds() <= 990


def test_an_article_past_the_new_stop_after_keeps_its_visit() -> None:
    """Past the new stop_after, the planned visit is kept (that visit stops the article)."""
    changed = NOW - timedelta(days=3)
    checked = NOW - timedelta(hours=1)
    planned = checked + timedelta(hours=3)
    assert replanned_visit(NOW, checked, changed, planned, FAST, random.Random(1)) is None


def test_a_longer_stop_after_resumes_a_stopped_article() -> None:
    """An article stopped after 1 day quiet is visited again when stop_after grows to 30
    days; one quiet for 40 days stays stopped."""
    checked = NOW - timedelta(hours=2)
    resumed = resumed_visit(NOW, checked, NOW - timedelta(days=2), SETTINGS, random.Random(1))
    assert resumed is not None and resumed >= NOW
    assert resumed_visit(NOW, checked, NOW - timedelta(days=40), SETTINGS, random.Random(1)) is None


def test_live_blogs_run_on_their_own_interval_until_they_end() -> None:
    """A running live blog is revisited every ``live_interval``; a passed coverage end or a
    quiet ``live_quiet`` stops it; a coverage end still ahead does not."""
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    settings = ScheduleSettings(jitter=0.0, live_interval=300.0, live_quiet=86400.0)
    rng = random.Random(0)
    post = now - timedelta(hours=2)
    assert next_live_check(now, post, None, settings, rng) == now + timedelta(minutes=5)
    assert next_live_check(now, post, now + timedelta(hours=1), settings, rng) is not None
    assert next_live_check(now, post, now - timedelta(minutes=1), settings, rng) is None
    assert next_live_check(now, now - timedelta(hours=23), None, settings, rng) is not None
    assert next_live_check(now, now - timedelta(days=1), None, settings, rng) is None


def test_live_schedule_is_configured_in_schedule(tmp_path) -> None:
    """``[schedule] live_interval`` and ``live_quiet`` take durations; zero is refused."""
    path = tmp_path / "c.toml"
    path.write_text('[schedule]\nlive_interval = "2m"\nlive_quiet = "12h"\n', encoding="utf-8")
    settings = load_settings(path).schedule
    assert (settings.live_interval, settings.live_quiet) == (120.0, 43200.0)
    path.write_text('[schedule]\nlive_interval = "0s"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="live_interval"):
        load_settings(path)
