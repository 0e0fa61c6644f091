"""Column headers and facet values as people read them, on Datasette's pages for our tables.

The stored names stay what they are (queries, exports and the JSON API use them); only
the header text changes: ``detected_at`` reads "Detected (UTC)", ``article_id``
"Article id", and a facet over the 0/1 ``silent`` flag lists "silent" and "not silent".
The header keeps the column's own name as its tooltip, for whoever writes SQL.
"""

from __future__ import annotations

from typing import Any

#: headers that the general rule (below) would not word well
_NAMED: dict[str, str] = {
    "url": "URL",
    "final_url": "Final URL",
    "canonical_url": "Canonical URL",
    "day": "Day (UTC)",
    "detected_at": "Detected (UTC)",
    "captured_at": "Captured (UTC)",
    "fetched_at": "Fetched (UTC)",
    "decided_at": "Decided (UTC)",
    "published_at": "Published",
    "modified_at": "Modified",
    "version_number": "Version",
    "kinds": "Kinds",
    "silent": "Silent",
    "headline": "Headline",
    "title": "Headline",
    "etag": "ETag",
    "passage_ids": "Paragraph ids",
    "first_version": "First version",
    "status_code": "HTTP status",
    "revert_of_version_id": "Reverts to version",
    "from_version_id": "From version",
    "to_version_id": "To version",
    "suspect_reason": "Why suspect",
    "entries_seen": "Entries seen",
    "note": "Note",
    "silent_pct": "Silent %",
}
#: what a table's own ``id`` column is (it links to that page)
_OWN_ID: dict[str, str] = {
    "changes": "Change",
    "change_reports": "Change",
    "articles": "Article",
    "versions": "Version id",
    "version_records": "Version id",
    "outlets": "Outlet",
    "feeds": "Feed",
    "fetches": "Fetch",
    "snapshots": "Snapshot",
    "incidents": "Incident",
}
#: tables and views where a ``silent`` column is the 0/1 flag (not a count)
FLAG_TABLES = frozenset({"changes", "change_reports"})
SILENT_WORDS = {1: "silent", 0: "not silent"}


def column_label(column: str, table: str | None = None) -> str:
    """The header a person reads for ``column`` (of ``table``, when it is a table page)."""
    if column == "id" and table in _OWN_ID:
        return _OWN_ID[table]
    if column == "outlet_id" and table is not None:
        return "Outlet"  # a table page shows the outlet's name there (a foreign key)
    if column in _NAMED:
        return _NAMED[column]
    words = column
    suffix = ""
    if words.endswith("_at"):
        words, suffix = words[:-3], " (UTC)"
    elif words.endswith("_id"):
        words, suffix = words[:-3], " id"
    words = words.replace("_", " ").strip() or column
    return f"{words[:1].upper()}{words[1:]}{suffix}"


def facet_value_label(column: str, table: str | None, value: Any, label: Any) -> Any:
    """A facet value's text: the silent flag as a word, anything else as Datasette has it."""
    if column == "silent" and table in FLAG_TABLES and value in (0, 1, "0", "1"):
        return SILENT_WORDS[int(value)]
    return label
