"""The desk's queue of changes: filters from the query string, and the SQL they make.

Pure: a ``Queue`` is parsed from request arguments and turned into a WHERE clause with
named parameters. The same filters ride along on links from the desk to a change page,
so "next in queue" walks exactly the list the reviewer was working through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from monitor.models import CHANGE_KINDS
from monitor.review.verdicts import SCHEMA, VERDICTS

PAGE_SIZE = 50
MAX_PAGE = 100_000
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
VERDICT_FILTERS = {"unreviewed": "unreviewed", **VERDICTS}

#: the rows a queue lists: a change, its article and outlet, and its verdict (if its
#: verdict matches this very change: same id, article and detection time)
FROM = f"""FROM changes c
JOIN articles a ON a.id = c.article_id
LEFT JOIN outlets o ON o.id = a.outlet_id
LEFT JOIN {SCHEMA}.verdicts v
  ON v.change_id = c.id AND v.article_id = c.article_id AND v.detected_at = c.detected_at"""

COLUMNS = """c.id, c.detected_at, c.kinds, c.silent, c.summary, c.article_id,
  o.name AS outlet, a.url,
  substr(COALESCE((SELECT title FROM version_records WHERE id = c.to_version_id),
                  (SELECT title FROM version_records WHERE id = c.from_version_id),
                  a.title, a.url), 1, 300) AS headline,
  c.revert_of_version_id,
  (SELECT version_number FROM version_records WHERE id = c.revert_of_version_id) AS revert_number,
  v.verdict, v.note AS verdict_note, v.reviewer, v.decided_at"""


@dataclass(frozen=True)
class Queue:
    silent: str = ""  # "", "1" (silent only), "0" (not silent)
    kind: str = ""
    outlet: str = ""
    day: str = ""  # YYYY-MM-DD (UTC)
    verdict: str = ""  # "", "unreviewed", or a verdict
    page: int = 1
    #: filters that were given but could not be used, as "name=value"
    ignored: tuple[str, ...] = ()


def parse(args: Mapping[str, str]) -> Queue:
    """Filters from the query string; a value that cannot be a filter is ignored (and
    reported), never an error."""
    ignored: list[str] = []

    def take(name: str, valid: bool) -> str:
        value = (args.get(name) or "").strip()
        if value and not valid:
            ignored.append(f"{name}={value[:40]}")
            return ""
        return value

    silent = take("silent", args.get("silent", "") in ("", "1", "0"))
    kind = take("kind", args.get("kind", "") in CHANGE_KINDS or args.get("kind") == "live_update")
    day_text = (args.get("day") or "").strip()
    day = take("day", bool(_DAY.match(day_text)) and _is_date(day_text))
    verdict = take("verdict", args.get("verdict", "") in VERDICT_FILTERS)
    outlet = (args.get("outlet") or "").strip()[:200]
    page_text = args.get("page") or "1"
    page = int(page_text) if page_text.isdigit() and 0 < len(page_text) < 7 else 1
    return Queue(silent, kind, outlet, day, verdict, max(1, min(page, MAX_PAGE)), tuple(ignored))


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def where(queue: Queue) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (starting with WHERE, or empty) and its parameters."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if queue.silent:
        clauses.append("c.silent = :silent")
        params["silent"] = int(queue.silent)
    if queue.kind:
        clauses.append("EXISTS (SELECT 1 FROM json_each(c.kinds) WHERE value = :kind)")
        params["kind"] = queue.kind
    if queue.outlet:
        clauses.append("o.name = :outlet")
        params["outlet"] = queue.outlet
    if queue.day:
        # a range on detected_at (indexed), not substr() of every row
        clauses.append("c.detected_at >= :day_start AND c.detected_at < :day_end")
        params["day_start"] = queue.day
        params["day_end"] = (date.fromisoformat(queue.day) + timedelta(days=1)).isoformat()
    if queue.verdict == "unreviewed":
        clauses.append("v.verdict IS NULL")
    elif queue.verdict:
        clauses.append("v.verdict = :verdict")
        params["verdict"] = queue.verdict
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def page_sql(queue: Queue) -> tuple[str, dict[str, Any]]:
    clause, params = where(queue)
    params["limit"], params["offset"] = PAGE_SIZE + 1, (queue.page - 1) * PAGE_SIZE
    sql = (
        f"SELECT {COLUMNS} {FROM} {clause} "
        "ORDER BY c.detected_at DESC, c.id DESC LIMIT :limit OFFSET :offset"
    )
    return sql, params


def count_sql(queue: Queue) -> tuple[str, dict[str, Any]]:
    clause, params = where(queue)
    sql = (
        "SELECT COUNT(*) AS changes, COALESCE(SUM(c.silent), 0) AS silent, "
        "COALESCE(SUM(c.silent = 1 AND v.verdict IS NULL), 0) AS unreviewed_silent "
        f"{FROM} {clause}"
    )
    return sql, params


def neighbour_sql(queue: Queue, newer: bool) -> tuple[str, dict[str, Any]]:
    """The change just before (newer) or after (older) a given one in the queue's order;
    parameters ``at`` and ``id`` name the current change."""
    clause, params = where(queue)
    if newer:
        step = "(c.detected_at > :at OR (c.detected_at = :at AND c.id > :id))"
        order = "ORDER BY c.detected_at ASC, c.id ASC"
    else:
        step = "(c.detected_at < :at OR (c.detected_at = :at AND c.id < :id))"
        order = "ORDER BY c.detected_at DESC, c.id DESC"
    clause = f"{clause} AND {step}" if clause else f"WHERE {step}"
    return f"SELECT c.id {FROM} {clause} {order} LIMIT 1", params


def query_string(queue: Queue, **changes: Any) -> str:
    """The queue's filters as a query string ("" when none), with some changed."""
    queue = replace(queue, **changes) if changes else queue
    pairs = [
        (name, getattr(queue, name))
        for name in ("silent", "kind", "outlet", "day", "verdict")
        if getattr(queue, name)
    ]
    if queue.page > 1:
        pairs.append(("page", str(queue.page)))
    return urlencode(pairs)


def is_filtered(queue: Queue) -> bool:
    return any((queue.silent, queue.kind, queue.outlet, queue.day, queue.verdict))


def describe(queue: Queue) -> str:
    """The queue in words: "unreviewed silent edits of capitol on 2026-12-06"."""
    noun = {"1": "silent edits", "0": "changes that are not silent"}.get(queue.silent, "changes")
    words = []
    if queue.verdict:
        words.append(VERDICT_FILTERS[queue.verdict])
    words.append(noun)
    if queue.kind:
        words.append(f"with kind {queue.kind}")
    if queue.outlet:
        words.append(f"of {queue.outlet}")
    if queue.day:
        words.append(f"on {queue.day}")
    if not is_filtered(queue):
        return "All changes"
    text = " ".join(words)
    return text[0].upper() + text[1:]
