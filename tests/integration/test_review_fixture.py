"""A monitor database filled by the real pipeline from the local newsroom, for the review tests.

Also pins the FTS migration: the backfill of existing versions and the triggers
that keep the index in sync with every write.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from monitor import store
from monitor.compare.classify import classify
from monitor.compare.diff import diff_versions
from monitor.config import load_settings
from monitor.net.fetch import Fetcher
from monitor.newsroom import Newsroom, serve_newsroom
from monitor.pipeline.check import run_pass
from monitor.review.app import make_datasette
from monitor.review.queries import PHRASE_VERSIONS
from monitor.sentences import passages
from monitor.store import versions
from monitor.store.migrations import MIGRATIONS
from monitor.times import iso
from tests.conftest import no_host_delay

STEP = timedelta(minutes=20)
# pytest fixtures shared by the review test modules are defined below (filled, ds, sql)
XSS_SENTENCE = (
    'Officials said <script>document.body.appendChild(Object.assign(document.createElement("div"),'
    '{id:"xss-ran"}));alert("xss")</script> and <img src=x onerror="alert(1)"> were reviewed.'
)
XSS_TITLE = 'Budget vote <img src=x onerror="alert(2)"> delayed'


@dataclass
class Filled:
    path: Path
    newsroom: Newsroom
    start: datetime
    xss_change_id: int
    xss_article_id: int


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def fill_database(path: Path) -> Filled:
    """Run one pass per newsroom step (times ending a few minutes ago), then plant an XSS edit."""
    room = Newsroom(seed=0)
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    start = end - STEP * (room.max_step + 1)
    clock = _Clock(start)
    with serve_newsroom(room, host="127.0.0.1") as server:
        config = path.with_suffix(".toml")
        config.write_text(no_host_delay(server.outlet_config_toml()), encoding="utf-8")
        settings = load_settings(config)
        db = store.open_db(path)
        with Fetcher(settings.fetch, clock=clock) as fetcher:
            for step in range(room.max_step + 1):
                if step:
                    room.advance()
                    clock.now = start + STEP * step
                run_pass(
                    db, fetcher, settings, clock=clock, rng=random.Random(step), check_all=True
                )
    change_id, article_id = plant_xss(db, iso(end))
    db.conn.close()
    return Filled(path, room, start, change_id, article_id)


def plant_xss(db, when: str) -> tuple[int, int]:
    """A new version whose headline and body carry script payloads, stored as a silent change."""
    article_id = db.execute(
        "SELECT article_id FROM versions GROUP BY article_id ORDER BY article_id LIMIT 1"
    ).fetchone()[0]
    old = versions.latest_version(db, article_id)
    assert old is not None
    body = f"{old.body}\n\n{XSS_SENTENCE}"
    digest = hashlib.sha256(f"{XSS_TITLE}\n{old.byline}\n{body}".encode()).hexdigest()
    with store.transaction(db):
        new = versions.insert_version(
            db,
            article_id,
            {
                "captured_at": when,
                "title": XSS_TITLE,
                "byline": old.byline,
                "body": body,
                "content_hash": digest,
            },
        )
        verdict = classify(diff_versions(old, new))
        change_id = versions.insert_change(
            db,
            article_id,
            from_version_id=old.id,
            to_version_id=new.id,
            detected_at=when,
            classification=verdict,
        )
    return change_id, article_id


def _fts_ids(db, phrase: str) -> set[int]:
    """Version ids the reviewers' phrase search finds (the canned query's own SQL)."""
    sql = PHRASE_VERSIONS + " SELECT version_id FROM matching"
    return {r[0] for r in db.execute(sql, {"phrase": phrase})}


def _schema_1_database(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    import sqlite_utils

    MIGRATIONS[0](sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO articles (id, url, first_seen_at) VALUES (1, 'http://127.0.0.1/a', '2026-01-01T00:00:00Z')"
    )
    return conn


def test_fts_backfills_versions_stored_before_the_migration(tmp_path: Path) -> None:
    """A database at schema 1 with versions gets them all searchable when the migrations run."""
    path = tmp_path / "old.db"
    conn = _schema_1_database(path)
    conn.execute(
        "INSERT INTO versions (article_id, version_number, captured_at, title, byline, body, content_hash) "
        "VALUES (1, 1, '2026-01-01T00:00:00Z', 'Harbor dredging approved', '', 'The council voted.', 'h')"
    )
    conn.close()
    db = store.open_db(path)
    assert _fts_ids(db, "dredging") == {1}
    assert _fts_ids(db, "council voted") == {1}
    assert _fts_ids(db, "voted council") == set()


def test_migration_keeps_every_stored_body_exactly(tmp_path: Path) -> None:
    """Bodies stored before passages were shared read back byte for byte through
    ``versions`` (empty body, empty paragraphs, a moved paragraph, a repeated one), and
    canonical URLs as they were."""
    path = tmp_path / "old.db"
    conn = _schema_1_database(path)
    bodies = ["A.\n\nB.\n\nC.", "C.\n\nA.\n\nB.", "", "A.\n\n\n\nA.\n\nD.", "Solo"]
    for number, body in enumerate(bodies, start=1):
        conn.execute(
            "INSERT INTO versions (article_id, version_number, captured_at, title, byline, body, "
            "content_hash) VALUES (1, ?, '2026-01-01T00:00:00Z', 't', '', ?, ?)",
            (number, body, str(number)),
        )
    conn.execute(
        "UPDATE versions SET canonical_url = 'http://127.0.0.1/a' WHERE version_number = 1"
    )
    conn.execute("UPDATE versions SET canonical_url = 'http://x.test/b' WHERE version_number = 2")
    conn.close()
    db = store.open_db(path)
    got = [r[0] for r in db.execute("SELECT body FROM versions ORDER BY version_number")]
    assert got == bodies
    canonical = [r[0] for r in db.execute("SELECT canonical_url FROM versions ORDER BY id")]
    assert canonical == ["http://127.0.0.1/a", "http://x.test/b", None, None, None]
    # each distinct passage is stored once
    distinct = {text for body in bodies for text in passages(body)}
    assert db.execute("SELECT COUNT(*) FROM passages").fetchone()[0] == len(distinct)


def test_one_sentence_edit_stores_one_passage(tmp_path: Path) -> None:
    """A new version that changes one sentence of a long article adds one passage row;
    both versions still read back whole, in order."""
    db = store.open_db(tmp_path / "m.db")
    paragraphs = [
        f"Paragraph {n} opens here. Its middle sentence is {n}. And it ends {n}." for n in range(30)
    ]
    edited = [*paragraphs]
    edited[12] = "Paragraph 12 opens here. Its changed sentence is 12. And it ends 12."
    edited[3], edited[20] = edited[20], edited[3]
    with store.transaction(db):
        aid, _ = store.add_article(db, "http://127.0.0.1/p", None, "2026-01-01T00:00:00Z")
        for number, body in enumerate(("\n\n".join(paragraphs), "\n\n".join(edited))):
            versions.insert_version(
                db,
                aid,
                {"captured_at": "2026-01-01T00:00:00Z", "title": "T", "byline": "",
                 "body": body, "content_hash": str(number)},
            )  # fmt: skip
    assert db.execute("SELECT COUNT(*) FROM passages").fetchone()[0] == 30 * 3 + 1
    assert versions.latest_version(db, aid).body == "\n\n".join(edited)
    assert versions.version_by_number(db, aid, 1).body == "\n\n".join(paragraphs)


def test_canonical_url_reads_back_as_stored(tmp_path: Path) -> None:
    """The versions view gives each version's canonical URL as the page declared it: the
    article's own URL, another URL, or none, whether written by the store or through
    the view."""
    db = store.open_db(tmp_path / "m.db")
    own = "http://127.0.0.1/c"
    with store.transaction(db):
        aid, _ = store.add_article(db, own, None, "2026-01-01T00:00:00Z")
        for number, canonical in enumerate((own, "http://127.0.0.1/other", None)):
            versions.insert_version(
                db,
                aid,
                {"captured_at": "2026-01-01T00:00:00Z", "title": "T", "byline": "",
                 "body": f"Body {number}.", "content_hash": str(number),
                 "canonical_url": canonical},
            )  # fmt: skip
    db.execute(
        "INSERT INTO versions (article_id, version_number, captured_at, title, byline, body, "
        "content_hash, canonical_url) VALUES (?, 4, 't', 'T', '', 'Four.', '4', ?)",
        (aid, own),
    )
    db.execute(
        "INSERT INTO versions (article_id, version_number, captured_at, title, byline, body, "
        "content_hash) VALUES (?, 5, 't', 'T', '', 'Five.', '5')",
        (aid,),
    )
    got = [r[0] for r in db.execute("SELECT canonical_url FROM versions ORDER BY version_number")]
    assert got == [own, "http://127.0.0.1/other", None, own, None]
    assert [versions.version_by_number(db, aid, n).body for n in (4, 5)] == ["Four.", "Five."]


def test_fts_follows_inserts_updates_and_deletes(tmp_path: Path) -> None:
    """New versions are searchable at once; edited or deleted ones stop matching old words
    (writes through the ``versions`` view included)."""
    db = store.open_db(tmp_path / "m.db")
    with store.transaction(db):
        aid, _ = store.add_article(db, "http://127.0.0.1/x", None, "2026-01-01T00:00:00Z")
        version = versions.insert_version(
            db,
            aid,
            {
                "captured_at": "2026-01-01T00:00:00Z",
                "title": "Mayor resigns",
                "byline": "",
                "body": "Zebra crossings everywhere.",
                "content_hash": "a",
            },
        )
    assert _fts_ids(db, "zebra") == {version.id}
    assert _fts_ids(db, "mayor resigns") == {version.id}
    db.execute("UPDATE versions SET body = 'Giraffes instead.' WHERE id = ?", (version.id,))
    assert _fts_ids(db, "zebra") == set()
    assert _fts_ids(db, "giraffes") == {version.id}
    assert versions.version_by_id(db, version.id).body == "Giraffes instead."
    db.execute("DELETE FROM versions WHERE id = ?", (version.id,))
    assert _fts_ids(db, "giraffes") == set()
    assert _fts_ids(db, "mayor") == set()
    assert db.execute("SELECT COUNT(*) FROM passages").fetchone()[0] == 0


def test_planted_version_is_indexed_like_any_other(tmp_path: Path) -> None:
    """The store's ordinary insert path keeps the index current (no separate FTS call)."""
    db = store.open_db(tmp_path / "m.db")
    with store.transaction(db):
        aid, _ = store.add_article(db, "http://127.0.0.1/y", None, "2026-01-01T00:00:00Z")
        versions.insert_version(
            db,
            aid,
            {
                "captured_at": "2026-01-01T00:00:00Z",
                "title": "Port",
                "byline": "",
                "body": "First.",
                "content_hash": "a",
            },
        )
    plant_xss(db, "2026-01-01T01:00:00Z")
    assert len(_fts_ids(db, "reviewed")) == 1


# ---------------------------------------------------------------- shared fixtures


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return fill_database(tmp_path_factory.mktemp("review") / "monitor.db")


@pytest.fixture(scope="module")
def ds(filled: Filled):
    datasette = make_datasette(filled.path)
    asyncio.run(datasette.invoke_startup())
    return datasette


@pytest.fixture(scope="module")
def sql(filled: Filled) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{filled.path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def get(ds, path: str) -> httpx.Response:
    return asyncio.run(ds.client.get(path))


def rows(ds, path: str) -> list[dict]:
    base, _, query = path.partition("?")
    response = get(ds, f"{base}.json?{query}&_shape=array&_size=max")
    assert response.status_code == 200, response.text[:500]
    return response.json()
