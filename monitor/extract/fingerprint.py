"""Recognise an unchanged re-render without running the extraction cascade.

After a full extraction we remember *where* the article sits on the page (a
locator: tag/class/id steps from the root to the smallest element holding every
body paragraph, and to the byline's element) and a fingerprint: a hash of the
text of that region plus everything else the cascade reads the title, byline and
dates from (every ``h1``, ``<title>``, the relevant ``<meta>`` tags, JSON-LD,
``time``/``itemprop`` dates and the outlet's selector matches). The next fetch
only parses the page, finds the region by the same locator and hashes the same
things; equal fingerprints mean the article text did not change.

Doubt always falls back to the full cascade: a locator that matches zero or
several elements, a paragraph of the last version that is not in the region, a
byline that cannot be pinned to an element or to the page's metadata. Page
furniture inside the region is dropped the way ``extract``/``normalize`` drop it
(furniture class tokens, whole furniture lines), so ads and timestamps around the
article never change the fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from monitor.extract.body import select
from monitor.extract.meta import BLOCK_TAGS, parse_html
from monitor.extract.normalize import clean_text, is_furniture
from monitor.models import Article, Fingerprint

#: Bumped whenever the fingerprint recipe or the extraction cascade changes meaning,
#: so stored fingerprints from older code are never trusted.
FASTPATH_VERSION = "1"

# Elements whose boundaries separate lines of text (paragraphs) in the fingerprint:
# the extractor's block elements, plus form and table sections.
_BLOCKS = BLOCK_TAGS | {"form", "tbody", "thead"}
# Tags whose text can hold a body paragraph.
_CANDIDATES = frozenset(
    [
        "p",
        "div",
        "li",
        "blockquote",
        "pre",
        "td",
        "dd",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "span",
        "section",
    ]
)
_FURNITURE_TOKEN = re.compile(
    r"(?:^|[\s_-])(?:cookies?|consent|gdpr|cmp|newsletter|share|sharing|social|"
    r"promo|advert|advertisement|ads?|sponsored|outbrain|taboola|most-?read|"
    r"most-?popular|trending|related|recirc|comment-?count)(?:$|[\s_-])",
    re.IGNORECASE,
)
_META_KEY = re.compile(r"title|author|creator|date|time|byl|headline|published|modified", re.I)

_ITEMPROPS = etree.XPath("//*[@itemprop]")  # compiled once: root.xpath() compiles per call

Step = tuple[str, str, str]  # tag, class attribute, id attribute


def _steps(el: Any) -> list[Step]:
    path = []
    while el is not None and isinstance(el.tag, str):
        path.append((el.tag, el.get("class", ""), el.get("id", "")))
        el = el.getparent()
    return path[::-1]


def _find(root: Any, steps: list[Step]) -> Any | None:
    """The one element at ``steps``; None when any step matches zero or several."""
    if not steps or tuple(steps[0]) != (root.tag, root.get("class", ""), root.get("id", "")):
        return None
    el = root
    for tag, cls, ident in steps[1:]:
        found = [
            c
            for c in el.iterchildren(tag)
            if c.get("class", "") == cls and c.get("id", "") == ident
        ]
        if len(found) != 1:
            return None
        el = found[0]
    return el


def _spared(el: Any, region_text: int) -> bool:
    # Same guard as extract_body.prune_furniture: a container holding the headline or
    # most of the text is not furniture, whatever its class says.
    if el.find(".//h1") is not None:
        return True
    return sum(len(p.text_content()) for p in el.iter("p")) > 0.3 * region_text


def _doomed(region: Any) -> set[Any]:
    """Furniture elements inside the region; the tree is left intact so the page can
    still be read in full (the region read, the cascade) after the digest."""
    total = sum(len(p.text_content()) for p in region.iter("p")) or 1
    return {
        el
        for el in region.iter()
        if el is not region
        and isinstance(el.tag, str)
        and (
            el.get("role") in ("dialog", "alertdialog")
            or _FURNITURE_TOKEN.search(f"{el.get('class', '')} {el.get('id', '')}")
        )
        and not _spared(el, total)
    }


def _lines(region: Any, doomed: set[Any] | frozenset[Any] = frozenset()) -> list[str]:
    """The region's text split at block boundaries; furniture elements and lines out."""
    parts: list[str] = []

    def walk(el: Any) -> None:
        if el in doomed:  # dropped like drop_tree drops it: the tail text stays
            parts.append(el.tail or "")
            return
        block = isinstance(el.tag, str) and el.tag in _BLOCKS
        if block:
            parts.append("\n")
        if isinstance(el.tag, str) and el.tag not in ("script", "style"):
            parts.append(el.text or "")
            for child in el:
                walk(child)
        if block:
            parts.append("\n")
        parts.append(el.tail or "")

    walk(region)
    lines = (clean_text(line) for line in "".join(parts).split("\n"))
    return [line for line in lines if line and not is_furniture(line)]


def _page_facts(root: Any, selectors: Mapping[str, str]) -> list[str]:
    """Everything outside the body region the cascade reads title, byline and dates from."""
    facts: list[str] = []
    for el in root.iter("title", "h1", "meta", "script", "time"):
        if el.tag == "meta":
            key = " ".join(el.get(a, "") for a in ("name", "property", "itemprop"))
            if _META_KEY.search(key):
                facts.append(f"meta {key}={el.get('content', '')}")
        elif el.tag == "script":
            if "ld+json" in (el.get("type") or ""):
                facts.append(f"ld {el.text or ''}")
        elif el.tag == "time":
            facts.append(f"time {el.get('datetime', '')} {el.get('pubdate', '-')}")
        else:
            facts.append(f"{el.tag} {clean_text(el.text_content())}")
    for el in _ITEMPROPS(root):
        facts.append(f"itemprop {el.get('itemprop')} {el.get('datetime') or el.get('content')}")
    for name in ("title", "byline", "published", "modified"):
        if selectors.get(name):
            facts.extend(
                f"{name} {clean_text(el.text_content())}" for el in select(root, selectors[name])
            )
    return facts


