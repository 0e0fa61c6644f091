"""The review server as a reviewer meets it: `article-monitor serve` in a subprocess with a
reviewer in its config, and the login steps, over HTTP (httpx) or in a browser.

Shared by tests/integration/test_review_desk.py, test_browser.py, test_review_hostile.py and
test_demo_login.py, so the login flow (form, Datasette's CSRF token, the actor cookie) is
written once.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import httpx

from monitor.review.auth import hash_password
from tests.support.paths import REPO

REVIEWER = "alice"
PASSWORD = "correct horse battery"


def reviewer_config(path: Path, name: str = REVIEWER, password: str = PASSWORD) -> Path:
    """A config file with one reviewer. Few hash iterations: the format is the real one,
    a test just does not pay 0.3 s of CPU per login."""
    hashed = hash_password(password, iterations=1000)
    path.write_text(f'[review.reviewers]\n{name} = "{hashed}"\n', encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    """Until ``url`` answers (anything below 500); the process's stderr if it exits."""
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
    proc.kill()
    raise TimeoutError(f"{url} did not answer in {seconds}s")


def start_serve(db: Path, config: Path | None, port: int) -> subprocess.Popen:
    """The real `python -m monitor serve` on 127.0.0.1:port, answering when returned."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
    env["PYTHONPATH"] = str(REPO)
    argv = [sys.executable, "-m", "monitor", "--db", str(db)]
    if config is not None:
        argv += ["--config", str(config)]
    proc = subprocess.Popen(
        [*argv, "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(f"http://127.0.0.1:{port}/-/monitor", proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=10)


def csrf(html: str) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert found, "the form carries no CSRF token"
    return found.group(1)


def login(
    client: httpx.Client,
    password: str = PASSWORD,
    next_path: str = "/-/monitor",
    name: str = REVIEWER,
) -> httpx.Response:
    """Log in through the form, as a browser would: GET it for the CSRF token, POST it."""
    form = client.get(f"/-/monitor/login?next={next_path}")
    return client.post(
        "/-/monitor/login",
        data={"username": name, "password": password, "next": next_path,
              "csrftoken": csrf(form.text)},
    )  # fmt: skip


class PageDriver(Protocol):
    """What the browser tests' DevTools client offers (tests/integration/test_browser.py)."""

    def eval(self, expression: str) -> Any: ...

    def navigating(self, action: Callable[[], Any]) -> None: ...


def login_in_browser(browser: PageDriver, name: str = REVIEWER, password: str = PASSWORD) -> None:
    """On the login page: type the name and password, submit, wait for the page it leads to."""
    browser.eval(
        f"document.getElementById('username').value = {json.dumps(name)};"
        f"document.getElementById('password').value = {json.dumps(password)};"
    )
    browser.navigating(lambda: browser.eval("document.querySelector('form.login').requestSubmit()"))
