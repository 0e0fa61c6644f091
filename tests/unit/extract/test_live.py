"""Live blogs read as a summary plus posts, and their diffs classified post by post."""

from __future__ import annotations

import gzip
import json

import pytest

from monitor.compare.classify import classify
from monitor.compare.diff import diff_versions
from monitor.extract.cascade import extract
from monitor.extract.normalize import normalize
from monitor.models import Article, Version
from tests.support.paths import CORPUS

SUMMARY = (
    "Follow our coverage as the spring storm crosses the coast near Port Hollis tonight.",
    "Evacuation orders are in place for three river districts until further notice.",
)
POSTS = {
    1: ("The storm made landfall near Port Hollis shortly after nine, forecasters said.",),
    2: ("Winds reached 120 km/h at the harbour mouth, according to the coast guard.",),
    3: ("Power is out for about 40,000 homes in the county, the utility said.",),
    4: (
        "The mayor said shelters at two schools will stay open overnight for evacuees.",
        "Buses leave the central station every half hour for the shelters, she added.",
    ),
}


def page(posts: dict[int, tuple[str, ...]], *, summary=SUMMARY, jsonld: bool = True) -> str:
    """A live blog with ``posts`` (number → paragraphs), newest (highest number) first."""
    items = "".join(
        f'<article class="live-post" id="p{n}"><time datetime="2024-03-04T1{n}:00:00Z">1{n}:00'
        "</time>" + "".join(f"<p>{t}</p>" for t in paras) + "</article>"
        for n, paras in sorted(posts.items(), reverse=True)
    )
    ld = (
        '<script type="application/ld+json">{"@type": "LiveBlogPosting", "headline": '
        '"Storm: live updates", "coverageEndTime": "2024-03-05T09:00:00+01:00"}</script>'
        if jsonld
        else ""
    )
    return (
        f"<html><head><title>Storm: live updates</title>{ld}</head><body><main>"
        "<h1>Storm: live updates</h1><div class='summary'>"
        + "".join(f"<p>{s}</p>" for s in summary)
        + f"</div><div class='live-blog'>{items}</div></main></body></html>"
    )


def read(html: str) -> Article:
    return normalize(extract(html, "https://news.example/live/storm"))


def verdict(old: str, new: str):
    a, b = read(old), read(new)
    va = Version(1, 1, "t", a.title, a.byline, a.body_text, "a")
    vb = Version(2, 1, "t", b.title, b.byline, b.body_text, "b")
    return classify(diff_versions(va, vb), live=b.live)


def test_a_live_blog_is_read_as_summary_then_posts_newest_first() -> None:
    """The summary paragraphs come first, then each post's paragraphs, newest post first;
    the coverage end and the newest post's time are read as UTC."""
    article = read(page({1: POSTS[1], 2: POSTS[2]}))
    assert article.body == (*SUMMARY, *POSTS[2], *POSTS[1])
    assert article.live is not None and article.live.posts == ((2, 1), (3, 1))
    assert article.live.ended_at == "2024-03-05T08:00:00Z"
    assert article.live.newest_post_at == "2024-03-04T12:00:00Z"


def test_posts_named_live_are_a_live_blog_without_json_ld() -> None:
    """Sibling ``live-post`` containers make a live blog even with no schema.org type."""
    article = read(page({1: POSTS[1], 2: POSTS[2]}, jsonld=False))
    assert article.live is not None and len(article.live.posts) == 2


def test_json_ld_updates_alone_give_the_posts() -> None:
    """A LiveBlogPosting whose posts are only in ``liveBlogUpdate`` is read from there,
    newest first by their own times."""
    ld = {
        "@type": "LiveBlogPosting",
        "headline": "Count: live",
        "liveBlogUpdate": [
            {"@type": "BlogPosting", "datePublished": "2024-03-04T10:00:00Z",
             "articleBody": "Polls have closed across the state at eight."},
            {"@type": "BlogPosting", "datePublished": "2024-03-04T11:00:00Z",
             "articleBody": "The first results come from the northern districts."},
        ],
    }  # fmt: skip
    html = (
        f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head>'
        "<body><article><h1>Count: live</h1><p>We follow the count through the night with "
        "our reporters in every district.</p></article></body></html>"
    )
    article = read(html)
    assert article.live is not None
    assert article.body[-2:] == (
        "The first results come from the northern districts.",
        "Polls have closed across the state at eight.",
    )


