"""A real browser (Debian's headless chromium, driven over the DevTools protocol) against a
real `article-monitor serve` subprocess with a reviewer in its config: a reporter walks
the desk (filters, keys), opens changes, is refused a verdict until logged in, logs in,
records verdicts; every link on the pages visited resolves; planted scripts stay inert.
Screenshots of the desk and the change page go to docs/ with
ARTICLE_MONITOR_REFRESH_SCREENSHOT=1, else to the test's tmp_path.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_review_fixture import Filled, fill_database

from tests.support.paths import REPO
from tests.support.review import free_port, login_in_browser, reviewer_config, start_serve, stop

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: The README's screenshots; refreshed only on request, so test runs leave the tree clean.
DOCS = REPO / "docs"
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


@dataclass
class Served:
    base: str
    filled: Filled

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        conn = sqlite3.connect(f"file:{self.filled.path}?mode=ro", uri=True)
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`article-monitor serve` as a subprocess on a free 127.0.0.1 port, with a reviewer."""
    folder = tmp_path_factory.mktemp("browser")
    filled = fill_database(folder / "monitor.db")
    config = reviewer_config(folder / "review.toml")
    port = free_port()
    proc = start_serve(filled.path, config, port)
    try:
        yield Served(f"http://127.0.0.1:{port}", filled)
    finally:
        stop(proc)


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
        self.navigating(lambda: self.call("Page.navigate", url=url))

    def navigating(self, action: Any) -> None:
        """Do something that loads a page (navigate, submit, a key), and wait for the load."""
        self.events.clear()
        action()
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError("the page did not load")
            self._event(json.loads(self.ws.recv()))
        time.sleep(0.3)  # let any (unwanted) deferred script run before we look

    def key(self, key: str) -> None:
        """Press and release one key, as a person typing on the page would."""
        codes = {"Enter": 13, "ArrowDown": 40, "ArrowUp": 38}
        params: dict[str, Any] = {"key": key}
        if key in codes:
            params |= {"code": key, "windowsVirtualKeyCode": codes[key]}
        else:
            params |= {"text": key, "code": f"Key{key.upper()}"}
            params["windowsVirtualKeyCode"] = ord(key.upper())
        self.call("Input.dispatchKeyEvent", type="keyDown", **params)
        self.call("Input.dispatchKeyEvent", type="keyUp", **params)

    def screenshot(self, target: Path, height: int) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=1280,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        shot = self.call("Page.captureScreenshot", format="png")
        target.write_bytes(base64.b64decode(shot["data"]))
        self.call("Emulation.clearDeviceMetricsOverride")

    def eval(self, expression: str) -> Any:
        """The value of a JavaScript expression (a promise is awaited)."""
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
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


def _shot(name: str, tmp_path: Path) -> Path:
    return DOCS / name if REFRESH_SCREENSHOT else tmp_path / name


def _queue(browser: Browser) -> list[int]:
    hrefs = browser.eval(
        "Array.from(document.querySelectorAll('table.queue tbody tr')).map(r => r.dataset.href)"
    )
    return [int(re.search(r"/change/(\d+)", h).group(1)) for h in hrefs]


