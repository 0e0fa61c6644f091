"""One-shot `check` passes are as polite as the daemon: spacing per host, Retry-After kept."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

from monitor import store
from monitor.config import load_settings
from monitor.net.fetch import Fetcher
from monitor.pipeline.check import run_pass
from monitor.pipeline.discover import track_urls
from tests.support.httpserver import Request, Response, TestServer, text

ARTICLE = (
    "<html><body><article><h1>Harbour crane toppled in storm</h1>"
    + "".join(
        f"<p>Paragraph {i} of a story about a crane that fell over in the storm.</p>"
        for i in range(6)
    )
    + "</article></body></html>"
)


class Recorder:
    """Serves the article and notes when each request arrived."""

    def __init__(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.times: list[float] = []
        self.status, self.headers = status, headers or {}
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self._lock:
            self.times.append(time.monotonic())
        return text(ARTICLE, status=self.status, **self.headers)


def settings_for(tmp_path: Path, delay: str):
    path = tmp_path / "c.toml"
    path.write_text(f'[fetch]\nallow_private_addresses = true\nmin_host_delay = "{delay}"\n')
    return load_settings(path)


def test_requests_to_one_host_are_spaced_by_min_host_delay(tmp_path: Path, clock) -> None:
    """Four articles on one host are fetched at least min_host_delay apart, not all at once."""
    settings = settings_for(tmp_path, "0.3s")
    db = store.open_db(tmp_path / "m.db")
    recorder = Recorder()
    routes = {f"/a{i}": recorder for i in range(4)}
    with TestServer(routes) as server, Fetcher(settings.fetch, clock=clock) as fetcher:
        track_urls(db, settings, [server.url(f"/a{i}") for i in range(4)], None, clock())
        summary = run_pass(db, fetcher, settings, clock=clock, rng=random.Random(0), poll=False)
    assert summary.checked == 4 and summary.errors == 0
    gaps = [b - a for a, b in zip(recorder.times, recorder.times[1:], strict=False)]
    assert len(gaps) == 3 and min(gaps) >= 0.28, gaps


def test_a_429_pauses_the_host_for_later_passes(tmp_path: Path, clock) -> None:
    """After a 429 with Retry-After, the next pass skips that host and says so; others go on."""
    settings = settings_for(tmp_path, "0s")
    db = store.open_db(tmp_path / "m.db")
    limited = Recorder(status=429, headers={"Retry_After": "3600"})
    healthy = Recorder()
    with (
        TestServer({"/x": limited}) as busy,
        TestServer({"/y": healthy}) as fine,
        Fetcher(settings.fetch, clock=clock) as fetcher,
    ):
        track_urls(db, settings, [busy.url("/x"), fine.url("/y")], None, clock())
        first = run_pass(
            db, fetcher, settings, clock=clock, rng=random.Random(0), check_all=True, poll=False
        )
        clock.advance(minutes=30)
        second = run_pass(
            db, fetcher, settings, clock=clock, rng=random.Random(0), check_all=True, poll=False
        )
    assert first.errors == 1 and len(limited.times) == 1
    assert second.skipped == 1 and "skipped (host backing off)" in second.line()
    assert len(limited.times) == 1 and len(healthy.times) == 2
