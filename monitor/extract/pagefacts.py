"""What the extraction cascade reads outside the article body, as the fast path
hashes it: JSON-LD, ``<title>``, headline, author and site-name ``<meta>`` tags, the h1s
the title could be, the publication time and the outlet's selector matches. A change to
any of them changes the fingerprint (:mod:`monitor.extract.fingerprint`).
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lxml import etree

from monitor.extract.body import select
from monitor.extract.cascade import PUBLISHED_METAS, _tokens
from monitor.extract.meta import LinkedData, linked_data, meta_content, text_of
from monitor.extract.normalize import canonical_time

# <meta> tags the cascade reads the title (and the site name it strips) and byline from.
META_KEY = re.compile(r"title|headline|author|creator|byl|site|application-name|app_name", re.I)
_TITLE_KEY = re.compile(r"title|headline", re.I)

_DATED = etree.XPath("//*[@itemprop='datePublished']")  # compiled once, not per call

def page_facts(root: Any, selectors: Mapping[str, str], gone: Sequence[str] = ()) -> list[str]:
    """What the cascade reads title, byline and publication time from outside the body:
    JSON-LD (and what ``remove`` took of it), ``<title>``, the headline, author and
    site-name ``<meta>`` tags, the h1s the title could be, the publication time and the
    outlet's selector matches."""
    facts, named, keys = [*gone], [], []
    for el in root.iter("title", "meta", "script"):
        key = " ".join(el.get(a, "") for a in ("name", "property", "itemprop"))
        if el.tag == "title":
            named.append(text_of(el))
            facts.append(f"title {named[-1]}")
        elif el.tag == "script" and "ld+json" in (el.get("type") or "").lower():
            facts.append(f"ld {el.text or ''}")
        elif el.tag == "meta" and META_KEY.search(key):
            facts.append(f"meta {key}={el.get('content', '')}")
            if _TITLE_KEY.search(key):
                named.append(html_lib.unescape(el.get("content", "")))
        keys.append(key.lower() if el.tag == "meta" else "")
    ld = linked_data(root)
    facts += _h1_facts(root, [*named, ld.headline if ld else ""])
    dated = any(name in key for key in keys for name in PUBLISHED_METAS)
    facts += _published(root, ld, selectors, bool(gone), dated)
    for name in ("title", "byline", "published", "modified"):
        if selectors.get(name):
            facts.extend(f"{name} {text_of(el)}" for el in select(root, selectors[name]))
    return facts


def _h1_facts(root: Any, named: list[str]) -> list[str]:
    """The h1s the cascade's title could be: with a headline named in the metadata or
    <title>, only h1s sharing most of their words with one (extract._title takes an h1
    "similar" to a name stripped of the site's name), else all."""
    names = [set(_tokens(n)) for n in named if n]
    facts = []
    for el in root.iter("h1"):
        words = set(_tokens(text := text_of(el)))
        if not names or (words and any(len(words & n) >= 0.6 * len(words) for n in names)):
            story = el.get("itemprop") == "headline" or any(
                a.tag in ("article", "main") for a in el.iterancestors()
            )
            facts.append(f"h1 {story} {text}")
    return facts


def _published(
    root: Any, ld: LinkedData | None, selectors: Mapping[str, str], gone: bool, dated: bool
) -> list[str]:
    """The publication time as the cascade reads it when JSON-LD or a <meta> gives it (a
    re-formatted stamp or a rail's dates then change nothing), else every element its
    microdata fallback could read it from. ``dated``: a <meta> may name the time."""
    if not selectors.get("published") and not gone:
        value = ld.published if ld else None
        value = value or (meta_content(root, *PUBLISHED_METAS) if dated else None)
        if value:
            return [f"published {canonical_time(value)}"]
    facts = [f"time {el.get('datetime', '')} {el.get('pubdate', '-')}" for el in root.iter("time")]
    return facts + [f"microdata {el.get('datetime') or el.get('content')}" for el in _DATED(root)]


