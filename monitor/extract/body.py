"""Article bodies for the extractor: outlet selectors, JSON-LD articleBody, trafilatura.

Helpers of ``monitor.extract.cascade``. Each returns paragraphs in reading order with
furniture already dropped, or an empty tuple when the stage has nothing.
"""

from __future__ import annotations

import bisect
import logging
import re
from typing import Any

from lxml.cssselect import CSSSelector

from monitor.extract.limits import bound_page
from monitor.extract.meta import text_of, xpath
from monitor.extract.normalize import clean_text, is_furniture

# trafilatura logs every page it discards; the cascade handles that itself.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

_BLOCKS = "p", "h2", "h3", "h4", "li", "blockquote", "pre"
#: share of a JSON-LD articleBody the page's <p>s must cover to be used instead
MARKUP_AGREEMENT = 0.8


def select(root: Any, selector: str | None) -> list[Any]:
    """Elements matching a CSS selector; an invalid selector matches nothing."""
    if not selector or not selector.strip():
        return []
    try:
        return list(CSSSelector(selector)(root))
    except Exception:  # cssselect and lxml raise a zoo of errors on a bad selector
        return []


def remove_elements(root: Any, selector: str | None) -> None:
    """Drop furniture chosen by an outlet's ``remove`` selector, keeping tail text."""
    for el in select(root, selector):
        if el.getparent() is not None:  # the root element cannot be dropped
            el.drop_tree()


#: class/id tokens of page furniture no article body lives in (consent walls, share bars, rails)
_FURNITURE_TOKEN = re.compile(
    r"(?:^|[\s_-])(?:cookies?|consent|gdpr|cmp|newsletter|share|sharing|social|"
    r"promo|advert|advertisement|ads?|sponsored|outbrain|taboola|most-?read|"
    r"most-?popular|trending|related|recirc|comment-?count)(?:$|[\s_-])",
    re.IGNORECASE,
)
_FURNITURE_ROLES = frozenset({"dialog", "alertdialog"})


def prune_furniture(root: Any) -> None:
    """Drop consent banners, share bars, ad slots and rails before generic extraction.

    An element is spared when it holds the headline or most of the page's
    paragraph text: a container named "social-story" must not take the story
    with it.
    """
    total = sum(len(p.text_content()) for p in root.iter("p")) or 1
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "article", "main"):
            continue
        tokens = f"{el.get('class', '')} {el.get('id', '')}"
        if el.get("role") not in _FURNITURE_ROLES and not _FURNITURE_TOKEN.search(tokens):
            continue
        if el.find(".//h1") is not None:
            continue
        if sum(len(p.text_content()) for p in el.iter("p")) > 0.3 * total:
            continue
        doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def paragraphs(texts: list[str]) -> tuple[str, ...]:
    """Clean, furniture-free paragraphs; adjacent duplicates (mobile/desktop copies) once."""
    out: list[str] = []
    for raw in texts:
        text = clean_text(raw)
        if text and not is_furniture(text) and (not out or out[-1] != text):
            out.append(text)
    return tuple(out)


def selector_body(root: Any, selector: str | None) -> tuple[str, ...]:
    """Paragraphs from an outlet's ``body`` selector (paragraph elements or containers)."""
    texts: list[str] = []
    for el in select(root, selector):
        inner = [e for e in el.iter(*_BLOCKS) if e is not el] if el.tag not in _BLOCKS else []
        # a container's own <p>s, else its whole text (a bare <div> paragraph)
        own_paragraphs = [e for e in inner if not _has_block_ancestor(e, el)]
        if own_paragraphs:
            texts.extend(text_of(e) for e in own_paragraphs)
        else:
            texts.append(text_of(el))
    return paragraphs(texts)


def _has_block_ancestor(el: Any, stop: Any) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in _BLOCKS:
            return True
        parent = parent.getparent()
    return False


def _squash(text: str) -> str:
    return re.sub(r"\W+", " ", clean_text(text)).strip().casefold()


def jsonld_body(root: Any, article_body: str) -> tuple[str, ...]:
    """Paragraphs of a JSON-LD articleBody, taken from the page's <p>s when they agree.

    Markup paragraphs give the boundaries a reader sees; a bare articleBody is
    often one run-on string. When fewer than ``MARKUP_AGREEMENT`` of it is found
    in <p> elements, its own line breaks are used.
    """
    body = clean_text(re.sub(r"<[^>]{1,200}>", " ", article_body))
    if len(body) < 40:
        return ()
    target = _squash(body)
    found: list[str] = []
    covered = 0
    for el in xpath(root, "//p"):
        text = text_of(el)
        key = _squash(text)
        if len(key) >= 15 and key in target and text not in found:
            found.append(text)
            covered += len(key)
    if covered >= MARKUP_AGREEMENT * len(target):
        return paragraphs(found)
    lines = re.split(r"\s*\n\s*(?:\n\s*)*", article_body.replace("\r", "\n"))
    return paragraphs([re.sub(r"<[^>]{1,200}>", " ", line) for line in lines])


