"""A page whose only change is its publication date yields a readable minor change, not an empty one."""

from __future__ import annotations

import json
import random
from pathlib import Path

from monitor import store
from monitor.config import load_settings
from monitor.net.fetch import Fetcher
from monitor.pipeline.check import run_pass
from monitor.pipeline.discover import track_urls
from monitor.store import versions
from tests.support.httpserver import Request, Response, TestServer, text

BODY = "".join(
    f"<p>Paragraph {i}: the county board met on Tuesday to weigh a new budget for the parks.</p>"
    for i in range(6)
)


class Dated:
    def __init__(self) -> None:
        self.published = "2026-11-20T09:00:00Z"

    def __call__(self, request: Request) -> Response:
        meta = f'<meta property="article:published_time" content="{self.published}">'
        return text(
            f"<html><head>{meta}</head><body><article><h1>County weighs parks budget</h1>"
            f"{BODY}</article></body></html>"
        )


def test_publication_date_change_is_a_minor_change_with_the_dates(tmp_path: Path, clock) -> None:
    """Re-stamped publication date: a new version, kinds ["minor"], not silent, dates as evidence."""
    config = tmp_path / "c.toml"
    config.write_text("[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n")
    settings = load_settings(config)
    db = store.open_db(tmp_path / "m.db")
    page = Dated()
    with TestServer({"/a": page}) as server, Fetcher(settings.fetch, clock=clock) as fetcher:
        [(article_id, _, _)] = track_urls(db, settings, [server.url("/a")], None, clock())
        run_pass(db, fetcher, settings, clock=clock, rng=random.Random(0), article_ids=[article_id])
        page.published = "2026-11-24T09:00:00Z"
        clock.advance(minutes=20)
        run_pass(db, fetcher, settings, clock=clock, rng=random.Random(0), article_ids=[article_id])
    [change] = versions.changes_of(db, article_id)
    assert json.loads(change["kinds"]) == ["minor"] and change["silent"] == 0
    assert "2026-11-20" in change["summary"] and "2026-11-24" in change["summary"]
    evidence = json.loads(change["evidence"])
    assert evidence[0]["field"] == "published_at"
