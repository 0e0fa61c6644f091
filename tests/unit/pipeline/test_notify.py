"""Webhook delivery logic alone: filters, payloads, retries, the per-hour cap and digest,
the starting point of a new target, [[notify]] config validation. A fake clock and a
recording poster stand in for time and HTTP; the database is a real SQLite file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from monitor import store
from monitor.config import ConfigError, NotifySettings, settings_from_mapping
from monitor.models import Classification, Evidence
from monitor.pipeline.notify import Delivery, TargetWorker, label, matches, retry_delay
from monitor.store import feeds as feedstore
from monitor.store import versions as version_store
from monitor.store.outbox import ChangeInfo
from tests.conftest import Clock

URL = "http://127.0.0.1:9/hook/SECRET-TOKEN"


@dataclass
class Recorder:
    """A poster that records each call and answers from a script (then 200s)."""

    script: list[Delivery] = field(default_factory=list)
    calls: list[tuple[dict, dict[str, str]]] = field(default_factory=list)

    def __call__(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Delivery:
        self.calls.append((json.loads(body), headers))
        return self.script.pop(0) if self.script else Delivery(True, 200)

    def change_ids(self) -> list[int]:
        return [p["change_id"] for p, _ in self.calls if p["type"] == "change"]


@pytest.fixture
def db(store_target: str):
    """Two outlets with an article each, on SQLite and on PostgreSQL."""
    database = store.open_db(store_target)
    with store.transaction(database):
        for name in ("capitol", "harbor"):
            outlet = feedstore.ensure_outlet(database, name)
            store.add_article(database, f"https://{name}.test/a", outlet, "2026-11-25T00:00:00Z")
    return database


def add_change(
    db, *, outlet: str = "capitol", kinds: tuple[str, ...] = ("headline",), silent: bool = True
) -> int:
    """Store two versions of the outlet's article and the change between them."""
    article = store.find_article(db, f"https://{outlet}.test/a")
    assert article is not None
    with store.transaction(db):
        versions = []
        for title in ("Old headline", "New headline"):
            fields = {"captured_at": "2026-11-25T00:00:00Z", "title": title, "byline": "B"}
            fields |= {"body": "text", "content_hash": title}
            versions.append(version_store.insert_version(db, article["id"], fields))
        verdict = Classification(
            kinds, (Evidence(kinds[0], "title", "New headline", "Old", "New"),), silent, "edited"
        )
        return version_store.insert_change(
            db,
            article["id"],
            from_version_id=versions[0].id,
            to_version_id=versions[1].id,
            detected_at="2026-11-25T12:00:00Z",
            classification=verdict,
        )


def run_steps(worker: TargetWorker, n: int = 50) -> None:
    for _ in range(n):
        worker.step()


def test_only_changes_after_the_target_was_added_are_sent(db, clock: Clock) -> None:
    """A new target starts at the newest change: history is not replayed into the channel,
    and the starting point survives a restart (a second worker for the same URL)."""
    old = add_change(db)
    poster = Recorder()
    worker = TargetWorker(db, NotifySettings(url=URL), poster, clock)
    new = add_change(db)
    run_steps(worker)
    assert poster.change_ids() == [new]
    again = TargetWorker(db, NotifySettings(url=URL), poster, clock)
    later = add_change(db)
    run_steps(again)
    assert poster.change_ids() == [new, later]
    assert old not in poster.change_ids()


def test_filters_silent_kinds_and_outlets(db, clock: Clock) -> None:
    """silent_only, kinds (any overlap) and outlets each keep non-matching changes out."""
    target = NotifySettings(url=URL, kinds=("headline", "numbers"), outlets=("capitol",))
    poster = Recorder()
    worker = TargetWorker(db, target, poster, clock)
    wanted = add_change(db, kinds=("numbers", "wording"))
    add_change(db, kinds=("headline",), silent=False)  # not silent
    add_change(db, kinds=("wording",))  # no listed kind
    add_change(db, outlet="harbor")  # other outlet
    run_steps(worker)
    assert poster.change_ids() == [wanted]


def test_payload_and_idempotency_key(db, clock: Clock) -> None:
    """The payload names the change, article, outlet, kinds, evidence, headlines and the
    review path; the Idempotency-Key is target + change id; configured headers are sent."""
    target = NotifySettings(url=URL, headers={"Authorization": "Bearer abc"})
    poster = Recorder()
    worker = TargetWorker(db, target, poster, clock)
    change_id = add_change(db, kinds=("headline", "quote"))
    run_steps(worker)
    (payload, headers), *_ = poster.calls
    assert payload["change_id"] == change_id
    assert payload["url"] == "https://capitol.test/a" and payload["outlet"] == "capitol"
    assert payload["kinds"] == ["headline", "quote"] and payload["silent"] is True
    assert payload["headline_before"] == "Old headline"
    assert payload["headline_after"] == "New headline"
    assert payload["evidence"][0]["text"] == "New headline"
    assert payload["review_url"] == f"/-/monitor/change/{change_id}"
    assert payload["detected_at"] == "2026-11-25T12:00:00Z"
    assert headers["Idempotency-Key"] == f"{worker.key}:{change_id}"
    assert headers["Authorization"] == "Bearer abc"
    assert "SECRET" not in worker.key and "SECRET" not in worker.label


