"""Sitemaps are streamed: a huge one costs what 50,000 URLs cost; credentials never stick."""

from __future__ import annotations

import gzip
import time

from monitor.discover.parse import MAX_FEED_ITEMS, MAX_SITEMAP_BYTES, MAX_SITEMAP_URLS, parse_feed
from monitor.urls import canonicalize_url, without_credentials

HEAD = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'


def _sitemap(count: int, pad: int = 0) -> bytes:
    path = b"x" * pad
    urls = b"".join(
        b"<url><loc>https://news.example/%s%d</loc></url>" % (path, i) for i in range(count)
    )
    return HEAD + urls + b"</urlset>"


def test_a_sitemap_past_50000_urls_is_read_up_to_the_limit() -> None:
    """A sitemap listing 200,000 URLs (four times the protocol's limit) gives its first
    50,000 entries and counts the rest as unread, in a few seconds."""
    start = time.perf_counter()
    result = parse_feed(_sitemap(200_000), "https://news.example/sitemap.xml")
    assert time.perf_counter() - start < 20
    assert len(result.entries) == MAX_SITEMAP_URLS
    assert result.entries[0].url == "https://news.example/0"
    assert result.unread == 200_000 - MAX_SITEMAP_URLS


def test_a_gzip_sitemap_inflating_past_50_mb_keeps_what_came_before() -> None:
    """A gzip sitemap that inflates past 50 MB is cut there, not refused: the entries
    before the cut are read, and the sitemap counts as having more (unread ≥ 1)."""
    body = gzip.compress(_sitemap(40_000, pad=1400))
    assert len(gzip.decompress(body)) > MAX_SITEMAP_BYTES
    result = parse_feed(body, "https://news.example/sitemap.xml.gz")
    assert 30_000 < len(result.entries) < 40_000
    assert result.unread >= 1


def test_credentials_are_dropped_from_urls() -> None:
    """`user:password@` never survives canonicalization (stored and shown URLs), feed
    entries included; without_credentials cleans URLs stored before."""
    assert canonicalize_url("https://user:s3cret@News.Example/feed.xml") == (
        "https://news.example/feed.xml"
    )
    sitemap = HEAD + b"<url><loc>https://a:b@news.example/story</loc></url></urlset>"
    [entry] = parse_feed(sitemap, "https://news.example/s.xml").entries
    assert entry.url == "https://news.example/story"
    assert without_credentials("https://u:p@h.example:8080/a@b?c") == "https://h.example:8080/a@b?c"
    assert without_credentials("https://h.example/a@b") == "https://h.example/a@b"


def test_an_rss_feed_past_5000_items_is_read_up_to_the_limit() -> None:
    """An RSS feed of 20,000 items is read up to its 5,000th (the rest counted as
    unread) in bounded time, not parsed whole (feedparser: ~1 s per 10,000 items)."""
    items = b"".join(
        b"<item><title>S%d</title><link>https://news.example/s/%d</link></item>" % (i, i)
        for i in range(20_000)
    )
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>' + items
    result = parse_feed(body + b"</channel></rss>", "https://news.example/rss")
    assert len(result.entries) == MAX_FEED_ITEMS and result.unread == 15_000
    assert result.entries[-1].url == "https://news.example/s/4999"
