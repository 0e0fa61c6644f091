"""A real browser (Debian's headless chromium, driven over the DevTools protocol) against a
real `article-monitor serve` subprocess: the diff renders, planted scripts stay inert,
and a screenshot of the change page is saved (to docs/screenshot-change.png with
ARTICLE_MONITOR_REFRESH_SCREENSHOT=1, else to the test's tmp_path).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_review_fixture import Filled, fill_database

from tests.support.paths import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: The README's screenshot; refreshed only on request, so test runs leave the tree clean.
README_SCREENSHOT = REPO / "docs" / "screenshot-change.png"
REFRESH_SCREENSHOT = os.environ.get("ARTICLE_MONITOR_REFRESH_SCREENSHOT") == "1"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="chromium not installed (apt-get install -y chromium; .ci/run does this)",
    ),
]
websocket = pytest.importorskip("websocket", reason="websocket-client (test extra) missing")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}: {proc.stderr.read()}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {seconds}s")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Filled]]:
    """`article-monitor serve` as a subprocess on a free 127.0.0.1 port."""
    filled = fill_database(tmp_path_factory.mktemp("browser") / "monitor.db")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--db", str(filled.path), "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/-/monitor", proc)
        yield base, filled
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Browser:
    """The smallest DevTools-protocol client that the tests need."""

    def __init__(self, profile: Path) -> None:
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not open its DevTools port")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True
        )
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        for method in ("Page.enable", "Runtime.enable"):
            self.call(method)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        self.events.append(message)
        if message.get("method") == "Page.javascriptDialogOpening":
            # accept so the page is not blocked; the test fails on the recorded event
            self.ws.send(
                json.dumps(
                    {"id": 0, "method": "Page.handleJavaScriptDialog", "params": {"accept": True}}
                )
            )

    def goto(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load")
            self._event(json.loads(self.ws.recv()))
        time.sleep(0.3)  # let any (unwanted) deferred script run before we look

    def eval(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def dialogs(self) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("method") == "Page.javascriptDialogOpening"]

    def close(self) -> None:
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    instance = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield instance
    instance.close()


def test_change_page_renders_the_diff_in_a_browser(
    served, browser: Browser, tmp_path: Path
) -> None:
    """The seed change shows the side-by-side table, inserted words and the silent badge."""
    base, filled = served
    import sqlite3

    conn = sqlite3.connect(f"file:{filled.path}?mode=ro", uri=True)
    change_id = conn.execute(
        "SELECT id FROM changes WHERE evidence LIKE '%did not immediately respond%' LIMIT 1"
    ).fetchone()[0]
    conn.close()
    browser.goto(f"{base}/-/monitor/change/{change_id}")
    assert browser.eval("document.querySelectorAll('table.sbs tbody tr').length") > 3
    assert browser.eval("document.querySelectorAll('.inline-diff ins').length") >= 1
    assert browser.eval("document.querySelector('.badge-silent').innerText") == "silent edit"
    assert browser.eval("document.querySelector('tr.has-evidence mark') !== null")
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=1280,
        height=1400,
        deviceScaleFactor=1,
        mobile=False,
    )
    shot = browser.call("Page.captureScreenshot", format="png")
    target = README_SCREENSHOT if REFRESH_SCREENSHOT else tmp_path / "screenshot-change.png"
    target.write_bytes(base64.b64decode(shot["data"]))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_planted_script_stays_inert_in_a_browser(served, browser: Browser) -> None:
    """<script> and onerror= in a stored article neither open a dialog nor create elements."""
    base, filled = served
    for path in (
        f"/-/monitor/change/{filled.xss_change_id}",
        f"/-/monitor/article/{filled.xss_article_id}",
        "/monitor/change_reports",
        "/monitor/versions?_search=reviewed",
    ):
        browser.goto(base + path)
        assert browser.dialogs() == [], f"a dialog opened on {path}"
        assert browser.eval("document.getElementById('xss-ran')") is None, path
        assert browser.eval("document.querySelectorAll('img[onerror]').length") == 0, path
    browser.goto(f"{base}/-/monitor/change/{filled.xss_change_id}")
    assert "<script>" in browser.eval("document.body.innerText")
