"""Crash safety: the daemon is SIGKILLed at random moments while the newsroom edits its
stories, and restarted each time. Nothing stored is corrupted or duplicated, and every
edit that stayed live while the daemon ran long enough is stored."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest

from monitor import store
from monitor.config import load_settings
from monitor.extract.cascade import extract
from monitor.extract.normalize import content_hash, normalize
from monitor.net.charset import decode_body
from monitor.newsroom import Newsroom, ScriptedEdit
from monitor.newsroom.site import OutletSite
from monitor.urls import canonicalize_url
from tests.integration.test_daemon import DaemonProcess, daemon_config

#: Seconds each newsroom step stays live.
STEP_SECONDS = 3.6
#: An edit counts as "live long enough" when one uninterrupted run of the daemon
#: overlapped it this long: two revisit intervals of the 1 s schedule, plus a feed poll.
LONG_ENOUGH = 2.5


class _Clockwork(threading.Thread):
    """Advances the newsroom every STEP_SECONDS and remembers when each step began."""

    def __init__(self, room: Newsroom) -> None:
        super().__init__(daemon=True)
        self.room = room
        self.started_at: dict[int, float] = {0: time.monotonic()}
        self.done = threading.Event()

    def run(self) -> None:
        while self.room.step < self.room.max_step:
            time.sleep(STEP_SECONDS)
            step = self.room.advance()
            self.started_at[step] = time.monotonic()
        time.sleep(STEP_SECONDS)
        self.done.set()


def _run_and_kill(
    db: Path | str, config: Path, log: Path, clockwork: _Clockwork
) -> tuple[list, int]:
    """Start/kill the daemon until the newsroom is done; (ready, killed) windows, kill count."""
    rng = random.Random(20261125)
    windows: list[tuple[float, float]] = []
    kills = 0
    readies = 0
    # on a loaded machine start-up is slower: keep killing past the newsroom's end until 15
    while not clockwork.done.is_set() or kills < 15:
        daemon = DaemonProcess(db, config, log)
        if rng.random() < 0.2:  # now and then, die during start-up
            time.sleep(rng.uniform(0.05, 0.4))
            daemon.kill()
            readies = daemon.text().count("event=ready ")
            kills += 1
            continue
        daemon.wait_for(r"^event=ready ", count=readies + 1)
        readies += 1
        ready = time.monotonic()
        time.sleep(rng.uniform(3.0, 4.5) if rng.random() < 0.3 else rng.uniform(0.05, 1.2))
        daemon.kill()
        windows.append((ready, time.monotonic()))
        kills += 1
    # A last, clean run so the final revisions get their chance too.
    daemon = DaemonProcess(db, config, log)
    daemon.wait_for(r"^event=ready ", count=readies + 1)
    ready = time.monotonic()
    time.sleep(LONG_ENOUGH + 1)
    code, _ = daemon.stop()
    assert code == 0
    windows.append((ready, time.monotonic()))
    return windows, kills


def _live_windows(room: Newsroom, started_at: dict[int, float], end: float) -> dict:
    """For each edit: (from, until) monotonic times it was the live revision."""
    by_story: dict[tuple[str, str], list[ScriptedEdit]] = {}
    for edit in room.expectations():
        by_story.setdefault((edit.outlet, edit.slug), []).append(edit)
    live = {}
    for edits in by_story.values():
        for edit, following in zip(edits, [*edits[1:], None], strict=True):
            until = started_at[following.step] if following else end
            live[edit] = (started_at[edit.step], until)
    return live


def _expected_hashes(edits: list[ScriptedEdit], sites: dict[str, str], config: Path) -> dict:
    """The content hash the pipeline must store for each edit, read off a replica newsroom."""
    settings = load_settings(config)
    replica = Newsroom(seed=0)
    hashes = {}
    for edit in sorted(edits, key=lambda e: e.step):
        replica.advance(edit.step - replica.step)
        site = OutletSite(replica, replica.outlet(edit.outlet), sites[edit.outlet])
        story = replica.story(edit.outlet, edit.slug)
        response = site.handle(replica.article_path(story), {}, 1)
        decoded = decode_body(response.body, dict(response.headers).get("Content-Type"))
        assert decoded is not None
        url = sites[edit.outlet] + replica.article_path(story)
        outlet = settings.outlet(edit.outlet)
        selectors = dict(outlet.selectors) if outlet else {}
        hashes[edit] = (
            canonicalize_url(url),
            content_hash(normalize(extract(decoded[0], url, selectors))),
        )
    return hashes


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(
    tmp_path: Path, newsroom, store_target: str
) -> None:
    """15+ SIGKILLs (also during start-up) while stories change: the database stays intact,
    no version is stored twice in a row, and every edit live long enough is stored; on
    SQLite and on PostgreSQL."""
    room, server = newsroom
    config = daemon_config(tmp_path / "c.toml", server.outlet_config_toml())
    db_path = store_target
    clockwork = _Clockwork(room)
    began = time.monotonic()
    clockwork.start()
    windows, kills = _run_and_kill(db_path, config, tmp_path / "out.log", clockwork)
    assert time.monotonic() - began < 180
    assert kills >= 15

    db = store.open_db(db_path)
    if not getattr(db, "is_postgres", False):
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not db.execute(
        "SELECT article_id, version_number FROM versions "
        "GROUP BY article_id, version_number HAVING COUNT(*) > 1"
    ).fetchall()
    repeats = db.execute(
        """SELECT article_id, version_number FROM (
             SELECT article_id, version_number, content_hash,
                    LAG(content_hash) OVER (PARTITION BY article_id ORDER BY version_number) AS prev
             FROM versions) AS v WHERE content_hash = prev"""
    ).fetchall()
    assert repeats == []

    live = _live_windows(room, clockwork.started_at, windows[-1][1])
    due = [
        edit
        for edit, (start, until) in live.items()
        if edit.expect_version
        and "removed" not in edit.kinds
        and any(min(until, b) - max(start, a) >= LONG_ENOUGH for a, b in windows)
    ]
    assert len(due) >= 8, f"only {len(due)} edits were live long enough: test too weak"
    stored = set(
        db.execute(
            "SELECT articles.url, content_hash FROM versions JOIN articles "
            "ON articles.id = versions.article_id"
        ).fetchall()
    )
    expected = _expected_hashes(due, server.base_urls, config)
    missing = [
        f"{e.outlet}/{e.slug} step {e.step}: {e.note}" for e in due if expected[e] not in stored
    ]
    assert missing == []
