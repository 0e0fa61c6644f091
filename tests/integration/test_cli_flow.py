"""The command line as a user drives it: feed add, check, diff, status against a live newsroom."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.support.httpserver import TestServer, text


def test_feed_add_check_diff_status(newsroom, config_file: Path, tmp_path: Path) -> None:
    """A user adds feeds, checks twice across an edit, and reads the change as a diff."""
    room, server = newsroom
    db = tmp_path / "m.db"
    plain_config = tmp_path / "plain.toml"
    plain_config.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n", encoding="utf-8"
    )
    feed_url = server.feed_urls["capitol"][0]
    added = run_cli("feed", "add", feed_url, "--outlet", "capitol", db=db, config=plain_config)
    assert added.code == 0, added.stderr
    assert "added: feed #1" in added.stdout and "rss" in added.stdout

    listed = run_cli("feed", "list", db=db, config=plain_config)
    assert "[capitol]" in listed.stdout and feed_url in listed.stdout

    first = run_cli("check", db=db, config=plain_config)
    assert first.code == 0, first.stderr
    assert "new versions" in first.stdout.splitlines()[-1]
    room.advance(2)  # the seed edit is live at step 2
    second = run_cli("check", "--all", db=db, config=plain_config)
    assert second.code == 0, second.stderr
    assert "SILENT [comment_line]" in second.stdout
    summary = second.stdout.splitlines()[-1]
    assert "silent edits" in summary and " 0 errors" in summary

    article = server.article_url("capitol", "white-house-weighs-new-export-controls")
    shown = run_cli("diff", article, "--format", "json", db=db, config=plain_config)
    assert shown.code == 0, shown.stderr
    payload = json.loads(shown.stdout)
    added_text = [p["new"] for p in payload["paragraphs"] if p["kind"] == "added"]
    assert any("did not immediately respond" in t for t in added_text)

    as_text = run_cli("diff", article, "--no-color", db=db, config=plain_config)
    assert "{+" in as_text.stdout and "did not immediately respond" in as_text.stdout

    status = run_cli("status", db=db, config=plain_config)
    assert status.code == 0
    assert "1 feed," in status.stdout and "silent" in status.stdout


def test_malformed_feed_is_refused_in_one_line(tmp_path: Path) -> None:
    """`feed add` of a URL that serves broken XML fails with one line and tracks nothing."""
    config = tmp_path / "c.toml"
    config.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n", encoding="utf-8"
    )
    db = tmp_path / "m.db"
    routes = {"/feed.xml": text("<rss><channel><item><link>http://x", "application/rss+xml")}
    with TestServer(routes) as server:
        result = run_cli("feed", "add", server.url("/feed.xml"), db=db, config=config)
    assert result.code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("article-monitor: error:"), result.stderr
    assert "feed" in lines[0].lower()
    assert not db.exists(), "a refused feed leaves no database behind"
    assert "does not exist" in run_cli("feed", "list", db=db, config=config).stderr


def test_check_reports_feed_errors_and_goes_on(newsroom, tmp_path: Path) -> None:
    """A feed that breaks later is reported by `check`, which still checks the other articles."""
    _, server = newsroom
    config = tmp_path / "c.toml"
    config.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n", encoding="utf-8"
    )
    db = tmp_path / "m.db"
    routes = {"/feed.xml": text("<html><body>Oops, maintenance</body></html>")}
    with TestServer(routes) as broken:
        assert run_cli("feed", "add", server.feed_urls["harbor"][0], db=db, config=config).code == 0
        assert (
            run_cli(
                "feed", "add", broken.url("/feed.xml"), "--no-verify", db=db, config=config
            ).code
            == 0
        )
        result = run_cli("check", db=db, config=config)
    assert result.code == 0, result.stderr
    assert "feed error:" in result.stdout and "/feed.xml" in result.stdout
    assert "new versions" in result.stdout and "1 failed" in result.stdout
