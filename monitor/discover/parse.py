"""Discovery: article URLs from feeds and sitemaps, and the one spelling of a URL.

An article reached through a newsletter link, a tweet and the RSS feed must be
tracked once, so every URL is canonicalized before it is stored: lower-case
scheme and host, no default port, no fragment, no tracking parameters,
normalised percent-encoding.
"""

from __future__ import annotations

import calendar
import io
import re
import zlib
from datetime import UTC, datetime
from typing import Any, Literal

from lxml import etree

from monitor.errors import FeedError
from monitor.models import FeedEntry, FeedResult
from monitor.net.inflate import Inflater, inflate
from monitor.times import iso
from monitor.urls import BadURL, canonicalize_url

#: A sitemap may be 50 MB uncompressed (sitemaps.org); a gzip one may not inflate past that.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
#: …and list at most 50,000 URLs (sitemaps.org); entries past that are counted, not read.
MAX_SITEMAP_URLS = 50_000
#: Items read from an RSS or Atom feed (real ones list tens to a few hundred).
MAX_FEED_ITEMS = 5_000
_ITEM_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")


# -- feeds and sitemaps ---------------------------------------------------------

_FEED_KINDS: dict[str, Literal["rss", "atom", "rdf"]] = {
    "rss090": "rdf",
    "rss10": "rdf",
    "atom": "atom",
    "atom03": "atom",
    "atom10": "atom",
}
_PROLOG = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", re.DOTALL)
_FIRST_TAG = re.compile(rb"<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)")


def parse_feed(content: bytes, url: str) -> FeedResult:
    """Article entries from an RSS 2.0/1.0 or Atom feed, a (news) sitemap or a sitemap index.

    Entry URLs come back absolute and canonical; non-http(s) entries are skipped.
    Raises FeedError for anything else.
    """
    cut = False
    if content[:2] == b"\x1f\x8b":
        content, cut = _gunzip(content, url)
    if _root_name(content) in (b"urlset", b"sitemapindex"):
        return _parse_sitemap(content, url, cut=cut)
    return _parse_syndication(content, url)


def _gunzip(content: bytes, url: str) -> tuple[bytes, bool]:
    """The inflated body, cut at MAX_SITEMAP_BYTES (a bomb never inflates further), and
    whether it was cut."""
    out = bytearray()
    try:
        for piece in inflate([content], [Inflater("gzip")]):
            out += piece
            if len(out) > MAX_SITEMAP_BYTES:
                return bytes(out[:MAX_SITEMAP_BYTES]), True
    except zlib.error as exc:
        raise FeedError(f"bad gzip data in {url}: {exc}") from None
    return bytes(out), False


def _root_name(content: bytes) -> bytes | None:
    """The local name of the document element, read off the first few kilobytes."""
    match = _FIRST_TAG.search(_PROLOG.sub(b"", content[:8192]))
    return match.group(1) if match else None


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: Any, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            value = "".join(child.itertext()).strip()
            return value or None
    return None


def _child(element: Any, name: str) -> Any:
    return next((c for c in element if _local(c.tag) == name), None)


def _parse_sitemap(content: bytes, url: str, *, cut: bool = False) -> FeedResult:
    """Entries (or child sitemaps) of a sitemap, streamed: each ``<url>`` is read and
    dropped as the parser passes it, and parsing stops after ``MAX_SITEMAP_URLS``, so a
    sitemap listing a million URLs costs no more than one listing 50,000. The ones past
    the limit are only counted (``FeedResult.unread``). A ``cut`` body (inflated past
    MAX_SITEMAP_BYTES) ends mid-document: what was read before the cut is kept."""
    events = etree.iterparse(
        io.BytesIO(content),
        events=("end",),
        tag=("{*}url", "{*}sitemap"),
        # no entity expansion (billion laughs), no DTD or network fetches (XXE)
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        recover=False,
    )
    items: list[FeedEntry] = []
    root = None
    try:
        for _, element in events:
            parent = element.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # a <url> nested deeper than the root's children is not an entry
            root = parent
            items.append(_sitemap_item(element))
            element.clear()
            while element.getprevious() is not None:  # what was read is not kept
                del parent[0]
            if len(items) >= MAX_SITEMAP_URLS:
                break
    except etree.XMLSyntaxError as exc:
        if not (cut and items):
            raise FeedError(f"malformed sitemap {url}: {exc}") from None
    root = root if root is not None else events.root  # (set only once parsing ends)
    kind = _local(root.tag) if root is not None else ""
    unread = 0
    if len(items) >= MAX_SITEMAP_URLS or cut:
        unread = max(int(cut), len(_ENTRY_TAG.findall(content)) - len(items))
    if kind == "sitemapindex":
        children = _canonical_unique((e.url for e in items), url)
        return FeedResult(kind="sitemap_index", sitemaps=children, unread=unread)
    if kind != "urlset":
        raise FeedError(f"not a feed or sitemap: {url} has root <{kind}>")
    return FeedResult(kind="sitemap", entries=_canonical_entries(items, url), unread=unread)


