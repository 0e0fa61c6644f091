"""What one page may cost the extractor, and how big an article may be.

A hostile or broken page (a 1 MB headline, a million paragraphs, 20 MB of nested
``<div>``s) must neither exhaust memory nor be stored as an "article". Two bounds:

- **The page** (:func:`bound_page`, before parsing): ``<script>`` (but JSON-LD),
  ``<style>`` and comments are stripped, since no extraction stage reads them and
  on real pages they are most of the bytes; then the markup is cut after
  ``MAX_MARKUP_CHARS`` characters or ``MAX_TAGS`` tags. The lxml tree and the
  trafilatura copies of it are what cost memory (~0.7 KB per element), so the
  tag count is what keeps a dense page's peak RSS bounded.
- **The article** (:func:`cap_article`, in ``normalize``): title, byline,
  paragraph count and body characters, each cut at its limit.

Either cut is recorded in ``Article.cut``; ``normalize.suspect_reason`` then names it,
so a cut article becomes a version only once it persists (like any broken-looking
read). The limits are several times the largest of 536 real pages in the shared
corpus (title 144 characters, byline 92, 770 paragraphs, 116,326 body characters,
1.0 MB of markup and 19,209 tags once scripts and styles are out), so no real
article comes near them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from monitor.models import Article

MAX_TITLE_CHARS = 500
MAX_BYLINE_CHARS = 300
MAX_PARAGRAPHS = 3000
MAX_BODY_CHARS = 500_000
#: markup left once scripts, styles and comments are out
MAX_MARKUP_CHARS = 2_000_000
MAX_TAGS = 60_000
#: a JSON-LD block longer than this is dropped: json.loads would cost ~10× its size
MAX_JSONLD_CHARS = 1_000_000
#: ``Article.cut`` entry of a page cut before parsing
PAGE_CUT = f"page larger than {MAX_MARKUP_CHARS:,} characters or {MAX_TAGS:,} tags of markup"

_ELLIPSIS = "…"

# What the scanner stops at. Comments, <title> and <textarea> are matched so that a
# "<script" written inside them is not taken for a tag (as an HTML tokenizer would not).
_OPENER = re.compile(r"<!--|<(script|style|title|textarea)(?=[\s/>])", re.IGNORECASE)
_CLOSERS = {
    name: re.compile(rf"</{name}[\s/>]", re.IGNORECASE)
    for name in ("script", "style", "title", "textarea")
}
_COMMENT_END = re.compile(r"--!?>")
_JSONLD = re.compile(r"""type\s*=\s*["']?[^"'>]*ld\+json""", re.IGNORECASE)


@dataclass(frozen=True)
class BoundedPage:
    """The markup the extractor parses, and whether a limit cut it."""

    markup: str
    cut: bool


def bound_page(html: str) -> BoundedPage:
    """``html`` without scripts (but JSON-LD), styles and comments, cut at the page
    limits. Linear in the page size: every search moves forward."""
    parts: list[str] = []
    kept = 0
    pos = 0
    while (found := _OPENER.search(html, pos)) is not None:
        start = found.start()
        parts.append(html[pos:start])
        kept += start - pos
        if found.group(1) is None:  # a comment; unclosed, it runs to the end
            end = _COMMENT_END.search(html, found.end())
            pos = end.end() if end else len(html)
            continue
        name = found.group(1).lower()
        close = _CLOSERS[name].search(html, found.end())
        # unclosed, the element's raw text runs to the end of the document
        stop = close.start() if close else len(html)
        after = html.find(">", stop) + 1 if close else len(html)
        after = after or len(html)
        element = html[start:after]
        if name in ("title", "textarea") or (
            name == "script"
            and _JSONLD.search(element[: element.find(">") + 1])
            and stop - found.end() <= MAX_JSONLD_CHARS
        ):
            parts.append(element)
            kept += len(element)
        pos = after
        if kept > MAX_MARKUP_CHARS:
            break
    if pos < len(html) and kept <= MAX_MARKUP_CHARS:
        parts.append(html[pos : pos + MAX_MARKUP_CHARS + 1 - kept])
    markup = "".join(parts)
    cut = len(markup) > MAX_MARKUP_CHARS
    markup = markup[:MAX_MARKUP_CHARS]
    tag_end = _nth_tag(markup, MAX_TAGS)
    if tag_end is not None:
        markup, cut = markup[:tag_end], True
    return BoundedPage(markup, cut)


def _nth_tag(markup: str, n: int) -> int | None:
    """Where the ``n``-th "<" of ``markup`` is, or None when it has fewer."""
    if markup.count("<") < n:  # the common case, in one C-speed pass
        return None
    pos = -1
    for _ in range(n):
        pos = markup.find("<", pos + 1)
    return pos


def _cut_text(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + _ELLIPSIS


def cap_article(article: Article) -> Article:
    """The article within the limits; what was cut is added to ``article.cut``.

    Idempotent: a capped article is within every limit, so capping again changes
    nothing.
    """
    cut: list[str] = []
    title, byline, body = article.title, article.byline, article.body
    if len(title) > MAX_TITLE_CHARS:
        title = _cut_text(title, MAX_TITLE_CHARS)
        cut.append(f"title longer than {MAX_TITLE_CHARS} characters")
    if len(byline) > MAX_BYLINE_CHARS:
        byline = _cut_text(byline, MAX_BYLINE_CHARS)
        cut.append(f"byline longer than {MAX_BYLINE_CHARS} characters")
    if len(body) > MAX_PARAGRAPHS:
        body = body[:MAX_PARAGRAPHS]
        cut.append(f"more than {MAX_PARAGRAPHS} paragraphs")
    if sum(map(len, body)) > MAX_BODY_CHARS:
        body = _cut_body(body, MAX_BODY_CHARS)
        cut.append(f"body longer than {MAX_BODY_CHARS} characters")
    if not cut:
        return article
    return replace(article, title=title, byline=byline, body=body, cut=(*article.cut, *cut))


def _cut_body(body: tuple[str, ...], limit: int) -> tuple[str, ...]:
    kept: list[str] = []
    room = limit
    for paragraph in body:
        if len(paragraph) > room:
            if room > 1:
                kept.append(_cut_text(paragraph, room))
            break
        kept.append(paragraph)
        room -= len(paragraph)
    return tuple(kept)
