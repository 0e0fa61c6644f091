"""Pure diffing: paragraph alignment, then word-level diff-match-patch.

Alignment pairs paragraphs the way a reader would see the edit:

1. the identical head and tail are ``equal`` (cheap, and usually most of an article);
2. in the middle, the in-order set of pairs with the largest total weight wins
   (a weighted LCS: identical pairs weigh 2, similar ones their similarity), giving
   ``equal`` and ``changed`` paragraphs;
3. leftovers found elsewhere, identical or near-identical, are ``moved`` (never
   removed + added); the rest are ``added`` / ``removed``.

Similarity is difflib's ratio over lowercased word tokens (order-aware, so the
shared stop words of two unrelated paragraphs do not pair them), with a
containment rule so a short paragraph that gained a long sentence still pairs
with its old self.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher

from diff_match_patch import diff_match_patch

from monitor.models import FieldDiff, ParagraphOp, Version, VersionDiff, WordOp

#: Seconds diff-match-patch may spend on one diff before returning a coarser one.
#: The library default (1 s) degrades big rewritten articles to near-whole-text diffs.
DIFF_TIMEOUT = 5.0
#: Word-sequence ratio at or above which two paragraphs in the same gap are one edited paragraph.
CHANGED_THRESHOLD = 0.5
#: Ratio at or above which a paragraph found elsewhere counts as moved (and edited).
MOVED_THRESHOLD = 0.8
#: Share of the shorter paragraph's words found, in order, in the longer one.
CONTAINMENT_THRESHOLD = 0.9
_CONTAINMENT_MIN_WORDS = 6

#: Left out of similarity: every two English paragraphs share them, so they would
#: pair unrelated paragraphs and make the overlap bound useless (slow on rewrites).
_STOP_WORDS = frozenset(
    re.findall(
        r"\w+",
        "the a an of and or to in on at by for from with as is are was were be been has have had "
        "it its this that which who he she they his her their i we you said says would will not "
        "but if than then there so after before also",
    )
)
# Kana and CJK ideographs are a token each: those scripts put no spaces between words,
# so a \w+ run is a whole clause and one changed figure (12人 → 15人) would make the
# whole clause "different" (a short paragraph then reads as removed plus added).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|\s+|[^\w\s]")
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
# the same cuts for text with no CJK in it, a good deal faster
_PLAIN_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_PLAIN_WORD = re.compile(r"\w+")
_HAS_CJK = re.compile(f"[{_CJK}]")
_OPS = {diff_match_patch.DIFF_EQUAL: "equal", diff_match_patch.DIFF_INSERT: "insert"}


def make_dmp() -> diff_match_patch:
    """A diff-match-patch instance with this project's settings."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = DIFF_TIMEOUT
    return dmp


def tokenize(text: str) -> list[str]:
    """Words, whitespace runs and single punctuation marks; joined they give ``text`` back."""
    return (_TOKEN if _HAS_CJK.search(text) else _PLAIN_TOKEN).findall(text)


def diff_words(old: str, new: str) -> tuple[WordOp, ...]:
    """Word-level diff of two texts: runs of equal, deleted and inserted text.

    Tokens are mapped to single characters (diff-match-patch's linesToChars trick,
    applied to word tokens), diffed, cleaned up semantically and mapped back. The
    cleanup runs on the token characters: run on the decoded text its overlap
    pass would split words ("cut" → "cuts" would become "cut" + inserted "s").
    """
    if old == new:
        return (WordOp("equal", old),) if old else ()
    vocabulary: dict[str, str] = {}
    tokens: list[str] = []

    def encode(text: str) -> str:
        chars = []
        for token in tokenize(text):
            if token not in vocabulary:
                tokens.append(token)
                vocabulary[token] = chr(len(tokens))
            chars.append(vocabulary[token])
        return "".join(chars)

    encoded_old, encoded_new = encode(old), encode(new)
    dmp = make_dmp()
    diffs = dmp.diff_main(encoded_old, encoded_new, False)
    dmp.diff_cleanupSemantic(diffs)
    decoded = [(op, "".join(tokens[ord(c) - 1] for c in chars)) for op, chars in diffs]
    return _merge(WordOp(_OPS.get(op, "delete"), text) for op, text in decoded if text)


def _merge(ops: Iterable[WordOp]) -> tuple[WordOp, ...]:
    merged: list[WordOp] = []
    for op in ops:
        if merged and merged[-1].op == op.op:
            merged[-1] = WordOp(op.op, merged[-1].text + op.text)
        else:
            merged.append(op)
    return tuple(merged)


def diff_field(name: str, old: str, new: str) -> FieldDiff:
    """Word-level diff of a short field (title, byline); no ops when unchanged."""
    return FieldDiff(name, old, new, diff_words(old, new) if old != new else ())


def diff_versions(old: Version, new: Version) -> VersionDiff:
    """The diff between two versions: title, byline, then aligned paragraphs."""
    return VersionDiff(
        title=diff_field("title", old.title, new.title),
        byline=diff_field("byline", old.byline, new.byline),
        paragraphs=align_paragraphs(old.paragraphs, new.paragraphs),
    )