def test_a_rail_of_dated_posts_is_not_a_live_blog() -> None:
    """A related-stories list of dated "post" items never makes an article a live blog."""
    rail = "".join(
        f'<div class="post-item"><time datetime="2024-03-0{n}">{n} March</time>'
        f"<p>Other story number {n} about something else entirely.</p></div>"
        for n in range(1, 6)
    )
    html = (
        "<html><body><article><h1>Council budget</h1><p>The council passed its budget on "
        f"Monday by seven votes to two.</p></article><div class='more'>{rail}</div></body></html>"
    )
    assert read(html).live is None


def test_a_new_post_is_a_live_update_never_silent() -> None:
    """Posts added at the top are ``live_update`` alone, not silent, one per post."""
    result = verdict(page({1: POSTS[1], 2: POSTS[2]}), page(POSTS))
    assert result.kinds == ("live_update",) and not result.silent
    assert result.summary == "2 new live posts"


def test_an_edited_earlier_post_is_classified_as_usual() -> None:
    """A figure changed in an earlier post, with no note, is a silent ``numbers`` edit."""
    edited = {**POSTS, 2: (POSTS[2][0].replace("120", "150"),)}
    result = verdict(page(POSTS), page(edited))
    assert "numbers" in result.kinds and "live_update" not in result.kinds and result.silent


def test_a_paragraph_added_to_an_earlier_post_or_the_summary_is_paragraph_added() -> None:
    """Only a wholly new post is a live update: a paragraph slipped into an existing post,
    or into the summary above the posts, is a silent ``paragraph_added``."""
    grown = {**POSTS, 3: (*POSTS[3], "The utility did not give a time for repairs to end.")}
    result = verdict(page(POSTS), page(grown))
    assert "paragraph_added" in result.kinds and result.silent
    summary = (*SUMMARY, "Officials urged residents to stay away from the riverbanks tonight.")
    result = verdict(page(POSTS), page(POSTS, summary=summary))
    assert "paragraph_added" in result.kinds and "live_update" not in result.kinds
    assert result.silent


def test_a_removed_earlier_post_is_paragraph_removed() -> None:
    """Deleting a post from the middle of the blog is a silent ``paragraph_removed``."""
    result = verdict(page(POSTS), page({n: p for n, p in POSTS.items() if n != 2}))
    assert "paragraph_removed" in result.kinds and result.silent


def test_oldest_posts_pushed_off_the_page_by_new_ones_are_part_of_the_update() -> None:
    """A page showing the latest posts drops its oldest as new ones arrive: one live update."""
    result = verdict(
        page({1: POSTS[1], 2: POSTS[2], 3: POSTS[3]}), page({2: POSTS[2], 3: POSTS[3], 4: POSTS[4]})
    )
    assert result.kinds == ("live_update",) and not result.silent


def _corpus_pages() -> list[tuple[str, str]]:
    if not CORPUS.is_dir():
        return []
    found = []
    for path in sorted(CORPUS.rglob("*.html*")):
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        text = raw.decode("utf-8", "replace")
        if "liveblog" in text.lower() or "live-blog" in text.lower():
            found.append((path.name, text))
    return found


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus beside the repository")
def test_corpus_pages_are_live_only_when_marked_live() -> None:
    """Real pages that mention live blogs (links, nav) are read as live blogs only when
    their JSON-LD says LiveBlogPosting."""
    pages = _corpus_pages()
    if not pages:
        pytest.skip("no corpus page mentions a live blog")
    for name, text in pages:
        marked = "liveblogposting" in text.lower()
        assert (read(text).live is not None) == marked, name
