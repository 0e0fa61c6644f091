"""One pass of the monitor: poll due feeds, check due (or chosen) articles, summarise.

Fetching and extraction run in worker threads, bounded per host; every write
happens on the calling thread, one transaction per article.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from monitor import store
from monitor.check import CheckResult, Job, commit, gather, make_job
from monitor.config import Settings
from monitor.discover import FeedPoll, host_of, poll_feed, sync_config
from monitor.fetch import Fetcher, iso

#: Upper bound on simultaneous fetches in one pass, whatever the number of hosts.
GLOBAL_CONCURRENCY = 8


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
    for feed in store.feeds_due(db, iso(now), all_feeds=all_feeds):
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
        ids = list(article_ids)
    if on_start:
        on_start(len(ids))
    # Jobs are made as the window has room: each holds the latest version's text, so
    # making them all up front costs memory in proportion to the tracked articles.
    jobs = (make_job(db, settings, article_id) for article_id in ids)
    for gathered in _gather_all(jobs, fetcher, settings.fetch.per_host_concurrency):
        result = commit(db, gathered, settings, clock(), rng)
        summary.add(result)
        if on_result:
            on_result(result, len(ids))
    return summary


#: Jobs in flight (fetching, or waiting for a host slot) at once, per worker thread.
WINDOW_PER_WORKER = 8


def _gather_all(jobs: Iterable[Job], fetcher: Fetcher, per_host: int) -> Iterable:
    locks: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(per_host))

    def work(job: Job):  # type: ignore[no-untyped-def]
        with locks[host_of(job.article.url)]:
            return gather(job, fetcher)

    pending = iter(jobs)
    with ThreadPoolExecutor(max_workers=GLOBAL_CONCURRENCY, thread_name_prefix="check") as pool:
        in_flight: set[Future] = set()
        while True:
            for job in itertools.islice(
                pending, GLOBAL_CONCURRENCY * WINDOW_PER_WORKER - len(in_flight)
            ):
                locks[host_of(job.article.url)]  # made here: defaultdict is not thread-safe
                in_flight.add(pool.submit(work, job))
            if not in_flight:
                return
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
