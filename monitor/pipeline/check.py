"""One pass of the monitor: poll due feeds, check due (or chosen) articles, summarise.

Fetching and extraction run in worker threads, bounded per host; every write
happens on the calling thread, one transaction per article.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from monitor import store
from monitor.config import FetchSettings, Settings
from monitor.net.fetch import Fetcher
from monitor.pipeline.commit import CheckResult, commit
from monitor.pipeline.discover import FeedPoll, poll_feed, sync_config
from monitor.pipeline.gather import Gathered, Job, gather, make_job
from monitor.policy.politeness import HostState, after_fetch
from monitor.store import feeds as feedstore
from monitor.store.hosts import load_hosts, save_host
from monitor.times import iso
from monitor.urls import host_key


@dataclass
class PassSummary:
    feeds_polled: int = 0
    feed_errors: int = 0
    new_articles: int = 0
    checked: int = 0
    new_versions: int = 0
    changes: int = 0
    silent: int = 0
    errors: int = 0
    suspect: int = 0
    skipped: int = 0
    results: list[CheckResult] = field(default_factory=list)
    feed_polls: list[FeedPoll] = field(default_factory=list)

    def add(self, result: CheckResult) -> None:
        self.results.append(result)
        self.checked += 1
        self.new_versions += result.version_id is not None
        self.changes += result.change_id is not None
        self.silent += result.change_id is not None and result.silent
        self.errors += result.outcome == "error"
        self.suspect += result.outcome == "suspect"

    def line(self) -> str:
        return (
            f"checked {self.checked} articles: {self.new_versions} new versions, "
            f"{self.changes} changes, {self.silent} silent edits, {self.errors} errors"
            + (f", {self.suspect} suspect" if self.suspect else "")
            + (f", {self.skipped} skipped (host backing off)" if self.skipped else "")
            + f" (feeds: {self.feeds_polled} polled, {self.new_articles} new articles"
            + (f", {self.feed_errors} failed" if self.feed_errors else "")
            + ")"
        )


def poll_feeds(
    db: sqlite_utils.Database,
    fetcher: Fetcher,
    settings: Settings,
    now: datetime,
    summary: PassSummary,
    *,
    all_feeds: bool,
) -> None:
    for feed in feedstore.feeds_due(db, iso(now), all_feeds=all_feeds):
        if feed["parent_feed_id"] is not None and not all_feeds:
            continue  # children of a sitemap index are polled through their parent
        for poll in poll_feed(db, fetcher, settings, feed, now):
            summary.feed_polls.append(poll)
            summary.feeds_polled += 1
            summary.feed_errors += poll.error is not None
            summary.new_articles += poll.new_articles


def run_pass(
    db: sqlite_utils.Database,
    fetcher: Fetcher,
    settings: Settings,
    *,
    clock: Callable[[], datetime],
    rng: random.Random,
    check_all: bool = False,
    article_ids: Iterable[int] | None = None,
    poll: bool = True,
    on_result: Callable[[CheckResult, int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> PassSummary:
    """Poll feeds (unless given explicit articles), then check articles; returns the summary."""
    summary = PassSummary()
    now = clock()
    if article_ids is None:
        sync_config(db, settings, now)
        if poll:
            poll_feeds(db, fetcher, settings, now, summary, all_feeds=check_all)
        ids = store.all_article_ids(db) if check_all else store.articles_due(db, iso(clock()))
    else:
        ids = list(dict.fromkeys(article_ids))  # the same article twice in one pass: once
    if on_start:
        on_start(len(ids))
    hosts = load_hosts(db)

    def runnable() -> Iterator[Job]:
        # Jobs are made as the window has room: each holds the latest version's text,
        # so making them all up front costs memory in proportion to the tracked articles.
        for article_id in _interleave_hosts(db, ids):
            job = make_job(db, settings, article_id)
            state = hosts.get(host_key(job.article.url))
            if state is not None and state.backing_off(now):
                summary.skipped += 1  # a host's Retry-After or error backoff binds `check` too
            else:
                yield job

    for gathered in _gather_all(runnable(), fetcher, settings.fetch):
        result = commit(db, gathered, settings, clock(), rng)
        _record_host(db, hosts, gathered, clock())
        summary.add(result)
        if on_result:
            on_result(result, len(ids))
    return summary


def _record_host(
    db: sqlite_utils.Database, hosts: dict[str, HostState], gathered: Gathered, now: datetime
) -> None:
    host = host_key(gathered.job.article.url)
    before = hosts.get(host, HostState(host))
    after = after_fetch(before, gathered.fetch, now)
    if after != before:
        hosts[host] = after
        with store.transaction(db):
            save_host(db, after)


#: Jobs in flight (fetching, or waiting for a host slot) at once, per worker thread.
WINDOW_PER_WORKER = 8


class _HostPacer:
    """Per-host concurrency and spacing within one pass (min_host_delay, robots Crawl-delay)."""

    def __init__(self, settings: FetchSettings, fetcher: Fetcher) -> None:
        self._settings, self._fetcher = settings, fetcher
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}
        self._lock = threading.Lock()

    @contextmanager
    def turn(self, host: str, url: str) -> Iterator[None]:
        with self._lock:
            slots = self._slots.setdefault(
                host, threading.Semaphore(self._settings.per_host_concurrency)
            )
        with slots:
            spacing = max(self._settings.min_host_delay, self._fetcher.crawl_delay(url) or 0.0)
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, 0.0))
                self._next_start[host] = start + spacing
            if start > now:
                time.sleep(start - now)
            yield


def _interleave_hosts(db: sqlite_utils.Database, ids: list[int]) -> list[int]:
    """Round-robin over hosts, so one big outlet does not hold every worker."""
    by_host: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        urls = dict(db.execute(f"SELECT id, url FROM articles WHERE id IN ({marks})", chunk))
        for article_id in chunk:
            by_host[host_key(urls.get(article_id, ""))].append(article_id)
    queues = list(by_host.values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


def _gather_all(
    jobs: Iterable[Job], fetcher: Fetcher, settings: FetchSettings
) -> Iterator[Gathered]:
    pacer = _HostPacer(settings, fetcher)

    def work(job: Job) -> Gathered:
        with pacer.turn(host_key(job.article.url), job.article.url):
            return gather(job, fetcher)

    workers = max(1, settings.max_concurrency)
    pending = iter(jobs)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="check") as pool:
        in_flight: set[Future[Gathered]] = set()
        while True:
            for job in itertools.islice(pending, workers * WINDOW_PER_WORKER - len(in_flight)):
                in_flight.add(pool.submit(work, job))
            if not in_flight:
                return
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
