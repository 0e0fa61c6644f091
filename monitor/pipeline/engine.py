"""The one engine behind ``check`` and ``run``: plan → gather → commit.

Threads and who does what:

- the **writer** (the thread that calls :meth:`Engine.serve`) alone touches the
  database. It *plans* (reads what a job needs: ``gather.make_job``, a feed row),
  hands jobs to the pool as the one :class:`HostGate` allows, and *commits* each
  result in a short transaction (``commit.commit``, ``discover.commit_feed_poll``);
- a **pool** of workers *gathers*: the fetch, then the pure stages (fast path,
  region read or cascade, the rules re-read, feed parsing). Results come back
  through a queue;
- a commit that finds its job stale (the article moved on while it was in a
  worker) or in need of the stored page answers :class:`Replan`: the job is
  planned again and the same fetch read again in a worker, never under the lock.

Nothing is acknowledged before its commit: an article's ``next_check_at`` moves
only inside the transaction that stores what was fetched, so a ``kill -9`` at
any moment leaves the article due and it is simply fetched again.
"""

from __future__ import annotations

import queue
import random
import signal
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlite_utils

from monitor import store
from monitor.config import Settings
from monitor.errors import one_line
from monitor.logs import log_event
from monitor.models import FetchResult
from monitor.net.fetch import Fetcher
from monitor.pipeline.commit import CheckResult, Replan, commit
from monitor.pipeline.discover import FeedPoll, FeedRead, commit_feed_poll, read_feed
from monitor.pipeline.gather import Gathered, Job, gather, make_job, read
from monitor.pipeline.work import Busy, Candidate, WorkSource
from monitor.policy.politeness import HostGate, HostState
from monitor.store.hosts import load_hosts, save_host
from monitor.times import iso

#: An article whose commit raised (a bug, a locked database) waits this long before a retry.
COMMIT_RETRY = 300.0
#: A job re-planned this many times in a row is left for its next turn (it keeps moving).
MAX_REPLANS = 3
#: How long the writer waits for a message before looking at the clock again.
POLL = 0.25

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class _ArticleDone:
    gathered: Gathered
    host: str
    crawl_delay: float | None
    replans: int = 0


@dataclass(frozen=True)
class _FeedDone:
    feed: dict[str, Any]
    result: FetchResult
    read: FeedRead
    host: str
    crawl_delay: float | None


@dataclass(frozen=True)
class Wake:
    """Look for due work now (a scheduler tick, a host's spacing that ended)."""


@dataclass(frozen=True)
class Stop:
    signum: int


