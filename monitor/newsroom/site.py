"""One outlet's website: routes a request to a page, feed or error, with no socket code.

Article pages are pre-rendered once per revision and cached; a request fills the
furniture slots and encodes. Feeds are rendered once per step of the story clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from hashlib import sha1
from urllib.parse import urlsplit

from monitor.newsroom import feeds, specials
from monitor.newsroom.core import Newsroom, Outlet
from monitor.newsroom.furniture import Furniture, compile_page
from monitor.newsroom.outages import OUTAGE_MODES, render_outage
from monitor.newsroom.script import Revision, Story
from monitor.newsroom.templates import TEMPLATES, Page, error_page

_PREFIX = {"classic": "", "jsonld": "hb-", "divsoup": "zq-", "semantic": "mt-"}
_HTML_TYPE = {
    "classic": "text/html; charset=utf-8",
    "jsonld": "text/html; charset=UTF-8",
    # Deliberately no charset parameter: the page's <meta charset> is the only declaration.
    "divsoup": "text/html",
    "semantic": "text/html",
}
ROBOTS = "User-agent: *\nDisallow: /private/\n"
PRIVATE = (
    "<!DOCTYPE html><html><head><title>Staff only</title></head><body><h1>Staff only</h1>"
    "<p>Internal planning page. Crawlers are asked not to fetch this.</p></body></html>\n"
)


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True)
class _Prepared:
    status: int
    content_type: str
    parts: tuple[str, ...]  # compiled page (furniture slots) or a single static part
    etag: str | None = None
    last_modified: str | None = None


class OutletSite:
    def __init__(self, newsroom: Newsroom, outlet: Outlet, base_url: str) -> None:
        self.newsroom = newsroom
        self.outlet = outlet
        self.base_url = base_url
        #: an outlet-wide outage mode (monitor.newsroom.outages), None while healthy
        self.outage: str | None = None
        self.furniture = Furniture(newsroom.seed, _PREFIX[outlet.template])
        self._pages: dict[tuple[str, int], _Prepared] = {}
        self._feeds: dict[tuple[str, int], _Prepared | None] = {}
        self._specials: dict[tuple[str, int], _Prepared | None] = {}
        self._errors = {
            code: _Prepared(
                code, _HTML_TYPE[outlet.template], compile_page(error_page(outlet.title, code))
            )
            for code in (404, 410)
        }

    # -- public -----------------------------------------------------------------

    def feed_paths(self) -> list[str]:
        """Entry points a monitor subscribes to (the sitemap index for metro)."""
        return {
            "capitol": ["/rss.xml", "/politics/rss.xml"],
            "harbor": ["/atom.xml"],
            "ledger": ["/index.rdf"],
            "metro": ["/sitemap.xml"],
        }[self.outlet.name]

    def set_outage(self, mode: str | None) -> None:
        if mode is not None and mode not in OUTAGE_MODES:
            raise ValueError(f"unknown outage mode {mode!r}; one of {', '.join(OUTAGE_MODES)}")
        self.outage = mode

    def handle(self, target: str, headers: Mapping[str, str], n: int) -> Response:
        """Answer one GET for ``target`` (path and query); ``n`` is the request number."""
        path = urlsplit(target).path or "/"
        if path == "/robots.txt":
            robots = ROBOTS
            if self.outlet.name == "metro":
                robots += f"Sitemap: {self.base_url}/sitemap.xml\n"
            return Response(200, (("Content-Type", "text/plain; charset=utf-8"),), robots.encode())
        if path.startswith("/private/"):
            return Response(200, (("Content-Type", "text/html; charset=utf-8"),), PRIVATE.encode())
        step = self.newsroom.step
        prepared = (
            self._feed(path, step)
            or self._special(target, step)
            or self._article(path, step)
            or self._errors[404]
        )
        return self._respond(prepared, headers, n)

    # -- internals --------------------------------------------------------------

    def _respond(self, p: _Prepared, headers: Mapping[str, str], n: int) -> Response:
        out: list[tuple[str, str]] = [("Content-Type", p.content_type)]
        if p.etag:
            out.append(("ETag", p.etag))
        if p.last_modified:
            out.append(("Last-Modified", p.last_modified))
        if p.status == 200 and self.outlet.conditional_get and _not_modified(p, headers):
            return Response(304, tuple(out), b"")
        text = self.furniture.fill(p.parts, n) if len(p.parts) > 1 else p.parts[0]
        return Response(p.status, tuple(out), text.encode(self.outlet.charset, "xmlcharrefreplace"))

    def _special(self, target: str, step: int) -> _Prepared | None:
        """A live blog, a page variant or a broken canonical (monitor.newsroom.specials)."""
        key = (target, step)
        if key not in self._specials:
            found = specials.page(self.newsroom, self.outlet.name, target, self.base_url)
            self._specials[key] = (
                None
                if found is None
                else _Prepared(
                    found.status, _HTML_TYPE[self.outlet.template], compile_page(found.html)
                )
            )
        return self._specials[key]

    def _article(self, path: str, step: int) -> _Prepared | None:
        story = self.newsroom.find(self.outlet.name, path)
        if story is None:
            return None
        revision = story.at(step)
        if revision is None:
            return self._errors[404]
        if revision.status != 200:
            return self._errors[revision.status]
        if self.outage is not None:
            return self._outage_page(story, revision, path, self.outage)
        key = (story.slug, revision.step)
        prepared = self._pages.get(key)
        if prepared is None:
            prepared = self._pages[key] = self._render(story, revision, path)
        return prepared

    def _outage_page(self, story: Story, revision: Revision, path: str, mode: str) -> _Prepared:
        key = (f"{mode}:{story.slug}", revision.step)
        prepared = self._pages.get(key)
        if prepared is None:
            html = render_outage(mode, self.outlet.template, self._page(story, revision, path),
                                 revision)  # fmt: skip
            # no validators: a wall is not the article, a 304 must not stand for it
            prepared = self._pages[key] = _Prepared(
                200, _HTML_TYPE[self.outlet.template], compile_page(html)
            )
        return prepared

    def _page(self, story: Story, revision: Revision, path: str) -> Page:
        nr = self.newsroom
        return Page(
            site=self.outlet.title,
            url=self.base_url + path,
            section=story.section,
            published=nr.published_at(story).isoformat(timespec="seconds"),
            modified=nr.modified_at(story, revision).isoformat(timespec="seconds"),
            charset=self.outlet.charset,
        )

    def _render(self, story: Story, revision: Revision, path: str) -> _Prepared:
        nr = self.newsroom
        modified = nr.modified_at(story, revision)
        page = Page(
            site=self.outlet.title,
            url=self.base_url + path,
            section=story.section,
            published=nr.published_at(story).isoformat(timespec="seconds"),
            modified=modified.isoformat(timespec="seconds"),
            charset=self.outlet.charset,
        )
        html = TEMPLATES[self.outlet.template](page, revision)
        etag = last_modified = None
        if self.outlet.conditional_get:
            # The validators describe the article, not the furniture around it.
            article = "\x1f".join((revision.headline, revision.byline, *revision.paragraphs))
            etag = f'W/"{sha1(article.encode()).hexdigest()[:20]}"'
            last_modified = format_datetime(modified, usegmt=True)
        return _Prepared(
            200, _HTML_TYPE[self.outlet.template], compile_page(html), etag, last_modified
        )

    def _feed(self, path: str, step: int) -> _Prepared | None:
        if not path.endswith((".xml", ".rdf")):
            return None
        key = (path, step)
        if key not in self._feeds:
            self._feeds[key] = self._render_feed(path, step)
        return self._feeds[key]

    def _entries(self, step: int, scripted_only: bool = False) -> list[feeds.Entry]:
        nr = self.newsroom
        return [
            feeds.Entry(
                url=self.base_url + nr.article_path(s),
                title=r.headline,
                summary=r.paragraphs[0] if r.paragraphs else "",
                published=nr.published_at(s),
                modified=nr.modified_at(s, r),
            )
            for s, r in nr.live(self.outlet.name, step)
            if not (scripted_only and s.section == "briefs")
        ]

    def _render_feed(self, path: str, step: int) -> _Prepared | None:
        o, site, url = self.outlet, self.base_url + "/", self.base_url + path
        if o.name == "capitol" and path in ("/rss.xml", "/politics/rss.xml"):
            section = path != "/rss.xml"
            entries = self._entries(step, scripted_only=section)
            text = feeds.rss2(o.title, site, url, entries, tracked=section)
            return _static(text, "application/rss+xml; charset=utf-8")
        if o.name == "harbor" and path == "/atom.xml":
            text = feeds.atom(o.title, site, url, self._entries(step))
            return _static(text, "application/atom+xml; charset=utf-8")
        if o.name == "ledger" and path == "/index.rdf":
            return _static(
                feeds.rdf(o.title, site, url, self._entries(step)), "application/rdf+xml"
            )
        if o.name == "metro":
            return self._sitemap(path, step)
        return None

    def _sitemap(self, path: str, step: int) -> _Prepared | None:
        entries = self._entries(step)
        size = feeds.NEWS_SITEMAP_SIZE
        chunks = [entries[i : i + size] for i in range(0, len(entries), size)] or [[]]
        if path == "/sitemap.xml":
            index = [
                (
                    f"{self.base_url}/sitemaps/news-{k + 1}.xml",
                    max((e.modified for e in c), default=None),
                )
                for k, c in enumerate(chunks)
            ]
            return _static(feeds.sitemap_index(index), "application/xml", validators=True)
        for k, chunk in enumerate(chunks):
            if path == f"/sitemaps/news-{k + 1}.xml":
                text = feeds.news_sitemap(self.outlet.title, chunk)
                return _static(text, "application/xml", validators=True)
        return None


def _static(text: str, content_type: str, *, validators: bool = False) -> _Prepared:
    etag = f'"{sha1(text.encode()).hexdigest()[:20]}"' if validators else None
    return _Prepared(200, content_type, (text,), etag)


def _not_modified(p: _Prepared, headers: Mapping[str, str]) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since; ETags compare weakly."""
    inm = headers.get("If-None-Match")
    if inm is not None:
        if p.etag is None:
            return False
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or p.etag.removeprefix("W/") in tags
    ims = headers.get("If-Modified-Since")
    if ims is None or p.last_modified is None:
        return False
    try:
        return parsedate_to_datetime(p.last_modified) <= parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
