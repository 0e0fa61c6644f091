"""The simulated newsroom, exercised over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from lxml import etree, html

from monitor.config import settings_from_mapping
from monitor.models import CHANGE_KINDS
from monitor.newsroom import SEED_SENTENCE, Newsroom, NewsroomServer, serve_newsroom
from monitor.newsroom.script import silent_for
from tests.support.paths import REPO

# How a reader finds the article on each outlet's page (independent of the monitor's
# own extractor, which is not under test here).
SELECTORS = {
    "capitol": ("h1.headline", ".byline", ".story-text > p:not(.related-link)"),
    "harbor": ("h1.hb-title", ".hb-byline", ".hb-body > p.hb-para"),
    "ledger": ("h1.zq-hed", ".zq-credit", ".zq-copy .zq-p"),
    "metro": ("article h1", ".mt-byline", ".article-body > p"),
}
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rss1": "http://purl.org/rss/1.0/",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}

Snapshot = tuple[int, str, str, tuple[str, ...]]


@pytest.fixture
def newsroom() -> Newsroom:
    return Newsroom(seed=0)


@pytest.fixture
def server(newsroom: Newsroom) -> Iterator[NewsroomServer]:
    with serve_newsroom(newsroom) as server:
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    # trust_env=False: a proxy from the environment must never see this traffic.
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


def article(client: httpx.Client, outlet: str, url: str) -> Snapshot:
    """Status, headline, byline and paragraphs as a reader sees them (no furniture)."""
    response = client.get(url)
    if response.status_code != 200:
        return (response.status_code, "", "", ())
    # Decode as a browser would for metro: the charset is declared only in <meta>.
    doc = html.fromstring(response.content)
    title, byline, body = SELECTORS[outlet]
    paragraphs = tuple(
        p.text_content().strip()
        for p in doc.cssselect(body)
        if not p.text_content().startswith("READ MORE:")
    )
    return (
        200,
        doc.cssselect(title)[0].text_content(),
        doc.cssselect(byline)[0].text_content(),
        paragraphs,
    )


def scripted(newsroom: Newsroom) -> list[tuple[str, str]]:
    return [(s.outlet, s.slug) for s in newsroom.stories if s.section != "briefs"]


def test_furniture_changes_on_every_request_but_the_article_does_not(
    server: NewsroomServer, newsroom: Newsroom, client: httpx.Client
) -> None:
    """Two fetches of one page differ in bytes (ads, counts, rails, times) yet carry the
    same article; every kind of furniture the brief lists is on the page."""
    for outlet in ("capitol", "harbor", "ledger", "metro"):
        slug = next(slug for o, slug in scripted(newsroom) if o == outlet)
        url = server.article_url(outlet, slug)
        first, second = client.get(url).content, client.get(url).content
        assert first != second, outlet
        assert article(client, outlet, url) == article(client, outlet, url)
        text = first.decode(newsroom.outlet(outlet).charset)
        for marker in (
            "cookie-banner",
            "minutes ago",
            "ad-slot",
            "share-bar",
            "comments</a>",
            "Most read",
            "Related",
            "READ MORE:",
            "newsletter-signup",
            "Page generated",
        ):
            assert marker in text, (outlet, marker)


def test_articles_change_exactly_at_their_scripted_steps(
    server: NewsroomServer, newsroom: Newsroom, client: httpx.Client
) -> None:
    """Walking the clock, a story's article differs from the previous step exactly when
    the answer key expects a version (furniture-only steps leave it identical)."""
    stories = scripted(newsroom)
    expected = {(e.outlet, e.slug, e.step) for e in newsroom.expectations() if e.expect_version}
    published = {(s.outlet, s.slug, s.published_step) for s in newsroom.stories}
    previous = {key: article(client, key[0], server.article_url(*key)) for key in stories}
    for step in range(1, newsroom.max_step + 2):
        assert newsroom.advance() == step
        for key in stories:
            now = article(client, key[0], server.article_url(*key))
            changed = now != previous[key]
            should = (*key, step) in expected or (*key, step) in published
            assert changed == should, (key, step, previous[key], now)
            previous[key] = now


def test_scripted_edits_change_what_their_kinds_say(
    server: NewsroomServer, newsroom: Newsroom, client: httpx.Client
) -> None:
    """Spot checks of the answer key against the pages: the headline flip returns to the
    original, the numbers edit changes 12 to 15, the reorder keeps every paragraph."""
    url = {key: server.article_url(*key) for key in scripted(newsroom)}
    budget = ("capitol", "senate-leaders-shutdown-deal")
    hospital = ("ledger", "hospital-merger-talks")
    fire = ("harbor", "warehouse-fire-east-docks")
    before = {k: article(client, k[0], url[k]) for k in (budget, hospital, fire)}
    newsroom.advance(1)
    flipped = article(client, "capitol", url[budget])
    newsroom.advance(3)  # step 4
    after = {k: article(client, k[0], url[k]) for k in (budget, hospital, fire)}
    assert flipped[1] != before[budget][1] and after[budget] == before[budget]
    assert "12 people" in " ".join(before[fire][3]) and "15 people" in " ".join(after[fire][3])
    assert after[hospital][3] != before[hospital][3]
    assert sorted(after[hospital][3]) == sorted(before[hospital][3])


def test_seed_sentence_appears_only_from_its_step(
    server: NewsroomServer, newsroom: Newsroom, client: httpx.Client
) -> None:
    """The National Security Council line is absent until step 2, then present in the body."""
    (seed_edit,) = [
        e for e in newsroom.expectations() if e.slug == "white-house-weighs-new-export-controls"
    ][:1]
    assert seed_edit.kinds == {"comment_line"}
    assert seed_edit.outlet == "capitol" and seed_edit.silent
    url = server.article_url(seed_edit.outlet, seed_edit.slug)
    for step in range(newsroom.max_step + 1):
        if step:
            newsroom.advance()
        page = client.get(url).text
        assert (SEED_SENTENCE in page) == (step >= seed_edit.step), step
        assert (SEED_SENTENCE in article(client, "capitol", url)[3]) == (step >= seed_edit.step)


def test_feeds_parse_as_xml_of_the_right_kind(server: NewsroomServer, client: httpx.Client) -> None:
    """capitol serves RSS 2.0, harbor Atom, ledger RSS 1.0 (RDF), metro a sitemap index whose
    child is a news sitemap; every listed URL answers 200."""
    feeds = server.feed_urls
    roots = {
        url: etree.fromstring(client.get(url).content) for urls in feeds.values() for url in urls
    }
    capitol = [roots[u] for u in feeds["capitol"]]
    assert all(r.tag == "rss" and r.get("version") == "2.0" for r in capitol)
    harbor = roots[feeds["harbor"][0]]
    assert harbor.tag == f"{{{NS['atom']}}}feed"
    ledger = roots[feeds["ledger"][0]]
    assert ledger.tag == f"{{{NS['rdf']}}}RDF" and ledger.findall("rss1:item", NS)
    index = roots[feeds["metro"][0]]
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    (child,) = index.xpath("sm:sitemap/sm:loc/text()", namespaces=NS)
    news = etree.fromstring(client.get(child).content)
    assert news.tag == f"{{{NS['sm']}}}urlset" and news.findall("sm:url/news:news", NS)
    links = (
        capitol[0].xpath("channel/item/link/text()")
        + harbor.xpath("atom:entry/atom:link/@href", namespaces=NS)
        + ledger.xpath("rss1:item/rss1:link/text()", namespaces=NS)
        + news.xpath("sm:url/sm:loc/text()", namespaces=NS)
    )
    assert len(links) >= 14
    assert all(client.get(link).status_code == 200 for link in links)


def _feed_links(client: httpx.Client, url: str) -> set[str]:
    root = etree.fromstring(client.get(url).content)
    if root.tag == f"{{{NS['sm']}}}sitemapindex":
        return {
            link
            for child in root.xpath("sm:sitemap/sm:loc/text()", namespaces=NS)
            for link in _feed_links(client, child)
        }
    return set(
        root.xpath(
            "//*[local-name()='item']/*[local-name()='link']/text()"
            " | //atom:entry/atom:link/@href | //sm:url/sm:loc/text()",
            namespaces=NS,
        )
    )


def test_feeds_list_only_published_stories(
    server: NewsroomServer, newsroom: Newsroom, client: httpx.Client
) -> None:
    """A deleted story leaves its feed while gone and returns when restored; a story first
    published at step 3 enters the sitemap at step 3."""
    fares = server.article_url("capitol", "transit-fare-hike-proposal")
    festival = server.article_url("metro", "river-festival-returns")
    rss, sitemap = server.feed_urls["capitol"][0], server.feed_urls["metro"][0]
    seen = []
    for step in range(8):
        if step:
            newsroom.advance()
        seen.append((fares in _feed_links(client, rss), festival in _feed_links(client, sitemap)))
    assert [f for f, _ in seen] == [True, True, True, False, False, False, True, True]
    assert [f for _, f in seen] == [False, False, False, True, True, True, True, True]


def test_section_feed_links_canonicalize_to_main_feed_links(
    server: NewsroomServer, client: httpx.Client
) -> None:
    """The capitol section feed repeats main-feed articles behind tracking parameters and
    #fragments; stripping them yields main-feed URLs, and the pages carry rel=canonical."""
    main, section = (_feed_links(client, u) for u in server.feed_urls["capitol"])
    assert any("utm_source=" in u for u in section) and any("fbclid=" in u for u in section)
    assert all("#" in u for u in section)
    stripped = {urlunsplit(urlsplit(u)._replace(query="", fragment="")) for u in section}
    assert stripped and stripped <= main
    tracked = next(iter(section))
    canonical = html.fromstring(client.get(tracked).content).xpath("//link[@rel='canonical']/@href")
    assert canonical == [urlunsplit(urlsplit(tracked)._replace(query="", fragment=""))]