class Engine:
    """Plans, gathers and commits articles and feeds from a :class:`WorkSource`."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        settings: Settings,
        fetcher: Fetcher,
        *,
        clock: Clock,
        rng: random.Random | None = None,
        on_result: Callable[[CheckResult], None] | None = None,
        on_feed: Callable[[FeedPoll], None] | None = None,
    ) -> None:
        self.db, self.settings, self.fetcher, self.clock = db, settings, fetcher, clock
        self.rng = rng or random.Random()
        self.on_result, self.on_feed = on_result, on_feed
        self.max_concurrency = max(1, settings.fetch.max_concurrency)
        self.gate = HostGate(settings.fetch, load_hosts(db))
        #: how often each fallback was taken (fast path, region read, ...), see status
        self.fallbacks: Counter[str] = Counter()
        self.checks = 0
        self.stopping = False
        self.stopped_by: int | None = None
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._articles: dict[int, str] = {}  # in flight: article id → host
        self._feeds: set[int] = set()
        self._cooldown: dict[int, float] = {}  # article id → monotonic time it may retry
        self._wake_at: float | None = None  # monotonic time a host's spacing ends
        self._pool = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="gather")

    @property
    def in_flight(self) -> int:
        return len(self._articles) + len(self._feeds)

    def post(self, message: object) -> None:
        """Hand the writer a message; safe from any thread and from a signal handler."""
        self._queue.put(message)

    def serve(
        self,
        work: WorkSource,
        *,
        until_idle: bool,
        heartbeat: Callable[[], None] | None = None,
    ) -> None:
        """Dispatch and commit until stopped, or (``until_idle``) until the work source
        is finished and nothing is in flight."""
        self._dispatch(work)
        while not self.stopping:
            if heartbeat:
                heartbeat()
            if until_idle and not self.in_flight and work.finished(self._busy()):
                return
            message = self._next_message()
            # a pass also looks again when idle: nothing else would wake it
            self._handle(message if message is not None or not until_idle else Wake(), work)

    def close(self) -> None:
        """Release the pool once :meth:`serve` returned with nothing in flight."""
        self._pool.shutdown(wait=True)

    def drain(self, timeout: float, heartbeat: Callable[[], None] | None = None) -> int:
        """Start nothing new; let in-flight work finish and commit, within ``timeout``.
        Returns how many were abandoned (never committed: redone at the next start)."""
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            if heartbeat:
                heartbeat()
            message = self._next_message()
            if isinstance(message, _ArticleDone | _FeedDone):
                self._handle(message, None)
        abandoned = self.in_flight
        self._pool.shutdown(wait=not abandoned, cancel_futures=True)
        return abandoned

    # -- the writer loop -------------------------------------------------------------

    def _next_message(self) -> object | None:
        timeout = POLL
        if self._wake_at is not None:
            timeout = min(POLL, max(0.0, self._wake_at - time.monotonic()))
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            if self._wake_at is not None and time.monotonic() >= self._wake_at:
                return Wake()  # a host's spacing just ended: there may be work for it
            return None

    def _handle(self, message: object | None, work: WorkSource | None) -> None:
        try:
            if isinstance(message, Stop):
                self.stopping, self.stopped_by = True, message.signum
                log_event("signal", signal=signal.Signals(message.signum).name)
            elif isinstance(message, _ArticleDone):
                self._article_done(message)
            elif isinstance(message, _FeedDone):
                self._feed_done(message)
            if work is not None and message is not None and not self.stopping:
                self._dispatch(work)
        except Exception as exc:  # the engine outlives any one bad row or locked moment
            log_event("error", where=type(message).__name__, error=one_line(repr(exc)))
            time.sleep(POLL)

    def _busy(self, now: datetime | None = None, mono: float | None = None) -> Busy:
        now = self.clock() if now is None else now
        mono = time.monotonic() if mono is None else mono
        self._cooldown = {k: v for k, v in self._cooldown.items() if v > mono}
        blocked = self.gate.blocked(set(), now, mono)
        paused = {h for h, s in self.gate.states.items() if s.backing_off(now)}
        articles = set(self._articles) | set(self._cooldown)
        return Busy(articles, set(self._feeds), blocked, paused)

    def _dispatch(self, work: WorkSource) -> None:
        """Plan and start what the work source offers, as far as hosts and slots allow."""
        now, mono = self.clock(), time.monotonic()
        free = self.max_concurrency - self.in_flight
        if free > 0:
            for candidate in work.candidates(self.db, now, self._busy(now, mono), free):
                if free <= 0:
                    break
                if not self.gate.can_start(candidate.host, now, mono):
                    continue  # an earlier candidate just took the host's slot
                work.taken(candidate)
                self._start(candidate, mono)
                free -= 1
        self._wake_at = self.gate.next_free_at(mono)

    def _start(self, candidate: Candidate, mono: float) -> None:
        self.gate.started(candidate.host, mono)
        if candidate.kind == "feed":
            assert candidate.feed is not None
            self._feeds.add(candidate.key)
            self._pool.submit(self._gather_feed, candidate.feed, candidate.host)
        else:
            job = make_job(self.db, self.settings, candidate.key)
            self._articles[candidate.key] = candidate.host
            self._pool.submit(self._gather_article, job, candidate.host)

    # -- workers (pool threads: network and pure stages only) -----------------------

    def _gather_article(self, job: Job, host: str) -> None:
        try:
            gathered = gather(job, self.fetcher)
        except Exception as exc:  # gather promises not to raise; a bug must not lose the slot
            failed = FetchResult(
                job.article.url, iso(self.clock()), "network_error", error=one_line(repr(exc))
            )
            gathered = Gathered(job=job, fetch=failed)
        self.post(_ArticleDone(gathered, host, self._crawl_delay(job.article.url)))

    def _read_again(
        self, job: Job, fetch: FetchResult, host: str, replans: int, canonical: str | None
    ) -> None:
        try:
            # a fetch of the canonical page stays that page's (monitor.pipeline.variants)
            gathered = replace(read(job, fetch), canonical=canonical)
        except Exception as exc:
            gathered = Gathered(job=job, fetch=fetch, extract_error=one_line(repr(exc)))
        self.post(_ArticleDone(gathered, host, None, replans))

    def _gather_feed(self, feed: dict[str, Any], host: str) -> None:
        try:
            result = self.fetcher.fetch(
                feed["url"], etag=feed.get("etag"), last_modified=feed.get("last_modified")
            )
        except Exception as exc:
            result = FetchResult(
                feed["url"], iso(self.clock()), "network_error", error=one_line(repr(exc))
            )
        parsed = read_feed(result, feed["url"])
        self.post(_FeedDone(feed, result, parsed, host, self._crawl_delay(feed["url"])))

    def _crawl_delay(self, url: str) -> float | None:
        try:
            return self.fetcher.crawl_delay(url)
        except Exception:
            return None

    # -- commits (writer thread) -----------------------------------------------------

    def _article_done(self, done: _ArticleDone) -> None:
        job = done.gathered.job
        now = self.clock()
        if done.replans == 0:  # the network part is over: free the host's slot
            self._host_finished(done.host, done.gathered.fetch, now, done.crawl_delay)
        try:
            outcome = commit(self.db, done.gathered, self.settings, now, self.rng)
        except Exception as exc:
            self._articles.pop(job.article.id, None)
            self._cooldown[job.article.id] = time.monotonic() + COMMIT_RETRY
            self._report(CheckResult(job.article.id, job.article.url, "error",
                                     error=f"commit failed: {one_line(repr(exc))}"))  # fmt: skip
            return
        if isinstance(outcome, Replan):
            self._replan(outcome, done)
            return
        self._articles.pop(job.article.id, None)
        self.fallbacks.update(done.gathered.fallbacks)
        fetch = done.gathered.fetch
        self._report(replace(outcome, status_code=fetch.status_code,
                             fetch_outcome=fetch.outcome, fetch_ms=round(fetch.elapsed * 1000)))  # fmt: skip

    def _replan(self, replan: Replan, done: _ArticleDone) -> None:
        job = replan.gathered.job
        self.fallbacks[f"replan_{replan.reason}"] += 1
        row = store.find_article(self.db, job.article.id) or store.find_article(
            self.db, job.article.url
        )
        if row is None or done.replans >= MAX_REPLANS:
            self._articles.pop(job.article.id, None)  # still due: checked again next turn
            return
        if int(row["id"]) != job.article.id:
            # merged into its canonical article: the slot moves to the survivor, unless
            # the survivor's own check is in flight (it commits; this one is dropped)
            self._articles.pop(job.article.id, None)
            if int(row["id"]) in self._articles:
                return
            self._articles[int(row["id"])] = done.host
        fresh = make_job(self.db, self.settings, int(row["id"]), with_stored=replan.with_stored)
        self._pool.submit(
            self._read_again,
            fresh,
            replan.gathered.fetch,
            done.host,
            done.replans + 1,
            replan.gathered.canonical,
        )

    def _report(self, result: CheckResult) -> None:
        self.checks += 1
        if self.on_result:
            self.on_result(result)

    def _feed_done(self, done: _FeedDone) -> None:
        self._feeds.discard(done.feed["id"])
        now = self.clock()
        self._host_finished(done.host, done.result, now, done.crawl_delay)
        poll = commit_feed_poll(self.db, self.settings, done.feed, done.result, done.read, now)
        if self.on_feed:
            self.on_feed(poll)

    def _host_finished(
        self, host: str, result: FetchResult, now: datetime, crawl_delay: float | None
    ) -> None:
        changed = self.gate.finished(host, result, now, crawl_delay, time.monotonic())
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
