"""The newsroom's outlet outages, over real HTTP on 127.0.0.1: one outlet switches to a
wall (or a redesign) and back, the others are untouched, the stories go on underneath."""

from __future__ import annotations

import httpx
import pytest

from monitor.newsroom import Newsroom, serve_newsroom
from monitor.newsroom.outages import OUTAGE_MODES


def test_an_outage_hits_one_outlet_and_goes_away() -> None:
    """Every mode answers 200 for each article of the outlet, without the article's text
    (but for the redesign, which keeps it under new class names) and without validators;
    another outlet serves its article as before; switching back serves the article again;
    an unknown mode is refused."""
    room = Newsroom(seed=0)
    with serve_newsroom(room) as server:
        story = next(s for s in room.stories if s.outlet == "metro")
        other = next(s for s in room.stories if s.outlet == "capitol")
        url = server.article_url("metro", story.slug)
        sentence = story.at(0).paragraphs[-1][:40]
        normal = httpx.get(url)
        assert sentence in normal.text and "ETag" in normal.headers
        for mode in OUTAGE_MODES:
            server.set_outage("metro", mode)
            walled = httpx.get(url)
            assert walled.status_code == 200 and "ETag" not in walled.headers
            assert (sentence in walled.text) == (mode == "template"), mode
            assert other.at(0).headline in httpx.get(server.article_url("capitol", other.slug)).text
        server.set_outage("metro", "template")
        assert 'class="v2-' in httpx.get(url).text
        server.set_outage("metro", None)
        assert httpx.get(url).text.count(sentence) == 1
        with pytest.raises(ValueError, match="unknown outage mode"):
            server.set_outage("metro", "meteor")
