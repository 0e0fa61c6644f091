"""The same user scenario on both stores: SQLite (the default) and PostgreSQL."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

from tests.conftest import no_host_delay, run_cli


def _plain_config(tmp_path: Path) -> Path:
    config = tmp_path / "plain.toml"
    config.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n", encoding="utf-8"
    )
    return config


def test_feed_add_check_diff_status_export_gc(newsroom, store_target: str, tmp_path: Path) -> None:
    """feed add, check across an edit, diff, status, export and gc give the same results
    on either store: the silent comment line is found and shown as a diff."""
    room, server = newsroom
    db, config = store_target, _plain_config(tmp_path)
    feed_url = server.feed_urls["capitol"][0]
    added = run_cli("feed", "add", feed_url, "--outlet", "capitol", db=db, config=config)
    assert added.code == 0, added.stderr
    assert "added: feed #1" in added.stdout
    listed = run_cli("feed", "list", db=db, config=config)
    assert "[capitol]" in listed.stdout and feed_url in listed.stdout

    first = run_cli("check", db=db, config=config)
    assert first.code == 0, first.stderr
    assert "new versions" in first.stdout.splitlines()[-1]
    room.advance(2)  # the seed edit is live at step 2
    second = run_cli("check", "--all", db=db, config=config)
    assert second.code == 0, second.stderr
    assert "SILENT [comment_line]" in second.stdout
    assert " 0 errors" in second.stdout.splitlines()[-1]

    article = server.article_url("capitol", "white-house-weighs-new-export-controls")
    shown = run_cli("diff", article, "--format", "json", db=db, config=config)
    assert shown.code == 0, shown.stderr
    added_text = [p["new"] for p in json.loads(shown.stdout)["paragraphs"] if p["kind"] == "added"]
    assert any("did not immediately respond" in t for t in added_text)

    status = run_cli("status", db=db, config=config)
    assert status.code == 0, status.stderr
    assert "1 feed," in status.stdout and "2 changes, 2 silent" in status.stdout
    if db.startswith("postgresql://"):
        # one partition a UTC day: 1, or 2 for a test that runs across midnight
        assert re.search(r"\(PostgreSQL; fetches by day: [12] partitions?, 20", status.stdout)

    exported = run_cli("export", "changes", "--silent-only", db=db, config=config)
    assert exported.code == 0, exported.stderr
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    found = [r for r in rows if r["url"] == article]
    assert len(rows) == 2 and [r["kinds"] for r in found] == [["comment_line"]]
    assert found[0]["from_version"] == 1 and found[0]["to_version"] == 2

    kept = run_cli("gc", "--older-than", "1d", db=db, config=config)
    assert kept.code == 0, kept.stderr
    assert "pruned 0 snapshots" in kept.stdout
    pruned = run_cli("gc", "--older-than", "0s", db=db, config=config)
    assert pruned.code == 0, pruned.stderr
    assert "pruned 0 snapshots" not in pruned.stdout
    again = run_cli("diff", article, "--format", "json", db=db, config=config)
    assert again.stdout == shown.stdout, "gc never touches versions or changes"


def test_add_then_check_finds_a_headline_change(
    newsroom, store_target: str, tmp_path: Path
) -> None:
    """`add` of a URL, then `check` across the newsroom's edits: the versions and changes
    counted by `status` are the same on both stores."""
    room, server = newsroom
    db, config = store_target, _plain_config(tmp_path)
    urls = [server.article_url("capitol", "white-house-weighs-new-export-controls")]
    added = run_cli("add", *urls, db=db, config=config)
    assert added.code == 0, added.stderr
    again = run_cli("add", *urls, db=db, config=config)
    assert again.code == 0 and "already" in (again.stdout + again.stderr).lower(), again.stdout
    for step in range(2, 8):
        room.advance(1)
        done = run_cli("check", "--all", db=db, config=config)
        assert done.code == 0, (step, done.stderr)
    status = run_cli("status", db=db, config=config)
    assert "1 article" in status.stdout, status.stdout


def test_two_processes_checking_the_same_articles_store_each_version_once(
    newsroom, pg_url: str, tmp_path: Path
) -> None:
    """Two `check --all` processes on one PostgreSQL database, over the same articles, at
    every step of the newsroom's edits: each edit is stored once (versions numbered
    1, 2, 3… with no two consecutive alike, no change twice), and neither process fails.
    The commit's row lock makes the second writer of an article re-read the first's."""
    import subprocess
    import sys

    room, server = newsroom
    config = _plain_config(tmp_path)
    slugs = [s.slug for s in room.stories if s.outlet == "capitol" and s.published_step == 0]
    urls = [server.article_url("capitol", slug) for slug in slugs]
    assert run_cli("add", *urls, db=pg_url, config=config).code == 0  # type: ignore[arg-type]
    argv = [sys.executable, "-m", "monitor", "--db", pg_url, "--config", str(config)]
    last = max(e.step for s in room.stories if s.outlet == "capitol" for e in s.edits)
    for _ in range(last + 1):
        pair = [
            subprocess.Popen(
                [*argv, "check", "--all"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(2)
        ]
        for proc in pair:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err.decode()
        room.advance(1)

    import psycopg

    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(
            "SELECT article_id, version_number, content_hash FROM version_records"
            " ORDER BY article_id, version_number"
        ).fetchall()
        changes = conn.execute(
            "SELECT from_version_id, to_version_id, COUNT(*) FROM changes"
            " GROUP BY 1, 2 HAVING COUNT(*) > 1"
        ).fetchall()
    by_article: dict[int, list[tuple[int, str]]] = {}
    for article_id, number, digest in rows:
        by_article.setdefault(article_id, []).append((number, digest))
    assert len(by_article) == len(urls)
    for history in by_article.values():
        assert [n for n, _ in history] == list(range(1, len(history) + 1))
        digests = [d for _, d in history]
        assert all(a != b for a, b in itertools.pairwise(digests)), history
    assert sum(len(h) for h in by_article.values()) > len(urls), "the edits were seen"
    assert changes == []


def test_the_daemon_runs_on_either_store(newsroom, store_target: str, tmp_path: Path) -> None:
    """`run` stores the newsroom's stories and then an edit, stops cleanly on SIGTERM, and
    `status` counts the versions its log reported, on both stores."""
    from tests.integration.test_daemon import DaemonProcess, daemon_config

    room, server = newsroom
    config = daemon_config(tmp_path / "c.toml", server.outlet_config_toml())
    with DaemonProcess(store_target, config, tmp_path / "out.log") as daemon:  # type: ignore[arg-type]
        daemon.wait_for(r"^event=check .*outcome=new", count=5)
        room.advance(2)  # the seed edit is live at step 2
        daemon.wait_for(r"^event=check .*outcome=changed", timeout=30)
        code, _ = daemon.stop()
    log = daemon.text()
    assert code == 0 and "Traceback" not in log, log[-3000:]
    stored = len(re.findall(r"^event=check .*outcome=(new|changed)", log, re.M))
    status = run_cli("status", db=store_target, config=config)
    assert f"all time: {stored} versions" in status.stdout, (status.stdout, log[-2000:])


def test_processes_discovering_the_same_feeds_track_each_article_once(
    newsroom, pg_url: str, tmp_path: Path
) -> None:
    """Three `check` processes start together on a new PostgreSQL database whose config
    lists the newsroom's feeds: all poll the same feeds and meet the same new articles,
    outlets and feeds at once; none fails, and each is stored once (it failed one run in
    five with two processes, a unique key violated, before the inserts gave way)."""
    import subprocess
    import sys

    _, server = newsroom
    config = tmp_path / "c.toml"
    config.write_text(no_host_delay(server.outlet_config_toml()), encoding="utf-8")
    argv = [sys.executable, "-m", "monitor", "--db", pg_url, "--config", str(config), "check"]
    for _ in range(2):
        trio = [
            subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)
        ]
        for proc in trio:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, (out.decode()[-2000:], err.decode()[-2000:])
    import psycopg

    with psycopg.connect(pg_url) as conn:
        urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
        outlets = [n for (n,) in conn.execute("SELECT name FROM outlets")]
        feeds = [u for (u,) in conn.execute("SELECT url FROM feeds")]
    assert len(urls) == len(set(urls)) > 10
    assert len(outlets) == len(set(outlets)) == 4 and len(feeds) == len(set(feeds)) > 4
