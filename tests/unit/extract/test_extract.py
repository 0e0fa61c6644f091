"""Extraction cascade on small hand-written pages."""

from __future__ import annotations

import json

import pytest

from monitor.extract.cascade import extract, strip_site_name
from monitor.extract.meta import clean_byline, join_authors
from monitor.extract.normalize import content_hash, normalize

URL = "https://news.example.org/2024/03/pier-closes"
PARAS = [
    "The harbour board voted on Tuesday to close the old ferry pier for repairs after "
    "inspectors found cracked pilings beneath the main landing.",
    "Repairs will take about six weeks, the board's chair told reporters outside the "
    "town hall, and ferries will dock at the fishing quay in the meantime.",
    "Commuters who cross the bay every morning said the detour would add twenty minutes "
    "to their journeys, though most accepted the closure was needed.",
    "The board expects to publish the contractor's full report next month, along with "
    "a schedule for reopening the pier to foot passengers first.",
]


def page(
    *,
    head: str = "",
    h1: str = "Harbour pier closes for six weeks",
    before: str = "",
    between: str = "",
    after: str = "",
    paras: list[str] | None = None,
) -> str:
    body = f"\n{between}\n".join(f"<p>{p}</p>" for p in (paras or PARAS))
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>Harbour pier closes for six weeks | Bay Courier</title>
<meta property="og:site_name" content="Bay Courier">{head}</head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main><article><h1>{h1}</h1>{before}<div class="story">{body}</div>{after}</article></main>
<aside class="most-read"><h2>Most read</h2><ul><li><a href="/a">Council tax rises</a></li>
<li><a href="/b">Storm warning for the coast</a></li></ul></aside>
<footer><p>© 2024 Bay Courier. All rights reserved.</p></footer></body></html>"""


def jsonld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


@pytest.mark.parametrize(
    ("garbage", "body"),
    [
        ("", ()),
        ("   ", ()),
        ("<?xml version='1.0'?><a>", ()),
        ("<html", ()),
        ("not html at all", ("not html at all",)),  # plain text is read as text
    ],
)
def test_garbage_never_raises(garbage: str, body: tuple[str, ...]) -> None:
    """Any string gives an Article without a title; markup with no text gives an empty body."""
    article = extract(garbage, URL)
    assert article.body == body
    assert article.title == ""


@pytest.mark.parametrize("garbage", ["<<<>>>", "\x00\x01", "\ufffd\ufffd"])
def test_symbol_soup_is_never_a_paragraph(garbage: str) -> None:
    """Input with no letters at all does not become article text."""
    assert extract(garbage, URL).body == ()


def test_xml_declaration_and_empty_url_are_fine() -> None:
    """A page with an XML encoding declaration and no URL still extracts."""
    html = "<?xml version='1.0' encoding='utf-8'?>" + page()
    article = extract(html, "")
    assert article.title == "Harbour pier closes for six weeks"
    assert len(article.body) >= 3


def test_generic_stage_reads_the_body_without_furniture() -> None:
    """Without selectors or JSON-LD the generic extractor reads the paragraphs, not the rails."""
    article = extract(page(), URL)
    assert article.extractor == "generic"
    assert article.body[:4] == tuple(PARAS)
    text = article.body_text
    assert "Most read" not in text and "Council tax" not in text and "All rights" not in text


def test_inline_promos_and_timestamps_are_dropped() -> None:
    """READ MORE promos, ad labels and timestamps between paragraphs stay out of the body."""
    between = "<p>READ MORE: Ferry fares to rise next year</p><p>Advertisement</p>"
    article = extract(page(before="<p>Updated 5 minutes ago</p>", between=between), URL)
    assert "READ MORE" not in article.body_text
    assert "Advertisement" not in article.body
    assert "Updated 5 minutes ago" not in article.body


def test_paragraph_boundaries_survive_furniture_changes() -> None:
    """Two renders differing only in furniture give the same paragraphs and the same hash."""
    first = extract(page(before="<p>Updated 5 minutes ago</p>"), URL)
    second = extract(
        page(
            before="<p>Updated 2 hours ago</p>",
            between='<div class="ad">Advertisement</div><p>RELATED: Pier history</p>',
            after='<div class="share">Share this article Facebook Twitter</div>',
        ),
        URL,
    )
    assert normalize(first).body == normalize(second).body
    assert content_hash(first) == content_hash(second)


def test_title_prefers_the_h1_over_the_title_tag() -> None:
    """The displayed headline wins over <title> when they match loosely, without the site name."""
    article = extract(page(h1="Harbour pier closes for six weeks of repairs"), URL)
    assert article.title == "Harbour pier closes for six weeks of repairs"


def test_title_from_title_tag_drops_the_site_name() -> None:
    """With no usable h1 the <title> is used, minus " | Site"."""
    article = extract(page(h1=""), URL)
    assert article.title == "Harbour pier closes for six weeks"


def test_logo_h1_is_not_the_headline() -> None:
    """An h1 holding the site logo does not match the page title, so metadata wins."""
    article = extract(page(h1="Bay Courier"), URL)
    assert article.title == "Harbour pier closes for six weeks"


@pytest.mark.parametrize(
    ("raw", "sites", "expected"),
    [
        ("Pier closes | Bay Courier", ["Bay Courier"], "Pier closes"),
        ("Pier closes - Bay Courier", ["Bay Courier"], "Pier closes"),
        ("Bay Courier: Pier closes", ["Bay Courier"], "Bay Courier: Pier closes"),
        ("Bay Courier | Pier closes", ["Bay Courier"], "Pier closes"),
        ("Pier closes – news – The Bay Courier", ["Bay Courier"], "Pier closes – news"),
        (
            "Ferries - what changes for commuters",
            ["Bay Courier"],
            "Ferries - what changes for commuters",
        ),
        ("Pier closes | baycourier.com", ["baycourier"], "Pier closes"),
    ],
)
def test_site_name_stripping(raw: str, sites: list[str], expected: str) -> None:
    """Only segments that name the site are removed; a dash inside a headline stays."""
    assert strip_site_name(raw, sites) == expected


def test_jsonld_stage_fields_and_markup_paragraphs() -> None:
    """NewsArticle JSON-LD gives headline, authors, dates; its body takes the page's paragraphs."""
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Bay Courier"},
            {
                "@type": ["NewsArticle"],
                "headline": "Harbour pier closes for six weeks",
                "author": [{"@type": "Person", "name": "Ann Lee"}, {"@id": "#bo"}],
                "datePublished": "2024-03-05T10:15:00+01:00",
                "dateModified": "2024-03-05T12:00:00+01:00",
                "articleBody": " ".join(PARAS),
            },
            {"@id": "#bo", "@type": "Person", "name": "Bo Chen"},
        ],
    }
    article = extract(page(head=jsonld(data)), URL)
    assert article.extractor == "jsonld"
    assert article.body == tuple(PARAS)
    assert article.byline == "Ann Lee, Bo Chen"
    assert article.published_at == "2024-03-05T10:15:00+01:00"
    assert article.modified_at == "2024-03-05T12:00:00+01:00"


