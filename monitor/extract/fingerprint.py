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

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from monitor.extract.body import select
from monitor.extract.bylinepins import byline_pins
from monitor.extract.meta import linked_data, parse_html
from monitor.extract.normalize import clean_text, is_furniture
from monitor.extract.pagefacts import page_facts
from monitor.extract.regiontext import (
    LEAVES,
    SHORT,
    ReadMemo,
    common_ancestor,
    find_steps,
    index_lines,
    key_of,
    lines_of,
    paragraph_key,
    spans_of,
    steps_to,
    within,
)
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
    """A hash of the elements' markup. Equal markup reads as equal lines (``lines_of``
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
    regions = [find_steps(root, steps) for steps in [locator["body"], *locator.get("more", ())]]
    pins = [find_steps(root, steps) for steps in locator.get("bylines", ())]
    if any(el is None for el in [*regions, *pins]):
        return None
    marks = _marks([*regions, *pins])
    payload = [FASTPATH_VERSION, sorted(selectors.items()), page_facts(root, selectors, gone)]
    if marks == locator.get("marks") and isinstance(text := locator.get("text"), str):
        digest = _hash([*payload, text])
        if digest == lines_needed:
            return _Read(digest, regions[0], marks, text, None)
    parts = [lines_of(r, locator.get("keep", ())) for r in regions]
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


def _copies(root: Any, body: Sequence[str], from_ld: str, memo: ReadMemo) -> list[_Copies] | str:
    """Each body paragraph with its places on the page, or why one has none.

    Copies in page furniture (``doomed_in`` of the whole page) do not count. Every other
    copy of a long paragraph must end up in a region (the cascade may have read any of
    them, or folded adjacent ones into one), and so must every line a paragraph is only
    part of (which one the cascade cut it from is unknown); a short paragraph that is a
    whole line ("Share this") is furniture elsewhere too, so only as many such lines as
    the body has copies are needed. A paragraph the cascade took from JSON-LD
    (``from_ld``, hashed with the page facts) needs no place.
    """
    page = root.find("body") if root.find("body") is not None else root
    owned = memo.owned_lines(page)
    index = index_lines(line for line, _ in owned)
    found = []
    for key, count in Counter(key for p in body if (key := paragraph_key(p))).items():
        spans, aligned = spans_of(index, key)
        if not spans and key not in from_ld:
            return "a paragraph is not on the page"
        places = [common_ancestor({owned[i][1] for i in range(a, b + 1)}) for a, b in spans]
        need = len(places) if len(key) >= SHORT or not aligned else min(count, len(places))
        found += [_Copies(key, min(count, len(places)), need, places)] if places else []
    return found


def _container(copies: list[_Copies], regions: list[Any], memo: ReadMemo) -> Any | None:
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
        if el is None or any(within(r, el) for r in regions) or not _compact(el, held, memo):
            continue
        parent = el.getparent()
        if not regions and el.tag in LEAVES and parent is not None and _compact(parent, held, memo):
            return parent
        return el
    return None


def _compact(el: Any, held: dict[Any, int], memo: ReadMemo) -> bool:
    """Whether enough of the element's hashed text is body text (``held``)."""
    floor = _PAGE_SHARE if el.tag in ("html", "body") else MIN_BODY_SHARE
    text = sum(len(key_of(line)) for line in lines_of(el, (), memo)) if el.tag != "head" else 0
    return text > 0 and held.get(el, 0) >= floor * text


def _regions(copies: list[_Copies], memo: ReadMemo) -> list[Any] | str:
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
            c.need -= sum(1 for a in c.places if within(a, found))
            c.places = [a for a in c.places if not within(a, found)]
        copies = [c for c in copies if c.need > 0]
    return regions or "the body is only in JSON-LD"


def _kept(regions: list[Any], body: Sequence[str], memo: ReadMemo) -> list[str]:
    """Furniture-like lines of the regions the cascade read as (part of) a body paragraph:
    a list item "Share this", a table cell "12.45", a date run into a sentence. The
    digest keeps them, so a change to them is seen."""
    lines = [line for r in regions for line, _ in memo.owned_lines(r)]
    index = index_lines(lines)
    spans = [span for p in body for span in spans_of(index, paragraph_key(p))[0]]
    return sorted({line for a, b in spans for line in lines[a : b + 1] if is_furniture(line)})


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
    memo = ReadMemo()
    copies = _copies(root, article.body, key_of(ld.body) if ld else "", memo)
    regions = copies if isinstance(copies, str) else _regions(copies, memo)
    if isinstance(regions, str):
        return regions
    locator: dict[str, Any] = {"v": FASTPATH_VERSION, "body": steps_to(regions[0])}
    locator.update({"more": [steps_to(r) for r in regions[1:]]} if regions[1:] else {})
    locator.update({"keep": keep} if (keep := _kept(regions, article.body, memo)) else {})
    pins = byline_pins(root, article, regions, keep, selectors, gone, memo)
    if isinstance(pins, str):
        return pins
    locator.update({"bylines": pins} if pins else {})
    found = _digest(root, locator, selectors, gone)
    if found is None or found.lines is None:
        return "the locator does not find the regions again"
    locator.update(marks=found.marks, text=found.text)
    # Every paragraph must be read back from the regions, or they are not the article.
    index = index_lines(found.lines)
    if any(len(spans_of(index, c.key)[0]) < c.required for c in copies):
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
