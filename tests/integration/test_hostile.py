"""Hostile pages, feeds and settings, served on loopback: bounded cost, one-line errors,
nothing lost.

One ``TestServer`` serves every case; each test runs the real CLI in a subprocess and
asserts what a user sees: the exit code and output, the time and peak memory the
process took (``wait4``: the kernel's figure for that one process), and what the
database holds afterwards. Before issue 15 each case here broke: a 20 MB page took
~760 MB and minutes to read, a sitemap of a million URLs tracked a million articles,
one stray byte garbled every accent, ``nan`` in the config surfaced at fetch time.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.httpserver import TestServer, text
from tests.support.measure import run_measured

PARA = (
    "<p>Paragraph {i}: the council voted on Tuesday to approve the budget, which funds "
    "schools, roads and a new library in the north of the city.</p>\n"
)
ARTICLE = (
    "<html><head><title>{title} | Gazette</title></head><body><article><h1>{title}</h1>"
    "<p class='byline'>By Ann Lee</p>{body}</article></body></html>"
)
STRAY_PARAS = "".join(
    f"<p>Paragraph {i}: the council met on Tuesday to discuss the rent review, which the "
    "owners say came without warning.</p>"
    for i in range(40)
)
MILLION = 1_000_000


def _huge_page(size: int) -> bytes:
    paras, total, i = [], 0, 0
    while total < size:
        paras.append(PARA.format(i=i))
        total += len(paras[-1])
        i += 1
    return ARTICLE.format(title="Budget passes", body="".join(paras)).encode()


def _million_url_sitemap() -> bytes:
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    urls = b"".join(b"<url><loc>/story/%d</loc></url>" % i for i in range(MILLION))
    return gzip.compress(head + urls + b"</urlset>", compresslevel=1)


@pytest.fixture(scope="module")
def hostile() -> Iterator[TestServer]:
    """The hostile newsroom: one route per case."""
    stray = ARTICLE.format(
        title="Café owners protest",
        body="<p>The café on the corner — open since 1952 — closed.</p>"
        + STRAY_PARAS
        + "<p>José Müller said the council would r\u00e9spond next week.</p>",
    ).encode("utf-8")
    routes = {
        "/normal": text(
            ARTICLE.format(title="Harbor vote", body=PARA.format(i=1) * 1 + PARA.format(i=2))
        ),
        "/huge": text(_huge_page(20_000_000)),
        "/headline": text(
            ARTICLE.format(
                title="Budget " * 150_000, body="".join(PARA.format(i=i) for i in range(6))
            )
        ),
        # UTF-8, declared, with one stray latin-1 byte
        "/stray": text(stray.replace("r\u00e9spond".encode(), b"r\xe9spond")),
        "/sitemap.xml.gz": text(_million_url_sitemap(), "application/gzip"),
        "/corrupt.xml.gz": text(b"\x1f\x8b\x08\x00" + b"junk" * 100, "application/gzip"),
    }
    with TestServer(routes) as server:
        yield server


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "c.toml"
    path.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\nobey_robots = false\n" + extra
    )
    return path


def _versions(db: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT articles.url, versions.title, length(versions.body) FROM versions "
            "JOIN articles ON articles.id = versions.article_id ORDER BY versions.id"
        ).fetchall()
    conn.close()
    return rows


def _one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("article-monitor: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_a_20_mb_page_costs_bounded_time_and_memory(hostile: TestServer, tmp_path: Path) -> None:
    """`check` of a 20 MB page (max_bytes raised to let it in) finishes within two
    minutes in under 400 MB RSS (before: ~760 MB, and minutes of extraction), says the
    read is suspect and why, stores no version from it, and the article checked before
    it keeps its version."""
    config = _config(tmp_path, "max_bytes = 30000000\n")
    db = tmp_path / "m.db"
    assert run_cli("check", hostile.url("/normal"), db=db, config=config).code == 0
    before = _versions(db)
    run = run_measured("check", hostile.url("/huge"), db=db, config=config, timeout=300)
    assert run.code == 0, run.stderr
    assert run.seconds < 120 and run.peak_mb < 400, (run.seconds, run.peak_mb)
    assert f"suspect: {hostile.url('/huge')}: exceeds extraction limits: page larger than" in (
        run.stdout
    )
    assert "1 suspect" in run.stdout
    assert _versions(db) == before


def test_a_megabyte_headline_is_stored_cut_to_500_characters(
    hostile: TestServer, tmp_path: Path
) -> None:
    """A page whose headline is 1 MB (h1 and <title>) is read in seconds; once confirmed
    (suspect_confirmations = 1) its version holds a 500-character title, not 1 MB."""
    config = _config(tmp_path, "[schedule]\nsuspect_confirmations = 1\n")
    db = tmp_path / "m.db"
    run = run_measured("check", hostile.url("/headline"), db=db, config=config, timeout=300)
    assert run.code == 0, run.stderr
    assert run.seconds < 60, run.seconds
    [(_, title, _)] = _versions(db)
    assert len(title) == 500 and title.endswith("…")


def test_a_stray_byte_keeps_every_accent(hostile: TestServer, tmp_path: Path) -> None:
    """A UTF-8 page with one stray latin-1 byte is stored with its accents intact
    ("Café owners protest", "José Müller"), not decoded as some single-byte codec."""
    db = tmp_path / "m.db"
    assert run_cli("check", hostile.url("/stray"), db=db, config=_config(tmp_path)).code == 0
    export = run_cli("export", "versions", db=db)
    [version] = [json.loads(line) for line in export.stdout.splitlines()]
    assert version["title"] == "Café owners protest"
    assert "José Müller said" in version["body"] and "open since 1952 —" in version["body"]


def test_a_million_url_gzip_sitemap_is_bounded(hostile: TestServer, tmp_path: Path) -> None:
    """sitemap.xml.gz listing a million URLs, served as application/gzip without
    Content-Encoding: `feed add` reads it in bounded time and memory (50,000 entries,
    the protocol's limit; before: "body is not text", or 20 s and 1 GB); `check` tracks
    only max_new_per_poll new articles, says how many it held back, and `status` lists
    the capped feed (before: a million articles and a 620 MB database)."""
    config = _config(tmp_path, "max_bytes = 60000000\n[discover]\nmax_new_per_poll = 40\n")
    db = tmp_path / "m.db"
    url = hostile.url("/sitemap.xml.gz")
    added = run_measured("feed", "add", url, db=db, config=config, timeout=300)
    assert added.code == 0, added.stderr
    assert "(sitemap, 50000 entries)" in added.stdout
    assert added.seconds < 60 and added.peak_mb < 400, (added.seconds, added.peak_mb)
    checked = run_measured("check", db=db, config=config, timeout=300)
    assert checked.code == 0, checked.stderr
    assert checked.peak_mb < 400 and checked.seconds < 120, (checked.seconds, checked.peak_mb)
    assert f"feed capped: {url}: 40 new articles tracked, 999960 held back" in checked.stdout
    assert "checked 40 articles" in checked.stdout
    status = run_cli("status", db=db, config=config)
    assert "40 articles" in status.stdout
    assert "feed capped #1" in status.stdout and "999,960 entries held back" in status.stdout
    assert db.stat().st_size < 20_000_000


def test_a_sitemap_bigger_than_max_bytes_is_one_line(hostile: TestServer, tmp_path: Path) -> None:
    """With the default 5 MB cap the same sitemap inflates past it: `feed add` refuses it
    in one line naming the cap, exit 1, and tracks nothing."""
    db = tmp_path / "m.db"
    result = run_cli("feed", "add", hostile.url("/sitemap.xml.gz"), db=db, config=_config(tmp_path))
    line = _one_line_error(result.stderr)
    assert result.code == 1 and "too_large: gzip body inflates past 5000000 bytes" in line
    corrupt = run_cli(
        "feed", "add", hostile.url("/corrupt.xml.gz"), db=db, config=_config(tmp_path)
    )
    assert corrupt.code == 1 and "corrupt gzip body" in _one_line_error(corrupt.stderr)
    # nothing was tracked: a refused `feed add` leaves no database behind at all
    assert not db.exists() or "no feeds tracked" in run_cli("feed", "list", db=db).stdout


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("[fetch]\ntimeout = nan\n", "[fetch] timeout"),
        ("[fetch]\nmin_host_delay = inf\n", "[fetch] min_host_delay"),
        ("[schedule]\nstop_after = 1e400\n", "[schedule] stop_after"),
        ('[fetch]\nuser_agent = "bot/1.0\\nX-Injected: 1"\n', "[fetch] user_agent"),
    ],
    ids=["nan", "inf", "1e400", "newline-user-agent"],
)
def test_impossible_settings_fail_at_start_in_one_line(
    hostile: TestServer, tmp_path: Path, setting: str, key: str
) -> None:
    """nan, inf, 1e400 and a newline in user_agent are refused before anything runs, in
    one line naming the key, exit 1 (before: "robots.txt unreachable", a ValueError or
    "internal error: OverflowError", exit 70); the database is not touched."""
    config = tmp_path / "bad.toml"
    config.write_text(setting)
    db = tmp_path / "m.db"
    assert run_cli("add", hostile.url("/normal"), db=db).code == 0
    before = db.read_bytes()
    for command in (("check",), ("status",)):
        result = run_cli(*command, db=db, config=config)
        assert result.code == 1 and key in _one_line_error(result.stderr)
    assert db.read_bytes() == before


def test_feed_credentials_are_never_stored_or_shown(hostile: TestServer, tmp_path: Path) -> None:
    """`feed add http://user:s3cret@host/…` tracks the feed without its credentials:
    neither the output, `feed list`, nor the database file hold the password."""
    db = tmp_path / "m.db"
    url = hostile.url("/sitemap.xml.gz").replace("http://", "http://editor:s3cret@")
    added = run_cli("feed", "add", "--no-verify", url, db=db)
    assert added.code == 0 and "s3cret" not in added.stdout + added.stderr
    listed = run_cli("feed", "list", db=db).stdout
    assert hostile.url("/sitemap.xml.gz") in listed and "s3cret" not in listed
    assert b"s3cret" not in db.read_bytes()
