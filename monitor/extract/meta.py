"""Page metadata for the extractor: parsing, JSON-LD, meta tags, bylines.

Helpers of ``monitor.extract.cascade``; every function is pure and tolerant of broken
markup (a missing or malformed piece yields None, never an exception).
"""

from __future__ import annotations

import functools
import html as html_lib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from monitor.extract.dates import parse_date
from monitor.extract.limits import bound_page
from monitor.extract.normalize import clean_text

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "techarticle",
        "scholarlyarticle",
        "report",
    }
)


#: A feed or sitemap served where an article was expected: it has no article.
_NOT_A_PAGE = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<\?[^>]*>\s*)*<(?:rss|feed|rdf:RDF|urlset|sitemapindex)\b",
    re.DOTALL,
)


def parse_html(html: str, *, bounded: bool = False) -> lxml.html.HtmlElement | None:
    """An lxml tree of the page within the page limits (``monitor.extract.limits``:
    no scripts but JSON-LD, no styles, at most so much markup), or None when nothing
    parseable is there. ``bounded``: ``html`` is already ``bound_page``'s markup."""
    if not bounded:
        html = bound_page(html).markup
    if not html or not html.strip() or _NOT_A_PAGE.match(html[:4000].lstrip("\ufeff")):
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError, TypeError):
        return None
    return root if isinstance(root, lxml.html.HtmlElement) else None


BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button"})


def _collect(node: Any, parts: list[str], top: bool) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag not in _SKIP_TAGS and (tag or top):
        block = tag in BLOCK_TAGS
        if block:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        for child in node:
            _collect(child, parts, False)
        if block:
            parts.append(" ")
    if node.tail and not top:
        parts.append(node.tail)


def text_of(element: Any) -> str:
    """Visible text of an element as a reader sees it, whitespace collapsed.

    Inline markup joins without spaces ("<a>Reuters</a>)" stays "Reuters)"),
    block elements and <br> separate words; scripts and styles are skipped.
    """
    if not isinstance(element, etree._Element):
        return ""
    parts: list[str] = []
    try:
        _collect(element, parts, True)
    except (RecursionError, ValueError, TypeError):
        return ""
    return clean_text("".join(parts))


@functools.lru_cache(maxsize=512)
def _compiled(expr: str) -> etree.XPath:
    return etree.XPath(expr)


def xpath(root: Any, expr: str) -> list[Any]:
    """Results of an XPath expression (compiled once per expression), [] on any error."""
    try:
        result = _compiled(expr)(root)
    except (etree.XPathError, TypeError, ValueError):
        return []
    return result if isinstance(result, list) else []


# XPath's translate() as the old query spelled it: ASCII letters only are folded
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def meta_content(root: Any, *names: str) -> str | None:
    """The first non-empty ``content`` of <meta name|property|itemprop=...> among names.

    Names match case-insensitively (ASCII) and within space-separated lists
    (``property="og:title dc:title"``). One walk over the page's <meta> elements
    serves every name: an XPath per name scanned the whole tree each time, and the
    cascade asks for dozens.
    """
    keys = [name.lower().replace("'", "") for name in names]
    wanted = set(keys)
    found: dict[str, str] = {}
    for el in root.iter("meta"):
        tokens = {
            token
            for attr in ("property", "name", "itemprop")
            for token in (el.get(attr) or "").translate(_ASCII_LOWER).split()
        }
        for key in wanted & tokens:
            if key not in found and (value := clean_text(html_lib.unescape(el.get("content") or ""))):
                found[key] = value
        if keys[0] in found:  # the first name wins; no later <meta> can change that
            break
    return next((found[key] for key in keys if key in found), None)


