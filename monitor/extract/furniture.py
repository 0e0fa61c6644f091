"""Learned furniture: blocks an outlet repeats across its articles, or rotates on one.

Some furniture sits inside the article container under class names no rule knows
(a "More from the desk" rail with teaser summaries, section labels, related-story
credits, "Full Article" links). Rules cannot name every outlet's markup, so the
monitor learns it per outlet, from two signals:

- repetition: a label, line or teaser found in the first readings of at least K
  distinct articles of the outlet (``[furniture] min_articles``) is the outlet's, not
  the story's; so is a byline name listed after K different lead authors
  (:func:`credits`);
- rotation: between two fetches of one article whose other text is identical, several
  teaser- and label-shaped blocks at the body's edges were exchanged for others, or
  credits after the lead author were -- see :func:`flips`.

Pure: what was learned is data, a frozen set of block keys per outlet, planned from the
store (``monitor.store.furniture``) and applied here after ``normalize``. The
extraction itself, the fast path's fingerprint and the region read all work on the
page as it is; only the article handed on loses the learned blocks.

What a press critic would not want hidden is never learned: a block longer than
``max_words`` words, a sentence of the story however short (only teasers cut short or
ending in their link, and labels or lines without sentence punctuation are
furniture-shaped), a correction or update note, a request-for-comment or statement
line ("X did not respond to a request for comment"), the lead author. Such a block
stays in every body, so its silent removal is still seen. Rotation is learned only
from exchanges of several blocks with a teaser on both sides (or of credits): a
removed or added paragraph, a reworded sentence or subheading, one closing line
replaced, is an edit, never furniture.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from monitor.compare.signals import is_comment_line, is_correction_note
from monitor.extract.normalize import content_hash, live_ranges, normalize
from monitor.models import Article, Version

#: defaults of the ``[furniture]`` config section
MIN_ARTICLES = 3
MAX_WORDS = 40
#: a rotating block without a teaser's ending is a label: at most this many words and
#: no sentence punctuation at its end
LABEL_WORDS = 12

_NOT_WORD = re.compile(r"[\W_]+")
# a leading "By" (a credit line and the byline part it repeats share one key), a
# trailing count ("Education (609)" and "Education (610)" are one section label)
_BY = re.compile(r"^by\s+", re.IGNORECASE)
_COUNT = re.compile(r"\s*[(\[]\s*\d[\d,.]*\s*[)\]]\s*$")
# teasers: cut short, or ending with the link to the whole story
_TEASER_END = re.compile(
    r"(?:\.\.\.|…|\b(?:full\s+(?:article|story)|continue\s+reading|read\s+(?:more|on)|more)"
    r"\s*(?:»|›|>|→)?)$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?:;\"”’»)\]。！？」』]$")
# scripts written without spaces: two characters count as a word
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class Learned:
    """An outlet's learned furniture: keys of blocks (see :func:`block_key`)."""

    keys: frozenset[str] = frozenset()
    max_words: int = MAX_WORDS

    def __bool__(self) -> bool:
        return bool(self.keys)

    def __contains__(self, text: object) -> bool:
        # the key first: the note and comment patterns run only on a learned block
        return (
            isinstance(text, str)
            and _shaped(text, self.max_words)
            and block_key(text) in self.keys
            and learnable(text, self.max_words)
        )

    def plus(self, keys: Iterable[str]) -> Learned:
        return replace(self, keys=self.keys | frozenset(keys))


NOTHING = Learned()


def block_key(text: str) -> str:
    """What a block is known by: its words, case-folded, without a leading "By" or a
    trailing count; 16 hex digits of its SHA-256."""
    squashed = _NOT_WORD.sub(" ", _COUNT.sub("", _BY.sub("", text.strip()))).strip().casefold()
    return hashlib.sha256(squashed.encode("utf-8")).hexdigest()[:16]


