"""Webhook notifications: POST each new matching change to the ``[[notify]]`` targets.

Design (why it never blocks checks): every target gets one **delivery thread**
with **its own SQLite connection** (WAL lets it read while the daemon's writer
writes). The thread scans ``changes`` past its cursor, queues matches in the
``notify_outbox`` table (monitor.store.outbox), and delivers the queue in order.
The database is only touched in short transactions with no network I/O inside,
so the writer waits at most milliseconds for the lock; an HTTP request, however
slow or failing, only ever holds up its own target's thread. The daemon's
writer loop is not changed at all: the outbox is filled from the committed
``changes`` table, so a change is queued whether it came from the daemon or
from ``check``.

Delivery: JSON payload, ``Idempotency-Key: <target>:<change id>`` (receivers can
drop the rare duplicate left by a crash between their 2xx and our commit),
exponential backoff (``backoff``, doubling, capped at an hour) or the
receiver's Retry-After, given up after a day. Per target at most
``max_per_hour`` deliveries in any sliding hour: changes over the cap are held
back, and when the window reopens they are announced by one digest payload
("N more changes held back") instead of a flood.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import sqlite_utils

from monitor import store
from monitor.config import NotifySettings, Settings
from monitor.errors import one_line
from monitor.logs import log_event
from monitor.net.fetch import parse_retry_after
from monitor.net.guard import GuardedBackend, check_host, deadline_scope
from monitor.net.tls import LazyTLSPool, transport_shell
from monitor.store import outbox
from monitor.store.outbox import ChangeInfo, OutboxRow
from monitor.store.pg import is_postgres, is_postgres_url
from monitor.times import iso, utcnow

#: Longest wait between two looks at the database when a target has nothing due.
IDLE_POLL = 0.5
#: Upper bound on any retry delay, Retry-After included.
MAX_RETRY = 3600.0
#: Pause after an unexpected error in a delivery thread (a locked database, a bug).
ERROR_PAUSE = 5.0
REVIEW_PATH = "/-/monitor/change/{id}"
#: an incident is shown on its outlet's page (and on the desk while it is open)
INCIDENT_PATH = "/-/monitor/outlet/{id}"

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Delivery:
    """The outcome of one POST: ok, or the error and the receiver's Retry-After."""

    ok: bool
    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None


Poster = Callable[[str, bytes, dict[str, str], float], Delivery]


def matches(target: NotifySettings, change: ChangeInfo) -> bool:
    """Whether ``target`` wants ``change``: silent filter, any listed kind, listed outlet."""
    if target.silent_only and not change.silent:
        return False
    if target.kinds and not set(target.kinds) & set(change.kinds):
        return False
    return not target.outlets or change.outlet in target.outlets


def matches_outlet(target: NotifySettings, outlet: str | None) -> bool:
    """Whether ``target`` wants an incident of ``outlet`` (only its outlet filter applies:
    an incident is news whatever kinds or silence the target asks for)."""
    return not target.outlets or outlet in target.outlets


def incident_payload(row: dict[str, Any]) -> dict[str, Any]:
    """The JSON body for an outlet incident (row from ``outbox.incident_payload_row``)."""
    return {
        "type": "incident",
        "incident_id": row["incident_id"],
        "outlet": row["outlet"],
        "kind": row["kind"],
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        "articles": row["articles"],
        "summary": row["summary"],
        "review_url": INCIDENT_PATH.format(id=row["outlet_id"]),
    }


def label(url: str) -> str:
    """What logs and the database show for a target: scheme and host, never path or query."""
    parts = httpx.URL(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.host}{port}"


def change_payload(row: dict[str, Any]) -> dict[str, Any]:
    """The JSON body for one change (row from ``outbox.change_payload_row``)."""
    return {
        "type": "change",
        "change_id": row["change_id"],
        "article_id": row["article_id"],
        "url": row["url"],
        "outlet": row["outlet"],
        "kinds": json.loads(row["kinds"]),
        "silent": bool(row["silent"]),
        "summary": row["summary"],
        "evidence": json.loads(row["evidence"] or "[]"),
        "detected_at": row["detected_at"],
        "headline_before": row["headline_before"],
        "headline_after": row["headline_after"],
        "review_url": REVIEW_PATH.format(id=row["change_id"]),
    }


