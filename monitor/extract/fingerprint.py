"""Recognise an unchanged re-render without running the extraction cascade.

After a full extraction we remember *where* the article sits on the page (a
locator: tag/class/id steps from the root to the smallest element holding the
body, to any further element holding a body paragraph found outside it, and to
the byline's elements when the byline is read from the page's markup) and a
fingerprint: a hash of the text of those regions plus what the cascade reads the
title, byline and publication time from elsewhere (JSON-LD, ``<title>``, the
headline, author and site-name ``<meta>`` tags, the h1s the title could be, the
publication time and the outlet's selector matches). The next fetch only parses
the page, finds the regions by the same locator and hashes the same things; equal
fingerprints mean the article text did not change.

Body paragraphs are found on the page by the text between block boundaries
(whatever the source's line breaks, so a ``<br>``-separated story, a list item or
a table row counts); a step names its position among same-named siblings when
the name alone is ambiguous. Doubt always falls back to the full cascade: a
locator that matches nothing, a paragraph of the last version that is not in the
regions, a body scattered over more than a few containers or held only by
containers that are mostly furniture, a byline that cannot be pinned to an
element or to the page's metadata. Page furniture inside a region is dropped the
way ``extract``/``normalize`` drop it (furniture class tokens, navigation, asides
and footers, whole furniture lines), so ads and timestamps around the article
never change the fingerprint.
"""

from __future__ import annotations

import copy
import hashlib
import html as html_lib
import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from monitor.extract.body import select
from monitor.extract.cascade import _BYLINE_XPATHS, PUBLISHED_METAS, _tokens, read_byline
from monitor.extract.meta import (
    BLOCK_TAGS,
    LinkedData,
    clean_byline,
    linked_data,
    meta_content,
    parse_html,
    text_of,
    xpath,
)
from monitor.extract.normalize import canonical_time, clean_text, is_furniture
from monitor.models import Article, Fingerprint

#: Bumped whenever the fingerprint recipe or the extraction cascade changes meaning;
#: a stored locator of another version is not used (the full cascade runs once).
FASTPATH_VERSION = "3"
#: A region's hashed text must be at least this share body text (a region that is
#: mostly furniture would change on every re-render); the page's <body> must be
#: almost all article (``_PAGE_SHARE``).
MIN_BODY_SHARE = 0.4
_PAGE_SHARE = 0.8
#: At most this many regions; a body scattered wider is not vouched for.
MAX_REGIONS = 8

