"""Typed values that flow between pipeline stages.

Every stage takes and returns these frozen dataclasses, so each stage can be
tested alone. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# The vocabulary of change kinds (DESIGN.md). Order is the display order.
CHANGE_KINDS: tuple[str, ...] = (
    "headline",
    "byline",
    "comment_line",
    "correction_note",
    "paragraph_added",
    "paragraph_removed",
    # a paragraph at another position (possibly lightly edited); never reported as removed + added
    "moved",
    "numbers",
    "quote",
    "wording",
    "minor",
    "revert",
    "removed",
    "restored",
    # the page did not change: updated extraction rules read it differently
    "reextracted",
    # a new post on a live blog (never silent; edits of earlier posts are classified as usual)
    "live_update",
)
#: Kinds that never make a change substantive on their own.
#: DESIGN.md: every kind but ``minor`` is substantive; a ``correction_note`` makes a
#: change open rather than silent, so it never makes one silent on its own either.
NON_SUBSTANTIVE_KINDS: frozenset[str] = frozenset(
    {"minor", "correction_note", "reextracted", "live_update"}
)


@dataclass(frozen=True)
class LiveBlog:
    """What marks a page as a live blog (``monitor.extract.live``).

    ``posts`` are (first paragraph index, paragraph count) in ``Article.body``, newest
    first; the paragraphs before the first post are the summary. ``ended_at``: the
    page's ``coverageEndTime``; ``newest_post_at``: the newest post's own time.
    """

    posts: tuple[tuple[int, int], ...] = ()
    ended_at: str | None = None
    newest_post_at: str | None = None

    def post_of(self, index: int) -> int | None:
        """The position (0 = newest) of the post holding body paragraph ``index``."""
        for n, (start, count) in enumerate(self.posts):
            if start <= index < start + count:
                return n
        return None


@dataclass(frozen=True)
class Article:
    """What the extractor read off one page: the article, without page furniture.

    ``body`` holds paragraphs in reading order. ``extractor`` names the stage of
    the cascade that produced the body ("outlet", "jsonld", "generic"). ``cut``
    names the extraction limits the page exceeded (``monitor.extract.limits``):
    the article was cut there, so it is suspect. Not part of the content hash.
    """

    title: str
    byline: str = ""
    body: tuple[str, ...] = ()
    published_at: str | None = None
    modified_at: str | None = None
    canonical_url: str | None = None
    extractor: str = "generic"
    cut: tuple[str, ...] = ()
    #: set when the page is a live blog (not part of the content hash)
    live: LiveBlog | None = None
    #: the page's AMP variant (``rel=amphtml``): the same article at another address
    amp_url: str | None = None

    @property
    def body_text(self) -> str:
        """Paragraphs separated by a blank line, as stored in ``versions.body``."""
        return "\n\n".join(self.body)


@dataclass(frozen=True)
class Version:
    """One stored version of a tracked article (a row of ``versions``)."""

    id: int
    article_id: int
    captured_at: str
    title: str
    byline: str
    body: str
    content_hash: str
    published_at: str | None = None
    modified_at: str | None = None

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for p in self.body.split("\n\n") if p)


WordOpKind = Literal["equal", "insert", "delete"]
ParagraphOpKind = Literal["equal", "added", "removed", "changed", "moved"]


@dataclass(frozen=True)
class WordOp:
    """One run of a word-level diff: text kept, inserted or deleted."""

    op: WordOpKind
    text: str


@dataclass(frozen=True)
class FieldDiff:
    """A word-level diff of one short field (title, byline)."""

    name: str
    old: str
    new: str
    ops: tuple[WordOp, ...] = ()

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class ParagraphOp:
    """One aligned paragraph pair.

    ``added`` has only ``new``; ``removed`` only ``old``; ``changed`` has both
    and word ``ops``; ``moved`` is an identical paragraph at another position
    (``ops`` empty) or a moved-and-edited one (``ops`` set).
    """

    kind: ParagraphOpKind
    old_index: int | None
    new_index: int | None
    old: str | None
    new: str | None
    ops: tuple[WordOp, ...] = ()


@dataclass(frozen=True)
class VersionDiff:
    """The diff between two versions: fields first, then aligned paragraphs."""

    title: FieldDiff
    byline: FieldDiff
    paragraphs: tuple[ParagraphOp, ...]

    @property
    def body_changed(self) -> bool:
        return any(p.kind != "equal" for p in self.paragraphs)

    @property
    def changed(self) -> bool:
        return self.title.changed or self.byline.changed or self.body_changed


@dataclass(frozen=True)
class Evidence:
    """Why a kind was assigned: the field and the text that triggered it."""

    kind: str
    field: str  # "title", "byline", "body", "status"
    text: str  # the sentence or value a reviewer should look at
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True)
class Classification:
    """The verdict on one change: kinds (vocabulary order), evidence, silent flag."""

    kinds: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    silent: bool
    summary: str


@dataclass(frozen=True)
class FeedEntry:
    """An article link found in a feed or sitemap."""

    url: str
    title: str | None = None
    published_at: str | None = None


@dataclass(frozen=True)
class FeedResult:
    """A parsed feed or sitemap: article entries and, for an index, child sitemaps."""

    kind: Literal["rss", "atom", "rdf", "sitemap", "sitemap_index"]
    entries: tuple[FeedEntry, ...] = ()
    sitemaps: tuple[str, ...] = ()
    title: str | None = None
    #: entries listed past the most one feed is read for (a sitemap's 50,000 URLs, a
    #: feed's 5,000 items)
    unread: int = 0


FetchOutcome = Literal[
    "ok",  # 2xx with a body
    "not_modified",  # 304 on a conditional GET
    "gone",  # 404 or 410
    "http_error",  # any other 4xx/5xx
    "rate_limited",  # 429, or 503 with Retry-After
    "timeout",
    "too_large",
    "too_many_redirects",
    "robots_disallowed",
    "address_refused",
    "bad_url",
    "decode_error",
    "network_error",
]


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one fetch attempt, success or failure (errors are data)."""

    url: str
    fetched_at: str
    outcome: FetchOutcome
    final_url: str | None = None
    status_code: int | None = None
    text: str | None = None  # decoded body, for "ok"
    content: bytes | None = None  # raw (decompressed) body, for "ok"
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None  # seconds
    error: str | None = None
    elapsed: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    #: cheaper reads that fell back on this page (set by the pipeline, stored with the fetch)
    fallbacks: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class Fingerprint:
    """Where the article sits on a page and the hash of what the cascade reads there.

    ``content_hash`` is the version hash the fingerprint was taken for: a fast-path
    hit means "still that version".
    """

    #: JSON: {"v", "body": steps, "more"?: [steps], "bylines"?: [steps], "keep"?, "read"?}
    locator: str
    digest: str
    content_hash: str
