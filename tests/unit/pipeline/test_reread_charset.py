"""A page once garbled by a wrong charset guess is re-read, not reported as an edit."""

from __future__ import annotations

import json
import random
from pathlib import Path

from monitor import store
from monitor.config import load_settings
from monitor.extract.cascade import extract
from monitor.extract.normalize import content_hash, normalize
from monitor.net.fetch import Fetcher
from monitor.pipeline.check import run_pass
from monitor.pipeline.discover import track_urls
from monitor.store import versions
from tests.support.httpserver import TestServer, text

PARAS = "".join(
    f"<p>Paragraph {i}: the council met on Tuesday to discuss the rent review, which the "
    "owners say came without warning.</p>"
    for i in range(40)
)
PAGE = (
    (
        "<html><head><title>Café owners protest</title></head><body><article>"
        "<h1>Café owners protest</h1><p>The café on the corner — open since 1952 — closed.</p>"
        + PARAS
        + "<p>The council said it would r\u00e9spond next week.</p></article></body></html>"
    )
    .encode("utf-8")
    .replace("r\u00e9spond".encode(), b"r\xe9spond")
)  # one stray latin-1 byte


def test_a_page_stored_under_a_wrong_charset_guess_is_reextracted(tmp_path: Path, clock) -> None:
    """The stored version was read by the old rules, which decoded the page as cp775
    (every accent garbled). Checked again, the unchanged page reads right: one
    `reextracted` change (never silent) from the garbled headline to "Café owners
    protest", and no edit."""
    config = tmp_path / "c.toml"
    config.write_text(
        '[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n[schedule]\nfull_read_every = "0s"\n'
    )
    settings = load_settings(config)
    db = store.open_db(tmp_path / "m.db")
    routes = {"/a": text(PAGE, "text/html; charset=utf-8")}
    with TestServer(routes) as server, Fetcher(settings.fetch, clock=clock) as fetcher:
        [(article_id, _, _)] = track_urls(db, settings, [server.url("/a")], None, clock())
        run_pass(db, fetcher, settings, clock=clock, rng=random.Random(0), article_ids=[article_id])
        # what the previous rules stored: the page decoded by detection's guess
        garbled = normalize(extract(PAGE.decode("cp775"), server.url("/a")))
        assert garbled.title != "Café owners protest"
        db.execute(
            "UPDATE version_records SET title = ?, content_hash = ?, extraction_rules = ? "
            "WHERE article_id = ?",
            (garbled.title, content_hash(garbled), "2026-11-25", article_id),
        )
        db.execute("UPDATE snapshots SET encoding = 'cp775' WHERE article_id = ?", (article_id,))
        clock.advance(minutes=20)
        run_pass(db, fetcher, settings, clock=clock, rng=random.Random(1), article_ids=[article_id])
    changes = versions.changes_of(db, article_id)
    assert [json.loads(c["kinds"]) for c in changes] == [["reextracted"]]
    assert changes[0]["silent"] == 0
    latest = versions.latest_version(db, article_id)
    assert latest is not None and latest.title == "Café owners protest"
