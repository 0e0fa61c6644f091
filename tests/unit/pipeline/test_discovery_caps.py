"""[discover] caps: a feed adds at most so many new articles per poll and per day."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import sqlite_utils

from monitor import store
from monitor.config import load_settings
from monitor.net.fetch import Fetcher
from monitor.pipeline.check import run_pass
from monitor.store.report import status_report
from monitor.times import iso
from tests.support.httpserver import Request, Response, TestServer, text


class Feed:
    """An RSS feed of ``count`` items (item i published i hours after midnight) that
    answers a conditional GET with 304, as real servers do."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.conditional: list[bool] = []

    def __call__(self, request: Request) -> Response:
        self.conditional.append("if-none-match" in request.headers)
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304, {"ETag": '"v1"'}, b"")
        items = "".join(
            f"<item><title>Story {i}</title><link>http://{request.headers['host']}/s/{i}</link>"
            f"<pubDate>Wed, 25 Nov 2026 {i % 24:02d}:{i // 24:02d}:00 GMT</pubDate></item>"
            for i in range(self.count)
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
        return text(body, "application/rss+xml", ETag='"v1"')


def _config(tmp_path: Path, feed_url: str, per_poll: int, per_day: int) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\nobey_robots = false\n"
        f"[discover]\nmax_new_per_poll = {per_poll}\nmax_new_per_day = {per_day}\n"
        f'[[outlets]]\nname = "gazette"\nfeeds = ["{feed_url}"]\n'
    )
    return path


def _tracked(db: sqlite_utils.Database) -> list[str]:
    return [r[0].rsplit("/", 1)[1] for r in db.execute("SELECT url FROM articles ORDER BY id")]


def test_caps_per_poll_and_per_day_hold_the_rest_for_later(
    tmp_path: Path, store_target: str, clock
) -> None:
    """A feed listing 10 new stories, capped at 3 per poll and 5 per day: the first poll
    tracks the 3 newest (by feed date), the second 2 more (the day is full), the third
    none; the next day the rest follow. Each capped poll says how many it held back and
    which key, `status` lists the feed, and a capped poll is never answered by a 304
    (the next poll must see the whole feed to take the rest)."""
    feed = Feed(10)
    with TestServer({"/rss": feed}) as server:
        settings = load_settings(_config(tmp_path, server.url("/rss"), 3, 5))
        db = store.open_db(store_target)
        polls = []
        with Fetcher(settings.fetch, clock=clock) as fetcher:
            for _ in range(3):
                summary = run_pass(db, fetcher, settings, clock=clock, rng=random.Random(0))
                polls.append(summary.feed_polls[0])
                clock.advance(seconds=settings.schedule.feed_interval)
            first_day = _tracked(db)
            report = status_report(db, iso(clock()), iso(clock() - timedelta(hours=24)))
            clock.advance(days=1)
            run_pass(db, fetcher, settings, clock=clock, rng=random.Random(0))
    assert [(p.new_articles, p.held_back) for p in polls] == [(3, 7), (2, 5), (0, 5)]
    assert polls[0].cap == "[discover] max_new_per_poll = 3"
    assert polls[1].cap == polls[2].cap == "[discover] max_new_per_day = 5"
    assert "7 held back" in polls[0].capped_line()
    # the newest by date (9, 8, 7, then 6, 5), each poll's in feed order
    assert first_day == ["7", "8", "9", "5", "6"]
    assert len(_tracked(db)) == 8
    assert feed.conditional == [False, False, False, False]
    [line] = report["capped_feeds"]
    assert "5 entries held back" in line and "/rss" in line


def test_under_the_caps_every_entry_is_tracked_in_feed_order(
    tmp_path: Path, store_target: str, clock
) -> None:
    """A feed within the caps is tracked whole, in feed order, and its validators are
    kept: the next poll is conditional and answered 304."""
    feed = Feed(4)
    with TestServer({"/rss": feed}) as server:
        settings = load_settings(_config(tmp_path, server.url("/rss"), 1000, 5000))
        db = store.open_db(store_target)
        with Fetcher(settings.fetch, clock=clock) as fetcher:
            first = run_pass(db, fetcher, settings, clock=clock, rng=random.Random(0))
            clock.advance(seconds=settings.schedule.feed_interval)
            run_pass(db, fetcher, settings, clock=clock, rng=random.Random(0))
    assert first.feed_polls[0].held_back == 0 and first.feed_polls[0].cap is None
    assert _tracked(db) == ["0", "1", "2", "3"]
    assert feed.conditional == [False, True]
