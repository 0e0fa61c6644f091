"""Where the fast path reads an article's byline: the elements a byline is pinned to,
unless the digest has it already (an outlet selector, the page's metadata, a region).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lxml import etree

from monitor.extract.cascade import _BYLINE_XPATHS, read_byline
from monitor.extract.meta import LinkedData, clean_byline, linked_data, parse_html, text_of, xpath
from monitor.extract.normalize import clean_text
from monitor.extract.pagefacts import META_KEY, page_facts
from monitor.extract.regiontext import (
    UNREAD,
    ReadMemo,
    Step,
    lines_of,
    loose,
    steps_to,
    within,
)
from monitor.models import Article

#: at most this many byline elements are pinned (as many as regions)
MAX_PINS = 8
_WORD = re.compile(r"\w{2,}")
_TEXT_WITH = etree.XPath("//body//text()[contains(., $w)][not(ancestor::script)]")


def _byline_element(root: Any, names: Sequence[str]) -> Any | None:
    """The innermost element whose text holds every one of ``names`` (give or take a "By",
    an "and" between names, a date, dots and spacing), found from the text nodes
    holding a word of the first: far cheaper than reading every element's text."""
    keys = [key for n in names if (key := loose(n))]
    limit = 4 * sum(len(k) for k in keys) + 200
    for word in _WORD.findall(names[0])[:3]:
        for hit in _TEXT_WITH(root, w=word):
            el = hit.getparent()
            el = el.getparent() if hit.is_tail and el is not None else el
            while el is not None and el.tag != "body":
                text = loose(el.text_content())
                if len(text) > limit:
                    break
                if all(k in text for k in keys):
                    return el
                el = el.getparent()
    return None


def _metadata_byline(root: Any) -> str:
    """The byline the cascade reads from the hashed metadata alone (JSON-LD and <meta>
    tags), or "" when it would go on to the page's elements."""
    mini = parse_html("<html><head></head><body></body></html>")
    for el in root.iter("meta", "script"):
        key = " ".join(el.get(a, "") for a in ("name", "property", "itemprop"))
        if (el.tag == "meta" and META_KEY.search(key)) or (
            el.tag == "script" and "ld+json" in (el.get("type") or "").lower()
        ):
            mini[0].append(copy.deepcopy(el))
            mini[0][-1].tail = None
    return clean_text(read_byline(mini, linked_data(mini) or LinkedData(), {}, "", ""))


def byline_pins(
    root: Any,
    article: Article,
    regions: list[Any],
    keep: list[str],
    selectors: Mapping[str, str],
    gone: list[str],
    memo: ReadMemo,
) -> list[list[Step]] | str:
    """Steps to the elements the byline may be read from, none where the digest has it
    already (an outlet selector, the metadata, a region); or why it cannot be pinned.

    For each name: every element the cascade's byline XPaths match that holds it (the
    cascade joins up to four, from copies anywhere on the page), else the first element
    holding it (a byline the generic extractor found), else the page's metadata.
    """
    if not article.byline or selectors.get("byline"):
        return []
    if not gone and _metadata_byline(root) == article.byline:
        return []
    names = [n for n in article.byline.split(", ") if loose(n)]
    sources = _byline_sources(root, names)
    texts = [loose(" ".join(lines_of(r, keep, memo))) for r in regions]
    pins: list[list[Step]] = []
    for name in names:
        found = sources[name] or [e for e in [_byline_element(root, [name])] if e is not None]
        if not found and loose(name) not in loose("\n".join(page_facts(root, selectors))):
            return "byline not pinned to an element or the metadata"
        for el in found:
            if not any(
                _read_in(el, r, t, name, memo) for r, t in zip(regions, texts, strict=True)
            ):
                pins += [] if (steps := steps_to(el)) in pins else [steps]
    return pins if len(pins) <= MAX_PINS else "byline in too many places"


def _byline_sources(root: Any, names: list[str]) -> dict[str, list[Any]]:
    """For each name, the elements the cascade's byline XPaths match whose text holds it."""
    found: dict[str, list[Any]] = {name: [] for name in names}
    for el in (el for expr in _BYLINE_XPATHS for el in xpath(root, expr)):
        text = clean_byline(text_of(el))
        for name in names:
            if 0 < len(text) < 100 and loose(name) in loose(text) and el not in found[name]:
                found[name].append(el)
    return found


def _read_in(el: Any, region: Any, text: str, name: str, memo: ReadMemo) -> bool:
    """Whether the digest reads ``el`` as part of ``region``'s lines (``text``, loose)."""
    if not within(el, region) or loose(name) not in text:
        return False
    doomed = memo.doomed(region)
    return not any(x in doomed or x.tag in UNREAD for x in (el, *el.iterancestors()))


