"""Side-by-side rows and evidence highlighting for the change page.

Article text is untrusted: every piece of it goes through ``html.escape`` here
and only the fixed tags ``del``, ``ins`` and ``mark`` are added around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from monitor.models import ParagraphOp, VersionDiff, WordOp


@dataclass(frozen=True)
class SideRow:
    """One aligned row of the side-by-side view: escaped HTML for each side."""

    label: str  # "Title", "Byline", "¶3", "¶2 → ¶5"
    kind: str  # equal, changed, added, removed, moved
    old_html: str
    new_html: str
    evidence_kinds: tuple[str, ...] = ()


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


def _side(ops: tuple[WordOp, ...], keep: str) -> str:
    tag = "del" if keep == "delete" else "ins"
    out = []
    for op in ops:
        if op.op == "equal":
            out.append(escape(op.text))
        elif op.op == keep:
            out.append(f"<{tag}>{escape(op.text)}</{tag}>")
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


def _needles(evidence: list[dict], field: str) -> tuple[str, ...]:
    return tuple(e["text"] for e in evidence if e.get("field") == field and e.get("text"))


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
        old_html, new_html = _side(p.ops, "delete"), _side(p.ops, "insert")
    else:
        old_html, new_html = mark(p.old or "", needles), mark(p.new or "", needles)
    return SideRow(_label(p), p.kind, old_html, new_html, kinds if p.kind != "equal" else ())


def side_by_side(diff: VersionDiff, evidence: list[dict]) -> list[SideRow]:
    """Title, byline, then every aligned paragraph pair (unchanged ones included)."""
    result = []
    for field in (diff.title, diff.byline):
        if field.changed and field.ops:
            old_html, new_html = _side(field.ops, "delete"), _side(field.ops, "insert")
        elif field.changed:
            old_html, new_html = (
                f"<del>{escape(field.old)}</del>",
                f"<ins>{escape(field.new)}</ins>",
            )
        else:
            old_html = new_html = escape(field.new)
        kinds = tuple(dict.fromkeys(e["kind"] for e in evidence if e.get("field") == field.name))
        result.append(
            SideRow(
                field.name.capitalize(),
                "changed" if field.changed else "equal",
                old_html,
                new_html,
                kinds if field.changed else (),
            )
        )
    result.extend(_paragraph_row(p, evidence) for p in diff.paragraphs)
    return result


def evidence_html(item: dict) -> str:
    """One evidence entry: the triggering text marked, old/new shown as del/ins."""
    parts = [f"<mark>{escape(item.get('text') or '')}</mark>"]
    old, new = item.get("old"), item.get("new")
    if old and new and old != item.get("text"):
        parts.append(f' <span class="was">was: <del>{escape(old)}</del></span>')
    elif old and not new:
        parts = [f"<del><mark>{escape(old)}</mark></del>"]
    return "".join(parts)
