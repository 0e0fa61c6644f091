"""Plain words for reviewers: what each change kind means, and why a change is (not) silent.

Pure functions over the stored kinds and evidence; the pages only show the result.
"""

from __future__ import annotations

from monitor.models import NON_SUBSTANTIVE_KINDS

#: how a kind reads in a sentence ("substantive edit: wording, numbers")
KIND_WORDS: dict[str, str] = {
    "headline": "headline rewritten",
    "byline": "byline changed",
    "comment_line": "comment line",
    "correction_note": "correction or update note",
    "paragraph_added": "paragraph added",
    "paragraph_removed": "paragraph removed",
    "moved": "paragraphs moved",
    "numbers": "numbers",
    "quote": "quote",
    "wording": "wording",
    "minor": "minor edit",
    "revert": "back to an earlier version",
    "removed": "article removed",
    "restored": "article back online",
    "reextracted": "re-read under new extraction rules",
    "live_update": "live-blog post",
}
#: kinds that say why a change happened or how, not what was edited
_NOT_EDITS = NON_SUBSTANTIVE_KINDS | {"live_update"}


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind.replace("_", " "))


def _status_code(evidence: list[dict], kind: str) -> str:
    for item in evidence:
        if item.get("kind") == kind and item.get("new"):
            return f" (HTTP {item['new']})"
    return ""


def _note(evidence: list[dict]) -> str:
    for item in evidence:
        if item.get("kind") == "correction_note" and item.get("text"):
            text = " ".join(str(item["text"]).split())
            return text if len(text) <= 160 else text[:159].rstrip() + "…"
    return ""


def silent_reason(kinds: list[str], evidence: list[dict], silent: bool) -> str:
    """One sentence: why the change is flagged silent, or why it is not."""
    edits = [k for k in kinds if k not in _NOT_EDITS]
    if "removed" in kinds:
        code = _status_code(evidence, "removed")
        return f"Article removed{code}: the page stopped answering, with no note on the page."
    if "restored" in kinds:
        return f"Article back online{_status_code(evidence, 'restored')} after it was removed."
    if silent:
        what = ", ".join(kind_words(k) for k in edits) or "text changed"
        if "correction_note" in kinds:
            return (
                f"Silent edit: substantive edit ({what}) that the correction or update note "
                "on the page does not cover."
            )
        return f"Silent edit: substantive edit ({what}); no correction or update note on the page."
    if "correction_note" in kinds:
        note = _note(evidence)
        if not note:
            return "Not silent: the page now carries a correction or update note."
        end = "" if note[-1] in ".!?…" else "."
        return f"Not silent: the page now carries a correction or update note: “{note}{end}”"
    if "reextracted" in kinds:
        return "Not silent: the page did not change; newer extraction rules read it differently."
    if "live_update" in kinds and not edits:
        return "Not silent: a new post on a live blog."
    if edits:
        return f"Not silent: {', '.join(kind_words(k) for k in edits)}."
    return "Not silent: only minor edits (case, punctuation, a typo or whitespace)."


def shown_summary(summary: str, revert_of_id: int | None, revert_number: int | None) -> str:
    """The stored summary with a revert named by the article's version number: the
    classifier writes the row id ("reverts to version 14"), which means nothing to a
    reader."""
    if revert_of_id is None or revert_number is None:
        return summary
    return summary.replace(
        f"reverts to version {revert_of_id}", f"reverts to version {revert_number}"
    )
