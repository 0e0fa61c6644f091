"""The review plugin through Datasette's in-process client, on a pipeline-filled database."""

from __future__ import annotations

import asyncio
import io
import json
import re
import sqlite3
from xml.etree import ElementTree as ET

import feedparser
import test_review_fixture as shared
from PIL import Image
from test_review_fixture import XSS_TITLE, Filled, get

from monitor.review.app import make_datasette
from tests.support.paths import REPO

ATOM = "{http://www.w3.org/2005/Atom}"

# the module-scoped fixtures, shared with the other review test modules
filled, ds, sql = shared.filled, shared.ds, shared.sql


def _seed_change(sql: sqlite3.Connection) -> sqlite3.Row:
    return sql.execute(
        "SELECT * FROM changes WHERE evidence LIKE '%did not immediately respond%' ORDER BY id LIMIT 1"
    ).fetchone()


# ---------------------------------------------------------------- change page


def _section(html: str, css_class: str) -> str:
    """The HTML of the first <section class="css_class"> on a page."""
    start = html.index(f'<section class="{css_class}"')
    return html[start : html.index("</section>", start)]


def test_change_page_leads_with_the_edit_and_folds_unchanged_paragraphs(ds, sql) -> None:
    """The seed change (a comment line added to one paragraph of a long article) shows the
    edited paragraph first; every unchanged paragraph is inside a closed <details>, and
    the edit comes before the evidence and the full side by side."""
    change = _seed_change(sql)
    html = get(ds, f"/-/monitor/change/{change['id']}").text
    edit = _section(html, "the-edit")
    shown = edit.split("<details", 1)[0] + "".join(
        part.split("</details>", 1)[1] for part in edit.split("<details")[1:]
    )
    assert "did not immediately respond" in shown and "<ins>" in shown
    old_body = sql.execute(
        "SELECT body FROM versions WHERE id = ?", (change["from_version_id"],)
    ).fetchone()[0]
    unchanged = next(p for p in old_body.split("\n\n") if p)
    assert unchanged[:40] not in shown, "an unchanged paragraph is shown outside <details>"
    assert unchanged[:40] in edit and "unchanged</summary>" in edit
    assert "<details open" not in edit
    order = [html.index(marker) for marker in ('class="the-edit"', 'class="evidence"', 'id="full"')]
    assert order == sorted(order)
    assert 'class="badge badge-silent"' in html


def test_change_page_says_why_a_change_is_silent_in_plain_words(ds, sql) -> None:
    """A silent change states it is a substantive edit with no note on the page; a change
    with a correction note says it is not silent because of that note."""
    silent = _seed_change(sql)
    html = get(ds, f"/-/monitor/change/{silent['id']}").text
    assert re.search(
        r'class="reason reason-silent">Silent edit: substantive edit \([^)]*comment line[^)]*\); '
        r"no correction or update note on the page\.<",
        html,
    )
    noted = sql.execute(
        "SELECT id FROM changes WHERE kinds LIKE '%correction_note%' AND silent = 0 LIMIT 1"
    ).fetchone()
    assert noted is not None
    html = get(ds, f"/-/monitor/change/{noted['id']}").text
    assert "Not silent: the page now carries a correction or update note" in html


def test_change_page_highlights_the_evidence_row_and_text(ds, sql) -> None:
    """The comment line that made the change silent is marked and its row flagged with the kind."""
    change = _seed_change(sql)
    html = get(ds, f"/-/monitor/change/{change['id']}").text
    assert "has-evidence" in html
    assert "<mark>" in html and "comment_line" in html
    evidence = json.loads(change["evidence"])
    line = next(e["text"] for e in evidence if e["kind"] == "comment_line")
    assert line.split()[0] in html.split("<mark>", 1)[1]


def test_change_page_links_versions_live_url_snapshot_and_card(ds, sql) -> None:
    """Both versions, the live article, the raw snapshot and the PNG card are one click away."""
    change = _seed_change(sql)
    article = sql.execute(
        "SELECT url FROM articles WHERE id = ?", (change["article_id"],)
    ).fetchone()
    snapshot = sql.execute(
        "SELECT snapshot_id FROM versions WHERE id = ?", (change["to_version_id"],)
    ).fetchone()[0]
    html = get(ds, f"/-/monitor/change/{change['id']}").text
    assert f'href="/-/monitor/version/{change["from_version_id"]}">version 1<' in html
    assert f'href="/-/monitor/version/{change["to_version_id"]}">version 2<' in html
    assert f'href="{article["url"]}"' in html
    assert f'href="/-/monitor/snapshot/{snapshot}"' in html
    assert f'href="/-/monitor/change/{change["id"]}/card.png"' in html


