"""Live blogs: recognize them and cut their body into a summary and posts (pure).

A live blog grows at the top: each new post lands above the last one. Read as an
ordinary article, every post is a silent ``paragraph_added``; read as posts, a new
post is a ``live_update`` and an edit of an earlier post is an edit as usual
(``monitor.compare.classify``).

A page is a live blog when its JSON-LD says ``LiveBlogPosting``, when microdata marks
``liveBlogUpdate`` elements, or when sibling post containers carry a "live" class
(``live-post``, ``liveblog-entry``, inside a ``live-blog`` container). The posts come
from the page's containers when there are any, else from JSON-LD ``liveBlogUpdate``.
The body is then the summary (the article's other paragraphs, in order) followed by
the posts' paragraphs, newest post first. A class name alone never makes a page live
unless it says "live": related-story rails are lists of dated "post" items too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from monitor.extract.meta import text_of
from monitor.extract.normalize import clean_text
from monitor.models import LiveBlog

#: Fewest posts a page needs before a "live" container is believed (one box named
#: "live-update" is a ticker, not a blog).
MIN_DOM_POSTS = 2
#: A post container's class or id, when it names a live post.
_LIVE_POST = re.compile(
    r"(?:^|[\s_-])(?:live[-_]?(?:blog)?[-_]?(?:post|update|entry|item|event)s?|"
    r"liveblog[-_]?(?:post|update|entry|item)?s?|lb[-_](?:post|entry|item))(?:$|[\s_-])",
    re.IGNORECASE,
)
_LIVE_AREA = re.compile(r"live[-_]?blog|liveblog|live[-_]?(?:ticker|coverage|updates|feed)", re.I)
_POST_BLOCKS = ("p", "h2", "h3", "h4", "li", "blockquote", "pre")
_FURNITURE_ANCESTORS = frozenset({"aside", "nav", "footer"})


def live_blog(
    root: Any, summary: tuple[str, ...], node: dict[str, Any] | None
) -> tuple[tuple[str, ...], LiveBlog] | None:
    """The live blog's body (summary, then posts newest first) and its posts, or None.

    ``summary`` is what the cascade read as the body: paragraphs that belong to a post
    are taken out of it, the rest is the summary above the posts. ``node``: the page's
    JSON-LD ``LiveBlogPosting`` (``meta.linked_data``), if any.
    """
    posts = _dom_posts(root)
    if posts is None:
        if node is None:
            return None
        posts = _ld_posts(node)
    bodies = [paragraphs for paragraphs, _ in posts if paragraphs]
    in_posts = {p for paragraphs in bodies for p in paragraphs}
    joined = "\n".join(in_posts)
    kept = tuple(p for p in summary if p not in in_posts and not (len(p) > 40 and p in joined))
    body = list(kept)
    ranges = []
    for paragraphs in bodies:
        ranges.append((len(body), len(paragraphs)))
        body.extend(paragraphs)
    times = [t for paragraphs, t in posts if paragraphs and t]
    ended = _str(node.get("coverageEndTime")) if node is not None else None
    return tuple(body), LiveBlog(tuple(ranges), ended or None, max(times) if times else None)


def _str(value: Any) -> str:
    return clean_text(value) if isinstance(value, str) else ""


Post = tuple[tuple[str, ...], str | None]


def _ld_posts(node: dict[str, Any]) -> list[Post]:
    """Posts from JSON-LD ``liveBlogUpdate``, newest first (by their own time when given)."""
    updates = node.get("liveBlogUpdate")
    items = updates if isinstance(updates, list) else [updates] if isinstance(updates, dict) else []
    posts: list[Post] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        texts = [_str(item.get("headline"))]
        body = item.get("articleBody")
        if isinstance(body, str):
            texts.extend(re.split(r"\n\s*\n|\r?\n", body))
        paragraphs = tuple(t for text in texts if (t := clean_text(text)))
        posts.append((paragraphs, _str(item.get("datePublished")) or None))
    if all(t for _, t in posts):
        posts.sort(key=lambda post: post[1] or "", reverse=True)
    return posts


def _dom_posts(root: Any) -> list[Post] | None:
    """Posts from the page's own containers, in page order; None when it shows none."""
    marked, named = _scan(root)
    group = _outermost(marked) if marked else _live_group(named)
    if not group:
        return None
    return [(_post_paragraphs(el), _post_time(el)) for el in group]


def _scan(root: Any) -> tuple[list[Any], list[Any]]:
    """One pass over the page (an XPath per test costs more): the elements microdata marks
    ``liveBlogUpdate``, and those whose class or id mentions "live" (or "lb-")."""
    marked, named = [], []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        prop = el.get("itemprop")
        if prop and "liveblogupdate" in prop.lower():
            marked.append(el)
        names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
        if "live" in names or "lb-" in names or "lb_" in names:
            named.append(el)
    return marked, named


def _live_group(named: list[Any]) -> list[Any]:
    """The largest set of sibling containers named as live posts (or inside a live area)."""
    best: list[Any] = []
    for parent in _candidate_parents(named):
        if _furniture(parent):
            continue
        groups: dict[tuple[str, str], list[Any]] = {}
        for child in parent:
            if isinstance(child.tag, str):
                groups.setdefault((child.tag, child.get("class") or ""), []).append(child)
        for (_, klass), members in groups.items():
            if len(members) < MIN_DOM_POSTS or len(members) <= len(best):
                continue
            names = f"{klass} {members[0].get('id') or ''}"
            if _LIVE_POST.search(names) or (
                _in_live_area(parent) and sum(_post_time(m) is not None for m in members) >= 2
            ):
                best = members
    return best


def _candidate_parents(named: list[Any]) -> list[Any]:
    """Elements whose children may be live posts: the parents of elements named "live",
    and the containers inside a live area (most pages have neither)."""
    parents: dict[int, Any] = {}
    for el in named:
        parent = el.getparent()
        if parent is not None:
            parents.setdefault(id(parent), parent)
        if _LIVE_AREA.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            for inner in (el, *el.iterdescendants()):
                if isinstance(inner.tag, str) and len(inner) >= MIN_DOM_POSTS:
                    parents.setdefault(id(inner), inner)
    return list(parents.values())


def _in_live_area(el: Any) -> bool:
    for node in (el, *el.iterancestors()):
        if _LIVE_AREA.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
    return False


def _furniture(el: Any) -> bool:
    return any(a.tag in _FURNITURE_ANCESTORS for a in (el, *el.iterancestors()))


def _outermost(elements: Iterable[Any]) -> list[Any]:
    chosen = list(elements)
    inside = {id(el) for el in chosen for other in chosen if other in el.iterancestors()}
    return [el for el in chosen if id(el) not in inside and not _furniture(el)]


def _post_paragraphs(post: Any) -> tuple[str, ...]:
    """A post's paragraphs: its block elements (outermost), else its whole text."""
    blocks = [el for el in post.iter(*_POST_BLOCKS) if el is not post]
    blocks = [el for el in blocks if not any(a in blocks for a in el.iterancestors())]
    texts = [text_of(el) for el in blocks] if blocks else [text_of(post)]
    return tuple(t for t in texts if t)


def _post_time(post: Any) -> str | None:
    for el in post.iter("time"):
        value = (el.get("datetime") or "").strip()
        if value:
            return value
    for el in post.iter("meta"):
        if (el.get("itemprop") or "").lower() == "datepublished" and el.get("content"):
            return str(el.get("content")).strip()
    return None
