"""HTML → Article: outlet selectors, then JSON-LD, then a generic extractor.

Each field is taken from the most trustworthy stage that has it, so a page may
get its title from its ``<h1>``, its byline from JSON-LD and its body from
trafilatura. ``Article.extractor`` names the stage that produced the body.
Pure and total: any ``str`` in, an ``Article`` out (garbage gives an empty one).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from monitor.extract.body import (
    generic_author,
    generic_body,
    jsonld_body,
    prune_furniture,
    recover_dropped,
    remove_elements,
    select,
    selector_body,
)
from monitor.extract.dates import machine_time, parse_date
from monitor.extract.limits import PAGE_CUT, bound_page
from monitor.extract.live import live_blog
from monitor.extract.meta import (
    LinkedData,
    amp_url,
    canonical_url,
    clean_byline,
    join_authors,
    linked_data,
    meta_content,
    page_language,
    parse_html,
    text_of,
    visible_date,
    xpath,
)
from monitor.extract.normalize import clean_text
from monitor.models import Article

#: Names the extraction rules (cascade, title and byline choice, body pruning, and
#: normalize). Change it whenever the same page may come out differently: a stored
#: version read under other rules is then checked against its own snapshot before a
#: difference is recorded as an edit (monitor.pipeline.reread).
# 2026-12-06: pages decoded again (a declared charset read leniently before detection),
# article limits (monitor.extract.limits); dates in de/fr/es/ja read (monitor.extract.dates)
# 2026-12-06b: live blogs read as a summary and posts, newest first (monitor.extract.live)
EXTRACTION_RULES = "2026-12-06b"

#: A JSON-LD articleBody shorter than this share of the generic text is a teaser.
JSONLD_MIN_SHARE = 0.6

_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•»«/:]{1,2}|::)\s+")
_WORD = re.compile(r"\w+")


def extract(html: str, url: str, selectors: Mapping[str, str] | None = None) -> Article:
    """Read the article off a page. Unreadable input gives ``Article("")``; nothing a page
    holds makes it raise. A library that cannot be imported (a broken install) does."""
    try:
        return _extract(html, url or "", dict(selectors or {}))
    except ImportError:
        raise  # a broken installation, not a broken page: say so rather than read nothing
    except Exception:  # the contract is totality: a broken page is data, not a crash
        return Article(title="")


def _extract(html: str, url: str, selectors: dict[str, str]) -> Article:
    if not isinstance(html, str):
        return Article(title="")
    # the page within the limits, so a hostile page costs a bounded tree (limits.py)
    page = bound_page(html)
    html = page.markup
    root = parse_html(html, bounded=True)
    if root is None:
        return Article(title="")
    ld = linked_data(root) or LinkedData()
    if selectors.get("remove"):
        remove_elements(root, selectors["remove"])
    prune_furniture(root)
    extractor, body = _body(root, html, url, selectors, ld)
    title = read_title(root, ld, selectors, url)
    # the headline is often inside the article container; it is not a paragraph
    body = tuple(p for p in body if p != title)
    # posts repeating the headline are dropped by normalize, which keeps the post ranges
    live = live_blog(root, body, ld.live)
    if live is not None:
        body = live[0]
    return Article(
        title=title,
        byline=read_byline(root, ld, selectors, html, url),
        body=body,
        published_at=read_time(root, selectors.get("published"), ld.published, PUBLISHED_METAS),
        modified_at=read_time(root, selectors.get("modified"), ld.modified, MODIFIED_METAS),
        canonical_url=canonical_url(root, url),
        amp_url=amp_url(root, url),
        extractor=extractor,
        cut=(PAGE_CUT,) if page.cut else (),
        live=live[1] if live is not None else None,
    )


# --- body --------------------------------------------------------------------


def _body(
    root: Any, html: str, url: str, selectors: dict[str, str], ld: LinkedData
) -> tuple[str, tuple[str, ...]]:
    if selectors.get("body"):
        body = selector_body(root, selectors["body"])
        if body:
            return "outlet", body
    # trafilatura must see the tree with the furniture pruned
    generic = recover_dropped(root, generic_body(root, url))
    if ld.body:
        from_ld = jsonld_body(root, ld.body)
        if from_ld and _chars(from_ld) >= JSONLD_MIN_SHARE * _chars(generic):
            return "jsonld", from_ld
    return "generic", generic


def _chars(body: tuple[str, ...]) -> int:
    return sum(len(p) for p in body)


# --- title -------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _similar(a: str, b: str) -> bool:
    """Loose headline equality: most words shared, in either direction."""
    ta, tb = set(_tokens(a)), set(_tokens(b))
    if not ta or not tb:
        return False
    return len(ta & tb) / max(len(ta), len(tb)) >= 0.6


def _site_names(root: Any, url: str) -> list[str]:
    names = [
        meta_content(root, "og:site_name", "application-name", "twitter:site", "al:ios:app_name")
        or ""
    ]
    for el in xpath(root, "//script[contains(@type,'ld+json')]"):
        names.extend(
            re.findall(r'"publisher"\s*:\s*\{[^{}]*?"name"\s*:\s*"([^"]+)"', el.text or "")
        )
    names.extend(_host_names(url))
    return [n.lstrip("@") for n in names if n and n.strip()]


#: Second-level labels under a country code that are not the site's own name ("co.uk").
_GENERIC_SLD = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or", "go"})


def _host_names(url: str) -> list[str]:
    """The site's names in its host: the first label and the registrable one.

    "en.wikipedia.org" is Wikipedia and "news.bbc.co.uk" is BBC, not "en" or "news".
    """
    host = re.sub(r"^(?:https?://)?(?:www\d?\.|m\.)?", "", url.casefold()).split("/")[0]
    labels = [label for label in host.split(":")[0].split(".") if label]
    if len(labels) < 2 or labels[-1].isdigit():  # an IP address names no site
        return labels[:1]
    cut = -3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _GENERIC_SLD else -2
    return list(dict.fromkeys([labels[0], labels[cut]]))


def _is_site(segment: str, sites: list[str]) -> bool:
    squashed = "".join(_tokens(segment))
    if not squashed:
        return True
    for site in sites:
        s = "".join(_tokens(site))
        if not s:
            continue
        # "The Guardian" for "Guardian", "eHow.com" for "eHow"; never a whole
        # headline that merely mentions the site
        if squashed == s or (len(s) >= 4 and squashed in s):
            return True
        if len(s) >= 4 and s in squashed and len(squashed) <= 1.5 * len(s) + 4:
            return True
    return False


def strip_site_name(title: str, sites: list[str]) -> str:
    """A <title>/og:title without the site name ("Headline | Site", "Site - Headline")."""
    title = clean_text(title)
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    kept = list(parts)
    while len(kept) > 1 and _is_site(kept[-1], sites):
        kept.pop()
    while len(kept) > 1 and _is_site(kept[0], sites):
        kept.pop(0)
    if len(kept) == len(parts):
        return title
    # rejoin with the page's own separators so a headline with a dash stays whole
    start = title.find(kept[0])
    end = title.rfind(kept[-1]) + len(kept[-1])
    return title[start:end] if 0 <= start < end else " ".join(kept)


#: Metadata naming the article's headline, most trusted first. "dc.title" is the
#: Dublin Core spelling most CMSs emit; a bare "headline" meta (name or itemprop)
#: is older newspaper markup. Only these, h1s and <title> are read: the fast path
#: fingerprints exactly those to tell that a title cannot have changed.
_TITLE_METAS = (
    ("og:title",),
    ("dc:title", "dc.title"),
    ("twitter:title",),
    ("headline",),
    ("parsely-title",),
)


def _h1s(root: Any) -> list[str]:
    """Texts of the page's h1s, those inside the article or main region first.

    Pages often carry a section label or the logo in an h1 above the story; the
    headline is the h1 in the story's own container.
    """
    inside: list[str] = []
    outside: list[str] = []
    for el in xpath(root, "//h1"):
        text = text_of(el)
        if not text or len(text) > 400:
            continue
        in_story = el.get("itemprop") == "headline" or any(
            a.tag in ("article", "main") for a in el.iterancestors()
        )
        (inside if in_story else outside).append(text)
    return inside + outside


def read_title(root: Any, ld: LinkedData, selectors: dict[str, str], url: str) -> str:
    if selectors.get("title"):
        chosen = next((t for el in select(root, selectors["title"]) if (t := text_of(el))), "")
        if chosen:
            return chosen
    sites = _site_names(root, url)
    named = [ld.headline] + [meta_content(root, *names) or "" for names in _TITLE_METAS]
    title_tag = next((t for el in xpath(root, "//title") if (t := text_of(el))), "")
    # the <title> is weaker evidence than metadata that names the headline: it is
    # often "Section | Site" and matches a section-label h1
    tiers = [
        [strip_site_name(t, sites) for t in dict.fromkeys(named) if t],
        [strip_site_name(title_tag, sites)] if title_tag else [],
    ]
    h1s = _h1s(root)
    for metas in tiers:
        for h1 in h1s:
            if any(_similar(h1, m) for m in metas):
                return h1
    fallback = [m for metas in tiers for m in metas]
    if fallback:
        return fallback[0]
    return h1s[0] if h1s else ""


# --- byline ------------------------------------------------------------------

_BYLINE_XPATHS = (
    "//*[@rel='author' or contains(concat(' ', @rel, ' '), ' author ')]",
    "//*[@itemprop='author']//*[@itemprop='name']"
    " | //*[@itemprop='author' and not(.//*[@itemprop='name'])]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')"
    " or contains(@class, 'byline__name') or contains(@class, 'author-name')"
    " or contains(@class, 'byline-name') or contains(@class, 'author_name')]",
    "//*[contains(@class, 'byline') or contains(@id, 'byline')]",
)


def read_byline(root: Any, ld: LinkedData, selectors: dict[str, str], html: str, url: str) -> str:
    if selectors.get("byline"):
        found = join_authors([text_of(el) for el in select(root, selectors["byline"])])
        if found:
            return found
    if ld.authors:
        found = join_authors(list(ld.authors))
        if found:
            return found
    meta = meta_content(
        root,
        "dc:creator",
        "dc.creator",
        "author",
        "article:author",
        "parsely-author",
        "sailthru.author",
        "byl",
    )
    if meta and not meta.startswith(("http://", "https://")):
        found = join_authors([meta])
        if found:
            return found
    for expr in _BYLINE_XPATHS:
        texts = [t for el in xpath(root, expr) if (t := clean_byline(text_of(el))) and len(t) < 100]
        found = join_authors(texts[:4])
        if found:
            return found
    return join_authors([generic_author(html, url)])


# --- dates -------------------------------------------------------------------

PUBLISHED_METAS = (
    "article:published_time",
    "og:published_time",
    "article_published_time",
    "dc.date.issued",
    "dcterms.created",
    "pubdate",
    "publishdate",
    "publish-date",
    "sailthru.date",
    "parsely-pub-date",
)
MODIFIED_METAS = ("article:modified_time", "og:updated_time", "dcterms.modified", "last_updated_date")


def read_time(
    root: Any, selector: str | None, from_ld: str | None, metas: tuple[str, ...]
) -> str | None:
    """The article's publication (or modification) time: the outlet's selector, JSON-LD,
    meta tags, microdata, ``<time>``, and for publication the date shown in the story.

    A value written for people ("4. März 2024, 10:30 Uhr") is read into ISO 8601 in
    the page's language (monitor.extract.dates); ``normalize`` then makes it UTC. A
    value neither machine- nor human-readable is kept as given.
    """
    found = _time_value(root, selector, from_ld, metas)
    if found is not None:  # the page's language only when it is needed (it costs a look)
        return found if machine_time(found) else parse_date(found, page_language(root)) or found
    if metas is PUBLISHED_METAS:
        return visible_date(root)
    return None


def _time_value(
    root: Any, selector: str | None, from_ld: str | None, metas: tuple[str, ...]
) -> str | None:
    if selector:
        for el in select(root, selector):
            value = el.get("datetime") or el.get("content") or text_of(el)
            if value and value.strip():
                return clean_text(value)
    if from_ld:
        return from_ld
    value = meta_content(root, *metas)
    if value:
        return value
    prop = "datePublished" if metas is PUBLISHED_METAS else "dateModified"
    # microdata: sidebars list related stories with their own dates, so a
    # <time pubdate> or a single page-wide value is needed to be sure
    stamps = [
        v.strip()
        for el in xpath(root, f"//*[@itemprop='{prop}']")
        if (v := el.get("datetime") or el.get("content") or "").strip()
    ]
    pubdate = [el.get("datetime") for el in xpath(root, "//time[@pubdate and @datetime]")]
    if metas is PUBLISHED_METAS and pubdate and pubdate[0].strip():
        return clean_text(pubdate[0])
    if len(set(stamps)) == 1:
        return stamps[0]
    if metas is PUBLISHED_METAS:
        for el in xpath(root, "//article//time[@datetime] | //time[@datetime]"):
            if el.get("datetime", "").strip():
                return clean_text(el.get("datetime"))
    return None
