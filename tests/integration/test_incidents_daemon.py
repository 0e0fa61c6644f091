"""The real daemon against an outlet that serves a consent wall to every article: it logs
event=incident_open and event=incident_close, stores nothing during the wall, and a
webhook receiver gets one incident payload for the outlet, not one per article."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from monitor.newsroom import Newsroom, serve_newsroom
from tests.conftest import run_cli
from tests.integration.test_daemon import FAST_SCHEDULE, DaemonProcess, daemon_config
from tests.integration.test_notify_daemon import Receiver, notify_toml


def test_daemon_logs_an_incident_and_sends_one_webhook_for_it(tmp_path: Path) -> None:
    """8 articles, a consent wall, then recovery: event=incident_open then
    event=incident_close in the daemon's log, no version or change stored beyond the
    first reads, and exactly one webhook POST (type "incident", outlet capitol)."""
    room = Newsroom(seed=0, extra_articles=16)
    with serve_newsroom(room) as server, Receiver() as receiver:
        urls = [server.article_url(s.outlet, s.slug) for s in room.stories if s.outlet == "capitol"]
        config = daemon_config(
            tmp_path / "c.toml",
            '[fetch]\nallow_private_addresses = true\n\n[[outlets]]\nname = "capitol"\n',
            extra=notify_toml(receiver.url("/hook")),
            schedule=FAST_SCHEDULE + "suspect_confirmations = 3\n",
        )
        db, log = tmp_path / "m.db", tmp_path / "out.log"
        assert run_cli("add", *urls, "--outlet", "capitol", db=db, config=config).code == 0
        with DaemonProcess(db, config, log) as daemon:
            daemon.wait_for(r"^event=check .*outcome=new", timeout=30, count=8)
            server.set_outage("capitol", "consent_wall")
            daemon.wait_for(r"^event=incident_open .*outlet=capitol", timeout=30)
            daemon.wait_for(r"^event=check .*outcome=incident", timeout=30, count=12)
            server.set_outage("capitol", None)
            text = daemon.wait_for(r"^event=incident_close .*outlet=capitol", timeout=30)
            deadline = time.monotonic() + 10
            while not receiver.posts and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.0)  # a second POST, were there one, would have come by now
            code, _ = daemon.stop()
        assert code == 0
    assert "outcome=changed" not in text
    with sqlite3.connect(db) as conn:
        versions = conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        changes = conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
        ended = conn.execute("SELECT ended_at FROM incidents").fetchall()
    assert (versions, changes) == (8, 0)
    assert len(ended) == 1 and ended[0][0] is not None
    payloads = [payload for _, payload, _ in receiver.posts]
    assert len(payloads) == 1, payloads
    assert payloads[0]["type"] == "incident"
    assert payloads[0]["outlet"] == "capitol"
    assert payloads[0]["kind"] == "consent_or_paywall"
