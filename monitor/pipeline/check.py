"""`article-monitor check`: one pass of the engine until nothing is left to do.

Feeds due are polled first, then the due (or all, or the given) articles are
checked once each, through the same engine, host gate and commits as ``run``:
so ``check`` is exactly as polite as the daemon (per-host limits, spacing,
robots Crawl-delay, a host's backoff).
"""

from __future__ import annotations

import random
import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType

import sqlite_utils

from monitor.config import Settings
from monitor.net.fetch import Fetcher
from monitor.pipeline.commit import CheckResult
from monitor.pipeline.discover import FeedPoll, sync_config
from monitor.pipeline.engine import Engine, Stop
from monitor.pipeline.work import HostFilter, PassWork

#: Seconds a stopped pass gives the checks in flight to finish and commit.
STOP_GRACE = 3.0


@contextmanager
def _signals_stop(engine: Engine, wanted: bool) -> Iterator[None]:
    """While the pass runs, SIGINT/SIGTERM ask the engine to stop (it finishes cleanly)."""
    if not wanted:
        yield
        return

    def on_signal(signum: int, frame: FrameType | None) -> None:
        engine.post(Stop(signum))

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


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
    #: articles that answered 404/410 and were never seen alive (a wrong URL, usually)
    gone: int = 0
    suspect: int = 0
    #: reads quarantined by an outlet incident (never stored)
    incident: int = 0
    skipped: int = 0
    results: list[CheckResult] = field(default_factory=list)
    feed_polls: list[FeedPoll] = field(default_factory=list)
    #: how often each fallback was taken (fast path, region read, ...)
    fallbacks: dict[str, int] = field(default_factory=dict)
    #: the signal that stopped the pass early, if one did
    stopped_by: int | None = None
    #: checks in flight when the pass stopped that did not finish in time (redone later)
    abandoned: int = 0

    def add(self, result: CheckResult) -> None:
        self.results.append(result)
        self.checked += 1
        self.new_versions += result.version_id is not None
        self.changes += result.change_id is not None
        self.silent += result.change_id is not None and result.silent
        self.errors += result.outcome == "error"
        self.gone += result.outcome == "gone"
        self.suspect += result.outcome == "suspect"
        self.incident += result.outcome == "incident"

    def add_feed(self, poll: FeedPoll) -> None:
        self.feed_polls.append(poll)
        self.feeds_polled += 1
        self.feed_errors += poll.error is not None
        self.new_articles += poll.new_articles

    @property
    def nothing_checked(self) -> bool:
        """Work was wanted (articles due or given, feeds due) and not one page was fetched and read."""
        wanted = self.checked + self.skipped + self.feeds_polled
        answered = self.checked - self.errors - self.gone + self.feeds_polled - self.feed_errors
        return wanted > 0 and answered <= 0

    def line(self) -> str:
        return (
            f"checked {_n(self.checked, 'article')}: {_n(self.new_versions, 'new version')}, "
            f"{_n(self.changes, 'change')}, {_n(self.silent, 'silent edit')}, "
            f"{_n(self.errors, 'error')}"
            + (f", {self.gone} gone (404/410)" if self.gone else "")
            + (f", {self.suspect} suspect" if self.suspect else "")
            + (f", {self.incident} held by an outlet incident" if self.incident else "")
            + (f", {self.skipped} skipped (host backing off)" if self.skipped else "")
            + f" (feeds: {self.feeds_polled} polled, {_n(self.new_articles, 'new article')}"
            + (f", {self.feed_errors} failed" if self.feed_errors else "")
            + ")"
            + (f"; stopped early by {signal.Signals(self.stopped_by).name}, the rest is"
               " still due" if self.stopped_by else "")
        )  # fmt: skip


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


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
    hosts: HostFilter | None = None,
    on_result: Callable[[CheckResult, int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    handle_signals: bool = False,
) -> PassSummary:
    """Poll feeds (unless given explicit articles), then check articles; returns the summary.

    With ``handle_signals`` (the ``check`` command), SIGINT and SIGTERM stop the pass:
    nothing new starts, checks in flight get :data:`STOP_GRACE` seconds to finish and
    commit, and the summary says which signal stopped it (``stopped_by``)."""
    summary = PassSummary()
    if article_ids is None:
        sync_config(db, settings, clock())
    work = PassWork(
        check_all=check_all, article_ids=article_ids, poll=poll, hosts=hosts, on_start=on_start
    )

    def result(outcome: CheckResult) -> None:
        summary.add(outcome)
        if on_result:
            on_result(outcome, work.total)

    engine = Engine(
        db, settings, fetcher, clock=clock, rng=rng, on_result=result, on_feed=summary.add_feed
    )
    with _signals_stop(engine, handle_signals):
        engine.serve(work, until_idle=True)
    if engine.stopping:
        summary.stopped_by = engine.stopped_by
        summary.abandoned = engine.drain(STOP_GRACE)
    else:
        engine.close()
    summary.skipped = work.skipped
    summary.fallbacks = dict(engine.fallbacks)
    return summary
