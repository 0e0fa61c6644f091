"""Snapshots as deltas: every page is rebuilt byte for byte; versions.body stays plain text."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import sqlite_utils

from monitor import snapshots, store
from monitor.models import FetchResult
from monitor.schema import MIGRATIONS
from monitor.snapdelta import apply_delta, make_delta

# Distinct words, so the page compresses like prose rather than like a repeated line.
WORDS = [f"w{(i * 7919) % 100003:x}" for i in range(400)]


def page(n: int, edit: str = "") -> bytes:
    rail = "".join(f"<li><a href='/r/{n}/{j}'>Rail story {n * 7 + j}</a></li>" for j in range(5))
    paras = "\n".join(f"<p>{' '.join(WORDS[i * 12 : i * 12 + 12])}</p>" for i in range(30))
    return (
        f"<!DOCTYPE html><html><head><title>Story</title></head><body>"
        f"<span class='updated'>Updated {n} minutes ago</span><article>{paras}{edit}</article>"
        f"<aside><ol>{rail}</ol></aside><footer>request {n} ¿é€</footer></body></html>"
    ).encode()


def result(content: bytes, n: int) -> FetchResult:
    return FetchResult(
        url="http://127.0.0.1/a",
        fetched_at=f"2026-01-01T00:{n:02d}:00Z",
        outcome="ok",
        status_code=200,
        content=content,
        text=content.decode("utf-8"),
    )


def test_delta_round_trip_is_exact() -> None:
    """A delta rebuilds the new page byte for byte, including non-ASCII and minified pages."""
    base, new = page(1), page(2, "<p>An added line: ñ, 你好.</p>")
    assert apply_delta(base, make_delta(base, new)) == new
    flat_base, flat_new = base.replace(b"\n", b""), new.replace(b"\n", b"")
    assert apply_delta(flat_base, make_delta(flat_base, flat_new)) == flat_new


def test_snapshots_are_rebuilt_through_delta_chains(tmp_path: Path) -> None:
    """Forty snapshots of one article (past several keyframes) all read back exactly, and
    the deltas cost much less than whole compressed pages."""
    db = store.open_db(tmp_path / "m.db")
    article_id, _ = store.add_article(db, "http://127.0.0.1/a", None, "2026-01-01T00:00:00Z")
    pages = [page(n, f"<p>Edit {n}.</p>") for n in range(40)]
    ids = []
    for n, content in enumerate(pages):
        fetch_id = store.record_fetch(db, result(content, n), article_id=article_id)
        ids.append(snapshots.store_snapshot(db, article_id, fetch_id, result(content, n)))
    assert [snapshots.snapshot_html(db, i) for i in ids] == pages
    rows = db.execute("SELECT compression, chain, length(content) FROM snapshots").fetchall()
    assert max(chain for _, chain, _ in rows) < snapshots.SNAPSHOT_KEYFRAME_EVERY
    whole = [size for kind, _, size in rows if kind == "zlib"]
    deltas = [size for kind, _, size in rows if kind == "zlib-delta"]
    assert len(deltas) > 30
    assert sum(deltas) / len(deltas) < 0.5 * sum(whole) / len(whole)


def test_old_databases_migrate_and_keep_their_snapshots(tmp_path: Path) -> None:
    """A database made by the first schema opens, migrates and still serves its zlib snapshots."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(conn)
    MIGRATIONS[0](db)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO articles (url, first_seen_at) VALUES ('http://x/a', 't')")
    conn.execute(
        "INSERT INTO snapshots (article_id, captured_at, size, content) VALUES (1, 't', 5, ?)",
        (zlib.compress(b"<p>x"),),
    )
    conn.close()
    db = store.open_db(path)
    assert snapshots.snapshot_html(db, 1) == b"<p>x"
    assert store.article_row(db, 1).fast_digest is None


def test_version_body_is_plain_text_for_any_sqlite_client(tmp_path: Path) -> None:
    """versions.body is the paragraphs as text, readable with the sqlite3 module alone."""
    db = store.open_db(tmp_path / "m.db")
    article_id, _ = store.add_article(db, "http://127.0.0.1/a", None, "2026-01-01T00:00:00Z")
    body = "First paragraph.\n\nSecond paragraph, with “quotes”."
    store.insert_version(
        db,
        article_id,
        {"captured_at": "t", "title": "T", "byline": "", "body": body, "content_hash": "h"},
    )
    raw = sqlite3.connect(tmp_path / "m.db").execute("SELECT body, typeof(body) FROM versions")
    assert raw.fetchone() == (body, "text")
