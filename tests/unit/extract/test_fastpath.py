"""The fast path: furniture-only re-renders skip extraction, real edits never do."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from monitor import store
from monitor.config import load_settings
from monitor.extract import fingerprint as fastpath
from monitor.extract.cascade import extract
from monitor.extract.normalize import content_hash, normalize
from monitor.net.fetch import Fetcher
from monitor.pipeline import gather
from monitor.pipeline.check import run_pass
from tests.support.answer_key import scripted_edit_problems

STEP = timedelta(minutes=20)

PAGE = """<!DOCTYPE html><html><head><title>{title} | Gazette</title>
<meta property="og:title" content="{title}"></head><body>
<div class="cookie-banner">We use cookies. Ref {n}</div>
<div class="story"><h1>{title}</h1><p class="byline">By {byline}</p>
<span class="stamp">Updated {n} minutes ago</span>
<div class="share-bar">Share {n}</div>
<div class="story-body">{body}<p><b>READ MORE:</b> Rail headline {n}</p></div></div>
<aside class="most-read"><a href="/x/{n}">Most read {n}</a></aside>
<p class="footer">Page generated at request {n}</p></body></html>"""
PARAS = (
    "The city council voted 7-2 on Tuesday to approve the new budget for the harbor.",
    "Opponents said the plan would raise property taxes for most homeowners in town.",
    "The mayor is expected to sign the measure before the end of the month.",
)


def page(
    n: int,
    *,
    title: str = "Council Approves Budget",
    byline: str = "Ana Ruiz",
    paras: tuple[str, ...] = PARAS,
) -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return PAGE.format(title=title, byline=byline, body=body, n=n)


def fingerprint_of(html: str) -> fastpath.Fingerprint:
    article = normalize(extract(html, "https://gazette.example/a"))
    found = fastpath.take(html, article, content_hash(article), {})
    assert found is not None
    return found


def test_furniture_only_rerender_matches() -> None:
    """New ads, counters, timestamps and rail links around the article still match."""
    assert fastpath.matches(page(2), fingerprint_of(page(1)), {})


@pytest.mark.parametrize(
    "edited",
    [
        page(2, paras=(PARAS[0].replace("7-2", "6-3"), *PARAS[1:])),
        page(
            2, paras=(*PARAS, "The council did not immediately respond to a request for comment.")
        ),
        page(2, paras=PARAS[:2]),
        page(2, title="Council Rejects Budget"),
        page(2, byline="Ana Ruiz and Tom Okafor"),
        page(2, paras=(PARAS[1], PARAS[0], PARAS[2])),
    ],
    ids=["number", "comment_line", "paragraph_removed", "headline", "byline", "moved"],
)
def test_article_edits_never_match(edited: str) -> None:
    """A changed number, an added or dropped paragraph, a headline, byline or order is a miss."""
    assert not fastpath.matches(edited, fingerprint_of(page(1)), {})


def test_a_page_whose_article_cannot_be_located_is_a_miss() -> None:
    """When the stored locator finds no region (a redesign), the full cascade runs."""
    redesigned = page(2).replace('class="story-body"', 'class="article-text"')
    assert not fastpath.matches(redesigned, fingerprint_of(page(1)), {})


@pytest.fixture
def monitored(newsroom, config_file: Path, tmp_path: Path, clock, monkeypatch):
    """Every newsroom step checked with the fast path on; counts extractions per pass."""
    room, server = newsroom
    calls: list[int] = []

    def counting_extract(*args, **kwargs):
        calls[-1] += 1
        return extract(*args, **kwargs)

    monkeypatch.setattr(gather, "extract", counting_extract)
    settings = load_settings(config_file)
    db = store.open_db(tmp_path / "monitor.db")
    start = clock.now
    summaries = []
    with Fetcher(settings.fetch, clock=clock) as fetcher:
        for step in range(room.max_step + 2):  # the last pass re-reads every page unchanged
            if 0 < step <= room.max_step:
                room.advance()
            clock.now = start + STEP * step
            calls.append(0)
            summaries.append(
                run_pass(
                    db, fetcher, settings, clock=clock, rng=random.Random(step), check_all=True
                )
            )
    return room, server, db, start, summaries, calls


def test_scripted_edits_are_all_found_with_the_fast_path_on(monitored) -> None:
    """Every scripted revision still yields its change, with the expected kinds and flag."""
    room, server, db, start, _, _ = monitored
    problems = scripted_edit_problems(room, server, db, start, STEP)
    assert not problems, "\n".join(problems)


def test_unchanged_rerenders_skip_extraction(monitored) -> None:
    """Once every article has a version, a pass over unchanged pages runs no extraction."""
    _, _, _, _, summaries, calls = monitored
    last = summaries[-1]
    assert last.checked > 10
    assert {r.outcome for r in last.results} <= {"unchanged", "not_modified", "gone"}
    assert calls[-1] == 0
    # the first pass had to read every page, and the canonical page a page names (read
    # to check it serves the same article: monitor.pipeline.variants)
    assert calls[0] == summaries[0].checked + 1


def test_fast_path_hits_during_the_script(monitored) -> None:
    """Between edits, most checks of live pages are answered without extraction."""
    _, _, _, _, summaries, calls = monitored
    checked = sum(s.checked for s in summaries[1:])
    assert sum(calls[1:]) < checked / 3