def align_paragraphs(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[ParagraphOp, ...]:
    """Pair old and new paragraphs into equal/changed/moved/added/removed ops.

    Ops come in new-document order; removed paragraphs sit right after their
    closest surviving predecessor.
    """
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    in_place = {k: k for k in range(head)}
    in_place.update({len(old) - 1 - k: len(new) - 1 - k for k in range(tail)})
    middle_old = range(head, len(old) - tail)
    middle_new = range(head, len(new) - tail)
    scores = _scores(old, new, middle_old, middle_new)
    in_place.update(_best_chain(scores, middle_old, middle_new))
    ops = [_paired_op(old, new, i, j) for i, j in in_place.items()]
    left_old = [i for i in middle_old if i not in in_place]
    taken = set(in_place.values())
    left_new = [j for j in middle_new if j not in taken]
    moved = _moved_pairs(scores, left_old, left_new)
    ops.extend(_paired_op(old, new, i, j, moved=True) for i, j in moved.items())
    ops.extend(ParagraphOp("removed", i, None, old[i], None) for i in left_old if i not in moved)
    taken |= set(moved.values())
    ops.extend(ParagraphOp("added", None, j, None, new[j]) for j in left_new if j not in taken)
    return tuple(sorted(ops, key=_order_key(in_place)))


def _paired_op(
    old: tuple[str, ...], new: tuple[str, ...], i: int, j: int, *, moved: bool = False
) -> ParagraphOp:
    if old[i] == new[j]:
        return ParagraphOp("moved" if moved else "equal", i, j, old[i], new[j])
    ops = diff_words(old[i], new[j])
    return ParagraphOp("moved" if moved else "changed", i, j, old[i], new[j], ops)


def _order_key(in_place: dict[int, int]) -> Callable[[ParagraphOp], tuple[float, int, int]]:
    anchors = sorted(in_place.items())

    def key(op: ParagraphOp) -> tuple[float, int, int]:
        if op.new_index is not None:
            return (float(op.new_index), 1, op.old_index or 0)
        before = [j for i, j in anchors if i < (op.old_index or 0)]
        return ((before[-1] if before else -1) + 0.5, 0, op.old_index or 0)

    return key


def _scores(
    old: tuple[str, ...], new: tuple[str, ...], rows: range, cols: range
) -> dict[tuple[int, int], float]:
    """Pair weights: 2 for identical paragraphs, the similarity for similar ones."""
    bags_new = {j: _Bag(new[j]) for j in cols}
    scores: dict[tuple[int, int], float] = {}
    for i in rows:
        bag = _Bag(old[i])
        for j in cols:
            if old[i] == new[j]:
                scores[i, j] = 2.0
            elif (score := _similarity(bag, bags_new[j])) >= CHANGED_THRESHOLD:
                scores[i, j] = score
    return scores


def _best_chain(scores: dict[tuple[int, int], float], rows: range, cols: range) -> dict[int, int]:
    """The in-order set of pairs with the largest total weight (a weighted LCS)."""
    if not scores:
        return {}
    width = len(cols) + 1
    best = [[0.0] * width for _ in range(len(rows) + 1)]
    for a in range(len(rows) - 1, -1, -1):
        row, below = best[a], best[a + 1]
        for b in range(len(cols) - 1, -1, -1):
            value = max(below[b], row[b + 1])
            weight = scores.get((rows[a], cols[b]))
            if weight is not None:
                value = max(value, weight + below[b + 1])
            row[b] = value
    chain: dict[int, int] = {}
    a = b = 0
    while a < len(rows) and b < len(cols):
        weight = scores.get((rows[a], cols[b]))
        if weight is not None and best[a][b] == weight + best[a + 1][b + 1]:
            chain[rows[a]] = cols[b]
            a, b = a + 1, b + 1
        elif best[a][b] == best[a + 1][b]:
            a += 1
        else:
            b += 1
    return chain


def _moved_pairs(
    scores: dict[tuple[int, int], float], left_old: list[int], left_new: list[int]
) -> dict[int, int]:
    """Leftover paragraphs found elsewhere: identical or near-identical, best first."""
    wanted_new = set(left_new)
    candidates = sorted(
        (-score, i, j)
        for i in left_old
        for j in left_new
        if (score := scores.get((i, j), 0.0)) >= MOVED_THRESHOLD and j in wanted_new
    )
    pairs: dict[int, int] = {}
    for _, i, j in candidates:
        if i not in pairs and j in wanted_new:
            pairs[i] = j
            wanted_new.discard(j)
    return pairs


class _Bag:
    """A paragraph's lowercased words, kept with their counts for a cheap overlap bound."""

    __slots__ = ("counts", "words")

    def __init__(self, text: str) -> None:
        text = text.lower()
        found = (_WORD if _HAS_CJK.search(text) else _PLAIN_WORD).findall(text)
        self.words = [w for w in found if w not in _STOP_WORDS]
        self.counts = Counter(self.words)


def similarity(old: str, new: str) -> float:
    """How alike two paragraphs are, 0..1: word-sequence ratio, or containment for long ones."""
    return _similarity(_Bag(old), _Bag(new))


def _similarity(old: _Bag, new: _Bag) -> float:
    a, b = old.words, new.words
    if not a or not b:
        return 1.0 if a == b else 0.0
    shorter = min(len(a), len(b))
    common = sum((old.counts & new.counts).values())
    contained = shorter >= _CONTAINMENT_MIN_WORDS and common / shorter >= CONTAINMENT_THRESHOLD
    # the bag overlap bounds both measures, so most unrelated pairs stop here cheaply
    if 2 * common / (len(a) + len(b)) < CHANGED_THRESHOLD and not contained:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    ratio = matcher.ratio()
    if contained:
        matched = sum(block.size for block in matcher.get_matching_blocks())
        if matched / shorter >= CONTAINMENT_THRESHOLD:
            return max(ratio, CHANGED_THRESHOLD)
    return ratio