#: an entry's start tag, counted (not parsed) past MAX_SITEMAP_URLS
_ENTRY_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:url|sitemap)[\s>]")


def _sitemap_item(item: Any) -> FeedEntry:
    """One ``<url>`` (or an index's ``<sitemap>``): its loc, and the news title and date."""
    news = _child(item, "news")
    title = _child_text(news, "title") if news is not None else None
    published = _child_text(news, "publication_date") if news is not None else None
    loc = _child_text(item, "loc") or ""
    return FeedEntry(url=loc, title=title, published_at=_w3c_date(published))


def _w3c_date(value: str | None) -> str | None:
    """A W3C datetime ("2026-11-25", "2026-11-25T19:42:53+01:00") as the project's UTC ISO."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return iso(parsed)


def _parse_syndication(content: bytes, url: str) -> FeedResult:
    # imported here: only feed polls need it, and article checks run without it
    import feedparser

    # feedparser holds the whole feed and takes ~1 s per 10,000 items: a feed is read
    # up to its MAX_FEED_ITEMS-th item (feedparser reads a cut document leniently)
    starts = [m.start() for m in _ITEM_TAG.finditer(content)]
    unread = max(0, len(starts) - MAX_FEED_ITEMS)
    if unread:
        content = content[: starts[MAX_FEED_ITEMS]]
    parsed = feedparser.parse(content, response_headers={"content-location": url})
    version = parsed.get("version") or ""
    if not parsed.entries and (parsed.get("bozo") or not version):
        problem = parsed.get("bozo_exception")
        detail = f" ({' '.join(str(problem).split())})" if problem else ""
        what = "malformed feed" if version else "not a feed or sitemap"
        raise FeedError(f"{what}: {url}{detail}")
    entries = []
    for entry in parsed.entries:
        link = entry.get("link") or _permalink_id(entry)
        title = (entry.get("title") or "").strip() or None
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = iso(datetime.fromtimestamp(calendar.timegm(stamp), UTC)) if stamp else None
        entries.append(FeedEntry(url=link or "", title=title, published_at=published))
    kind = _FEED_KINDS.get(version, "rss")
    feed_title = (parsed.feed.get("title") or "").strip() or None
    canonical = _canonical_entries(entries, url)
    if parsed.get("bozo") and not canonical:
        # Broken XML that yields no usable link is a broken feed, not an empty one.
        problem = " ".join(str(parsed.get("bozo_exception") or "").split())
        raise FeedError(f"malformed feed: {url}" + (f" ({problem})" if problem else ""))
    return FeedResult(kind=kind, entries=canonical, title=feed_title, unread=unread)


def _permalink_id(entry: Any) -> str | None:
    """An entry without a link may still name itself with a URL as its id/guid."""
    ident = entry.get("id") or ""
    return ident if ident.startswith(("http://", "https://")) else None


def _canonical_entries(entries: list[FeedEntry], base: str) -> tuple[FeedEntry, ...]:
    seen: set[str] = set()
    result = []
    for entry in entries:
        try:
            url = canonicalize_url(entry.url, base=base)
        except BadURL:
            continue
        if url not in seen:
            seen.add(url)
            result.append(FeedEntry(url=url, title=entry.title, published_at=entry.published_at))
    return tuple(result)


def _canonical_unique(urls: Any, base: str) -> tuple[str, ...]:
    entries = [FeedEntry(url=u) for u in urls if u]
    return tuple(e.url for e in _canonical_entries(entries, base))
