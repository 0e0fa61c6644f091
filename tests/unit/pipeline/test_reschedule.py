"""A changed [schedule] moves planned visits at daemon start, on a real SQLite file."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from monitor import store
from monitor.config import ScheduleSettings
from monitor.pipeline.reschedule import apply_schedule, next_due
from monitor.store import feeds as feedstore
from monitor.times import iso

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DEFAULT = ScheduleSettings()
FAST = ScheduleSettings(tiers=((3600.0, 2.0),), stop_after=86400.0, feed_interval=3.0)


def _article(db: sqlite_utils.Database, n: int, **fields: object) -> int:
    """An article checked 2 minutes ago, unchanged since, due in 13 minutes (15-min tier)."""
    checked = NOW - timedelta(minutes=2)
    article_id, _ = store.add_article(db, f"https://example.org/{n}", None, iso(checked))
    row = {
        "last_checked_at": iso(checked),
        "last_changed_at": iso(checked),
        "next_check_at": iso(checked + timedelta(minutes=15)),
    }
    store.update_article(db, article_id, **(row | fields))
    return article_id


def _due(db: sqlite_utils.Database, article_id: int) -> str | None:
    return db.execute("SELECT next_check_at FROM articles WHERE id = ?", (article_id,)).fetchone()[
        0
    ]


def test_shorter_tiers_bring_planned_visits_in_and_keep_special_states(
    tmp_path: Path, store_target: str
) -> None:
    """Under 2-second tiers a healthy article due in 13 minutes is due now; one already due
    stays due; one in error backoff or awaiting a suspect confirmation keeps its visit."""
    db = store.open_db(store_target)
    healthy = _article(db, 1)
    already_due = _article(db, 2, next_check_at=iso(NOW - timedelta(minutes=5)))
    failing = _article(db, 3, consecutive_errors=2, next_check_at=iso(NOW + timedelta(hours=1)))
    suspect = _article(db, 4, suspect_count=1)
    before = {a: _due(db, a) for a in (already_due, failing, suspect)}
    moved = apply_schedule(db, FAST, NOW, random.Random(1))
    assert (moved.earlier, moved.later, moved.resumed) == (1, 0, 0)
    assert _due(db, healthy) == iso(NOW)
    assert {a: _due(db, a) for a in before} == before
    assert next_due(db, NOW).articles_due == 2


def test_the_same_schedule_moves_nothing_and_a_longer_one_pushes_out(
    tmp_path: Path, store_target: str
) -> None:
    """A restart under the schedule that planned the visits changes no row; a visit planned
    2 s after its check under fast tiers moves to about 15 minutes after it."""
    db = store.open_db(store_target)
    kept = _article(db, 1)
    assert apply_schedule(db, DEFAULT, NOW, random.Random(1)).earlier == 0
    assert _due(db, kept) == iso(NOW + timedelta(minutes=13))
    checked = NOW - timedelta(seconds=1)
    quick = _article(
        db, 2, last_checked_at=iso(checked), next_check_at=iso(NOW + timedelta(seconds=1))
    )
    moved = apply_schedule(db, DEFAULT, NOW, random.Random(1))
    assert (moved.earlier, moved.later) == (0, 1)
    due = datetime.fromisoformat(_due(db, quick).replace("Z", "+00:00"))  # type: ignore[union-attr]
    assert 800 <= (due - checked).total_seconds() <= 1000


def test_a_longer_stop_after_resumes_stopped_articles(tmp_path: Path, store_target: str) -> None:
    """Articles stopped under a 1-day stop_after are revisited under the default 30 days."""
    db = store.open_db(store_target)
    quiet = _article(db, 1, status="stopped", next_check_at=None,
                     last_changed_at=iso(NOW - timedelta(days=2)))  # fmt: skip
    ancient = _article(db, 2, status="stopped", next_check_at=None,
                       last_changed_at=iso(NOW - timedelta(days=45)))  # fmt: skip
    assert apply_schedule(db, DEFAULT, NOW, random.Random(1)).resumed == 1
    status = dict(db.execute("SELECT id, status FROM articles").fetchall())
    assert status == {quiet: "active", ancient: "stopped"}
    assert _due(db, quiet) is not None and _due(db, ancient) is None


def test_a_shorter_feed_interval_brings_the_next_poll_in(tmp_path: Path, store_target: str) -> None:
    """A feed polled a minute ago under the 5-minute default is due now under 3 seconds; a
    retired sitemap child (its index no longer lists it) stays retired."""
    db = store.open_db(store_target)
    polled = iso(NOW - timedelta(minutes=1))
    feed_id, _ = feedstore.add_feed(db, "https://example.org/rss.xml", None, polled)
    child_id, _ = feedstore.add_feed(db, "https://example.org/s1.xml", None, polled)
    db.execute(
        "UPDATE feeds SET last_polled_at = ?, next_poll_at = ?",
        (polled, iso(NOW + timedelta(minutes=4))),
    )
    db.execute("UPDATE feeds SET next_poll_at = ? WHERE id = ?", (feedstore.RETIRED, child_id))
    assert apply_schedule(db, FAST, NOW, random.Random(1)).feeds == 1
    polls = dict(db.execute("SELECT id, next_poll_at FROM feeds").fetchall())
    assert polls == {feed_id: iso(NOW), child_id: feedstore.RETIRED}
    assert next_due(db, NOW).feeds_due == 1
