"""Outlet incidents through the real CLI against the local newsroom: an outlet that serves
a consent wall (or another outage) to every article opens an incident instead of a wave of
false silent edits; recovery compares each article with its last good version; an edit
made during the outage is found afterwards; an outlet's selector edit re-reads stored
versions from their snapshots."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.newsroom import Newsroom, NewsroomServer, serve_newsroom
from tests.conftest import run_cli
from tests.support.paths import CORPUS
from tests.support.stores import fetch_rows

#: filler stories spread over the four outlets: 4 each, so capitol has 8 articles
FILLER = 16


@pytest.fixture
def big_newsroom() -> Iterator[tuple[Newsroom, NewsroomServer]]:
    room = Newsroom(seed=0, extra_articles=FILLER)
    with serve_newsroom(room, host="127.0.0.1") as server:
        yield room, server


def _config(tmp_path: Path, outlet_block: str = '[[outlets]]\nname = "capitol"\n') -> Path:
    path = tmp_path / "c.toml"
    path.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n\n" + outlet_block,
        encoding="utf-8",
    )
    return path


def _urls(room: Newsroom, server: NewsroomServer, outlet: str) -> list[str]:
    return [server.article_url(s.outlet, s.slug) for s in room.stories if s.outlet == outlet]


def _one(db: Path | str, sql: str) -> int:
    return int(fetch_rows(db, sql)[0][0])


def _check(db: Path | str, config: Path) -> str:
    result = run_cli("check", "--all", db=db, config=config)
    assert result.code == 0, result.stderr
    return result.stdout


def test_a_consent_wall_at_one_outlet_is_an_incident_not_sixteen_silent_edits(
    tmp_path: Path, big_newsroom, store_target: str
) -> None:
    """8 articles of one outlet start serving a consent wall: no version and no change is
    stored while it lasts, an incident opens and `status` shows it; when the wall goes,
    the incident closes, the articles whose text came back the same have no change, and
    the edits the newsroom made during the wall are found (and only those). The same on
    SQLite and on PostgreSQL."""
    room, server = big_newsroom
    db, config = store_target, _config(tmp_path)
    urls = _urls(room, server, "capitol")
    assert len(urls) == 8
    assert run_cli("add", *urls, "--outlet", "capitol", db=db, config=config).code == 0
    assert "8 new versions" in _check(db, config)

    server.set_outage("capitol", "consent_wall")
    during = [_check(db, config) for _ in range(3)]
    room.advance(room.max_step)  # the scripted edits happen behind the wall
    during.append(_check(db, config))
    assert _one(db, "SELECT COUNT(*) FROM versions") == 8
    assert _one(db, "SELECT COUNT(*) FROM changes") == 0
    assert "incident #1 opened: incident at capitol: consent wall or paywall" in during[0]
    assert _one(db, "SELECT COUNT(*) FROM incidents WHERE ended_at IS NULL") == 1
    status = run_cli("status", db=db, config=config)
    assert status.code == 0, status.stderr
    assert "open incident #1 at outlet capitol" in status.stdout

    server.set_outage("capitol", None)
    after = _check(db, config) + _check(db, config)
    assert "incident #1 closed" in after
    assert "open incident" not in run_cli("status", db=db, config=config).stdout
    edited = {
        server.article_url("capitol", s.slug)
        for s in room.stories
        if s.outlet == "capitol" and not s.at(0).same_article(s.at(room.step))
    }
    assert edited, "the script edits some capitol story"
    changed = {
        url
        for (url,) in fetch_rows(
            db, "SELECT a.url FROM changes c JOIN articles a ON a.id = c.article_id"
        )
    }
    row = fetch_rows(db, "SELECT kind, ended_at IS NOT NULL, articles, reads FROM incidents")[0]
    walls = _one(db, "SELECT COUNT(*) FROM versions WHERE body LIKE '%cookies%'")
    assert changed == edited
    assert walls == 0
    assert row[:3] == ("consent_or_paywall", 1, 8) and row[3] >= 24


@pytest.mark.parametrize("mode", ["paywall", "js_shell", "error_200"])
def test_other_outages_open_an_incident_and_store_nothing(
    tmp_path: Path, big_newsroom, mode: str
) -> None:
    """A teaser paywall, a JavaScript shell and an error page served with 200 each open
    an incident at the outlet, and none of their reads becomes a version."""
    room, server = big_newsroom
    db, config = tmp_path / "m.db", _config(tmp_path)
    assert run_cli("add", *_urls(room, server, "capitol"), "--outlet", "capitol",
                   db=db, config=config).code == 0  # fmt: skip
    _check(db, config)
    server.set_outage("capitol", mode)
    _check(db, config)
    _check(db, config)
    assert _one(db, "SELECT COUNT(*) FROM incidents WHERE ended_at IS NULL") == 1
    assert _one(db, "SELECT COUNT(*) FROM versions") == 8
    assert _one(db, "SELECT COUNT(*) FROM changes") == 0


def test_a_template_change_that_empties_the_selectors_is_an_incident(
    tmp_path: Path, big_newsroom
) -> None:
    """The ledger renames its classes: the outlet's selectors find nothing and the
    generic reader would read the pages differently. That is an incident ("selectors"),
    not a wave of edits."""
    room, server = big_newsroom
    selectors = (
        '[[outlets]]\nname = "ledger"\nselectors = { title = "h1.zq-hed", '
        'byline = ".zq-credit", body = ".zq-copy .zq-p", remove = ".zq-promo" }\n'
    )
    db, config = tmp_path / "m.db", _config(tmp_path, selectors)
    assert run_cli("add", *_urls(room, server, "ledger"), "--outlet", "ledger",
                   db=db, config=config).code == 0  # fmt: skip
    _check(db, config)
    server.set_outage("ledger", "template")
    _check(db, config)
    _check(db, config)
    _check(db, config)
    assert _one(db, "SELECT COUNT(*) FROM changes") == 0
    assert _one(db, "SELECT COUNT(*) FROM incidents WHERE kind = 'selectors'") == 1


def test_one_articles_own_persistent_change_still_goes_through_the_suspect_guard(
    tmp_path: Path, big_newsroom
) -> None:
    """On a healthy outlet, one article whose page starts reading as a short teaser is
    held as suspect twice and stored on the third check, as before incidents; no
    incident opens."""
    room, server = big_newsroom
    db, config = tmp_path / "m.db", _config(tmp_path)
    assert run_cli("add", *_urls(room, server, "capitol"), "--outlet", "capitol",
                   db=db, config=config).code == 0  # fmt: skip
    _check(db, config)
    story = next(s for s in room.stories if s.outlet == "capitol" and s.section == "briefs")
    site = server.sites["capitol"]
    original = site._article

    def one_broken(path: str, step: int):  # only this article serves the teaser
        if path == room.article_path(story):
            site.outage = "paywall"
            try:
                return original(path, step)
            finally:
                site.outage = None
        return original(path, step)

    site._article = one_broken  # type: ignore[method-assign]
    outputs = [_check(db, config) for _ in range(3)]
    assert [o.count("suspect:") for o in outputs] == [1, 1, 0]
    assert _one(db, "SELECT COUNT(*) FROM changes") == 1
    assert _one(db, "SELECT COUNT(*) FROM incidents") == 0


def test_editing_an_outlets_selectors_rereads_its_versions_from_snapshots(
    tmp_path: Path, big_newsroom
) -> None:
    """A user edits the ledger's selectors so that they read one paragraph less: the
    stored versions are re-read from their snapshots (a `reextracted` change, never
    silent) instead of eight silent `paragraph_removed` edits."""
    room, server = big_newsroom
    block = (
        '[[outlets]]\nname = "ledger"\nselectors = { title = "h1.zq-hed", '
        'byline = ".zq-credit", body = ".zq-copy .zq-p", remove = "REMOVE" }\n'
    )
    db = tmp_path / "m.db"
    config = _config(tmp_path, block.replace("REMOVE", ".zq-promo"))
    assert run_cli("add", *_urls(room, server, "ledger"), "--outlet", "ledger",
                   db=db, config=config).code == 0  # fmt: skip
    _check(db, config)
    config = _config(tmp_path, block.replace("REMOVE", ".zq-promo, .zq-p:last-child"))
    _check(db, config)
    with sqlite3.connect(db) as conn:
        kinds = [k for (k,) in conn.execute("SELECT kinds FROM changes")]
        silent = conn.execute("SELECT COUNT(*) FROM changes WHERE silent = 1").fetchone()[0]
    assert kinds == ['["reextracted"]'] * 8
    assert silent == 0
    assert "0 changes" in _check(db, config)


def test_the_review_ui_shows_open_and_closed_incidents(tmp_path: Path) -> None:
    """The desk lists an open incident with its outlet; the outlet page lists every
    incident of the outlet, open and closed."""
    import asyncio

    from monitor import store
    from monitor.review.app import make_datasette
    from monitor.store import incidents
    from monitor.store.feeds import ensure_outlet

    path = tmp_path / "m.db"
    db = store.open_db(path)
    with store.transaction(db):
        outlet_id = ensure_outlet(db, "capitol")
        article_id, _ = store.add_article(
            db, "http://127.0.0.1/a", outlet_id, "2026-01-01T00:00:00Z"
        )
        closed = incidents.start(db, outlet_id, "empty_body", None, (article_id,),
                                 "2026-01-01T00:00:00Z", "an old outage")  # fmt: skip
        incidents.close(db, closed, "2026-01-01T02:00:00Z", "an old outage, over")
        incidents.start(db, outlet_id, "consent_or_paywall", None, (article_id,),
                        "2026-01-02T00:00:00Z", "incident at capitol: consent wall")  # fmt: skip
    db.conn.close()
    ds = make_datasette(path)
    asyncio.run(ds.invoke_startup())
    desk = asyncio.run(ds.client.get("/-/monitor")).text
    assert "Open outlet incidents" in desk
    assert "incident at capitol: consent wall" in desk and "an old outage" not in desk
    page = asyncio.run(ds.client.get(f"/-/monitor/outlet/{outlet_id}")).text
    assert "incident at capitol: consent wall" in page and "an old outage, over" in page
    assert page.count('<tr class="incident') == 2


def test_articles_that_start_with_the_same_text_are_not_an_incident(tmp_path: Path) -> None:
    """Five articles of one outlet whose bodies are the same wire copy from their first
    read on are five new versions: only reads that moved away from their stored version
    together make an outlet incident."""
    from tests.support.httpserver import TestServer, text

    body = "<p>A paragraph of the wire story, long enough to keep as the article.</p>" * 5

    def page(request) -> object:
        return text(
            f"<html><body><article><h1>Story {request.path}</h1>{body}</article></body></html>"
        )

    db, config = tmp_path / "m.db", _config(tmp_path, '[[outlets]]\nname = "wire"\n')
    with TestServer({f"/s{i}": page for i in range(5)}) as server:
        urls = [server.url(f"/s{i}") for i in range(5)]
        assert run_cli("add", *urls, "--outlet", "wire", db=db, config=config).code == 0
        assert "5 new versions" in _check(db, config)
    assert _one(db, "SELECT COUNT(*) FROM incidents") == 0


@pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS} (only in the dev setup)"
)
def test_real_pages_behind_a_consent_wall_open_an_incident_and_come_back_unchanged(
    tmp_path: Path,
) -> None:
    """Eight real article pages of the corpus tracked as one outlet; each is then served
    as a consent wall, then as itself again: an incident opens and closes, and not one
    version or change comes of it."""
    import gzip

    from monitor.newsroom.outages import render_outage
    from monitor.newsroom.script import Revision
    from monitor.newsroom.templates import Page
    from tests.support.httpserver import TestServer, text

    files = sorted((CORPUS / "pages" / "scrapinghub-aeb" / "html").glob("*.html.gz"))[:8]
    real = {f"/p{i}": gzip.decompress(f.read_bytes()) for i, f in enumerate(files)}
    wall = render_outage(
        "consent_wall", "classic", Page("Site", "/", "news", "", ""), Revision(0, "", "", ())
    )
    db, config = tmp_path / "m.db", _config(tmp_path, '[[outlets]]\nname = "real"\n')
    with TestServer({path: text(body) for path, body in real.items()}) as server:
        urls = [server.url(path) for path in real]
        assert run_cli("add", *urls, "--outlet", "real", db=db, config=config).code == 0
        _check(db, config)
        versions = _one(db, "SELECT COUNT(*) FROM versions")
        assert versions >= 6, "most real pages read as articles"
        server.routes.update({path: text(wall) for path in real})
        assert "incident #1 opened" in _check(db, config) + _check(db, config)
        server.routes.update({path: text(body) for path, body in real.items()})
        assert "incident #1 closed" in _check(db, config)
    assert _one(db, "SELECT COUNT(*) FROM versions") == versions
    assert _one(db, "SELECT COUNT(*) FROM changes") == 0


def test_an_outlet_that_answers_304_after_the_outage_closes_its_incident(
    tmp_path: Path, big_newsroom
) -> None:
    """Metro answers conditional GETs: after its consent wall comes down, unchanged
    articles come back as 304 Not Modified, which are good reads of the outlet, so the
    incident closes without any article having changed."""
    room, server = big_newsroom
    db, config = tmp_path / "m.db", _config(tmp_path, '[[outlets]]\nname = "metro"\n')
    urls = [server.article_url("metro", s.slug) for s in room.stories
            if s.outlet == "metro" and s.published_step == 0]  # fmt: skip
    assert run_cli("add", *urls, "--outlet", "metro", db=db, config=config).code == 0
    _check(db, config)
    server.set_outage("metro", "consent_wall")
    assert "incident #1 opened" in _check(db, config)
    server.set_outage("metro", None)
    after = _check(db, config)
    assert "incident #1 closed" in after
    assert _one(db, "SELECT COUNT(*) FROM fetches WHERE outcome = 'not_modified'") >= 3
    assert _one(db, "SELECT COUNT(*) FROM changes") == 0