def _check_links(served: Served, browser: Browser, checked: set[str]) -> None:
    """Every same-site link on the page in the browser answers (not 404, not 500)."""
    hrefs = browser.eval("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    for href in hrefs:
        href = href.split("#", 1)[0]
        if not href.startswith(served.base) or href in checked:
            continue
        checked.add(href)
        status = httpx.get(href, timeout=30).status_code
        assert status not in (404, 500), f"{href} answered {status}"


def test_a_reporter_walks_the_desk_with_filters_and_keys(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """The desk lists changes newest first; the silent filter (a select, then Filter) keeps
    only silent edits; j/k move the selection and Enter opens the selected change, whose
    "older →" walks the same filtered queue. Every link on these pages resolves."""
    checked: set[str] = set()
    browser.goto(f"{served.base}/-/monitor")
    everything = [r[0] for r in served.sql(
        "SELECT id FROM changes ORDER BY detected_at DESC, id DESC")]  # fmt: skip
    assert _queue(browser) == everything
    browser.screenshot(_shot("screenshot-desk.png", tmp_path), 1000)
    _check_links(served, browser, checked)

    browser.eval("document.querySelector('select[name=silent]').value = '1'")
    browser.navigating(
        lambda: browser.eval("document.querySelector('form.filters').requestSubmit()")
    )
    assert browser.eval("location.search") == "?silent=1&kind=&outlet=&day=&verdict="
    silent = [r[0] for r in served.sql(
        "SELECT id FROM changes WHERE silent = 1 ORDER BY detected_at DESC, id DESC")]  # fmt: skip
    assert _queue(browser) == silent
    assert browser.eval("document.querySelectorAll('table.queue .not-silent').length") == 0

    browser.key("j")
    browser.key("j")
    browser.key("k")
    browser.key("j")
    selected = browser.eval("document.querySelector('tr.selected').dataset.href")
    assert f"/-/monitor/change/{silent[1]}?" in selected
    browser.navigating(lambda: browser.key("Enter"))
    assert browser.eval("location.pathname") == f"/-/monitor/change/{silent[1]}"
    browser.navigating(lambda: browser.key("j"))
    assert browser.eval("location.pathname") == f"/-/monitor/change/{silent[2]}"
    assert "silent=1" in browser.eval("location.search")
    _check_links(served, browser, checked)
    assert len(checked) > 40


def test_a_verdict_needs_a_login_then_moves_on(served: Served, browser: Browser) -> None:
    """Logged out, the change page has no verdict buttons and a POST is refused (403);
    after logging in through the form the reporter returns to the change, types a note,
    presses c (confirmed) and lands on the next unreviewed silent edit; the desk shows
    the verdict."""
    silent = [r[0] for r in served.sql(
        "SELECT id FROM changes WHERE silent = 1 ORDER BY detected_at DESC, id DESC")]  # fmt: skip
    queue = "silent=1&verdict=unreviewed"
    browser.goto(f"{served.base}/-/monitor/change/{silent[0]}?{queue}")
    assert browser.eval("document.querySelectorAll('button[name=verdict]').length") == 0
    refused = browser.eval(
        f"fetch('/-/monitor/change/{silent[0]}/verdict', {{method: 'POST', "
        "body: new URLSearchParams({verdict: 'confirmed'})}).then(r => r.status)"
    )
    assert refused == 403
    browser.navigating(lambda: browser.eval("document.querySelector('a.login-link').click()"))
    assert browser.eval("location.pathname") == "/-/monitor/login"
    login_in_browser(browser)
    assert browser.eval("location.pathname") == f"/-/monitor/change/{silent[0]}"
    assert browser.eval("document.querySelectorAll('button[name=verdict]').length") == 3
    browser.eval("document.getElementById('note').value = 'matches the archived page'")
    browser.eval("document.activeElement.blur()")
    browser.navigating(lambda: browser.key("c"))
    assert browser.eval("location.pathname") == f"/-/monitor/change/{silent[1]}"
    assert f"Change #{silent[0]} marked confirmed." in browser.eval("document.body.innerText")
    browser.goto(f"{served.base}/-/monitor?verdict=confirmed")
    assert _queue(browser) == [silent[0]]
    assert "matches the archived page" in browser.eval("document.body.innerText")
    browser.goto(f"{served.base}/-/monitor?{queue}")
    assert silent[0] not in _queue(browser)


def test_change_page_leads_with_the_edit_in_a_browser(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    """The seed change shows the reason, then the edited paragraph with the comment line
    marked; unchanged paragraphs are folded (not displayed until opened); the full side by
    side is closed. The page is saved as the README's screenshot."""
    change_id = served.sql(
        "SELECT id FROM changes WHERE evidence LIKE '%did not immediately respond%' LIMIT 1"
    )[0][0]
    browser.goto(f"{served.base}/-/monitor/change/{change_id}")
    reason = browser.eval("document.querySelector('.reason').innerText")
    assert reason.startswith("Silent edit: substantive edit") and "no correction" in reason
    assert browser.eval("document.querySelector('.the-edit .has-evidence mark') !== null")
    assert "did not immediately respond" in browser.eval(
        "document.querySelector('.the-edit .has-evidence').innerText"
    )
    folded = "Array.from(document.querySelectorAll('.the-edit details.same'))"
    assert browser.eval(f"{folded}.length") >= 1
    assert browser.eval(f"{folded}.every(d => !d.open)")
    assert browser.eval(
        f"{folded}.every(d => Array.from(d.querySelectorAll('.row')).every(r => !r.checkVisibility()))"
    )
    assert not browser.eval("document.getElementById('full').open")
    edit_top = browser.eval("document.querySelector('.the-edit').getBoundingClientRect().top")
    assert edit_top < 600, "the edit is not on the first screen"
    browser.eval("document.querySelector('.the-edit details.same summary').click()")
    assert browser.eval(f"{folded}[0].querySelector('.row').checkVisibility()")
    target = _shot("screenshot-change.png", tmp_path)
    browser.goto(f"{served.base}/-/monitor/change/{change_id}")
    browser.screenshot(target, 1100)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_planted_script_stays_inert_in_a_browser(served: Served, browser: Browser) -> None:
    """<script> and onerror= in a stored article neither open a dialog nor create elements."""
    filled = served.filled
    db = filled.path.stem
    version_id = served.sql(
        "SELECT MAX(id) FROM versions WHERE article_id = ?", (filled.xss_article_id,)
    )[0][0]
    for path in (
        f"/-/monitor/change/{filled.xss_change_id}",
        f"/-/monitor/article/{filled.xss_article_id}",
        f"/-/monitor/version/{version_id}",
        f"/-/monitor/article/{filled.xss_article_id}/compare",
        "/-/monitor",
        f"/{db}/change_reports",
        f"/{db}/versions?_search=reviewed",
    ):
        browser.goto(served.base + path)
        assert browser.dialogs() == [], f"a dialog opened on {path}"
        assert browser.eval("document.getElementById('xss-ran')") is None, path
        assert browser.eval("document.querySelectorAll('img[onerror]').length") == 0, path
    browser.goto(f"{served.base}/-/monitor/change/{filled.xss_change_id}")
    assert "<script>" in browser.eval("document.body.innerText")