@dataclass(frozen=True)
class Located:
    """A page parsed once, with the fingerprinted region found on it.

    The tree is left as the outlet's ``remove`` selector left it, so the region
    read (``monitor.extract.region``) can carry on from it without parsing again.
    """

    root: Any
    region: Any
    locator: dict[str, Any]
    digest: str
    lines: tuple[str, ...]
    #: the ``remove`` selector dropped a <script>: JSON-LD read now may differ from the cascade's
    scripts_removed: bool = False


def _parse(html: str, selectors: Mapping[str, str]) -> tuple[Any | None, bool]:
    """The tree with the outlet's ``remove`` elements dropped, and whether a script went."""
    root = parse_html(html)
    scripts_removed = False
    if root is not None and selectors.get("remove"):
        doomed = select(root, selectors["remove"])
        scripts_removed = any(
            el.tag == "script" or el.find(".//script") is not None for el in doomed
        )
        for el in doomed:  # as extract_body.remove_elements does
            if el.getparent() is not None:
                el.drop_tree()
    return root, scripts_removed


def _digest(
    root: Any, locator: dict[str, Any], selectors: Mapping[str, str]
) -> tuple[str, list[str], Any] | None:
    """The fingerprint digest, the region's lines and the region element; None when the
    locator finds nothing."""
    body = _find(root, [tuple(s) for s in locator["body"]])
    if body is None:
        return None
    byline: list[str] = []
    if locator.get("byline"):
        el = _find(root, [tuple(s) for s in locator["byline"]])
        if el is None:
            return None
        byline = [clean_text(el.text_content())]
    facts = _page_facts(root, selectors)
    lines = _lines(body, _doomed(body))
    payload = [FASTPATH_VERSION, sorted(selectors.items()), facts, byline, lines]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), lines, body


def _lca(elements: Iterable[Any]) -> Any | None:
    paths = [[*list(el.iterancestors())[::-1], el] for el in elements]
    if not paths:
        return None
    common = None
    for level in zip(*paths, strict=False):
        if any(el is not level[0] for el in level):
            break
        common = level[0]
    return common


def _body_region(root: Any, body: tuple[str, ...]) -> Any | None:
    wanted = set(body)
    return _lca(el for el in root.iter(*_CANDIDATES) if clean_text(el.text_content()) in wanted)


def _byline_element(root: Any, byline: str) -> Any | None:
    """The innermost element whose text is the byline (give or take a "By", an "and"
    between names and a date)."""
    names = [n for n in byline.split(", ") if n]
    # XPath finds the text nodes holding the first name; climbing from there is
    # far cheaper than reading the text of every element on the page.
    for hit in root.xpath("//body//*[contains(text(), $name)]", name=names[0]):
        el = hit
        while el is not None and el.tag != "body":
            text = clean_text(el.text_content())
            if len(text) > 2 * len(byline) + 40:
                break
            if all(n in text for n in names):
                return el
            el = el.getparent()
    return None


def take(
    html: str,
    article: Article,
    digest: str,
    selectors: Mapping[str, str],
    *,
    learn_read: bool = False,
) -> Fingerprint | None:
    """The fingerprint of a page whose full extraction gave ``article`` (normalized), or
    None when the fast path cannot vouch for this page.

    With ``learn_read``, also learn whether the body read from the region is exactly
    ``article.body`` on this page; only then may a later edit be read from the region
    (``monitor.extract.region``).
    """
    root, scripts_removed = _parse(html, selectors)
    if root is None or not article.body:
        return None
    region = _body_region(root, article.body)
    if region is None:
        return None
    locator: dict[str, Any] = {"body": _steps(region), "byline": None}
    if article.byline and not selectors.get("byline"):
        el = _byline_element(root, article.byline)
        if el is not None:
            locator["byline"] = _steps(el)
        elif article.byline not in "\n".join(_page_facts(root, selectors)):
            return None  # cannot tell where the byline comes from
    found = _digest(root, locator, selectors)
    if found is None:
        return None
    # Every paragraph must be read back from the region, or the region is not the article.
    text = "\n".join(found[1])
    if any(p not in text for p in article.body):
        return None
    if learn_read and not scripts_removed:
        from monitor.extract.region import learn  # region builds on this module

        rule = learn(root, found[2], found[1], article, selectors)
        if rule is not None:
            locator["read"] = rule
    return Fingerprint(json.dumps(locator, separators=(",", ":")), found[0], digest)


def locate(html: str, fingerprint: Fingerprint, selectors: Mapping[str, str]) -> Located | None:
    """The page parsed and the fingerprinted region found on it, or None (no region, one
    of several, an unparseable page or a malformed locator: doubt runs the cascade)."""
    try:
        locator = json.loads(fingerprint.locator)
        root, scripts_removed = _parse(html, selectors)
        if root is None:
            return None
        found = _digest(root, locator, selectors)
    except Exception:  # a malformed locator or page is doubt, and doubt runs the cascade
        return None
    if found is None:
        return None
    digest, lines, region = found
    return Located(root, region, locator, digest, tuple(lines), scripts_removed)


def matches(html: str, fingerprint: Fingerprint, selectors: Mapping[str, str]) -> bool:
    """True only when the page provably still shows the fingerprinted article."""
    located = locate(html, fingerprint, selectors)
    return located is not None and located.digest == fingerprint.digest