def test_deleted_stories_answer_410_or_404_and_one_comes_back(
    server: NewsroomServer, newsroom: Newsroom, client: httpx.Client
) -> None:
    """transit-fare answers 410 from step 3 and 200 again from step 6; pension-fund answers
    404 from step 5 on; unknown paths are 404."""
    fares = server.article_url("capitol", "transit-fare-hike-proposal")
    pension = server.article_url("ledger", "pension-fund-returns")
    codes = []
    for step in range(8):
        if step:
            newsroom.advance()
        codes.append((client.get(fares).status_code, client.get(pension).status_code))
    assert [c for c, _ in codes] == [200, 200, 200, 410, 410, 410, 200, 200]
    assert [c for _, c in codes] == [200] * 5 + [404] * 3
    assert client.get(server.base_urls["harbor"] + "/news/no-such-story/").status_code == 404


def test_story_published_later_is_404_before_its_step(
    server: NewsroomServer, newsroom: Newsroom, client: httpx.Client
) -> None:
    """river-festival does not exist (404) before step 3 and is live from step 3."""
    url = server.article_url("metro", "river-festival-returns")
    assert client.get(url).status_code == 404
    newsroom.advance(3)
    assert client.get(url).status_code == 200


def test_metro_conditional_get(
    server: NewsroomServer, newsroom: Newsroom, client: httpx.Client
) -> None:
    """metro answers 304 to If-None-Match or If-Modified-Since while the article is unchanged
    (furniture-only steps included) and 200 with new validators once it is edited."""
    newsroom.advance(3)
    url = server.article_url("metro", "river-festival-returns")
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.content == b"" and not_modified.headers["ETag"] == etag
    newsroom.advance(4)  # step 7: a paragraph is added
    edited = client.get(url, headers={"If-None-Match": etag})
    assert edited.status_code == 200 and edited.headers["ETag"] != etag
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 200
    newsroom.advance()  # step 8: furniture only
    assert client.get(url, headers={"If-None-Match": edited.headers["ETag"]}).status_code == 304
    other = server.article_url("capitol", "senate-leaders-shutdown-deal")
    assert "ETag" not in client.get(other).headers


