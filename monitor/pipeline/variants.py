"""Page variants and canonical pages (pure; the fetch is monitor.pipeline.gather's).

An AMP page (``/amp``, ``?outputType=amp``, ``amp.`` hosts), a mobile host (``m.``,
``mobile.``) or a print view is one article with its canonical page, and it reads
differently (AMP drops paragraphs and embeds). So on an article's first check the
canonical page is found, fetched and read, and the article is keyed to it: its
versions are always read from the canonical page, and a variant added after its
canonical article is that article, unchanged.

A page's ``rel=canonical`` is adopted only when it resolves on the same site, is not
the site's homepage, answers, and serves the same article (``same_article``). A broken
one (a bare number, a 404, another article, the homepage) is ignored: a variant then
falls back to its URL without the variant marks, and any other page keeps the URL
that works.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urlsplit, urlunsplit

from monitor.compare.signals import letters_key
from monitor.errors import BadURL
from monitor.models import Article
from monitor.urls import canonicalize_url, same_site

#: Share of the variant's paragraphs the canonical page must hold when the titles differ.
SAME_BODY_SHARE = 0.5
_VARIANT_SEGMENT = re.compile(r"^(?:amp|print|printable|mobile)$", re.IGNORECASE)
_VARIANT_PARAMS = frozenset({"outputtype", "amp", "print", "view", "output", "format", "mode"})
_VARIANT_VALUES = frozenset({"amp", "print", "printable", "1", "true", "mobile"})
_VARIANT_HOSTS = ("m.", "mobile.", "amp.", "print.")


def is_variant(url: str) -> bool:
    """True for an AMP, mobile or print address (by its shape alone)."""
    return unvaried(url) != urlunsplit(urlsplit(url)._replace(fragment=""))


def unvaried(url: str) -> str:
    """``url`` without its variant marks: the address its canonical page usually has."""
    parts = urlsplit(url)
    host = parts.netloc
    for prefix in _VARIANT_HOSTS:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    segments = parts.path.split("/")
    trailing = parts.path.endswith("/")
    kept = [s for s in segments if not _VARIANT_SEGMENT.match(s)]
    path = "/".join(kept) or "/"
    if trailing and not path.endswith("/"):
        path += "/"
    path = re.sub(r"[./-]amp(?=\.html?$)|\.amp$", "", path)  # story.amp.html, story.amp
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _variant_param(pair))
    return urlunsplit((parts.scheme, host, path, query, ""))


def _variant_param(pair: str) -> bool:
    name, _, value = pair.partition("=")
    name, value = name.lower(), value.lower()
    return name in _VARIANT_PARAMS and (value in _VARIANT_VALUES or name == "outputtype")


def candidates(url: str, declared: str | None) -> list[str]:
    """Where the canonical page of ``url`` may be, most trusted first."""
    found: list[str] = []
    if declared and declared.strip():
        try:
            candidate = canonicalize_url(declared, base=url)
        except BadURL:
            candidate = None
        if candidate and same_site(url, candidate) and not _homepage(candidate, url):
            found.append(candidate)
    if is_variant(url):
        with contextlib.suppress(BadURL):  # a variant mark that leaves no URL
            found.append(canonicalize_url(unvaried(url)))
    return [c for c in dict.fromkeys(found) if c != url]


def _homepage(candidate: str, url: str) -> bool:
    """A canonical pointing at the site's front page (a template default), unless the
    tracked page is a front page itself."""
    return urlsplit(candidate).path in ("", "/") and urlsplit(url).path not in ("", "/")


def same_article(page: Article, canonical: Article) -> bool:
    """Whether ``canonical`` serves the article read from ``page``: the same headline,
    or most of the page's paragraphs."""
    if not canonical.body and not canonical.title:
        return False
    if _similar(page.title, canonical.title):
        return True
    mine = [k for p in page.body if (k := letters_key(p))]
    if not mine:
        return False
    theirs = {letters_key(p) for p in canonical.body}
    return sum(k in theirs for k in mine) >= SAME_BODY_SHARE * len(mine)


_WORD = re.compile(r"\w+")


def _similar(a: str, b: str) -> bool:
    """Most headline words shared, in either direction."""
    ta, tb = set(_WORD.findall(a.casefold())), set(_WORD.findall(b.casefold()))
    return bool(ta and tb) and len(ta & tb) / max(len(ta), len(tb)) >= 0.6
