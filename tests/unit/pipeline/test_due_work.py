"""The daemon's due work (``DueWork``) on both stores: oldest due first, busy hosts and
articles left out, and a shard of hosts served even when other hosts have more due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor import store
from monitor.pipeline.work import Busy, DueWork
from monitor.times import iso

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _track(db, host: str, n: int, minutes_ago: int) -> list[int]:
    due = iso(NOW - timedelta(minutes=minutes_ago))
    return [store.add_article(db, f"http://{host}/{i}", None, due)[0] for i in range(n)]


def test_a_shard_gets_its_due_articles_under_a_flood_of_other_hosts(store_target: str) -> None:
    """100 articles of another host are due earlier than the shard's two: the shard's
    engine is still offered its two (the shard is in the query, not filtered after the
    limit), and nothing of the other host."""
    db = store.open_db(store_target)
    _track(db, "flood.test", 100, minutes_ago=30)
    mine = _track(db, "mine.test", 2, minutes_ago=5)
    work = DueWork(db, hosts=lambda host: host == "mine.test")
    found = work.candidates(db, NOW, Busy(), limit=4)
    assert [(c.key, c.host) for c in found] == [(aid, "mine.test") for aid in mine]


def test_busy_hosts_and_articles_are_left_out_oldest_first(store_target: str) -> None:
    """Without a shard: due articles oldest first, minus the ones in flight and the hosts
    that may not start now; articles not yet due are never offered."""
    db = store.open_db(store_target)
    old = _track(db, "a.test", 2, minutes_ago=20)
    newer = _track(db, "b.test", 1, minutes_ago=10)
    _track(db, "c.test", 1, minutes_ago=15)
    store.add_article(db, "http://a.test/later", None, iso(NOW + timedelta(minutes=5)))
    work = DueWork(db)
    found = work.candidates(db, NOW, Busy(articles={old[0]}, blocked={"c.test"}), limit=10)
    assert [c.key for c in found] == [old[1], newer[0]]
