"""Renderings of a VersionDiff: terminal text, an HTML fragment, and JSON-ready data.

HTML is built only from escaped text and fixed markup: article text is
untrusted (a page can contain anything), so every segment goes through
``html.escape`` and no attribute ever carries article text or script.
"""

from __future__ import annotations

from html import escape
from typing import Any

from monitor.models import FieldDiff, ParagraphOp, VersionDiff, WordOp, WordOpKind

_RED, _GREEN, _DIM, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[2m", "\x1b[0m"


# --- text ------------------------------------------------------------------------


def _text_ops(ops: tuple[WordOp, ...], *, color: bool) -> str:
    out = []
    for op in ops:
        if op.op == "equal":
            out.append(op.text)
        elif color:
            out.append(f"{_RED if op.op == 'delete' else _GREEN}{op.text}{_RESET}")
        else:
            out.append(f"[-{op.text}-]" if op.op == "delete" else f"{{+{op.text}+}}")
    return "".join(out)


def _whole(text: str, op: WordOpKind, *, color: bool) -> str:
    return _text_ops((WordOp(op, text),), color=color)


def _text_paragraph(p: ParagraphOp, *, color: bool) -> str:
    old_no = p.old_index + 1 if p.old_index is not None else None
    new_no = p.new_index + 1 if p.new_index is not None else None
    if p.kind == "added":
        return f"¶{new_no} added:\n{_whole(p.new or '', 'insert', color=color)}"
    if p.kind == "removed":
        return f"¶{old_no} removed:\n{_whole(p.old or '', 'delete', color=color)}"
    if p.kind == "moved":
        body = _text_ops(p.ops, color=color) if p.ops else (p.new or "")
        edited = " and edited" if p.ops else ""
        return f"¶{old_no} → ¶{new_no} moved{edited}:\n{body}"
    label = f"¶{new_no}" if old_no == new_no else f"¶{old_no} → ¶{new_no}"
    return f"{label} changed:\n{_text_ops(p.ops, color=color)}"


def render_text(diff: VersionDiff, *, color: bool = False) -> str:
    """Only what changed: title, byline, then changed paragraphs with their numbers.

    With ``color`` deletions are red and insertions green (ANSI); without it they
    are marked ``[-deleted-]`` and ``{+inserted+}``.
    """
    blocks = []
    for field in (diff.title, diff.byline):
        if field.changed:
            blocks.append(f"{field.name.capitalize()}:\n{_field_ops_text(field, color=color)}")
    blocks.extend(_text_paragraph(p, color=color) for p in diff.paragraphs if p.kind != "equal")
    if not blocks:
        return f"{_DIM}No changes.{_RESET}\n" if color else "No changes.\n"
    return "\n\n".join(blocks) + "\n"


def _field_ops_text(field: FieldDiff, *, color: bool) -> str:
    if field.ops:
        return _text_ops(field.ops, color=color)
    return _whole(field.old, "delete", color=color) + _whole(field.new, "insert", color=color)


# --- HTML ------------------------------------------------------------------------


def inline_html(ops: tuple[WordOp, ...]) -> str:
    """Deleted words in ``<del>``, inserted ones in ``<ins>``, in one line of text.

    A space goes between a deletion and the insertion right after it, so "Senate" →
    "House" reads "Senate House" in the page's text (to screen readers, when copied,
    and in `diff --format html` output), not "SenateHouse". The one renderer for word
    diffs in HTML: the review pages use it too.
    """
    out: list[str] = []
    previous = ""
    for op in ops:
        text = escape(op.text)
        if op.op == "insert" and previous == "delete" and not op.text[:1].isspace():
            out.append(" ")
        if op.op == "delete":
            out.append(f"<del>{text}</del>")
        elif op.op == "insert":
            out.append(f"<ins>{text}</ins>")
        else:
            out.append(text)
        previous = op.op
    return "".join(out)


def replaced_html(old: str, new: str) -> str:
    """A field replaced whole (no word diff): the old text deleted, then the new inserted."""
    return inline_html((WordOp("delete", old), WordOp("insert", new)))


def side_html(ops: tuple[WordOp, ...], keep: WordOpKind) -> str:
    """One side of a side-by-side view: the words kept, plus the deleted (``keep`` =
    "delete", in ``<del>``) or the inserted ones ("insert", in ``<ins>``)."""
    tag = "del" if keep == "delete" else "ins"
    out = []
    for op in ops:
        if op.op == "equal":
            out.append(escape(op.text))
        elif op.op == keep:
            out.append(f"<{tag}>{escape(op.text)}</{tag}>")
    return "".join(out)


def _html_paragraph(p: ParagraphOp) -> str:
    attrs = f'class="para para-{p.kind}"'
    if p.old_index is not None:
        attrs += f' data-old-index="{p.old_index}"'
    if p.new_index is not None:
        attrs += f' data-new-index="{p.new_index}"'
    if p.kind == "added":
        inner = f"<ins>{escape(p.new or '')}</ins>"
    elif p.kind == "removed":
        inner = f"<del>{escape(p.old or '')}</del>"
    elif p.ops:
        inner = inline_html(p.ops)
    else:
        inner = escape(p.new or "")
    return f"<p {attrs}>{inner}</p>"


def _html_field(field: FieldDiff) -> str:
    state = "changed" if field.changed else "equal"
    if not field.changed:
        inner = escape(field.new)
    elif field.ops:
        inner = inline_html(field.ops)
    else:
        inner = replaced_html(field.old, field.new)
    return (
        f'<section class="diff-field diff-{field.name} field-{state}">'
        f'<h3>{escape(field.name.capitalize())}</h3><p class="field">{inner}</p></section>'
    )


def render_html(diff: VersionDiff) -> str:
    """An HTML fragment: title and byline sections, then every paragraph with its kind.

    Deleted words are in ``<del>``, inserted ones in ``<ins>``; all text is escaped.
    """
    paragraphs = "\n".join(_html_paragraph(p) for p in diff.paragraphs)
    return (
        '<div class="version-diff">\n'
        f"{_html_field(diff.title)}\n{_html_field(diff.byline)}\n"
        f'<section class="diff-body">\n{paragraphs}\n</section>\n</div>\n'
    )


# --- JSON ------------------------------------------------------------------------


def _json_ops(ops: tuple[WordOp, ...]) -> list[list[str]]:
    return [[op.op, op.text] for op in ops]


def _json_field(field: FieldDiff) -> dict[str, Any]:
    return {
        "old": field.old,
        "new": field.new,
        "changed": field.changed,
        "ops": _json_ops(field.ops),
    }


def render_json(diff: VersionDiff) -> dict[str, Any]:
    """JSON-serialisable data: title, byline and every aligned paragraph with its word ops."""
    return {
        "title": _json_field(diff.title),
        "byline": _json_field(diff.byline),
        "paragraphs": [
            {
                "kind": p.kind,
                "old_index": p.old_index,
                "new_index": p.new_index,
                "old": p.old,
                "new": p.new,
                "ops": _json_ops(p.ops),
            }
            for p in diff.paragraphs
        ],
    }
