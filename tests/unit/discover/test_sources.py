"""URL canonicalization and feed/sitemap parsing (hand-written feeds, no network)."""

from __future__ import annotations

import gzip

import pytest

from monitor.discover.parse import FeedError, parse_feed
from monitor.urls import BadURL, canonicalize_url, choose_canonical, same_site

FEED_URL = "https://news.example/feeds/top.xml"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://News.Example.COM/Story", "http://news.example.com/Story"),
        ("https://news.example:443/a", "https://news.example/a"),
        ("http://news.example:80/a", "http://news.example/a"),
        ("http://news.example:8080/a", "http://news.example:8080/a"),
        ("https://news.example/a#comments", "https://news.example/a"),
        ("https://news.example", "https://news.example/"),
        ("https://news.example/a?", "https://news.example/a"),
        (
            "https://news.example/a?utm_source=tw&id=7&fbclid=XY&utm_medium=social&page=2",
            "https://news.example/a?id=7&page=2",
        ),
        (
            "https://news.example/a?CMP=share&smid=tw-share&gallery=3",
            "https://news.example/a?gallery=3",
        ),
        ("https://news.example/a?b=2&a=1", "https://news.example/a?b=2&a=1"),
        ("https://news.example/a/./b/../c", "https://news.example/a/c"),
        ("https://news.example/%7euser/caf%c3%a9", "https://news.example/~user/caf%C3%A9"),
        ("https://news.example/café story", "https://news.example/caf%C3%A9%20story"),
        ("https://Bücher.example/", "https://xn--bcher-kva.example/"),
        ("  https://news.example/a  ", "https://news.example/a"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    """Case, default ports, fragments, tracking params, dot segments, escapes and IDNA normalise."""
    assert canonicalize_url(url) == expected


def test_spellings_of_one_article_collapse() -> None:
    """The same article reached via newsletter, share button and feed is one URL."""
    spellings = [
        "https://news.example/politics/vote?utm_campaign=nl&mc_cid=1&mc_eid=2",
        "HTTPS://NEWS.EXAMPLE:443/politics/vote#top",
        "https://news.example/politics/vote?share=twitter&__twitter_impression=true",
    ]
    assert {canonicalize_url(u) for u in spellings} == {"https://news.example/politics/vote"}


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("/b/story", "https://news.example/a/index.html", "https://news.example/b/story"),
        ("story2", "https://news.example/a/index.html", "https://news.example/a/story2"),
        ("//cdn.example/x", "https://news.example/", "https://cdn.example/x"),
        ("../up", "https://news.example/a/b/", "https://news.example/a/up"),
    ],
)
def test_relative_urls_resolve_against_base(url: str, base: str, expected: str) -> None:
    """Relative and scheme-relative links are resolved against the page or feed URL."""
    assert canonicalize_url(url, base=base) == expected


@pytest.mark.parametrize(
    "url",
    [
        "ftp://news.example/a",
        "mailto:desk@news.example",
        "not a url",
        "http://",
        "",
        "https://exa mple.com/",
    ],
)
def test_bad_urls_raise_one_line(url: str) -> None:
    """Non-http(s), hostless or garbled inputs raise BadURL with a one-line message."""
    with pytest.raises(BadURL) as info:
        canonicalize_url(url)
    assert "\n" not in str(info.value) and str(info.value)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://www.news.example/a", "https://news.example/b", True),
        ("https://news.example/a", "https://edition.news.example/b", True),
        ("http://news.example/a", "https://news.example/b", True),
        ("https://news.example/a", "https://othernews.example/b", False),
        ("https://a.news.example/", "https://b.news.example/", False),
        ("http://127.0.0.1:8001/a", "http://127.0.0.1:8001/b", True),
        ("http://127.0.0.1:8001/a", "http://127.0.0.1:8002/b", False),
    ],
)
def test_same_site(a: str, b: str, same: bool) -> None:
    """Same host ignoring www, or a subdomain; ports must match; unrelated hosts differ."""
    assert same_site(a, b) is same
    assert same_site(b, a) is same


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("https://news.example/2026/story", "https://news.example/2026/story"),
        ("/2026/story#x", "https://www.news.example/2026/story"),
        ("https://aggregator.example/copy", "https://www.news.example/s?id=1"),
        ("ftp://news.example/x", "https://www.news.example/s?id=1"),
        ("", "https://www.news.example/s?id=1"),
        (None, "https://www.news.example/s?id=1"),
    ],
)
def test_choose_canonical(declared: str | None, expected: str) -> None:
    """rel=canonical wins only on the same site and over http(s); both come back canonical."""
    requested = "https://www.news.example/s?id=1&utm_source=rss"
    assert choose_canonical(requested, declared) == expected


