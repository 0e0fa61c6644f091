"""Snapshots as deltas: every page is rebuilt byte for byte; versions.body stays plain text."""

from __future__ import annotations

import json
import sqlite3
import zlib
from difflib import SequenceMatcher
from pathlib import Path

import pytest
import sqlite_utils

from monitor import store
from monitor.models import FetchResult
from monitor.store import snapshots, versions
from monitor.store.migrations import MIGRATIONS
from monitor.store.retention import prune_snapshots
from monitor.store.snapdelta import (
    SEGMENT,
    DeltaError,
    _tokens,
    apply_delta,
    apply_dict_delta,
    make_dict_delta,
)

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


def make_delta(base: bytes, new: bytes) -> bytes:
    """A 'zlib-delta' as earlier releases wrote it (difflib over tokens ending at ``>`` or
    a newline): rows of that format must stay readable."""
    old_tokens, new_tokens = _tokens(base), _tokens(new)  # the reader's own tokens
    ops: list[object] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_tokens, new_tokens).get_opcodes():
        if tag == "equal":
            ops.append([i1, i2])
        elif j2 > j1:
            ops.append(b"".join(new_tokens[j1:j2]).decode("latin-1"))
    return zlib.compress(json.dumps(ops, separators=(",", ":")).encode("utf-8"), 9)


def test_delta_round_trip_is_exact() -> None:
    """A delta rebuilds the new page byte for byte, including non-ASCII and minified pages."""
    base, new = page(1), page(2, "<p>An added line: ñ, 你好.</p>")
    assert apply_delta(base, make_delta(base, new)) == new
    flat_base, flat_new = base.replace(b"\n", b""), new.replace(b"\n", b"")
    assert apply_delta(flat_base, make_delta(flat_base, flat_new)) == flat_new


def test_snapshots_are_rebuilt_through_delta_chains(tmp_path: Path, store_target: str) -> None:
    """Forty snapshots of one article (past several keyframes) all read back exactly, each
    delta is built on the snapshot just before it (so it carries one check's edit), and
    the deltas cost much less than whole pages."""
    db = store.open_db(store_target)
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
    deltas = [size for kind, _, size in rows if kind == "zlib-dict"]
    assert len(deltas) > 30
    bases = db.execute(
        "SELECT s.id, s.base_snapshot_id FROM snapshots s WHERE s.base_snapshot_id IS NOT NULL"
    ).fetchall()
    assert all(base == ids[ids.index(delta) - 1] for delta, base in bases)
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
    versions.insert_version(
        db,
        article_id,
        {"captured_at": "t", "title": "T", "byline": "", "body": body, "content_hash": "h"},
    )
    raw = sqlite3.connect(tmp_path / "m.db").execute("SELECT body, typeof(body) FROM versions")
    assert raw.fetchone() == (body, "text")


def big_page(n: int, edits: dict[int, str]) -> bytes:
    """A page of about five segments, with furniture ("visit n") every few KB and the
    paragraphs in ``edits`` replaced."""
    paras = []
    for i in range(900):
        text = edits.get(i, " ".join(f"{(i * 14 + k) * 2654435761 % 2**32:x}" for k in range(9)))
        paras.append(f"<p>{text}</p>" + (f"<i>visit {n} {i}</i>" if i % 40 == 0 else ""))
    return ("<!DOCTYPE html><body>" + "\n".join(paras) + "</body>").encode()


def test_dictionary_delta_rebuilds_large_edited_pages_and_stays_small() -> None:
    """A page several deflate windows long, with furniture changed throughout, a paragraph
    grown near the start and one dropped near the end, rebuilds byte for byte from a delta
    that is a small fraction of the page compressed whole; so do identical, empty and
    unrelated pages."""
    base = big_page(1, {})
    new = big_page(2, {3: "A much longer paragraph " * 40, 850: ""})
    assert len(new) > 4 * SEGMENT
    delta = make_dict_delta(base, new)
    assert apply_dict_delta(base, delta) == new
    assert len(delta) < 0.1 * len(zlib.compress(new, 6))
    for old, page in ((base, base), (base, b""), (b"", base), (b"<p>x", WORDS[0].encode())):
        assert apply_dict_delta(old, make_dict_delta(old, page)) == page


