"""The ``hosts`` table: per-host backoff kept across restarts and shown by ``status``.

The policy that decides a host's state is pure (``monitor.policy.politeness``);
this module only reads and writes it, on the writer's thread.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from monitor.policy.politeness import HostState
from monitor.times import iso, parse_iso


def load_hosts(db: sqlite_utils.Database) -> dict[str, HostState]:
    rows = db.execute(
        "SELECT host, backoff_until, reason, consecutive_errors, last_error_at FROM hosts"
    ).fetchall()
    return {
        host: HostState(
            host,
            parse_iso(until) if until else None,
            reason,
            errors,
            parse_iso(last) if last else None,
        )
        for host, until, reason, errors, last in rows
    }


def save_host(db: sqlite_utils.Database, state: HostState) -> None:
    db.execute(
        """INSERT INTO hosts (host, backoff_until, reason, consecutive_errors, last_error_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(host) DO UPDATE SET backoff_until = excluded.backoff_until,
             reason = excluded.reason, consecutive_errors = excluded.consecutive_errors,
             last_error_at = excluded.last_error_at""",
        (
            state.host,
            _iso_ceil(state.backoff_until) if state.backoff_until else None,
            state.reason,
            state.consecutive_errors,
            iso(state.last_error_at) if state.last_error_at else None,
        ),
    )


def _iso_ceil(when: datetime) -> str:
    # Stored to the second, rounded up: a restart must not wake a host early.
    whole = when.replace(microsecond=0)
    return iso(whole if whole == when else whole + timedelta(seconds=1))


def hosts_backing_off(db: sqlite_utils.Database, now: datetime) -> list[HostState]:
    """Hosts paused right now, longest pause first (for ``status``)."""
    if "hosts" not in db.table_names():
        return []
    paused = [s for s in load_hosts(db).values() if s.backing_off(now)]
    return sorted(paused, key=lambda s: (s.backoff_until, s.host), reverse=True)