def test_failures_retry_with_backoff_then_succeed_once(db, clock: Clock) -> None:
    """500 twice, then 200: three attempts spaced by the doubling backoff, one success, and
    nothing more is sent afterwards."""
    target = NotifySettings(url=URL, backoff=10.0)
    poster = Recorder([Delivery(False, 500, "HTTP 500"), Delivery(False, 500, "HTTP 500")])
    worker = TargetWorker(db, target, poster, clock)
    add_change(db)
    run_steps(worker, 5)
    assert len(poster.calls) == 1  # waiting out the first backoff
    clock.advance(seconds=9)
    run_steps(worker, 5)
    assert len(poster.calls) == 1
    clock.advance(seconds=1)
    run_steps(worker, 5)
    assert len(poster.calls) == 2
    clock.advance(seconds=19)
    run_steps(worker, 5)
    assert len(poster.calls) == 2  # the second wait is 20 s
    clock.advance(seconds=1)
    run_steps(worker, 5)
    clock.advance(hours=2)
    run_steps(worker, 5)
    assert len(poster.calls) == 3
    row = db.execute("SELECT status, attempts, last_error FROM notify_outbox").fetchone()
    assert row == ("sent", 3, None)


def test_retry_after_is_honoured(db, clock: Clock) -> None:
    """A 429 with Retry-After: 120 delays the next attempt by 120 s, not the backoff."""
    poster = Recorder([Delivery(False, 429, "HTTP 429", retry_after=120.0)])
    worker = TargetWorker(db, NotifySettings(url=URL, backoff=1.0), poster, clock)
    add_change(db)
    run_steps(worker, 3)
    clock.advance(seconds=100)
    run_steps(worker, 3)
    assert len(poster.calls) == 1
    clock.advance(seconds=20)
    run_steps(worker, 3)
    assert len(poster.calls) == 2


def test_retry_delay_doubles_and_is_capped() -> None:
    """Backoff doubles per failed attempt and never exceeds an hour; Retry-After wins."""
    target = NotifySettings(url=URL, backoff=10.0)
    assert [retry_delay(target, n, None) for n in (1, 2, 3)] == [10.0, 20.0, 40.0]
    assert retry_delay(target, 30, None) == 3600.0
    assert retry_delay(target, 1, 7.0) == 7.0


def test_gives_up_after_a_day_and_moves_on(db, clock: Clock) -> None:
    """A change the receiver keeps refusing is marked failed after 24 h; the next one goes."""
    poster = Recorder([Delivery(False, 503, "HTTP 503")] * 40)
    worker = TargetWorker(db, NotifySettings(url=URL, backoff=600.0), poster, clock)
    first = add_change(db)
    for _ in range(30):
        run_steps(worker, 2)
        clock.advance(hours=1)
    second = add_change(db)
    poster.script.clear()
    run_steps(worker, 5)
    status = dict(db.execute("SELECT change_id, status FROM notify_outbox").fetchall())
    assert status == {first: "failed", second: "sent"}
    assert poster.change_ids()[-1] == second


def test_per_hour_cap_holds_back_and_sends_one_digest(db, clock: Clock) -> None:
    """max_per_hour = 3 and 8 changes: 3 are sent, the other 5 held; when the hour has
    passed, one "5 more changes held back" payload goes, not the 5 changes."""
    poster = Recorder()
    worker = TargetWorker(db, NotifySettings(url=URL, max_per_hour=3), poster, clock)
    ids = [add_change(db) for _ in range(8)]
    run_steps(worker)
    assert poster.change_ids() == ids[:3]
    clock.advance(minutes=59)
    run_steps(worker)
    assert len(poster.calls) == 3
    clock.advance(minutes=2)
    run_steps(worker)
    assert len(poster.calls) == 4
    digest, headers = poster.calls[-1]
    assert digest["type"] == "held_back" and digest["count"] == 5
    assert digest["change_ids"] == ids[3:]
    assert "5 more changes held back" in digest["summary"]
    assert headers["Idempotency-Key"].startswith(f"{worker.key}:digest-")
    run_steps(worker)
    assert len(poster.calls) == 4  # the digest replaced the held changes for good


def test_matching_is_pure() -> None:
    """Empty kinds and outlets match anything; silent_only=false lets loud changes through."""
    loud = ChangeInfo(1, "metro", ("correction_note", "wording"), silent=False)
    assert matches(NotifySettings(url=URL, silent_only=False), loud)
    assert not matches(NotifySettings(url=URL), loud)
    assert not matches(NotifySettings(url=URL, silent_only=False, outlets=("capitol",)), loud)


