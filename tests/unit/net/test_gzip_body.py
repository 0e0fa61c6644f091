"""A gzip file served as the body (sitemap.xml.gz, no Content-Encoding) is read by its magic."""

from __future__ import annotations

import gzip

from monitor.config import FetchSettings
from monitor.net.fetch import Fetcher
from monitor.pipeline.discover import read_feed
from tests.support.httpserver import TestServer, text

SETTINGS = FetchSettings(
    allow_private_addresses=True, obey_robots=False, timeout=5.0, max_bytes=1_000_000
)
SITEMAP = (
    b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    b"<url><loc>https://news.example/a</loc></url><url><loc>https://news.example/b</loc></url>"
    b"</urlset>"
)


def test_a_gzip_sitemap_without_content_encoding_is_read() -> None:
    """sitemap.xml.gz served as application/gzip with no Content-Encoding (before: "body
    is not text") is inflated and parsed: both entries."""
    routes = {"/sitemap.xml.gz": text(gzip.compress(SITEMAP), "application/gzip")}
    with TestServer(routes) as server, Fetcher(SETTINGS) as fetcher:
        result = fetcher.fetch(server.url("/sitemap.xml.gz"))
    assert result.outcome == "ok" and result.content == SITEMAP
    read = read_feed(result, server.url("/sitemap.xml.gz"))
    assert read.error is None and [e.url for e in read.entries] == [
        "https://news.example/a",
        "https://news.example/b",
    ]


def test_gzip_inside_content_encoding_gzip_is_read_too() -> None:
    """A .gz file sent with Content-Encoding: gzip as well (a common server mistake) is
    inflated twice and reads the same."""
    body = gzip.compress(gzip.compress(SITEMAP))
    routes = {"/s.gz": text(body, "application/octet-stream", Content_Encoding="gzip")}
    with TestServer(routes) as server, Fetcher(SETTINGS) as fetcher:
        result = fetcher.fetch(server.url("/s.gz"))
    assert result.outcome == "ok" and result.content == SITEMAP


def test_a_gzip_bomb_body_is_too_large_and_corrupt_gzip_a_decode_error() -> None:
    """The size cap counts inflated bytes, as for Content-Encoding: a 100 MB bomb in a
    small body is `too_large`; gzip magic followed by junk is a one-line `decode_error`."""
    bomb = gzip.compress(b"\0" * 100_000_000)
    routes = {
        "/bomb.gz": text(bomb, "application/gzip"),
        "/junk.gz": text(b"\x1f\x8b\x08\x00junkjunkjunk", "application/gzip"),
    }
    with TestServer(routes) as server, Fetcher(SETTINGS) as fetcher:
        bombed = fetcher.fetch(server.url("/bomb.gz"))
        junk = fetcher.fetch(server.url("/junk.gz"))
    assert bombed.outcome == "too_large" and "1000000" in (bombed.error or "")
    assert junk.outcome == "decode_error" and "corrupt gzip body" in (junk.error or "")
    assert "\n" not in (junk.error or "")
