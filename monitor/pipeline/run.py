"""`article-monitor run`: the engine under APScheduler, until SIGTERM or SIGINT.

The engine (monitor.pipeline.engine) does the work, on this process's main thread
as the writer; this module adds what a long-running service needs around it:
one APScheduler interval job (the **dispatcher tick**) that only wakes the writer,
so a slow commit never piles up overlapping dispatches; signals; the systemd
notify protocol and watchdog; a periodic ``event=stats`` line (checks and the
fallbacks taken, so a regression shows in the log, not only as CPU); webhook
delivery beside it; and a bounded drain at shutdown.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType

import sqlite_utils
from apscheduler.schedulers.background import BackgroundScheduler

from monitor.config import Settings
from monitor.logs import log_event
from monitor.net.fetch import Fetcher
from monitor.pipeline.commit import CheckResult
from monitor.pipeline.discover import FeedPoll, sync_config
from monitor.pipeline.engine import Engine, Stop, Wake
from monitor.pipeline.notify import start_notifications
from monitor.pipeline.reschedule import apply_schedule, next_due
from monitor.pipeline.sdnotify import Notifier
from monitor.pipeline.work import DueWork, HostFilter
from monitor.times import parse_iso, utcnow

#: Seconds between dispatcher ticks (work is also dispatched whenever a fetch finishes).
DISPATCH_INTERVAL = 0.5
#: Seconds between ``event=stats`` lines.
STATS_INTERVAL = 300.0
#: Seconds between looks at whether the daemon went idle (to log when work is next due).
IDLE_PROBE = 1.0

Clock = Callable[[], datetime]


class Daemon:
    """The engine, its dispatcher tick, the watchdog and the periodic stats line."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        settings: Settings,
        fetcher: Fetcher,
        *,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
        notifier: Notifier | None = None,
        shutdown_timeout: float = 30.0,
        dispatch_interval: float = DISPATCH_INTERVAL,
        hosts: HostFilter | None = None,
    ) -> None:
        self.db, self.settings, self.clock = db, settings, clock
        self.notifier = notifier or Notifier()
        self.shutdown_timeout = shutdown_timeout
        self.dispatch_interval = dispatch_interval
        self.engine = Engine(
            db, settings, fetcher, clock=clock, rng=rng, on_result=_log_check, on_feed=_log_feed
        )
        self.work = DueWork(db, hosts)
        self._tick_pending = threading.Event()
        self._last_ping = 0.0
        self._last_stats = time.monotonic()
        self._rng = rng or random.Random()
        self._idle_logged: int | None = None  # engine.checks when event=next_due was logged
        self._next_idle_probe = 0.0
        self._scheduler = BackgroundScheduler(timezone=UTC)
        logging.getLogger("apscheduler").setLevel(logging.ERROR)

    def request_stop(self, signum: int = signal.SIGTERM) -> None:
        """Ask the daemon to stop; safe from a signal handler (SimpleQueue.put is reentrant)."""
        self.engine.post(Stop(signum))

    def run(self) -> int:
        """Serve until asked to stop; returns the number of fetches abandoned at shutdown."""
        sync_config(self.db, self.settings, self.clock())
        moved = apply_schedule(self.db, self.settings.schedule, self.clock(), self._rng)
        log_event("schedule", articles_earlier=moved.earlier, articles_later=moved.later,
                  articles_resumed=moved.resumed, feeds_moved=moved.feeds)  # fmt: skip
        self._scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.dispatch_interval,
            id="dispatch",
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(UTC),
        )
        self._scheduler.start()
        counts = self.db.execute(
            "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM feeds)"
        ).fetchone()
        log_event("ready", pid=os.getpid(), articles=counts[0], feeds=counts[1])
        self.notifier.ready(f"watching {counts[0]} articles, {counts[1]} feeds")
        self._log_next_due()
        try:
            self.engine.serve(self.work, until_idle=False, heartbeat=self._heartbeat)
        finally:
            self._scheduler.shutdown(wait=False)
        in_flight = self.engine.in_flight
        log_event("stopping", in_flight=in_flight, timeout=self.shutdown_timeout)
        self.notifier.stopping(f"finishing {in_flight} fetches")
        abandoned = self.engine.drain(self.shutdown_timeout, heartbeat=self._ping_watchdog)
        self._log_stats()
        log_event("stopped", abandoned=abandoned)
        return abandoned

    def _tick(self) -> None:
        # Runs on APScheduler's thread: only wake the writer, never touch the database.
        if not self._tick_pending.is_set():
            self._tick_pending.set()
            self.engine.post(Wake())

    def _heartbeat(self) -> None:
        self._tick_pending.clear()  # harmless if a tick is queued: one more may follow
        self._ping_watchdog()
        if time.monotonic() - self._last_stats >= STATS_INTERVAL:
            self._log_stats()
        self._idle_probe()

    def _idle_probe(self) -> None:
        """Once the work of a burst is done, say when work is next due (one line a burst)."""
        if self.engine.in_flight or self._idle_logged == self.engine.checks:
            return
        mono = time.monotonic()
        if mono < self._next_idle_probe:
            return
        self._next_idle_probe = mono + IDLE_PROBE
        self._log_next_due(only_if_idle=True)

    def _log_next_due(self, *, only_if_idle: bool = False) -> None:
        now = self.clock()
        due = next_due(self.db, now)
        if only_if_idle and (due.articles_due or due.feeds_due):
            return  # still work waiting (host spacing, a backoff): not idle yet
        self._idle_logged = self.engine.checks
        log_event("next_due", articles_due=due.articles_due, next_article=due.next_article,
                  next_article_in=_until(due.next_article, now), feeds_due=due.feeds_due,
                  next_feed=due.next_feed, next_feed_in=_until(due.next_feed, now))  # fmt: skip

    def _ping_watchdog(self) -> None:
        interval = self.notifier.watchdog_interval
        now = time.monotonic()
        if interval and now - self._last_ping >= interval:
            self._last_ping = now
            self.notifier.watchdog()

    def _log_stats(self) -> None:
        self._last_stats = time.monotonic()
        fallbacks = {f"fallback_{k}": v for k, v in sorted(self.engine.fallbacks.items())}
        log_event("stats", checks=self.engine.checks, in_flight=self.engine.in_flight, **fallbacks)