def test_metro_charset_is_declared_only_in_meta(
    server: NewsroomServer, client: httpx.Client
) -> None:
    """metro pages are windows-1252 bytes with no charset in Content-Type; decoding them with
    the <meta> charset gives the accented names."""
    response = client.get(server.article_url("metro", "mayor-unveils-housing-plan"))
    assert "charset" not in response.headers["Content-Type"]
    assert b'<meta charset="windows-1252">' in response.content
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    assert "By José Álvarez" in response.content.decode("cp1252")


def test_harbor_jsonld_date_modified_moves_only_with_edits(
    server: NewsroomServer, newsroom: Newsroom, client: httpx.Client
) -> None:
    """The JSON-LD dateModified stays put across a furniture-only step and moves when the
    quote is edited; articleBody matches the visible paragraphs."""
    url = server.article_url("harbor", "ferry-contract-awarded")

    def jsonld() -> dict[str, object]:
        import json

        doc = html.fromstring(client.get(url).content)
        (script,) = doc.xpath("//script[@type='application/ld+json']/text()")
        return json.loads(script)

    dates = []
    for step in range(4):
        if step:
            newsroom.advance()
        dates.append(jsonld()["dateModified"])
    assert dates[0] == dates[1] == dates[2] != dates[3]
    data = jsonld()
    assert data["@type"] == "NewsArticle" and data["headline"] == article(client, "harbor", url)[1]
    assert str(data["articleBody"]).split("\n\n") == list(article(client, "harbor", url)[3])


