"""Ctrl-C and SIGTERM stop `check` within seconds, with a summary, keeping what it stored."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.httpserver import Request, Response, TestServer, text
from tests.support.paths import REPO

ARTICLES = 40
PAGE = "<html><body><article><h1>Story {n}</h1>" + "<p>A paragraph of the story, long enough to keep.</p>" * 5 + "</article></body></html>"  # fmt: skip


def slow(request: Request) -> Response:
    time.sleep(0.5)
    return text(PAGE.format(n=request.path))


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_check_promptly_with_a_summary(tmp_path: Path, signum: int) -> None:
    """Forty slow articles: a signal after the first checks ends `check` within a few
    seconds, exit 128+signal (130 for Ctrl-C), summary printed, finished checks stored."""
    db, config = tmp_path / "m.db", tmp_path / "c.toml"
    config.write_text("[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n")
    with TestServer({f"/s{i}": slow for i in range(ARTICLES)}) as server:
        urls = [server.url(f"/s{i}") for i in range(ARTICLES)]
        assert run_cli("add", *urls, db=db, config=config).code == 0
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_MONITOR_")}
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--db", str(db), "--config", str(config), "check"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while _versions(db) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signum)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=20)
        took = time.monotonic() - sent
    assert proc.returncode == 128 + signum, (out, err)
    assert took < 5, took
    assert f"stopped early by {signal.Signals(signum).name}" in out, out
    assert "Traceback" not in err
    stored = _versions(db)
    assert 2 <= stored < ARTICLES
    due = sqlite3.connect(db).execute(
        "SELECT COUNT(*) FROM articles WHERE last_checked_at IS NULL"
    ).fetchone()[0]
    assert due == ARTICLES - stored, "every article not checked is still due"


def _versions(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM version_records").fetchone()[0]
    except sqlite3.Error:
        return 0
