"""The text a page region holds, as the fast path reads it, and where it is.

Locators (steps from the root to an element: tag, class, id and, where the name alone
is ambiguous, the position among same-named siblings); a region's lines (its text split
at block boundaries, furniture out as ``extract``/``normalize`` drop it); and the keys
paragraphs and lines are matched by. Used by :mod:`monitor.extract.fingerprint` (taking
and checking fingerprints) and :mod:`monitor.extract.bylinepins`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from monitor.extract.meta import BLOCK_TAGS
from monitor.extract.normalize import clean_text, is_furniture

# Elements whose boundaries separate lines of text (paragraphs) in the fingerprint:
# the extractor's block elements, plus form and table sections.
_BLOCKS = BLOCK_TAGS | {"form", "tbody", "thead"}
# Block elements that hold one paragraph, not a body.
LEAVES = frozenset(["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "td", "th"])
LEAVES |= {"blockquote", "pre", "figcaption", "address"}
# Elements whose text no stage of the cascade reads (as extract_meta.text_of skips them).
UNREAD = frozenset({"script", "style", "noscript", "template", "svg", "button"})
_FURNITURE_TOKEN = re.compile(
    r"(?:^|[\s_-])(?:cookies?|consent|gdpr|cmp|newsletter|share|sharing|social|"
    r"promo|advert|advertisement|ads?|sponsored|outbrain|taboola|most-?read|"
    r"most-?popular|trending|related|recirc|comment-?count)(?:$|[\s_-])",
    re.IGNORECASE,
)
# What paragraphs and lines are compared by: trafilatura writes a table row as
# "| a | b |" and a list item as "- item", and spaces and drops invisibles its own way.
_NOT_KEY = re.compile(r"[\s|\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]+")
_NOT_WORD = re.compile(r"[\W_]+")
# A paragraph not found whole is found by this many key characters at each end (the
# cascade drops some inline text: a formula, a link it takes for furniture).
_ENDS = 24
# Paragraphs this long (in key characters) are article text wherever they appear.
SHORT = 40

Step = tuple[Any, ...]  # tag, class attribute, id attribute[, index among same-named siblings]

# --- locators ------------------------------------------------------------------------


def step_name(el: Any) -> tuple[str, str, str]:
    return el.tag, el.get("class", ""), el.get("id", "")


def steps_to(el: Any) -> list[Step]:
    path: list[Step] = []
    while el is not None and isinstance(el.tag, str):
        parent, name = el.getparent(), step_name(el)
        twins = (
            [] if parent is None else [c for c in parent.iterchildren(el.tag) if step_name(c) == name]
        )
        nth = [i for i, c in enumerate(twins) if c is el] if len(twins) > 1 else []
        path.append((*name, *nth))
        el = parent
    return path[::-1]


def find_steps(root: Any, steps: Sequence[Sequence[Any]]) -> Any | None:
    """The element at ``steps``; None when a step matches nothing, or several and the step
    names no position among them."""
    if not steps or tuple(steps[0][:3]) != step_name(root):
        return None
    el = root
    for step in steps[1:]:
        found = [c for c in el.iterchildren(step[0]) if step_name(c) == tuple(step[:3])]
        nth = step[3] if len(step) > 3 else None
        if (nth is None and len(found) != 1) or (
            nth is not None and not (isinstance(nth, int) and 0 <= nth < len(found))
        ):
            return None
        el = found[nth or 0]
    return el


def within(el: Any, region: Any) -> bool:
    return el is region or any(a is region for a in el.iterancestors())


def common_ancestor(elements: Iterable[Any]) -> Any | None:
    paths = [[*list(el.iterancestors())[::-1], el] for el in elements]
    common = None
    for level in zip(*paths, strict=False):
        if any(el is not level[0] for el in level):
            break
        common = level[0]
    return common


# --- the text a region holds ----------------------------------------------------------


def doomed_in(region: Any) -> set[Any]:
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
    if not tag or tag in UNREAD or el in doomed:
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


def owned_lines(region: Any, doomed: set[Any]) -> list[tuple[str, Any]]:
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


class ReadMemo:
    """What one fingerprint taking reads of an element, read once: choosing regions and
    pinning the byline read the same candidate elements several times."""

    def __init__(self) -> None:
        self._doomed: dict[Any, set[Any]] = {}
        self._owned: dict[Any, list[tuple[str, Any]]] = {}

    def doomed(self, region: Any) -> set[Any]:
        if region not in self._doomed:
            self._doomed[region] = doomed_in(region)
        return self._doomed[region]

    def owned_lines(self, region: Any) -> list[tuple[str, Any]]:
        if region not in self._owned:
            self._owned[region] = owned_lines(region, self.doomed(region))
        return self._owned[region]


def lines_of(region: Any, keep: Iterable[str] = (), memo: ReadMemo | None = None) -> list[str]:
    """The lines the digest reads: furniture out, but for the furniture-like lines the
    cascade took into the body (``keep``)."""
    kept = set(keep)
    owned = memo.owned_lines(region) if memo else owned_lines(region, doomed_in(region))
    return [line for line, _ in owned if line in kept or not is_furniture(line)]


def key_of(text: str) -> str:
    return _NOT_KEY.sub("", text)


def paragraph_key(paragraph: str) -> str:
    return key_of(paragraph[2:] if paragraph.startswith("- ") else paragraph)


def loose(text: str) -> str:
    """Letters and digits only, case folded: what a byline keeps of the page's text."""
    return _NOT_WORD.sub("", text).casefold()


Index = tuple[str, list[int], list[int]]


def index_lines(lines: Iterable[str]) -> Index:
    """The lines' keys joined, with each line's start offset and line number."""
    joined, starts, numbers, pos = [], [], [], 0
    for i, line in enumerate(lines):
        if key := key_of(line):
            joined.append(key)
            starts.append(pos)
            numbers.append(i)
            pos += len(key)
    return "".join(joined), starts, numbers


def spans_of(index: Index, key: str, limit: int = 200) -> tuple[list[tuple[int, int]], bool]:
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


