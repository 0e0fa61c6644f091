"""The change page's diff: the edited rows first, unchanged runs collapsed, evidence marked.

Article text is untrusted: every piece of it goes through ``html.escape`` here
and only the fixed tags ``del``, ``ins`` and ``mark`` are added around it.

Everything here is pure and may be slow on big texts: the pages call ``build_view``
through ``web.off_loop`` (a worker thread), and only after ``too_large`` said the
versions are of a size that renders in about a second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from monitor.compare.classify import classify
from monitor.compare.diff import diff_versions
from monitor.compare.render import inline_html, replaced_html, side_html
from monitor.models import ParagraphOp, Version, VersionDiff

#: Beyond these a diff is not rendered inline. Paragraph alignment is quadratic in the
#: paragraphs between the identical head and tail (measured alone on this machine:
#: 200 × 200 rewritten paragraphs 0.8 s, 290 × 290 1.8 s), and a word diff of a 1 MB
#: headline takes 5 s. A long article with one edit has a middle of one paragraph
#: whatever its length, so a 500-paragraph live blog with a new post still renders.
MAX_FIELD_CHARS = 2_000
MAX_BODY_CHARS = 500_000
MAX_PARAGRAPHS = 3_000
MAX_MIDDLE_PAIRS = 200 * 200


@dataclass(frozen=True)
class SideRow:
    """One aligned row of the side-by-side view: escaped HTML for each side."""

    label: str  # "Title", "Byline", "¶3", "¶2 → ¶5"
    kind: str  # equal, changed, added, removed, moved
    old_html: str
    new_html: str
    evidence_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """A run of rows: ``edit`` rows are shown, ``same`` rows are collapsed under a label."""

    kind: str  # "edit" or "same"
    rows: tuple[SideRow, ...]
    label: str = ""


@dataclass(frozen=True)
class DiffView:
    rows: tuple[SideRow, ...]  # every row, unchanged ones included (the full side by side)
    blocks: tuple[Block, ...]  # the same rows, unchanged runs collapsed
    title_html: str  # the headline as an inline word diff ("" when unchanged)


def _middle(old: list[str], new: list[str]) -> tuple[int, int]:
    """Paragraphs of each side left once the identical head and tail are set aside."""
    head, shortest = 0, min(len(old), len(new))
    while head < shortest and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < shortest - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return len(old) - head - tail, len(new) - head - tail


def too_large(old: Version, new: Version) -> str | None:
    """Why this pair is not rendered inline, in words; None when it renders in about a
    second. Cheap (lengths, one split): it runs on the event loop before work is queued."""
    for name, field in (("headline", "title"), ("byline", "byline")):
        size = max(len(getattr(old, field)), len(getattr(new, field)))
        if size > MAX_FIELD_CHARS:
            return f"a {name} of {size:,} characters (the limit is {MAX_FIELD_CHARS:,})"
    size = max(len(old.body), len(new.body))
    if size > MAX_BODY_CHARS:
        return f"a text of {size:,} characters (the limit is {MAX_BODY_CHARS:,})"
    before, after = list(old.paragraphs), list(new.paragraphs)
    count = max(len(before), len(after))
    if count > MAX_PARAGRAPHS:
        return f"{count:,} paragraphs (the limit is {MAX_PARAGRAPHS:,})"
    changed = _middle(before, after)
    if changed[0] * changed[1] > MAX_MIDDLE_PAIRS:
        return (
            f"{changed[0]:,} paragraphs rewritten into {changed[1]:,} "
            f"(the limit is {MAX_MIDDLE_PAIRS:,} pairs to align)"
        )
    return None


def mark(text: str, needles: tuple[str, ...]) -> str:
    """Escape ``text``, wrapping every occurrence of a needle in ``<mark>``."""
    found = [n for n in needles if n and n in text]
    if not found:
        return escape(text)
    pattern = re.compile("|".join(re.escape(n) for n in sorted(found, key=len, reverse=True)))
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _evidence_for(text: str | None, evidence: list[dict], fields: set[str]) -> tuple[str, ...]:
    if not text:
        return ()
    kinds = []
    for item in evidence:
        if item.get("field") not in fields:
            continue
        needles = [item.get("text"), item.get("old"), item.get("new")]
        if any(n and (n in text or text in n) for n in needles) and item["kind"] not in kinds:
            kinds.append(item["kind"])
    return tuple(kinds)


#: evidence that names a whole paragraph: marking it would hide the word diff under it
_WHOLE_PARAGRAPH = frozenset({"paragraph_added", "paragraph_removed", "moved", "minor"})


def _needles(evidence: list[dict], field: str) -> tuple[str, ...]:
    return tuple(
        e["text"]
        for e in evidence
        if e.get("field") == field and e.get("text") and e.get("kind") not in _WHOLE_PARAGRAPH
    )


def _label(p: ParagraphOp) -> str:
    old = f"¶{p.old_index + 1}" if p.old_index is not None else ""
    new = f"¶{p.new_index + 1}" if p.new_index is not None else ""
    if old and new and old != new:
        return f"{old} → {new}"
    return old or new


def _paragraph_row(p: ParagraphOp, evidence: list[dict]) -> SideRow:
    needles = _needles(evidence, "body")
    found = _evidence_for(p.old, evidence, {"body"}) + _evidence_for(p.new, evidence, {"body"})
    kinds = tuple(dict.fromkeys(found))
    if p.kind == "added":
        old_html, new_html = "", f"<ins>{mark(p.new or '', needles)}</ins>"
    elif p.kind == "removed":
        old_html, new_html = f"<del>{mark(p.old or '', needles)}</del>", ""
    elif p.ops:
        old_html, new_html = side_html(p.ops, "delete"), side_html(p.ops, "insert")
    else:
        old_html, new_html = mark(p.old or "", needles), mark(p.new or "", needles)
    return SideRow(_label(p), p.kind, old_html, new_html, kinds if p.kind != "equal" else ())


def side_by_side(diff: VersionDiff, evidence: list[dict]) -> list[SideRow]:
    """Title, byline, then every aligned paragraph pair (unchanged ones included)."""
    result = []
    for field in (diff.title, diff.byline):
        if field.changed and field.ops:
            old_html, new_html = side_html(field.ops, "delete"), side_html(field.ops, "insert")
        elif field.changed:
            old_html = f"<del>{escape(field.old)}</del>"
            new_html = f"<ins>{escape(field.new)}</ins>"
        else:
            old_html = new_html = escape(field.new)
        kinds = tuple(dict.fromkeys(e["kind"] for e in evidence if e.get("field") == field.name))
        state = "changed" if field.changed else "equal"
        label = "Headline" if field.name == "title" else field.name.capitalize()
        result.append(SideRow(label, state, old_html, new_html, kinds if field.changed else ()))
    result.extend(_paragraph_row(p, evidence) for p in diff.paragraphs)
    return result


def _same_label(rows: list[SideRow]) -> str:
    """ "Headline, byline and 2 paragraphs (¶1–¶2) unchanged" """
    parts = [r.label.lower() for r in rows if not r.label.startswith("¶")]
    paragraphs = [r for r in rows if r.label.startswith("¶")]
    if paragraphs:
        # numbered as in the newer version ("¶5 → ¶6" rows are ¶6 there)
        first, last = (r.label.split(" → ")[-1] for r in (paragraphs[0], paragraphs[-1]))
        span = first if len(paragraphs) == 1 else f"{first}–{last}"
        noun = "paragraph" if len(paragraphs) == 1 else "paragraphs"
        parts.append(f"{len(paragraphs)} {noun} ({span})")
    text = parts[-1] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{text[0].upper()}{text[1:]} unchanged"


def collapse(rows: list[SideRow]) -> tuple[Block, ...]:
    """Runs of edited rows, and runs of unchanged rows folded under one label each."""
    blocks: list[Block] = []
    run: list[SideRow] = []
    for row in rows:
        if run and (row.kind == "equal") != (run[-1].kind == "equal"):
            blocks.append(_block(run))
            run = []
        run.append(row)
    if run:
        blocks.append(_block(run))
    return tuple(blocks)


def _block(run: list[SideRow]) -> Block:
    if run[0].kind == "equal":
        return Block("same", tuple(run), _same_label(run))
    return Block("edit", tuple(run))


def _view(diff: VersionDiff, evidence: list[dict]) -> DiffView:
    rows = side_by_side(diff, evidence)
    title = ""
    if diff.title.changed:
        title = inline_html(diff.title.ops) if diff.title.ops else replaced_html(
            diff.title.old, diff.title.new
        )
    return DiffView(tuple(rows), collapse(rows), title)


def build_view(old: Version, new: Version, evidence: list[dict]) -> DiffView:
    """The whole view of one version pair (CPU-bound: call it off the event loop)."""
    return _view(diff_versions(old, new), evidence)


@dataclass(frozen=True)
class Reading:
    """Two arbitrary versions read as one change (the compare page)."""

    kinds: tuple[str, ...]
    silent: bool
    summary: str
    evidence: tuple[dict, ...]


def compare_view(old: Version, new: Version) -> tuple[DiffView, Reading]:
    """Diff and classify any two versions of an article (CPU-bound: off the event loop)."""
    diff = diff_versions(old, new)
    verdict = classify(diff)
    evidence = [
        {"kind": e.kind, "field": e.field, "text": e.text, "old": e.old, "new": e.new}
        for e in verdict.evidence
    ]
    reading = Reading(verdict.kinds, verdict.silent, verdict.summary, tuple(evidence))
    return _view(diff, evidence), reading


def evidence_html(item: dict, limit: int = 2_000) -> str:
    """One evidence entry: the triggering text marked, old/new shown as del/ins (each
    cut at ``limit`` characters: evidence of a 1 MB headline is shown, not all of it)."""

    def cut(text: str) -> str:
        return text if len(text) <= limit else text[: limit - 1] + "…"

    parts = [f"<mark>{escape(cut(item.get('text') or ''))}</mark>"]
    old, new = item.get("old"), item.get("new")
    if item.get("kind") == "moved" and old and new:
        parts.append(f' <span class="was">({escape(old)} → {escape(new)})</span>')
    elif old and new and old != item.get("text"):
        parts.append(f' <span class="was">was: <del>{escape(cut(old))}</del></span>')
    elif old and not new:
        parts = [f"<del><mark>{escape(cut(old))}</mark></del>"]
    return "".join(parts)
