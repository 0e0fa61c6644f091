"""How our tables' cells read in Datasette: kinds as badges, silent as a word, ids as links.

Datasette calls ``render_cell`` for every cell of every table, view and query page;
``None`` leaves a cell to Datasette. Nothing here trusts a value: every piece of text
is escaped before it is wrapped in our markup.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from monitor.review.labels import FLAG_TABLES
from monitor.review.web import PREFIX, SHOWN_CHARS, clip

#: (table or query, column) → the plugin page an integer in it opens
_LINKS: dict[str, str] = {
    "change_id": "change",
    "article_id": "article",
    "outlet_id": "outlet",
    "version_id": "version",
    "from_version_id": "version",
    "to_version_id": "version",
    "revert_of_version_id": "version",
    "snapshot_id": "snapshot",
}
#: a table's own ``id`` column opens this page
_OWN_ID = {
    "changes": "change",
    "change_reports": "change",
    "articles": "article",
    "outlets": "outlet",
    "versions": "version",
    "version_records": "version",
    "snapshots": "snapshot",
}
_KIND_COLUMNS = {"kinds"}
_SILENT_COLUMNS = {"silent"}
_TEXT_COLUMNS = {"headline", "title", "old_headline", "new_headline", "last_headline", "summary"}


def kind_badges(kinds: list[str]) -> Markup:
    return Markup(" ").join(
        Markup('<span class="badge kind kind-{0}">{0}</span>').format(k) for k in kinds
    )


def silent_word(value: int) -> Markup:
    if value:
        return Markup('<span class="badge badge-silent">silent</span>')
    return Markup('<span class="not-silent">not silent</span>')


def _kinds(value: Any) -> Markup | None:
    if not isinstance(value, str) or not value.startswith("["):
        return None
    try:
        kinds = json.loads(value)
    except ValueError:
        return None
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        return None
    return kind_badges(kinds)


def _link(target: str, value: Any) -> Markup | None:
    if isinstance(value, dict):  # a foreign key Datasette expanded to {value, label}
        value, label = value.get("value"), value.get("label")
    else:
        label = value
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    text = clip(str(label), 80) if label not in (None, "") else str(value)
    return Markup('<a href="{}/{}/{}">{}</a>').format(Markup(PREFIX), target, value, text)


def _url(value: Any) -> Markup | None:
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return None
    parts = urlsplit(value)
    shown = clip(f"{parts.netloc}{parts.path}", 60)
    return Markup('<a class="url" href="{}" rel="noopener noreferrer nofollow" title="{}">{}</a>')\
        .format(value, value, shown)  # fmt: skip


def _is_flag(row: Any, table: str | None) -> bool:
    if table is not None:
        # the 0/1 flag on these tables; in a query it is the flag when the row is about
        # one change (it has a change_id), and a count otherwise (the scoreboard)
        return table in FLAG_TABLES
    try:
        return "change_id" in row.keys()  # noqa: SIM118 - `in` on a sqlite3.Row tests values
    except AttributeError:
        return False


def render(value: Any, column: str, table: str | None, row: Any = None) -> Markup | None:
    """Our rendering of one cell, or None to leave it to Datasette."""
    if column == "id" and table in _OWN_ID:
        return _link(_OWN_ID[table], value)
    if column in _LINKS and not (column == "outlet_id" and table == "outlets"):
        return _link(_LINKS[column], value)
    if column in _KIND_COLUMNS:
        return _kinds(value)
    if column in _SILENT_COLUMNS and value in (0, 1) and _is_flag(row, table):
        return silent_word(value)
    if column == "url":
        return _url(value)
    if column in _TEXT_COLUMNS and isinstance(value, str) and len(value) > SHOWN_CHARS:
        return Markup(escape(clip(value)))
    return None
