"""Feeds and sitemaps: RSS 2.0, RSS 1.0 (RDF), Atom, sitemap index and news sitemap.

Each function takes already-resolved entries, so it is a pure string builder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

#: News sitemaps hold at most this many URLs each (the sitemap protocol's news limit).
NEWS_SITEMAP_SIZE = 1000

#: Tracking parameters the capitol section feed adds to its links, in rotation.
TRACKING = (
    "?utm_source=rss&utm_medium=section&utm_campaign=politics#top",
    "?fbclid=IwAR0x9Qm3kLz&utm_source=facebook#comments",
    "?utm_source=newsletter&utm_content=link_{i}&ref=section#story",
)


@dataclass(frozen=True)
class Entry:
    url: str
    title: str
    summary: str
    published: datetime
    modified: datetime


def _xml(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def rss2(title: str, site: str, self_url: str, entries: Sequence[Entry], *, tracked: bool) -> str:
    """RSS 2.0; ``tracked`` adds tracking parameters and fragments to every link."""
    items = []
    for i, e in enumerate(entries):
        url = e.url + TRACKING[i % len(TRACKING)].format(i=i) if tracked else e.url
        items.append(
            f"<item><title>{_xml(e.title)}</title><link>{_xml(url)}</link>"
            f'<guid isPermaLink="false">{_xml(e.url)}</guid>'
            f"<pubDate>{format_datetime(e.published, usegmt=True)}</pubDate>"
            f"<description>{_xml(e.summary)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>{_xml(title)}</title><link>{_xml(site)}</link>"
        f'<atom:link href="{_xml(self_url)}" rel="self" type="application/rss+xml"/>'
        f"<description>{_xml(title)}</description>{''.join(items)}</channel></rss>\n"
    )


def rdf(title: str, site: str, self_url: str, entries: Sequence[Entry]) -> str:
    """RSS 1.0: an rdf:RDF document with an rdf:Seq of item references."""
    refs = "".join(f'<rdf:li rdf:resource="{_xml(e.url)}"/>' for e in entries)
    items = "".join(
        f'<item rdf:about="{_xml(e.url)}"><title>{_xml(e.title)}</title>'
        f"<link>{_xml(e.url)}</link><description>{_xml(e.summary)}</description>"
        f"<dc:date>{e.published.isoformat()}</dc:date></item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="{_xml(self_url)}"><title>{_xml(title)}</title>'
        f"<link>{_xml(site)}</link><description>{_xml(title)}</description>"
        f"<items><rdf:Seq>{refs}</rdf:Seq></items></channel>{items}</rdf:RDF>\n"
    )


def atom(title: str, site: str, self_url: str, entries: Sequence[Entry]) -> str:
    updated = max((e.modified for e in entries), default=None)
    body = "".join(
        f"<entry><title>{_xml(e.title)}</title>"
        f'<link rel="alternate" type="text/html" href="{_xml(e.url)}"/>'
        f"<id>{_xml(e.url)}</id><published>{e.published.isoformat()}</published>"
        f"<updated>{e.modified.isoformat()}</updated>"
        f"<summary>{_xml(e.summary)}</summary></entry>"
        for e in entries
    )
    stamp = updated.isoformat() if updated else "1970-01-01T00:00:00+00:00"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>{_xml(title)}</title><link rel="alternate" href="{_xml(site)}"/>'
        f'<link rel="self" href="{_xml(self_url)}"/><id>{_xml(self_url)}</id>'
        f"<updated>{stamp}</updated>{body}</feed>\n"
    )


def sitemap_index(sitemaps: Sequence[tuple[str, datetime | None]]) -> str:
    body = "".join(
        f"<sitemap><loc>{_xml(url)}</loc>"
        + (f"<lastmod>{when.isoformat()}</lastmod>" if when else "")
        + "</sitemap>"
        for url, when in sitemaps
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>\n'
    )


def news_sitemap(publication: str, entries: Sequence[Entry]) -> str:
    body = "".join(
        f"<url><loc>{_xml(e.url)}</loc><lastmod>{e.modified.isoformat()}</lastmod>"
        f"<news:news><news:publication><news:name>{_xml(publication)}</news:name>"
        "<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{e.published.isoformat()}</news:publication_date>"
        f"<news:title>{_xml(e.title)}</news:title></news:news></url>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{body}</urlset>\n"
    )