def test_previous_and_next_walk_every_change_of_an_article_in_order(ds, sql) -> None:
    """Following "next change" from an article's first change visits all its changes."""
    article_id = sql.execute(
        "SELECT article_id FROM changes GROUP BY article_id ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()[0]
    expected = [
        r[0]
        for r in sql.execute(
            "SELECT id FROM changes WHERE article_id = ? ORDER BY id", (article_id,)
        )
    ]
    assert len(expected) >= 2
    seen, current = [], expected[0]
    while current is not None:
        seen.append(current)
        html = get(ds, f"/-/monitor/change/{current}").text
        marker = 'rel="next" class="next" href="/-/monitor/change/'
        current = int(html.split(marker, 1)[1].split('"', 1)[0]) if marker in html else None
    assert seen == expected
    last = get(ds, f"/-/monitor/change/{expected[-1]}").text
    assert f'rel="prev" class="prev" href="/-/monitor/change/{expected[-2]}"' in last


def test_removed_article_change_page_explains_instead_of_diffing(ds, sql) -> None:
    """A 'removed' change (no new version) renders without a diff table and says so."""
    row = sql.execute("SELECT id FROM changes WHERE to_version_id IS NULL LIMIT 1").fetchone()
    assert row is not None, "the newsroom script removes articles: a 'removed' change must exist"
    response = get(ds, f"/-/monitor/change/{row['id']}")
    assert response.status_code == 200
    assert "stopped answering" in response.text and 'class="sbs' not in response.text


def test_unknown_change_article_outlet_are_404(ds) -> None:
    """Missing ids answer 404, not 500."""
    for path in ("/-/monitor/change/999999", "/-/monitor/article/999999", "/-/monitor/outlet/999"):
        assert get(ds, path).status_code == 404


# ---------------------------------------------------------------- stored text is inert


def test_script_and_onerror_in_an_article_show_as_text(ds, filled: Filled) -> None:
    """A planted <script> and onerror= are escaped on the change page and the timeline."""
    for path in (
        f"/-/monitor/change/{filled.xss_change_id}",
        f"/-/monitor/article/{filled.xss_article_id}",
    ):
        html = get(ds, path).text
        assert "<script>document.body" not in html
        assert '<img src=x onerror="alert' not in html
        assert "&lt;img src=x onerror=" in html
    change_html = get(ds, f"/-/monitor/change/{filled.xss_change_id}").text
    assert "&lt;script&gt;document.body.appendChild" in change_html


def test_raw_snapshot_is_served_as_sandboxed_text(ds, sql) -> None:
    """Raw HTML is text/plain with a sandbox CSP, so a snapshot's scripts never run here."""
    snapshot_id = sql.execute("SELECT id FROM snapshots LIMIT 1").fetchone()[0]
    response = get(ds, f"/-/monitor/snapshot/{snapshot_id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<html" in response.text.lower()


def test_delta_snapshot_page_shows_the_page_not_the_delta(ds, sql) -> None:
    """A snapshot stored as a delta against the previous one is shown as the page it
    rebuilds to: HTML holding the words of the version read from it."""
    delta_id, body = sql.execute(
        "SELECT s.id, v.body FROM snapshots s JOIN versions v ON v.snapshot_id = s.id "
        "WHERE s.compression != 'zlib' ORDER BY s.id LIMIT 1"
    ).fetchone()
    text = get(ds, f"/-/monitor/snapshot/{delta_id}").text
    assert "<html" in text.lower()
    words = [w for w in body.split() if w.isalpha() and len(w) >= 6]
    assert words and all(w in text for w in words[:5])


# ---------------------------------------------------------------- Atom, card


def test_silent_feed_is_valid_atom_linking_each_silent_change(ds, sql) -> None:
    """Every silent change (newest 50) is an entry whose alternate link is its change page."""
    response = get(ds, "/-/monitor/silent.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    silent_ids = [
        r[0]
        for r in sql.execute(
            "SELECT id FROM changes WHERE silent = 1 ORDER BY detected_at DESC, id DESC LIMIT 50"
        )
    ]
    links = [
        e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in root.findall(f"{ATOM}entry")
    ]
    assert links == [f"/-/monitor/change/{i}" for i in silent_ids]
    for entry in root.findall(f"{ATOM}entry"):
        for tag in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{tag}").text
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo and parsed.version == "atom10"
    assert any(e.title.endswith(XSS_TITLE) for e in parsed.entries)


def test_atom_links_come_from_base_url_never_from_the_host_header(filled: Filled) -> None:
    """With `[review] base_url` every link in the feed starts with it, whatever Host the
    request claims; without it links are relative. Entry ids are the same either way."""
    from monitor.config import ReviewSettings

    configured = make_datasette(filled.path, ReviewSettings(base_url="https://review.example.org"))
    asyncio.run(configured.invoke_startup())
    spoofed = asyncio.run(
        configured.client.get("/-/monitor/silent.atom", headers={"host": "evil.example"})
    )
    assert b"evil.example" not in spoofed.content
    root = ET.fromstring(spoofed.content)
    hrefs = [
        link.get("href")
        for link in root.iter(f"{ATOM}link")
        if link.get("rel") in ("self", "alternate")
    ]
    assert hrefs and all(h.startswith("https://review.example.org/-/monitor") for h in hrefs)
    plain = make_datasette(filled.path)
    asyncio.run(plain.invoke_startup())
    relative = asyncio.run(
        plain.client.get("/-/monitor/silent.atom", headers={"host": "evil.example"})
    )
    assert b"evil.example" not in relative.content
    ids = [e.find(f"{ATOM}id").text for e in root.findall(f"{ATOM}entry")]
    again = ET.fromstring(relative.content)
    assert ids == [e.find(f"{ATOM}id").text for e in again.findall(f"{ATOM}entry")]
    assert all(i.startswith("urn:uuid:") for i in ids)


def test_per_outlet_feed_has_only_that_outlets_silent_edits(ds, sql) -> None:
    """The outlet feed's entries are exactly that outlet's silent changes; unknown outlet is 404."""
    expected = sql.execute(
        "SELECT COUNT(*) FROM changes c JOIN articles a ON a.id = c.article_id "
        "JOIN outlets o ON o.id = a.outlet_id WHERE o.name = 'harbor' AND c.silent = 1"
    ).fetchone()[0]
    parsed = feedparser.parse(get(ds, "/-/monitor/silent/harbor.atom").content)
    assert len(parsed.entries) == min(expected, 50)
    assert all(e.title.startswith("[harbor]") for e in parsed.entries)
    assert get(ds, "/-/monitor/silent/nosuch.atom").status_code == 404


def test_card_is_a_1200x630_png(ds, filled: Filled) -> None:
    """The share card is a real PNG image of the social-preview size."""
    response = get(ds, f"/-/monitor/change/{filled.xss_change_id}/card.png")
    assert response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (1200, 630)
    # not a blank canvas: the headline and excerpts are drawn
    assert len(image.convert("L").getcolors(maxcolors=256) or []) > 10


def test_pages_follow_a_live_writer_without_restart(tmp_path) -> None:
    """Datasette reads a WAL database the pipeline keeps writing: a new change shows at once."""
    from test_review_fixture import plant_xss

    from monitor import store
    from monitor.store import versions

    path = tmp_path / "live.db"
    writer = store.open_db(path)
    with store.transaction(writer):
        aid, _ = store.add_article(writer, "http://127.0.0.1/live", None, "2026-01-01T00:00:00Z")
        versions.insert_version(
            writer,
            aid,
            {
                "captured_at": "2026-01-01T00:00:00Z",
                "title": "Live story",
                "byline": "",
                "body": "First paragraph.",
                "content_hash": "a",
            },
        )
    live = make_datasette(path)
    asyncio.run(live.invoke_startup())
    assert get(live, "/-/monitor/change/1").status_code == 404
    change_id, _ = plant_xss(writer, "2026-01-01T01:00:00Z")
    assert get(live, f"/-/monitor/change/{change_id}").status_code == 200
    with store.transaction(writer):  # the reader never holds a lock that blocks the writer
        writer.execute("UPDATE articles SET status = 'active'")
    writer.conn.close()


def test_serve_refuses_a_missing_database_in_one_line(tmp_path) -> None:
    """`serve` on a database that does not exist fails with one error line, no traceback."""
    import subprocess
    import sys

    repo = REPO
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "--db", str(tmp_path / "none.db"), "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=repo,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "does not exist" in proc.stderr
    assert not (tmp_path / "none.db").exists()
