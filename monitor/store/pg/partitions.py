"""``fetches`` by day: one partition per UTC day, made when the first fetch of the day comes.

A partition is created as a plain table and then attached, on a short connection of
its own that commits at once: ATTACH takes only a SHARE UPDATE EXCLUSIVE lock on
``fetches``, which neither readers nor a writer's open transaction (inserting
fetches) hold against it, so a writer can make the partition it is about to insert
into without deadlocking itself, and the partition outlives the writer's rollback.
An advisory lock makes two processes making the same day take turns.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import psycopg

#: pg_advisory_lock key for partition DDL ("fetches" in ASCII, as an int)
_LOCK = 0x66657463686573
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def partition_name(day: date) -> str:
    return f"fetches_{day:%Y%m%d}"


def day_of(fetched_at: str) -> date:
    """The UTC day of an ISO timestamp (``2026-12-06T05:01:00Z`` → 2026-12-06)."""
    match = _DAY.match(fetched_at or "")
    if match is None:
        raise ValueError(f"fetched_at is not an ISO time: {fetched_at!r}")
    return date(int(match[1]), int(match[2]), int(match[3]))


def existing_days(conn: psycopg.Connection) -> set[date]:
    """The days ``fetches`` has a partition for."""
    rows = conn.execute(
        """SELECT c.relname FROM pg_inherits i
           JOIN pg_class c ON c.oid = i.inhrelid
           JOIN pg_class p ON p.oid = i.inhparent
           WHERE p.relname = 'fetches' AND p.relnamespace = current_schema()::regnamespace"""
    ).fetchall()
    days = set()
    for (name,) in rows:
        if re.fullmatch(r"fetches_\d{8}", name):
            digits = name[8:]
            days.add(date(int(digits[:4]), int(digits[4:6]), int(digits[6:])))
    return days


def create_day(conninfo: str, day: date) -> None:
    """Make (if missing) and attach the partition for ``day``, committed at once."""
    name, end = partition_name(day), day + timedelta(days=1)
    with psycopg.connect(conninfo, autocommit=True) as side:
        side.execute("SET lock_timeout = '30s'")
        side.execute("SELECT pg_advisory_lock(%s)", (_LOCK,))
        try:
            if day in existing_days(side):
                return
            side.execute(f"CREATE TABLE IF NOT EXISTS {name} (LIKE fetches INCLUDING DEFAULTS)")
            side.execute(
                f"ALTER TABLE fetches ATTACH PARTITION {name}"
                f" FOR VALUES FROM ('{day.isoformat()}') TO ('{end.isoformat()}')"
            )
        finally:
            side.execute("SELECT pg_advisory_unlock(%s)", (_LOCK,))
