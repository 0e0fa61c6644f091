"""Time, the project's one way: timezone-aware UTC, ISO 8601 strings to the second.

Every stored time is a string from :func:`iso`; :func:`parse_iso` reads them back.
Stages never read the clock themselves: ``now`` is passed in (see :func:`utcnow`).
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """The project's one time format: UTC ISO 8601 to the second, "2026-11-25T19:42:53Z"."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