def test_expectations_cover_every_change_kind(newsroom: Newsroom) -> None:
    """The answer key uses every kind of the vocabulary, has a furniture-only step on every
    outlet, follows DESIGN.md's silent rule and stays within 1..max_step."""
    edits = newsroom.expectations()
    # `reextracted` comes from our own extraction rules changing, never from an edit
    # (tests/test_reread.py covers it); `live_update` from the live blog, which is not a
    # scripted story (monitor.newsroom.specials; tests/integration/test_live_variants.py)
    assert set(CHANGE_KINDS) - {"reextracted", "live_update"} <= {k for e in edits for k in e.kinds}
    assert {e.outlet for e in edits if not e.expect_version} == {o.name for o in newsroom.outlets}
    assert all(not e.kinds for e in edits if not e.expect_version)
    assert all(e.silent == silent_for(e.kinds) for e in edits if e.expect_version)
    assert all(1 <= e.step <= newsroom.max_step for e in edits)
    assert all(e.note for e in edits)


def test_same_seed_gives_same_pages_modulo_furniture(client: httpx.Client) -> None:
    """Two newsrooms with the same seed serve the same articles (filler included); another
    seed changes the filler stories."""
    rooms = [Newsroom(seed=s, extra_articles=8) for s in (7, 7, 8)]
    seen = []
    for room in rooms:
        with serve_newsroom(room) as server:
            stories = sorted((s.outlet, s.slug) for s in room.stories)
            seen.append({key: article(client, key[0], server.article_url(*key)) for key in stories})
    assert seen[0] == seen[1]
    assert seen[0] != seen[2]


def test_extra_articles_are_spread_served_and_counted(client: httpx.Client) -> None:
    """extra_articles adds filler stories to every outlet's feed; each answers 200 and every
    request is counted."""
    room = Newsroom(seed=1, extra_articles=20)
    fillers = [s for s in room.stories if s.section == "briefs"]
    assert len(fillers) == 20 and {s.outlet for s in fillers} == {o.name for o in room.outlets}
    with serve_newsroom(room) as server:
        links = set().union(*(_feed_links(client, u) for u in server.feed_urls.values() for u in u))
        urls = [server.article_url(s.outlet, s.slug) for s in fillers]
        assert set(urls) <= links
        before = server.request_count
        assert all(client.get(u).status_code == 200 for u in urls)
        assert server.request_count == before + len(urls)


def test_outlet_config_toml_is_a_valid_monitor_config(server: NewsroomServer) -> None:
    """The generated TOML loads with the project's config loader: private addresses allowed,
    feeds and sitemaps per outlet, selectors only for ledger."""
    settings = settings_from_mapping(tomllib.loads(server.outlet_config_toml()))
    assert settings.fetch.allow_private_addresses
    by_name = {o.name: o for o in settings.outlets}
    assert set(by_name) == {"capitol", "harbor", "ledger", "metro"}
    assert len(by_name["capitol"].feeds) == 2 and by_name["metro"].sitemaps
    assert not by_name["metro"].feeds
    assert [n for n, o in by_name.items() if o.selectors] == ["ledger"]


def test_robots_txt_disallows_private_pages(server: NewsroomServer, client: httpx.Client) -> None:
    """Every outlet serves robots.txt disallowing /private/, and the /private/ page exists."""
    for base in server.base_urls.values():
        robots = client.get(base + "/robots.txt")
        assert robots.status_code == 200 and "Disallow: /private/" in robots.text
        assert client.get(base + "/private/plans.html").status_code == 200


def test_one_port_per_outlet_and_close_stops_serving(newsroom: Newsroom) -> None:
    """Each outlet is its own host:port on 127.0.0.1, and close() stops every one of them."""
    server = serve_newsroom(newsroom)
    urls = list(server.base_urls.values())
    assert len({urlsplit(u).netloc for u in urls}) == 4
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in urls)
    server.close()
    with httpx.Client(trust_env=False, timeout=2) as client, pytest.raises(httpx.ConnectError):
        client.get(urls[0] + "/robots.txt")


def test_command_line_serves_advances_and_stops_cleanly_on_ctrl_c() -> None:
    """`python -m monitor.newsroom` prints outlet URLs that answer, advances the clock on its
    timer, and exits 0 on Ctrl-C (SIGINT)."""
    root = REPO
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor.newsroom", "--port-base", "0", "--step-seconds", "0.2"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.PIPE,
        text=True,
        # A background test runner may ignore SIGINT; the child must see it as Ctrl-C.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(6)]
        capitol = lines[0].split()[1]
        assert lines[0].startswith("capitol") and lines[-1].startswith("step 1:")
        with httpx.Client(trust_env=False, timeout=5) as client:
            assert client.get(capitol + "/rss.xml").status_code == 200
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and out.rstrip().endswith("stopping")
