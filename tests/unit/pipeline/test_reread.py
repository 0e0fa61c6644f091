"""A change of our own extraction rules is not reported as an edit of the page."""

from __future__ import annotations

import json
import random
from pathlib import Path

from monitor import store
from monitor.config import load_settings
from monitor.extract.cascade import EXTRACTION_RULES
from monitor.net.fetch import Fetcher
from monitor.pipeline.check import run_pass
from monitor.pipeline.discover import track_urls
from monitor.store import versions
from tests.support.httpserver import Request, Response, TestServer, text

PARAS = "".join(
    f"<p>Paragraph {i}: the harbor board met on Tuesday to weigh a new dredging budget.</p>"
    for i in range(6)
)
HEADLINE = "Harbor board weighs dredging budget"


class Story:
    def __init__(self) -> None:
        self.extra = ""
        self.requests = 0

    def __call__(self, request: Request) -> Response:
        self.requests += 1
        return text(
            f"<html><head><title>{HEADLINE} | Gazette</title></head><body>"
            f'<div class="ad">Ad {self.requests}</div><article><h1>{HEADLINE}</h1>'
            f"{PARAS}{self.extra}</article></body></html>"
        )


def _check_twice(tmp_path: Path, clock, *, rules: str | None, edit: str = "") -> list[dict]:
    """Read the story, make the stored version look as if other rules had read the page
    (a different headline, the given rules name), then check the page again."""
    config = tmp_path / "c.toml"
    config.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n"
        '[schedule]\nfull_read_every = "0s"\n'
    )
    settings = load_settings(config)
    db = store.open_db(tmp_path / "m.db")
    story = Story()
    with TestServer({"/a": story}) as server, Fetcher(settings.fetch, clock=clock) as fetcher:
        [(article_id, _, _)] = track_urls(db, settings, [server.url("/a")], None, clock())
        run_pass(db, fetcher, settings, clock=clock, rng=random.Random(0), article_ids=[article_id])
        db.execute(
            "UPDATE version_records SET title = 'Sports Items', content_hash = 'old-rules', "
            "extraction_rules = ? WHERE article_id = ?",
            (rules, article_id),
        )
        story.extra = edit
        clock.advance(minutes=20)
        run_pass(db, fetcher, settings, clock=clock, rng=random.Random(1), article_ids=[article_id])
    return [
        {**c, "kinds": json.loads(c["kinds"]), "evidence": json.loads(c["evidence"])}
        for c in versions.changes_of(db, article_id)
    ]


def test_a_page_read_differently_by_new_rules_is_a_reextraction(tmp_path: Path, clock) -> None:
    """The stored version was read by older rules and its page reads, today, exactly like
    the unchanged page: one change, `reextracted`, not silent, its evidence showing the
    headline the old rules read and the one read now."""
    [change] = _check_twice(tmp_path, clock, rules=None)
    assert change["kinds"] == ["reextracted"]
    assert change["silent"] == 0
    assert "did not change" in change["summary"]
    [evidence] = change["evidence"]
    assert (evidence["kind"], evidence["old"], evidence["new"]) == (
        "reextracted",
        "Sports Items",
        HEADLINE,
    )


def test_under_the_same_rules_a_difference_is_an_edit(tmp_path: Path, clock) -> None:
    """A version read by the current rules is compared as always: a headline that reads
    differently is a (silent) headline change."""
    [change] = _check_twice(tmp_path, clock, rules=EXTRACTION_RULES)
    assert change["kinds"] == ["headline"] and change["silent"] == 1


def test_a_real_edit_is_classified_apart_from_a_rules_change(tmp_path: Path, clock) -> None:
    """Older rules and a real edit together: first the re-reading of the old page
    (`reextracted`, the headline), then the edit on its own (the comment line, silent),
    with no headline change mixed into it."""
    line = (
        "<p>The National Security Council did not immediately respond to a request for comment.</p>"
    )
    rules_change, edit = _check_twice(tmp_path, clock, rules=None, edit=line)
    assert rules_change["kinds"] == ["reextracted"] and rules_change["silent"] == 0
    assert edit["kinds"] == ["comment_line"] and edit["silent"] == 1
    assert edit["from_version_id"] == rules_change["to_version_id"]
