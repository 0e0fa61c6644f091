"""A changed ``[schedule]`` applies when the daemon starts, and when work is next due.

Each visit is planned when the one before it is committed, so without this a new
schedule would only apply after every article's next visit under the old one (an
article due in 13 minutes stays due in 13 minutes after the tiers say 2 seconds).
At start, ``run`` moves each planned visit that the new schedule would not have
planned (the pure rules are ``policy.schedule.replanned_visit`` and
``resumed_visit``). Work already due stays due, and articles and feeds in error
backoff or awaiting a suspect confirmation keep the visit that state asked for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from monitor import store
from monitor.config import ScheduleSettings
from monitor.policy.schedule import replanned_visit, resumed_visit
from monitor.store.feeds import RETIRED
from monitor.times import iso, parse_iso


@dataclass(frozen=True)
class Rescheduled:
    """How many planned visits a changed schedule moved."""

    earlier: int = 0
    later: int = 0
    #: articles no longer revisited that a longer ``stop_after`` revisits again
    resumed: int = 0
    feeds: int = 0


@dataclass(frozen=True)
class NextDue:
    """When each kind of work is next due (for the daemon's ``event=next_due`` line)."""

    articles_due: int
    next_article: str | None
    feeds_due: int
    next_feed: str | None


def apply_schedule(
    db: sqlite_utils.Database, settings: ScheduleSettings, now: datetime, rng: random.Random
) -> Rescheduled:
    """Move planned visits in line with ``settings``, in one transaction."""
    with store.transaction(db):
        moves = _article_moves(db, settings, now, rng)
        resumed = _resumed(db, settings, now, rng)
        feeds = _feed_moves(db, settings, now)
        db.conn.executemany(
            "UPDATE articles SET next_check_at = ? WHERE id = ?",
            [(iso(due), aid) for aid, due, _ in moves],
        )
        db.conn.executemany(
            "UPDATE articles SET next_check_at = ?, "
            "status = CASE status WHEN 'stopped' THEN 'active' ELSE status END WHERE id = ?",
            [(iso(due), aid) for aid, due in resumed],
        )
        db.conn.executemany("UPDATE feeds SET next_poll_at = ? WHERE id = ?", feeds)
    earlier = sum(1 for _, _, sooner in moves if sooner)
    return Rescheduled(earlier, len(moves) - earlier, len(resumed), len(feeds))


# Live blogs keep their own schedule (monitor.policy.schedule.next_live_check), and one
# that ended stays stopped: the tiers below never apply to them.
def _article_moves(
    db: sqlite_utils.Database, settings: ScheduleSettings, now: datetime, rng: random.Random
) -> list[tuple[int, datetime, bool]]:
    rows = db.execute(
        """SELECT id, last_checked_at, COALESCE(last_changed_at, first_seen_at), next_check_at
           FROM articles
           WHERE status != 'stopped' AND next_check_at > ? AND last_checked_at IS NOT NULL
             AND consecutive_errors = 0 AND suspect_count = 0
             AND kind != 'live'""",
        (iso(now),),
    )
    moves = []  # only the moved rows are kept: the cursor is read row by row
    for article_id, checked, changed, planned in rows:
        was = parse_iso(planned)
        due = replanned_visit(now, parse_iso(checked), parse_iso(changed), was, settings, rng)
        if due is not None and iso(due) != planned:
            moves.append((article_id, due, due < was))
    return moves


def _resumed(
    db: sqlite_utils.Database, settings: ScheduleSettings, now: datetime, rng: random.Random
) -> list[tuple[int, datetime]]:
    # Only articles changed within the new stop_after can come back (the index on
    # next_check_at does not cover NULLs; this runs once per start).
    rows = db.execute(
        """SELECT id, last_checked_at, COALESCE(last_changed_at, first_seen_at) FROM articles
           WHERE next_check_at IS NULL AND last_checked_at IS NOT NULL AND kind != 'live'
             AND COALESCE(last_changed_at, first_seen_at) > ?""",
        (iso(now - timedelta(seconds=settings.stop_after)),),
    ).fetchall()
    resumed = []
    for article_id, checked, changed in rows:
        due = resumed_visit(now, parse_iso(checked), parse_iso(changed), settings, rng)
        if due is not None:
            resumed.append((article_id, due))
    return resumed


def _feed_moves(
    db: sqlite_utils.Database, settings: ScheduleSettings, now: datetime
) -> list[tuple[str, int]]:
    rows = db.execute(
        """SELECT id, last_polled_at, next_poll_at FROM feeds
           WHERE next_poll_at > ? AND next_poll_at < ? AND last_polled_at IS NOT NULL
             AND consecutive_errors = 0""",
        (iso(now), RETIRED),
    ).fetchall()
    interval = settings.feed_interval
    moves = []
    for feed_id, polled, planned in rows:
        last = parse_iso(polled)
        if abs((parse_iso(planned) - last).total_seconds() - interval) > 1.0:
            due = max(now, last + timedelta(seconds=interval))
            moves.append((iso(due), feed_id))
    return moves


def next_due(db: sqlite_utils.Database, now: datetime) -> NextDue:
    """How much work is due now, and when the next article check and feed poll are due."""
    at = iso(now)
    articles_due, next_article = db.execute(
        """SELECT
             (SELECT COUNT(*) FROM articles WHERE status != 'stopped' AND next_check_at <= ?),
             (SELECT MIN(next_check_at) FROM articles
               WHERE status != 'stopped' AND next_check_at > ?)""",
        (at, at),
    ).fetchone()
    feeds_due, next_feed = db.execute(
        """SELECT
             (SELECT COUNT(*) FROM feeds WHERE next_poll_at IS NULL OR next_poll_at <= ?),
             (SELECT MIN(next_poll_at) FROM feeds WHERE next_poll_at > ? AND next_poll_at < ?)""",
        (at, at, RETIRED),
    ).fetchone()
    return NextDue(int(articles_due), next_article, int(feeds_due), next_feed)
