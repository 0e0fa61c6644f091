"""Live-blog diffs: which added paragraphs are new posts (pure; see monitor.extract.live).

A post whose every paragraph is new is one ``live_update``; anything else (an edit, an
addition or a removal in an earlier post or in the summary) is left to the usual
classification. Posts that drop off the bottom of the page while new ones arrive at the
top (a page showing the latest N posts) belong to the update.
"""

from __future__ import annotations

from monitor.models import Evidence, LiveBlog, ParagraphOp


def live_posts(ops: tuple[ParagraphOp, ...], live: LiveBlog, evidence: list[Evidence]) -> set[int]:
    """Evidence for the live blog's new posts; the ids of the ops they account for."""
    by_post: dict[int, list[ParagraphOp]] = {}
    for op in ops:
        post = live.post_of(op.new_index) if op.new_index is not None else None
        if post is not None:
            by_post.setdefault(post, []).append(op)
    taken: set[int] = set()
    for post in sorted(by_post):
        members = by_post[post]
        if all(op.kind == "added" and op.new is not None for op in members):
            text = "\n\n".join(op.new or "" for op in members)
            evidence.append(Evidence("live_update", "body", members[0].new or "", None, text))
            taken.update(id(op) for op in members)
    if taken:
        taken.update(id(op) for op in _rolled_off(ops))
    return taken


def _rolled_off(ops: tuple[ParagraphOp, ...]) -> list[ParagraphOp]:
    """Removed paragraphs that were the old page's last ones (its oldest posts, pushed
    to a next page by new posts at the top)."""
    old_count = sum(op.old_index is not None for op in ops)
    removed = sorted((op for op in ops if op.kind == "removed" and op.old_index is not None),
                     key=lambda op: op.old_index or 0)  # fmt: skip
    tail: list[ParagraphOp] = []
    for op in reversed(removed):
        if op.old_index != old_count - len(tail) - 1:
            break
        tail.append(op)
    return tail
