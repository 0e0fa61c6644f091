"""Read an edited article straight from the region the fast path located.

When the fast path finds the article's region on a page but its digest differs
(a real edit), the cascade would run trafilatura over the whole page again. On
a page whose layout the fingerprint has vouched for, the new body can instead be
read from the region's paragraph elements, and the title, byline and dates with
the cascade's own functions on the same, already parsed tree.

The shortcut is learned, never assumed: when a fingerprint is taken,
:func:`learn` reads the body this way and keeps a rule only when it equals the
full cascade's body exactly, from the same extractor stage (every other field is
read by the cascade's own functions anyway). A later :func:`read` gives up
(returns None, and the cascade runs) whenever the page no longer looks like the
one the rule was learned on: a paragraph from an element kind not seen then,
a line in the region that is neither a paragraph nor one seen then, a paragraph
count far from the learned one, a JSON-LD body that could now win or lose
against the markup, or a region that page-wide furniture pruning removes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from monitor.extract.body import jsonld_body, prune_furniture, selector_body
from monitor.extract.cascade import (
    JSONLD_MIN_SHARE,
    MODIFIED_METAS,
    PUBLISHED_METAS,
    read_byline,
    read_time,
    read_title,
)
from monitor.extract.meta import LinkedData, amp_url, canonical_url, linked_data, text_of
from monitor.extract.normalize import is_furniture, normalize
from monitor.models import Article

# The paragraph elements the region read takes, outermost first (extract_body's blocks).
_BLOCKS = ("p", "h2", "h3", "h4", "li", "blockquote", "pre")
# A JSON-LD body this close to the markup's length could flip the cascade's choice.
_JSONLD_MARGIN = 0.8 * JSONLD_MIN_SHARE


@dataclass(frozen=True)
class _Reading:
    article: Article
    #: "tag.class" of every element a body paragraph came from
    kinds: frozenset[str]
    #: region lines that are not body text, title or byline
    extras: frozenset[str]


def _outermost_blocks(region: Any) -> list[Any]:
    if region.tag in _BLOCKS:
        return [region]
    found = []
    for el in region.iter(*_BLOCKS):
        parent = el.getparent()
        while parent is not None and parent is not region and parent.tag not in _BLOCKS:
            parent = parent.getparent()
        if parent is region:
            found.append(el)
    return found


def _markup_body(region: Any) -> tuple[tuple[str, ...], frozenset[str]]:
    """extract_body.paragraphs() over the region's outermost blocks, and their kinds.

    text_of already gives clean text, so the cleaning pass of paragraphs() is skipped.
    """
    out: list[str] = []
    kinds = set()
    for el in _outermost_blocks(region):
        text = text_of(el)
        if not text or is_furniture(text):
            continue
        kinds.add(f"{el.tag}.{el.get('class', '')}")
        if not out or out[-1] != text:
            out.append(text)
    return tuple(out), frozenset(kinds)


def _chars(body: tuple[str, ...]) -> int:
    return sum(len(p) for p in body)


def _body(
    root: Any, region: Any, extractor: str, selectors: Mapping[str, str], ld: LinkedData
) -> tuple[tuple[str, ...], frozenset[str]] | None:
    if extractor == "outlet":
        # The cascade's own first stage: exact, whatever the region holds.
        body = selector_body(root, selectors.get("body"))
        return (body, frozenset()) if body else None
    if selectors.get("body") and selector_body(root, selectors["body"]):
        return None  # the outlet's selector now finds the body: the cascade would use it
    body, kinds = _markup_body(region)
    from_ld = jsonld_body(root, ld.body) if ld.body else ()
    if extractor == "jsonld":
        return (body, kinds) if from_ld and from_ld == body else None
    if extractor == "generic" and (not from_ld or _chars(from_ld) < _JSONLD_MARGIN * _chars(body)):
        return body, kinds
    return None


def _attached(root: Any, el: Any) -> bool:
    return el is root or any(a is root for a in el.iterancestors())


def _read_body(
    root: Any, region: Any, extractor: str, selectors: Mapping[str, str]
) -> tuple[LinkedData, tuple[str, ...], frozenset[str]] | None:
    """JSON-LD, then the body as ``extractor`` reads it from ``region``; prunes ``root``
    exactly as the cascade does before reading."""
    ld = linked_data(root) or LinkedData()
    prune_furniture(root)
    if not _attached(root, region):
        return None
    found = _body(root, region, extractor, selectors, ld)
    if found is None or not found[0]:
        return None
    return ld, *found


def _extras(lines: tuple[str, ...] | list[str], article: Article) -> frozenset[str]:
    text = "\n".join(article.body)
    known = {article.title, article.byline}
    return frozenset(line for line in lines if line not in known and line not in text)


def _read(
    root: Any,
    region: Any,
    lines: tuple[str, ...] | list[str],
    extractor: str,
    selectors: Mapping[str, str],
    url: str,
    html: str,
) -> _Reading | None:
    """The article as the cascade reads it, but with the body taken from ``region``.

    Title, byline, dates and canonical URL come from the cascade's own functions on
    a tree in the state the cascade leaves it (``remove`` applied, furniture pruned).
    """
    found = _read_body(root, region, extractor, selectors)
    if found is None:
        return None
    ld, body, kinds = found
    if ld.live is not None:
        return None  # a live blog is read as summary plus posts: the cascade does that
    sel = dict(selectors)
    title = read_title(root, ld, sel, url)
    article = normalize(
        Article(
            title=title,
            byline=read_byline(root, ld, sel, html, url),
            body=tuple(p for p in body if p != title),
            published_at=read_time(root, sel.get("published"), ld.published, PUBLISHED_METAS),
            modified_at=read_time(root, sel.get("modified"), ld.modified, MODIFIED_METAS),
            canonical_url=canonical_url(root, url),
            amp_url=amp_url(root, url),
            extractor=extractor,
        )
    )
    return _Reading(article, kinds, _extras(lines, article))


def learn(
    root: Any,
    region: Any,
    lines: tuple[str, ...] | list[str],
    article: Article,
    selectors: Mapping[str, str],
) -> dict[str, Any] | None:
    """The region-read rule for this page, or None when the body read from the region
    is not exactly ``article.body`` (the full cascade's normalized result).

    Only the body needs checking: :func:`read` takes every other field with the
    cascade's own functions. Mutates ``root`` (furniture pruning); call it last.
    """
    if article.extractor not in ("outlet", "generic", "jsonld"):
        return None
    try:
        found = _read_body(root, region, article.extractor, selectors)
    except Exception:  # no rule only means the cascade runs on the next edit
        return None
    if found is None:
        return None
    _, body, kinds = found
    # as normalize() drops it: the paragraphs are clean and furniture-free already
    if tuple(p for p in body if p != article.title) != article.body:
        return None
    return {
        "extractor": article.extractor,
        "kinds": sorted(kinds),
        "extras": sorted(_extras(lines, article)),
        "count": len(article.body),
    }


def _plausible(reading: _Reading, rule: Mapping[str, Any]) -> bool:
    count, learned = len(reading.article.body), int(rule["count"])
    return (
        reading.kinds <= set(rule["kinds"])
        and reading.extras <= set(rule["extras"])
        and count > 0
        and abs(count - learned) <= max(3, learned // 2)
    )


def read(
    root: Any,
    region: Any,
    lines: tuple[str, ...] | list[str],
    rule: Mapping[str, Any],
    selectors: Mapping[str, str],
    url: str,
    html: str,
) -> Article | None:
    """The edited article read from the located region under ``rule`` (from
    :func:`learn`), or None when the page no longer looks like the one the rule was
    learned on. The result is normalized. Mutates ``root`` (furniture pruning)."""
    try:
        reading = _read(root, region, lines, str(rule["extractor"]), selectors, url, html)
        if reading is None or not _plausible(reading, rule):
            return None
    except Exception:  # doubt runs the cascade
        return None
    return reading.article