def test_jsonld_body_with_line_breaks_when_markup_disagrees() -> None:
    """An articleBody the markup does not carry is split on its own line breaks."""
    data = {"@type": "BlogPosting", "headline": "H", "articleBody": "\n\n".join(PARAS[:3])}
    article = extract(page(head=jsonld(data), paras=["Teaser only, subscribe for more."]), URL)
    assert article.extractor == "jsonld"
    assert article.body == tuple(PARAS[:3])


def test_truncated_jsonld_body_loses_to_the_page() -> None:
    """A teaser-length articleBody does not replace the full text on the page."""
    data = {"@type": "NewsArticle", "headline": "H", "articleBody": PARAS[0][:60]}
    article = extract(page(head=jsonld(data)), URL)
    assert article.extractor == "generic"
    assert len(article.body) >= 4


def test_outlet_selectors_take_precedence() -> None:
    """Outlet selectors pick title, byline, body (container), dates and drop furniture."""
    html = page(
        h1="Generic headline",
        before='<h2 class="hed">Selected headline</h2><span class="by">By Ann Lee</span>'
        '<time class="pub" datetime="2024-03-05T09:00:00Z">5 March</time>'
        '<div class="story"><p class="promo">Buy a subscription today, readers.</p></div>',
    )
    selectors = {
        "title": "h2.hed",
        "byline": ".by",
        "body": "div.story",
        "published": "time.pub",
        "remove": ".promo",
    }
    article = extract(html, URL, selectors)
    assert article.extractor == "outlet"
    assert article.title == "Selected headline"
    assert article.byline == "Ann Lee"
    assert article.body == tuple(PARAS)
    assert article.published_at == "2024-03-05T09:00:00Z"


def test_broken_selectors_fall_back() -> None:
    """An invalid or non-matching body selector falls through to the next stage."""
    assert extract(page(), URL, {"body": "p[[["}).extractor == "generic"
    assert extract(page(), URL, {"body": ".nothing-here"}).extractor == "generic"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Ann Lee", "Ann Lee"),
        ("by ANN LEE | Updated 5 minutes ago", "ANN LEE"),
        ("Ann Lee, Political Correspondent", "Ann Lee"),
        ("By Ann Lee and Bo Chen", "Ann Lee, Bo Chen"),
        ("Ann Lee & Bo Chen", "Ann Lee, Bo Chen"),
        ("Par Jeanne Martin", "Jeanne Martin"),
        ("Von Max Muster", "Max Muster"),
        ("By Ann Lee, March 5, 2024", "Ann Lee"),
        ("Ann Lee Updated March 5, 2024 at 10:15 am", "Ann Lee"),
    ],
)
def test_byline_forms(raw: str, expected: str) -> None:
    """Bylines lose "By", roles, dates and "Updated"; several authors join with ", "."""
    assert join_authors([raw]) == expected


def test_byline_sources() -> None:
    """meta author, rel=author and byline classes are read when JSON-LD has no author."""
    assert extract(page(head='<meta name="author" content="Ann Lee">'), URL).byline == "Ann Lee"
    rel = '<p class="meta">By <a rel="author" href="/ann">Ann Lee</a></p>'
    assert extract(page(before=rel), URL).byline == "Ann Lee"
    cls = '<div class="article-byline">By Bo Chen, Transport Reporter</div>'
    assert extract(page(before=cls), URL).byline == "Bo Chen"
    assert clean_byline("ann@example.org") == ""


def test_canonical_url_and_dates_from_meta() -> None:
    """Canonical link is resolved against the page URL; meta times are read."""
    head = (
        '<link rel="canonical" href="/2024/03/pier-closes">'
        '<meta property="article:published_time" content="2024-03-05T09:00:00Z">'
        '<meta property="article:modified_time" content="2024-03-05T11:00:00Z">'
    )
    article = extract(page(head=head), URL + "?utm_source=feed")
    assert article.canonical_url == "https://news.example.org/2024/03/pier-closes"
    assert article.published_at == "2024-03-05T09:00:00Z"
    assert article.modified_at == "2024-03-05T11:00:00Z"


def test_og_url_when_no_canonical_link() -> None:
    """og:url stands in for a missing canonical link; neither gives None."""
    head = '<meta property="og:url" content="https://news.example.org/pier">'
    assert extract(page(head=head), URL).canonical_url == "https://news.example.org/pier"
    assert extract(page(), URL).canonical_url is None
