"""The fast path watches the article region; a periodic full read catches edits beside it."""

from __future__ import annotations

import json
import random
from pathlib import Path

from monitor import store
from monitor.config import load_settings
from monitor.net.fetch import Fetcher
from monitor.pipeline.check import run_pass
from monitor.pipeline.discover import track_urls
from monitor.store import versions
from tests.support.httpserver import Request, Response, TestServer, text

PARAS = "".join(
    f"<p>Paragraph {i}: the harbor board met on Tuesday to weigh a new dredging budget.</p>"
    for i in range(6)
)
NOTE = (
    '<div class="editor-note"><p>Correction: An earlier version of this article misstated '
    "the board's vote on the dredging budget.</p></div>"
)


class Story:
    """An article page whose furniture changes on every request; a note can be added in
    its own box beside the story's text container."""

    def __init__(self) -> None:
        self.noted = False
        self.requests = 0

    def __call__(self, request: Request) -> Response:
        self.requests += 1
        note = NOTE if self.noted else ""
        return text(
            "<html><head><title>Harbor board weighs dredging</title></head><body>"
            f'<div class="ad">Ad {self.requests}</div><article>'
            "<h1>Harbor board weighs dredging</h1>"
            f'{note}<div class="story-body">{PARAS}</div></article>'
            f'<aside class="most-read">Most read {self.requests}</aside></body></html>'
        )


def _run(tmp_path: Path, clock, full_read_every: str, waits: list[float]) -> list[str]:
    config = tmp_path / "c.toml"
    config.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n"
        f'[schedule]\nfull_read_every = "{full_read_every}"\n'
    )
    settings = load_settings(config)
    db = store.open_db(tmp_path / "m.db")
    story, outcomes = Story(), []
    with TestServer({"/a": story}) as server, Fetcher(settings.fetch, clock=clock) as fetcher:
        [(article_id, _, _)] = track_urls(db, settings, [server.url("/a")], None, clock())
        for n, minutes in enumerate([0.0, *waits]):
            clock.advance(minutes=minutes)
            if n == 2:
                story.noted = True
            summary = run_pass(
                db, fetcher, settings, clock=clock, rng=random.Random(n), article_ids=[article_id]
            )
            outcomes.append(summary.results[0].outcome)
    changes = versions.changes_of(db, article_id)
    return outcomes + [json.loads(c["kinds"]) for c in changes]


def test_a_note_beside_the_story_is_found_by_the_next_full_read(tmp_path: Path, clock) -> None:
    """A correction box added outside the text container the fast path watches is
    recorded no later than `full_read_every` after the last full read, as a
    correction note; checks in between are answered by the fast path."""
    got = _run(tmp_path, clock, "2h", waits=[20, 20, 20, 90])
    # checks at 0, 20, 40 (note added), 60 and 150 minutes: the last is past 2 h
    assert got == ["new", "unchanged", "unchanged", "unchanged", "changed", ["correction_note"]]


def test_full_read_every_zero_reads_every_page_in_full(tmp_path: Path, clock) -> None:
    """With `full_read_every = 0` the fast path is never trusted: the note is found at the
    first check after it appeared."""
    got = _run(tmp_path, clock, "0s", waits=[20, 20])
    assert got[:3] == ["new", "unchanged", "changed"]
