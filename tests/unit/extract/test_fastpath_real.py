"""The fast path on real news pages (../shared/corpus beside the repo).

Every page of the corpus (the AEB body benchmark, Readability's test pages and the
version captures) is read once by the full cascade, as ``gather.read_page`` does, and
fingerprinted. The pages are split for good by the SHA-1 of their path under the
corpus: an even first byte is the half the fast path was tuned on, an odd one the
held-out half these tests measure. Measured on the held-out half when this file was
written: 238 of its 249 article pages (95.6 %) get a fingerprint (the pages with no
body, RSS files and empty captures, are not article pages).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from monitor.extract import fingerprint as fastpath
from monitor.extract import region
from monitor.extract.cascade import extract
from monitor.extract.normalize import content_hash, normalize
from monitor.models import Article
from tests.support.paths import CORPUS

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS} (only in the dev setup)"
    ),
]

#: Share of held-out article pages that must get a fingerprint (measured: 95.6 %).
COVERAGE_FLOOR = 0.94
_WORD = re.compile(r"[A-Za-z]{5,}")


@dataclass(frozen=True)
class Page:
    path: str
    html: str
    article: Article
    digest: str
    fingerprint: fastpath.Fingerprint | None
    why: str


def _read(path: Path) -> str:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("utf-8", "replace")


def _held_out() -> Iterator[Path]:
    found = [
        *(CORPUS / "pages" / "scrapinghub-aeb" / "html").glob("*.html.gz"),
        *(CORPUS / "pages" / "mozilla-readability").glob("*/source.html"),
        *(CORPUS / "versions").rglob("*.html"),
    ]
    for path in sorted(found):
        relative = path.relative_to(CORPUS).as_posix()
        if hashlib.sha1(relative.encode()).digest()[0] % 2 == 1:
            yield path


def _cascade(html: str) -> Article:
    return normalize(extract(html, ""))


@pytest.fixture(scope="module")
def pages() -> list[Page]:
    """The held-out article pages, each read by the cascade and fingerprinted."""
    out = []
    for path in _held_out():
        html = _read(path)
        article = _cascade(html)
        if not article.body:
            continue  # not an article page: a feed, an empty capture, an error page
        digest = content_hash(article)
        found = fastpath.take(html, article, digest, {}, learn_read=True)
        why = "ok" if found is not None else fastpath.explain(html, article, {})
        out.append(Page(path.relative_to(CORPUS).as_posix(), html, article, digest, found, why))
    return out


def _furnished(html: str, n: int) -> str:
    """The page with changing furniture: a link in its first <nav> (or a new <nav> at the
    top of <body>) and a box of "latest stories" before </body>."""
    box = (
        f'<div class="latest-box"><h2>Latest stories {n}</h2><ul><li><a href="/x/{n}">A council '
        f"far away voted {n} to {n + 1} on a long motion about the harbour budget.</a></li></ul>"
        f"<p>This page was generated for reader {n}, a long sentence that reads like prose.</p>"
        "</div>"
    )
    link = f'<a href="/section/{n}">Section {n} headlines for readers</a>'
    end = re.search(r"</body\s*>", html, re.I)
    html = html[: end.start()] + box + html[end.start() :] if end else html + box
    if nav := re.search(r"<nav\b[^>]*>", html, re.I):
        return html[: nav.end()] + link + html[nav.end() :]
    if body := re.search(r"<body\b[^>]*>", html, re.I):
        return html[: body.end()] + f"<nav>{link}</nav>" + html[body.end() :]
    return html


def _one_word_edits(page: Page) -> Iterator[str]:
    """The page with the longest word of its first, middle or last body paragraph
    replaced where the HTML first has it."""
    body = page.article.body
    for index in sorted({0, len(body) // 2, len(body) - 1}):
        words = _WORD.findall(body[index])
        if not words:
            continue
        word = max(words, key=len)
        if hit := re.search(rf"(?<![A-Za-z]){word}(?![A-Za-z])", page.html):
            yield page.html[: hit.start()] + "Zebrafish" + page.html[hit.end() :]


def test_most_held_out_article_pages_get_a_fingerprint(pages: list[Page]) -> None:
    """At least COVERAGE_FLOOR of the held-out article pages are fingerprinted after their
    first full read, so their revisits can skip the extraction cascade."""
    assert len(pages) > 200
    covered = sum(1 for p in pages if p.fingerprint is not None)
    misses = sorted(f"{p.why}: {p.path}" for p in pages if p.fingerprint is None)
    assert covered / len(pages) >= COVERAGE_FLOOR, "\n".join(misses)


def test_every_fingerprint_matches_its_own_page(pages: list[Page]) -> None:
    """Locating a fingerprint on the very page it was taken from gives the same digest."""
    stale = [
        p.path for p in pages if p.fingerprint and not fastpath.matches(p.html, p.fingerprint, {})
    ]
    assert not stale, stale


def test_changing_furniture_outside_the_article_keeps_the_digest(pages: list[Page]) -> None:
    """A changing <nav> link and a changing box before </body> leave the digest as it was,
    on every fingerprinted page whose article is not the whole page body."""
    checked, broken = 0, []
    for page in pages:
        if page.fingerprint is None:
            continue
        locator = json.loads(page.fingerprint.locator)
        if len(locator["body"]) <= 2:  # the region is <html> or <body>: no "outside"
            continue
        checked += 1
        for n in (1, 2):
            if not fastpath.matches(_furnished(page.html, n), page.fingerprint, {}):
                broken.append(page.path)
                break
    assert checked > 200
    assert not broken, broken


def test_a_one_word_edit_in_the_article_is_never_reported_unchanged(pages: list[Page]) -> None:
    """A word replaced in a body paragraph, wherever the cascade then reads a different
    article: the fast path's digest changes (or the region is gone), and a region read,
    when its learned rule allows one, gives exactly the cascade's article or declines."""
    edits, missed, wrong = 0, [], []
    for page in pages:
        if page.fingerprint is None:
            continue
        for edited in _one_word_edits(page):
            after = _cascade(edited)
            if content_hash(after) == page.digest:
                continue  # not an edit of the article as the cascade reads it
            edits += 1
            located = fastpath.locate(edited, page.fingerprint, {})
            if located is None:
                continue
            if located.digest == page.fingerprint.digest:
                missed.append(page.path)
                continue
            rule = located.locator.get("read")
            got = rule and region.read(
                located.root, located.region, located.lines, rule, {}, "", edited
            )
            if got and got != after:
                wrong.append(page.path)
    assert edits > 250
    assert not missed, missed
    assert not wrong, wrong