def test_label_hides_path_and_query() -> None:
    """Logs and the database name a target by scheme, host and port only."""
    assert label("https://hooks.example.org/services/T0/B0/XYZ?token=1") == (
        "https://hooks.example.org"
    )
    assert label("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080"


def test_notify_config_is_typed_and_validated() -> None:
    """[[notify]] entries get defaults and typed values; bad values are one-line errors."""
    settings = settings_from_mapping(
        {"notify": [{"url": URL, "kinds": ["headline"], "timeout": "3s", "headers": {"A": "b"}}]}
    )
    (target,) = settings.notify
    assert (target.silent_only, target.max_per_hour, target.timeout) == (True, 30, 3.0)
    assert target.kinds == ("headline",) and target.headers == {"A": "b"}
    assert "Bearer" not in repr(
        settings_from_mapping({"notify": [{"url": URL, "headers": {"Authorization": "Bearer x"}}]})
    )
    bad = [
        {"url": "ftp://x"},
        {"url": URL, "kinds": ["nonsense"]},
        {"url": URL, "max_per_hour": 0},
        {"url": URL, "headers": {"A": 1}},
        {"url": URL, "silent_only": "yes"},
        {"url": URL, "colour": "red"},
    ]
    for entry in bad:
        with pytest.raises(ConfigError):
            settings_from_mapping({"notify": [entry]})
    with pytest.raises(ConfigError, match="duplicate"):
        settings_from_mapping({"notify": [{"url": URL}, {"url": URL}]})


def test_retention_config() -> None:
    """[retention] snapshot_max_age defaults to 180 days and takes a duration."""
    assert settings_from_mapping({}).retention.snapshot_max_age == 180 * 86400
    assert settings_from_mapping({"retention": {"snapshot_max_age": "30d"}}).retention == (
        type(settings_from_mapping({}).retention)(30 * 86400)
    )
    with pytest.raises(ConfigError):
        settings_from_mapping({"retention": {"snapshot_max_age": "soon"}})


def test_http_poster_obeys_the_address_guard_and_sends_headers() -> None:
    """Without allow_private_addresses a webhook on 127.0.0.1 is refused before any request;
    with it the POST goes out with the JSON body and headers, and a redirect is a failure."""
    from monitor.config import FetchSettings, Settings
    from monitor.pipeline.notify import HttpPoster
    from tests.integration.test_notify_daemon import Receiver

    with Receiver(lambda n: 200 if n == 0 else 307) as receiver:
        refused = HttpPoster(Settings())(receiver.url("/h"), b"{}", {}, 2.0)
        assert not refused.ok and "non-public" in (refused.error or "")
        assert receiver.posts == []
        poster = HttpPoster(Settings(fetch=FetchSettings(allow_private_addresses=True)))
        sent = poster(receiver.url("/h"), b'{"a": 1}', {"Idempotency-Key": "k:1"}, 2.0)
        redirected = poster(receiver.url("/h"), b'{"a": 2}', {}, 2.0)
        poster.close()
    assert sent.ok and receiver.posts[0][:2] == ("k:1", {"a": 1})
    assert not redirected.ok and redirected.status_code == 307


def _open_incident(db, outlet: str) -> int:
    from monitor.store import incidents

    article = store.find_article(db, f"https://{outlet}.test/a")
    assert article is not None
    with store.transaction(db):
        return incidents.start(db, article["outlet_id"], "consent_or_paywall", None,
                               (article["id"],), "2026-11-25T12:00:00Z", f"incident at {outlet}")  # fmt: skip


def test_an_incident_is_one_payload_for_targets_of_its_outlet(db, clock: Clock) -> None:
    """An outlet incident reaches each target whose outlet filter takes it as one
    "incident" payload (even a silent-only target); incidents opened before the target
    was added, and incidents of other outlets, are never sent."""
    from monitor.store import incidents

    earlier = _open_incident(db, "capitol")  # before the targets: never sent
    with store.transaction(db):
        incidents.close(db, earlier, "2026-11-25T12:30:00Z", "over")
    recorder = Recorder()
    everyone = TargetWorker(db, NotifySettings(URL), recorder, clock)
    harbor_only = TargetWorker(db, NotifySettings(URL + "2", outlets=("harbor",)), recorder, clock)
    incident_id = _open_incident(db, "capitol")
    run_steps(everyone)
    run_steps(harbor_only)
    assert [p["type"] for p, _ in recorder.calls] == ["incident"]
    payload, headers = recorder.calls[0]
    assert (payload["incident_id"], payload["outlet"]) == (incident_id, "capitol")
    assert payload["summary"] == "incident at capitol"
    assert headers["Idempotency-Key"].endswith(f":incident-{incident_id}")
