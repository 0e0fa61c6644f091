"""Per-host politeness: how many requests to one host at once, how far apart, and when not at all.

A host is the URL's authority (host, and port when not the scheme's default):
robots.txt is per authority too (RFC 9309), and test servers on one address
differ only by port. :func:`after_fetch` is the pure policy (what a response
says about a host); :class:`HostGate` applies it on the daemon's writer thread;
the ``hosts`` table keeps backoffs across restarts and shows them in ``status``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from monitor.config import FetchSettings
from monitor.models import FetchResult
from monitor.policy.schedule import error_backoff

#: First pause after a host error; doubles with each further consecutive error.
HOST_BACKOFF_BASE = 30.0
#: A host that keeps failing is still tried hourly: outages end.
HOST_MAX_BACKOFF = 3600.0
#: Outcomes that say the host itself is in trouble (not just one page).
HOST_ERRORS = frozenset({"timeout", "network_error"})


@dataclass(frozen=True)
class HostState:
    """A row of ``hosts``: why and until when a host is left alone."""

    host: str
    backoff_until: datetime | None = None
    reason: str | None = None
    consecutive_errors: int = 0
    last_error_at: datetime | None = None

    def backing_off(self, now: datetime) -> bool:
        return self.backoff_until is not None and self.backoff_until > now


def is_host_error(result: FetchResult) -> bool:
    if result.outcome in HOST_ERRORS:
        return True
    return result.outcome == "http_error" and (result.status_code or 0) >= 500


def after_fetch(
    state: HostState, result: FetchResult, now: datetime, base: float = HOST_BACKOFF_BASE
) -> HostState:
    """The host's state once ``result`` came back from it.

    A success clears the error count but never shortens a pause already decided:
    a request in flight when a 429 arrived must not cancel its Retry-After.
    """
    if result.outcome == "rate_limited":
        errors = state.consecutive_errors + 1
        wait = result.retry_after
        if wait is None:
            wait = min(error_backoff(errors, base), HOST_MAX_BACKOFF)
            why = f"HTTP {result.status_code} without Retry-After"
        else:
            why = f"HTTP {result.status_code} Retry-After {wait:g}s"
        return _paused(state, now, wait, why, errors)
    if is_host_error(result):
        errors = state.consecutive_errors + 1
        wait = min(error_backoff(errors, base), HOST_MAX_BACKOFF)
        detail = result.error or f"HTTP {result.status_code}"
        return _paused(state, now, wait, f"{errors} consecutive errors, last {detail}", errors)
    if state.consecutive_errors == 0:
        return state
    return replace(state, consecutive_errors=0)


def _paused(state: HostState, now: datetime, wait: float, why: str, errors: int) -> HostState:
    until = now + timedelta(seconds=wait)
    if state.backoff_until is not None and state.backoff_until > until:
        until = state.backoff_until  # a longer pause already asked for still stands
    return HostState(state.host, until, why[:300], errors, now)


class HostGate:
    """Decides which hosts may get a request now. Used from one thread only (the writer)."""

    def __init__(self, settings: FetchSettings, states: dict[str, HostState] | None = None) -> None:
        self._settings = settings
        self.states: dict[str, HostState] = dict(states or {})
        self._in_flight: dict[str, int] = {}
        self._next_start: dict[str, float] = {}  # monotonic seconds
        self._crawl_delay: dict[str, float] = {}
        self._answered: set[str] = set()  # hosts that answered a request of this process

    def in_flight(self, host: str) -> int:
        return self._in_flight.get(host, 0)

    def can_start(self, host: str, now: datetime, mono: float) -> bool:
        state = self.states.get(host)
        if state is not None and state.backing_off(now):
            return False
        # robots.txt asking for a crawl delay means one request at a time, spaced; and
        # until a host first answers, its robots.txt (and any 429) is not known yet.
        careful = self._crawl_delay.get(host) or host not in self._answered
        limit = 1 if careful else self._settings.per_host_concurrency
        return self.in_flight(host) < limit and mono >= self._next_start.get(host, 0.0)

    def blocked(self, hosts: set[str], now: datetime, mono: float) -> set[str]:
        """Of ``hosts`` (plus every host known to be paused), those that may not start now."""
        known = hosts | set(self.states) | set(self._in_flight) | set(self._next_start)
        return {h for h in known if not self.can_start(h, now, mono)}

    def next_free_at(self, mono: float) -> float | None:
        """The earliest future moment a host's spacing ends, to wake the dispatcher then."""
        self._next_start = {h: t for h, t in self._next_start.items() if t > mono}
        return min(self._next_start.values(), default=None)

    def started(self, host: str, mono: float) -> None:
        self._in_flight[host] = self.in_flight(host) + 1
        spacing = max(self._settings.min_host_delay, self._crawl_delay.get(host, 0.0))
        self._next_start[host] = mono + spacing

    def finished(
        self,
        host: str,
        result: FetchResult,
        now: datetime,
        crawl_delay: float | None = None,
        mono: float | None = None,
    ) -> HostState | None:
        """Account for a finished request; returns the host's state when it changed.

        A host's first answer also restarts its spacing from ``mono`` (now): that job
        fetched robots.txt before its page, so its page request started late."""
        if host not in self._answered and mono is not None:
            spacing = max(self._settings.min_host_delay, float(crawl_delay or 0.0))
            self._next_start[host] = max(self._next_start.get(host, 0.0), mono + spacing)
        self._answered.add(host)
        self._in_flight[host] = max(0, self.in_flight(host) - 1)
        if not self._in_flight[host]:
            del self._in_flight[host]
        if crawl_delay:
            self._crawl_delay[host] = float(crawl_delay)
        else:
            self._crawl_delay.pop(host, None)
        before = self.states.get(host, HostState(host))
        after = after_fetch(before, result, now)
        if after == before:
            return None
        self.states[host] = after
        return after