def _until(moment: str | None, now: datetime) -> str | None:
    """``13m``, ``2h5m``, ``45s``: how long until ``moment``, for people reading the log."""
    if moment is None:
        return None
    seconds = max(0, round((parse_iso(moment) - now).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m{secs}s" if minutes and secs else f"{minutes}m" if minutes else f"{secs}s"


def _log_check(result: CheckResult) -> None:
    log_event(
        "check",
        id=result.article_id,
        url=result.url,
        outcome=result.outcome,
        kinds=result.kinds,
        silent=result.silent if result.change_id else None,
        status=result.status_code,
        fetch=result.fetch_outcome,
        ms=result.fetch_ms,
        **({"error": result.error} if result.error else {}),
    )
    if result.incident is not None:
        note = result.incident
        log_event(f"incident_{note.event}", id=note.incident_id, outlet=note.outlet,
                  kind=note.kind, articles=note.articles, summary=note.summary)  # fmt: skip


def _log_feed(poll: FeedPoll) -> None:
    log_event(
        "feed",
        id=poll.feed_id,
        url=poll.url,
        entries=poll.entries,
        new=poll.new_articles,
        **({"held_back": poll.held_back, "cap": poll.cap} if poll.held_back else {}),
        **({"error": poll.error} if poll.error else {}),
    )


def run_daemon(
    db: sqlite_utils.Database,
    settings: Settings,
    *,
    shutdown_timeout: float = 30.0,
    clock: Clock = utcnow,
) -> int:
    """The process around a :class:`Daemon`: signals, the fetcher, the exit. Returns 0."""
    fetcher = Fetcher(settings.fetch, clock=clock)
    daemon = Daemon(db, settings, fetcher, clock=clock, shutdown_timeout=shutdown_timeout)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        daemon.request_stop(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    # Webhook delivery runs beside the daemon on its own threads and connections
    # (monitor.pipeline.notify): it never holds up the writer or a check.
    notifications = start_notifications(db, settings) if settings.notify else None
    try:
        abandoned = daemon.run()
    finally:
        if notifications is not None:
            notifications.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if abandoned:
        # Fetch threads still blocked on the network would hold interpreter exit past
        # the bound; their work was never committed, so it is simply redone next start.
        sys.stdout.flush()
        db.conn.close()
        os._exit(0)
    fetcher.close()
    return 0
