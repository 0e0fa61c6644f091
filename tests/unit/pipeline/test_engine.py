"""The engine's own promises: shards of hosts, fallbacks counted where a user sees them."""

from __future__ import annotations

import random
from pathlib import Path

from monitor import store
from monitor.config import load_settings
from monitor.net.fetch import Fetcher
from monitor.pipeline.check import run_pass
from monitor.pipeline.discover import track_urls
from monitor.urls import host_key
from tests.conftest import run_cli
from tests.support.httpserver import Request, Response, TestServer, text

BODY = "".join(
    f"<p>Paragraph {i} of a story about the harbour crane that fell in the storm.</p>"
    for i in range(6)
)


def page(container: str) -> str:
    return (
        "<html><head><title>Crane falls</title></head><body>"
        f"<div class='story' id='{container}'><h1>Harbour crane toppled in storm</h1>{BODY}</div>"
        "</body></html>"
    )


def _settings(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_text("[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n")
    return load_settings(path)


def test_an_engine_over_a_shard_of_hosts_touches_no_other_host(
    tmp_path: Path, store_target: str, clock
) -> None:
    """A pass limited to one host checks that host's articles and sends nothing elsewhere
    (scaling out runs one engine per shard of hosts)."""
    settings = _settings(tmp_path)
    db = store.open_db(store_target)
    with (
        TestServer({"/a": text(page("story"))}) as mine,
        TestServer({"/b": text(page("story"))}) as other,
        Fetcher(settings.fetch, clock=clock) as fetcher,
    ):
        track_urls(db, settings, [mine.url("/a"), other.url("/b")], None, clock())
        wanted = host_key(mine.url("/a"))
        summary = run_pass(
            db, fetcher, settings, clock=clock, rng=random.Random(0), poll=False,
            hosts=lambda host: host == wanted,
        )  # fmt: skip
        assert summary.checked == 1 and summary.new_versions == 1
        assert mine.hits("/a") == 1 and other.hits("/b") == 0


def test_status_counts_a_fast_path_that_fell_back(tmp_path: Path) -> None:
    """When a page's layout moves so the fingerprint no longer finds the article, the check
    still reads it (no change), and `status` says the fast path fell back once."""
    db, config = tmp_path / "m.db", tmp_path / "c.toml"
    config.write_text("[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n")
    served = {"container": "story"}

    def story(request: Request) -> Response:
        return text(page(served["container"]))

    with TestServer({"/s": story}) as server:
        assert run_cli("add", server.url("/s"), db=db, config=config).code == 0
        assert run_cli("check", db=db, config=config).code == 0
        served["container"] = "story-2"  # a template change around the same text
        second = run_cli("check", "--all", db=db, config=config)
    assert "0 changes" in second.stdout, second.stdout
    status = run_cli("status", db=db, config=config)
    assert "fell back: fast_path 1" in status.stdout, status.stdout