def digest_payload(count: int, change_ids: list[int], now: datetime) -> dict[str, Any]:
    """The JSON body announcing the changes a per-hour cap held back."""
    noun = "change" if count == 1 else "changes"
    return {
        "type": "held_back",
        "count": count,
        "change_ids": change_ids,
        "summary": f"{count} more {noun} held back (per-hour limit); see the review UI",
        "review_urls": [REVIEW_PATH.format(id=i) for i in change_ids],
        "detected_at": iso(now),
    }


def retry_delay(target: NotifySettings, attempts: int, retry_after: float | None) -> float:
    """Seconds before the next try after ``attempts`` failures: Retry-After wins when given."""
    if retry_after is not None:
        return min(MAX_RETRY, max(0.0, retry_after))
    return min(MAX_RETRY, target.backoff * 2 ** max(0, attempts - 1))


class HttpPoster:
    """POSTs JSON through the fetcher's address guard; never follows redirects."""

    def __init__(self, settings: Settings) -> None:
        self._allow_private = settings.fetch.allow_private_addresses
        self._user_agent = settings.fetch.user_agent
        transport = transport_shell()
        # Same swap as monitor.net.fetch: the pool's backend vets the address it connects to.
        transport._pool = LazyTLSPool(
            max_connections=4,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(allow_private=self._allow_private),
        )
        self._client = httpx.Client(transport=transport, follow_redirects=False, trust_env=False)

    def __call__(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Delivery:
        try:
            parts = httpx.URL(url)
            all_headers = {
                "User-Agent": self._user_agent,
                "Content-Type": "application/json",
                **headers,
            }
            # the address check's DNS lookup counts against the delivery's own timeout
            with deadline_scope(time.monotonic() + timeout):
                check_host(parts.host, parts.port or 443, allow_private=self._allow_private)
                response = self._client.post(
                    url, content=body, headers=all_headers, timeout=timeout
                )
        except Exception as exc:  # every network failure is a retryable delivery failure
            return Delivery(False, error=one_line(f"{type(exc).__name__}: {exc}"))
        if 200 <= response.status_code < 300:
            return Delivery(True, response.status_code)
        return Delivery(
            False,
            response.status_code,
            error=f"HTTP {response.status_code}",
            retry_after=parse_retry_after(response.headers.get("Retry-After"), utcnow()),
        )

    def close(self) -> None:
        self._client.close()


class TargetWorker:
    """One target's delivery loop body; ``step`` does one unit of work (tests drive it)."""

    def __init__(
        self, db: sqlite_utils.Database, target: NotifySettings, post: Poster, clock: Clock
    ) -> None:
        self.db, self.target, self.post, self.clock = db, target, post, clock
        self.key = outbox.target_key(target.url)
        self.label = label(target.url)
        outbox.register_target(db, self.key, self.label, clock())

    def step(self) -> float:
        """Queue new matches, then deliver at most one row; returns seconds to wait."""
        now = self.clock()
        outbox.enqueue(self.db, self.key, lambda c: matches(self.target, c), now)
        outbox.enqueue_incidents(self.db, self.key, lambda o: matches_outlet(self.target, o), now)
        sent = outbox.sent_in_window(self.db, self.key, now)
        if sent < self.target.max_per_hour and outbox.held_count(self.db, self.key):
            outbox.make_digest(self.db, self.key, now)
        row = outbox.next_pending(self.db, self.key)
        if row is None:
            return IDLE_POLL
        if row.next_attempt_at and row.next_attempt_at > iso(now):
            due = datetime.fromisoformat(row.next_attempt_at.replace("Z", "+00:00"))
            return min(IDLE_POLL, max(0.05, (due - now).total_seconds()))
        if row.kind == "change" and sent >= self.target.max_per_hour:
            outbox.hold(self.db, row.id)
            log_event("notify_held", target=self.label, change=row.change_id)
            return 0.0
        self._deliver(row, now)
        return 0.0

    def _deliver(self, row: OutboxRow, now: datetime) -> None:
        payload = self._payload(row, now)
        if payload is None:  # the change row vanished (never happens in normal use)
            outbox.mark_failed(self.db, row, "change not found", now, MAX_RETRY)
            return
        ident = {"change": row.change_id, "incident": f"incident-{row.incident_id}"}.get(
            row.kind, f"digest-{row.id}"
        )
        headers = {**self.target.headers, "Idempotency-Key": f"{self.key}:{ident}"}
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        result = self.post(self.target.url, body, headers, self.target.timeout)
        done = self.clock()
        if result.ok:
            outbox.mark_sent(self.db, row.id, done)
            log_event("notify", target=self.label, kind=row.kind, id=ident, status="sent")
            return
        delay = retry_delay(self.target, row.attempts + 1, result.retry_after)
        status = outbox.mark_failed(self.db, row, result.error or "failed", done, delay)
        log_event(
            "notify",
            target=self.label,
            kind=row.kind,
            id=ident,
            status="failed" if status == "failed" else "retry",
            attempts=row.attempts + 1,
            retry_in=round(delay, 1),
            error=result.error,
        )

    def _payload(self, row: OutboxRow, now: datetime) -> dict[str, Any] | None:
        if row.kind == "digest":
            ids = outbox.digested_change_ids(self.db, row.id)
            return digest_payload(row.held_count or len(ids), ids, now)
        if row.kind == "incident":
            assert row.incident_id is not None
            found_incident = outbox.incident_payload_row(self.db, row.incident_id)
            return incident_payload(found_incident) if found_incident else None
        assert row.change_id is not None
        found = outbox.change_payload_row(self.db, row.change_id)
        return change_payload(found) if found else None


class NotificationService:
    """The delivery threads of all targets; started and stopped by the daemon."""

    def __init__(
        self,
        db_path: Path | str,
        settings: Settings,
        *,
        clock: Clock = utcnow,
        post: Poster | None = None,
    ) -> None:
        # a PostgreSQL URL stays a string (a Path would fold its "///")
        self.db_path = db_path if is_postgres_url(db_path) else Path(db_path)
        self.settings, self.clock = settings, clock
        self._poster = HttpPoster(settings) if post is None else None
        self._post: Poster = post or self._poster  # type: ignore[assignment]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> NotificationService:
        for target in self.settings.notify:
            # Registration happens before start() returns: "changes before this run"
            # are fixed now, not whenever the thread gets scheduled.
            db = store.open_db(self.db_path)
            worker = TargetWorker(db, target, self._post, self.clock)
            thread = threading.Thread(
                target=self._loop, args=(worker,), name=f"notify-{worker.key}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the POSTs in progress (each bounded by its target's timeout)."""
        self._stop.set()
        bound = timeout
        if bound is None:
            bound = max((t.timeout for t in self.settings.notify), default=0) + 1.0
        deadline = time.monotonic() + bound
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._poster is not None and not any(t.is_alive() for t in self._threads):
            self._poster.close()

    def _loop(self, worker: TargetWorker) -> None:
        try:
            while not self._stop.is_set():
                try:
                    wait = worker.step()
                except Exception as exc:  # a locked moment or a bad row must not end delivery
                    log_event("error", where="notify", target=worker.label, error=repr(exc))
                    wait = ERROR_PAUSE
                if wait:
                    self._stop.wait(wait)
        finally:
            worker.db.conn.close()


def start_notifications(db: sqlite_utils.Database, settings: Settings) -> NotificationService:
    """Start delivery threads for ``settings.notify`` against the file ``db`` is open on."""
    if is_postgres(db):
        return NotificationService(db.conninfo, settings).start()
    path = db.execute("PRAGMA database_list").fetchone()[2]
    return NotificationService(path, settings).start()
