"""A changed [schedule] applies at the next `run` start, and `run` says when work is next
due (issue 13): the real daemon process against a real loopback server."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.integration.test_daemon import DaemonProcess
from tests.support.httpserver import TestServer, text

PAGE = (
    "<html><body><article><h1>Story</h1>"
    + "<p>A paragraph of the story, long enough to keep.</p>" * 4
    + "</article></body></html>"
)
FETCH = "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n"
FAST = '[schedule]\ntiers = [["1h", "2s"]]\nfeed_interval = "2s"\n'


def _next_check(db: Path) -> str:
    return sqlite3.connect(db).execute("SELECT next_check_at FROM articles").fetchone()[0]


@pytest.mark.slow
def test_a_shorter_schedule_applies_at_the_next_start(tmp_path: Path) -> None:
    """An article checked under the default tiers is due in about 15 minutes; `run` under
    2-second tiers checks it again within seconds (not after those 15 minutes), logs how
    many visits the new schedule moved, and, once idle, when work is next due. A restart
    under the same schedule moves nothing."""
    db, slow, fast = tmp_path / "m.db", tmp_path / "slow.toml", tmp_path / "fast.toml"
    slow.write_text(FETCH, encoding="utf-8")
    fast.write_text(FETCH + FAST, encoding="utf-8")
    with TestServer({"/a": text(PAGE)}) as server:
        assert run_cli("check", server.url("/a"), db=db, config=slow).code == 0
        planned = _next_check(db)
        with DaemonProcess(db, fast, tmp_path / "run1.log") as daemon:
            log = daemon.wait_for(r"^event=schedule ")
            assert "event=schedule articles_earlier=1 articles_later=0" in log
            daemon.wait_for(r"^event=check id=1 ", timeout=15)
            log = daemon.wait_for(r"^event=next_due articles_due=0 next_article=\S+Z "
                                  r"next_article_in=\d+s ", timeout=15)  # fmt: skip
            assert daemon.stop()[0] == 0
        assert _next_check(db) < planned, "the visit planned under the old tiers was moved"
        with DaemonProcess(db, fast, tmp_path / "run2.log") as daemon:
            log = daemon.wait_for(r"^event=schedule ")
            assert "articles_earlier=0 articles_later=0 articles_resumed=0" in log
            assert daemon.stop()[0] == 0


@pytest.mark.slow
def test_run_logs_when_work_is_next_due_at_start(tmp_path: Path) -> None:
    """Started with nothing due, `run` says when the next article check and feed poll are
    due (time and how long until then), instead of staying silent for 15 minutes."""
    db, config = tmp_path / "m.db", tmp_path / "c.toml"
    config.write_text(FETCH, encoding="utf-8")
    with TestServer({"/a": text(PAGE)}) as server:
        assert run_cli("check", server.url("/a"), db=db, config=config).code == 0
        with DaemonProcess(db, config, tmp_path / "run.log") as daemon:
            log = daemon.wait_for(r"^event=next_due ")
            assert daemon.stop()[0] == 0
    line = next(x for x in log.splitlines() if x.startswith("event=next_due "))
    assert "articles_due=0" in line and "feeds_due=0" in line and "next_feed=-" in line
    match = re.search(r"next_article_in=(\d+)m(\d+s)? ", line)
    assert match and 12 <= int(match.group(1)) <= 16, line
