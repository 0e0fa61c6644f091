"""Broken-looking extractions (consent walls, truncated renders) are logged, not stored, until they persist."""

from __future__ import annotations

import random
from pathlib import Path

from monitor import store
from monitor.config import load_settings
from monitor.net.fetch import Fetcher
from monitor.pipeline.check import run_pass
from monitor.pipeline.discover import track_urls
from tests.support.httpserver import Request, Response, TestServer, text

STORY = [
    "The city council voted 7-2 on Monday to approve a new zoning plan for the riverfront district.",
    "Supporters said the plan would bring thousands of new homes to an area long reserved for warehouses.",
    "Opponents warned that rents in the neighbouring blocks would rise as developers moved in.",
    "The mayor is expected to sign the measure later this week, according to her office.",
    "A public hearing on the first projects under the plan is scheduled for next month.",
]
WALL = (
    "<p>We value your privacy. We and our partners use cookies to store and access information on "
    "your device. Click Accept all to consent or manage your choices.</p>"
)


def page(body_html: str) -> str:
    return (
        "<html><head><title>Council approves riverfront zoning | Daily Test</title></head><body>"
        f"<article><h1>Council approves riverfront zoning</h1>{body_html}</article></body></html>"
    )


class Script:
    """Serves the story, or the consent wall, as the test decides."""

    def __init__(self) -> None:
        self.wall = False

    def __call__(self, request: Request) -> Response:
        if self.wall:
            return text(page(WALL))
        return text(page("".join(f"<p>{p}</p>" for p in STORY)))


def test_consent_wall_is_suspect_until_it_repeats(tmp_path: Path, clock) -> None:
    """A consent wall is logged as a suspect fetch; only after 3 in a row does it become a version."""
    config = tmp_path / "c.toml"
    config.write_text(
        "[fetch]\nallow_private_addresses = true\nmin_host_delay = 0\n", encoding="utf-8"
    )
    settings = load_settings(config)
    db = store.open_db(tmp_path / "m.db")
    script = Script()
    with TestServer({"/story": script}) as server, Fetcher(settings.fetch, clock=clock) as fetcher:
        [(article_id, _, _)] = track_urls(db, settings, [server.url("/story")], None, clock())

        def check() -> str:
            clock.advance(minutes=20)
            summary = run_pass(
                db, fetcher, settings, clock=clock, rng=random.Random(0), article_ids=[article_id]
            )
            return summary.results[0].outcome

        assert check() == "new"
        script.wall = True
        assert [check(), check()] == ["suspect", "suspect"]
        assert db.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 1
        reasons = [
            r[0] for r in db.execute("SELECT suspect_reason FROM fetches WHERE outcome = 'suspect'")
        ]
        assert reasons == ["consent or paywall text"] * 2

        script.wall = False
        assert check() == "unchanged"  # the wall went away: nothing was lost, nothing stored
        script.wall = True
        assert [check(), check(), check()] == ["suspect", "suspect", "changed"]
        assert db.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 2