def canonical_url(root: Any, base: str) -> str | None:
    """<link rel="canonical"> resolved against the page URL, else og:url."""
    for link in xpath(root, "//link[@href]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            href = link.get("href", "").strip()
            if href:
                return _absolute(base, href)
    og = meta_content(root, "og:url")
    return _absolute(base, og) if og else None


def amp_url(root: Any, base: str) -> str | None:
    """<link rel="amphtml">: the page's AMP variant, resolved against the page URL."""
    for link in xpath(root, "//link[@href]"):
        if "amphtml" in (link.get("rel") or "").lower().split():
            href = link.get("href", "").strip()
            if href:
                return _absolute(base, href)
    return None


def _absolute(base: str, href: str) -> str | None:
    try:
        url = urljoin(base or "", href.strip())
    except ValueError:
        return None
    return url if url.startswith(("http://", "https://")) else None


# --- JSON-LD ---------------------------------------------------------------


@dataclass(frozen=True)
class LinkedData:
    """What a page's JSON-LD says about its article."""

    headline: str = ""
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    body: str = ""
    #: the page's ``LiveBlogPosting`` object, when it has one (monitor.extract.live)
    live: dict[str, Any] | None = field(default=None, compare=False)


def _load_json(text: str) -> Any:
    text = text.strip()
    # CMSs wrap JSON-LD in CDATA or comments, or leave trailing semicolons.
    text = re.sub(r"^\s*(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)\s*$", "", text).strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return None


def _walk(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 8:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in node:
                yield from _walk(node[key], depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower().rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def _str(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    return clean_text(html_lib.unescape(value)) if isinstance(value, str) else ""


def _names(value: Any, index: dict[str, dict[str, Any]], depth: int = 0) -> list[str]:
    if depth > 4 or value is None:
        return []
    if isinstance(value, list):
        return [n for v in value for n in _names(v, index, depth + 1)]
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if "name" not in value and isinstance(value.get("@id"), str):
            value = index.get(value["@id"], value)
        name = value.get("name")
        if isinstance(name, list):
            return [n for n in name if isinstance(n, str)]
        if isinstance(name, str):
            return [name]
    return []


def linked_data(root: Any) -> LinkedData | None:
    """The richest Article-like object in the page's JSON-LD, or None."""
    nodes: list[dict[str, Any]] = []
    for script in xpath(root, "//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        nodes.extend(_walk(_load_json(script.text or "")))
    index = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    articles = [n for n in nodes if _types(n) & ARTICLE_TYPES]
    if not articles:
        return None
    best = max(
        articles, key=lambda n: (bool(n.get("headline")), len(str(n.get("articleBody", ""))))
    )
    authors: list[str] = []
    for name in _names(best.get("author") or best.get("creator"), index):
        name = clean_byline(name)
        if name and name not in authors and not name.startswith(("http://", "https://")):
            authors.append(name)
    body = best.get("articleBody")
    return LinkedData(
        headline=_str(best.get("headline") or best.get("name")),
        authors=tuple(authors),
        published=_str(best.get("datePublished") or best.get("dateCreated")) or None,
        modified=_str(best.get("dateModified")) or None,
        body=html_lib.unescape(body) if isinstance(body, str) else "",
        live=next((n for n in articles if "liveblogposting" in _types(n)), None),
    )


# --- bylines ----------------------------------------------------------------

_BY_PREFIX = re.compile(
    r"^(?:(?:written|reported|posted|words|story|text|interview)\s+)?"
    r"(?:by|par|von|por|door)\s*[:\s]\s*",
    re.IGNORECASE,
)
_BY_TAIL = re.compile(
    r"\s*(?:[|•·]|\s[-–—]\s|,?\s+(?:updated|published|posted|last\s+updated)\b|"
    r",\s*(?:\d|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|"
    r"nov|dec)|\s+\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\s+on\s+\w+day\b|"
    r"\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\d{4}-\d\d).*$",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r",\s*(?:[\w'-]+\s+){0,3}(?:correspondent|reporter|editor|writer|columnist|contributor|"
    r"producer|journalist|analyst|critic|photographer)s?\b.*$|\s+(?:is|was)\s+(?:a|an|the)\s+.*$",
    re.IGNORECASE,
)
_SPLIT_AUTHORS = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*", re.IGNORECASE)


def clean_byline(raw: str) -> str:
    """One author string as a reader sees it: no "By", no role, date or "Updated" tail."""
    text = clean_text(html_lib.unescape(raw or ""))
    if "@" in text and " " not in text:  # a bare e-mail address
        return ""
    text = _BY_PREFIX.sub("", text)
    text = _BY_TAIL.sub("", text)
    text = _ROLE.sub("", text)
    return text.strip(" ,;:-–—|")


def join_authors(names: list[str]) -> str:
    """Several authors joined with ", " (the one rule everywhere), duplicates dropped.

    "A and B" inside one string is split too, so "By A and B" and two separate
    author tags give the same byline.
    """
    seen: list[str] = []
    for name in names:
        for part in _SPLIT_AUTHORS.split(clean_byline(name)):
            part = part.strip(" .,;:")
            if part and len(part) <= 80 and part.casefold() not in {s.casefold() for s in seen}:
                seen.append(part)
    return ", ".join(seen)


# --- dates -------------------------------------------------------------------


def page_language(root: Any) -> str | None:
    """The page's language tag ("de-DE"), from <html lang>, Content-Language or og:locale."""
    for value in (
        root.get("lang") if isinstance(root, etree._Element) else None,
        next((el.get("lang") for el in xpath(root, "//html[@lang]")), None),
        next((el.get("content") for el in xpath(root, _CONTENT_LANGUAGE)), None),
        meta_content(root, "og:locale"),
    ):
        if value and re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", value.strip()):
            return value.strip()
    return None


_CONTENT_LANGUAGE = (
    "//meta[translate(@http-equiv, 'CONTENT-LANGUAGE', 'content-language')='content-language']"
)
# Elements that show an article's date to readers, inside the story (rails and footers
# list other stories' dates).
_VISIBLE_DATES = (
    "(//article | //main | //header)//*[self::time[not(@datetime)] or "
    "contains(translate(@class, 'DATEPUBLISHIMS', 'datepublishims'), 'date') or "
    "contains(translate(@class, 'DATEPUBLISHIMS', 'datepublishims'), 'publish') or "
    "contains(translate(@class, 'TIMESTAMP', 'timestamp'), 'timestamp') or "
    "contains(@class, 'dateline')][not(ancestor::aside or ancestor::nav or ancestor::footer)]"
)
# A date shown after one of these words is when the story was changed, not published.
_UPDATED_FIRST = re.compile(
    r"^\W*(?:last\s+)?(?:updated|modified|aktualisiert|geändert|mis\s+à\s+jour|modifié|"
    r"actualizado|actualizada|更新)",
    re.IGNORECASE,
)


def visible_date(root: Any) -> str | None:
    """The publication date the story shows its readers, read as ISO 8601 in the page's
    language, when every date element inside the story agrees on it (see
    monitor.extract.dates)."""
    found: list[str] = []
    elements = xpath(root, _VISIBLE_DATES)
    language = page_language(root) if elements else None
    for el in elements:
        text = text_of(el)
        if not text or len(text) > 160 or _UPDATED_FIRST.match(text):
            continue
        value = parse_date(text, language)
        if value and value not in found:
            found.append(value)
    return found[0] if len(found) == 1 else None