def generic_body(source: Any, url: str) -> tuple[str, ...]:
    """trafilatura's main text as paragraphs."""
    # imported here: trafilatura and what it pulls in (htmldate, justext, courlan,
    # urllib3) cost ~6 MB of RSS; unchanged pages and region reads never get here
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            source,
            url=url or None,
            include_comments=False,
            favor_precision=True,
            include_tables=True,
            include_images=False,
            include_links=False,
            with_metadata=False,
            deduplicate=False,
        )
    except Exception:  # a third-party parser on hostile input: any failure means "nothing"
        return ()
    text = getattr(doc, "text", None) if doc is not None else None
    if not text:
        return ()
    return paragraphs(text.split("\n"))


def generic_author(source: Any, url: str) -> str:
    """trafilatura's metadata guess at the author, or ""."""
    # outside the try: a library that does not import is a broken install, not a page
    from trafilatura.metadata import extract_metadata

    if isinstance(source, str):  # trafilatura parses it again: only within the page limits
        source = bound_page(source).markup
    try:
        meta = extract_metadata(source, url or None)
    except Exception:  # third-party heuristics on hostile input
        return ""
    return (getattr(meta, "author", None) or "") if meta is not None else ""


_ASIDE = re.compile(r"caption|credit|related|promo|recommend|newsletter|sidebar|rail|embed|video")


def _in_aside(el: Any) -> bool:
    """Inside a figure, aside or a container whose class/id names a rail or caption."""
    node, steps = el, 0
    while node is not None and steps < 6:
        if node.tag in ("figure", "figcaption", "aside", "nav", "footer", "header", "li"):
            return True
        if _ASIDE.search(f"{node.get('class', '')} {node.get('id', '')}".lower()):
            return True
        node, steps = node.getparent(), steps + 1
    return False


def _echoes(text: str, known: set[str]) -> bool:
    """The text, or most of it, is already in the body (captions repeat sentences)."""
    key = _squash(text)[:60]
    return any(key in _squash(k) for k in known)


def _prose(text: str) -> bool:
    return len(text) >= 80 and len(text.split()) >= 12 and text[-1] in '.!?"”’)»'


def _near(a: Any, b: Any, levels: int = 5) -> bool:
    """True when two elements share an ancestor within ``levels`` steps of both."""
    ancestors = []
    node = a.getparent()
    while node is not None and len(ancestors) < levels:
        ancestors.append(node)
        node = node.getparent()
    node, steps = b.getparent(), 0
    while node is not None and steps < levels:
        if any(node is x for x in ancestors):
            return True
        node, steps = node.getparent(), steps + 1
    return False


def recover_dropped(root: Any, body: tuple[str, ...]) -> tuple[str, ...]:
    """Put back prose paragraphs the generic extractor dropped before or inside the body.

    Sites put the lead paragraphs in a "teaser" or drop-cap block that
    boilerplate filters take for furniture, and a redesign moves them in and out
    of it. Restoring prose <p>s that sit right before the body or between two
    body paragraphs, in the same container, keeps the article the same across
    re-renders. Gaps longer than ``_MAX_GAP`` were left out on purpose (a rail).
    """
    if not body:
        return body
    elements = xpath(root, "//p")
    texts = [text_of(el) for el in elements]
    # where each text sits, so finding a paragraph is a lookup, not a scan of every
    # <p> (a scan per paragraph is quadratic on a page with thousands of them)
    where: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        where.setdefault(text, []).append(i)
    positions: list[int] = []
    cursor = 0
    for paragraph in body:
        found = where.get(paragraph, [])
        at = bisect.bisect_left(found, cursor)
        if at == len(found):
            positions.append(-1)
            continue
        cursor = found[at]
        positions.append(cursor)
    out: list[str] = []
    previous = -1
    known = set(body)
    for paragraph, pos in zip(body, positions, strict=True):
        if pos >= 0:
            out.extend(_gap(elements, texts, previous, pos, known))
            previous = pos
        out.append(paragraph)
    return paragraphs(out)


_MAX_GAP = 3


def _gap(
    elements: list[Any], texts: list[str], after: int, before: int, known: set[str]
) -> list[str]:
    """Prose paragraphs strictly between two positions of the <p> list, or []."""
    lo = after + 1 if after >= 0 else max(0, before - _MAX_GAP * 2)
    found: list[str] = []
    for j in range(before - 1, lo - 1, -1):
        text = texts[j]
        if not text:
            continue
        if not _prose(text) or is_furniture(text) or _echoes(text, known):
            break
        if _in_aside(elements[j]):
            break
        if not _near(elements[j], elements[before]):
            break
        found.insert(0, text)
        if len(found) > _MAX_GAP:
            return []
    if (
        after >= 0
        and lo + len(found) < before
        and any(texts[k] and texts[k] not in found for k in range(lo, before))
    ):
        return []  # something non-prose sits in the gap: keep the extractor's choice
    return found
