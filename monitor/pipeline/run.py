"""`article-monitor run`: the long-running monitor.

Threads and who does what:

- the **main thread is the writer**: it alone touches the database. It picks due
  work (indexed ``articles.next_check_at``, ``feeds.next_poll_at``), hands fetches
  to the pool, and commits each result in one transaction (``check.commit``);
- one APScheduler interval job (the **dispatcher tick**) only wakes the writer,
  so a slow commit never piles up overlapping dispatches;
- a **fetch pool** the daemon owns runs ``gather.gather`` (fetch, extract,
  normalize) and feed downloads; results come back through a queue.

Nothing is acknowledged before its commit: an article's ``next_check_at`` moves
only inside the transaction that stores what was fetched, so a ``kill -9`` at
any moment leaves the article due and it is simply fetched again.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import random
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType
from typing import Any

import sqlite_utils
from apscheduler.schedulers.background import BackgroundScheduler

from monitor import store
from monitor.config import Settings
from monitor.errors import one_line
from monitor.logs import log_event
from monitor.models import FetchResult
from monitor.net.fetch import Fetcher
from monitor.pipeline.commit import commit
from monitor.pipeline.discover import poll_feed, sync_config
from monitor.pipeline.gather import Gathered, Job, gather, make_job
from monitor.pipeline.notify import start_notifications
from monitor.pipeline.sdnotify import Notifier
from monitor.policy.politeness import HostGate, HostState
from monitor.store import feeds as feedstore
from monitor.store.hosts import load_hosts, save_host
from monitor.times import iso, utcnow
from monitor.urls import host_key

#: Seconds between dispatcher ticks (work is also dispatched whenever a fetch finishes).
DISPATCH_INTERVAL = 0.5
#: An article whose commit raised (a bug, a locked database) waits this long before a retry.
COMMIT_RETRY = 300.0
#: How long the writer waits for a message before looking at the clock again.
_POLL = 0.25

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class _ArticleDone:
    gathered: Gathered
    host: str
    crawl_delay: float | None


@dataclass(frozen=True)
class _FeedDone:
    feed: dict[str, Any]
    result: FetchResult
    host: str
    crawl_delay: float | None


@dataclass(frozen=True)
class _Tick:
    pass


@dataclass(frozen=True)
class _Stop:
    signum: int


class _Prefetched:
    """A Fetcher stand-in for ``poll_feed`` on the writer thread: the feed itself was
    already downloaded by a worker. (Sitemap-index children are not fetched here: they
    become due feeds and go through the pool and the host gate like any other.)"""

    def __init__(self, fetcher: Fetcher, result: FetchResult) -> None:
        self._fetcher, self._result = fetcher, result

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        if self._result is not None and url == self._result.url:
            result, self._result = self._result, None  # type: ignore[assignment]
            return result
        return self._fetcher.fetch(url, etag=etag, last_modified=last_modified)


class Daemon:
    """Owns the writer loop, the fetch pool, the dispatcher job and per-host politeness."""

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
    ) -> None:
        self.db, self.settings, self.fetcher = db, settings, fetcher
        self.clock = clock
        self.rng = rng or random.Random()
        self.notifier = notifier or Notifier()
        self.shutdown_timeout = shutdown_timeout
        self.dispatch_interval = dispatch_interval
        self.max_concurrency = settings.fetch.max_concurrency
        self.gate = HostGate(settings.fetch, load_hosts(db))
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._articles: dict[int, str] = {}  # in flight: article id → host
        self._feeds: set[int] = set()  # in flight: feed ids
        self._cooldown: dict[int, float] = {}  # article id → monotonic time it may retry
        self._stopping = False
        self._tick_pending = threading.Event()
        self._last_ping = 0.0
        self._wake_at: float | None = None  # monotonic time a host becomes free again
        self._pool = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="fetch")
        self._scheduler = BackgroundScheduler(timezone=UTC)
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
        db.conn.create_function("monitor_host", 1, host_key, deterministic=True)

    @property
    def in_flight(self) -> int:
        return len(self._articles) + len(self._feeds)

    # -- lifecycle ------------------------------------------------------------------

    def request_stop(self, signum: int = signal.SIGTERM) -> None:
        """Ask the daemon to stop; safe from a signal handler (SimpleQueue.put is reentrant)."""
        self._queue.put(_Stop(signum))

    def run(self) -> int:
        """Serve until asked to stop; returns the number of fetches abandoned at shutdown."""
        sync_config(self.db, self.settings, self.clock())
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
        try:
            while not self._stopping:
                self._ping_watchdog()
                self._handle(self._next_message())
        finally:
            self._scheduler.shutdown(wait=False)
        return self._drain()

    def _tick(self) -> None:
        # Runs on APScheduler's thread: only wake the writer, never touch the database.
        if not self._tick_pending.is_set():
            self._tick_pending.set()
            self._queue.put(_Tick())

    def _next_message(self) -> object | None:
        timeout = _POLL
        if self._wake_at is not None:
            timeout = min(_POLL, max(0.0, self._wake_at - time.monotonic()))
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            if self._wake_at is not None and time.monotonic() >= self._wake_at:
                return _Tick()  # a host's spacing just ended: there may be work for it
            return None

    def _ping_watchdog(self) -> None:
        interval = self.notifier.watchdog_interval
        now = time.monotonic()
        if interval and now - self._last_ping >= interval:
            self._last_ping = now
            self.notifier.watchdog()

    def _drain(self) -> int:
        """Stop dispatching; let in-flight work finish and commit, within the bound."""
        log_event("stopping", in_flight=self.in_flight, timeout=self.shutdown_timeout)
        self.notifier.stopping(f"finishing {self.in_flight} fetches")
        deadline = time.monotonic() + self.shutdown_timeout
        while self.in_flight and time.monotonic() < deadline:
            self._ping_watchdog()
            message = self._next_message()
            if isinstance(message, _ArticleDone | _FeedDone):
                self._handle(message)
        abandoned = self.in_flight
        self._pool.shutdown(wait=False, cancel_futures=True)
        log_event("stopped", abandoned=abandoned)
        return abandoned

    def _handle(self, message: object | None) -> None:
        try:
            if isinstance(message, _Stop):
                self._stopping = True
                log_event("signal", signal=signal.Signals(message.signum).name)
            elif isinstance(message, _ArticleDone):
                self._article_done(message)
                self._dispatch()
            elif isinstance(message, _FeedDone):
                self._feed_done(message)
                self._dispatch()
            elif isinstance(message, _Tick):
                self._tick_pending.clear()  # harmless for a wake-up tick: one more may queue
                self._dispatch()
        except Exception as exc:  # the daemon outlives any one bad row or locked moment
            log_event("error", where=type(message).__name__, error=one_line(repr(exc)))
            time.sleep(_POLL)

    # -- dispatching (writer thread) -------------------------------------------------

    def _dispatch(self) -> None:
        """Start due feeds and articles, oldest due first, as far as hosts and slots allow."""
        if self._stopping:
            return
        now, mono = self.clock(), time.monotonic()
        free = self.max_concurrency - self.in_flight
        if free > 0:
            for _, kind, key, host in self._candidates(now, mono, free):
                if free <= 0:
                    break
                if not self.gate.can_start(host, now, mono):
                    continue  # an earlier candidate just took the host's slot
                if kind == "feed":
                    self._start_feed(key, host, mono)
                else:
                    self._start_article(key, host, mono)
                free -= 1
        self._wake_at = self.gate.next_free_at(mono)

    def _candidates(self, now: datetime, mono: float, free: int) -> list[tuple]:
        """Due work on hosts that may get a request now: (due, kind, feed row or id, host)."""
        self.db.execute("UPDATE articles SET host = monitor_host(url) WHERE host IS NULL")
        self._cooldown = {k: v for k, v in self._cooldown.items() if v > mono}
        blocked = self.gate.blocked(set(), now, mono)
        busy = [*self._articles, *self._cooldown]
        # Paused and busy hosts are filtered in SQL, so a host with thousands of due
        # articles in backoff cannot fill the batch and starve the healthy ones.
        rows = self.db.execute(
            """SELECT next_check_at, id, host FROM articles
               WHERE status != 'stopped' AND next_check_at <= ?
                 AND host NOT IN (SELECT value FROM json_each(?))
                 AND id NOT IN (SELECT value FROM json_each(?))
               ORDER BY next_check_at LIMIT ?""",
            (iso(now), json.dumps(sorted(blocked)), json.dumps(busy), max(16, free * 4)),
        ).fetchall()
        found: list[tuple] = [(due, "article", aid, host) for due, aid, host in rows]
        for feed in feedstore.feeds_due(self.db, iso(now)):
            if feed["id"] in self._feeds:
                continue  # in flight (sitemap children are dispatched like any feed)
            host = host_key(feed["url"])
            if host not in blocked:
                found.append((feed["next_poll_at"] or "", "feed", feed, host))
        return sorted(found, key=lambda c: (c[0], c[1]))

    def _start_article(self, article_id: int, host: str, mono: float) -> None:
        job = make_job(self.db, self.settings, article_id)
        self._articles[article_id] = host
        self.gate.started(host, mono)
        self._pool.submit(self._gather_article, job, host)

    def _start_feed(self, feed: dict[str, Any], host: str, mono: float) -> None:
        self._feeds.add(feed["id"])
        self.gate.started(host, mono)
        self._pool.submit(self._fetch_feed, feed, host)

    # -- workers (pool threads: network and pure stages only) -----------------------

    def _gather_article(self, job: Job, host: str) -> None:
        try:
            gathered = gather(job, self.fetcher)
        except Exception as exc:  # gather promises not to raise; a bug must not lose the slot
            failed = FetchResult(
                job.article.url, iso(self.clock()), "network_error", error=one_line(repr(exc))
            )
            gathered = Gathered(job=job, fetch=failed)
        self._queue.put(_ArticleDone(gathered, host, self._crawl_delay(job.article.url)))

    def _fetch_feed(self, feed: dict[str, Any], host: str) -> None:
        try:
            result = self.fetcher.fetch(
                feed["url"], etag=feed.get("etag"), last_modified=feed.get("last_modified")
            )
        except Exception as exc:
            result = FetchResult(
                feed["url"], iso(self.clock()), "network_error", error=one_line(repr(exc))
            )
        self._queue.put(_FeedDone(feed, result, host, self._crawl_delay(feed["url"])))

    def _crawl_delay(self, url: str) -> float | None:
        try:
            return self.fetcher.crawl_delay(url)
        except Exception:
            return None

    # -- results (writer thread) -----------------------------------------------------

    def _article_done(self, done: _ArticleDone) -> None:
        article_id = done.gathered.job.article.id
        self._articles.pop(article_id, None)
        now = self.clock()
        self._host_finished(done.host, done.gathered.fetch, now, done.crawl_delay)
        try:
            result = commit(self.db, done.gathered, self.settings, now, self.rng)
        except Exception:
            self._cooldown[article_id] = time.monotonic() + COMMIT_RETRY
            raise
        fetch = done.gathered.fetch
        log_event(
            "check",
            id=result.article_id,
            url=result.url,
            outcome=result.outcome,
            kinds=result.kinds,
            silent=result.silent if result.change_id else None,
            status=fetch.status_code,
            fetch=fetch.outcome,
            ms=round(fetch.elapsed * 1000),
            **({"error": result.error} if result.error else {}),
        )

    def _feed_done(self, done: _FeedDone) -> None:
        self._feeds.discard(done.feed["id"])
        now = self.clock()
        self._host_finished(done.host, done.result, now, done.crawl_delay)
        source = _Prefetched(self.fetcher, done.result)
        polls = poll_feed(
            self.db,
            source,
            self.settings,
            done.feed,
            now,
            follow_children=False,  # type: ignore[arg-type]
        )
        for poll in polls:
            log_event(
                "feed",
                id=poll.feed_id,
                url=poll.url,
                entries=poll.entries,
                new=poll.new_articles,
                **({"error": poll.error} if poll.error else {}),
            )

    def _host_finished(
        self, host: str, result: FetchResult, now: datetime, crawl_delay: float | None
    ) -> None:
        changed = self.gate.finished(host, result, now, crawl_delay)
        if changed is None:
            return
        with store.transaction(self.db):
            save_host(self.db, changed)
        if changed.backing_off(now):
            _log_backoff(changed)


def _log_backoff(state: HostState) -> None:
    assert state.backoff_until is not None
    log_event(
        "host_backoff",
        host=state.host,
        until=state.backoff_until.isoformat(timespec="seconds"),
        errors=state.consecutive_errors,
        reason=state.reason,
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