# Elements whose boundaries separate lines of text (paragraphs) in the fingerprint:
# the extractor's block elements, plus form and table sections.
_BLOCKS = BLOCK_TAGS | {"form", "tbody", "thead"}
# Block elements that hold one paragraph, not a body.
_LEAVES = frozenset(["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "td", "th"])
_LEAVES |= {"blockquote", "pre", "figcaption", "address"}
# Elements whose text no stage of the cascade reads (as extract_meta.text_of skips them).
_UNREAD = frozenset({"script", "style", "noscript", "template", "svg", "button"})
_FURNITURE_TOKEN = re.compile(
    r"(?:^|[\s_-])(?:cookies?|consent|gdpr|cmp|newsletter|share|sharing|social|"
    r"promo|advert|advertisement|ads?|sponsored|outbrain|taboola|most-?read|"
    r"most-?popular|trending|related|recirc|comment-?count)(?:$|[\s_-])",
    re.IGNORECASE,
)
# <meta> tags the cascade reads the title (and the site name it strips) and byline from.
_META_KEY = re.compile(r"title|headline|author|creator|byl|site|application-name|app_name", re.I)
_TITLE_KEY = re.compile(r"title|headline", re.I)
# What paragraphs and lines are compared by: trafilatura writes a table row as
# "| a | b |" and a list item as "- item", and spaces and drops invisibles its own way.
_NOT_KEY = re.compile(r"[\s|\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]+")
_NOT_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"\w{2,}")
# A paragraph not found whole is found by this many key characters at each end (the
# cascade drops some inline text: a formula, a link it takes for furniture).
_ENDS = 24
# Paragraphs this long (in key characters) are article text wherever they appear.
_SHORT = 40

_DATED = etree.XPath("//*[@itemprop='datePublished']")  # compiled once, not per call
_TEXT_WITH = etree.XPath("//body//text()[contains(., $w)][not(ancestor::script)]")

Step = tuple[Any, ...]  # tag, class attribute, id attribute[, index among same-named siblings]


@dataclass(frozen=True)
class Located:
    """A page parsed once, with the fingerprinted (main) region found on it.

    The tree is left as the outlet's ``remove`` selector left it, so the region
    read (``monitor.extract.region``) can carry on from it without parsing again.
    """

    root: Any
    region: Any
    locator: dict[str, Any]
    digest: str
    #: the regions' lines; empty when the digest is the fingerprint's (nothing to read)
    lines: tuple[str, ...]
    #: the ``remove`` selector dropped a <script>: JSON-LD read now may differ from the cascade's
    scripts_removed: bool = False


# --- locators ------------------------------------------------------------------------


def _name(el: Any) -> tuple[str, str, str]:
    return el.tag, el.get("class", ""), el.get("id", "")


def _steps(el: Any) -> list[Step]:
    path: list[Step] = []
    while el is not None and isinstance(el.tag, str):
        parent, name = el.getparent(), _name(el)
        twins = (
            [] if parent is None else [c for c in parent.iterchildren(el.tag) if _name(c) == name]
        )
        nth = [i for i, c in enumerate(twins) if c is el] if len(twins) > 1 else []
        path.append((*name, *nth))
        el = parent
    return path[::-1]


def _find(root: Any, steps: Sequence[Sequence[Any]]) -> Any | None:
    """The element at ``steps``; None when a step matches nothing, or several and the step
    names no position among them."""
    if not steps or tuple(steps[0][:3]) != _name(root):
        return None
    el = root
    for step in steps[1:]:
        found = [c for c in el.iterchildren(step[0]) if _name(c) == tuple(step[:3])]
        nth = step[3] if len(step) > 3 else None
        if (nth is None and len(found) != 1) or (
            nth is not None and not (isinstance(nth, int) and 0 <= nth < len(found))
        ):
            return None
        el = found[nth or 0]
    return el


def _within(el: Any, region: Any) -> bool:
    return el is region or any(a is region for a in el.iterancestors())


def _lca(elements: Iterable[Any]) -> Any | None:
    paths = [[*list(el.iterancestors())[::-1], el] for el in elements]
    common = None
    for level in zip(*paths, strict=False):
        if any(el is not level[0] for el in level):
            break
        common = level[0]
    return common


# --- the text a region holds ----------------------------------------------------------


def _doomed(region: Any) -> set[Any]:
    """Furniture inside the region: navigation, asides and footers (the generic extractor
    never reads them) and what extract_body.prune_furniture drops, unless it holds the
    headline or most of the text. The tree is left intact for the region read."""
    total = sum(len(p.text_content()) for p in region.iter("p")) or 1
    return {
        el
        for el in region.iter()
        if el is not region
        and isinstance(el.tag, str)
        and (
            el.tag in ("nav", "aside", "footer")
            or el.get("role") in ("dialog", "alertdialog", "navigation")
            or ((named := el.get("class", "") + " " + el.get("id", "")) != " "
                and _FURNITURE_TOKEN.search(named))
        )
        and el.tag not in ("article", "main")
        and el.find(".//h1") is None
        and sum(len(p.text_content()) for p in el.iter("p")) <= 0.3 * total
    }


def _pieces(el: Any, owner: Any, doomed: set[Any], out: list[tuple[str | None, Any]]) -> None:
    """The text inside ``el`` in document order, each piece with the innermost block
    element holding it; a None piece is a block boundary. Tails are the caller's."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if not tag or tag in _UNREAD or el in doomed:
        return
    block = tag in _BLOCKS
    inner = el if block else owner
    if block:
        out.append((None, el))
    if el.text:
        out.append((el.text, inner))
    for child in el:
        _pieces(child, inner, doomed, out)
        if child.tail:
            out.append((child.tail, inner))
    if block:
        out.append((None, el))


def _owned_lines(region: Any, doomed: set[Any]) -> list[tuple[str, Any]]:
    """The region's text split at block boundaries (a source line break is a space), each
    line with the block element holding it; ``doomed`` elements out."""
    pieces: list[tuple[str | None, Any]] = []
    _pieces(region, region, doomed, pieces)
    lines: list[tuple[str, Any]] = []
    buf: list[str] = []
    owner = region
    for text, el in [*pieces, (None, region)]:
        if text is not None:
            buf.append(text)
            owner = el
        elif (raw := "".join(buf)) and not raw.isspace() and (line := clean_text(raw)):
            lines.append((line, owner))
            buf = []
        else:
            buf = []
    return lines


class _Memo:
    """What one fingerprint taking reads of an element, read once: choosing regions and
    pinning the byline read the same candidate elements several times."""

    def __init__(self) -> None:
        self._doomed: dict[Any, set[Any]] = {}
        self._owned: dict[Any, list[tuple[str, Any]]] = {}

    def doomed(self, region: Any) -> set[Any]:
        if region not in self._doomed:
            self._doomed[region] = _doomed(region)
        return self._doomed[region]

    def owned_lines(self, region: Any) -> list[tuple[str, Any]]:
        if region not in self._owned:
            self._owned[region] = _owned_lines(region, self.doomed(region))
        return self._owned[region]


def _lines(region: Any, keep: Iterable[str] = (), memo: _Memo | None = None) -> list[str]:
    """The lines the digest reads: furniture out, but for the furniture-like lines the
    cascade took into the body (``keep``)."""
    kept = set(keep)
    owned = memo.owned_lines(region) if memo else _owned_lines(region, _doomed(region))
    return [line for line, _ in owned if line in kept or not is_furniture(line)]


def _key(text: str) -> str:
    return _NOT_KEY.sub("", text)


def _para_key(paragraph: str) -> str:
    return _key(paragraph[2:] if paragraph.startswith("- ") else paragraph)


def _loose(text: str) -> str:
    """Letters and digits only, case folded: what a byline keeps of the page's text."""
    return _NOT_WORD.sub("", text).casefold()


Index = tuple[str, list[int], list[int]]


def _index(lines: Iterable[str]) -> Index:
    """The lines' keys joined, with each line's start offset and line number."""
    joined, starts, numbers, pos = [], [], [], 0
    for i, line in enumerate(lines):
        if key := _key(line):
            joined.append(key)
            starts.append(pos)
            numbers.append(i)
            pos += len(key)
    return "".join(joined), starts, numbers


def _spans(index: Index, key: str, limit: int = 200) -> tuple[list[tuple[int, int]], bool]:
    """(first, last) line numbers of each place ``key`` occurs: places that start and end
    at line boundaries if any (and True), else any place, else places that begin and end
    as it does."""
    joined, starts, numbers = index
    aligned: list[tuple[int, int]] = []
    inside: list[tuple[int, int]] = []
    for at, end in _places(joined, key, limit):
        first, last = bisect_right(starts, at) - 1, bisect_right(starts, end - 1) - 1
        stop = starts[last + 1] if last + 1 < len(starts) else len(joined)
        both = starts[first] == at and stop == end
        (aligned if both else inside).append((numbers[first], numbers[last]))
    return aligned or inside, bool(aligned)


def _places(joined: str, key: str, limit: int) -> Iterator[tuple[int, int]]:
    at = joined.find(key) if key else -1
    found = at >= 0
    while at >= 0 and limit:
        yield at, at + len(key)
        at, limit = joined.find(key, at + 1), limit - 1
    if found or len(key) < 2 * _ENDS:
        return
    at = joined.find(key[:_ENDS])
    while at >= 0 and limit:
        end = joined.find(key[-_ENDS:], at + len(key) // 2, at + 2 * len(key) + 200)
        if end >= 0:
            yield at, end + _ENDS
        at, limit = joined.find(key[:_ENDS], at + 1), limit - 1


# --- what the cascade reads outside the body ------------------------------------------


def _page_facts(root: Any, selectors: Mapping[str, str], gone: Sequence[str] = ()) -> list[str]:
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
        elif el.tag == "meta" and _META_KEY.search(key):
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


def _parse(html: str, selectors: Mapping[str, str]) -> tuple[Any | None, list[str]]:
    """The tree with the outlet's ``remove`` elements dropped, and the facts those took
    away that the cascade still reads (it reads JSON-LD before removing)."""
    root = parse_html(html)
    gone: list[str] = []
    if root is not None and selectors.get("remove"):
        doomed = select(root, selectors["remove"])
        for script in (s for el in doomed for s in el.iter("script")):
            ld = "ld+json" in (script.get("type") or "").lower()
            gone.append(f"removed ld {script.text or ''}" if ld else "removed script")
        for el in doomed:  # as extract_body.remove_elements does
            if el.getparent() is not None:
                el.drop_tree()
    return root, gone


@dataclass(frozen=True)
class _Read:
    """What the digest read off a page: the digest, the main region, the hash of the
    regions' and bylines' markup (``marks``) and of their text, and their lines (None
    when the markup vouched for the text without reading it)."""

    digest: str
    region: Any
    marks: str
    text: str
    lines: list[str] | None


def _marks(elements: Sequence[Any]) -> str:
    """A hash of the elements' markup. Equal markup reads as equal lines (``_lines``
    reads nothing outside its element), so a match spares reading them: serializing is
    done in C, reading lines in Python."""
    h = hashlib.blake2b(digest_size=16)
    for el in elements:
        h.update(etree.tostring(el, with_tail=False))
        h.update(b"\0")
    return h.hexdigest()


def _digest(
    root: Any,
    locator: Mapping[str, Any],
    selectors: Mapping[str, str],
    gone: list[str],
    *,
    lines_needed: str | None = None,
) -> _Read | None:
    """The fingerprint digest of the page at ``locator``; None when the locator finds
    nothing. The regions' lines are read unless their markup is what the locator
    remembers and the digest comes out as ``lines_needed`` (a fingerprint's digest: an
    unchanged page never needs them)."""
    regions = [_find(root, steps) for steps in [locator["body"], *locator.get("more", ())]]
    pins = [_find(root, steps) for steps in locator.get("bylines", ())]
    if any(el is None for el in [*regions, *pins]):
        return None
    marks = _marks([*regions, *pins])
    payload = [FASTPATH_VERSION, sorted(selectors.items()), _page_facts(root, selectors, gone)]
    if marks == locator.get("marks") and isinstance(text := locator.get("text"), str):
        digest = _hash([*payload, text])
        if digest == lines_needed:
            return _Read(digest, regions[0], marks, text, None)
    parts = [_lines(r, locator.get("keep", ())) for r in regions]
    bylines = [clean_text(el.text_content()) for el in pins]
    text = _hash([bylines, parts])
    lines = [line for part in parts for line in part]
    return _Read(_hash([*payload, text]), regions[0], marks, text, lines)


def _hash(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- where the body is ----------------------------------------------------------------


@dataclass
class _Copies:
    """A distinct body paragraph: its key, how many copies the digest must read (as many
    as the body has), how many of its places the regions must still hold (counting down
    as regions are chosen), and those places (block elements)."""

    key: str
    required: int
    need: int
    places: list[Any]


def _copies(root: Any, body: Sequence[str], from_ld: str, memo: _Memo) -> list[_Copies] | str:
    """Each body paragraph with its places on the page, or why one has none.

    Copies in page furniture (``_doomed`` of the whole page) do not count. Every other
    copy of a long paragraph must end up in a region (the cascade may have read any of
    them, or folded adjacent ones into one), and so must every line a paragraph is only
    part of (which one the cascade cut it from is unknown); a short paragraph that is a
    whole line ("Share this") is furniture elsewhere too, so only as many such lines as
    the body has copies are needed. A paragraph the cascade took from JSON-LD
    (``from_ld``, hashed with the page facts) needs no place.
    """
    page = root.find("body") if root.find("body") is not None else root
    owned = memo.owned_lines(page)
    index = _index(line for line, _ in owned)
    found = []
    for key, count in Counter(key for p in body if (key := _para_key(p))).items():
        spans, aligned = _spans(index, key)
        if not spans and key not in from_ld:
            return "a paragraph is not on the page"
        places = [_lca({owned[i][1] for i in range(a, b + 1)}) for a, b in spans]
        need = len(places) if len(key) >= _SHORT or not aligned else min(count, len(places))
        found += [_Copies(key, min(count, len(places)), need, places)] if places else []
    return found


def _container(copies: list[_Copies], regions: list[Any], memo: _Memo) -> Any | None:
    """The deepest element holding all the body text still needed, else the deepest
    holding half of it, else the element of the longest paragraph left: the first of
    these whose text is mostly body and that holds no region chosen already. The main
    (first) region is never a lone paragraph when its parent qualifies too: a paragraph
    added beside it must change the digest."""
    held: dict[Any, int] = {}
    for c in copies:
        inside = Counter(x for a in c.places for x in (a, *a.iterancestors()))
        for el, n in inside.items():
            held[el] = held.get(el, 0) + len(c.key) * min(n, c.need)
    total = sum(len(c.key) * c.need for c in copies)
    depth = {el: sum(1 for _ in el.iterancestors()) for el in held}
    candidates = [
        max((el for el, w in held.items() if w >= share * total), key=depth.get, default=None)
        for share in (1.0, 0.5)
    ]
    for el in [*candidates, max(copies, key=lambda c: len(c.key)).places[0]]:
        if el is None or any(_within(r, el) for r in regions) or not _compact(el, held, memo):
            continue
        parent = el.getparent()
        if not regions and el.tag in _LEAVES and parent is not None and _compact(parent, held, memo):
            return parent
        return el
    return None


def _compact(el: Any, held: dict[Any, int], memo: _Memo) -> bool:
    """Whether enough of the element's hashed text is body text (``held``)."""
    floor = _PAGE_SHARE if el.tag in ("html", "body") else MIN_BODY_SHARE
    text = sum(len(_key(line)) for line in _lines(el, (), memo)) if el.tag != "head" else 0
    return text > 0 and held.get(el, 0) >= floor * text


def _regions(copies: list[_Copies], memo: _Memo) -> list[Any] | str:
    """Disjoint elements together holding the needed copies, the main one first; or why not."""
    regions: list[Any] = []
    while copies:
        if len(regions) == MAX_REGIONS:
            return "body scattered over too many containers"
        found = _container(copies, regions, memo)
        if found is None:
            return "no container is mostly body text"
        regions.append(found)
        for c in copies:
            c.need -= sum(1 for a in c.places if _within(a, found))
            c.places = [a for a in c.places if not _within(a, found)]
        copies = [c for c in copies if c.need > 0]
    return regions or "the body is only in JSON-LD"


def _kept(regions: list[Any], body: Sequence[str], memo: _Memo) -> list[str]:
    """Furniture-like lines of the regions the cascade read as (part of) a body paragraph:
    a list item "Share this", a table cell "12.45", a date run into a sentence. The
    digest keeps them, so a change to them is seen."""
    lines = [line for r in regions for line, _ in memo.owned_lines(r)]
    index = _index(lines)
    spans = [span for p in body for span in _spans(index, _para_key(p))[0]]
    return sorted({line for a, b in spans for line in lines[a : b + 1] if is_furniture(line)})


# --- the byline -----------------------------------------------------------------------


def _byline_element(root: Any, names: Sequence[str]) -> Any | None:
    """The innermost element whose text holds every one of ``names`` (give or take a "By",
    an "and" between names, a date, dots and spacing), found from the text nodes
    holding a word of the first: far cheaper than reading every element's text."""
    keys = [key for n in names if (key := _loose(n))]
    limit = 4 * sum(len(k) for k in keys) + 200
    for word in _WORD.findall(names[0])[:3]:
        for hit in _TEXT_WITH(root, w=word):
            el = hit.getparent()
            el = el.getparent() if hit.is_tail and el is not None else el
            while el is not None and el.tag != "body":
                text = _loose(el.text_content())
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
        if (el.tag == "meta" and _META_KEY.search(key)) or (
            el.tag == "script" and "ld+json" in (el.get("type") or "").lower()
        ):
            mini[0].append(copy.deepcopy(el))
            mini[0][-1].tail = None
    return clean_text(read_byline(mini, linked_data(mini) or LinkedData(), {}, "", ""))


def _byline_pins(
    root: Any,
    article: Article,
    regions: list[Any],
    keep: list[str],
    selectors: Mapping[str, str],
    gone: list[str],
    memo: _Memo,
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
    names = [n for n in article.byline.split(", ") if _loose(n)]
    sources = _byline_sources(root, names)
    texts = [_loose(" ".join(_lines(r, keep, memo))) for r in regions]
    pins: list[list[Step]] = []
    for name in names:
        found = sources[name] or [e for e in [_byline_element(root, [name])] if e is not None]
        if not found and _loose(name) not in _loose("\n".join(_page_facts(root, selectors))):
            return "byline not pinned to an element or the metadata"
        for el in found:
            if not any(
                _read_in(el, r, t, name, memo) for r, t in zip(regions, texts, strict=True)
            ):
                pins += [] if (steps := _steps(el)) in pins else [steps]
    return pins if len(pins) <= MAX_REGIONS else "byline in too many places"


def _byline_sources(root: Any, names: list[str]) -> dict[str, list[Any]]:
    """For each name, the elements the cascade's byline XPaths match whose text holds it."""
    found: dict[str, list[Any]] = {name: [] for name in names}
    for el in (el for expr in _BYLINE_XPATHS for el in xpath(root, expr)):
        text = clean_byline(text_of(el))
        for name in names:
            if 0 < len(text) < 100 and _loose(name) in _loose(text) and el not in found[name]:
                found[name].append(el)
    return found


def _read_in(el: Any, region: Any, text: str, name: str, memo: _Memo) -> bool:
    """Whether the digest reads ``el`` as part of ``region``'s lines (``text``, loose)."""
    if not _within(el, region) or _loose(name) not in text:
        return False
    doomed = memo.doomed(region)
    return not any(x in doomed or x.tag in _UNREAD for x in (el, *el.iterancestors()))


# --- taking and checking fingerprints -------------------------------------------------


def _take(
    html: str, article: Article, selectors: Mapping[str, str], learn_read: bool
) -> tuple[dict[str, Any], str] | str:
    """The locator and digest of a page whose full extraction gave ``article``, or why
    the fast path cannot vouch for this page."""
    root, gone = _parse(html, selectors)
    if root is None or not article.body:
        return "no page or no body"
    ld = linked_data(root) if article.extractor == "jsonld" and not gone else None
    memo = _Memo()
    copies = _copies(root, article.body, _key(ld.body) if ld else "", memo)
    regions = copies if isinstance(copies, str) else _regions(copies, memo)
    if isinstance(regions, str):
        return regions
    locator: dict[str, Any] = {"v": FASTPATH_VERSION, "body": _steps(regions[0])}
    locator.update({"more": [_steps(r) for r in regions[1:]]} if regions[1:] else {})
    locator.update({"keep": keep} if (keep := _kept(regions, article.body, memo)) else {})
    pins = _byline_pins(root, article, regions, keep, selectors, gone, memo)
    if isinstance(pins, str):
        return pins
    locator.update({"bylines": pins} if pins else {})
    found = _digest(root, locator, selectors, gone)
    if found is None or found.lines is None:
        return "the locator does not find the regions again"
    locator.update(marks=found.marks, text=found.text)
    # Every paragraph must be read back from the regions, or they are not the article.
    index = _index(found.lines)
    if any(len(_spans(index, c.key)[0]) < c.required for c in copies):
        return "a paragraph is not read back from the regions"
    if learn_read and not gone and len(regions) == 1:
        from monitor.extract.region import learn  # region builds on this module

        rule = learn(root, found.region, found.lines, article, selectors)
        locator.update({"read": rule} if rule is not None else {})
    return locator, found.digest


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
    taken = _take(html, article, selectors, learn_read)
    if isinstance(taken, str):
        return None
    return Fingerprint(json.dumps(taken[0], separators=(",", ":")), taken[1], digest)


def explain(html: str, article: Article, selectors: Mapping[str, str]) -> str:
    """Why :func:`take` gives no fingerprint for this page, or "ok" (for diagnostics)."""
    try:
        taken = _take(html, article, selectors, False)
    except Exception as exc:  # take's callers treat an exception as "no fingerprint"
        return f"exception {type(exc).__name__}"
    return taken if isinstance(taken, str) else "ok"


def locate(html: str, fingerprint: Fingerprint, selectors: Mapping[str, str]) -> Located | None:
    """The page parsed and the fingerprinted region found on it, or None (no region, one
    of several, an unparseable page, a malformed locator or one of another version:
    doubt runs the cascade)."""
    try:
        locator = json.loads(fingerprint.locator)
        if locator.get("v") != FASTPATH_VERSION:
            return None
        root, gone = _parse(html, selectors)
        found = (
            _digest(root, locator, selectors, gone, lines_needed=fingerprint.digest)
            if root is not None
            else None
        )
    except Exception:  # a malformed locator or page is doubt, and doubt runs the cascade
        return None
    if found is None:
        return None
    lines = tuple(found.lines or ())  # none read: the page is unchanged, nothing to read
    return Located(root, found.region, locator, found.digest, lines, bool(gone))


def matches(html: str, fingerprint: Fingerprint, selectors: Mapping[str, str]) -> bool:
    """True only when the page provably still shows the fingerprinted article."""
    located = locate(html, fingerprint, selectors)
    return located is not None and located.digest == fingerprint.digest
