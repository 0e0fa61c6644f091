"""End to end against the simulated newsroom: every scripted edit found, classified, stored once."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

import pytest

from monitor import store
from monitor.config import load_settings
from monitor.net.fetch import Fetcher
from monitor.pipeline.check import run_pass
from monitor.store import snapshots
from tests.support.answer_key import find_article, scripted_edit_problems

STEP = timedelta(minutes=20)


@pytest.fixture(
    params=[("all", "sqlite"), ("due", "sqlite"), ("all", "postgres")],
    ids=["all", "due", "all-postgres"],
)
def monitored(request, newsroom, config_file: Path, tmp_path: Path, clock):
    """One pass per newsroom step (20 minutes apart), checking all articles or only due ones,
    on SQLite and (all articles) on PostgreSQL.

    The "due" passes rely on the default schedule alone: young articles every 15
    minutes, and a removed article rechecked as soon as a young one would be.
    """
    room, server = newsroom
    settings = load_settings(config_file)
    if request.param[1] == "postgres":
        db = store.open_db(request.getfixturevalue("pg_url"))
    else:
        db = store.open_db(tmp_path / "monitor.db")
    start = clock.now
    summaries = []
    with Fetcher(settings.fetch, clock=clock) as fetcher:
        for step in range(room.max_step + 1):
            if step:
                room.advance()
                clock.now = start + STEP * step
            summaries.append(
                run_pass(
                    db, fetcher, settings, clock=clock, rng=random.Random(step), check_all=True
                )
            )
    return room, server, db, start, summaries


def test_every_scripted_edit_is_classified_as_the_newsroom_says(monitored) -> None:
    """Each scripted edit yields one change with at least the expected kinds and silent flag."""
    room, server, db, start, _ = monitored
    problems = scripted_edit_problems(room, server, db, start, STEP)
    assert not problems, "\n".join(problems)


def test_seed_case_comment_line_is_a_silent_edit(monitored) -> None:
    """The NSC 'did not immediately respond' line added later is a silent comment_line change."""
    _, _, db, _, _ = monitored
    rows = db.execute(
        "SELECT changes.kinds, changes.silent, changes.evidence FROM changes "
        "WHERE evidence LIKE '%National Security Council did not immediately respond%'"
    ).fetchall()
    assert rows, "the seed edit was not recorded"
    kinds, silent, evidence = rows[0]
    assert "comment_line" in json.loads(kinds) and silent == 1
    assert any(
        e["kind"] == "comment_line" and "did not immediately respond" in e["text"]
        for e in json.loads(evidence)
    )


def test_furniture_noise_never_creates_versions(monitored) -> None:
    """Only scripted edits make versions: re-renders with new ads, timestamps and rails do not."""
    room, _, db, _, _ = monitored
    expected_versions = {
        (e.outlet, e.slug, e.step)
        for e in room.expectations()
        if getattr(e, "expect_version", True)
        and "removed" not in e.kinds
        and "restored" not in e.kinds
    }
    changes_with_versions = db.execute(
        "SELECT COUNT(*) FROM changes WHERE to_version_id IS NOT NULL "
        "AND to_version_id != from_version_id"
    ).fetchone()[0]
    assert changes_with_versions == len(expected_versions)


def test_unchanged_pass_stores_nothing_new(monitored, newsroom, config_file, clock) -> None:
    """A further pass with no newsroom edits adds fetches but no versions or changes."""
    _, _, db, _, _ = monitored
    settings = load_settings(config_file)
    before = db.execute(
        "SELECT (SELECT COUNT(*) FROM versions), (SELECT COUNT(*) FROM changes)"
    ).fetchone()
    clock.advance(minutes=30)
    with Fetcher(settings.fetch, clock=clock) as fetcher:
        summary = run_pass(db, fetcher, settings, clock=clock, rng=random.Random(0), check_all=True)
    after = db.execute(
        "SELECT (SELECT COUNT(*) FROM versions), (SELECT COUNT(*) FROM changes)"
    ).fetchone()
    assert summary.checked > 0
    assert after == before


def test_an_article_in_two_feeds_is_tracked_once(monitored) -> None:
    """Tracking parameters and fragments do not make duplicate articles."""
    room, server, db, _, _ = monitored
    urls = [row[0] for row in db.execute("SELECT url FROM articles")]
    assert len(urls) == len(set(urls))
    assert not any("utm_" in u or "fbclid" in u or "#" in u for u in urls)
    slugs = {(e.outlet, e.slug) for e in room.expectations()}
    for outlet, slug in slugs:
        find_article(db, server, outlet, slug)


def test_every_fetch_attempt_is_recorded(monitored) -> None:
    """Failed attempts (410/404) are rows in fetches with their status code and outcome."""
    _, _, db, _, _ = monitored
    gone = db.execute(
        "SELECT COUNT(*) FROM fetches WHERE outcome = 'gone' AND status_code IN (404, 410)"
    ).fetchone()[0]
    assert gone > 0
    assert db.execute("SELECT COUNT(*) FROM fetches WHERE outcome = 'ok'").fetchone()[0] > 0


def test_raw_html_of_each_version_is_kept_compressed(monitored) -> None:
    """Every version links a zlib-compressed snapshot of the page it was read from."""
    _, _, db, _, _ = monitored
    missing = db.execute("SELECT COUNT(*) FROM versions WHERE snapshot_id IS NULL").fetchone()[0]
    assert missing == 0
    snapshot_id = db.execute("SELECT snapshot_id FROM versions LIMIT 1").fetchone()[0]
    html = snapshots.snapshot_html(db, snapshot_id)
    assert html is not None and b"<html" in html.lower()
    stored, size = db.execute(
        "SELECT length(content), size FROM snapshots WHERE id = ?", (snapshot_id,)
    ).fetchone()
    assert stored < size


def test_database_integrity_after_the_run(monitored) -> None:
    """The WAL database passes PRAGMA integrity_check and has no duplicate version numbers."""
    _, _, db, _, _ = monitored
    duplicates = db.execute(
        "SELECT article_id, version_number FROM version_records"
        " GROUP BY article_id, version_number HAVING COUNT(*) > 1"
    ).fetchall()
    assert duplicates == []
    if getattr(db, "is_postgres", False):
        return  # PostgreSQL has no integrity_check (its constraints hold) nor a WAL mode
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_revert_summaries_name_the_articles_own_version_numbers(monitored) -> None:
    """The newsroom's headline flip-back is reported as "reverts to version N" where N is
    the number the article's timeline shows (1, 2, 3…), not the version's row id; the
    revert_of_version_id column still holds the row id."""
    _, _, db, _, _ = monitored
    rows = db.execute(
        "SELECT c.summary, c.evidence, c.revert_of_version_id, v.version_number "
        "FROM changes c JOIN version_records v ON v.id = c.revert_of_version_id"
    ).fetchall()
    assert rows, "the newsroom's headline flip-back made no revert"
    assert any(row_id != number for _, _, row_id, number in rows), "ids and numbers coincide"
    for summary, evidence, _row_id, number in rows:
        assert f"reverts to version {number}" in summary
        revert = next(e for e in json.loads(evidence) if e["kind"] == "revert")
        assert revert["new"] == str(number)
        assert revert["text"] == f"same as earlier version {number}"
