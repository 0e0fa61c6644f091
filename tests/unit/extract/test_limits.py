"""Extraction limits: what a hostile page may cost, and how big an article may be."""

from __future__ import annotations

import json
import time

import pytest

from monitor.extract import limits
from monitor.extract.cascade import extract
from monitor.extract.limits import bound_page, cap_article
from monitor.extract.normalize import content_hash, normalize, suspect_reason
from monitor.models import Article
from tests.support.paths import CORPUS

PARA = (
    "<p>Paragraph {i}: the council voted on Tuesday to approve the budget, which funds "
    "schools, roads and a new library in the north of the city.</p>"
)


def _page(body: str, head: str = "<title>Budget passes | Gazette</title>") -> str:
    return f"<html><head>{head}</head><body><article><h1>Budget passes</h1>{body}</article></body></html>"


def test_scripts_and_styles_are_stripped_but_json_ld_is_kept() -> None:
    """The parser never sees scripts, styles or comments, but the JSON-LD the cascade
    reads the byline from survives, and the article reads as before."""
    ld = json.dumps(
        {"@type": "NewsArticle", "headline": "Budget passes", "author": {"name": "Ann Lee"}}
    )
    body = "".join(PARA.format(i=i) for i in range(5))
    html = _page(
        "<script>var junk = '<p>not text</p>';</script><style>p{color:red}</style>"
        "<!-- <p>a comment</p> -->" + body,
        head=f'<script type="application/ld+json">{ld}</script><title>Budget passes</title>',
    )
    page = bound_page(html)
    assert "var junk" not in page.markup and "color:red" not in page.markup
    assert "a comment" not in page.markup and "Ann Lee" in page.markup
    assert not page.cut
    article = normalize(extract(html, "https://example.org/a"))
    assert article.byline == "Ann Lee" and len(article.body) == 5 and article.cut == ()


def test_a_script_tag_inside_a_comment_or_title_does_not_swallow_the_page() -> None:
    """ "<script" written inside a comment or a <title> is text, as browsers read it: the
    paragraphs after it stay."""
    html = _page(
        "<!-- <script> -->" + PARA.format(i=1) + "<script>x()</script>" + PARA.format(i=2),
        head="<title>About <script> tags</title>",
    )
    markup = bound_page(html).markup
    assert "Paragraph 1" in markup and "Paragraph 2" in markup and "x()" not in markup
    assert "<title>About <script> tags</title>" in markup


def test_unclosed_scripts_and_comments_cost_linear_time() -> None:
    """200,000 unclosed "<script>" or "<!--" openers are handled in well under a second
    (no search restarts from every opener), and what follows an unclosed one is dropped
    as a browser would treat it (script text, comment)."""
    for opener in ("<script>", "<!--"):
        html = _page(PARA.format(i=0) + opener * 200_000 + PARA.format(i=1))
        start = time.perf_counter()
        markup = bound_page(html).markup
        assert time.perf_counter() - start < 1.0
        assert "Paragraph 0" in markup and "Paragraph 1" not in markup


def test_a_page_with_too_many_tags_is_cut_and_suspect() -> None:
    """A page past the tag limit is parsed only up to it: the article it starts with is
    read, marked cut, and suspect_reason names the page limit."""
    html = _page("".join(PARA.format(i=i) for i in range(5)) + "<span>x</span>" * limits.MAX_TAGS)
    page = bound_page(html)
    assert page.cut and page.markup.count("<") < limits.MAX_TAGS
    article = normalize(extract(html, "https://example.org/a"))
    assert [p[:12] for p in article.body[:5]] == [f"Paragraph {i}:" for i in range(5)]
    assert article.cut == (limits.PAGE_CUT,)
    assert suspect_reason(article, None) == f"exceeds extraction limits: {limits.PAGE_CUT}"


def test_a_huge_headline_is_cut_to_the_title_limit() -> None:
    """A 600 KB headline (h1, <title> and og:title) is cut to MAX_TITLE_CHARS with an
    ellipsis, and the read is suspect ("title longer than 500 characters")."""
    huge = "Budget " * 90_000
    html = (
        f"<html><head><title>{huge}</title><meta property='og:title' content='{huge}'></head>"
        f"<body><article><h1>{huge}</h1>"
        + "".join(PARA.format(i=i) for i in range(5))
        + "</article></body></html>"
    )
    article = normalize(extract(html, "https://example.org/a"))
    assert len(article.title) == limits.MAX_TITLE_CHARS and article.title.endswith("…")
    assert suspect_reason(article, None) == (
        f"exceeds extraction limits: title longer than {limits.MAX_TITLE_CHARS} characters"
    )


def test_caps_cut_byline_paragraphs_and_body_and_are_idempotent() -> None:
    """Byline, paragraph count and body length are each cut at their limit and named;
    capping (and normalizing) again changes nothing, so the content hash is stable."""
    article = Article(
        title="T",
        byline="B" * (limits.MAX_BYLINE_CHARS + 10),
        body=tuple(f"p{i}" for i in range(limits.MAX_PARAGRAPHS + 5)),
    )
    capped = cap_article(article)
    assert len(capped.byline) == limits.MAX_BYLINE_CHARS
    assert len(capped.body) == limits.MAX_PARAGRAPHS
    assert capped.cut == (
        f"byline longer than {limits.MAX_BYLINE_CHARS} characters",
        f"more than {limits.MAX_PARAGRAPHS} paragraphs",
    )
    assert cap_article(capped) == capped
    long_body = Article(title="T", body=("word " * 60_000, "word " * 60_000))
    cut = normalize(long_body)
    assert sum(map(len, cut.body)) <= limits.MAX_BODY_CHARS
    assert cut.cut == (f"body longer than {limits.MAX_BODY_CHARS} characters",)
    again = Article(title=cut.title, byline=cut.byline, body=cut.body)
    assert content_hash(again) == content_hash(cut)


def test_an_article_within_the_limits_is_untouched() -> None:
    """A normal article passes the caps as the very same object: nothing cut, not suspect."""
    article = Article(title="Budget passes", byline="Ann Lee", body=("One.", "Two."))
    assert cap_article(article) is article
    assert suspect_reason(article, None) is None


def test_a_twenty_megabyte_page_extracts_in_bounded_time() -> None:
    """A 20 MB page of distinct paragraphs (before the limits: minutes, and ~700 MB RSS)
    is read from its first 2 MB of markup within a minute on a loaded machine, cut and
    suspect. Peak memory is measured per page size in benchmarks/extraction_memory.py."""
    paras, size, i = [], 0, 0
    while size < 20_000_000:
        paras.append(PARA.format(i=i))
        size += len(paras[-1])
        i += 1
    html = _page("".join(paras))
    del paras
    start = time.perf_counter()
    article = normalize(extract(html, "https://example.org/a"))
    assert time.perf_counter() - start < 60
    assert article.body and article.body[0].startswith("Paragraph 0")
    assert limits.PAGE_CUT in article.cut and suspect_reason(article, None)


@pytest.mark.corpus
def test_no_real_page_comes_near_a_limit() -> None:
    """None of the corpus's real pages is cut by any limit (page or article)."""
    import gzip

    pages = [
        p
        for p in sorted(CORPUS.glob("**/*.html*"))
        if not p.name.startswith("expected") and p.suffix in (".html", ".gz")
    ]
    if not pages:
        pytest.skip(f"corpus not found at {CORPUS} (it lives beside the repo, not in it)")
    for path in pages:
        data = path.read_bytes()
        html = (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")
        assert not bound_page(html).cut, path.name
        assert normalize(extract(html, "https://example.org/a")).cut == (), path.name
