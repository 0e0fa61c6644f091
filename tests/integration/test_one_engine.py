"""`check` and `run` are one engine: the same politeness through the real commands.

A loopback host asks for a Crawl-delay in robots.txt and answers slowly; both
commands must then send it one request at a time, spaced by the delay (the old
`check` kept two in flight). A host answering 429 is left alone by both.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.integration.test_daemon import DaemonProcess
from tests.support.httpserver import Request, Response, TestServer, text

CRAWL_DELAY = 0.3
HANDLING = 0.6  # longer than the delay: two slots would overlap
ARTICLES = 4
PAGE = (
    "<html><body><article><h1>Harbour crane toppled in storm {n}</h1>"
    + "".join(f"<p>Paragraph {i} of a story about a crane that fell in a storm.</p>" for i in range(6))
    + "</article></body></html>"
)  # fmt: skip


class SlowHost:
    """Serves articles slowly; notes when each request started and the most at once."""

    def __init__(self, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.starts: list[float] = []
        self.most_at_once = 0
        self._now = 0
        self._lock = threading.Lock()
        self.status, self.headers = status, headers or {}

    def __call__(self, request: Request) -> Response:
        with self._lock:
            self.starts.append(time.monotonic())
            self._now += 1
            self.most_at_once = max(self.most_at_once, self._now)
        time.sleep(HANDLING)
        with self._lock:
            self._now -= 1
        return text(PAGE.format(n=request.path), status=self.status, **self.headers)


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\nper_host_concurrency = 2\n"
    )
    return path


def _serve(host: SlowHost) -> TestServer:
    robots = text(f"User-agent: *\nCrawl-delay: {CRAWL_DELAY}\n")
    return TestServer({"/robots.txt": robots, **{f"/story{i}": host for i in range(ARTICLES)}})


def _assert_polite(host: SlowHost) -> None:
    assert len(host.starts) == ARTICLES, host.starts
    assert host.most_at_once == 1, "a Crawl-delay means one request at a time"
    gaps = [b - a for a, b in zip(host.starts, host.starts[1:], strict=False)]
    assert min(gaps) >= CRAWL_DELAY * 0.9, gaps


@pytest.mark.slow
def test_check_honours_crawl_delay_as_run_does(tmp_path: Path) -> None:
    """`check`: one request at a time to a host with a Crawl-delay, spaced by it."""
    host, db, config = SlowHost(), tmp_path / "m.db", _config(tmp_path)
    with _serve(host) as server:
        urls = [server.url(f"/story{i}") for i in range(ARTICLES)]
        assert run_cli("add", *urls, db=db, config=config).code == 0
        result = run_cli("check", db=db, config=config)
    assert result.code == 0, result.stderr
    assert f"checked {ARTICLES} articles" in result.stdout
    _assert_polite(host)


@pytest.mark.slow
def test_run_honours_crawl_delay(tmp_path: Path) -> None:
    """`run`: the same host gets the same treatment from the daemon."""
    host, db, config = SlowHost(), tmp_path / "m.db", _config(tmp_path)
    with _serve(host) as server:
        urls = [server.url(f"/story{i}") for i in range(ARTICLES)]
        assert run_cli("add", *urls, db=db, config=config).code == 0
        with DaemonProcess(db, config, tmp_path / "out.log") as daemon:
            daemon.wait_for(r"^event=check .*outcome=new", count=ARTICLES, timeout=30)
            code, _ = daemon.stop()
    assert code == 0, daemon.text()[-2000:]
    _assert_polite(host)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["check", "run"])
def test_a_host_in_backoff_is_left_alone_by_both_commands(tmp_path: Path, command: str) -> None:
    """After a 429 with Retry-After, neither command sends that host another request."""
    limited = SlowHost(status=429, headers={"Retry_After": "3600"})
    db, config = tmp_path / "m.db", _config(tmp_path)
    with _serve(limited) as server:
        urls = [server.url(f"/story{i}") for i in range(ARTICLES)]
        assert run_cli("add", *urls, db=db, config=config).code == 0
        if command == "check":
            result = run_cli("check", db=db, config=config)
            assert f"{ARTICLES - 1} skipped (host backing off)" in result.stdout, result.stdout
        else:
            with DaemonProcess(db, config, tmp_path / "out.log") as daemon:
                daemon.wait_for(r"^event=host_backoff ", timeout=30)
                time.sleep(2 * CRAWL_DELAY + HANDLING)  # time enough for more, had it tried
                daemon.stop()
    assert len(limited.starts) == 1, limited.starts
