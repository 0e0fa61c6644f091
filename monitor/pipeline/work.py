"""What the engine does next: the due work of ``run`` and the one pass of ``check``.

A work source hands the engine candidates (an article check or a feed poll, with
its host); the engine decides, through its one :class:`~monitor.policy.politeness.HostGate`,
which may start now. Both sources read on the writer's thread only, and both can be
limited to a subset of hosts (one engine per shard of hosts when scaling out).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

import sqlite_utils

from monitor import store
from monitor.store import feeds as feedstore
from monitor.store.pg import is_postgres
from monitor.times import iso
from monitor.urls import host_key

#: Which hosts an engine serves (a shard); None: all of them.
HostFilter = Callable[[str], bool]


@dataclass(frozen=True)
class Candidate:
    """One unit of work that may start: an article check or a feed poll."""

    due: str
    kind: Literal["article", "feed"]
    key: int  # article id or feed id
    host: str
    feed: dict[str, Any] | None = None


@dataclass
class Busy:
    """What the engine has in flight and what it was told to leave alone for now."""

    articles: set[int] = field(default_factory=set)
    feeds: set[int] = field(default_factory=set)
    #: hosts that may not start a request now (in backoff, at their limit, spacing)
    blocked: set[str] = field(default_factory=set)
    #: of those, hosts in backoff (a 429's Retry-After, consecutive errors)
    paused: set[str] = field(default_factory=set)


class WorkSource(Protocol):
    def candidates(
        self, db: sqlite_utils.Database, now: datetime, busy: Busy, limit: int
    ) -> list[Candidate]: ...

    def taken(self, candidate: Candidate) -> None: ...

    def finished(self, busy: Busy) -> bool: ...


class DueWork:
    """``run``: whatever is due, oldest first, for as long as the engine runs."""

    def __init__(self, db: sqlite_utils.Database, hosts: HostFilter | None = None) -> None:
        self._hosts = hosts
        self._shard: list[str] | None = None  # PostgreSQL: the hosts ``hosts`` wants
        self._postgres = is_postgres(db)
        if self._postgres:
            return  # no Python functions inside PostgreSQL: see _pg_candidates
        db.conn.create_function("monitor_host", 1, host_key, deterministic=True)
        wanted = hosts or (lambda host: True)
        db.conn.create_function("monitor_host_wanted", 1, lambda h: int(wanted(h or "")))

    def candidates(
        self, db: sqlite_utils.Database, now: datetime, busy: Busy, limit: int
    ) -> list[Candidate]:
        if self._postgres:
            return self._pg_candidates(db, now, busy, limit)
        db.execute("UPDATE articles SET host = monitor_host(url) WHERE host IS NULL")
        shard = "AND monitor_host_wanted(host)" if self._hosts else ""
        # Paused and busy hosts are filtered in SQL, so a host with thousands of due
        # articles in backoff cannot fill the batch and starve the healthy ones.
        rows = db.execute(
            f"""SELECT next_check_at, id, host FROM articles
               WHERE status != 'stopped' AND next_check_at <= ?
                 AND host NOT IN (SELECT value FROM json_each(?))
                 AND id NOT IN (SELECT value FROM json_each(?)) {shard}
               ORDER BY next_check_at LIMIT ?""",
            (iso(now), json.dumps(sorted(busy.blocked)), json.dumps(sorted(busy.articles)),
             max(16, limit * 4)),
        ).fetchall()  # fmt: skip
        found = [Candidate(due, "article", aid, host) for due, aid, host in rows]
        found.extend(_due_feeds(db, now, busy, self._hosts, all_feeds=False))
        return sorted(found, key=lambda c: (c.due, c.kind))

    def _pg_candidates(
        self, db: sqlite_utils.Database, now: datetime, busy: Busy, limit: int
    ) -> list[Candidate]:
        """The same query on PostgreSQL: hosts filled in from Python, the busy sets as
        arrays, and a shard as the list of its hosts (kept, and redone only when new
        hosts appear, so a tick never scans every article)."""
        missing = db.execute("SELECT id, url FROM articles WHERE host IS NULL").fetchall()
        if missing:
            db.conn.executemany(
                "UPDATE articles SET host = ? WHERE id = ?",
                [(host_key(url), article_id) for article_id, url in missing],
            )
        shard, params = "", [iso(now), sorted(busy.blocked), sorted(busy.articles)]
        if self._hosts is not None:
            if missing or self._shard is None:
                hosts = db.execute("SELECT DISTINCT host FROM articles").fetchall()
                self._shard = sorted(h for (h,) in hosts if h is not None and self._hosts(h))
            shard = "AND host = ANY(?)"
            params.append(self._shard)
        rows = db.execute(
            f"""SELECT next_check_at, id, host FROM articles
               WHERE status != 'stopped' AND next_check_at <= ?
                 AND host <> ALL(?) AND id <> ALL(?) {shard}
               ORDER BY next_check_at LIMIT ?""",
            (*params, max(16, limit * 4)),
        ).fetchall()
        found = [Candidate(due, "article", aid, host) for due, aid, host in rows]
        found.extend(_due_feeds(db, now, busy, self._hosts, all_feeds=False))
        return sorted(found, key=lambda c: (c.due, c.kind))

    def taken(self, candidate: Candidate) -> None:
        pass  # the engine's in-flight set keeps it from being offered twice

    def finished(self, busy: Busy) -> bool:
        return False


def _due_feeds(
    db: sqlite_utils.Database,
    now: datetime,
    busy: Busy,
    hosts: HostFilter | None,
    *,
    all_feeds: bool,
    skip: Iterable[int] = (),
) -> list[Candidate]:
    done = set(skip)
    found = []
    for feed in feedstore.feeds_due(db, iso(now), all_feeds=all_feeds):
        if feed["id"] in busy.feeds or feed["id"] in done:
            continue  # in flight, or polled already in this pass
        host = host_key(feed["url"])
        if host in busy.blocked or (hosts is not None and not hosts(host)):
            continue
        found.append(Candidate(feed["next_poll_at"] or "", "feed", feed["id"], host, feed))
    return found


class PassWork:
    """``check``: one pass. Due feeds first (sitemap children as they become due),
    then the due (or all, or the given) articles, each at most once, round-robin over
    hosts. Articles of a host in backoff are skipped, not waited for."""

    def __init__(
        self,
        *,
        check_all: bool = False,
        article_ids: Iterable[int] | None = None,
        poll: bool = True,
        hosts: HostFilter | None = None,
        on_start: Callable[[int], None] | None = None,
    ) -> None:
        self._all, self._hosts, self._on_start = check_all, hosts, on_start
        self._given = list(dict.fromkeys(article_ids)) if article_ids is not None else None
        self._polling = poll and self._given is None
        self._polled: set[int] = set()
        self._queues: dict[str, deque[int]] | None = None
        self.skipped = 0
        self.total = 0

    def candidates(
        self, db: sqlite_utils.Database, now: datetime, busy: Busy, limit: int
    ) -> list[Candidate]:
        if self._polling:
            feeds = _due_feeds(
                db, now, busy, self._hosts, all_feeds=self._all, skip=self._polled
            )
            if feeds or busy.feeds:
                return feeds[:limit]
            self._polling = False  # every feed polled: now the articles they listed
        queues = self._articles(db, now)
        for host in [h for h in queues if h in busy.paused]:
            self.skipped += len(queues.pop(host))  # a host's backoff binds check too
        open_hosts = [(h, q) for h, q in queues.items() if h not in busy.blocked]
        found: list[Candidate] = []
        for depth in range(max(1, limit)):  # round-robin: the first of each, then the second
            for host, host_queue in open_hosts:
                if depth < len(host_queue) and len(found) < limit:
                    found.append(Candidate("", "article", host_queue[depth], host))
            if len(found) >= limit or all(depth >= len(q) for _, q in open_hosts):
                break
        return found

    def taken(self, candidate: Candidate) -> None:
        if candidate.kind == "feed":
            self._polled.add(candidate.key)
            return
        assert self._queues is not None
        host_queue = self._queues[candidate.host]
        host_queue.remove(candidate.key)
        if not host_queue:
            del self._queues[candidate.host]

    def finished(self, busy: Busy) -> bool:
        return not self._polling and self._queues is not None and not self._queues

    def _articles(self, db: sqlite_utils.Database, now: datetime) -> dict[str, deque[int]]:
        if self._queues is None:
            if self._given is not None:
                ids = self._given
            elif self._all:
                ids = store.all_article_ids(db)
            else:
                ids = store.articles_due(db, iso(now))
            self._queues = _by_host(db, ids, self._hosts)
            self.total = sum(map(len, self._queues.values()))
            if self._on_start:
                self._on_start(self.total)
        return self._queues


def _by_host(
    db: sqlite_utils.Database, ids: list[int], hosts: HostFilter | None
) -> dict[str, deque[int]]:
    """Article ids queued per host, in the given order (round-robin takes one of each)."""
    queues: dict[str, deque[int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        urls = dict(db.execute(f"SELECT id, url FROM articles WHERE id IN ({marks})", chunk))
        for article_id in chunk:
            host = host_key(urls.get(article_id, ""))
            if hosts is None or hosts(host):
                queues.setdefault(host, deque()).append(article_id)
    return queues