def test_dictionary_delta_against_the_wrong_base_is_refused() -> None:
    """Rebuilding from another base (or a damaged delta) raises rather than returning a
    page that was never fetched."""
    base, new = big_page(1, {}), big_page(2, {10: "edited"})
    delta = make_dict_delta(base, new)
    for wrong in (big_page(1, {20: "other"}), base[:-1], b""):
        with pytest.raises(DeltaError):
            apply_dict_delta(wrong, delta)
    with pytest.raises(DeltaError):
        apply_dict_delta(base, delta[:-5])


def _store(db: sqlite_utils.Database, article_id: int, content: bytes, n: int) -> int:
    fetch_id = store.record_fetch(db, result(content, n), article_id=article_id)
    snapshot_id = snapshots.store_snapshot(db, article_id, fetch_id, result(content, n))
    assert snapshot_id is not None
    return snapshot_id


def test_older_difflib_deltas_stay_readable_and_new_snapshots_follow_them(
    store_target: str,
) -> None:
    """A database holding the older 'zlib-delta' chains still rebuilds them; the next
    snapshots of that article are dictionary deltas against its last whole snapshot."""
    db = store.open_db(store_target)
    article_id, _ = store.add_article(db, "http://127.0.0.1/a", None, "2026-01-01T00:00:00Z")
    pages = [page(n, f"<p>Edit {n}.</p>") for n in range(5)]
    first = _store(db, article_id, pages[0], 0)
    old_ids = [first]
    for n in (1, 2):  # rows as the previous release wrote them: a difflib chain
        fetch_id = store.record_fetch(db, result(pages[n], n), article_id=article_id)
        old_ids.append(
            db.execute(
                "INSERT INTO snapshots (article_id, fetch_id, captured_at, size, content, "
                "compression, base_snapshot_id, chain) VALUES (?, ?, 't', ?, ?, 'zlib-delta', "
                "?, ?)",
                (article_id, fetch_id, len(pages[n]), make_delta(pages[n - 1], pages[n]),
                 old_ids[-1], n),
            ).lastrowid
        )  # fmt: skip
    new_ids = [_store(db, article_id, pages[n], n) for n in (3, 4)]
    assert [snapshots.snapshot_html(db, i) for i in old_ids + new_ids] == pages
    kinds = db.execute("SELECT compression FROM snapshots ORDER BY id").fetchall()
    assert [k for (k,) in kinds] == ["zlib", "zlib-delta", "zlib-delta", "zlib-dict", "zlib-dict"]


def test_pruning_keeps_the_keyframe_a_kept_delta_needs(tmp_path: Path, store_target: str) -> None:
    """gc keeps every old snapshot a recent delta is built on, down to its keyframe, and
    prunes a whole old chain once a newer keyframe started; what is kept still rebuilds."""
    db = store.open_db(store_target)
    article_id, _ = store.add_article(db, "http://127.0.0.1/a", None, "2026-01-01T00:00:00Z")
    every = snapshots.SNAPSHOT_KEYFRAME_EVERY
    pages = [page(n, f"<p>Edit {n}.</p>") for n in range(every + 3)]
    ids = [_store(db, article_id, content, n) for n, content in enumerate(pages)]
    kinds = [r[0] for r in db.execute("SELECT compression FROM snapshots ORDER BY id")]
    assert kinds[0] == kinds[every] == "zlib"
    # everything but the newest snapshot is old: the chain it needs stays
    db.execute("UPDATE snapshots SET captured_at = '2020-01-01T00:00:00Z' WHERE id != ?",
               (ids[-1],))  # fmt: skip
    assert prune_snapshots(db, "2025-01-01T00:00:00Z") == every
    left = [r[0] for r in db.execute("SELECT id FROM snapshots ORDER BY id")]
    assert left == ids[every:]
    assert [snapshots.snapshot_html(db, i) for i in left] == pages[every:]