RSS2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Top stories</title><link>https://news.example/</link>
<item><title>Council votes</title><link>https://news.example/council?utm_source=rss</link>
<pubDate>Wed, 25 Nov 2026 19:42:53 +0100</pubDate></item>
<item><title>Relative</title><link>/local/story</link></item>
<item><title>No link</title><guid isPermaLink="true">https://news.example/guid-story</guid></item>
<item><title>Mail</title><link>mailto:desk@news.example</link></item>
<item><title>Council votes again</title><link>https://news.example/council#x</link></item>
</channel></rss>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example/"><title>RDF news</title><link>https://news.example/</link>
<items><rdf:Seq><rdf:li resource="https://news.example/rdf1"/></rdf:Seq></items></channel>
<item rdf:about="https://news.example/rdf1"><title>RDF story</title>
<link>https://news.example/rdf1</link><dc:date>2026-11-25T18:00:00Z</dc:date></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/world/">
<title>Atom news</title><id>urn:x</id><updated>2026-11-25T12:00:00Z</updated>
<entry><title>Summit ends</title><id>urn:1</id><link rel="alternate" href="summit"/>
<updated>2026-11-25T12:00:00-05:00</updated></entry>
</feed>"""


def test_rss2_entries_are_absolute_canonical_and_deduplicated() -> None:
    """RSS 2.0 items give canonical links (guid permalinks too); mailto and repeats drop out."""
    result = parse_feed(RSS2, FEED_URL)
    assert result.kind == "rss" and result.title == "Top stories"
    assert [e.url for e in result.entries] == [
        "https://news.example/council",
        "https://news.example/local/story",
        "https://news.example/guid-story",
    ]
    assert result.entries[0].title == "Council votes"
    assert result.entries[0].published_at == "2026-11-25T18:42:53Z"


def test_rss1_rdf_feed() -> None:
    """RSS 1.0 (RDF) feeds are read, with dc:date as the publication time."""
    result = parse_feed(RDF, FEED_URL)
    assert result.kind == "rdf"
    assert [(e.url, e.title, e.published_at) for e in result.entries] == [
        ("https://news.example/rdf1", "RDF story", "2026-11-25T18:00:00Z")
    ]


def test_atom_feed_resolves_xml_base() -> None:
    """Atom entries resolve relative links against xml:base; times become UTC."""
    result = parse_feed(ATOM, FEED_URL)
    assert result.kind == "atom" and result.title == "Atom news"
    assert [(e.url, e.published_at) for e in result.entries] == [
        ("https://news.example/world/summit", "2026-11-25T17:00:00Z")
    ]


def test_bozo_feed_with_entries_is_accepted() -> None:
    """A feed with an XML error that still yields items is used, not rejected."""
    broken = RSS2.replace(b"<title>Relative</title>", b"<title>Relative & co</title>")
    broken = broken.replace(b"</channel></rss>", b"")
    result = parse_feed(broken, FEED_URL)
    assert "https://news.example/council" in [e.url for e in result.entries]


@pytest.mark.parametrize(
    "content",
    [
        b"<html><head><title>Home</title></head><body><p>Hello</p></body></html>",
        b"",
        b"\x00\x01binary",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</tit',
    ],
    ids=["html", "empty", "binary", "truncated"],
)
def test_non_feeds_raise_feed_error(content: bytes) -> None:
    """HTML pages, empty and binary bodies and broken feeds without items raise FeedError."""
    with pytest.raises(FeedError) as info:
        parse_feed(content, FEED_URL)
    assert "\n" not in str(info.value)


SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/a?utm_medium=sitemap</loc>
 <news:news><news:publication><news:name>News</news:name><news:language>en</news:language>
 </news:publication><news:publication_date>2026-11-25T19:42:53+01:00</news:publication_date>
 <news:title>Markets rally</news:title></news:news></url>
<url><loc>https://news.example/b</loc><lastmod>2026-11-20</lastmod></url>
<url><loc>javascript:alert(1)</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/sitemap-news.xml</loc></sitemap>
<sitemap><loc>/sitemap-2026-11.xml.gz</loc><lastmod>2026-11-25</lastmod></sitemap>
</sitemapindex>"""


def test_news_sitemap_gives_titles_and_dates() -> None:
    """A Google News sitemap gives URL, news title and UTC publication date per article."""
    result = parse_feed(SITEMAP, "https://news.example/sitemap-news.xml")
    assert result.kind == "sitemap"
    assert [(e.url, e.title, e.published_at) for e in result.entries] == [
        ("https://news.example/a", "Markets rally", "2026-11-25T18:42:53Z"),
        ("https://news.example/b", None, None),
    ]


def test_sitemap_index_lists_child_sitemaps() -> None:
    """A sitemap index gives its child sitemaps (absolute), not entries."""
    result = parse_feed(INDEX, "https://news.example/sitemap.xml")
    assert result.kind == "sitemap_index" and result.entries == ()
    assert result.sitemaps == (
        "https://news.example/sitemap-news.xml",
        "https://news.example/sitemap-2026-11.xml.gz",
    )


def test_gzip_sitemap_is_accepted() -> None:
    """A .xml.gz sitemap body is decompressed and parsed like the plain one."""
    result = parse_feed(gzip.compress(SITEMAP), "https://news.example/sitemap.xml.gz")
    assert [e.url for e in result.entries] == ["https://news.example/a", "https://news.example/b"]


def test_malformed_sitemap_raises() -> None:
    """A sitemap that is not well-formed XML raises FeedError naming the URL."""
    with pytest.raises(FeedError, match="malformed sitemap"):
        parse_feed(SITEMAP.replace(b"</urlset>", b"<url>"), "https://news.example/s.xml")


def test_corrupt_gzip_raises() -> None:
    """Gzip magic followed by junk raises FeedError instead of a zlib error."""
    with pytest.raises(FeedError, match="gzip"):
        parse_feed(b"\x1f\x8b\x08\x00junkjunkjunk", "https://news.example/s.xml.gz")


def test_sitemap_entities_are_not_expanded() -> None:
    """Entity tricks (billion laughs, external files) neither expand nor read anything."""
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://news.example/&c;&x;</loc></url><url><loc>https://news.example/ok</loc></url>
</urlset>"""
    result = parse_feed(laughs, "https://news.example/s.xml")
    urls = [e.url for e in result.entries]
    assert "https://news.example/ok" in urls
    assert all("aaaa" not in u and "root" not in u for u in urls)