def _words(text: str) -> int:
    return max(len(text.split()), len(_CJK.findall(text)) // 2)


def _shaped(text: str, max_words: int) -> bool:
    """Short, and not a sentence of the story: a teaser (cut short, or ending in its
    link), or a label or line without sentence punctuation at its end. A sentence,
    however short, is the story's ("Police said the man was armed.")."""
    if not text or _words(text) > max_words:
        return False
    return bool(_TEASER_END.search(text) or not _SENTENCE_END.search(text))


def learnable(text: str, max_words: int = MAX_WORDS) -> bool:
    """Whether a block may ever be learned as furniture (see the module doc): never a
    sentence of the story longer than a label, a note or a comment line."""
    if not _shaped(text, max_words):
        return False
    return not (is_correction_note(text) or is_comment_line(text))


def candidates(article: Article, max_words: int = MAX_WORDS) -> tuple[tuple[str, str], ...]:
    """(key, text) of the article's short body blocks, counted towards repetition.

    Notes and comment lines are counted too (checking every paragraph against their
    patterns on every first reading costs more than it saves); :class:`Learned` never
    drops them, whatever their count."""
    found: dict[str, str] = {}
    for paragraph in article.body:
        if _shaped(paragraph, max_words):
            found.setdefault(block_key(paragraph), paragraph)
    return tuple(found.items())


#: a byline's names after the lead are credit candidates only when there are this many:
#: a rail's cards credit several writers at once, a story rarely has four authors
CREDIT_NAMES = 3


def credits(article: Article) -> tuple[tuple[str, str, str], ...]:
    """(pair key, name key, name) for each name after the lead of a byline that lists
    at least ``CREDIT_NAMES`` of them: candidates for related-story credits, learned
    when a name follows ``min_articles`` different lead authors (a co-author who
    writes with one colleague never is)."""
    parts = _byline_parts(article.byline)
    if len(parts) - 1 < CREDIT_NAMES:
        return ()
    lead = block_key(parts[0])
    out = {}
    for name in parts[1:]:
        if learnable(name):
            key = block_key(name)
            pair = hashlib.sha256(f"{key}|{lead}".encode()).hexdigest()[:16]
            out[pair] = (pair, key, name)
    return tuple(out.values())


def _chars(body: tuple[str, ...]) -> int:
    return sum(len(p) for p in body)


def _byline_parts(byline: str) -> list[str]:
    return [p for p in byline.split(", ") if p]


def strip(article: Article, learned: Learned) -> Article:
    """The article without learned furniture: body blocks, and byline names after the
    first (the lead author is never dropped). Normalized; the same object when
    nothing was learned or nothing is dropped. A body that would lose more than two
    thirds of its text keeps it all: that is a story repeated (the same article at
    several addresses, wire copy), not furniture, and must never read as empty."""
    article = normalize(article)
    if not learned:
        return article
    kept_at = [i for i, p in enumerate(article.body) if p not in learned]
    body = tuple(article.body[i] for i in kept_at)
    if len(body) == len(article.body) and ", " not in article.byline:
        return article
    if 3 * _chars(body) < _chars(article.body):
        # most of the text is known from other articles: the same story at several
        # addresses, or wire copy, not furniture around a story
        body, kept_at = article.body, list(range(len(article.body)))
    parts = _byline_parts(article.byline)
    kept = parts[:1] + [p for p in parts[1:] if p not in learned]
    if body == article.body and kept == parts:
        return article
    # a live blog's post ranges follow the paragraphs kept (monitor.extract.live)
    live = live_ranges(article.live, kept_at)
    return normalize(replace(article, body=body, byline=", ".join(kept), live=live))


def as_article(version: Version) -> Article:
    return Article(
        title=version.title,
        byline=version.byline,
        body=version.paragraphs,
        published_at=version.published_at,
        modified_at=version.modified_at,
    )


def strip_version(version: Version, learned: Learned) -> Version:
    """A stored version read under today's learned furniture (its hash recomputed), so
    a change of what was learned is never taken for an edit. The stored row is never
    rewritten: this is the version as it is compared, not as it is kept."""
    if not learned or not any(
        p in learned for p in (*version.paragraphs, *_byline_parts(version.byline)[1:])
    ):
        return version
    article = as_article(version)
    stripped = strip(article, learned)
    if stripped.body == article.body and stripped.byline == article.byline:
        return version
    return replace(
        version,
        byline=stripped.byline,
        body=stripped.body_text,
        content_hash=content_hash(stripped),
    )


def rotating(text: str, max_words: int = MAX_WORDS) -> bool:
    """Shaped like a block a rail rotates: a teaser cut short or ending in a link to
    the story, or a short label without sentence punctuation."""
    if not learnable(text, max_words):
        return False
    if _TEASER_END.search(text):
        return True
    label = _COUNT.sub("", text)  # "Education (609)": a label with a count
    return _words(label) <= LABEL_WORDS and not _SENTENCE_END.search(label)


@dataclass(frozen=True)
class _Swap:
    out: tuple[str, ...] = ()
    into: tuple[str, ...] = ()
    #: exchanged blocks neither learned nor next to a learned block
    lone: tuple[str, ...] = ()


def _exchange(before: list[str], after: list[str], known: Learned) -> _Swap | None:
    """The blocks exchanged between two sequences when the rest is identical in order
    and every exchanged block is rotating; None otherwise.

    Every exchanged block must sit in the run of such blocks that opens or closes
    the body (:func:`_at_edge`): rails and labels frame a story.
    """
    gone = Counter(before) - Counter(after)
    new = Counter(after) - Counter(before)
    if not gone and not new:
        return _Swap()
    left, right = Counter(gone), Counter(new)
    kept_before = [b for b in before if not _take(left, b)]
    kept_after = [a for a in after if not _take(right, a)]
    if kept_before != kept_after:
        return None
    out = [b for b in before if b not in after]
    into = [a for a in after if a not in before]
    if not all(b in known or rotating(b, known.max_words) for b in [*out, *into]):
        return None
    if not all(_at_edge(before, b, known) for b in out) or not all(
        _at_edge(after, b, known) for b in into
    ):
        return None
    lone = [b for b in out if not _beside_known(before, b, known)]
    lone += [a for a in into if not _beside_known(after, a, known)]
    return _Swap(tuple(out), tuple(into), tuple(lone))


def _at_edge(seq: list[str], block: str, known: Learned) -> bool:
    """Whether ``block`` sits in the run of furniture-shaped blocks that opens or closes
    the sequence: rails and labels frame a story; a subheading between two of its
    paragraphs is the story's own, and rewording it is an edit."""
    at = seq.index(block)

    def shaped(b: str) -> bool:
        return b in known or rotating(b, known.max_words)

    return all(shaped(b) for b in seq[:at]) or all(shaped(b) for b in seq[at + 1 :])


def _beside_known(seq: list[str], block: str, known: Learned) -> bool:
    at = seq.index(block)
    return block in known or any(0 <= j < len(seq) and seq[j] in known for j in (at - 1, at + 1))


def _take(counts: Counter[str], item: str) -> bool:
    if counts[item] > 0:
        counts[item] -= 1
        return True
    return False


def _rail_like(body: _Swap, out: list[str], into: list[str]) -> bool:
    """A rail rotates several blocks at once: a card's headline and teaser (cut short, or
    ending in its link) and its credit. Short lines exchanged without a teaser among
    them are a list or a closing line of the story edited, never learned."""
    if len(out) < 2 or len(into) < 2:
        return False
    if not body.out and not body.into:
        return True  # related-story credits exchanged in the byline, the story unchanged
    return any(_TEASER_END.search(b) for b in body.out) and any(
        _TEASER_END.search(b) for b in body.into
    )


def flips(
    before: Article, after: Article, known: Learned = NOTHING
) -> tuple[tuple[str, str], ...] | None:
    """(key, text) of the blocks a rail rotated between two fetches of one article, or
    None when anything else differs too (the title, the date, the lead author, a
    block that is not rotating, a block only added or only removed): then it is an
    edit, and nothing is learned from it. ``known``: what is learned already (such a
    block may be exchanged freely). Both are taken as normalized (a stored version's
    text is)."""
    if before.title != after.title or before.published_at != after.published_at:
        return None
    if not before.body or not after.body:
        return None
    body = _exchange(list(before.body), list(after.body), known)
    parts_before, parts_after = _byline_parts(before.byline), _byline_parts(after.byline)
    if body is None or parts_before[:1] != parts_after[:1]:
        return None
    names = _exchange(parts_before[1:], parts_after[1:], known)
    if names is None:
        return None
    out, into = [*body.out, *names.out], [*body.into, *names.into]
    if not out and not into:
        return None
    # unless it sits beside learned furniture, one short block exchanged for another,
    # or only added or removed, is an edit (a reworded subheading, a new line)
    if (body.lone or names.lone) and not _rail_like(body, out, into):
        return None
    # an exchange must leave most of the article in place: a rail, not a rewrite
    if 2 * sum(1 for b in before.body if b not in after.body) > len(before.body):
        return None
    fresh = [b for b in [*out, *into] if b not in known]
    return tuple({block_key(b): b for b in fresh}.items()) or None
